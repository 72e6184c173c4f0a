"""The interpreter on its own: order, resumption, retries, and what it records."""

from typing import Any

import pytest

from app.engine import interpreter
from app.engine.graph import Graph
from nodes.base import TransientError
from nodes.registry import node
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
            "token": {"type": "string", "writeOnly": True},
        },
    },
    output_schema={},
    output_example={},
)
def flaky(ctx, params, input):
    CALLS.append((ctx.node_id, ctx.idempotency_key))
    if sum(1 for c in CALLS if c[0] == ctx.node_id) <= params.get("fail_times", 0):
        raise TransientError("busy", retry_after=7)
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


def execute(g, finished=None, sleeps=None):
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
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
        checkpoint=lambda: log.append(CHECKPOINT),
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


def test_transient_errors_wait_for_retry_after_then_succeed():
    sleeps = []
    act = {
        "id": "act",
        "type": "test.flaky",
        "params": {"fail_times": 2},
        "retry": {"attempts": 3, "backoff_seconds": 1},
    }
    result, _, records = execute(graph(act), sleeps=sleeps)
    assert result.status == "succeeded" and records[-1].attempts == 3
    assert sleeps == [7, 7]  # the provider asked for 7 s, more than the 1 s and 2 s backoff
    assert {key for _, key in CALLS} == {"exec-1:act"}


def test_retries_give_up_after_the_policy_attempts():
    act = {"id": "act", "type": "test.flaky", "params": {"fail_times": 5}, "retry": {"attempts": 2}}
    result, _, records = execute(graph(act))
    assert result.status == "failed"
    assert result.error == {
        "type": "transient",
        "message": "busy",
        "node_id": "act",
        "node_name": None,
    }
    assert records[-1].attempts == 2


def test_write_only_params_are_redacted_in_the_record():
    act = {"id": "act", "type": "test.flaky", "params": {"token": "sk_live_secret"}}
    _, _, records = execute(graph(act))
    assert records[-1].input == {"token": "[redacted]"}
