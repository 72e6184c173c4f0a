"""The operator's commands: queues and stranded executions, retry by filter, purge, and a
shop's flows exported and imported."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Execution, Flow, Merchant
from app.models.base import utcnow
from tests.conftest import create_active_flow, flow_document
from tests.test_secrets import SECRET

MANUAL = flow_document(
    {"id": "start", "type": "core.manual"},
    {"id": "map", "type": "core.map", "params": {"fields": {"x": 1}}},
)


def execution(api, flow_id: str, **values) -> Execution:
    flow = db.session.get(Flow, flow_id)
    row = Execution(
        merchant_id=flow.merchant_id,
        flow_id=flow.id,
        version_id=flow.current_version_id,
        raw_body=b"{}",
        content_type="application/json",
        **values,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_queues_lists_stranded_executions(app, api):
    flow_id, _ = create_active_flow(api, MANUAL)
    old = utcnow() - timedelta(minutes=10)
    stranded = execution(api, flow_id, status="queued", queued_at=old)
    dead = execution(api, flow_id, status="running", runs=1, lease_until=old)
    execution(api, flow_id, status="succeeded")

    result = app.test_cli_runner().invoke(args=["queues"])

    assert result.exit_code == 0, result.output
    assert "executions: 1 queued, 1 running, 0 waiting" in result.output
    assert f"{stranded.id}  acme  queued since" in result.output
    assert f"{dead.id}  acme  running since" in result.output
    assert "workers alive: 0" in result.output


def test_retry_only_the_failed_executions_the_filter_names(app, api, other_api):
    flow_id, _ = create_active_flow(api, MANUAL)
    other_flow, _ = create_active_flow(other_api, MANUAL)
    timeout = execution(api, flow_id, status="failed", error={"message": "Read timed out"})
    refused = execution(api, flow_id, status="failed", error={"message": "401 Unauthorized"})
    elsewhere = execution(other_api, other_flow, status="failed", error={"message": "timed out"})
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["retry", "--merchant", "acme", "--error", "TIMED", "--dry-run"])
    assert listed.output.splitlines() == [timeout.id, "1 failed execution(s) would be retried."]
    assert db.session.get(Execution, timeout.id).status == "failed"

    result = runner.invoke(args=["retry", "--merchant", "acme", "--error", "timed out"])

    assert "Retried 1 of 1" in result.output
    db.session.expire_all()
    statuses = {e.id: e.status for e in db.session.scalars(select(Execution))}
    assert statuses == {timeout.id: "queued", refused.id: "failed", elsewhere.id: "failed"}
    unknown = runner.invoke(args=["retry", "--merchant", "nobody"])
    assert unknown.exit_code != 0 and "no shop named “nobody”" in unknown.output


def test_purge_now_removes_what_is_past_retention(app, api):
    flow_id, _ = create_active_flow(api, MANUAL)
    long_ago = utcnow() - timedelta(days=90)
    old = execution(api, flow_id, status="succeeded", created_at=long_ago).id
    waiting = execution(api, flow_id, status="waiting", created_at=long_ago).id
    recent = execution(api, flow_id, status="failed").id

    result = app.test_cli_runner().invoke(args=["purge"])

    assert "Purged 1 execution(s)" in result.output
    left = set(db.session.scalars(select(Execution.id)))
    assert left == {waiting, recent} and old not in left


def test_export_and_import_move_flows_without_accounts_or_secrets(app, api, tmp_path):
    credential = api.post(
        "/api/credentials", json={"connector": "core", "name": "Shop", "data": {"secret": SECRET}}
    ).get_json()["id"]
    graph = flow_document(
        {"id": "start", "type": "core.manual"},
        {
            "id": "call",
            "type": "core.http_request",
            "credential": credential,
            "params": {
                "method": "GET",
                "url": "https://erp.example.com/orders",
                "send_secret": {"header": "Authorization", "prefix": "Bearer "},
            },
        },
    )
    create_active_flow(api, graph, name="To the ERP")
    create_active_flow(api, MANUAL, name="Second")
    path = tmp_path / "flows.json"
    runner = app.test_cli_runner()

    exported = runner.invoke(args=["export", "--merchant", "acme", str(path)])
    assert exported.exit_code == 0, exported.output
    text = path.read_text()
    assert SECRET not in text and credential not in text
    document = json.loads(text)
    assert [flow["name"] for flow in document["flows"]] == ["To the ERP", "Second"]

    merchant_named_globex = Merchant(name="globex")
    db.session.add(merchant_named_globex)
    db.session.commit()
    imported = runner.invoke(args=["import", "--merchant", "globex", str(path)])
    assert imported.exit_code == 0, imported.output
    flows = db.session.scalars(
        select(Flow).where(Flow.merchant_id == merchant_named_globex.id).order_by(Flow.name)
    ).all()
    assert [(flow.name, flow.active) for flow in flows] == [
        ("Second", False),
        ("To the ERP", False),
    ]
    call = flows[1].current_version.graph["nodes"][1]
    assert call["credential"] is None
    assert call["params"]["url"] == "https://erp.example.com/orders"


def test_import_refuses_a_file_that_is_not_an_export(app, tmp_path):
    db.session.add(Merchant(name="globex"))
    db.session.commit()
    path = tmp_path / "other.json"
    path.write_text('{"flows": []}')
    result = app.test_cli_runner().invoke(args=["import", "--merchant", "globex", str(path)])
    assert result.exit_code != 0 and "not a Shopwire flow export" in result.output
