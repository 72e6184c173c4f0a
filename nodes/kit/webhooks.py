"""Webhooks as a connector declares them: its event types, how deliveries are signed, where
their event id and type are, and how the webhook is registered.

A connector declares one :class:`Webhooks`; the kit turns it into the hooks of its webhook
triggers: the signature is checked first (a forged delivery is refused and kept, whatever
type it claims), then the event type (another type is answered 200 without running).
Signature schemes: :class:`Hmac` over the body, :class:`TimestampedHmac` (Stripe's
``t=…,v1=…``), :class:`ProviderCheck` (the provider confirms it, PayPal),
:class:`PublicKeySignature` (the provider's public key, eBay) and :class:`RsaSignature` (an
RSA signature of the body, lexoffice).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import jmespath

from nodes.kit.base import InboundRequest, ProviderError, SignatureError

if TYPE_CHECKING:
    from nodes.kit.base import Connector
    from nodes.kit.client import ApiClient

Locator = Callable[[InboundRequest], str | None]


def header(name: str) -> Locator:
    """A value a delivery carries in a header (Shopify's topic and delivery id)."""
    return lambda request: request.header(name)


def field(path: str) -> Locator:
    """A value a delivery carries in its JSON body, at a JMESPath ``path`` (Stripe's type)."""
    compiled = jmespath.compile(path)

    def locate(request: InboundRequest) -> str | None:
        found = compiled.search(request.payload) if isinstance(request.payload, dict) else None
        return None if found in (None, "") else str(found)

    return locate


class SignatureScheme(Protocol):
    headers: tuple[str, ...]  # the headers that carry the signature, kept with a rejection

    def verify(
        self, request: InboundRequest, credential: dict[str, Any], connector: Connector
    ) -> None: ...


def signing_key(credential: dict[str, Any], account_field: str, subscribed: str | None, connector):
    """The key a delivery is checked with: what the provider returned when Shopwire
    registered the webhook (``subscribed``), else the one the merchant entered."""
    key = (credential.get("subscription") or {}).get(subscribed) if subscribed else None
    key = key or credential.get(account_field)
    if key:
        return key
    field_schema = ((connector.auth or {}).get("properties") or {}).get(account_field) or {}
    title = field_schema.get("title", account_field)
    named = title if title[1:2].isupper() else title[0].lower() + title[1:]
    how = " connect the account and switch the flow on, or" if subscribed else ""
    raise SignatureError(
        f"The {connector.title['en']} trigger has no {named}, so it cannot check this "
        f"delivery:{how} enter the {named} in the {connector.title['en']} account."
    )


def _sent(request: InboundRequest, name: str) -> str:
    value = request.header(name)
    if not value:
        raise SignatureError(f"The request has no {name} header.")
    return value.strip()


def _mismatch(name: str) -> SignatureError:
    return SignatureError(
        f"The {name} signature does not match the body: the delivery was changed on the way, "
        "or the secret in the account belongs to another webhook or app."
    )


def _digest(key: str, message: bytes, encoding: str) -> bytes:
    digest = hmac.new(key.encode(), message, hashlib.sha256)
    return (
        base64.b64encode(digest.digest()) if encoding == "base64" else digest.hexdigest().encode()
    )


@dataclass(frozen=True)
class Hmac:
    """HMAC-SHA256 of the raw body in ``header``, base64 or hex, keyed with the account's
    ``secret`` field (or the one the provider returned when subscribing, ``subscribed``)."""

    header: str
    secret: str
    encoding: str = "base64"
    subscribed: str | None = "secret"

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header,)

    def sign(self, key: str, body: bytes) -> str:
        return _digest(key, body, self.encoding).decode()

    def verify(self, request: InboundRequest, credential: dict[str, Any], connector) -> None:
        key = signing_key(credential, self.secret, self.subscribed, connector)
        sent = _sent(request, self.header)
        if not hmac.compare_digest(self.sign(key, request.body).encode(), sent.encode()):
            raise _mismatch(self.header)


@dataclass(frozen=True)
class TimestampedHmac:
    """``<header>: t=<unix time>,v1=<hex HMAC of "<t>.<body>">`` (any v1 may match), no older
    than ``tolerance`` seconds: a replayed delivery is refused (Stripe's scheme)."""

    header: str
    secret: str
    tolerance: int = 300
    subscribed: str | None = "secret"

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header,)

    def sign(self, key: str, body: bytes, at: int | None = None) -> str:
        """The header a sender with ``key`` puts on ``body`` at ``at`` (now)."""
        t = str(int(time.time()) if at is None else at)
        return f"t={t},v1={_digest(key, t.encode() + b'.' + body, 'hex').decode()}"

    def verify(self, request: InboundRequest, credential: dict[str, Any], connector) -> None:
        key = signing_key(credential, self.secret, self.subscribed, connector)
        sent = _sent(request, self.header).split(",")
        pairs = [[text.strip() for text in part.split("=", 1)] for part in sent if "=" in part]
        timestamps = [value for key, value in pairs if key == "t"]
        signatures = [value.encode() for key, value in pairs if key == "v1"]
        if not timestamps or not timestamps[0].isdigit() or not signatures:
            raise SignatureError(f"The {self.header} header has no timestamp or no v1 signature.")
        expected = _digest(key, timestamps[0].encode() + b"." + request.body, "hex")
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise _mismatch(self.header)
        check_age(time.time() - int(timestamps[0]), self.tolerance, self.header)


def check_age(age: float, tolerance: int, what: str) -> None:
    if abs(age) > tolerance:
        raise SignatureError(
            f"The {what} is {int(abs(age))} s old (at most {tolerance} s are accepted): a "
            "replayed delivery, or this server's clock is wrong."
        )


# (the provider's client, the delivery, the webhook's key) -> None; raises SignatureError
ProviderVerdict = Callable[["ApiClient", InboundRequest, str], None]


@dataclass(frozen=True)
class ProviderCheck:
    """The provider itself confirms a delivery (PayPal's verify-webhook-signature): ``check``
    calls it with the merchant's client. A refusal is a rejected delivery; an unreachable
    provider a TransientError, so the delivery comes again. ``check`` may read the parsed
    body (PayPal's needs it), so it is parsed before this check, within ingress's bounds;
    the other schemes sign the raw bytes and are checked before any parsing."""

    check: ProviderVerdict
    key: str
    headers: tuple[str, ...] = ()
    subscribed: str | None = "id"

    def verify(self, request: InboundRequest, credential: dict[str, Any], connector) -> None:
        key = signing_key(credential, self.key, self.subscribed, connector)
        if request.api is None:
            raise SignatureError(f"The {connector.title['en']} account is needed to check this.")
        missing = [name for name in self.headers if not request.header(name)]
        if missing:
            raise SignatureError(f"The request has no {', '.join(missing)} header.")
        self.check(request.api, request, key)


@dataclass(frozen=True)
class PublicKeySignature:
    """An asymmetric signature checked with the provider's public key (eBay).

    ``header`` holds base64 JSON with the key id (``kid``) and the base64 DER ``signature``;
    ``public_key(api, kid)`` fetches the PEM key from the provider (cache it: keys rarely
    change). ``message`` is what was signed: the raw body, or what the provider documents
    (eBay signs the compact JSON of the notification). ECDSA with SHA-1, as eBay documents.
    """

    header: str
    public_key: Callable[[ApiClient, str], str]
    message: Callable[[InboundRequest], bytes] = lambda request: request.body

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header,)

    def verify(self, request: InboundRequest, credential: dict[str, Any], connector) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            sent = json.loads(base64.b64decode(_sent(request, self.header)))
            key_id, signature = sent["kid"], base64.b64decode(sent["signature"])
        except (ValueError, KeyError, TypeError):
            raise SignatureError(f"The {self.header} header is not a signature.") from None
        if request.api is None:
            raise SignatureError(f"The {connector.title['en']} account is needed to check this.")
        key = serialization.load_pem_public_key(pem(self.public_key(request.api, key_id)))
        try:
            key.verify(signature, self.message(request), ec.ECDSA(hashes.SHA1()))  # noqa: S303
        except InvalidSignature:
            raise _mismatch(self.header) from None


@dataclass(frozen=True)
class RsaSignature:
    """An RSA signature (PKCS#1 v1.5) of the raw body, base64 in ``header``, checked with the
    provider's one public key: ``public_key(api)`` returns it as PEM (cache it). lexoffice
    signs with SHA-512."""

    header: str
    public_key: Callable[[ApiClient], str]
    hash: str = "sha512"

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header,)

    def verify(self, request: InboundRequest, credential: dict[str, Any], connector) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            signature = base64.b64decode(_sent(request, self.header), validate=True)
        except ValueError:
            raise SignatureError(f"The {self.header} header is not a signature.") from None
        if request.api is None:
            raise SignatureError(f"The {connector.title['en']} account is needed to check this.")
        key = serialization.load_pem_public_key(pem(self.public_key(request.api)))
        algorithm = {"sha256": hashes.SHA256, "sha512": hashes.SHA512}[self.hash]()
        try:
            key.verify(signature, request.body, padding.PKCS1v15(), algorithm)
        except InvalidSignature:
            raise _mismatch(self.header) from None


def pem(text: str) -> bytes:
    """A PEM key as providers send it, on one line (eBay), with the line breaks PEM needs."""
    begin, body = re.match(r"(-----BEGIN [A-Z ]+-----)\s*(.*)", text.strip(), re.S).groups()
    body, end = re.match(r"(.*?)\s*(-----END [A-Z ]+-----)$", body, re.S).groups()
    lines = textwrap.wrap(re.sub(r"\s", "", body), 64)
    return "\n".join([begin, *lines, end, ""]).encode()


@dataclass(frozen=True)
class Recovery:
    """Catching up after the provider dropped or disabled the webhook Shopwire registered
    (providers do, after deliveries failed for hours or days, and tell nobody).

    ``alive(api, subscription)``: is the registered webhook still there and active.
    ``missed(api, event, seen, until)``: what the webhook would have delivered for ``event``
    after the delivery ``seen`` (the last one the flow received) up to ``until`` (aware UTC),
    oldest first, as ``(key, delivery)`` pairs in the webhook's own shape; the key names the
    event, so that fetching it again starts it once. None when the provider's API cannot list
    events of that type.
    """

    alive: Callable[[ApiClient, dict[str, Any]], bool]
    missed: Callable[[ApiClient, str, Any, datetime], list[tuple[str, Any]] | None]


def still_active(api: ApiClient, path: str, active: str) -> bool:
    """A registered webhook read back from the provider at ``path``: False when it is gone
    (404) or its ``status`` is not ``active`` (switched off after failed deliveries)."""
    try:
        webhook = api.get(path)
    except ProviderError as error:
        if error.status == 404:
            return False
        raise
    return webhook.get("status") == active


@dataclass(frozen=True)
class Webhooks:
    """What a connector's provider sends, declared once for all its webhook triggers.

    ``events`` are the event types (or topics) the provider documents, ``event_type`` where a
    delivery names its own. ``subscribe(api, url, event)`` registers the URL for one type and
    returns what to keep (encrypted); ``manual`` is the account field that says the merchant
    set the webhook up by hand (then nothing is registered). ``ping`` says why a delivery is
    the provider's unsigned test ping (answered 200 before any check). ``kept_headers`` are
    kept with a rejected delivery, besides the signature's.
    """

    events: tuple[str, ...]
    event_type: Locator
    signature: SignatureScheme
    event_id: Callable[[InboundRequest], str | None]
    subscribe: Callable[[ApiClient, str, str], dict[str, Any] | None] | None = None
    unsubscribe: Callable[[ApiClient, dict[str, Any]], None] | None = None
    manual: str | None = None
    ping: Callable[[InboundRequest], str | None] = lambda request: None
    kept_headers: tuple[str, ...] = ()
    # The envelope every delivery shares (output schema of the "any event" trigger), and an
    # example delivery.
    schema: dict[str, Any] | None = None
    example: Any = None
    # How a webhook the provider dropped is noticed and its missed events fetched back.
    recovery: Recovery | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return (*self.signature.headers, *self.kept_headers)

    def registered(self, api: ApiClient, url: str, event: str) -> dict[str, Any] | None:
        if self.subscribe is None or (self.manual and api.credential.get(self.manual)):
            return None
        return self.subscribe(api, url, event)
