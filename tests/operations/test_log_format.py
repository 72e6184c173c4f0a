"""SHOPWIRE_LOG_FORMAT=json: one JSON object per line, naming the execution and the shop,
without the secrets of the step that logged."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

from app.models import Merchant
from app.operations import log_format
from app.operations.log_format import json_handler
from app.runtime.queue import send_wakeups
from nodes.engine.redaction import Secrets, scrubbing
from tests.conftest import flow_document
from tests.operations.processes import ROOT, environment
from tests.test_secrets import SECRET, echo


def unavailable(request):
    """A provider that is down and repeats the request (with its key) in the error."""
    return 503, *echo(request)[1:]


def test_a_worker_logs_json_lines_with_execution_and_shop_and_no_secret(
    app, app_config, api, receiver
):
    receiver.reply = unavailable
    credential = api.post(
        "/api/credentials", json={"connector": "core", "name": "Shop", "data": {"secret": SECRET}}
    ).get_json()["id"]
    graph = flow_document(
        {"id": "hook", "type": "core.manual"},
        {
            "id": "call",
            "type": "core.http_request",
            "credential": credential,
            "params": {
                "method": "GET",
                "url": receiver.url("/orders"),
                "send_secret": {"header": "Authorization", "prefix": "Bearer ", "query": "key"},
            },
        },
    )
    flow_id = api.post("/api/flows", json={"name": "Logs", "graph": graph}).get_json()["id"]
    execution_id = api.post(f"/api/flows/{flow_id}/run", json={"payload": {}}).get_json()["id"]
    send_wakeups()

    worker = subprocess.run(
        [sys.executable, "-m", "app.cli", "worker", "--burst"],
        env=environment(app_config, SHOPWIRE_LOG_FORMAT="json"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert receiver.requests, "the step ran"
    assert SECRET not in worker.stderr
    lines = [json.loads(line) for line in worker.stderr.splitlines() if line.strip()]
    shop = app.extensions["sqlalchemy"].session.query(Merchant).filter_by(name="acme").one()
    about_the_run = [line for line in lines if line.get("execution_id") == execution_id]
    assert about_the_run, worker.stderr
    assert {line["shop_id"] for line in about_the_run} == {shop.id}
    retry = next(line for line in about_the_run if "retrying" in line["message"])
    assert retry["logger"] == "shopwire.engine" and retry["level"] == "INFO"


def test_any_logger_loses_the_running_steps_secrets():
    stream = io.StringIO()
    library = logging.getLogger("some.library")
    library.addHandler(json_handler(stream))
    try:
        log_format.bind(execution_id="e-1", shop_id=7)
        with scrubbing(Secrets([SECRET])):
            library.warning("calling https://api.example.com/?key=%s", SECRET)
    finally:
        library.handlers.clear()
        log_format.bind()
    line = json.loads(stream.getvalue())
    assert line["message"] == "calling https://api.example.com/?key=[redacted]"
    assert (line["execution_id"], line["shop_id"], line["level"]) == ("e-1", 7, "WARNING")
