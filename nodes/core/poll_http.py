"""The generic polling trigger: read a JSON list from a web address on a schedule."""

from __future__ import annotations

from typing import Any

from nodes.core.http_request import http_request
from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.engine.mapping import MappingError, evaluate
from nodes.kit.base import Connector, NodeContext, UserError
from nodes.kit.polling import paged
from nodes.kit.registry import node

TOKEN_AUTH = {
    "type": "object",
    "title": "Access token",
    "required": ["token"],
    "properties": {
        "token": {
            "type": "string",
            "title": "Token (sent as Authorization: Bearer …)",
            "writeOnly": True,
        }
    },
}

PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url", "schedule"],
    "properties": {
        "url": {"type": "string", "pattern": "^https?://", "title": "URL"},
        "schedule": SCHEDULE_SCHEMA,
        "items_path": {
            "type": "string",
            "format": "jmespath",
            "title": "Where the list is in the answer",
            "description": "@ when the answer is the list itself, e.g. orders.",
            "default": "@",
        },
        "id_path": {
            "type": "string",
            "format": "jmespath",
            "title": "Item id",
            "default": "id",
        },
        "order_path": {
            "type": "string",
            "format": "jmespath",
            "title": "What tells newer from older",
            "description": "The id if ids grow, or a time such as updated_at.",
            "default": "id",
        },
        "order_type": {
            "enum": ["number", "date", "text"],
            "default": "number",
            "title": "Which is newer",
            "x-enum-titles": {
                "number": {"en": "The higher number", "de": "Die höhere Zahl"},
                "date": {"en": "The later time", "de": "Die spätere Zeit"},
                "text": {
                    "en": "The text later in the alphabet",
                    "de": "Der Text weiter hinten im Alphabet",
                },
            },
        },
        "since_param": {
            "type": "string",
            "title": "Query parameter for “newer than”",
            "description": "Sent with the last seen id or time, e.g. since_id.",
        },
        "page_param": {
            "type": "string",
            "title": "Query parameter for the page number",
            "description": "e.g. page; without it, one request per poll.",
        },
        "max_pages": {
            "type": "integer",
            "minimum": 1,
            "maximum": 50,
            "title": "At most this many pages per poll",
            "default": 5,
        },
        "emit_existing": {
            "type": "boolean",
            "title": "Start with the items already there",
            "description": "Off: the first poll only notes where new items begin.",
            "default": False,
        },
    },
}


def fetch_page(ctx: NodeContext, params: dict[str, Any], after: Any, page: int) -> list[Any]:
    query: dict[str, Any] = {}
    if after is not None and params.get("since_param"):
        query[params["since_param"]] = after
    if params.get("page_param"):
        query[params["page_param"]] = page
    headers = {"Accept": "application/json"}
    if ctx.credential and ctx.credential.get("token"):
        headers["Authorization"] = f"Bearer {ctx.credential['token']}"
    answer = http_request(
        ctx, {"method": "GET", "url": params["url"], "headers": headers, "query": query}, None
    )
    try:
        items = evaluate(params.get("items_path", "@"), answer["body"])
    except MappingError as error:
        raise UserError(error.message, field="items_path") from None
    if not isinstance(items, list):
        raise UserError(
            f"The answer has no list at `{params.get('items_path', '@')}`.", field="items_path"
        )
    return items


# Its own connector: "core" accounts are webhook secrets; this one is a bearer token.
HTTP = Connector(
    "http",
    title={"en": "Web address with a token", "de": "Webadresse mit Token"},
    description={
        "en": "Any web API that accepts a bearer token.",
        "de": "Jede Web-API, die ein Bearer-Token annimmt.",
    },
    auth=TOKEN_AUTH,
)


@node(
    "core.poll_http",
    kind="trigger",
    params=PARAMS,
    output_schema={"description": "One item of the list, as the web address sent it."},
    output_example={
        "id": 820982911946154508,
        "total": "12.50",
        "updated_at": "2026-03-01T10:00:00Z",
    },
    connector=HTTP,
    poll=paged(fetch_page),
)
def poll_http(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input
