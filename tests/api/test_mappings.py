"""The live preview of a mapping expression in the editor."""

from tests.conftest import flow_document

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
    # A verdict, not a failed request: the browser logs no error for each half-typed expression.
    assert reply.status_code == 200
    assert reply.get_json() == {
        "error": {
            "message": 'Not a valid expression at position 8: unexpected "]".',
            "position": 8,
        }
    }


def test_preview_needs_sign_in(client):
    assert client.post("/api/mappings/preview", json={"expression": "a"}).status_code == 401


def test_samples_feed_the_trigger_example_through_a_map(api):
    graph = flow_document(
        {"id": "t", "type": "core.manual", "params": {"sample": {"id": 2**63 - 1, "n": "Zoë"}}},
        {
            "id": "m",
            "type": "core.map",
            "params": {"fields": {"source": "shop"}},
            "mapping": {"fields.order": "trigger.id", "fields.name": "trigger.n"},
        },
        {"id": "h", "type": "core.http_request", "params": {"url": "https://example.com"}},
    )
    reply = api.post("/api/mappings/samples", json={"graph": graph})
    assert reply.status_code == 200, reply.get_json()
    samples = reply.get_json()["samples"]
    assert samples["t"] == {"id": 2**63 - 1, "n": "Zoë"}
    assert samples["m"] == {"source": "shop", "order": 2**63 - 1, "name": "Zoë"}
    assert samples["h"]["status"] == 200  # an action is never run: its example stands in


def test_a_triggers_test_data_stands_in_for_its_example(api):
    graph = flow_document(
        {"id": "t", "type": "core.webhook", "sample": {"order": {"name": "#1001"}}},
        {
            "id": "m",
            "type": "core.map",
            "params": {"fields": {}},
            "mapping": {"fields.n": "trigger.order.name"},
        },
    )
    saved = api.post("/api/flows", json={"name": "pinned", "graph": graph})
    assert saved.status_code == 201, saved.get_json()
    samples = api.post("/api/mappings/samples", json={"graph": graph}).get_json()["samples"]
    assert samples == {"t": {"order": {"name": "#1001"}}, "m": {"n": "#1001"}}


def test_a_map_whose_mapping_fails_shows_its_example_and_a_broken_graph_is_explained(api):
    graph = flow_document(
        {"id": "t", "type": "core.manual"},
        {"id": "m", "type": "core.map", "mapping": {"fields.x": "trigger.missing"}},
    )
    samples = api.post("/api/mappings/samples", json={"graph": graph}).get_json()["samples"]
    assert samples["m"] == {"id": 820982911946154508, "email": "jon@example.com", "total": 403.0}

    broken = api.post("/api/mappings/samples", json={"graph": {"nodes": "x"}})
    assert broken.status_code == 422
    assert "exactly one trigger" in broken.get_json()["detail"]


def test_a_preview_nested_too_deeply_is_answered_with_a_sentence(api):
    reply = api.post("/api/mappings/preview", json={"expression": "(" * 3000 + "a"})
    assert reply.status_code == 200
    assert "nested too deeply" in reply.get_json()["error"]["message"]


def test_a_preview_whose_result_doubles_past_the_bound_is_a_sentence_not_a_huge_answer(api):
    expression = "a" + " | [@, @]" * 24  # 2^24 copies: hundreds of MB were answered
    reply = api.post("/api/mappings/preview", json={"expression": expression, "scope": {"a": "x"}})
    assert reply.status_code == 200 and len(reply.data) < 2000
    assert "larger than 8 MB" in reply.get_json()["error"]["message"]
