"""A local OAuth 2 provider (RFC 6749 authorization code grant with PKCE, RFC 7636), with
an API endpoint that needs its access tokens.

- ``GET /authorize``: checks the client and redirect URI, and (the user always consents)
  redirects back with ``code`` and ``state``.
- ``POST /token``: ``authorization_code`` (code once, same redirect URI, PKCE S256 verifier)
  and ``refresh_token`` grants; the client authenticates with HTTP Basic. Errors are JSON
  ``{"error", "error_description"}`` with 400 (401 for a bad client).
- ``GET /me``: the account behind a valid, unexpired bearer token, else 401.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


class OAuthProvider(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, client_id: str, client_secret: str, expires_in: int = 3600) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.client_id, self.client_secret = client_id, client_secret
        self.expires_in = expires_in
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, float] = {}  # token -> expiry
        self.refresh_tokens: set[str] = set()
        self.issued: list[str] = []  # every token handed out, to search for leaks
        self.grants: list[str] = []
        self.lock = threading.Lock()

    def __enter__(self) -> OAuthProvider:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def revoke_refresh_tokens(self) -> None:
        """As when the user revokes the app's access at the provider."""
        with self.lock:
            self.refresh_tokens.clear()

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens = dict.fromkeys(self.access_tokens, 0.0)

    def _issue(self) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access_tokens[access] = time.time() + self.expires_in
        self.refresh_tokens.add(refresh)
        self.issued += [access, refresh]
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": refresh,
            "scope": "read_orders",
        }


class _Handler(BaseHTTPRequestHandler):
    server: OAuthProvider

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, error: str, description: str) -> None:
        self._send(status, {"error": error, "error_description": description})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/authorize":
            return self._authorize(query)
        if url.path == "/me":
            return self._me()
        self._send(404, {"error": "not_found"})

    def _authorize(self, query: dict[str, str]) -> None:
        if query.get("client_id") != self.server.client_id or "redirect_uri" not in query:
            return self._error(400, "invalid_request", "Unknown client.")
        code = secrets.token_urlsafe(16)
        with self.server.lock:
            self.server.codes[code] = {
                "redirect_uri": query["redirect_uri"],
                "challenge": query.get("code_challenge"),
                "method": query.get("code_challenge_method"),
            }
        back = urlencode({"code": code, "state": query.get("state", "")})
        self._send(302, None, {"Location": f"{query['redirect_uri']}?{back}"})

    def _me(self) -> None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        with self.server.lock:
            expiry = self.server.access_tokens.get(token)
        if scheme != "Bearer" or expiry is None or expiry < time.time():
            return self._error(401, "invalid_token", "The access token is invalid or expired.")
        self._send(200, {"shop": "Acme Outdoor"})

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/token":
            return self._send(404, {"error": "not_found"})
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        try:
            client = base64.b64decode(encoded).decode() if scheme == "Basic" else ""
        except ValueError:
            client = ""
        if client != f"{self.server.client_id}:{self.server.client_secret}":
            return self._error(401, "invalid_client", "Client authentication failed.")
        with self.server.lock:
            self.server.grants.append(form.get("grant_type", ""))
            if form.get("grant_type") == "authorization_code":
                return self._code_grant(form)
            if form.get("grant_type") == "refresh_token":
                return self._refresh_grant(form)
        self._error(400, "unsupported_grant_type", "Unsupported grant type.")

    def _code_grant(self, form: dict[str, str]) -> None:
        issued = self.server.codes.pop(form.get("code", ""), None)
        if issued is None:
            return self._error(400, "invalid_grant", "The code is invalid or was used.")
        if issued["redirect_uri"] != form.get("redirect_uri"):
            return self._error(400, "invalid_grant", "The redirect URI does not match.")
        if issued["challenge"]:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if issued["method"] != "S256" or (
                base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != issued["challenge"]
            ):
                return self._error(400, "invalid_grant", "PKCE verification failed.")
        self._send(200, self.server._issue())

    def _refresh_grant(self, form: dict[str, str]) -> None:
        token = form.get("refresh_token", "")
        if token not in self.server.refresh_tokens:
            return self._error(400, "invalid_grant", "The refresh token was revoked.")
        self.server.refresh_tokens.discard(token)  # rotated: each refresh token works once
        self._send(200, self.server._issue())
