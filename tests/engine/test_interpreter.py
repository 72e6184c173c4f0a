"""The interpreter on its own: order, resumption, retries, and what it records."""

from datetime import UTC, datetime
from typing import Any

import pytest

from nodes.engine import interpreter
from nodes.engine.graph import Graph
from nodes.kit.base import Outcome, TransientError, UserError
from nodes.kit.registry import node
from tests.conftest import flow_document

CALLS: list[tuple[str, Any]] = []


@node(
    "test.flaky",
    kind="action",
    title={"en": "Flaky"},
    description={"en": ""},
    params={
        "type": "object",
        "properties": {
            "fail_times": {"type": "integer"},
            "retry_after": {"type": "number"},
            "token": {"type": "string", "writeOnly": True},
        },
    },
    output_schema={},
    output_example={},
)
def flaky(ctx, params, input):
    CALLS.append((ctx.node_id, ctx.idempotency_key))
    if sum(1 for c in CALLS if c[0] == ctx.node_id) <= params.get("fail_times", 0):
        raise TransientError("busy", retry_after=params.get("retry_after", 7))
    return {"seen": input}


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()


def graph(*extra):
    return Graph(
        flow_document(
            {"id": "hook", "type": "core.webhook"},
            {
                "id": "map",
                "type": "core.map",
                "params": {"fields": {}},
                "mapping": {"fields.n": "trigger.n"},
            },
            *extra,
        )
    )


CHECKPOINT = "checkpoint"


def execute(g, finished=None, sleeps=None, attempts=None, trial=False):
    """Run; return the result, the log of steps and checkpoints in order, and the records."""
    log, records = [], []
    run = interpreter.Run(
        id="exec-1",
        graph=g,
        trigger_output={"n": 1},
        flow={},
        http=None,
        credential=lambda _id: None,
        finished=finished or {},
        attempts=attempts or {},
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
        checkpoint=lambda: log.append(CHECKPOINT),
        trial=trial,
    )

    def record(step):
        log.append(step.node_id)
        records.append(step)

    return interpreter.run(run, record), log, records


def test_a_step_after_an_action_starts_only_once_the_action_is_saved():
    result, log, records = execute(
        graph(
            {"id": "act", "type": "test.flaky"},
            {"id": "map2", "type": "core.map", "params": {"fields": {"done": True}}},
            {"id": "act2", "type": "test.flaky"},
        )
    )
    assert result.status == "succeeded"
    # transform records wait for the next checkpoint; the caller's final commit saves act2
    assert log == ["map", "act", CHECKPOINT, "map2", "act2"]
    assert records[1].output == {"seen": {"n": 1}}


def test_a_resumed_execution_skips_finished_steps_and_reuses_their_output():
    finished = {
        ("map", None): interpreter.StepRecord("map", "succeeded", output={"n": 42}, ports=("main",))
    }
    _, log, records = execute(graph({"id": "act", "type": "test.flaky"}), finished)
    assert log == ["act"]
    assert records[0].output == {"seen": {"n": 42}}


def test_short_retry_waits_are_slept_through():
    sleeps = []
    act = {
        "id": "act",
        "type": "test.flaky",
        "params": {"fail_times": 2, "retry_after": 0.5},
        "retry": {"attempts": 3, "backoff_seconds": 1},
    }
    result, _, records = execute(graph(act), sleeps=sleeps)
    assert result.status == "succeeded" and records[-1].attempts == 3
    assert sleeps == [1, 2]  # the backoff, longer than the 0.5 s the provider asked for
    assert {key for _, key in CALLS} == {"exec-1:act"}


def test_a_long_retry_wait_frees_the_worker_and_the_resumed_run_counts_on():
    """The provider asks for 7 s: no sleep; the step waits as "retrying" with its attempts."""
    act = {
        "id": "act",
        "type": "test.flaky",
        "params": {"fail_times": 2},
        "retry": {"attempts": 3, "backoff_seconds": 1},
    }
    sleeps, attempts = [], {}
    finished = {
        ("map", None): interpreter.StepRecord("map", "succeeded", output={"n": 1}, ports=("main",))
    }
    for expected_attempts in (1, 2):
        before = datetime.now(UTC)
        result, _, records = execute(graph(act), finished, sleeps, attempts)
        step = records[-1]
        assert result.status == "waiting" and step.status == "retrying"
        assert step.attempts == expected_attempts
        assert 6.5 < (result.resume_at - before).total_seconds() < 8
        assert step.error["message"] == "busy"
        assert step.error["retry_at"] == result.resume_at.isoformat()
        attempts = {("act", None): step.attempts}  # what the caller loads for the next run
    result, _, records = execute(graph(act), finished, sleeps, attempts)
    assert result.status == "succeeded" and records[-1].attempts == 3
    assert sleeps == []
    assert [key for _, key in CALLS] == ["exec-1:act"] * 3


def test_a_long_retry_wait_at_the_last_attempt_fails_the_step():
    act = {"id": "act", "type": "test.flaky", "params": {"fail_times": 5}, "retry": {"attempts": 3}}
    result, _, records = execute(graph(act), attempts={("act", None): 2})
    assert result.status == "failed" and records[-1].attempts == 3


def test_retries_give_up_after_the_policy_attempts():
    act = {
        "id": "act",
        "type": "test.flaky",
        "params": {"fail_times": 5, "retry_after": 0.5},
        "retry": {"attempts": 2},
    }
    result, _, records = execute(graph(act))
    assert result.status == "failed"
    assert result.error == {
        "type": "transient",
        "message": "busy",
        "node_id": "act",
        "node_name": None,
    }
    assert records[-1].attempts == 2


@pytest.mark.parametrize(
    ("retry", "sleeps", "attempts", "live"),
    [
        # Waits of 1 and 2 s fit in a test's few seconds (the sleeps are not real here); 4 does
        # not, and a live run would go on with 2 more attempts after waits of 4 and 8 s.
        ({"attempts": 5, "backoff_seconds": 1}, [1, 2], 3, {"times": 2, "seconds": 12.0}),
        # A first wait of 5 s is already too long: 3 more attempts after 5, 10 and 20 s.
        ({"attempts": 4, "backoff_seconds": 5}, [], 1, {"times": 3, "seconds": 35.0}),
    ],
)
def test_a_test_run_retries_only_while_that_is_quick_then_says_what_a_live_run_would_do(
    retry, sleeps, attempts, live
):
    act = {"id": "act", "type": "test.flaky", "params": {"fail_times": 5, "retry_after": 0}}
    slept = []
    result, _, records = execute(graph({**act, "retry": retry}), sleeps=slept, trial=True)
    assert (result.status, records[-1].attempts, slept) == ("failed", attempts, sleeps)
    assert result.error["live_retries"] == live and result.error["message"] == "busy"


def test_write_only_params_are_redacted_in_the_record():
    act = {"id": "act", "type": "test.flaky", "params": {"token": "sk_live_secret"}}
    _, _, records = execute(graph(act))
    assert records[-1].input == {"token": "[redacted]"}


@node(
    "test.fetched",
    kind="trigger",
    title={"en": "Fetched"},
    description={"en": ""},
    params={"type": "object", "properties": {"wanted": {"type": "integer"}}},
    output_schema={},
    output_example={},
    webhook=True,
    fetches=True,
    fetched_event_id=lambda record: f"record:{record['n']}",
)
def fetched(ctx, params, delivery):
    """Looks the delivered number up; numbers other than ``wanted`` end the run quietly."""
    CALLS.append((ctx.node_id, delivery))
    if delivery["n"] < 0:
        raise UserError("no such record")
    record = {"n": delivery["n"] * 10}
    return record if delivery["n"] == params.get("wanted", 1) else Outcome(record, ports=())


def fetching_graph(**params):
    return Graph(
        flow_document(
            {"id": "hook", "type": "test.fetched", "params": params},
            {
                "id": "map",
                "type": "core.map",
                "params": {"fields": {}},
                "mapping": {"fields.n": "trigger.n"},
            },
        )
    )


def test_a_fetching_trigger_runs_first_and_its_output_is_the_trigger():
    result, log, records = execute(fetching_graph())
    assert result.status == "succeeded"
    assert log == ["hook", "map"]
    assert CALLS == [("hook", {"n": 1})]
    assert records[0].output == {"n": 10} and records[0].ports == ("main",)
    assert records[1].output == {"n": 10}


def test_a_resumed_execution_does_not_fetch_again():
    finished = {
        ("hook", None): interpreter.StepRecord(
            "hook", "succeeded", output={"n": 7}, ports=("main",)
        )
    }
    _, log, records = execute(fetching_graph(), finished)
    assert CALLS == [] and log == ["map"]
    assert records[0].output == {"n": 7}


def test_a_fetch_that_lets_nothing_through_skips_the_rest_and_one_that_fails_fails_the_run():
    result, _, records = execute(fetching_graph(wanted=2))
    assert result.status == "succeeded"
    assert [(r.node_id, r.status) for r in records] == [("hook", "succeeded"), ("map", "skipped")]

    CALLS.clear()
    g = fetching_graph()
    run = interpreter.Run(
        id="exec-2",
        graph=g,
        trigger_output={"n": -1},
        flow={},
        http=None,
        credential=lambda _id: None,
    )
    records = []
    result = interpreter.run(run, records.append)
    assert result.status == "failed" and result.error["message"] == "no such record"
    assert [(r.node_id, r.status) for r in records] == [("hook", "failed")]


def test_a_fetched_event_is_claimed_once_and_a_second_claim_ends_quietly():
    held: set[str] = set()

    def claim(event_id: str) -> bool:
        if event_id in held:
            return False
        held.add(event_id)
        return True

    def run_once(execution_id: str) -> list[tuple[str, str]]:
        run = interpreter.Run(
            id=execution_id,
            graph=fetching_graph(),
            trigger_output={"n": 1},
            flow={},
            http=None,
            credential=lambda _id: None,
            claim=claim,
        )
        records = []
        assert interpreter.run(run, records.append).status == "succeeded"
        return [(r.node_id, r.status) for r in records]

    assert run_once("first") == [("hook", "succeeded"), ("map", "succeeded")]
    assert held == {"record:10"}
    assert run_once("second") == [("hook", "succeeded"), ("map", "skipped")]
