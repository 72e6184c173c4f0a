"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.engine.flow_schema import FLOW_SCHEMA

PROBLEM = {"$ref": "#/components/responses/Problem"}
JSON_OBJECT = {"type": "object"}


def _op(
    summary: str,
    *,
    ok: str = "200",
    body: dict | None = None,
    params=(),
    errors=("404",),
    public: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            ok: {"description": "Success", "content": {"application/json": {"schema": JSON_OBJECT}}}
            if ok != "204"
            else {"description": "Done"}
        },
    }
    # 403: the caller's role is too low, or a browser request lacks its CSRF token.
    for code in ("401", "403", *errors) if not public else errors:
        operation["responses"][code] = PROBLEM
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    if params:
        operation["parameters"] = [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in params
        ]
    if public:
        operation["security"] = []
    return operation


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


ROLE = {"type": "string", "enum": ["viewer", "editor", "owner"]}

# Members, invitations, settings and the audit log need the owner role to change.
ACCOUNT_PATHS: dict[str, Any] = {
    "/api/members": {"get": _op("Members of the shop with their roles", errors=())},
    "/api/members/{user_id}": {
        "parameters": [_path_id("user_id")],
        "put": _op(
            "Change a member's role (owner)",
            body={"type": "object", "required": ["role"], "properties": {"role": ROLE}},
            errors=("404", "422"),
        ),
        "delete": _op("Remove a member (owner)", ok="204", errors=("404", "422")),
    },
    "/api/invitations": {
        "get": _op("Open invitations (owner)", errors=()),
        "post": _op(
            "Invite someone by e-mail (owner)",
            ok="201",
            body={
                "type": "object",
                "required": ["email", "role"],
                "properties": {"email": {"type": "string"}, "role": ROLE},
            },
            errors=("422",),
        ),
    },
    "/api/invitations/{invitation_id}": {
        "parameters": [_path_id("invitation_id")],
        "delete": _op("Withdraw an invitation (owner)", ok="204"),
    },
    "/api/settings": {
        "get": _op("The shop's settings", errors=()),
        "put": _op(
            "Change the shop's name or time zone (owner)",
            body={
                "type": "object",
                "properties": {"name": {"type": "string"}, "timezone": {"type": "string"}},
            },
            errors=("422",),
        ),
    },
    "/api/audit": {
        "get": _op("The audit log, newest first (owner)", params=("before",), errors=()),
    },
    "/api/tokens": {
        "get": _op("Your API tokens for this shop (never the tokens themselves)", errors=()),
        "post": _op(
            "Create an API token; the answer shows it once",
            ok="201",
            body={
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
            errors=("422",),
        ),
    },
    "/api/tokens/{token_id}": {
        "parameters": [_path_id("token_id")],
        "delete": _op("Revoke one of your API tokens", ok="204"),
    },
}

TEXTS = {
    "oneOf": [
        {"type": "string"},
        {"type": "object", "properties": {"en": {"type": "string"}, "de": {"type": "string"}}},
    ]
}
MARKED = {
    "type": "array",
    "description": "Values of the flow that become template parameters.",
    "items": {
        "type": "object",
        "required": ["pointer", "name"],
        "properties": {"pointer": {"type": "string"}, "name": {"type": "string"}, "title": TEXTS},
    },
}
CHOSEN = {
    "type": "object",
    "properties": {
        "credentials": {"type": "object", "additionalProperties": {"type": "string"}},
        "parameters": {"type": "object"},
    },
}

# Templates, and moving flows between shops and tools.
TEMPLATE_PATHS: dict[str, Any] = {
    "/api/templates": {
        "get": _op("Public templates and the shop's own", params=("q", "category"), errors=()),
        "post": _op(
            "Publish a flow's current version as a template (again: a new version)",
            ok="201",
            body={
                "type": "object",
                "required": ["flow_id", "title", "description", "category"],
                "properties": {
                    "flow_id": {"type": "string"},
                    "title": TEXTS,
                    "description": TEXTS,
                    "category": {"type": "string"},
                    "visibility": {"enum": ["private", "link", "public"]},
                    "parameters": MARKED,
                },
            },
            errors=("404", "422"),
        ),
    },
    "/api/templates/preview": {
        "post": _op(
            "What publishing a flow would share and remove; stores nothing",
            body={
                "type": "object",
                "required": ["flow_id"],
                "properties": {"flow_id": {"type": "string"}, "parameters": MARKED},
            },
            errors=("404", "422"),
        ),
    },
    "/api/templates/{template_id}": {
        "parameters": [_path_id("template_id")],
        "get": _op("A template with its sanitized graph, credential slots and parameters"),
    },
    "/api/templates/{template_id}/install": {
        "parameters": [_path_id("template_id")],
        "post": _op(
            "Create a switched-off flow from the template",
            ok="201",
            body=CHOSEN,
            errors=("404", "422"),
        ),
    },
    "/api/templates/installs": {
        "get": _op("The shop's flows made from templates, with available updates", errors=()),
    },
    "/api/templates/installs/{flow_id}/update": {
        "parameters": [_path_id("flow_id")],
        "post": _op(
            "Update the flow to the template's latest version, keeping accounts and values",
            body=CHOSEN,
            errors=("404", "422"),
        ),
    },
    "/api/flows/{flow_id}/export": {
        "parameters": [_path_id("flow_id")],
        "get": _op("The flow as a portable document: no secret, no account id"),
    },
    "/api/flows/import": {
        "post": _op(
            "Create a switched-off flow from a portable document or an n8n workflow",
            ok="201",
            body={"type": "object"},
            errors=("422",),
        ),
    },
}

FLOW_BODY = {
    "type": "object",
    "required": ["name", "graph"],
    "properties": {"name": {"type": "string"}, "graph": {"$ref": "#/components/schemas/Flow"}},
}


def openapi_document() -> dict[str, Any]:
    flow_id, execution_id = [_path_id("flow_id")], [_path_id("execution_id")]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shopwire API", "version": "1"},
        "security": [{"bearer": []}],
        "paths": {
            "/api/flows": {
                "get": _op("List flows", errors=()),
                "post": _op("Create a flow", ok="201", body=FLOW_BODY, errors=("422",)),
            },
            "/api/flows/{flow_id}": {
                "parameters": flow_id,
                "get": _op("A flow with its current graph"),
                "put": _op(
                    "Rename or save a new version", body={"type": "object"}, errors=("404", "422")
                ),
                "delete": _op("Delete a flow", ok="204"),
            },
            "/api/flows/{flow_id}/activate": {
                "parameters": flow_id,
                "post": _op("Switch a flow on"),
            },
            "/api/flows/{flow_id}/deactivate": {
                "parameters": flow_id,
                "post": _op("Switch a flow off"),
            },
            "/api/flows/{flow_id}/run": {
                "parameters": flow_id,
                "post": _op(
                    "Run the current version with a payload",
                    ok="202",
                    body={"type": "object", "properties": {"payload": {}}},
                ),
            },
            "/api/flows/{flow_id}/versions": {
                "parameters": flow_id,
                "get": _op("List saved versions"),
            },
            "/api/flows/{flow_id}/versions/{number}": {
                "parameters": [
                    *flow_id,
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                ],
                "get": _op("One saved version"),
            },
            "/api/flows/{flow_id}/rejected-events": {
                "parameters": flow_id,
                "get": _op("Webhook deliveries that were refused"),
            },
            "/api/executions": {
                "get": _op(
                    "List executions, newest first",
                    errors=("400",),
                    params=("flow_id", "status", "since", "until", "limit", "before"),
                ),
            },
            "/api/executions/{execution_id}": {
                "parameters": execution_id,
                "get": _op("An execution with its steps"),
            },
            "/api/executions/{execution_id}/retry": {
                "parameters": execution_id,
                "post": _op(
                    "Retry a failed execution from its failed step", ok="202", errors=("404", "409")
                ),
            },
            "/api/credentials": {
                "get": _op("List credentials (secrets are never returned)", errors=()),
                "post": _op(
                    "Store a credential", ok="201", body={"type": "object"}, errors=("422",)
                ),
            },
            "/api/credentials/{credential_id}": {
                "parameters": [_path_id("credential_id")],
                "get": _op("A credential (secrets are never returned)"),
                "patch": _op(
                    "Rename a credential or replace fields (left-out fields are kept)",
                    body={"type": "object"},
                    errors=("404", "422"),
                ),
                "delete": _op("Delete a credential", ok="204"),
            },
            "/api/credentials/{credential_id}/test": {
                "parameters": [_path_id("credential_id")],
                "post": _op(
                    "Test the connection: ok and the provider's message", errors=("404", "409")
                ),
            },
            "/api/credentials/{credential_id}/oauth": {
                "parameters": [_path_id("credential_id")],
                "post": _op(
                    "Start the OAuth 2 sign-in (browser session): the authorize URL",
                    errors=("400", "404", "409", "503"),
                ),
            },
            "/api/credentials/oauth/callback": {
                "get": {
                    "summary": "The OAuth 2 redirect target: stores the tokens, shows a page",
                    "parameters": [
                        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                        for n in ("code", "state", "error", "error_description")
                    ],
                    "responses": {
                        "200": {"description": "Connected (HTML)"},
                        "400": {"description": "Sign-in failed (HTML)"},
                        "401": PROBLEM,
                    },
                },
            },
            "/api/nodes": {"get": _op("The node catalog", errors=())},
            "/api/functions": {
                "get": _op(
                    "The functions expressions and templates may call, with examples", errors=()
                )
            },
            **ACCOUNT_PATHS,
            "/api/mappings/preview": {
                "post": _op(
                    "Evaluate a JMESPath expression against sample data",
                    body={
                        "type": "object",
                        "required": ["expression"],
                        "properties": {"expression": {"type": "string"}, "scope": {}},
                    },
                    errors=("422",),
                ),
            },
            "/api/mappings/samples": {
                "post": _op(
                    "Sample output of every step of an unsaved flow, for the mapping panel",
                    body={
                        "type": "object",
                        "required": ["graph"],
                        "properties": {"graph": {"$ref": "#/components/schemas/Flow"}},
                    },
                    errors=("422",),
                ),
            },
            "/api/schedules/preview": {
                "post": _op(
                    "The next five times a schedule fires (cron or interval, in its time zone)",
                    body={
                        "type": "object",
                        "required": ["schedule"],
                        "properties": {"schedule": SCHEDULE_SCHEMA},
                    },
                    errors=("422",),
                ),
            },
            **TEMPLATE_PATHS,
            "/api/schema/flow": {"get": _op("The flow JSON Schema", errors=(), public=True)},
            "/api/openapi.json": {"get": _op("This document", errors=(), public=True)},
            "/hooks/test/{token}": {
                "parameters": [_path_id("token")],
                "post": {
                    **_op(
                        "Deliver a test event: runs the saved flow even while it is off",
                        ok="202",
                        errors=("400", "401", "404", "413", "415", "503"),
                        public=True,
                    ),
                    "description": "Executions started here have mode test.",
                },
            },
            "/hooks/{token}": {
                "parameters": [_path_id("token")],
                "post": {
                    **_op(
                        "Deliver a webhook event",
                        ok="202",
                        errors=("400", "401", "404", "413", "415", "503"),
                        public=True,
                    ),
                    "description": "A duplicate (same event id or Idempotency-Key) answers 200 "
                    "with the original execution id.",
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Flow": FLOW_SCHEMA},
            "responses": {
                "Problem": {
                    "description": "A problem document",
                    "content": {
                        "application/problem+json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "title": {"type": "string"},
                                    "status": {"type": "integer"},
                                    "detail": {"type": "string"},
                                    "errors": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "pointer": {"type": "string"},
                                                "message": {"type": "string"},
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    },
                }
            },
        },
    }
