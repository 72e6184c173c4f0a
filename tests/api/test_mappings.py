"""The live preview of a mapping expression in the editor."""

SCOPE = {"trigger": {"id": 820982911946154508, "line_items": [{"sku": "A"}, {"sku": "B"}]}}


def test_preview_shows_result_and_its_kind(api):
    reply = api.post(
        "/api/mappings/preview", json={"expression": "trigger.line_items[].sku", "scope": SCOPE}
    )
    assert reply.get_json() == {"result": ["A", "B"], "type": "list", "found": True}
    big = api.post("/api/mappings/preview", json={"expression": "trigger.id", "scope": SCOPE})
    assert big.data.startswith(b'{"result":820982911946154508,')


def test_preview_says_when_nothing_is_found(api):
    reply = api.post("/api/mappings/preview", json={"expression": "trigger.email", "scope": SCOPE})
    assert reply.get_json() == {"result": None, "type": "nothing", "found": False}


def test_preview_of_a_broken_expression_gives_message_and_position(api):
    reply = api.post("/api/mappings/preview", json={"expression": "trigger.]id", "scope": SCOPE})
    assert reply.status_code == 422
    problem = reply.get_json()
    assert problem["position"] == 8
    assert problem["errors"] == [
        {
            "pointer": "/expression",
            "message": 'Not a valid expression at position 8: unexpected "]".',
        }
    ]


def test_preview_needs_sign_in(client):
    assert client.post("/api/mappings/preview", json={"expression": "a"}).status_code == 401
