"""Talking to external APIs from nodes: one request path, one way errors are reported.

:func:`send` is the guarded request every node uses; it turns network failures into the typed
node errors. :class:`ApiClient` is what a connector's nodes get as ``ctx.api``: the provider's
base URL for the merchant's credential, its authentication, an idempotency key on every POST,
and the provider's errors, throttling and rate-limit replies turned into messages a merchant
can act on (with retries left to the engine's per-node policy).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import idna
import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError, ProtocolError

from nodes.kit.base import Connector, ProviderError, TransientError, UserError
from nodes.kit.guarded_http import BadAddress, OutboundBlocked, ResponseTooLarge

# What a merchant can do about a refusal, by HTTP status, when the provider's message alone
# does not say it.
HINTS = {
    400: "Check the values this step sends; the message above names the one the system refused.",
    401: "The account's key or token is wrong or expired: open the account and enter it again.",
    402: "The system refused the request because of the account's plan or balance.",
    403: "The account is missing a permission (scope) this step needs: grant it and reconnect.",
    404: "The record was not found: check the id this step is mapped from.",
    409: "The record was changed at the same time by someone else: run the step again.",
    422: "Check the values this step sends; the message above names the one the system refused.",
}

# GraphQL APIs answer 200 and report failures in ``errors``; the common ``extensions.code``
# values, as the HTTP status they amount to (for the hint, and 5xx for a retry).
GRAPHQL_STATUS = {
    "UNAUTHENTICATED": 401,
    "ACCESS_DENIED": 403,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "INTERNAL_SERVER_ERROR": 500,
}


def send(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request through the guarded session, with network failures as node errors."""
    try:
        return session.request(method, url, **kwargs)
    except (OutboundBlocked, BadAddress, ResponseTooLarge) as error:
        raise UserError(str(error), field="url") from None
    except (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):
        raise UserError(
            f"{url} is not a web address: it must start with http:// or https://.", field="url"
        ) from None
    except (requests.exceptions.InvalidURL, UnicodeError):
        raise UserError(
            f"{url} is not a valid web address: check it for typos and spaces.", field="url"
        ) from None
    except requests.Timeout as error:
        seconds = kwargs.get("timeout") or getattr(session, "default_timeout", None)
        raise TransientError(_no_answer(error, url, seconds)) from None
    except requests.ConnectionError as error:
        raise TransientError(_network_failure(error, url)) from None
    except requests.TooManyRedirects:
        raise UserError(f"{url} redirects too often.", field="url") from None


def body_of(response: requests.Response) -> Any:
    """The response body: parsed JSON when it is JSON, else text, None when empty."""
    if not response.content:
        return None
    if "json" in response.headers.get("Content-Type", ""):
        try:
            return response.json()
        except ValueError:
            pass
    return response.text


def raise_for_status(
    response: requests.Response,
    body: Any,
    message: str | None = None,
    hints: dict[int, str] | None = None,
) -> None:
    """429 and 5xx are transient (retried, honouring Retry-After); other 4xx are refusals,
    with a hint by status (``hints`` first: a provider's own meaning of a status)."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise TransientError(
            f"{_origin(response.url)} answered {status} {response.reason}"
            + (f": {message}" if message else "."),
            retry_after=wait_for(response.headers),
        )
    if status >= 400:
        raise ProviderError(
            f"{_origin(response.url)} answered {status} {response.reason}: "
            f"{message or excerpt(body)}",
            status=status,
            hint=(hints or {}).get(status) or HINTS.get(status),
        )


def excerpt(body: Any, limit: int = 300) -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    return text if len(text) <= limit else text[:limit] + "…"


def wait_for(headers: Any) -> float | None:
    """How long a throttled reply asks to wait: Retry-After, else ``RateLimit-Reset``
    (seconds until the window resets, the IETF draft's rate-limit header)."""
    wait = retry_after(headers.get("Retry-After"))
    if wait is None and (reset := headers.get("RateLimit-Reset", "")).strip().isdigit():
        wait = float(reset)
    return wait


def retry_after(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


class ApiClient:
    """A connector's API as one merchant's credential sees it (``ctx.api`` in a node).

    ``origin`` replaces the scheme and host of the provider's base URL: the tests and the demo
    point connectors at local fake servers this way, keeping the documented paths.
    """

    def __init__(
        self,
        connector: Connector,
        session: requests.Session,
        credential: dict[str, Any] | None,
        *,
        idempotency_key: str | None = None,
        origin: str | None = None,
    ) -> None:
        self.connector = connector
        self.session = session
        self.credential = credential or {}
        self.idempotency_key = idempotency_key
        self.origin = origin
        self._posts = 0

    def url(self, path: str) -> str:
        url = path if "://" in path else self.connector.base_url(self.credential) + path
        if not self.origin:
            return url
        parts, origin = urlsplit(url), urlsplit(self.origin)
        return urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, ""))

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request with auth applied; answer the response or raise a node error.

        A 401 to an auth type that caches a token drops it, and the request is sent once
        more with a fresh one: a token may be revoked or expire before its stated time.
        """
        headers = kwargs.pop("headers", {})
        if method == "POST" and self.connector.idempotency_header and self.idempotency_key:
            headers = {self.connector.idempotency_header: self._next_idempotency_key(), **headers}
        response = self._send_in_turn(method, path, headers, **kwargs)
        auth = self.connector.auth_type
        if response.status_code == 401 and auth and auth.forget(self, self.credential):
            response = self._send_in_turn(method, path, headers, **kwargs)
        body = body_of(response)
        raise_for_status(response, body, self.connector.error_message(body), self.connector.hints)
        if (wait := self.connector.throttled(response, body)) is not None:
            raise TransientError(
                f"{self.connector.title['en']} asks to slow down.", retry_after=wait
            )
        return response

    def unauthenticated(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request without the account's auth (fetching a token); the reply's body."""
        return body_of(self.unauthenticated_response(method, path, **kwargs))

    def unauthenticated_response(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """The same, answering the whole response (a login whose reply sets cookies)."""
        response = send(self.session, method, self.url(path), **kwargs)
        body = body_of(response)
        raise_for_status(response, body, self.connector.error_message(body), self.connector.hints)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return body_of(self.request(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.json("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.json("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.json("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.json("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.json("DELETE", path, **kwargs)

    def graphql(self, query: str, variables: dict[str, Any] | None = None):
        """Run a GraphQL operation (POST ``{query, variables}``); answer the reply's ``data``.

        Throttling is the connector's ``throttled`` hook, as for any reply; the top-level
        ``errors`` of a 200 reply become a ``ProviderError`` with the provider's message
        (``error_message``), or a ``TransientError`` for an internal error.
        """
        body = self.post(
            self.connector.graphql_path, json={"query": query, "variables": variables or {}}
        )
        errors = body.get("errors") if isinstance(body, dict) else None
        if not errors:
            return body.get("data") if isinstance(body, dict) else body
        codes = [(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)]
        status = next((GRAPHQL_STATUS[c] for c in codes if c in GRAPHQL_STATUS), 400)
        message = self.connector.error_message(body) or excerpt(errors)
        if status >= 500:
            raise TransientError(message)
        raise ProviderError(message, hint=HINTS.get(status))

    def pages(
        self,
        path: str,
        *,
        items: Callable[[Any], list[Any]],
        next_page: Callable[[requests.Response, Any, dict[str, Any]], dict[str, Any] | str | None],
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        limit: int = 100,
    ) -> Iterator[Any]:
        """Every item over a paginated list, at most ``limit`` pages.

        ``next_page`` returns the next page's query parameters (cursor styles), its URL
        (:func:`link_next`), or None on the last page. ``headers`` go with every page (a
        page size asked for in a header).
        """
        url, query = path, dict(params or {})
        for _ in range(limit):
            response = self.request("GET", url, params=query, headers=dict(headers or {}))
            body = body_of(response)
            yield from items(body)
            following = next_page(response, body, query)
            if following is None:
                return
            if isinstance(following, str):
                url, query = following, {}
            else:
                query = following

    def _send_in_turn(
        self, method: str, path: str, headers: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        """Send when the provider's rate limit gives this account a turn; a 429 is waited out
        and sent again while the limit allows, else answered as it is."""
        limit = self.connector.rate_limit
        if limit is None:
            return self._send(method, path, headers, **kwargs)
        account = self.connector.key + ":" + _fingerprint(self.credential)
        for _ in range(limit.waits_on_429):
            limit.take_turn(account)
            response = self._send(method, path, headers, **kwargs)
            if response.status_code != 429:
                return response
            pause = limit.pause_after_429(wait_for(response.headers))
            if pause is None:
                return response
            limit.sleep(pause)
        limit.take_turn(account)
        return self._send(method, path, headers, **kwargs)

    def _send(
        self, method: str, path: str, headers: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        auth = self.connector.auth_type if self.credential else None
        fixed = {k: v() if callable(v) else v for k, v in self.connector.headers.items()}
        headers = {**fixed, **self._auth_headers(auth), **headers}
        if auth and (params := auth.params(self.credential)):
            kwargs["params"] = {**(kwargs.get("params") or {}), **params}
        return send(self.session, method, self.url(path), headers=headers, **kwargs)

    def _auth_headers(self, auth: Any) -> dict[str, str]:
        return auth.headers(self, self.credential) if auth else {}

    def _next_idempotency_key(self) -> str:
        """The step's key for its first POST, numbered for later ones: stable across retries."""
        self._posts += 1
        key = self.idempotency_key
        return key if self._posts == 1 else f"{key}:{self._posts}"


def _fingerprint(credential: dict[str, Any]) -> str:
    """Who an account is, for its rate limit, without keeping its secrets in memory as keys."""
    canonical = json.dumps(credential, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()[:32]


def link_next(response: requests.Response, body: Any, query: dict[str, Any]) -> str | None:
    """Pagination by ``Link: <…>; rel="next"`` headers (Shopify REST, WooCommerce, GitHub)."""
    return response.links.get("next", {}).get("url")


def cursor(param: str, after: Callable[[Any], Any]) -> Callable[..., dict[str, Any] | None]:
    """Pagination by a cursor: ``after(body)`` gives the next cursor, or None on the last page."""

    def next_page(response: requests.Response, body: Any, query: dict[str, Any]):
        value = after(body)
        return None if value in (None, "") else {**query, param: value}

    return next_page


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _network_failure(error: requests.ConnectionError, url: str) -> str:
    """What went wrong on the network, in a sentence about the host the request went to (the
    last redirect's, if it was redirected), without urllib3's internals."""
    failure = error.args[0] if error.args else None
    cause = getattr(failure, "reason", failure)
    host = _shown_host(getattr(getattr(failure, "pool", None), "host", None)) or _origin(url)
    if isinstance(error, requests.exceptions.SSLError):
        return (
            f"The secure connection to {host} failed: its certificate is not valid for this "
            "address, or it does not speak HTTPS on this port."
        )
    if isinstance(cause, NameResolutionError):
        return f"The server {host} was not found: check the address for typos."
    if isinstance(cause, NewConnectionError) and "refused" in str(cause).lower():
        return f"{host} refused the connection: nothing answers at this address and port."
    if isinstance(cause, ProtocolError):
        return f"{host} closed the connection before it answered."
    return f"Could not connect to {host}: the network between Shopwire and it failed."


def _shown_host(host: str | None) -> str | None:
    """A host as the merchant wrote it: ``bücher.example``, not ``xn--bcher-kva.example``."""
    if not host:
        return None
    try:
        return idna.decode(host)
    except idna.IDNAError:
        return host


def _no_answer(error: requests.Timeout, url: str, seconds: Any) -> str:
    """A timeout, in a sentence with the host and how long was waited."""
    host = _shown_host(urlsplit(url).hostname) or _origin(url)
    within = f" within {seconds:g} s" if isinstance(seconds, int | float) else ""
    if isinstance(error, requests.ConnectTimeout):
        return f"The server at {host} could not be reached{within}."
    return f"The server at {host} did not answer{within}."
