"""Tests for the guarded outbound session, against real HTTP servers on loopback only.

Nothing here ever connects to a non-loopback address: the refusals for 10.0.0.1 and
169.254.169.254 are checked with ``socket.connect`` replaced by a tripwire.
"""

from __future__ import annotations

import ipaddress
import json
import shlex
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from nodes.kit.base import NodeError, TransientError, UserError
from nodes.kit.client import send
from nodes.kit.guarded_http import (
    OutboundBlocked,
    ResponseTooLarge,
    _AddressPolicy,
    guarded_session,
)

MB = 1024 * 1024
_OPENSSL_SELF_SIGNED = (
    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    " -subj /CN=localhost -addext subjectAltName=DNS:localhost"
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # don't wait for handlers that are still hanging at shutdown

    def __init__(self, host: str) -> None:
        super().__init__((host, 0), _Handler)
        self.stop = threading.Event()  # releases handlers that hang
        self.paths: list[str] = []

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up early (size cap, timeouts) break the pipe; that's expected


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(2 * MB))
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.server.paths.append(self.path)
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        route = getattr(self, "route_" + url.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.send_body(404, b"not found")
        else:
            route(query)

    def send_body(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_ok(self, query: dict[str, str]) -> None:
        self.send_body(200, b"hello from " + self.server.server_address[0].encode())

    def route_idn_redirect(self, query: dict[str, str]) -> None:
        self.send_response(302)
        self.send_header("Content-Length", "0")
        self._headers_buffer.append(b"Location: http://b\xc3\xbccher.example/\r\n")  # UTF-8
        self.end_headers()

    def route_json(self, query: dict[str, str]) -> None:
        self.send_body(200, json.dumps({"ok": True}).encode(), "application/json")

    def route_redirect(self, query: dict[str, str]) -> None:
        self.send_response(302)
        self.send_header("Location", query["to"])
        body = b"x" * int(query.get("size", "0"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_set_cookie(self, query: dict[str, str]) -> None:
        self.send_response(302 if "to" in query else 200)
        self.send_header("Set-Cookie", f"sid={query['sid']}; Path=/")
        if "to" in query:
            self.send_header("Location", query["to"])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route_headers(self, query: dict[str, str]) -> None:
        self.send_body(200, json.dumps(dict(self.headers)).encode(), "application/json")

    def route_cookie(self, query: dict[str, str]) -> None:
        self.send_body(200, (self.headers.get("Cookie") or "").encode())

    def route_loop(self, query: dict[str, str]) -> None:
        hop = int(query.get("hop", "0")) + 1
        self.send_response(302)
        self.send_header("Location", f"/loop?hop={hop}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route_big(self, query: dict[str, str]) -> None:
        size = int(query["size"])
        self.send_response(200)
        if query.get("chunked") == "1":
            # No Content-Length; after the data, hang instead of finishing the body, so only
            # a cap enforced while streaming can end the request before the client's timeout.
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            piece = b"x" * (64 * 1024)
            for _ in range(size // len(piece)):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            self.server.stop.wait(10)
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.write(b"x" * size)

    def route_slow(self, query: dict[str, str]) -> None:
        self.server.stop.wait(float(query.get("seconds", "2")))
        self.send_body(200, b"late")

    def route_slow_body(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "10")
        self.end_headers()
        self.wfile.write(b"12345")
        self.wfile.flush()
        self.server.stop.wait(2)
        self.wfile.write(b"67890")


def _start(host: str, tls: ssl.SSLContext | None = None) -> Iterator[_Server]:
    try:
        server = _Server(host)
    except OSError as error:
        pytest.skip(f"cannot bind {host}: {error}")
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def server() -> Iterator[_Server]:
    yield from _start("127.0.0.1")


@pytest.fixture
def server2() -> Iterator[_Server]:
    """A second server on 127.0.0.2 (Linux routes all of 127.0.0.0/8 to loopback)."""
    yield from _start("127.0.0.2")


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[_Server, Path]]:
    """An HTTPS server on 127.0.0.1 whose self-signed certificate is valid for "localhost" only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = [*shlex.split(_OPENSSL_SELF_SIGNED), "-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    for server in _start("127.0.0.1", context):
        yield server, cert


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail the test if anything tries to open a TCP connection."""
    attempts: list[object] = []

    def tripwire(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"tried to connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", tripwire)
    monkeypatch.setattr(socket.socket, "connect_ex", tripwire)
    return attempts


# --- refusals -----------------------------------------------------------------------------


def test_loopback_is_refused_by_default(server: _Server) -> None:
    with pytest.raises(OutboundBlocked) as caught:
        guarded_session().get(server.base + "/ok")
    message = str(caught.value)
    assert "127.0.0.1" in message
    assert "loopback" in message
    assert "SHOPWIRE_ALLOW_PRIVATE_NETWORKS" in message
    assert server.paths == []


def test_a_name_resolving_to_loopback_is_refused(server: _Server) -> None:
    port = server.server_address[1]
    with pytest.raises(OutboundBlocked) as caught:
        guarded_session().get(f"http://localhost:{port}/ok")
    message = str(caught.value)
    assert message.startswith("Refused to connect to localhost: the address points into a private")
    assert "127.0.0.1" not in message and "::1" not in message  # no internal DNS answer shown
    assert server.paths == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", "private network"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://169.254.169.254/", "link-local"),
        ("http://[::ffff:10.0.0.1]/", "private network"),
    ],
)
def test_private_targets_are_refused_before_any_packet(
    no_connect: list[object], url: str, reason: str
) -> None:
    with pytest.raises(OutboundBlocked) as caught:
        guarded_session().get(url)
    assert reason in str(caught.value)
    assert urlsplit(url).hostname in str(caught.value)
    assert no_connect == []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.2",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:100.64.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::",
    ],
)
def test_non_public_addresses_are_blocked(address: str) -> None:
    assert _AddressPolicy.from_setting(False).refusal_reason(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert _AddressPolicy.from_setting(False).refusal_reason(ipaddress.ip_address(address)) is None


def test_allow_list_adds_only_its_networks() -> None:
    policy = _AddressPolicy.from_setting(["10.0.0.0/8", "fd00::/8"])
    allowed = ["10.1.2.3", "::ffff:10.1.2.3", "fd12::1", "8.8.8.8"]
    blocked = ["192.168.0.1", "127.0.0.1", "169.254.169.254", "fc00::1"]
    for address in allowed:
        assert policy.refusal_reason(ipaddress.ip_address(address)) is None, address
    for address in blocked:
        assert policy.refusal_reason(ipaddress.ip_address(address)), address


def test_invalid_allow_list_fails_early() -> None:
    with pytest.raises(ValueError):
        guarded_session(allow_private=["not-a-network"])
    with pytest.raises(TypeError):
        guarded_session(allow_private="10.0.0.0/8")  # type: ignore[arg-type]


# --- allowed requests ---------------------------------------------------------------------


def test_allow_private_true_reaches_the_local_server(server: _Server) -> None:
    response = guarded_session(allow_private=True).get(server.base + "/ok")
    assert response.status_code == 200
    assert response.text == "hello from 127.0.0.1"


def test_json_works_as_usual(server: _Server) -> None:
    assert guarded_session(allow_private=True).get(server.base + "/json").json() == {"ok": True}


def test_allow_list_allows_its_server_but_not_a_redirect_out_of_it(
    server: _Server, server2: _Server
) -> None:
    session = guarded_session(allow_private=["127.0.0.2/32"])
    assert session.get(server2.base + "/ok").text == "hello from 127.0.0.2"

    with pytest.raises(OutboundBlocked) as caught:
        session.get(server2.base + "/redirect", params={"to": server.base + "/ok"})
    assert "127.0.0.1" in str(caught.value)
    assert server.paths == []


def test_environment_proxies_are_ignored(
    server: _Server, server2: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", server2.base)
    monkeypatch.setenv("http_proxy", server2.base)
    session = guarded_session(allow_private=True)
    assert session.trust_env is False
    assert session.get(server.base + "/ok").text == "hello from 127.0.0.1"
    assert server2.paths == []


def test_explicit_proxies_are_refused(server: _Server, server2: _Server) -> None:
    with pytest.raises(OutboundBlocked, match="proxies are not supported"):
        guarded_session(allow_private=True).get(server.base + "/ok", proxies={"http": server2.base})
    assert server.paths == server2.paths == []


def test_tls_verification_still_uses_the_url_host(tls_server: tuple[_Server, Path]) -> None:
    server, cert = tls_server
    port = server.server_address[1]
    session = guarded_session(allow_private=True)
    response = session.get(f"https://localhost:{port}/ok", verify=str(cert))
    assert response.text == "hello from 127.0.0.1"
    # Same socket address, but the certificate is not valid for the name "127.0.0.1".
    with pytest.raises(requests.exceptions.SSLError):
        session.get(f"https://127.0.0.1:{port}/ok", verify=str(cert))


def test_tls_target_is_refused_by_default(tls_server: tuple[_Server, Path]) -> None:
    server, cert = tls_server
    with pytest.raises(OutboundBlocked, match="localhost"):
        guarded_session().get(f"https://localhost:{server.server_address[1]}/ok", verify=str(cert))
    assert server.paths == []


# --- limits -------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", ["0", "1"], ids=["content-length", "chunked"])
def test_oversized_body_raises(server: _Server, chunked: str) -> None:
    session = guarded_session(allow_private=True, max_response_bytes=MB, timeout=5)
    with pytest.raises(ResponseTooLarge, match=r"1 MB \(1048576 bytes\)"):
        session.get(server.base + "/big", params={"size": 2 * MB, "chunked": chunked})


def test_body_under_the_cap_is_returned(server: _Server) -> None:
    session = guarded_session(allow_private=True, max_response_bytes=MB)
    response = session.get(server.base + "/big", params={"size": MB // 2})
    assert len(response.content) == MB // 2


def test_oversized_redirect_body_raises(server: _Server) -> None:
    session = guarded_session(allow_private=True, max_response_bytes=MB)
    with pytest.raises(ResponseTooLarge):
        session.get(server.base + "/redirect", params={"to": "/ok", "size": 2 * MB})


def test_head_with_large_content_length_is_fine(server: _Server) -> None:
    session = guarded_session(allow_private=True, max_response_bytes=MB)
    assert session.head(server.base + "/big").status_code == 200


def test_default_timeout_applies(server: _Server) -> None:
    session = guarded_session(allow_private=True, timeout=0.3)
    with pytest.raises(requests.Timeout):
        session.get(server.base + "/slow", params={"seconds": 2})


def test_explicit_timeout_wins(server: _Server) -> None:
    session = guarded_session(allow_private=True, timeout=30)
    with pytest.raises(requests.Timeout):
        session.get(server.base + "/slow", params={"seconds": 2}, timeout=0.3)


def test_stalled_body_raises_timeout(server: _Server) -> None:
    session = guarded_session(allow_private=True, timeout=0.3)
    with pytest.raises(requests.Timeout):
        session.get(server.base + "/slow-body")


def test_redirects_are_followed_within_the_limit(server: _Server) -> None:
    session = guarded_session(allow_private=True)
    response = session.get(server.base + "/redirect", params={"to": "/ok"})
    assert response.text == "hello from 127.0.0.1"
    assert len(response.history) == 1


def test_no_cookie_goes_from_one_request_to_the_next(server: _Server) -> None:
    """One session serves every merchant's flows: a cookie that one flow's request received
    must never go out with another's."""
    session = guarded_session(allow_private=True)
    session.get(server.base + "/set-cookie", params={"sid": "merchant-a"})
    assert session.get(server.base + "/cookie").text == ""
    # Within one request, a redirect still carries what its first answer set.
    landed = session.get(server.base + "/set-cookie", params={"sid": "b", "to": "/cookie"})
    assert landed.text == "sid=b"
    assert session.get(server.base + "/cookie").text == ""


def test_too_many_redirects(server: _Server) -> None:
    session = guarded_session(allow_private=True, max_redirects=3)
    with pytest.raises(requests.TooManyRedirects):
        session.get(server.base + "/loop")
    assert len(server.paths) == 4  # the request and three redirects, then it stops


def test_no_secret_header_follows_a_redirect_to_another_origin(
    server: _Server, server2: _Server
) -> None:
    session = guarded_session(allow_private=True)
    secrets = {"X-Api-Key": "key-123", "Authorization": "Bearer tok", "X-Shop-Token": "t"}
    elsewhere = session.get(
        server.base + "/redirect", params={"to": server2.base + "/headers"}, headers=secrets
    ).json()
    assert not {"X-Api-Key", "Authorization", "X-Shop-Token"} & set(elsewhere)
    assert "User-Agent" in elsewhere
    same_origin = session.get(
        server.base + "/redirect", params={"to": "/headers"}, headers=secrets
    ).json()
    assert same_origin["X-Api-Key"] == "key-123" and same_origin["X-Shop-Token"] == "t"


# --- failures as sentences -----------------------------------------------------------------


def _step_error(session: requests.Session, url: str) -> NodeError:
    with pytest.raises(NodeError) as caught:
        send(session, "GET", url)
    return caught.value


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///etc/passwd", "file:///etc/passwd is not a web address: it must start with http"),
        ("gopher://example.com/", "is not a web address"),
        ("http://exa mple.com/", "is not a valid web address: check it for typos and spaces."),
        ("http://shop..example/", "shop..example is not a valid host name"),
        ("http://127.0.0.1:99999/", "is not a valid web address"),
    ],
)
def test_addresses_that_cannot_be_requested_are_the_steps_fault(url: str, expected: str) -> None:
    error = _step_error(guarded_session(allow_private=True), url)
    assert isinstance(error, UserError) and error.field == "url"
    assert expected in str(error)


def test_a_redirect_to_a_file_is_refused_in_a_sentence(server: _Server) -> None:
    error = _step_error(
        guarded_session(allow_private=True), server.base + "/redirect?to=file:///etc/passwd"
    )
    assert isinstance(error, UserError)
    assert "redirects to file:///etc/passwd, which is not a web address" in str(error)


def test_a_redirect_to_an_idn_host_asks_for_its_idna_name_and_names_it_as_written(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host.startswith("127."):
            return real(host, *args, **kwargs)
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    error = _step_error(guarded_session(allow_private=True), server.base + "/idn-redirect")
    assert asked == ["xn--bcher-kva.example"]
    assert isinstance(error, TransientError)
    assert str(error) == "The server bücher.example was not found: check the address for typos."


def test_network_failures_read_as_sentences(server: _Server) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    error = _step_error(guarded_session(allow_private=True), f"http://127.0.0.1:{port}/")
    assert str(error) == (
        "127.0.0.1 refused the connection: nothing answers at this address and port."
    )
