"""Migrations that move data keep it, in both directions."""

import json

from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.extensions import db
from app.models import Execution
from tests.conftest import create_active_flow, flow_document, post_json


def test_event_bodies_move_to_their_own_table_and_back_with_their_steps(api, client, run_queue):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "map", "type": "core.map", "mapping": {"fields.email": "trigger.email"}},
    )
    _, url = create_active_flow(api, graph)
    order = {"email": "jon@example.com", "id": 5_000_000_000_000_000_123}
    execution_id = post_json(client, url, order).get_json()["execution_id"]
    run_queue()
    directory = current_app.extensions["migrate"].directory
    db.session.remove()

    downgrade(directory=directory, revision="0006")
    with db.engine.connect() as connection:
        kept = connection.execute(
            text("SELECT raw_body FROM executions WHERE id = :id"), {"id": execution_id}
        ).scalar()
    assert json.loads(kept) == order

    upgrade(directory=directory)
    execution = db.session.get(Execution, execution_id)
    assert json.loads(execution.raw_body) == order
    assert [step.node_id for step in execution.steps] == ["map"]
