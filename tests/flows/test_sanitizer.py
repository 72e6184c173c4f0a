"""The sanitizer: nothing of the publisher's shop survives, and every removal is reported."""

import json

import pytest

from app.flows.sanitizer import Marked, MarkError, sanitize
from nodes.kit import registry
from tests.conftest import flow_document

BEARER = "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"
QUERY_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
PASSWORD = "hunter2-correct-horse"
STRIPE_KEY = "sk_live_51HxYzAbCdEfGhIjKlMnOp"


def risky_flow() -> dict:
    return flow_document(
        {"id": "paid", "type": "shopify.order_paid", "credential": "cred-shopify-1"},
        {
            "id": "erp",
            "type": "core.http_request",
            "name": "Send to ERP",
            "params": {
                "method": "POST",
                "url": f"https://erp.example.com/orders?api_key={QUERY_KEY}&channel=shop",
                "headers": {"Authorization": BEARER, "X-Channel": "webshop"},
                "body": {"login": "shop", "password": PASSWORD, "note": f"key {STRIPE_KEY}"},
            },
            "mapping": {"body.order": "trigger.id"},
        },
        {
            "id": "refund",
            "type": "stripe.create_refund",
            "credential": "cred-stripe-9",
            "params": {"payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "reason": "duplicate"},
        },
        {
            "id": "again",
            "type": "shopify.tag_order",
            "credential": "cred-shopify-1",
            "params": {"tags": ["refunded"]},
            "mapping": {"order_id": "trigger.id"},
        },
    )


def test_no_secret_and_no_account_id_survives_and_each_removal_is_reported():
    result = sanitize(risky_flow())
    text = json.dumps(result.graph) + json.dumps(result.credential_slots)

    for secret in (BEARER, QUERY_KEY, PASSWORD, STRIPE_KEY, "cred-shopify-1", "cred-stripe-9"):
        assert secret not in text
    assert {(r["pointer"], r["reason"]) for r in result.removed} >= {
        ("/nodes/1/params/url", "a key in the URL's query parameter api_key (removed)"),
        (
            "/nodes/1/params/headers/Authorization",
            "credentials in the header Authorization (removed)",
        ),
        ("/nodes/1/params/body/password", "a password-like field password (removed)"),
        ("/nodes/1/params/body/note", "a Stripe secret key in the text (replaced by [removed])"),
    }
    erp = result.graph["nodes"][1]["params"]
    assert erp["url"] == "https://erp.example.com/orders?channel=shop"  # the rest is kept
    assert erp["headers"] == {"X-Channel": "webshop"}
    assert erp["body"] == {"login": "shop", "note": "key [removed]"}


def test_accounts_become_typed_slots_shared_by_the_steps_that_used_the_same_account():
    result = sanitize(risky_flow())

    assert result.credential_slots == [
        {"id": "shopify", "connector": "shopify", "nodes": ["paid", "again"]},
        {"id": "stripe", "connector": "stripe", "nodes": ["refund"]},
    ]
    assert all(node.get("credential") is None for node in result.graph["nodes"])


def test_two_accounts_of_one_connector_are_two_slots():
    graph = flow_document(
        {"id": "paid", "type": "shopify.order_paid", "credential": "a"},
        {
            "id": "tag",
            "type": "shopify.tag_order",
            "credential": "b",
            "params": {"tags": "x"},
            "mapping": {"order_id": "trigger.id"},
        },
    )
    assert [s["id"] for s in sanitize(graph).credential_slots] == ["shopify", "shopify_2"]


@pytest.fixture
def node_with_a_secret_param():
    registry.node(
        "testkit.send_token",
        kind="action",
        title={"en": "Send token", "de": "Token senden"},
        description={"en": "Test", "de": "Test"},
        params={
            "type": "object",
            "properties": {
                "url": {"type": "string"},
                "token": {"type": "string", "writeOnly": True},
            },
        },
        output_schema={"type": "object"},
        output_example={},
    )(lambda ctx, params, input: {})
    yield
    registry._specs.pop(("testkit.send_token", 1))


def test_a_secret_field_and_copies_of_its_value_elsewhere_are_removed(node_with_a_secret_param):
    token = "whatever-the-erp-issued-42"
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "send",
            "type": "testkit.send_token",
            "params": {"url": "https://erp.example.com", "token": token},
        },
        {
            "id": "set",
            "type": "core.set",
            "params": {"values": {"echo": f"token={token}", "same": token}},
        },
    )
    result = sanitize(graph)
    assert token not in json.dumps(result.graph)
    assert result.graph["nodes"][2]["params"]["values"] == {"echo": "token=[removed]"}
    assert [r["pointer"] for r in result.removed] == [
        "/nodes/1/params/token",
        "/nodes/2/params/values/echo",
        "/nodes/2/params/values/same",
    ]


@pytest.mark.parametrize(
    "value, reason",
    [
        ("shpat_0123456789abcdef0123456789abcdef", "a Shopify access token"),
        ("whsec_abcdefghijklmnop", "a Stripe webhook secret"),
        ("ck_0123456789abcdef0123456789abcdef01234567", "a WooCommerce API key"),
        ("live_AbCdEfGhIjKlMnOpQrStUvWx", "a Mollie API key"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "a JSON Web Token"),
        ("Basic dXNlcjpwYXNzd29yZDEyMw==", "bearer or basic credentials"),
    ],
)
def test_values_in_known_key_formats_are_removed_wherever_they_stand(value, reason):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "set", "type": "core.set", "params": {"values": {"anything": value}}},
    )
    result = sanitize(graph)
    assert value not in json.dumps(result.graph)
    assert result.removed == [
        {"pointer": "/nodes/1/params/values/anything", "reason": f"{reason} (removed)"}
    ]


def test_ordinary_values_that_merely_look_technical_are_kept():
    graph = flow_document(
        {
            "id": "hook",
            "type": "core.webhook",
            "params": {"event_id_header": "X-Shopify-Webhook-Id"},
        },
        {"id": "dedupe", "type": "core.deduplicate", "params": {"key": "trigger.id"}},
        {
            "id": "set",
            "type": "core.set",
            "params": {
                "values": {
                    "tag": "refund",
                    "sku": "SKU2006-001",
                    "link": "https://example.com/a?page=2",
                }
            },
        },
    )
    result = sanitize(graph)
    assert result.removed == []
    assert result.graph == graph


def test_user_and_password_in_a_url_and_secret_query_params_are_removed():
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "erp",
            "type": "core.http_request",
            "params": {
                "url": "https://shop:s3cret-pass@erp.example.com/api",
                "query": {"access_token": "abc123456789", "limit": 5},
            },
        },
    )
    result = sanitize(graph)
    params = result.graph["nodes"][1]["params"]
    assert params == {"url": "https://erp.example.com/api", "query": {"limit": 5}}
    assert [r["pointer"] for r in result.removed] == [
        "/nodes/1/params/query/access_token",
        "/nodes/1/params/url",
    ] or [r["pointer"] for r in result.removed] == [
        "/nodes/1/params/url",
        "/nodes/1/params/query/access_token",
    ]


def test_a_credential_written_into_a_mapping_literal_is_removed():
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "erp",
            "type": "core.http_request",
            "params": {"url": "https://erp.example.com"},
            "mapping": {"headers.X-Api-Key": "'k-8f7e6d5c4b3a'", "body": "trigger"},
        },
    )
    result = sanitize(graph)
    assert result.graph["nodes"][1]["mapping"] == {"body": "trigger"}
    assert result.removed[0]["pointer"] == "/nodes/1/mapping/headers.X-Api-Key"


def test_sample_data_is_dropped():
    graph = flow_document(
        {"id": "start", "type": "core.manual", "params": {"sample": {"email": "jane@shop.de"}}},
        {"id": "set", "type": "core.set", "params": {"values": {"a": "b"}}},
    )
    result = sanitize(graph)
    assert "jane@shop.de" not in json.dumps(result.graph)
    assert result.removed == [
        {"pointer": "/nodes/0/params/sample", "reason": "sample data is not shared"}
    ]


def test_a_triggers_test_data_from_a_real_event_is_dropped():
    graph = flow_document(
        {"id": "hook", "type": "core.webhook", "sample": {"email": "jane@shop.de"}},
        {"id": "set", "type": "core.set", "params": {"values": {"a": "b"}}},
    )
    result = sanitize(graph)
    assert "jane@shop.de" not in json.dumps(result.graph)
    assert result.removed == [{"pointer": "/nodes/0/sample", "reason": "sample data is not shared"}]


def test_a_call_to_another_flow_of_the_shop_becomes_a_parameter():
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "call",
            "type": "core.call_flow",
            "name": "Invoice",
            "params": {"flow_id": "5f0c8a4e-1d2b-4c3a-9e8f-7a6b5c4d3e2f"},
        },
    )
    result = sanitize(graph)
    assert "5f0c8a4e" not in json.dumps(result.graph)
    assert result.parameters["properties"]["call_flow_id"]["format"] == "flow"
    assert result.targets == {"call_flow_id": ["/nodes/1/params/flow_id"]}


def test_marked_values_become_parameters_with_a_schema_and_leave_the_graph():
    graph = risky_flow()
    marked = [
        Marked("/nodes/3/params/tags", "tag", {"en": "Tag to add", "de": "Zu setzendes Tag"}),
        Marked("/nodes/2/params/reason", "reason", {"en": "Refund reason", "de": "Grund"}),
    ]
    result = sanitize(graph, marked)

    assert "tags" not in result.graph["nodes"][3]["params"]
    assert result.parameters["required"] == ["tag", "reason"]
    assert result.parameters["properties"]["tag"]["title"] == "Tag to add"
    assert result.parameters["properties"]["tag"]["type"] == "array"
    # the field's own schema carries over (here: the choices Stripe accepts), not its value
    assert sorted(result.parameters["properties"]["reason"]["enum"]) == [
        "duplicate",
        "fraudulent",
        "requested_by_customer",
    ]
    assert "default" not in json.dumps(result.parameters)
    assert result.targets == {"tag": ["/nodes/3/params/tags"], "reason": ["/nodes/2/params/reason"]}


@pytest.mark.parametrize(
    "mark, message",
    [
        (
            Marked("/nodes/9/params/tags", "tag", {"en": "x"}),
            "There is no value at /nodes/9/params/tags.",
        ),
        (Marked("/nodes/0/credential", "tag", {"en": "x"}), "is not a step's field"),
        (Marked("/nodes/3/params/tags", "Tag!", {"en": "x"}), "must be lower-case"),
    ],
)
def test_a_mark_that_cannot_be_a_parameter_says_why(mark, message):
    with pytest.raises(MarkError, match=message.replace(".", r"\.").replace("/", "/")):
        sanitize(risky_flow(), [mark])


def test_the_input_document_is_left_as_it_was():
    graph = risky_flow()
    before = json.dumps(graph)
    sanitize(graph, [Marked("/nodes/3/params/tags", "tag", {"en": "Tag"})])
    assert json.dumps(graph) == before
