"""Built-in triggers: an incoming webhook and a manual run."""

from __future__ import annotations

import base64
import hmac
from typing import Any

import jmespath

from nodes.kit.base import InboundRequest, NodeContext, SignatureError
from nodes.kit.registry import node

ANY_PAYLOAD = {"description": "The parsed request body: JSON as sent, or the form's fields."}

EXAMPLE_ORDER = {
    "id": 820982911946154508,
    "email": "jon@example.com",
    "total_price": "403.00",
    "currency": "EUR",
    "line_items": [{"sku": "IPOD2008PINK", "quantity": 1, "price": "199.00"}],
}

SECRET_AUTH = {
    "type": "object",
    "title": "Webhook secret",
    "required": ["secret"],
    "properties": {
        "secret": {
            "type": "string",
            "title": "Shared secret",
            "minLength": 8,
            "writeOnly": True,
        }
    },
}

WEBHOOK_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "respond": {
            "enum": ["immediately", "from_flow"],
            "default": "immediately",
            "title": "Answer to the sender",
            "description": "At once, the sender only learns that the event arrived. Or the "
            'answer a "Respond to webhook" step of this flow builds; if the flow takes longer '
            "than the time below, the sender learns that the event arrived.",
            "x-enum-titles": {
                "immediately": {
                    "en": "At once: the event arrived",
                    "de": "Sofort: Ereignis angekommen",
                },
                "from_flow": {
                    "en": "The answer of the flow's “Respond to webhook” step",
                    "de": "Die Antwort des Schritts „Auf Webhook antworten“",
                },
            },
        },
        "respond_timeout_seconds": {
            "type": "integer",
            "minimum": 1,
            "maximum": 25,
            "default": 10,
            "title": "Wait for the reply at most (seconds)",
        },
        "event_id_header": {
            "type": "string",
            "title": "Header with the event id",
            "description": "Deliveries with an id seen before are not run again, "
            "e.g. X-Shopify-Webhook-Id.",
        },
        "event_id_path": {
            "type": "string",
            "title": "Event id in the body (JMESPath)",
            "format": "jmespath",
            "description": "Where the sender puts its event id in the body, e.g. id.",
        },
        "signature": {
            "type": "object",
            "title": "Check that the sender signed each event",
            "description": "For senders that sign what they send with a secret you both know "
            "(the account of this step): events with a wrong signature are refused. Leave "
            "empty to accept every event.",
            "additionalProperties": False,
            "required": ["header"],
            "properties": {
                "header": {
                    "type": "string",
                    "title": "Header with the signature",
                    "description": "As the sender documents it, e.g. X-Signature.",
                },
                "algorithm": {
                    "enum": ["sha256", "sha1", "sha512"],
                    "default": "sha256",
                    "title": "Method",
                    "x-enum-titles": {
                        "sha256": "SHA-256",
                        "sha1": {"en": "SHA-1 (older senders)", "de": "SHA-1 (ältere Absender)"},
                        "sha512": "SHA-512",
                    },
                },
                "encoding": {
                    "enum": ["hex", "base64"],
                    "default": "hex",
                    "title": "Written as",
                    "x-enum-titles": {
                        "hex": {"en": "Hexadecimal (0-9, a-f)", "de": "Hexadezimal (0-9, a-f)"},
                        "base64": "Base64",
                    },
                },
                "prefix": {
                    "type": "string",
                    "default": "",
                    "title": "Text before the signature",
                    "description": "If the sender puts one there, e.g. sha256=",
                },
            },
        },
    },
}


def verify_hmac(request: InboundRequest, params: dict[str, Any], credential: dict | None) -> None:
    """Check the shared-secret HMAC of the raw body when the trigger asks for one."""
    signature = params.get("signature")
    if not signature:
        return
    if not credential or not credential.get("secret"):
        raise SignatureError("The trigger checks signatures but has no secret connected.")
    header = signature["header"]
    sent = request.header(header)
    if not sent:
        raise SignatureError(f"The request has no {header} header.")
    prefix = signature.get("prefix", "")
    if prefix and not sent.startswith(prefix):
        raise SignatureError(f"The {header} header does not start with {prefix!r}.")
    digest = hmac.new(
        credential["secret"].encode(), request.body, signature.get("algorithm", "sha256")
    ).digest()
    expected = (
        base64.b64encode(digest).decode() if signature.get("encoding") == "base64" else digest.hex()
    )
    if not hmac.compare_digest(expected.encode(), sent[len(prefix) :].strip().encode()):
        raise SignatureError(f"The {header} signature does not match the body.")


def webhook_event_id(request: InboundRequest, params: dict[str, Any]) -> str | None:
    if header := params.get("event_id_header"):
        return request.header(header)
    if path := params.get("event_id_path"):
        found = jmespath.search(path, request.payload)
        return None if found is None else str(found)
    return None


@node(
    "core.webhook",
    kind="trigger",
    params=WEBHOOK_PARAMS,
    output_schema=ANY_PAYLOAD,
    output_example=EXAMPLE_ORDER,
    auth=SECRET_AUTH,
    webhook=True,
    verify=verify_hmac,
    event_id=webhook_event_id,
)
def webhook(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input


@node(
    "core.manual",
    kind="trigger",
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {"sample": {"title": "Sample data", "description": "Used for previews."}},
    },
    output_schema=ANY_PAYLOAD,
    output_example=EXAMPLE_ORDER,
)
def manual(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input
