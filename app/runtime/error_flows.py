"""Error flows: a failed execution starts every active flow of the merchant whose trigger is
"When a flow fails" (``core.error_trigger``), with what failed and why."""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.flows.lifecycle import version_graph
from app.models import Flow
from app.runtime import executions

log = logging.getLogger("shopwire.error_flows")

TRIGGER = "core.error_trigger"
MODE = "error"


def report(failed, execution_id: str, token: int, error: dict[str, Any] | None) -> None:
    """Start the merchant's error flows for this failure. ``failed`` is the loaded execution
    row (merchant_id, flow_id, flow_name, version_id). A failure of an error flow is not
    reported (it would report itself forever), and nothing here may fail the job."""
    try:
        if _trigger(failed.version_id) == TRIGGER:
            return
        error = error or {}
        payload = {
            "flow": {"id": failed.flow_id, "name": failed.flow_name},
            "execution_id": execution_id,
            "failed_node": {"id": error.get("node_id"), "name": error.get("node_name")},
            "error": error,
        }
        for flow_id, version_id in _error_flows(failed.merchant_id):
            with contextlib.suppress(executions.Duplicate):
                executions.start(
                    merchant_id=failed.merchant_id,
                    flow_id=flow_id,
                    version_id=version_id,
                    body=json.dumps(payload).encode(),
                    content_type="application/json",
                    mode=MODE,
                    # once per failed run: a retried execution that fails again reports again
                    dedupe_key=f"failed:{execution_id}:{token}",
                )
    except Exception:
        db.session.rollback()
        log.exception("the failure of execution %s could not be reported", execution_id)


def _trigger(version_id: int) -> str:
    graph = version_graph(version_id)
    return graph.spec(graph.trigger_id).key


def _error_flows(merchant_id: int) -> list[tuple[str, int]]:
    active = db.session.execute(
        select(Flow.id, Flow.current_version_id).where(
            Flow.merchant_id == merchant_id, Flow.active.is_(True), Flow.deleted_at.is_(None)
        )
    ).all()
    return [(flow_id, version) for flow_id, version in active if _trigger(version) == TRIGGER]
