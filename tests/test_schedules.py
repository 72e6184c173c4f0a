"""Schedule triggers: planned times in the merchant's zone, one execution per planned time,
whatever the number of schedulers, and nothing lost or doubled across a restart."""

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Execution, Flow
from app.runtime.timed_triggers import fire_due
from nodes.engine.cron import latest_tick, next_ticks
from nodes.engine.validation import validate_flow
from tests.conftest import create_active_flow, flow_document

BERLIN = {"cron": "0 8 * * 1-5", "timezone": "Europe/Berlin"}


def schedule_flow(api, schedule, *, armed_hours_ago=48):
    graph = flow_document(
        {"id": "clock", "type": "core.schedule", "params": {"schedule": schedule}},
        {
            "id": "note",
            "type": "core.set",
            "params": {"values": {"text": "Run for {{ trigger.scheduled_at }}"}},
        },
    )
    flow_id, url = create_active_flow(api, graph)
    assert url is None  # a schedule has no webhook address
    arm(flow_id, hours_ago=armed_hours_ago)
    return flow_id


def arm(flow_id, *, hours_ago):
    """Pretend the flow was switched on this long ago."""
    db.session.execute(
        update(Flow)
        .where(Flow.id == flow_id)
        .values(updated_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=hours_ago))
    )
    db.session.commit()


def executions_of(flow_id):
    return db.session.scalars(
        select(Execution).where(Execution.flow_id == flow_id).order_by(Execution.created_at)
    ).all()


def test_cron_times_are_read_in_berlin_time_across_summer_time():
    before_switch = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # a Friday; DST starts Sunday
    runs = next_ticks(BERLIN, before_switch, 2)
    assert [r.isoformat() for r in runs] == [
        "2026-03-30T08:00:00+02:00",  # Monday, summer time: 06:00 UTC
        "2026-03-31T08:00:00+02:00",
    ]
    assert latest_tick(BERLIN, before_switch).isoformat() == "2026-03-27T08:00:00+01:00"
    every = {"interval_minutes": 15, "timezone": "UTC"}
    assert latest_tick(every, datetime(2026, 1, 1, 10, 14, 59, tzinfo=UTC)).minute == 0
    assert next_ticks({"cron": "0 0 30 2 *"}, before_switch) == []  # 30 February never comes


@pytest.mark.parametrize(
    ("schedule", "field", "words"),
    [
        ({"cron": "61 * * * *"}, "cron", "not a cron expression"),
        ({"cron": "* * * * * *"}, "cron", "five fields"),
        ({}, "cron", "either a cron expression or an interval"),
        ({"cron": "0 8 * * *", "interval_minutes": 5}, "cron", "either"),
        ({"interval_minutes": 5, "timezone": "Europe/Atlantis"}, "timezone", "not a time zone"),
    ],
)
def test_a_schedule_that_cannot_run_is_refused_on_save(schedule, field, words):
    document = flow_document(
        {"id": "clock", "type": "core.schedule", "params": {"schedule": schedule}}
    )
    problems = validate_flow(document)
    assert f"/nodes/0/params/schedule/{field}" in [p.pointer for p in problems]
    assert any(words in p.message for p in problems)


def test_the_api_shows_the_next_runs_in_the_merchants_zone(api):
    reply = api.post("/api/schedules/preview", json={"schedule": {"cron": "30 7 * * *"}})
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["timezone"] == "Europe/Berlin" and len(body["next_runs"]) == 5
    first = datetime.fromisoformat(body["next_runs"][0])
    assert (first.hour, first.minute) == (7, 30) and first.utcoffset() in (
        timedelta(hours=1),
        timedelta(hours=2),
    )
    bad = api.post("/api/schedules/preview", json={"schedule": {"cron": "every monday"}})
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["pointer"] == "/schedule/cron"


def test_each_planned_time_starts_exactly_one_execution(api, run_queue):
    flow_id = schedule_flow(api, {"cron": "0 * * * *"})  # hourly, in the merchant's zone
    now = datetime(2026, 12, 1, 10, 20, tzinfo=UTC).isoformat()
    arm(flow_id, hours_ago=24 * 365 * 2)
    assert fire_due(now) == 1
    assert fire_due(now) == 0  # the next check finds the same planned time: nothing new
    run_queue()
    [execution] = executions_of(flow_id)
    assert execution.mode == "schedule" and execution.status == "succeeded"
    assert json.loads(execution.raw_body) == {
        "scheduled_at": "2026-12-01T11:00:00+01:00",
        "timezone": "Europe/Berlin",
    }
    step = api.get(f"/api/executions/{execution.id}").get_json()["steps"][1]
    assert step["output"] == {"text": "Run for 2026-12-01T11:00:00+01:00"}
    later = datetime(2026, 12, 1, 11, 5, tzinfo=UTC).isoformat()
    assert fire_due(later) == 1 and len(executions_of(flow_id)) == 2


def test_missed_times_are_made_up_once_and_times_before_switching_on_never(api):
    flow_id = schedule_flow(api, {"interval_minutes": 60}, armed_hours_ago=5)
    assert fire_due() == 1  # five missed hours: one run, for the latest
    arm(flow_id, hours_ago=0)  # saved again just now: the last hour is before that
    assert fire_due() == 0
    db.session.execute(update(Flow).where(Flow.id == flow_id).values(active=False))
    db.session.commit()
    arm(flow_id, hours_ago=5)
    assert fire_due() == 0  # switched off


def test_two_schedulers_checking_at_once_start_one_execution(app, api):
    flow_id = schedule_flow(api, {"interval_minutes": 30})
    now = datetime.now(UTC).isoformat()
    counts, barrier = [], threading.Barrier(2)

    def scheduler():
        with app.app_context():
            barrier.wait()
            counts.append(fire_due(now))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 1]
    assert len(executions_of(flow_id)) == 1


def _scheduler(app_config):
    env = dict(
        os.environ,
        SHOPWIRE_DATA_DIR=app_config["SHOPWIRE_DATA_DIR"],
        DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app_config["REDIS_URL"],
        SHOPWIRE_SCHEDULE_CHECK_SECONDS="1",
    )
    return subprocess.Popen([sys.executable, "-m", "app.cli", "scheduler"], env=env)


def _wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see other processes' commits
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_real_schedulers_start_one_run_per_time_across_a_restart(api, app_config, worker_process):
    flow_id = schedule_flow(api, {"cron": "0 0 * * *"})  # daily at midnight, Berlin
    count = lambda: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(Execution).where(Execution.flow_id == flow_id)
    )
    succeeded = lambda: db.session.scalar(  # noqa: E731
        select(func.count()).where(Execution.flow_id == flow_id, Execution.status == "succeeded")
    )
    first, second = _scheduler(app_config), _scheduler(app_config)
    try:
        assert _wait_for(lambda: succeeded() == 1)
        time.sleep(3)  # both schedulers check again, several times
        assert count() == 1
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(10)
    restarted = _scheduler(app_config)
    try:
        time.sleep(4)  # the restarted scheduler checks the same planned time again
        assert count() == 1
        # As if the scheduler had been down at the latest planned time: it is made up once.
        arm(flow_id, hours_ago=24 * 3)
        db.session.execute(
            update(Execution).where(Execution.flow_id == flow_id).values(dedupe_key="older")
        )
        db.session.commit()
        assert _wait_for(lambda: count() == 2)
        time.sleep(3)
        assert count() == 2
    finally:
        restarted.terminate()
        restarted.wait(10)
