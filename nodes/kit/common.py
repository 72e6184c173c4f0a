"""What every connector has without writing it: a custom API call action, and a trigger for
any event type its provider documents."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import Connector, NodeContext, params_schema
from nodes.kit.client import body_of

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

API_CALL_OUTPUT = {
    "type": "object",
    "properties": {
        "status": {"type": "integer"},
        "headers": {"type": "object"},
        "body": {"description": "The answer: parsed JSON, or text."},
    },
}


def declare_common(connector: Connector) -> None:
    if connector.http_api:
        _declare_api_call(connector)
    if connector.webhooks is not None and connector.webhooks.events:
        _declare_any_event(connector)


def _declare_api_call(connector: Connector) -> None:
    name = connector.title

    @connector.action(
        "api_call",
        title={"en": f"{name['en']} API call", "de": f"{name['de']}-API-Aufruf"},
        description={
            "en": f"Sends any request to the {name['en']} API with this account: for what no "
            "other step does. The path is below the account's API address; authentication, "
            "error messages, retries and rate limits are handled as for every step. Example: "
            'GET /orders with query {"limit": 5} → status 200 and the answer in body.',
            "de": f"Sendet eine beliebige Anfrage an die {name['de']}-API mit diesem Konto: "
            "für alles, was kein anderer Schritt kann. Der Pfad liegt unter der API-Adresse "
            "des Kontos; Anmeldung, Fehlermeldungen, Wiederholungen und Ratenlimits laufen wie "
            'bei jedem Schritt. Beispiel: GET /orders mit Query {"limit": 5} → Status 200 und '
            "die Antwort in body.",
        },
        params=params_schema(
            ["method", "path"],
            method={"enum": METHODS, "default": "GET", "title": "Method"},
            path={
                "type": "string",
                "pattern": "^/(?!/)[^\\s]*$",
                "not": {"pattern": "://"},
                "title": "Path",
                "description": "Below the account's API address, starting with /.",
            },
            query={
                "type": "object",
                "title": "Query parameters",
                "additionalProperties": {"type": ["string", "number", "boolean"]},
            },
            body={"title": "Body", "description": "For POST, PUT and PATCH."},
        ),
        output_schema=API_CALL_OUTPUT,
        output_example={"status": 200, "headers": {"Content-Type": "application/json"}, "body": {}},
    )
    def api_call(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
        sent: dict[str, Any] = {"params": params.get("query") or None}
        if "body" in params:
            sent |= connector.encode_body(params["body"])
        response = ctx.api.request(params["method"], params["path"], **sent)
        return {
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": body_of(response),
        }


def _declare_any_event(connector: Connector) -> None:
    name = connector.title
    connector.event_trigger(
        "event",
        title={"en": f"{name['en']} event", "de": f"{name['de']}-Ereignis"},
        description={
            "en": f"Starts for the event type you pick, out of every one {name['en']} sends. "
            "The delivery is checked with the account's signature first and is the trigger's "
            "data.",
            "de": f"Startet für den gewählten Ereignistyp, aus allen, die {name['de']} sendet. "
            "Die Zustellung wird zuerst mit der Signatur des Kontos geprüft und ist die Daten "
            "des Auslösers.",
        },
        output_schema=connector.webhooks.schema or {"type": "object"},
        output_example=connector.webhooks.example,
    )
