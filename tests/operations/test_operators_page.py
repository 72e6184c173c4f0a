"""The operators' page: queues, workers, schedulers and stranded executions, only for the
people the installation names as operators."""

from __future__ import annotations

import time
from datetime import timedelta

from app.models.base import utcnow
from tests.conftest import create_active_flow
from tests.operations.test_commands import MANUAL, execution
from tests.people import member, sign_in


def test_an_operator_sees_workers_and_stranded_executions(app, client, api, worker_process):
    app.config["SHOPWIRE_OPERATORS"] = "someone@else.de, Ops@Shopwire.example"
    member("acme", "ops@shopwire.example", role="viewer")
    flow_id, _ = create_active_flow(api, MANUAL)
    stranded = execution(
        api, flow_id, status="running", runs=1, lease_until=utcnow() - timedelta(minutes=5)
    )
    sign_in(client, "ops@shopwire.example")

    deadline = time.monotonic() + 20
    page = ""
    while "Workers (1)" not in page and time.monotonic() < deadline:
        page = client.get("/operations").get_data(as_text=True)
        time.sleep(0.2)

    assert "Workers (1)" in page
    assert "No scheduler is running" in page
    assert stranded.id in page and "acme" in page
    assert page.count('class="ok"') == 3  # database, redis, migrations


def test_anyone_else_is_told_there_is_no_such_page(app, client):
    app.config["SHOPWIRE_OPERATORS"] = "ops@shopwire.example"
    member("acme", "owner@acme.de", role="owner")
    sign_in(client, "owner@acme.de")
    assert client.get("/operations").status_code == 404
