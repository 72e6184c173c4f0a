"""The one guarded HTTP session that every node uses for outbound requests.

Flows let merchants type arbitrary URLs, so without a guard a flow could reach the machine
Shopwire runs on (admin ports, Redis, the database) or the cloud metadata service at
169.254.169.254 and read credentials from it (server-side request forgery).

The guard lives at the lowest level that still knows the host name: urllib3's connection
``_new_conn``. It resolves the name, checks *every* resolved address and then connects only to
those vetted addresses, in the same call. Checking the URL before the request is not enough:

* a DNS name can resolve to a private address, or change its answer between a separate check
  and the connect (DNS rebinding);
* a public server can redirect to a private address, and every redirect hop opens its own
  connection, so it passes through the same guard;
* proxies would connect on our behalf, so environment proxies are ignored and explicit
  proxies are refused.

Only socket creation changes, so TLS certificate and hostname verification (and SNI) still use
the host name from the URL.

The session has no retries (the engine owns retries), no cookies kept between requests, a
default timeout, a redirect limit and a cap on the response size, which is enforced while
streaming so a huge body never sits in memory.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import idna
import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.connection import allowed_gai_family, create_connection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOW_PRIVATE_HINT = "An operator can allow private networks with SHOPWIRE_ALLOW_PRIVATE_NETWORKS."

_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # shared address space, not "private" to Python
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known NAT64 prefix, embeds an IPv4 address
_CHUNK_SIZE = 64 * 1024


class OutboundBlocked(Exception):
    """The target address was refused by the guard; the message says which host and why.

    Deliberately not an ``OSError``/``RequestException``: urllib3 would treat those as network
    failures (and might retry); a refusal is a configuration problem the user must fix.
    """


class BadAddress(Exception):
    """The URL cannot be requested (not http or https, or a host name no name server could
    answer for); the message says which address and why. Not a ``RequestException`` either:
    it is the flow's address to fix, not a network failure to retry."""


class ResponseTooLarge(Exception):
    """The response body exceeded the session's ``max_response_bytes``."""


@dataclass(frozen=True)
class _AddressPolicy:
    """Which resolved addresses may be connected to."""

    allow_all: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_setting(cls, allow_private: bool | Iterable[str]) -> _AddressPolicy:
        if isinstance(allow_private, bool):
            return cls(allow_all=allow_private)
        if isinstance(allow_private, str):
            raise TypeError("allow_private must be a bool or a list of CIDR strings, not a str")
        # strict=False accepts "10.1.2.3/8" as 10.0.0.0/8; a bad string raises ValueError here,
        # when the session is built, rather than on the first request.
        networks = tuple(ipaddress.ip_network(cidr, strict=False) for cidr in allow_private)
        return cls(allowed_networks=networks)

    def refusal_reason(self, ip: IPAddress) -> str | None:
        """Return why ``ip`` is blocked (e.g. "loopback addresses"), or None if it is allowed."""
        if self.allow_all:
            return None
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1 on a dual-stack socket
        if any(ip.version == net.version and ip in net for net in self.allowed_networks):
            return None
        embedded = _embedded_ipv4(ip)
        if embedded is not None and (reason := self.refusal_reason(embedded)):
            return reason
        return _blocked_category(ip)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address that 6to4 and NAT64 addresses route to, if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _blocked_category(ip: IPAddress) -> str | None:
    """Name the non-public category of ``ip`` for the error message; None for public addresses."""
    if ip.is_unspecified:
        return "unspecified addresses"
    if ip.is_loopback:
        return "loopback addresses"
    if ip.is_link_local:
        return "link-local addresses (including cloud metadata services)"
    if ip.is_multicast:
        return "multicast addresses"
    if ip in _CGNAT:
        return "carrier-grade NAT addresses"
    if ip.is_private:
        return "private network addresses"
    if ip.is_reserved:
        return "reserved addresses"
    if not ip.is_global:
        return "non-public addresses"
    return None


def _resolve_and_vet(host: str, port: int, policy: _AddressPolicy) -> list[str]:
    """Resolve ``host`` and return its addresses, refusing the host if any of them is blocked.

    Refusing the whole host (instead of skipping bad answers) keeps the behaviour predictable: a
    name that points anywhere private is a configuration mistake or an attack.
    """
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, allowed_gai_family(), socket.SOCK_STREAM)
    except UnicodeError:  # a label longer than 63 characters, or an empty one ("a..b")
        raise BadAddress(f"{host} is not a valid host name: check the address for typos.") from None
    addresses = list(dict.fromkeys(sockaddr[0] for *_, sockaddr in infos))
    for address in addresses:
        reason = policy.refusal_reason(ipaddress.ip_address(address))
        if reason is None:
            continue
        if host.strip("[]") == address:
            raise OutboundBlocked(
                f"Refused to connect to {host}: {reason} are blocked. {ALLOW_PRIVATE_HINT}"
            )
        # What an internal name resolves to is the operator's business, not the merchant's.
        raise OutboundBlocked(
            f"Refused to connect to {host}: the address points into a private network. "
            + ALLOW_PRIVATE_HINT
        )
    return addresses


class _GuardedConnectionMixin:
    """Replaces urllib3's ``_new_conn`` so the socket only ever connects to vetted addresses."""

    policy: ClassVar[_AddressPolicy]
    # Provided by urllib3.connection.HTTPConnection:
    host: str
    port: int
    timeout: Any
    source_address: tuple[str, int] | None
    socket_options: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        try:
            sock = self._connect_vetted()
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error  # type: ignore[arg-type]
        except TimeoutError as error:
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            ) from error
        except OSError as error:
            raise NewConnectionError(  # type: ignore[arg-type]
                self, f"Failed to establish a new connection: {error}"
            ) from error
        sys.audit("http.client.connect", self, self.host, self.port)
        return sock

    def _connect_vetted(self) -> socket.socket:
        # The addresses are IP literals, so create_connection does no second DNS lookup that a
        # rebinding name server could answer differently.
        last_error: OSError | None = None
        for address in _resolve_and_vet(self._dns_host, self.port, self.policy):
            try:
                return create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as error:
                last_error = error
        raise last_error or OSError(f"{self.host} did not resolve to any address")


def _guarded_pool_classes(policy: _AddressPolicy) -> dict[str, type[HTTPConnectionPool]]:
    """Connection-pool classes whose connections enforce ``policy``.

    urllib3 builds connections from a class, not a factory, and its pool keys reject unknown
    keyword arguments, so the policy is bound as a class attribute of per-session subclasses.
    """

    class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
        pass

    class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
        pass

    GuardedHTTPConnection.policy = policy
    GuardedHTTPSConnection.policy = policy

    class GuardedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return {"http": GuardedHTTPConnectionPool, "https": GuardedHTTPSConnectionPool}


class _GuardedAdapter(HTTPAdapter):
    """Transport adapter: guarded connection pools, no proxies, capped response bodies."""

    def __init__(self, policy: _AddressPolicy, max_response_bytes: int) -> None:
        self._policy = policy
        self.max_response_bytes = max_response_bytes
        super().__init__()  # default max_retries is 0: the engine owns retries

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _guarded_pool_classes(self._policy)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        # A proxy connects to the target for us, out of reach of the guard.
        raise OutboundBlocked(f"Refused to use the proxy {proxy}: proxies are not supported.")

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        """Send, then read the body under the size cap.

        The body is read here, for every response including redirect hops (which requests
        would otherwise read in full), even when the caller asked for ``stream=True``; the
        streaming API still works, served from memory.
        """
        response = super().send(request, *args, **kwargs)
        try:
            _read_capped(response, self.max_response_bytes)
        except BaseException:
            response.close()  # drop the connection instead of reusing it half-read
            raise
        return response


def _too_large(response: requests.Response, limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"The response from {response.url} is larger than the limit of "
        f"{limit / (1024 * 1024):g} MB ({limit} bytes)."
    )


def _read_capped(response: requests.Response, limit: int) -> None:
    """Read the body into ``response`` so ``.content``/``.json()`` work, failing past ``limit``."""
    declared = response.headers.get("Content-Length", "")
    method = response.request.method if response.request else None
    has_body = method != "HEAD" and response.status_code not in (204, 304)
    if has_body and declared.isdigit() and int(declared) > limit:
        raise _too_large(response, limit)
    chunks: list[bytes] = []
    received = 0
    try:
        for chunk in response.iter_content(_CHUNK_SIZE):
            received += len(chunk)
            if received > limit:
                raise _too_large(response, limit)
            chunks.append(chunk)
    except requests.ConnectionError as error:
        # requests reports a read timeout in the body as a ConnectionError; callers expect the
        # same Timeout as for a server that is slow to send its headers.
        if error.args and isinstance(error.args[0], ReadTimeoutError):
            raise requests.ReadTimeout(error.args[0], request=response.request) from error
        raise
    response._content = b"".join(chunks)


class _NoCookies(RequestsCookieJar):
    """The session's jar, which keeps nothing: one session serves every merchant's flows, so
    a cookie that one flow's request received must never go out with another's. Within one
    request, redirects still carry cookies (requests keeps those in the request's own jar)."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> None:
        pass


# Headers a redirect to another origin keeps: they describe the request, and hold no secret.
REDIRECTED_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "content-type",
        "content-length",
        "user-agent",
        "connection",
    }
)


def _origin(url: str | None) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url or "")
    return parts.scheme, parts.hostname, parts.port


class GuardedSession(requests.Session):
    """A ``requests.Session`` with the guard, a default timeout and the limits applied.

    The timeout applies to connecting and to each read from the socket (requests' semantics),
    not to the whole exchange.
    """

    def __init__(
        self,
        *,
        policy: _AddressPolicy,
        timeout: float,
        max_response_bytes: int,
        max_redirects: int,
    ) -> None:
        super().__init__()
        self.trust_env = False  # ignore HTTP(S)_PROXY, .netrc and REQUESTS_CA_BUNDLE
        self.cookies = _NoCookies()
        self.max_redirects = max_redirects
        self.default_timeout = timeout
        adapter = _GuardedAdapter(policy, max_response_bytes)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: Any) -> None:
        """A redirect to another origin carries only the headers that hold no secret: any
        other may (an API key header, a flow's own secret header), not only Authorization."""
        if _origin(prepared_request.url) != _origin(response.request.url):
            for name in list(prepared_request.headers):
                if name.lower() not in REDIRECTED_HEADERS:
                    del prepared_request.headers[name]
        super().rebuild_auth(prepared_request, response)

    def get_redirect_target(self, response: requests.Response) -> str | None:
        """Follow redirects to web addresses only (never ``file:`` or ``ftp:``), and to a host
        with letters beyond ASCII by its IDNA name, as a browser would."""
        location = super().get_redirect_target(response)
        if location is None:
            return None
        parts = urlsplit(urljoin(response.url, location))
        if parts.scheme not in ("http", "https"):
            raise BadAddress(
                f"{response.url} redirects to {location}, which is not a web address: only "
                "http:// and https:// addresses are followed."
            )
        host = parts.hostname or ""
        if host.isascii():
            return location
        try:
            ascii_host = idna.encode(host, uts46=True).decode()
        except idna.IDNAError:
            raise BadAddress(
                f"{response.url} redirects to {location}, whose host name is not valid."
            ) from None
        return urlunsplit(parts._replace(netloc=parts.netloc.replace(host, ascii_host)))

    def connect(self, host: str, port: int) -> socket.socket:
        """A TCP connection under this session's address policy and timeout, for a protocol
        other than HTTP (a merchant's SMTP server); OutboundBlocked for a refused address."""
        policy = self.get_adapter("https://")._policy
        last_error: OSError | None = None
        for address in _resolve_and_vet(host, port, policy):
            try:
                return create_connection((address, port), self.default_timeout)
            except OSError as error:
                last_error = error
        raise last_error or OSError(f"{host} did not resolve to any address")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # Every request and every redirect hop goes through here.
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().send(request, **kwargs)


def guarded_session(
    *,
    allow_private: bool | list[str] = False,
    timeout: float = 15.0,
    max_response_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 5,
) -> requests.Session:
    """Return a session for outbound requests that only reaches addresses the guard allows.

    ``allow_private``: ``False`` allows public addresses only; a list of CIDR strings also
    allows those networks; ``True`` allows everything (for self-hosted installations that talk
    to their own network).
    """
    return GuardedSession(
        policy=_AddressPolicy.from_setting(allow_private),
        timeout=timeout,
        max_response_bytes=max_response_bytes,
        max_redirects=max_redirects,
    )
