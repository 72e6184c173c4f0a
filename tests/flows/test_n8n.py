"""n8n workflows become Shopwire flows: known steps translate, the rest is marked and reported."""

import json
from pathlib import Path

import jmespath
import pytest

from app.flows import n8n
from nodes.engine.validation import validate_flow
from nodes.kit import registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "n8n"


def workflow(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def _nodes():
    registry.load_builtins()


X = n8n.Expressions({"Order Created": "order_created", "Lookup": "lookup"}, "Order Created")


@pytest.mark.parametrize(
    "n8n_expression, expected",
    [
        ("$json.a.b", "input.a.b"),
        (
            '$json["data"]["object"]["custom_fields"][0]["value"]',
            "input.data.object.custom_fields[0].value",
        ),
        ("$json['total']", "input.total"),
        ('$json["first name"]', 'input."first name"'),
        ('$node["Order Created"].json["_links"]["self"][0]["href"]', "trigger._links.self[0].href"),
        ("$('Lookup').item.json.id", "steps.lookup.id"),
    ],
)
def test_plain_field_references_become_jmespath(n8n_expression, expected):
    assert X.jmespath(n8n_expression) == expected
    jmespath.compile(expected)


@pytest.mark.parametrize(
    "n8n_expression",
    ['$json["amount_paid"]/100', "$json.a.toUpperCase()", "$now", '$node["Nowhere"].json.a'],
)
def test_anything_else_is_refused_with_the_reason(n8n_expression):
    with pytest.raises(n8n.Unconvertible):
        X.jmespath(n8n_expression)


def test_text_with_references_becomes_a_joined_expression_and_a_template():
    kind, expression = X.value('=Order {{$json["id"]}} for {{ $json.email }}')
    assert kind == "mapped"
    data = {"input": {"id": 7, "email": "jon@example.com"}}
    assert jmespath.search(expression, data) == "Order 7 for jon@example.com"
    assert X.template("=Hi {{$json.billing.first_name}}") == "Hi {{ input.billing.first_name }}"
    assert X.value("plain text") == ("fixed", "plain text")


def test_the_woocommerce_workflow_translates_its_trigger_and_condition():
    name, graph, notes = n8n.convert(workflow("1151_Woocommerce_Slack_Create_Triggered"))

    assert name == "New WooCommerce order to Slack"
    assert validate_flow(graph) == []
    nodes = {n["name"]: n for n in graph["nodes"]}
    assert nodes["Order Created"]["type"] == "woocommerce.order_created"
    condition = nodes["Price over 100"]["params"]["branches"][0]["condition"]
    assert condition == "to_number(input.total) >= `100`"
    assert jmespath.search(condition, {"input": {"total": "120.00"}}) is True
    assert jmespath.search(condition, {"input": {"total": "99.99"}}) is False
    slack = nodes["Send to Slack"]
    assert slack["type"] == "core.placeholder"
    assert slack["params"]["settings"]["channel"] == "woo-commerce"  # original settings shown
    assert {"source": "price_over_100", "target": "send_to_slack", "port": "true"} in graph["edges"]
    assert [n.message for n in notes] == [
        "Step “Send to Slack” is a placeholder: the n8n step type n8n-nodes-base.slack has no "
        "Shopwire counterpart. Replace it with a Shopwire step; its original settings are shown "
        "on the step."
    ]


def test_the_stripe_workflow_keeps_its_branches_and_reports_every_placeholder():
    _, graph, notes = n8n.convert(workflow("0008_Slack_Stripe_Create_Triggered"))

    assert validate_flow(graph) == []
    types = {n["name"]: n["type"] for n in graph["nodes"]}
    assert types["When Invoice Paid"] == "stripe.invoice_paid"
    assert types["If no PO Number"] == types["If no deal found for PO"] == "core.router"
    assert sorted(n for n, t in types.items() if t == "core.placeholder") == [
        "Find Deal based on PO Number",
        "Send Deal not found message",
        "Send invoice paid message",
        "Send no PO Message",
        "Update Deal to Paid",
    ]
    ports = {(e["source"], e["target"]): e["port"] for e in graph["edges"]}
    assert ports[("if_no_po_number", "send_no_po_message")] == "true"
    assert ports[("if_no_po_number", "find_deal_based_on_po_number")] == "default"
    assert len(notes) == 6  # five placeholders and the changed Stripe event
    assert "invoice.paid" in notes[0].message


def _node(kind: str, parameters: dict, name: str = "Step") -> dict:
    return {"name": name, "type": f"n8n-nodes-base.{kind}", "parameters": parameters}


def _single(kind: str, parameters: dict) -> dict:
    """A webhook followed by one step of ``kind``; the converted step."""
    document = {
        "nodes": [_node("webhook", {}, "Hook"), _node(kind, parameters)],
        "connections": {"Hook": {"main": [[{"node": "Step", "type": "main", "index": 0}]]}},
    }
    _, graph, notes = n8n.convert(document)
    assert validate_flow(graph) == [], graph
    return graph["nodes"][1]


def test_set_http_request_wait_split_out_merge_and_no_op_translate():
    assert _single(
        "set",
        {"values": {"string": [{"name": "id", "value": "={{$json.id}}"}]}, "keepOnlySet": True},
    )["params"] == {"values": {"id": "{{ input.id }}"}, "keep_input": False}
    http = _single(
        "httpRequest",
        {
            "method": "POST",
            "url": "=https://erp.example.com/orders/{{$json.id}}",
            "sendHeaders": True,
            "headerParameters": {
                "parameters": [
                    {"name": "X-Shop", "value": "acme"},
                    {"name": "Authorization", "value": "Bearer abcdefgh12345678"},
                ]
            },
        },
    )
    assert http["type"] == "core.http_request"
    assert http["params"]["headers"]["X-Shop"] == "acme"
    assert jmespath.search(http["mapping"]["url"], {"input": {"id": 5}}) == (
        "https://erp.example.com/orders/5"
    )
    json_body = _single("httpRequest", {"url": "https://erp.example.com", "jsonBody": '{"a": 1}'})
    assert json_body["params"]["body"] == {"a": 1}
    assert (
        _single("httpRequest", {"url": "https://x.example", "jsonBody": "={{ $json }}"})["type"]
        == "core.placeholder"
    )
    assert _single("wait", {"amount": 2, "unit": "hours"})["params"] == {"seconds": 7200}
    assert _single("splitOut", {"fieldToSplitOut": "line_items"})["mapping"] == {
        "items": "input.line_items"
    }
    assert _single("merge", {"mode": "append"})["params"] == {"mode": "list"}
    assert _single("noOp", {})["params"] == {"values": {}, "keep_input": True}


def test_a_switch_becomes_a_router_with_one_port_per_output():
    step = _single(
        "switch",
        {
            "dataType": "string",
            "value1": "={{$json.status}}",
            "rules": {
                "rules": [{"value2": "paid", "output": 0}, {"value2": "refunded", "output": 1}]
            },
            "fallbackOutput": 2,
        },
    )
    assert step["params"]["branches"] == [
        {"name": "output_0", "condition": 'input.status == `"paid"`'},
        {"name": "output_1", "condition": 'input.status == `"refunded"`'},
    ]


def test_a_shopify_trigger_by_topic_and_an_unknown_trigger_held_by_a_manual_one():
    document = {
        "nodes": [_node("shopifyTrigger", {"topic": "orders/paid"}, "Paid")],
        "connections": {},
    }
    assert n8n.convert(document)[1]["nodes"][0]["type"] == "shopify.order_paid"
    document = {"nodes": [_node("hubspotTrigger", {"eventsUi": {}}, "Deal")], "connections": {}}
    _, graph, notes = n8n.convert(document)
    assert graph["nodes"][0]["type"] == "core.manual"
    assert "placeholder" in notes[0].message
