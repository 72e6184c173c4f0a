"""Run one execution of a flow, step by step, resuming after the last finished step.

The interpreter knows nothing of databases or queues: the caller hands it the steps that have
already finished, a ``record`` callback for each step that finishes, and a ``checkpoint``
callback that must make every record so far durable. The interpreter checkpoints before it
starts any step that follows an action (a step with effects outside Shopwire): that is what
makes "a finished step is never repeated" hold across crashes. Transforms are pure, so their
records may wait for the next checkpoint, and the caller's final commit covers the last steps:
a flow of transforms and one action costs one commit, not one per step.

What this cannot promise alone: if a worker dies after an action's request went out but before
the checkpoint, the action runs again when the execution resumes. Actions therefore send the
same idempotency key (execution id + node id) on every attempt, so providers that honour it
apply the effect once.

Control flow (see docs/flows.md): the steps after a split run once per item, each recorded
with its item index, so "finished" means finished for that item; a delay returns a Result
``waiting`` and the caller continues the execution later from the step after it; a step set
to ``on_error`` continue/branch passes its error on as its output instead of failing the run.

Transient failures are retried per the node's policy. A short wait is slept through; a longer
one (a provider's Retry-After: 30, the later backoffs) would hold the worker while other
executions queue, so the step is recorded ``retrying`` with its attempts so far, the run
returns ``waiting`` until the next attempt is due, and the resumed run continues the count.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from nodes.engine import redaction
from nodes.engine.graph import Graph
from nodes.engine.mapping import FieldMappingError, MappingError, apply_mapping, evaluate
from nodes.engine.schema_errors import schema_problems, validator_for
from nodes.kit import registry
from nodes.kit.base import (
    ERROR_PORT,
    NodeContext,
    NodeError,
    Outcome,
    RetryPolicy,
    TransientError,
    UserError,
)
from nodes.kit.client import ApiClient

log = logging.getLogger("shopwire.engine")
redaction.install_log_filter()


@dataclass
class StepRecord:
    node_id: str
    # succeeded | failed | skipped | caught (failed, error passed on) | retrying (waits for its
    # next attempt: ``resume_at``)
    status: str
    input: Any = None
    output: Any = None
    error: dict[str, Any] | None = None
    attempts: int = 0
    ports: tuple[str, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None
    item: int | None = None  # the item index inside a split; None outside
    resume_at: datetime | None = None  # a delay or a retry: continue the flow at this time


# Step statuses that are done for good: a resumed execution keeps them and goes on.
FINISHED = ("succeeded", "skipped", "caught")


@dataclass
class Result:
    status: str  # succeeded | failed | waiting
    error: dict[str, Any] | None = None
    resume_at: datetime | None = None  # when waiting: when to continue


@dataclass
class Run:
    """Everything one run of an execution needs, passed in by the caller."""

    id: str
    graph: Graph
    trigger_output: Any
    flow: dict[str, Any]
    http: requests.Session
    credential: Callable[[str], dict[str, Any] | None]
    origins: dict[str, str] = field(default_factory=dict)  # connector key → API origin
    # The finished steps of earlier runs, by (node id, item index or None).
    finished: dict[tuple[str, int | None], StepRecord] = field(default_factory=dict)
    # The attempts an earlier run made at a step that is retrying, by the same key.
    attempts: dict[tuple[str, int | None], int] = field(default_factory=dict)
    # A long retry wait ends the run as waiting; False for a called flow, which runs inline in
    # its caller's step and must finish at once, so it sleeps through every wait.
    retry_later: bool = True
    # A test run: a step is retried only while that takes a few seconds (TEST_RETRY_SECONDS);
    # then it fails, and its error says what a live run would have done.
    trial: bool = False
    sleep: Callable[[float], None] = time.sleep
    heartbeat: Callable[[], None] = lambda: None  # keep the lease during long waits
    checkpoint: Callable[[], None] = lambda: None  # persist every record so far
    call_flow: Callable[[str, Any, str], Any] | None = None
    respond: Callable[[dict[str, Any]], None] = lambda _response: None
    # Record that this execution handles a fetched event; False if another one of the flow did.
    claim: Callable[[str], bool] = lambda event_id: True


def step_scope(trigger: Any, input: Any, steps: dict[str, Any], flow: dict) -> dict[str, Any]:
    """The document a step's expressions and templates are evaluated against."""
    return {
        "trigger": trigger,
        "input": input,
        "steps": steps,
        "flow": flow,
        "now": datetime.now(UTC).isoformat(),
    }


def run(execution: Run, record: Callable[[StepRecord], None]) -> Result:
    trigger = _trigger_step(execution, record)
    if trigger.status == "failed":
        return Result("failed", trigger.error)
    if trigger.status == "retrying":
        return Result("waiting", resume_at=trigger.resume_at)
    return _Interpreter(execution, record, trigger).run()


class _Interpreter:
    """The outputs and ports of the steps so far, at top level (item None) and per item."""

    def __init__(self, execution: Run, record: Callable[[StepRecord], None], trigger: StepRecord):
        self.execution = execution
        self.graph = execution.graph
        self.record = record
        self.trigger_output = trigger.output
        trigger_id = self.graph.trigger_id
        self.outputs: dict[int | None, dict[str, Any]] = {None: {trigger_id: trigger.output}}
        self.ports: dict[int | None, dict[str, tuple[str, ...]]] = {
            None: {trigger_id: tuple(trigger.ports)}
        }
        for step in execution.finished.values():
            self._keep(step)
        self.unsaved_effects = False

    def run(self) -> Result:
        graph = self.graph
        for node_id in graph.order:
            if graph.scope_of[node_id] is not None:
                continue  # runs once per item, below
            stop = self._step(node_id, None)
            if stop:
                return stop
            if graph.spec(node_id).control == "split" and self.ports[None][node_id]:
                for index, item in enumerate(self.outputs[None][node_id]):
                    for inner_id in graph.regions[node_id]:
                        stop = self._step(inner_id, index, item)
                        if stop:
                            return stop
        return Result("succeeded")

    def _keep(self, step: StepRecord) -> None:
        if step.status != "skipped":
            self.outputs.setdefault(step.item, {})[step.node_id] = step.output
        ports = step.ports if step.status != "skipped" else ()
        self.ports.setdefault(step.item, {})[step.node_id] = tuple(ports)

    def _view(self, table: dict, item: int | None) -> dict[str, Any]:
        """What the steps outside any split and those of this item hold."""
        return table[None] if item is None else {**table[None], **table.get(item, {})}

    def _step(self, node_id: str, item: int | None, value: Any = None) -> Result | None:
        """Run one step unless it finished before; a Result if the execution stops here."""
        if node_id in self.ports.get(item, {}):
            return None
        active, input = self._input(node_id, item)
        if not active:
            skipped = StepRecord(node_id, "skipped", item=item)
            self._keep(skipped)
            self.record(skipped)
            return None
        if self.unsaved_effects:
            self.execution.checkpoint()
            self.unsaved_effects = False
        else:
            self.execution.heartbeat()
        scope = step_scope(
            self.trigger_output, input, self._view(self.outputs, item), self.execution.flow
        )
        if item is not None:
            scope["item"] = value
        step = _run_step(self.execution, node_id, scope, item)
        self.record(step)
        self.unsaved_effects = self.graph.spec(node_id).kind == "action"
        if step.status == "failed":
            return Result("failed", step.error)
        if step.status == "retrying":
            return Result("waiting", resume_at=step.resume_at)
        self._keep(step)
        if step.resume_at and step.resume_at > datetime.now(UTC):
            return Result("waiting", resume_at=step.resume_at)
        return None

    def _input(self, node_id: str, item: int | None) -> tuple[bool, Any]:
        """Whether the step runs at all, and the ``input`` it gets."""
        control = self.graph.spec(node_id).control
        if control == "items":
            split = self.graph.closes[node_id]
            if not self.ports[None].get(split):
                return False, None
            collected = []
            for index in range(len(self.outputs[None][split])):
                if active := self._active(node_id, index):
                    collected.append(self._view(self.outputs, index)[active[0].source])
            return True, collected
        active = self._active(node_id, item)
        outputs = self._view(self.outputs, item)
        if control == "branches":
            return bool(active), [outputs[edge.source] for edge in active]
        return bool(active), outputs[active[0].source] if active else None

    def _active(self, node_id: str, item: int | None) -> list:
        ports = self._view(self.ports, item)
        return [e for e in self.graph.incoming[node_id] if e.port in ports.get(e.source, ())]


def _trigger_step(execution: Run, record: Callable[[StepRecord], None]) -> StepRecord:
    """The trigger's output: the delivery itself, or what a fetching trigger makes of it.

    A trigger declared with ``fetches`` (its delivery only names a record, like Mollie's
    payment id) runs here as the execution's first recorded step, with the delivery as its
    input; a resumed execution takes the recorded output instead of fetching again. The event
    the record stands for is claimed for this execution: one the flow already ran for (the
    same status reported twice) ends quietly, since the delivery itself had no id to dedupe on.
    """
    trigger_id = execution.graph.trigger_id
    spec = execution.graph.spec(trigger_id)
    if not spec.fetches:
        return StepRecord(trigger_id, "succeeded", output=execution.trigger_output, ports=("main",))
    if (finished := execution.finished.get((trigger_id, None))) is not None:
        return finished
    delivery = execution.trigger_output
    step = _run_step(
        execution, trigger_id, step_scope(delivery, delivery, {}, execution.flow), None
    )
    if step.status == "succeeded" and step.ports and spec.fetched_event_id:
        event_id = spec.fetched_event_id(step.output)
        if event_id and not execution.claim(event_id):
            log.info("execution %s: event %s was handled already", execution.id, event_id)
            step.ports = ()
    record(step)
    return step


def _run_step(execution: Run, node_id: str, scope: dict[str, Any], item: int | None) -> StepRecord:
    """Run one node. Its record never holds a secret: secret params are masked, and the texts
    of secret params and of the account's secret fields are scrubbed from input, output,
    error and the log lines written meanwhile."""
    secrets = redaction.Secrets()
    step = StepRecord(
        node_id,
        "running",
        started_at=datetime.now(UTC),
        item=item,
        attempts=execution.attempts.get((node_id, item), 0),
    )
    try:
        step = _run_step_unscrubbed(execution, node_id, scope, step, secrets)
    finally:
        step.input, step.output = secrets.scrub(step.input), secrets.scrub(step.output)
        step.error = secrets.scrub(step.error)
    return step


def _run_step_unscrubbed(
    execution: Run,
    node_id: str,
    scope: dict[str, Any],
    step: StepRecord,
    secrets: redaction.Secrets,
) -> StepRecord:
    graph = execution.graph
    node, spec = graph.nodes[node_id], graph.spec(node_id)
    policy = replace(spec.retry, **node.get("retry", {})) if node.get("retry") else spec.retry
    try:
        params = resolve_params(node, spec.params, scope)
        step.input = redaction.mask(params, spec.params)
        credential = execution.credential(node["credential"]) if node.get("credential") else None
        secrets.add(_secret_values(spec, params, credential))
        with redaction.scrubbing(secrets):
            outcome = _call_with_retries(
                spec.run,
                lambda: _context(execution, node, spec, scope, step.item, credential),
                params,
                scope["input"],
                policy,
                step,
                execution,
            )
    except _RetryLater as later:
        return _retrying(step, node, later)
    except _NotRetriedInTest as untried:
        failed = _failed(step, node, untried.error)
        failed.error["live_retries"] = untried.live
        return failed
    except NodeError as error:
        return _failed(step, node, error)
    except Exception:
        with redaction.scrubbing(secrets):
            log.exception("step %s of execution %s crashed", node_id, execution.id)
        return _failed(
            step,
            node,
            NodeError(
                "The step stopped because of an internal error. Retrying may help; "
                "if it keeps failing, contact support."
            ),
        )
    if not isinstance(outcome, Outcome):
        outcome = Outcome(outcome, graph.ports_of(node_id))
    step.status, step.output, step.ports = "succeeded", outcome.output, tuple(outcome.ports)
    step.resume_at = outcome.resume_at
    step.finished_at = datetime.now(UTC)
    return step


def _context(execution: Run, node: dict, spec, scope: dict, item, credential) -> NodeContext:
    ctx = NodeContext(
        execution_id=execution.id,
        node_id=node["id"],
        http=execution.http,
        credential=credential,
        item=item,
        evaluate=lambda expression, field: _evaluate(expression, scope, field),
        call_flow=execution.call_flow,
        respond=execution.respond,
    )
    if spec.connector:
        ctx.api = ApiClient(
            spec.connector,
            execution.http,
            credential,
            idempotency_key=ctx.idempotency_key,
            origin=execution.origins.get(spec.connector.key),
        )
    return ctx


def _secret_values(spec, params: dict[str, Any], credential: dict[str, Any] | None) -> list[str]:
    values = redaction.write_only_values(params, spec.params)
    auth = registry.connector_auth(spec.connector_key) if credential else None
    return values + redaction.credential_secrets(credential, auth.schema if auth else None)


def _evaluate(expression: str, scope: dict[str, Any], field: str) -> Any:
    """A node's own expression (a router's condition, a split's list), against its scope."""
    try:
        return evaluate(expression, scope)
    except MappingError as error:
        raise UserError(
            f'The expression `{expression}` for "{field}" could not be evaluated: {error.message}',
            field=field,
        ) from None


def resolve_params(node: dict, schema: dict, scope: dict[str, Any]) -> dict[str, Any]:
    """The node's fixed params merged with its mapped ones, checked against its schema."""
    try:
        params = apply_mapping(node.get("params", {}), node.get("mapping", {}), scope, schema)
    except FieldMappingError as error:
        raise UserError(str(error), field=error.field) from None
    for problem in schema_problems(validator_for(schema), params):
        field_path = problem.pointer.strip("/").replace("/", ".") or None
        raise UserError(
            f'The field "{field_path}" got a value it cannot use: {problem.message} '
            "Check its fixed value or the data it is mapped from.",
            field=field_path,
        )
    return params


# The longest wait between attempts that is slept through; a longer one frees the worker.
INLINE_RETRY_SECONDS = 2.0
# How long a step of a test run may spend on its attempts and the waits between them before a
# temporary error fails it: a merchant testing waits for an answer, not for a back-off.
TEST_RETRY_SECONDS = 3.0


class _RetryLater(Exception):
    def __init__(self, error: TransientError, wait: float):
        super().__init__(error.message)
        self.error, self.wait = error, wait


class _NotRetriedInTest(Exception):
    def __init__(self, error: TransientError, live: dict[str, float]):
        super().__init__(error.message)
        self.error, self.live = error, live


def _live_retries(policy: RetryPolicy, attempts: int, retry_after: float | None) -> dict:
    """How many more attempts a live run would make after ``attempts``, and how long it
    would wait between them in all."""
    waits = [policy.delay(attempt, retry_after) for attempt in range(attempts, policy.attempts)]
    return {"times": len(waits), "seconds": round(sum(waits), 1)}


def _spent(step: StepRecord) -> float:
    return (datetime.now(UTC) - step.started_at).total_seconds() if step.started_at else 0.0


def _call_with_retries(run, context, params, input, policy: RetryPolicy, step, execution: Run):
    """Each attempt gets a fresh context, so its requests carry the same idempotency keys."""
    while True:
        step.attempts += 1
        ctx = context()
        try:
            return run(ctx, params, input)
        except TransientError as error:
            if step.attempts >= policy.attempts:
                raise
            wait = policy.delay(step.attempts, error.retry_after)
            if execution.trial and _spent(step) + wait > TEST_RETRY_SECONDS:
                live = _live_retries(policy, step.attempts, error.retry_after)
                raise _NotRetriedInTest(error, live) from None
            log.info(
                "step %s attempt %s: %s; retrying in %.1fs",
                ctx.node_id,
                step.attempts,
                error.message,
                wait,
            )
            if wait > INLINE_RETRY_SECONDS and execution.retry_later and not execution.trial:
                raise _RetryLater(error, wait) from None
            execution.sleep(wait)
            execution.heartbeat()


def _retrying(step: StepRecord, node: dict, later: _RetryLater) -> StepRecord:
    """The step whose next attempt is due after ``later.wait``: not finished, so a resumed run
    runs it again, counting on from its attempts."""
    step.status = "retrying"
    step.resume_at = datetime.now(UTC) + timedelta(seconds=later.wait)
    step.error = {**_error_of(step, node, later.error), "retry_at": step.resume_at.isoformat()}
    return step


def _failed(step: StepRecord, node: dict, error: NodeError) -> StepRecord:
    """The failed step; with ``on_error`` set, its error becomes its output and the flow goes
    on: on ``main`` ("continue") or on the ``error`` port only ("branch")."""
    step.status = "failed"
    step.attempts = max(step.attempts, 1)
    step.error = _error_of(step, node, error)
    step.finished_at = datetime.now(UTC)
    on_error = node.get("on_error", "fail")
    if on_error != "fail":
        step.status, step.output = "caught", {"error": step.error}
        step.ports = ("main",) if on_error == "continue" else (ERROR_PORT,)
    return step


def _error_of(step: StepRecord, node: dict, error: NodeError) -> dict[str, Any]:
    """The error as recorded: the node's message, and which step (and item) it came from."""
    recorded = {**error.to_dict(), "node_id": node["id"], "node_name": node.get("name")}
    if step.item is not None:
        recorded["item"] = step.item
    return recorded
