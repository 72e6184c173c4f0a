"""Moving flows: export to a file and import it into another shop; import n8n workflows."""

import json
from pathlib import Path

from tests.conftest import create_credential, flow_document

N8N = Path(__file__).resolve().parent.parent / "fixtures" / "n8n"
TOKEN = "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def test_an_exported_flow_imports_into_another_shop_without_secrets_or_account_ids(api, other_api):
    secret_account = create_credential(api, "core", {"secret": "s" * 24}, "ERP token")
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "erp",
            "type": "core.http_request",
            "name": "To the ERP",
            "credential": secret_account,
            "params": {
                "url": "https://erp.example.com/orders",
                "headers": {"Authorization": TOKEN},
                "send_secret": {"header": "X-Key"},
            },
            "mapping": {"body": "trigger"},
        },
    )
    flow_id = api.post("/api/flows", json={"name": "Orders to ERP", "graph": graph}).get_json()[
        "id"
    ]

    reply = api.get(f"/api/flows/{flow_id}/export")
    document = reply.get_json()
    text = reply.get_data(as_text=True)

    assert (
        reply.headers["Content-Disposition"] == 'attachment; filename="orders-to-erp.shopwire.json"'
    )
    assert TOKEN not in text and secret_account not in text and "s" * 24 not in text
    assert document["format"] == "shopwire.flow"
    assert document["credential_slots"] == [{"id": "core", "connector": "core", "nodes": ["erp"]}]

    imported = other_api.post("/api/flows/import", json=document)
    assert imported.status_code == 201, imported.get_json()
    body = imported.get_json()
    assert body["version"] == 1
    assert body["notes"] == [
        {
            "pointer": "/graph/nodes/1/credential",
            "message": "Step “To the ERP” needs an account with its secret: connect one in the "
            "editor.",
        }
    ]
    flow = other_api.get(f"/api/flows/{body['id']}").get_json()
    assert flow["active"] is False and flow["name"] == "Orders to ERP"
    assert flow["graph"]["nodes"][1]["params"]["url"] == "https://erp.example.com/orders"
    assert flow["graph"]["nodes"][1]["mapping"] == {"body": "trigger"}
    assert api.get(f"/api/flows/{body['id']}").status_code == 404


def test_a_hand_edited_file_is_sanitized_again_on_import(api):
    document = {
        "format": "shopwire.flow",
        "format_version": 1,
        "name": "Edited",
        "graph": flow_document(
            {"id": "hook", "type": "core.webhook"},
            {
                "id": "set",
                "type": "core.set",
                "params": {"values": {"key": "sk_live_51HxYzAbCdEfGhIjKlMn"}},
            },
        ),
    }
    body = api.post("/api/flows/import", json=document).get_json()
    assert body["notes"] == [
        {
            "pointer": "/graph/nodes/1/params/values/key",
            "message": "Removed on import: a Stripe secret key (removed).",
        }
    ]
    flow = api.get(f"/api/flows/{body['id']}").get_json()
    assert "sk_live" not in json.dumps(flow)


def test_the_n8n_workflows_import_with_a_report(api):
    for path in sorted(N8N.glob("*.json")):
        reply = api.post(
            "/api/flows/import", data=path.read_bytes(), content_type="application/json"
        )
        assert reply.status_code == 201, (path.name, reply.get_json())
        body = reply.get_json()
        flow = api.get(f"/api/flows/{body['id']}").get_json()
        placeholders = [n for n in flow["graph"]["nodes"] if n["type"] == "core.placeholder"]
        assert placeholders
        reported = " ".join(n["message"] for n in body["notes"])
        for step in placeholders:
            assert f"Step “{step['name']}” is a placeholder" in reported
        trigger = flow["graph"]["nodes"][0]
        assert f"Step “{trigger['name']}” needs a" in reported  # its account, to connect
        assert flow["active"] is False


def test_an_n8n_request_with_a_token_is_imported_without_it(api):
    workflow = {
        "name": "Order to ERP",
        "nodes": [
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "parameters": {}},
            {
                "name": "ERP",
                "type": "n8n-nodes-base.httpRequest",
                "parameters": {
                    "method": "POST",
                    "url": "https://erp.example.com/o?token=abc12345678",
                    "headerParameters": {"parameters": [{"name": "Authorization", "value": TOKEN}]},
                },
            },
        ],
        "connections": {"Hook": {"main": [[{"node": "ERP", "type": "main", "index": 0}]]}},
        "pinData": {"Hook": [{"json": {"email": "jane@shop.de"}}]},
    }
    body = api.post("/api/flows/import", json=workflow).get_json()
    flow = api.get(f"/api/flows/{body['id']}").get_json()
    assert TOKEN not in json.dumps(flow) and "abc12345678" not in json.dumps(flow)
    assert "jane@shop.de" not in json.dumps(flow)
    messages = [n["message"] for n in body["notes"]]
    assert "Pinned data of the n8n workflow was not imported." in messages
    assert any("header Authorization" in m for m in messages)


def test_something_else_is_refused_with_a_hint_about_the_formats(api):
    reply = api.post("/api/flows/import", json={"nodes": [], "edges": []})
    assert reply.status_code == 422
    assert "n8n workflow" in reply.get_json()["detail"]
    assert "shopwire.flow" in reply.get_json()["detail"]
