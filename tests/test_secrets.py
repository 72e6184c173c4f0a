"""A secret never appears in an API response, a log line or an execution record.

One flow uses a webhook secret (the account) and a secret param in every way a secret can
leak: signed deliveries, the secret sent in a header and a URL query, a provider echoing it in
its answer and in an error body, a node logging it. Then the secret's bytes are searched for
in every API response, the captured logs and the database rows.
"""

import hashlib
import hmac
import json
import logging

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import FlowVersion
from nodes.kit import registry
from nodes.kit.base import NodeContext
from tests.conftest import create_active_flow, flow_document, post_json

SECRET = "whsec_Zq8!k2 p/x"  # URL-encoding changes it: the encoded forms must go too
TOKEN = "tok_live_9d8c7b6a5e"
NEW_TOKEN = "tok_live_new_11223344"


@pytest.fixture
def secret_param_node():
    """A node type with a writeOnly param that sends, returns and logs it."""

    def run(ctx: NodeContext, params, input):
        ctx.http.post(params["url"], json={"token": params["token"]})
        ctx.log.warning("sent token %s to %s", params["token"], params["url"])
        return {"sent": params["token"]}

    registry.node(
        "testkit.send_token",
        kind="action",
        title={"en": "Send token", "de": "Token senden"},
        description={"en": "Test", "de": "Test"},
        params={
            "type": "object",
            "additionalProperties": False,
            "required": ["url", "token"],
            "properties": {
                "url": {"type": "string"},
                "token": {"type": "string", "writeOnly": True},
            },
        },
        output_schema={"type": "object"},
        output_example={"sent": "x"},
    )(run)
    yield
    registry._specs.pop(("testkit.send_token", 1))


def echo(request):
    """A provider that repeats what it got: in its answer, or in an error body."""
    body = json.dumps({"path": request.path, "headers": request.headers}).encode()
    status = 400 if request.path.startswith("/fail") else 200
    return status, {"Content-Type": "application/json"}, body


def signed(body: bytes) -> dict:
    return {"X-Signature": hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}


def the_flow(credential_id, receiver):
    send_secret = {"header": "Authorization", "prefix": "Bearer ", "query": "api_key"}
    return flow_document(
        {
            "id": "hook",
            "type": "core.webhook",
            "credential": credential_id,
            "params": {"signature": {"header": "X-Signature"}},
        },
        {
            "id": "call",
            "type": "core.http_request",
            "credential": credential_id,
            "params": {"method": "GET", "url": receiver.url("/ok"), "send_secret": send_secret},
        },
        {
            "id": "token",
            "type": "testkit.send_token",
            "params": {"url": receiver.url("/token"), "token": TOKEN},
        },
        {
            "id": "fail",
            "type": "core.http_request",
            "credential": credential_id,
            "params": {"url": receiver.url("/fail"), "send_secret": send_secret},
            "mapping": {"body": "trigger"},
        },
    )


def database_rows() -> str:
    rows = []
    for table in ("executions", "step_runs", "rejected_events"):
        rows += db.session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
    return repr(rows)


def test_secrets_never_leave_the_vault(api, client, receiver, run_queue, secret_param_node, caplog):
    caplog.set_level(logging.DEBUG)
    receiver.reply = echo
    credential = api.post(
        "/api/credentials", json={"connector": "core", "name": "Shop", "data": {"secret": SECRET}}
    ).get_json()
    flow_id, url = create_active_flow(api, the_flow(credential["id"], receiver))

    order = json.dumps({"id": 1, "note": f"customer pasted {SECRET} here"}).encode()
    assert post_json(client, url, order, **signed(order)).status_code == 202
    assert post_json(client, url, order, **{"X-Request-Id": SECRET}).status_code == 401
    run_queue()

    # The secrets did reach the provider, where they belong.
    by_path = {r.path.split("?")[0]: r for r in receiver.requests}
    assert by_path["/ok"].header("Authorization") == f"Bearer {SECRET}"
    assert by_path["/token"].json() == {"token": TOKEN}
    [execution] = api.get(f"/api/executions?flow_id={flow_id}").get_json()["executions"]
    detail = api.get(f"/api/executions/{execution['id']}").get_json()
    steps = {s["node_id"]: s for s in detail["steps"]}
    assert steps["fail"]["status"] == "failed"
    assert "[redacted]" in steps["fail"]["error"]["message"]  # the echo, without the secret
    assert steps["token"]["output"] == {"sent": "[redacted]"}
    assert steps["token"]["input"]["token"] == "[redacted]"

    responses = [
        api.get("/api/flows"),
        api.get(f"/api/flows/{flow_id}"),
        api.get(f"/api/flows/{flow_id}/versions/1"),
        api.get(f"/api/flows/{flow_id}/rejected-events"),
        api.get("/api/executions"),
        api.get(f"/api/executions/{execution['id']}"),
        api.get("/api/credentials"),
        api.get(f"/api/credentials/{credential['id']}"),
    ]
    places = {
        "API": b"".join(r.data for r in responses),
        "logs": caplog.text.encode(),
        "database": database_rows().encode(),
    }
    for secret in (SECRET, TOKEN):
        for form in {secret, secret.replace(" ", "+"), secret.replace(" ", "%20")}:
            for place, content in places.items():
                assert form.encode() not in content, f"{form!r} found in {place}"
    assert "sent token [redacted]" in caplog.text


def test_secret_params_show_as_set_and_are_kept_or_replaced(api, receiver, secret_param_node):
    credential = api.post(
        "/api/credentials", json={"connector": "core", "name": "Shop", "data": {"secret": SECRET}}
    ).get_json()
    flow_id, _ = create_active_flow(api, the_flow(credential["id"], receiver))
    shown = api.get(f"/api/flows/{flow_id}").get_json()["graph"]
    token_node = next(n for n in shown["nodes"] if n["id"] == "token")
    assert token_node["params"]["token"] == "[secret set]"

    def stored_token() -> str:
        graph = db.session.scalar(
            select(FlowVersion.graph)
            .where(FlowVersion.flow_id == flow_id)
            .order_by(FlowVersion.number.desc())
        )
        return next(n for n in graph["nodes"] if n["id"] == "token")["params"].get("token")

    # Sent back as shown: nothing changed, no new version, the token is kept.
    reply = api.put(f"/api/flows/{flow_id}", json={"graph": shown})
    assert reply.status_code == 200 and reply.get_json()["version"] == 1
    assert stored_token() == TOKEN
    # Left out: kept too (a renamed step keeps it as well, with the same id).
    del token_node["params"]["token"]
    token_node["name"] = "Send the token"
    reply = api.put(f"/api/flows/{flow_id}", json={"graph": shown})
    assert reply.get_json()["version"] == 2 and stored_token() == TOKEN
    # Replaced.
    token_node["params"]["token"] = NEW_TOKEN
    reply = api.put(f"/api/flows/{flow_id}", json={"graph": shown})
    assert NEW_TOKEN.encode() not in reply.data and stored_token() == NEW_TOKEN
    # A copy of the step under a new id has no secret to take over: it must be entered.
    copy = {**token_node, "id": "token2", "params": {"url": "http://x", "token": "[secret set]"}}
    shown["nodes"].append(copy)
    shown["edges"].append({"source": "token", "target": "token2"})
    reply = api.put(f"/api/flows/{flow_id}", json={"graph": shown})
    assert reply.status_code == 422
    assert any("token" in e["message"] for e in reply.get_json()["errors"])
