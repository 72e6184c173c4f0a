"""The editor in Firefox: Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core
(Playwright's BiDi client needs a newer Firefox than the ESR, and its own Firefox build cannot
be downloaded here). One journey: sign in, map from the data tree, add and undo a step, save,
run a test on the real worker, read the exact 64-bit id in the output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.cli import DEMO_EMAIL
from tests.conftest import DEMO_PASSWORD, flow_document
from tests.e2e.test_editor import HOOK, create_flow

FIREFOX = os.environ.get("SHOPWIRE_FIREFOX", "/usr/lib/firefox-esr/firefox-esr")
FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
SCRIPT = FRONTEND / "e2e" / "firefox.mjs"
BIG_ID = "820982911946154508"


@pytest.fixture
def firefox():
    if not Path(FIREFOX).exists():
        pytest.skip(f"{FIREFOX} is missing: apt-get install -y firefox-esr (.ci/run does)")
    if not shutil.which("node") or not (FRONTEND / "node_modules" / "puppeteer-core").exists():
        pytest.skip("Node.js and the frontend's packages are needed: npm --prefix frontend ci")


def test_the_editor_journey_works_in_firefox(
    firefox, served, demo_api, worker_process, receiver, screenshots
):
    shape = {
        "id": "shape",
        "type": "core.map",
        "position": {"x": 280, "y": 0},
        "mapping": {"fields.id": "trigger.id", "fields.order_total": "trigger.total_price"},
    }
    send = {
        "id": "send",
        "type": "core.http_request",
        "position": {"x": 560, "y": 0},
        "params": {"method": "POST", "url": receiver.url("/orders")},
    }
    flow_id = create_flow(demo_api, flow_document(HOOK, shape, send))

    finished = subprocess.run(
        ["node", str(SCRIPT), served, flow_id, DEMO_EMAIL, DEMO_PASSWORD, str(screenshots)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    seen = json.loads(finished.stdout.strip().splitlines()[-1])

    assert seen["nodes"] == 3 and seen["nodesAfterAdd"] == 4 and seen["mapped"] and seen["saved"]
    assert seen["run"] == "succeeded"
    assert any(f'"id": {BIG_ID}' in text for text in seen["output"])  # exact, not …500
    assert seen["errors"] == []
    graph = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]
    assert graph["nodes"][2]["mapping"] == {"body": "input.order_total"}
    [delivery] = receiver.requests
    assert delivery.body == b'"403.00"'
