"""Run a node inside a real flow: webhook in, the queue on real Redis, the worker's job, and
the execution record as the API shows it."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import create_active_flow, flow_document, post_json


def run_flow(api, client, run_queue, payload: Any, *nodes: dict) -> dict[str, Any]:
    """Post ``payload`` to a new flow of a webhook followed by ``nodes``; return the finished
    execution with its steps by node id."""
    _, url = create_active_flow(api, flow_document({"id": "hook", "type": "core.webhook"}, *nodes))
    accepted = post_json(client, url, payload)
    assert accepted.status_code == 202, accepted.get_json()
    run_queue()
    detail = api.get(f"/api/executions/{accepted.get_json()['execution_id']}")
    execution = json.loads(detail.data)  # the stdlib parser keeps big integers exact
    execution["steps"] = {step["node_id"]: step for step in execution["steps"]}
    return execution
