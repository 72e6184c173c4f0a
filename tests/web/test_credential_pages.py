"""Settings → Accounts: every account with the flows that use it; test, rename, replace the
secret, sign in (OAuth) and delete after being told which flows use it."""

from __future__ import annotations

from urllib.parse import urlsplit

from nodes.stripe.fake import API_KEY, FakeStripe
from tests.conftest import connected, create_credential, flow_document
from tests.people import member, post_form, sign_in
from tests.test_oauth import CLIENT_ID, CLIENT_SECRET, fakeshop, provider  # noqa: F401

PAGE = "/settings/accounts"


def _refund_flow(api, credential: str, name: str) -> str:
    refund = {
        "id": "refund",
        "type": "stripe.create_refund",
        "credential": credential,
        "params": {"payment_intent": "pi_1"},
    }
    graph = flow_document({"id": "hook", "type": "core.webhook"}, refund)
    return api.post("/api/flows", json={"name": name, "graph": graph}).get_json()["id"]


def _signed_in(client):
    member("acme", "owner@acme.example")
    sign_in(client, "owner@acme.example")


def _page(client, path: str = PAGE, **headers) -> str:
    return client.get(path, headers=headers).get_data(as_text=True)


def test_accounts_are_listed_with_their_flows_tested_renamed_and_given_a_new_secret(
    app, api, client
):
    credential = create_credential(api, "stripe", {"api_key": API_KEY}, name="Stripe live")
    _refund_flow(api, credential, "Refunds")
    _signed_in(client)
    page = _page(client)
    assert "Stripe live" in page and "Used by 1 flow:" in page and ">Refunds</a>" in page
    assert API_KEY not in page

    with connected(app, "stripe", FakeStripe()):
        post_form(client, f"{PAGE}/{credential}/test", page=PAGE)
        assert "Stripe live: The connection works." in _page(client)

        post_form(client, f"{PAGE}/{credential}/rename", {"name": "Stripe EU"}, page=PAGE)
        assert "The account is now called “Stripe EU”." in _page(client)
        assert api.get(f"/api/credentials/{credential}").get_json()["name"] == "Stripe EU"

        wrong = "sk_test_someoneelseskey"
        post_form(client, f"{PAGE}/{credential}/secret", {"api_key": wrong}, page=PAGE)
        assert "The secret of “Stripe EU” was replaced." in _page(client)
        post_form(client, f"{PAGE}/{credential}/test", page=PAGE)
        failed = _page(client)
        assert "Stripe EU: the connection failed:" in failed and wrong not in failed

    post_form(client, f"{PAGE}/{credential}/secret", {"api_key": "not a key"}, page=PAGE)
    refused = _page(client)
    assert 'class="flash bad"' in refused and "Secret key: Has the wrong form" in refused
    german = _page(client, **{"Accept-Language": "de"})
    assert "Von 1 Ablauf genutzt:" in german and "Verbindung testen" in german


def test_deleting_names_the_flows_that_use_the_account_and_asks(app, api, client):
    credential = create_credential(api, "stripe", {"api_key": API_KEY}, name="Stripe live")
    _refund_flow(api, credential, "Refunds")
    _refund_flow(api, credential, "Chargebacks")
    _signed_in(client)
    question = _page(client, f"{PAGE}/{credential}/delete")
    assert "Delete the account “Stripe live”?" in question
    assert "2 flows use it and stop working" in question
    assert ">Chargebacks</a>" in question and ">Refunds</a>" in question
    assert api.get(f"/api/credentials/{credential}").status_code == 200  # asked, not deleted

    post_form(client, f"{PAGE}/{credential}/delete", page=f"{PAGE}/{credential}/delete")
    assert "The account “Stripe live” was deleted." in _page(client)
    assert api.get(f"/api/credentials/{credential}").status_code == 404


def test_an_oauth_account_is_connected_from_the_page(app, api, client, fakeshop, provider):  # noqa: F811
    credential = create_credential(
        api, "fakeshop", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, name="Shop"
    )
    _signed_in(client)
    assert "Connect</button>" in _page(client)
    started = post_form(client, f"{PAGE}/{credential}/connect", page=PAGE)
    assert started.status_code == 302
    assert started.headers["Location"].startswith(provider.url("/authorize"))
    assert "client_id=shopwire-app" in urlsplit(started.headers["Location"]).query


def test_another_shops_account_is_not_found(app, api, other_api, client):
    theirs = create_credential(other_api, "stripe", {"api_key": API_KEY}, name="Theirs")
    _signed_in(client)
    assert client.get(f"{PAGE}/{theirs}/delete").status_code == 404
    assert "Theirs" not in _page(client)
