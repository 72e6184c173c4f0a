"""The operators' page: queues, workers, schedulers and stranded executions, only for the
people the installation names as operators; every merchant is told there is no such page."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from app.models.base import utcnow
from tests.conftest import create_active_flow
from tests.operations.processes import environment, start_scheduler, stop
from tests.operations.test_commands import MANUAL, execution
from tests.people import member, sign_in


def test_an_operator_sees_queues_workers_schedulers_and_stranded_executions(
    app, app_config, client, api, worker_process
):
    app.config["SHOPWIRE_OPERATORS"] = "someone@else.de, Ops@Shopwire.example"
    member("acme", "ops@shopwire.example", role="viewer")
    flow_id, _ = create_active_flow(api, MANUAL)
    stranded = execution(
        api, flow_id, status="running", runs=1, lease_until=utcnow() - timedelta(minutes=5)
    )
    sign_in(client, "ops@shopwire.example")
    page = client.get("/operations").get_data(as_text=True)
    assert "No scheduler is running" in page

    scheduler = start_scheduler(environment(app_config))
    try:
        deadline = time.monotonic() + 60  # a scheduler starts slowly on a busy machine
        while time.monotonic() < deadline:
            page = client.get("/operations").get_data(as_text=True)
            if "Workers (1)" in page and "Schedulers (1)" in page:
                break
            time.sleep(0.2)
    finally:
        stop(scheduler)

    assert "Workers (1)" in page and "Schedulers (1)" in page
    assert re.search(r"<td>executions</td><td>\d+</td><td>\d+</td><td>\d+</td>", page)
    assert stranded.id in page and "acme" in page
    assert page.count('class="ok"') == 3  # database, redis, migrations


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_merchants_are_told_there_is_no_such_page(app, client, role):
    app.config["SHOPWIRE_OPERATORS"] = "ops@shopwire.example"
    member("acme", f"{role}@acme.de", role=role)
    sign_in(client, f"{role}@acme.de")
    assert client.get("/operations").status_code == 404


def test_without_signing_in_nothing_is_shown(app, client, api):
    app.config["SHOPWIRE_OPERATORS"] = "ops@shopwire.example"
    reply = client.get("/operations")
    assert reply.status_code in (302, 401)
    assert "Workers" not in reply.get_data(as_text=True)
    with_token = api.get("/operations")  # a shop's API token opens no page
    assert with_token.status_code in (302, 404)
    assert "Workers" not in with_token.get_data(as_text=True)
