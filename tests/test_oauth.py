"""OAuth 2 sign-in, token refresh at run time, "reconnect needed", and "test connection",
against a local OAuth provider (tests/fakes/oauth.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select, text

from app.extensions import db
from app.models import Credential
from nodes.kit import registry
from nodes.kit.auth import AuthorizationCode
from nodes.kit.base import Connector, NodeContext
from nodes.kit.errors import ErrorBody
from tests.conftest import flow_document
from tests.fakes.oauth import OAuthProvider
from tests.people import browser_headers, member, sign_in

CLIENT_ID, CLIENT_SECRET = "shopwire-app", "cs_5ecret_value_77"


@pytest.fixture
def provider():
    with OAuthProvider(CLIENT_ID, CLIENT_SECRET) as server:
        yield server


@pytest.fixture
def fakeshop(provider):
    """A connector that signs in with OAuth 2 and can test its connection."""

    auth = {
        "type": "object",
        "required": ["client_id", "client_secret"],
        "properties": {
            "client_id": {"type": "string", "title": "Client ID"},
            "client_secret": {"type": "string", "title": "Client secret", "writeOnly": True},
        },
    }
    fakeshop = Connector(
        "fakeshop",
        title={"en": "Fake shop", "de": "Testshop"},
        description={"en": "Test", "de": "Test"},
        auth=auth,
        base_url=lambda credential: provider.url(""),
        auth_type=AuthorizationCode(
            authorize_url=provider.url("/authorize"),
            token_url=provider.url("/token"),
            scopes=("read_orders",),
        ),
        errors=ErrorBody("error_description"),
        test=lambda api: f"signed in as {api.get('/me')['shop']}",
    )

    @fakeshop.action(
        "whoami",
        title={"en": "Who am I", "de": "Wer bin ich"},
        description={"en": "Test", "de": "Test"},
        params={"type": "object", "properties": {}},
        output_schema={"type": "object"},
        output_example={"who": "x"},
    )
    def run(ctx: NodeContext, params, input):
        return {"who": fakeshop.test(ctx.api)}

    yield
    registry.forget_connector("fakeshop")


class Browser:
    """A browser signed in as a user of ``shop``, sending the CSRF token as the editor does."""

    def __init__(self, client, shop: str, email: str):
        member(shop, email)
        sign_in(client, email)
        self.client = client
        self.headers = browser_headers(client)

    def post(self, path, **kwargs):
        return self.client.post(path, headers=self.headers, **kwargs)

    def get(self, path):
        return self.client.get(path)


@pytest.fixture
def browser(app, api):
    return Browser(app.test_client(), "acme", "owner@acme.example")


def connect(browser, credential_id):
    """Start the sign-in, let the provider redirect back, follow it; the callback's reply."""
    started = browser.post(f"/api/credentials/{credential_id}/oauth")
    assert started.status_code == 200, started.get_json()
    callback = provider_redirect(started.get_json()["authorize_url"])
    return browser.get(callback), callback


def provider_redirect(authorize_url):
    reply = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert reply.status_code == 302, reply.text
    location = urlsplit(reply.headers["Location"])
    return f"{location.path}?{location.query}"


def create_credential(browser):
    reply = browser.post(
        "/api/credentials",
        json={
            "connector": "fakeshop",
            "name": "Acme shop",
            "data": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        },
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def run_whoami(api, credential_id, run_queue):
    graph = flow_document(
        {"id": "start", "type": "core.manual"},
        {"id": "who", "type": "fakeshop.whoami", "credential": credential_id},
    )
    flow_id = api.post("/api/flows", json={"name": "Who", "graph": graph}).get_json()["id"]
    execution = api.post(f"/api/flows/{flow_id}/run", json={"payload": {}}).get_json()
    run_queue()
    return api.get(f"/api/executions/{execution['id']}").get_json()


def test_sign_in_stores_tokens_encrypted_and_never_shows_them(
    api, browser, provider, fakeshop, run_queue
):
    credential = create_credential(browser)
    assert credential["oauth"] == {"connected": False, "expires_at": None}
    unconnected = run_whoami(api, credential["id"], run_queue)
    assert 'The account "Acme shop" is not connected yet' in unconnected["error"]["message"]
    started = browser.post(f"/api/credentials/{credential['id']}/oauth").get_json()
    query = parse_qs(urlsplit(started["authorize_url"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["scope"] == ["read_orders"]
    assert query["redirect_uri"] == ["http://localhost/api/credentials/oauth/callback"]
    assert "code_verifier" not in started["authorize_url"]

    reply = browser.get(provider_redirect(started["authorize_url"]))
    assert reply.status_code == 200
    assert "Acme shop" in reply.get_data(as_text=True) and "connected" in reply.get_data(True)
    described = api.get(f"/api/credentials/{credential['id']}").get_json()
    assert described["oauth"]["connected"] is True and described["status"] == "ok"

    assert run_whoami(api, credential["id"], run_queue)["status"] == "succeeded"
    tested = api.post(f"/api/credentials/{credential['id']}/test").get_json()
    assert tested == {"ok": True, "message": "The connection works: signed in as Acme Outdoor"}

    seen = b"".join(
        r.data
        for r in (api.get("/api/credentials"), api.get("/api/executions"), described_reply(api))
    )
    rows = repr(db.session.execute(text("SELECT * FROM step_runs")).all())
    stored = db.session.scalar(select(Credential.secret))
    for token in [*provider.issued, CLIENT_SECRET]:
        assert token.encode() not in seen and token not in rows and token.encode() not in stored


def described_reply(api):
    [credential] = api.get("/api/credentials").get_json()["credentials"]
    return api.get(f"/api/credentials/{credential['id']}")


def test_the_state_is_signed_single_use_and_bound_to_session_and_merchant(
    app, api, browser, provider, fakeshop
):
    credential = create_credential(browser)
    reply, callback = connect(browser, credential["id"])
    assert reply.status_code == 200
    replayed = browser.get(callback)
    assert replayed.status_code == 400 and "already used" in replayed.get_data(as_text=True)

    started = browser.post(f"/api/credentials/{credential['id']}/oauth").get_json()
    fresh = provider_redirect(started["authorize_url"])
    # The same merchant in another browser cannot finish this sign-in.
    other_browser = Browser(app.test_client(), "acme", "clerk@acme.example")
    assert "another session" in other_browser.get(fresh).get_data(as_text=True)
    # Another merchant neither.
    intruder = Browser(app.test_client(), "globex", "owner@globex.example")
    assert intruder.get(fresh).status_code == 400
    tampered = fresh.replace("state=", "state=x")
    assert "invalid or expired" in browser.get(tampered).get_data(as_text=True)
    # The refusals did not use up the state: the right browser still completes it.
    assert browser.get(fresh).status_code == 200
    # Signing in needs the browser session: a script with a token gets a clear 400.
    assert api.post(f"/api/credentials/{credential['id']}/oauth").status_code == 400
    denied = browser.get("/api/credentials/oauth/callback?error=access_denied")
    assert denied.status_code == 400 and "access_denied" in denied.get_data(as_text=True)


def test_tokens_are_refreshed_before_they_expire_and_a_refused_refresh_asks_to_reconnect(
    api, browser, provider, fakeshop, run_queue
):
    provider.expires_in = 60  # inside the refresh margin: every run refreshes first
    credential = create_credential(browser)
    connect(browser, credential["id"])
    provider.expire_access_tokens()  # the stored access token no longer works

    assert run_whoami(api, credential["id"], run_queue)["status"] == "succeeded"
    assert provider.grants == ["authorization_code", "refresh_token"]

    provider.revoke_refresh_tokens()
    provider.expire_access_tokens()
    execution = run_whoami(api, credential["id"], run_queue)
    assert execution["status"] == "failed"
    message = execution["error"]["message"]
    assert 'The account "Acme shop" must be reconnected' in message
    assert "The refresh token was revoked." in message
    described = api.get(f"/api/credentials/{credential['id']}").get_json()
    assert described["status"] == "reconnect"
    tested = api.post(f"/api/credentials/{credential['id']}/test").get_json()
    assert tested["ok"] is False and "must be reconnected" in tested["message"]

    # Signing in again repairs it.
    assert connect(browser, credential["id"])[0].status_code == 200
    assert api.get(f"/api/credentials/{credential['id']}").get_json()["status"] == "ok"
    assert run_whoami(api, credential["id"], run_queue)["status"] == "succeeded"


def test_test_connection_shows_the_providers_message(api, browser, provider, fakeshop):
    credential = create_credential(browser)
    connect(browser, credential["id"])
    provider.expires_in = 3600
    provider.expire_access_tokens()
    tested = api.post(f"/api/credentials/{credential['id']}/test").get_json()
    assert tested["ok"] is False
    assert tested["message"].endswith(
        "answered 401 Unauthorized: Fake shop says: The access token is invalid or expired."
    )
    # A connector without a test says so.
    core = api.post(
        "/api/credentials", json={"connector": "core", "name": "S", "data": {"secret": "x" * 9}}
    ).get_json()
    reply = api.post(f"/api/credentials/{core['id']}/test")
    assert reply.status_code == 409 and "cannot be tested" in reply.get_json()["detail"]
