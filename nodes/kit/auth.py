"""How a connector's requests prove who is asking: the auth types a connector declares.

A connector names one of these (``auth_type=Bearer("api_key")``) with the fields of its account
schema they read; :class:`~nodes.kit.client.ApiClient` applies it to every request. Types that
fetch a token or a session keep it in :data:`TOKENS` until shortly before it expires, and drop
it when the provider refuses it (``forget``), so a 401 is sent once more with a fresh one.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from nodes.kit.base import ProviderError
from nodes.kit.client import body_of
from nodes.kit.tokens import TokenCache

if TYPE_CHECKING:
    from nodes.kit.client import ApiClient

TOKENS = TokenCache()


class AuthType(Protocol):
    def headers(self, api: ApiClient, credential: dict[str, Any]) -> dict[str, str]:
        """The headers that authenticate a request with this account."""
        ...

    def params(self, credential: dict[str, Any]) -> dict[str, str]:
        """Query parameters that authenticate it (an API key in the query)."""
        ...

    def forget(self, api: ApiClient, credential: dict[str, Any]) -> bool:
        """Drop a cached token or session the provider refused; True if there was one, so
        the request is worth sending once more."""
        ...


@dataclass(frozen=True)
class ApiKey:
    """A key from the account in a header (``prefix`` before it) or a query parameter."""

    field: str
    header: str | None = None
    query: str | None = None
    prefix: str = ""

    def headers(self, api: ApiClient, credential: dict[str, Any]) -> dict[str, str]:
        return {self.header: self.prefix + credential[self.field]} if self.header else {}

    def params(self, credential: dict[str, Any]) -> dict[str, str]:
        return {self.query: credential[self.field]} if self.query else {}

    def forget(self, api: ApiClient, credential: dict[str, Any]) -> bool:
        return False


def Bearer(field: str) -> ApiKey:  # noqa: N802 - reads as the auth type it declares
    """``Authorization: Bearer <key>`` with the account's key."""
    return ApiKey(field, header="Authorization", prefix="Bearer ")


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@dataclass(frozen=True)
class Basic:
    """HTTP Basic auth with two fields of the account."""

    username: str
    password: str

    def headers(self, api: ApiClient, credential: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": basic(credential[self.username], credential[self.password])}

    def params(self, credential: dict[str, Any]) -> dict[str, str]:
        return {}

    def forget(self, api: ApiClient, credential: dict[str, Any]) -> bool:
        return False


@dataclass(frozen=True)
class AllOf:
    """Several auth types on every request: DHL wants its app key and the business
    customer's Basic login, DPD four credential headers. A cached token among them is
    dropped on a 401 like on its own."""

    parts: tuple[AuthType, ...]

    def headers(self, api: ApiClient, credential: dict[str, Any]) -> dict[str, str]:
        return {k: v for part in self.parts for k, v in part.headers(api, credential).items()}

    def params(self, credential: dict[str, Any]) -> dict[str, str]:
        return {k: v for part in self.parts for k, v in part.params(credential).items()}

    def forget(self, api: ApiClient, credential: dict[str, Any]) -> bool:
        return any([part.forget(api, credential) for part in self.parts])


class _Cached:
    """A token or session fetched with the account and reused until shortly before expiry.
    A subclass names where it is fetched (``path``) and how (``fetch``)."""

    path: str | Callable[[dict[str, Any]], str]

    def headers(self, api: ApiClient, credential: dict[str, Any]) -> dict[str, str]:
        token = TOKENS.token(self._key(api, credential), lambda: self.fetch(api, credential))
        return self.present(token)

    def params(self, credential: dict[str, Any]) -> dict[str, str]:
        return {}

    def forget(self, api: ApiClient, credential: dict[str, Any]) -> bool:
        TOKENS.forget(self._key(api, credential))
        return True

    def _key(self, api: ApiClient, credential: dict[str, Any]) -> dict[str, Any]:
        """A token belongs to one account at one address (a shop's own token URL)."""
        return {**credential, "token_url": api.url(self.where(credential))}

    def where(self, credential: dict[str, Any]) -> str:
        """The token's path, or a function of the account giving it (a sandbox's own host)."""
        return self.path(credential) if callable(self.path) else self.path

    def fetch(self, api: ApiClient, credential: dict[str, Any]) -> tuple[str, float]:
        raise NotImplementedError

    def present(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class ClientCredentials(_Cached):
    """OAuth 2 client credentials: the account's id and secret buy a bearer token.

    ``send`` is where the id and secret go: ``"basic"`` (RFC 6749 2.3.1, PayPal, UPS) with a
    form body, ``"form"`` in the form body (RFC 6749 2.3.1's alternative, Hermes), or
    ``"json"`` in a JSON body (Shopware). ``path`` may be a full URL where the provider's
    token endpoint lives on another host, or a function of the account giving one.
    """

    path: str | Callable[[dict[str, Any]], str]
    client_id: str = "client_id"
    client_secret: str = "client_secret"
    send: str = "basic"
    lifetime: float = 600.0  # when the reply gives no expires_in

    def grant(self, credential: dict[str, Any]) -> dict[str, Any]:
        return {"grant_type": "client_credentials"}

    def fetch(self, api: ApiClient, credential: dict[str, Any]) -> tuple[str, float]:
        grant, where = self.grant(credential), self.where(credential)
        identity = {
            "client_id": credential[self.client_id],
            "client_secret": credential[self.client_secret],
        }
        if self.send == "json":
            body = api.unauthenticated("POST", where, json={**grant, **identity})
        elif self.send == "form":
            body = api.unauthenticated(
                "POST",
                where,
                data={**grant, **identity},
                headers={"Accept": "application/json"},
            )
        else:
            body = api.unauthenticated(
                "POST",
                where,
                data=grant,
                headers={
                    "Authorization": basic(
                        credential[self.client_id], credential[self.client_secret]
                    ),
                    "Accept": "application/json",
                },
            )
        return body["access_token"], float(body.get("expires_in") or self.lifetime)


@dataclass(frozen=True)
class PasswordGrant(ClientCredentials):
    """OAuth 2 resource owner password credentials (RFC 6749 4.3): the app's client id and
    secret together with the merchant's user name and password buy a bearer token (Hermes;
    DHL Parcel DE offers it too)."""

    username: str = "username"
    password: str = "password"

    def grant(self, credential: dict[str, Any]) -> dict[str, Any]:
        return {
            "grant_type": "password",
            "username": credential[self.username],
            "password": credential[self.password],
        }


@dataclass(frozen=True)
class SessionLogin(_Cached):
    """A login request that opens a session (SAP Business One's Service Layer).

    ``body(credential)`` is what is posted to ``path``; ``session`` is where the reply holds
    the session id; it is sent back as the cookie ``cookie`` (or as a bearer token when no
    cookie is named), with the cookies named in ``keep_cookies`` that the login reply set (a
    load balancer's ``ROUTEID``, which keeps the session on the server that opened it).
    ``timeout`` is where the reply says how many minutes the session lasts.
    """

    path: str
    body: Callable[[dict[str, Any]], dict[str, Any]]
    session: str = "SessionId"
    cookie: str | None = None
    keep_cookies: tuple[str, ...] = ()
    timeout: str | None = None
    lifetime: float = 1800.0

    def fetch(self, api: ApiClient, credential: dict[str, Any]) -> tuple[str, float]:
        response = api.unauthenticated_response(
            "POST", self.where(credential), json=self.body(credential)
        )
        reply = body_of(response)
        if not isinstance(reply, dict) or not reply.get(self.session):
            raise ProviderError(
                f"{api.connector.title['en']}'s login answered without a session: check the "
                "account's address.",
                status=response.status_code,
            )
        minutes = reply.get(self.timeout) if self.timeout else None
        lifetime = float(minutes) * 60 if minutes else self.lifetime
        if not self.cookie:
            return reply[self.session], lifetime
        cookies = [(self.cookie, reply[self.session])]
        cookies += [
            (name, response.cookies[name]) for name in self.keep_cookies if name in response.cookies
        ]
        return "; ".join(f"{name}={value}" for name, value in cookies), lifetime

    def present(self, token: str) -> dict[str, str]:
        if self.cookie:
            return {"Cookie": token}
        return super().present(token)


@dataclass(frozen=True)
class AuthorizationCode:
    """OAuth 2 authorization code: the merchant signs in at the provider (with PKCE), and
    the app keeps the tokens in the account under ``oauth`` and refreshes them before they
    expire (``app/credentials/oauth.py``). The account holds the OAuth app's ``client_id``
    and ``client_secret``."""

    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    pkce: bool = True

    def headers(self, api: ApiClient, credential: dict[str, Any]) -> dict[str, str]:
        token = (credential.get("oauth") or {}).get("access_token")
        return {"Authorization": f"Bearer {token}"} if token else {}

    def params(self, credential: dict[str, Any]) -> dict[str, str]:
        return {}

    def forget(self, api: ApiClient, credential: dict[str, Any]) -> bool:
        return False
