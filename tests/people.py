"""Helpers for tests with several users, shops and roles."""

from __future__ import annotations

import re

from app.cli import merchant_named
from app.extensions import db
from app.identity.mail import outbox
from app.models import Membership, User

PASSWORD = "correct horse battery"


def member(shop: str, email: str, role: str = "owner", password: str = PASSWORD) -> User:
    """A user with this role in the shop (both created when missing)."""
    user = db.session.query(User).filter_by(email=email).one_or_none()
    if user is None:
        user = User(email=email)
        user.set_password(password)
        db.session.add(user)
    db.session.add(Membership(user=user, merchant=merchant_named(shop), role=role))
    db.session.commit()
    return user


def csrf(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf": csrf(page)})


def post_form(client, path: str, data: dict | None = None, page: str = "/"):
    """Submit a form as the browser does: with the CSRF token of a page it loaded."""
    token = csrf(client.get(page))
    return client.post(path, data={**(data or {}), "csrf": token})


def browser_headers(client) -> dict[str, str]:
    """The header the editor sends with each state-changing API call."""
    return {"X-CSRF-Token": csrf(client.get("/"))}


def last_link(to: str) -> str:
    """The link in the newest mail to this address, as a path on this site."""
    mail = next(m for m in reversed(outbox()) if m["To"] == to)
    url = re.search(r"https?://\S+", mail.get_content()).group(0)
    return "/" + url.split("/", 3)[3]
