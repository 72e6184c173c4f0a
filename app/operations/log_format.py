"""Structured logs: one JSON object per line when ``SHOPWIRE_LOG_FORMAT=json``.

Each line carries the execution id and the shop id where there is one: a worker binds them
while it runs an execution (:func:`bind`), ingress once it knows the endpoint, and a signed-in
page or API request has the shop in ``g``. Secrets are scrubbed on the handler with the engine's
own filter, so whatever logger a line comes from, a step's secrets never leave the process.
"""

from __future__ import annotations

import contextvars
import logging
import sys

from flask import Flask, g, has_app_context
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

_bound: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "shopwire_log_context", default=None
)

FIELDS = "{asctime}{levelname}{name}{message}"


def bind(**fields) -> None:
    """Name the execution and shop the lines logged from here on in this context belong to."""
    _bound.set({key: value for key, value in fields.items() if value is not None})


class _Context(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        fields = dict(_bound.get() or {})
        if "shop_id" not in fields and has_app_context() and g.get("merchant_id") is not None:
            fields["shop_id"] = g.merchant_id
        for key, value in fields.items():
            setattr(record, key, value)
        return True


def init_app(app: Flask) -> None:
    if str(app.config["SHOPWIRE_LOG_FORMAT"]).lower() != "json":
        return
    app.before_request(bind)  # a request thread's previous delivery is not this request's
    # Flask's own handler would print the app's lines a second time, as plain text.
    app.logger.removeHandler(default_handler)
    root = logging.getLogger()
    if any(getattr(handler, "shopwire_json", False) for handler in root.handlers):
        return  # once per process, however many apps it creates
    root_handler = json_handler(sys.stderr)
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(root_handler)
    root.setLevel(logging.INFO)


def json_handler(stream) -> logging.Handler:
    """A handler writing one JSON object per line to ``stream``. Secrets are scrubbed where
    every record is made (:func:`nodes.engine.redaction.install_log_filter`), a library's too."""
    handler = logging.StreamHandler(stream)
    handler.shopwire_json = True
    handler.setFormatter(
        JsonFormatter(
            FIELDS,
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_Context())
    return handler
