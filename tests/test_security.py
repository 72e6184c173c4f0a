"""Security headers on every response, and CSRF on every state-changing browser request."""

from __future__ import annotations

import re

from tests.people import member, sign_in


def test_every_response_carries_the_security_headers(app, client):
    for path in ("/login", "/api/openapi.json", "/api/flows", "/nope"):
        reply = client.get(path)
        headers = reply.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        if reply.mimetype == "text/html":
            assert "default-src 'self'" in csp
            assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        else:  # nothing in JSON may run
            assert csp.startswith("default-src 'none'")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_inline_styles_and_scripts_carry_the_responses_nonce(app, client):
    member("Acme", "ann@shop.de")
    sign_in(client, "ann@shop.de")
    reply = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", reply.headers["Content-Security-Policy"]).group(1)
    page = reply.get_data(as_text=True)
    tags = re.findall(r"<(script|style)\b([^>]*)>", page)
    assert tags and all(f'nonce="{nonce}"' in attributes for _tag, attributes in tags)
    assert nonce not in client.get("/").headers["Content-Security-Policy"]  # fresh each time


def test_every_state_changing_page_refuses_a_form_without_the_token(app, client):
    """Generated from the URL map: a new form handler is covered without a new test."""
    member("Acme", "ann@shop.de")
    sign_in(client, "ann@shop.de")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static/")):
            continue
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}:
            path = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
            reply = client.open(path, method=method, data={"email": "ann@shop.de"})
            assert reply.status_code == 400, (method, path, reply.status_code)
            assert "The form expired" in reply.get_data(as_text=True)
            checked += 1
    assert checked >= 12
    assert client.get("/").status_code == 200  # still signed in: nothing was changed


def test_the_session_cookie_is_secure_behind_https(app_config, _migrated):
    from app import create_app

    secure = create_app({**app_config, "SHOPWIRE_PUBLIC_URL": "https://flows.shop.de"})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    assert secure.config["SESSION_COOKIE_HTTPONLY"] is True
    assert secure.config["SESSION_COOKIE_SAMESITE"] == "Lax"
