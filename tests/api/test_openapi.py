"""The OpenAPI document: valid, typed throughout, and good enough to generate a working client
from. Its request schemas are the ones the API checks bodies with."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from app.cli import issue_token, merchant_named
from tests.conftest import flow_document

METHODS = {"get", "put", "post", "delete", "patch"}
GRAPH = flow_document(
    {"id": "hook", "type": "core.webhook"},
    {
        "id": "fields",
        "type": "core.map",
        "params": {"fields": {}},
        "mapping": {"fields.email": "trigger.email"},
    },
)


def _operations(document):
    for path, item in document["paths"].items():
        for method in METHODS & set(item):
            yield f"{method.upper()} {path}", item[method]


def _typed(document, content) -> bool:
    """Whether a body's schema says what is in it: the fields of an object, or a text."""
    schemas = [entry.get("schema", {}) for entry in content.values()]
    schemas = [
        document["components"]["schemas"][s["$ref"].rsplit("/", 1)[1]] if "$ref" in s else s
        for s in schemas
    ]
    return bool(schemas) and all(s.get("properties") or s.get("type") == "string" for s in schemas)


def test_the_document_passes_the_openapi_validator(client):
    document = client.get("/api/openapi.json").get_json()
    validate(document)  # raises with the first error
    assert document["openapi"].startswith("3.1")
    flow = document["components"]["schemas"]["Flow"]
    assert flow["properties"]["nodes"]["items"] == {"$ref": "#/components/schemas/FlowNode"}


def test_every_operation_has_typed_request_and_answer_bodies(client):
    document = client.get("/api/openapi.json").get_json()
    untyped = []
    for name, operation in _operations(document):
        for status, answer in operation["responses"].items():
            success = status.startswith("2") and status != "204"
            if success and not _typed(document, answer.get("content", {})):
                untyped.append(f"{name} answers {status} with an untyped body")
        body = operation.get("requestBody", {}).get("content")
        api_body = body and not name.startswith("POST /hooks/")  # an event is any JSON
        if api_body and not _typed(document, body):
            untyped.append(f"{name} takes an untyped body")
    assert untyped == []
    for name, answer in document["components"]["responses"].items():
        assert list(answer["content"]) == ["application/problem+json"], name


def test_a_refused_body_is_a_problem_in_plain_words(api):
    reply = api.post("/api/flows", json={"name": 7})
    assert reply.status_code == 422 and reply.content_type == "application/problem+json"
    assert reply.get_json()["title"] == "The flow is not valid"
    assert reply.get_json()["errors"] == [
        {"pointer": "/name", "message": "The name must be a non-empty text."},
        {"pointer": "/graph", "message": "The flow's graph is missing."},
    ]
    not_an_object = api.post("/api/flows", data="[1]", content_type="application/json")
    assert not_an_object.status_code == 400
    assert not_an_object.get_json()["detail"] == "The request body must be a JSON object."
    bad_filter = api.get("/api/executions?limit=many&status=lost")
    assert bad_filter.status_code == 400
    assert {e["pointer"] for e in bad_filter.get_json()["errors"]} == {"/limit", "/status"}


@pytest.fixture
def generated_client(client, tmp_path):
    """A Python client generated from the served document by openapi-python-client."""
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(client.get("/api/openapi.json").get_json()))
    tools = Path(sys.executable).parent  # the generator formats its output with ruff
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none"]
        + ["--path", str(document), "--output-path", str(tmp_path / "shopwire_client")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "WARNING" not in generated.stdout, generated.stdout  # every operation generated
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("shopwire_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == "shopwire_client"]:
            del sys.modules[name]


def test_a_generated_client_creates_reads_activates_and_follows_a_run(
    generated_client, served, run_queue
):
    from shopwire_client import AuthenticatedClient
    from shopwire_client.api.executions import get_execution
    from shopwire_client.api.flows import activate_flow, create_flow, get_flow, run_flow
    from shopwire_client.models import FlowBody, FlowDetail, Problem, RunBody, ShopwireFlow

    shop = AuthenticatedClient(base_url=served, token=issue_token(merchant_named("acme"), "sdk"))
    body = FlowBody(name="From the SDK", graph=ShopwireFlow.from_dict(GRAPH))
    created = create_flow.sync(client=shop, body=body)
    assert isinstance(created, FlowDetail) and created.version == 1

    read = get_flow.sync(created.id, client=shop)
    assert read.name == "From the SDK" and read.graph.to_dict() == GRAPH

    activated = activate_flow.sync(created.id, client=shop)
    assert activated.active is True
    [hook] = activated.webhooks
    assert hook.node_id == "hook" and hook.url.startswith(served + "/hooks/")

    started = run_flow.sync(
        created.id, client=shop, body=RunBody.from_dict({"payload": {"email": "a@b.de"}})
    )
    run_queue()
    execution = get_execution.sync(started.id, client=shop)
    assert execution.status == "succeeded"
    assert [step.node_id for step in execution.steps] == ["hook", "fields"]
    assert execution.steps[1].output == {"email": "a@b.de"}

    missing = get_flow.sync("no-such-flow", client=shop)
    assert isinstance(missing, Problem) and missing.status == 404
