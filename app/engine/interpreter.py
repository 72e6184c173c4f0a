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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import requests

from app.engine import redaction
from app.engine.graph import Graph
from app.engine.mapping import FieldMappingError, apply_mapping
from app.engine.schema_errors import schema_problems, validator_for
from nodes import registry
from nodes.base import NodeContext, NodeError, Outcome, RetryPolicy, TransientError, UserError

log = logging.getLogger("shopwire.engine")
redaction.install_log_filter()


@dataclass
class StepRecord:
    node_id: str
    status: str  # succeeded | failed | skipped
    input: Any = None
    output: Any = None
    error: dict[str, Any] | None = None
    attempts: int = 0
    ports: tuple[str, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass
class Result:
    status: str  # succeeded | failed
    error: dict[str, Any] | None = None


@dataclass
class Run:
    """Everything one run of an execution needs, passed in by the caller."""

    id: str
    graph: Graph
    trigger_output: Any
    flow: dict[str, Any]
    http: requests.Session
    credential: Callable[[str], dict[str, Any] | None]
    finished: dict[str, StepRecord] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    heartbeat: Callable[[], None] = lambda: None  # keep the lease during long waits
    checkpoint: Callable[[], None] = lambda: None  # persist every record so far


def run(execution: Run, record: Callable[[StepRecord], None]) -> Result:
    graph = execution.graph
    outputs: dict[str, Any] = {graph.trigger_id: execution.trigger_output}
    ports: dict[str, tuple[str, ...]] = {graph.trigger_id: ("main",)}
    for node_id, step in execution.finished.items():
        if step.status == "succeeded":
            outputs[node_id], ports[node_id] = step.output, tuple(step.ports)
        elif step.status == "skipped":
            ports[node_id] = ()

    unsaved_effects = False
    for node_id in graph.order:
        if node_id in ports:
            continue
        active = [e for e in graph.incoming[node_id] if e.port in ports.get(e.source, ())]
        if not active:
            ports[node_id] = ()
            record(StepRecord(node_id, "skipped"))
            continue
        if unsaved_effects:
            execution.checkpoint()
            unsaved_effects = False
        else:
            execution.heartbeat()
        scope = {
            "trigger": execution.trigger_output,
            "input": outputs[active[0].source],
            "steps": outputs,
            "flow": execution.flow,
            "now": datetime.now(UTC).isoformat(),
        }
        step = _run_step(execution, node_id, scope)
        record(step)
        unsaved_effects = graph.spec(node_id).kind == "action"
        if step.status == "failed":
            return Result("failed", step.error)
        outputs[node_id], ports[node_id] = step.output, step.ports
    return Result("succeeded")


def _run_step(execution: Run, node_id: str, scope: dict[str, Any]) -> StepRecord:
    """Run one node. Its record never holds a secret: secret params are masked, and the texts
    of secret params and of the account's secret fields are scrubbed from input, output,
    error and the log lines written meanwhile."""
    secrets = redaction.Secrets()
    step = StepRecord(node_id, "running", started_at=datetime.now(UTC))
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
        params = _resolve_params(node, spec.params, scope)
        step.input = redaction.mask(params, spec.params)
        credential = execution.credential(node["credential"]) if node.get("credential") else None
        secrets.add(_secret_values(spec, params, credential))
        ctx = NodeContext(
            execution_id=execution.id, node_id=node_id, http=execution.http, credential=credential
        )
        with redaction.scrubbing(secrets):
            outcome = _call_with_retries(
                spec.run, ctx, params, scope["input"], policy, step, execution
            )
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
        outcome = Outcome(outcome, spec.ports)
    step.status, step.output, step.ports = "succeeded", outcome.output, tuple(outcome.ports)
    step.finished_at = datetime.now(UTC)
    return step


def _secret_values(spec, params: dict[str, Any], credential: dict[str, Any] | None) -> list[str]:
    values = redaction.write_only_values(params, spec.params)
    auth = registry.connector_auth(spec.connector_key) if credential else None
    return values + redaction.credential_secrets(credential, auth.schema if auth else None)


def _resolve_params(node: dict, schema: dict, scope: dict[str, Any]) -> dict[str, Any]:
    try:
        params = apply_mapping(node.get("params", {}), node.get("mapping", {}), scope)
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


def _call_with_retries(run, ctx, params, input, policy: RetryPolicy, step, execution: Run):
    while True:
        step.attempts += 1
        try:
            return run(ctx, params, input)
        except TransientError as error:
            if step.attempts >= policy.attempts:
                raise
            wait = policy.delay(step.attempts, error.retry_after)
            log.info(
                "step %s attempt %s: %s; retrying in %.1fs",
                ctx.node_id,
                step.attempts,
                error.message,
                wait,
            )
            execution.sleep(wait)
            execution.heartbeat()


def _failed(step: StepRecord, node: dict, error: NodeError) -> StepRecord:
    step.status = "failed"
    step.attempts = max(step.attempts, 1)
    step.error = {**error.to_dict(), "node_id": node["id"], "node_name": node.get("name")}
    step.finished_at = datetime.now(UTC)
    return step
