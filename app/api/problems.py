"""Errors as RFC 9457 problem documents: ``application/problem+json`` with an ``errors`` list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, json
from werkzeug.exceptions import HTTPException

from nodes.engine.schema_errors import Problem

PROBLEM_TYPE = "https://shopwire.example/problems/"


class ApiProblem(Exception):
    """Raise from a view to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: Iterable[Problem] = (),
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        self.extra = extra

    def response(self) -> Response:
        return problem_response(
            self.status, self.title, self.detail, self.errors, self.headers, **self.extra
        )


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    errors: Iterable[Problem] = (),
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + title.lower().replace(" ", "-").strip("."),
        "title": title,
        "status": status,
        "errors": [e.to_dict() for e in errors],
        **extra,
    }
    if detail:
        body["detail"] = detail
    response = Response(json.dumps(body), status, mimetype="application/problem+json")
    response.headers.update(headers or {})
    return response


def internal_error() -> Response:
    """The answer to a request that crashed: no details, which stay in the log."""
    return problem_response(
        500,
        "Internal error",
        "Something went wrong on our side. Please try again; if it keeps happening, "
        "contact support.",
    )


def http_problem(error: HTTPException) -> Response:
    """Werkzeug's own errors (404, 405, 413 …) in the same shape, without HTML."""
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return problem_response(error.code or 500, error.name, error.description, headers=headers)
