"""The JSON API's declarations at work: request bodies are checked with their schemas (answering
with problem documents), and the OpenAPI 3.1 document at ``/api/openapi.json`` is generated from
the same schemas by flask-smorest (apispec underneath)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

import flask_smorest
import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app
from webargs.flaskparser import FlaskParser
from werkzeug.routing import Map, Rule

from app.api import schemas
from app.api.problems import ApiProblem
from app.flows.webhook_urls import URLS
from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.engine.flow_schema import FLOW_SCHEMA
from nodes.engine.schema_errors import Problem, pointer

COMPONENTS = "#/components/schemas/"
# The answers a problem document may come with, beside each operation's own.
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422, 503)


class ProblemParser(FlaskParser):
    """webargs' Flask parser, answering with problem documents in plain words."""

    def load_json(self, req, schema):
        """The body as a JSON object; no body at all counts as an empty one."""
        if not req.get_data(cache=True):
            return ma.missing
        body = req.get_json(silent=True)
        if not isinstance(body, Mapping):
            raise ApiProblem(400, "Bad request", "The request body must be a JSON object.")
        return body

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        found = [p for messages in error.messages.values() for p in problems(messages)]
        raise ApiProblem(error_status_code or 422, schema.problem_title, errors=found)


def problems(messages: Any, at: str = "") -> Iterator[Problem]:
    """marshmallow's error messages as problems. Keys are field names (``_schema`` is the body
    itself); a :class:`Problem` a validator raised points below its field."""
    if isinstance(messages, Mapping):
        for key, inner in messages.items():
            yield from problems(inner, at if key == "_schema" else at + pointer(key))
    elif isinstance(messages, list):
        for message in messages:
            yield from problems(message, at)
    elif isinstance(messages, Problem):
        yield Problem(at + messages.pointer, messages.message)
    else:
        yield Problem(at, str(messages))


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ProblemParser()

    def route(self, rule, **options):
        """Each operation is named after its view, so a generated client calls create_flow."""
        register = super().route(rule, **options)
        return lambda view: register(self.doc(operationId=view.__name__)(view))


def schema_name(schema: type[ma.Schema] | ma.Schema) -> str:
    """A schema's component name: its class name, for the changes to one (every field
    optional) with "Changes" added."""
    kind = schema if isinstance(schema, type) else type(schema)
    return kind.__name__ + ("Changes" if getattr(schema, "partial", None) is True else "")


class Api(flask_smorest.Api):
    """flask-smorest's Api for Shopwire: errors are problem documents, answered by the app's own
    handlers (:mod:`app`); the document describes them so."""

    ERROR_SCHEMA = schemas.ProblemDocument

    def _register_error_handlers(self) -> None:
        """The app's handlers answer every error (:func:`app._register_error_handlers`)."""

    def _register_responses(self) -> None:
        problem = {"application/problem+json": {"schema": {"$ref": COMPONENTS + "Problem"}}}
        self.spec.components.schema("Problem", schema=self.ERROR_SCHEMA)
        for status in PROBLEM_STATUSES:
            self.spec.components.response(
                HTTPStatus(status).name,
                {"description": HTTPStatus(status).phrase, "content": problem},
                lazy=True,
            )
        self.spec.components.response(
            self.DEFAULT_ERROR_RESPONSE_NAME, {"description": "A problem", "content": problem}
        )


def init_app(app: Flask) -> Api:
    api = Api(
        app,
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
            "title": "Shopwire API",
            "version": "1",
            "openapi_version": "3.1.0",
            "security": [{"bearer": []}],
        },
    )
    api.ma_plugin.converter.add_attribute_function(schemas.component_ref)
    components = api.spec.components
    components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in embedded(FLOW_SCHEMA, "Flow").items():
        components.schema(name, schema)
    components.schema("Schedule", SCHEDULE_SCHEMA)
    _webhook_paths(api)
    return api


def embedded(schema: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """A standalone JSON Schema as components: ``name`` for the schema, ``name`` + the
    capitalised key for each of its ``$defs``, with every ``$ref`` pointing at them (inside an
    OpenAPI document, ``#/$defs/…`` resolves to nothing)."""

    def moved(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: COMPONENTS + name + item.removeprefix("#/$defs/").capitalize()
                if key == "$ref"
                else moved(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [moved(item) for item in value]
        return value

    top = {k: v for k, v in schema.items() if k not in ("$schema", "$id", "$defs")}
    defs = {name + key.capitalize(): value for key, value in schema.get("$defs", {}).items()}
    return moved({name: top, **defs})


# What a webhook delivery may carry (other content types get 415).
EVENT = {
    "application/json": {"schema": {"description": "Any JSON value"}},
    "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
}


def _webhook_paths(api: Api) -> None:
    """Ingress is WSGI middleware with its own URL map, not a blueprint."""
    api.spec.components.schema("WebhookAccepted", schema=schemas.WebhookAccepted)
    accepted = {"application/json": {"schema": {"$ref": COMPONENTS + "WebhookAccepted"}}}
    answers = {
        "202": {"description": "Queued", "content": accepted},
        "200": {"description": "A duplicate, or ignored", "content": accepted},
        **{
            str(status): api.spec.components.get_ref("response", HTTPStatus(status).name)
            for status in (400, 401, 404, 413, 415, 503)
        },
    }
    described = {
        "receive": (
            "Deliver a webhook event",
            "A duplicate (same event id or Idempotency-Key) answers 200 with the original "
            "execution id.",
        ),
        "receive_test": (
            "Deliver a test event: runs the saved flow even while it is off",
            "Executions started here have mode test.",
        ),
    }
    for rule in URLS.iter_rules():
        summary, description = described[rule.endpoint]
        # flask-smorest reads a bound rule's defaults, which Flask's rules always have.
        [flask_like] = Map([Rule(rule.rule, endpoint=rule.endpoint, defaults={})]).iter_rules()
        operation = {
            "summary": summary,
            "description": description,
            "operationId": rule.endpoint,
            "tags": ["hooks"],
            "security": [],
            "requestBody": {"description": "The event as the sender sends it", "content": EVENT},
            "responses": answers,
        }
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            api.spec.path(rule=flask_like, operations={method.lower(): operation})


def openapi_document() -> dict[str, Any]:
    """The document of the current app."""
    return current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
