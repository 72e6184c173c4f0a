"""The plain HTTP request action: talk to any system that has a web API."""

from __future__ import annotations

import json
from typing import Any

from nodes.core.triggers import SECRET_AUTH
from nodes.kit import files
from nodes.kit.base import NodeContext, RetryPolicy, UserError
from nodes.kit.client import body_of, raise_for_status, send
from nodes.kit.files import FILE_REFERENCE
from nodes.kit.registry import node

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url"],
    "properties": {
        "method": {
            "enum": ["GET", "POST", "PUT", "PATCH", "DELETE"],
            "default": "POST",
            "title": "Method",
        },
        "url": {"type": "string", "pattern": "^https?://", "title": "URL"},
        "headers": {
            "type": "object",
            "title": "Headers",
            "additionalProperties": {"type": "string"},
        },
        "query": {
            "type": "object",
            "title": "Query parameters",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
        "body": {"title": "Body", "description": "Sent as JSON."},
        "file": {
            **FILE_REFERENCE,
            "title": "Upload a file",
            "description": "A file an earlier step saved (a label, an invoice PDF), sent as "
            "the body with its media type, instead of a JSON body.",
        },
        "file_form_field": {
            "type": "string",
            "minLength": 1,
            "title": "As form field",
            "description": "Send the file as this field of a multipart form (an upload form) "
            "instead of as the whole body.",
        },
        "send_secret": {
            "type": "object",
            "title": "Send the account's secret",
            "description": "Where the connected account's secret goes, e.g. the header "
            "Authorization with the prefix 'Bearer ', or the query parameter api_key.",
            "additionalProperties": False,
            "properties": {
                "header": {"type": "string", "title": "Header"},
                "query": {"type": "string", "title": "Query parameter"},
                "prefix": {"type": "string", "title": "Prefix", "default": ""},
            },
        },
    },
}

OUTPUT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "status": {"type": "integer"},
        "headers": {"type": "object"},
        "body": {"description": "The response: parsed JSON, or text."},
    },
}


@node(
    "core.http_request",
    kind="action",
    params=PARAMS,
    output_schema=OUTPUT_SCHEMA,
    output_example={"status": 200, "headers": {"Content-Type": "application/json"}, "body": {}},
    auth=SECRET_AUTH,
    retry=RetryPolicy(attempts=4, backoff_seconds=1.0, max_backoff_seconds=30.0),
)
def http_request(ctx: NodeContext, params: dict[str, Any], input: Any) -> dict[str, Any]:
    method = params.get("method", "POST")
    headers = dict(params.get("headers") or {})
    if method in UNSAFE_METHODS and not any(k.lower() == "idempotency-key" for k in headers):
        headers["Idempotency-Key"] = ctx.idempotency_key
    query = dict(params.get("query") or {})
    _send_secret(ctx, params.get("send_secret"), headers, query)
    response = send(
        ctx.http,
        method,
        params["url"],
        headers=headers,
        params=query or None,
        **_content(ctx, params, headers),
    )
    answer = body_of(response)
    raise_for_status(response, answer)
    return {"status": response.status_code, "headers": dict(response.headers), "body": answer}


def _content(ctx: NodeContext, params: dict[str, Any], headers: dict) -> dict[str, Any]:
    """What the request carries: the JSON body, or a saved file whole or as a form field."""
    body, reference = params.get("body"), params.get("file")
    if reference is None:
        if body is None:
            return {}
        headers.setdefault("Content-Type", "application/json")
        return {"data": json.dumps(body).encode()}
    if body is not None:
        raise UserError("Send either a body or a file, not both.", field="file")
    data = files.read(ctx, reference, "file")
    if field := params.get("file_form_field"):
        return {"files": {field: (reference["filename"], data, reference["media_type"])}}
    headers.setdefault("Content-Type", reference["media_type"])
    return {"data": data}


def _send_secret(ctx: NodeContext, where: dict | None, headers: dict, query: dict) -> None:
    if not where or not (where.get("header") or where.get("query")):
        return
    if not ctx.credential or not ctx.credential.get("secret"):
        raise UserError("Connect an account: this request sends its secret.", field="send_secret")
    value = where.get("prefix", "") + ctx.credential["secret"]
    if where.get("header"):
        headers[where["header"]] = value
    if where.get("query"):
        query[where["query"]] = value
