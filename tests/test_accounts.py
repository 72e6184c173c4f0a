"""Sign-up, sign-in and out, lockout and rate limits, password reset, invitations, switching
between shops, and the session cookie."""

from __future__ import annotations

import re

from app.extensions import db
from app.identity.mail import outbox
from app.models import AuditEvent, Membership, User
from tests.people import PASSWORD, csrf, last_link, member, post_form, sign_in


def signup(client, email="ann@shop.de", shop="Ann's Shop"):
    page = client.get("/signup")
    return client.post("/signup", data={"email": email, "shop": shop, "csrf": csrf(page)})


def choose_password(client, link, password=PASSWORD, **form):
    page = client.get(link)
    return client.post(link, data={"password": password, "csrf": csrf(page), **form})


def test_sign_up_mails_a_link_that_creates_the_shop_with_the_user_as_owner(app, client):
    reply = signup(client)
    assert reply.status_code == 200 and "A link is on its way to ann@shop.de" in reply.text
    assert db.session.query(User).count() == 0  # nothing exists before the link is opened
    link = last_link("ann@shop.de")
    assert choose_password(client, link).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Ann&#39;s Shop" in home and "ann@shop.de" in home
    membership = db.session.query(Membership).one()
    assert membership.role == "owner" and membership.user.email == "ann@shop.de"
    assert membership.user.password_hash.startswith("$argon2id$")
    assert db.session.query(AuditEvent).one().action == "merchant.create"
    post_form(client, "/logout")
    again = client.get(link)  # the link creates one account, once
    assert again.status_code == 302 and again.headers["Location"] == "/login"


def test_sign_up_explains_every_problem(app, client):
    member("Taken", "bob@shop.de")
    page = signup(client, email="bob-at-shop.de", shop="Taken")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Enter an e-mail address" in text and "A shop with this name exists" in text
    signup(client, email="carol@shop.de", shop="Carol's")
    short = choose_password(client, last_link("carol@shop.de"), password="short")
    assert "at least 10 characters" in short.get_data(as_text=True)
    forged = client.get(last_link("carol@shop.de")[:-3] + "abc")
    assert forged.status_code == 400 and "expired or is not complete" in forged.text


def same_page(html: str, email: str) -> str:
    """The page without what differs on every answer (the nonce, the CSRF token) or by address."""
    return re.sub(r'(nonce|value|content)="[^"]*"', "", html).replace(email, "X")


def test_sign_up_does_not_tell_whether_an_address_has_an_account(app, client):
    member("Acme", "bob@shop.de")
    known, unknown = signup(client, "bob@shop.de", "Bob's"), signup(client, "eve@shop.de", "Eve's")
    assert known.status_code == unknown.status_code == 200
    assert same_page(known.text, "bob@shop.de") == same_page(unknown.text, "eve@shop.de")
    [note] = [m for m in outbox() if m["To"] == "bob@shop.de"]
    assert "It has one already" in note.get_content()  # the owner is told, nobody else
    assert "/signup/" not in note.get_content()
    assert db.session.query(User).count() == 1  # nothing was created or changed


def test_sign_in_and_out(app, client):
    member("Acme", "ann@shop.de")
    assert sign_in(client, "ann@shop.de").status_code == 302
    assert client.get("/").status_code == 200
    post_form(client, "/logout")
    assert client.get("/").status_code == 302


def test_the_session_changes_on_sign_in_and_its_cookie_is_http_only(app, client):
    member("Acme", "ann@shop.de")
    token_before = csrf(client.get("/login"))
    before = client.get_cookie("session").value
    reply = sign_in(client, "ann@shop.de")
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests; https sets it (see test_config)
    assert client.get_cookie("session").value != before
    # A token planted before sign-in (session fixation) is worthless after it.
    assert csrf(client.get("/")) != token_before


def test_old_passwords_hashes_are_replaced_on_sign_in(app, client):
    from werkzeug.security import generate_password_hash

    user = member("Acme", "ann@shop.de")
    user.password_hash = generate_password_hash(PASSWORD)
    db.session.commit()
    assert sign_in(client, "ann@shop.de").status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")


def test_repeated_failures_lock_the_address_without_telling_if_it_exists(app, client):
    member("Acme", "ann@shop.de")
    for email in ("ann@shop.de", "nobody@shop.de"):
        for _ in range(4):
            assert "wrong" in sign_in(client, email, "guess").get_data(as_text=True)
        locked = sign_in(client, email, "guess")
        assert locked.status_code == 429
        assert "Try again in 15 min" in locked.get_data(as_text=True)
        assert 800 < int(locked.headers["Retry-After"]) <= 900
    # Even the right password waits until the lock ends.
    assert sign_in(client, "ann@shop.de").status_code == 429


def test_sign_in_attempts_per_network_are_rate_limited(app, client):
    app.config["SHOPWIRE_LOGIN_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        assert sign_in(client, f"user{n}@shop.de", "guess").status_code == 200
    limited = sign_in(client, "user9@shop.de", "guess")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Too many attempts" in limited.get_data(as_text=True)


def test_password_reset_by_mail_works_once(app, client):
    user = member("Acme", "ann@shop.de")
    other = app.test_client()
    sign_in(other, "ann@shop.de")
    answer = post_form(client, "/password/forgot", {"email": "ann@shop.de"}, page="/login")
    assert "If an account exists for ann@shop.de" in answer.get_data(as_text=True)
    link = last_link("ann@shop.de")
    assert "once" in outbox()[-1].get_content()

    too_short = post_form(client, link, {"password": "short"}, page=link)
    assert "at least 10" in too_short.get_data(as_text=True)
    assert post_form(client, link, {"password": "a brand new secret"}, page=link).status_code == 302
    assert sign_in(client, "ann@shop.de", "a brand new secret").status_code == 302
    assert client.get(link).status_code == 400  # used
    # The reset ended the session signed in with the old password elsewhere.
    assert other.get("/").status_code == 302
    db.session.refresh(user)


def test_reset_for_unknown_address_answers_the_same_and_sends_nothing(app, client):
    answer = post_form(client, "/password/forgot", {"email": "ghost@shop.de"}, page="/login")
    assert "If an account exists for ghost@shop.de" in answer.get_data(as_text=True)
    assert outbox() == []


def test_expired_or_forged_reset_links_are_refused(app, client):
    member("Acme", "ann@shop.de")
    post_form(client, "/password/forgot", {"email": "ann@shop.de"}, page="/login")
    link = last_link("ann@shop.de")
    app.config["SHOPWIRE_RESET_TOKEN_SECONDS"] = -1
    assert "expired" in client.get(link).get_data(as_text=True)
    assert client.get(link[:-3] + "abc").status_code == 400


def _invite(client, email, role="editor"):
    return post_form(client, "/settings/members/invite", {"email": email, "role": role})


def test_an_invited_new_user_chooses_a_password_and_joins(app, client):
    member("Acme", "owner@shop.de")
    sign_in(client, "owner@shop.de")
    assert "An invitation was sent" in client.get(
        _invite(client, "new@shop.de").headers["Location"]
    ).get_data(as_text=True)
    link = last_link("new@shop.de")

    guest = app.test_client()
    page = guest.get(link).get_data(as_text=True)
    assert "Join Acme" in page and "Choose a password" in page
    assert post_form(guest, link, {"password": "new member pw"}, page=link).status_code == 302
    assert "new@shop.de" in guest.get("/").get_data(as_text=True)
    joined = db.session.query(Membership).join(User).filter(User.email == "new@shop.de").one()
    assert joined.role == "editor"
    assert guest.get(link).status_code == 404  # used once


def test_an_existing_user_joins_a_second_shop_and_switches(app, client):
    member("Acme", "owner@shop.de")
    member("Globex", "gail@shop.de")
    sign_in(client, "owner@shop.de")
    _invite(client, "gail@shop.de", "viewer")
    link = last_link("gail@shop.de")
    gail = app.test_client()
    assert "Enter the password" in gail.get(link).get_data(as_text=True)
    wrong = post_form(gail, link, {"password": "not it at all"}, page=link)
    assert "The password is wrong" in wrong.get_data(as_text=True)
    assert post_form(gail, link, {"password": PASSWORD}, page=link).status_code == 302

    home = gail.get("/").get_data(as_text=True)
    assert 'name="merchant_id"' in home and "Globex" in home and "viewer" in home
    acme = db.session.query(Membership).filter_by(role="viewer").one().merchant_id
    globex = (
        db.session.query(Membership)
        .join(User)
        .filter(User.email == "gail@shop.de", Membership.role == "owner")
        .one()
        .merchant_id
    )
    post_form(gail, "/switch", {"merchant_id": globex})
    assert "· owner" in gail.get("/").get_data(as_text=True)
    # A shop the user is not a member of cannot be switched to.
    other = member("Initech", "ida@shop.de").id
    post_form(gail, "/switch", {"merchant_id": other + 1000})
    assert "· owner" in gail.get("/").get_data(as_text=True)
    post_form(gail, "/switch", {"merchant_id": acme})
    assert "· viewer" in gail.get("/").get_data(as_text=True)


def test_german_pages(app, client):
    page = client.get("/signup", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Konto anlegen" in page and "Name des Shops" in page


def test_hashes_made_with_weaker_argon2_parameters_are_upgraded_on_sign_in(app, client):
    from argon2 import PasswordHasher

    user = member("Acme", "ann@shop.de")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    db.session.commit()
    assert sign_in(client, "ann@shop.de").status_code == 302
    db.session.refresh(user)
    assert "m=65536,t=3" in user.password_hash


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(app_config):
    from app import create_app

    proxied = create_app({**app_config, "SHOPWIRE_TRUSTED_PROXIES": 1})
    proxied.config["SHOPWIRE_LOGIN_RATE_LIMIT"] = "2 per minute"
    with proxied.app_context():
        client = proxied.test_client()

        def attempt(address: str):
            page = client.get("/login", headers={"X-Forwarded-For": address})
            data = {"email": "x@shop.de", "password": "guess", "csrf": csrf(page)}
            return client.post("/login", data=data, headers={"X-Forwarded-For": address})

        assert [attempt("203.0.113.7").status_code for _ in range(3)] == [200, 200, 429]
        assert attempt("198.51.100.4").status_code == 200  # another customer, its own count


def _mail_links(to):
    return [m.get_content() for m in outbox() if m["To"] == to]


def test_a_reset_link_never_follows_the_host_header(app, client):
    member("Acme", "ann@shop.de")
    evil = {"Host": "evil.example"}
    token = csrf(client.get("/login", headers=evil))
    answer = client.post(
        "/password/forgot", data={"email": "ann@shop.de", "csrf": token}, headers=evil
    )
    assert "If an account exists for ann@shop.de" in answer.get_data(as_text=True)
    assert not any("evil.example" in body for body in _mail_links("ann@shop.de"))

    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example.com"
    client.post("/password/forgot", data={"email": "ann@shop.de", "csrf": token}, headers=evil)
    [body] = _mail_links("ann@shop.de")
    assert "https://shopwire.example.com/password/reset/" in body and "evil.example" not in body


def test_an_invitation_link_never_follows_the_host_header(app, client):
    member("Acme", "owner@shop.de")
    client.environ_base["HTTP_HOST"] = "evil.example"
    sign_in(client, "owner@shop.de")
    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example.com/"
    _invite(client, "new@shop.de")
    [body] = _mail_links("new@shop.de")
    assert "https://shopwire.example.com/invitations/" in body and "evil.example" not in body


def test_a_session_cookie_copied_before_sign_out_no_longer_works(app, client):
    member("Acme", "ann@shop.de")
    sign_in(client, "ann@shop.de")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    copy = app.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert copy.get("/").status_code == 200  # the copy works while the session lasts
    post_form(client, "/logout", page="/executions")
    assert copy.get("/").status_code == 302  # and not after signing out
    assert copy.get("/api/flows").status_code == 401


def test_sessions_older_than_a_cookie_lives_are_purged(app, client):
    from datetime import timedelta

    from app.models import UserSession
    from app.models.base import utcnow
    from app.runtime.retention import purge

    member("Acme", "ann@shop.de")
    sign_in(client, "ann@shop.de")
    assert purge(now=utcnow())["sessions"] == 0
    assert purge(now=utcnow() + timedelta(days=15))["sessions"] == 1
    assert db.session.query(UserSession).count() == 0


def test_a_strangers_guesses_lock_out_only_the_stranger_and_longer_each_time(app, client):
    member("Acme", "ann@shop.de")
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(5):
        locked = sign_in(stranger, "ann@shop.de", "guess")
    assert locked.status_code == 429 and 800 < int(locked.headers["Retry-After"]) <= 900
    assert sign_in(client, "ann@shop.de").status_code == 302  # the owner, from elsewhere

    from app.runtime.queue import redis_connection

    redis_connection().delete(*redis_connection().keys("shopwire:login-lock:*"))  # it ran out
    for _ in range(5):
        again = sign_in(stranger, "ann@shop.de", "guess")
    assert again.status_code == 429 and 1700 < int(again.headers["Retry-After"]) <= 1800
