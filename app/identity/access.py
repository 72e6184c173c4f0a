"""Who is asking, and may they: one check before every request, and headers after it.

Every endpoint needs a signed-in member unless it is public. The role it needs is declared on
the view with :func:`requires`; without a declaration, reading (GET, HEAD) needs a viewer and
anything else an editor. So a new route is protected the day it is written, and a route that
should be open must say so with :func:`public`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import delete, select

from app.api.problems import ApiProblem
from app.extensions import db
from app.identity.csrf import csrf_token, csrf_valid
from app.models import ApiToken, Membership, User, UserSession
from app.models.base import utcnow
from app.models.merchant import ROLES, digest, role_allows

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PUBLIC_ENDPOINTS = {"static", "catalog.flow_schema", "catalog.openapi"}

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def requires(role: str) -> Callable[[F], F]:
    """Declare the least role a view needs: ``viewer``, ``editor`` or ``owner``."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def declare(view: F) -> F:
        view.required_role = role  # type: ignore[attr-defined]
        return view

    return declare


def public(view: F) -> F:
    """Declare a view that needs no sign-in (sign-in, sign-up, password reset …)."""
    view.required_role = None  # type: ignore[attr-defined]
    return view


@dataclass
class Principal:
    """The member a request acts for."""

    merchant_id: int
    role: str
    user: User | None  # None for an operator's token from `shopwire token`
    token: ApiToken | None = None

    @property
    def actor(self) -> str:
        if self.user is not None:
            return self.user.email
        return f"API token “{self.token.name}”" if self.token else "system"


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limits_storage(app.config.get("REDIS_URL")))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "shopwire-limits")
    limiter.init_app(app)
    app.before_request(_authorize)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce(), "csrf": csrf_token()})


def _limits_storage(redis_url: str | None) -> str:
    """The counters live in Redis, shared by every web process; ``limits`` spells a Unix
    socket (the bundled server's) ``redis+unix://``."""
    if not redis_url:
        return "memory://"
    return "redis+" + redis_url if redis_url.startswith("unix://") else redis_url


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def required_role(endpoint: str | None) -> str | None:
    """The role an endpoint needs for this request's method, or None when it is public."""
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions[endpoint]
    if hasattr(view, "required_role"):
        return view.required_role
    return "viewer" if request.method in SAFE_METHODS else "editor"


def _authorize() -> Response | None:
    # `g` lives as long as the app context, which a test (or a CLI command) may hold across
    # requests: nothing about the caller may carry over to the next request.
    for name in ("principal", "merchant_id", "csp_nonce"):
        g.pop(name, None)
    endpoint = request.endpoint
    if endpoint is None:
        return None  # routing answers 404/405 by itself
    principal = current_principal()
    needed = required_role(endpoint)
    if needed is not None and principal is None:
        if is_api_request():
            require_principal()
        return redirect(url_for("accounts.login"))
    if request.method not in SAFE_METHODS and (principal is None or principal.token is None):
        _check_csrf()
    if needed is None:
        return None
    if role_allows(principal.role, needed):
        return None
    if is_api_request():
        raise ApiProblem(
            403,
            "Role too low",
            f"This needs the role “{needed}”; you are “{principal.role}” in this shop. "
            "Ask an owner of the shop to change your role.",
            required_role=needed,
            role=principal.role,
        )
    return Response(render_template("forbidden.html", needed=needed, role=principal.role), 403)


def _check_csrf() -> None:
    """Browsers send cookies on cross-site requests; only our pages know the session's token."""
    if csrf_valid(request.headers.get("X-CSRF-Token") or request.form.get("csrf")):
        return
    if is_api_request():
        raise ApiProblem(403, "Missing CSRF token", "Reload the page and try again.")
    abort(400, "The form expired. Reload the page and try again.")


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        raise ApiProblem(
            401,
            "Authentication required",
            "Send an API token as 'Authorization: Bearer <token>' (create one under "
            "Settings → API tokens), or sign in.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def current_principal() -> Principal | None:
    """The bearer token's or the session's member, looked up once per request."""
    if "principal" not in g:
        # Tokens are for the JSON API; pages go by the browser's session alone.
        header = request.headers.get("Authorization", "") if is_api_request() else ""
        g.principal = _from_token(header) if header else _from_session()
        if g.principal is not None:
            g.merchant_id = g.principal.merchant_id
    return g.principal


def _from_token(header: str) -> Principal:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(
            401,
            "Authentication required",
            "Send an API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = db.session.execute(
        select(ApiToken, Membership)
        .outerjoin(
            Membership,
            (Membership.user_id == ApiToken.user_id)
            & (Membership.merchant_id == ApiToken.merchant_id),
        )
        .where(ApiToken.token_hash == digest(token.strip()), ApiToken.revoked_at.is_(None))
    ).first()
    # A user's token dies with the user's membership; an operator's token acts as an owner.
    if found is None or (found.ApiToken.user_id is not None and found.Membership is None):
        raise ApiProblem(
            401,
            "Invalid token",
            "This API token is unknown or was revoked. Create a new one under "
            "Settings → API tokens.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    api_token = found.ApiToken
    _touch(api_token)
    role = found.Membership.role if found.Membership else "owner"
    return Principal(api_token.merchant_id, role, api_token.user, token=api_token)


def _from_session() -> Principal | None:
    user_id, merchant_id = session.get("user_id"), session.get("merchant_id")
    if user_id is None or merchant_id is None:
        return None
    found = db.session.execute(
        select(Membership, User)
        .join(User, Membership.user_id == User.id)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            Membership.user_id == user_id,
            Membership.merchant_id == merchant_id,
            UserSession.id_hash == digest(session.get("sid", "")),
        )
    ).first()
    # Signing out, a changed password (a reset) or a removed membership ends the session.
    if found is None or session.get("pw") != found.User.password_fingerprint:
        session.clear()
        return None
    return Principal(merchant_id=merchant_id, role=found.Membership.role, user=found.User)


def start_session(user: User, merchant_id: int) -> None:
    """Sign in: a fresh session (new CSRF token, nothing carried over from before)."""
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["merchant_id"] = merchant_id
    session["pw"] = user.password_fingerprint
    session["sid"] = secrets.token_urlsafe(32)
    db.session.add(UserSession(id_hash=digest(session["sid"]), user_id=user.id))
    db.session.commit()
    csrf_token()
    g.pop("principal", None)


def end_session() -> None:
    """Sign out: the session's id is deleted, so a copy of its cookie no longer signs in."""
    db.session.execute(
        delete(UserSession).where(UserSession.id_hash == digest(session.get("sid", "")))
    )
    db.session.commit()
    session.clear()


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


# What every reply carries. The policy is for what is not a page (JSON, files, webhook
# answers): nothing in it is for a browser to run or frame; a page gets its own (_page_policy).
DEFAULT_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def default_headers(response: Response) -> Response:
    """The response with every header of DEFAULT_HEADERS it does not set itself."""
    for name, value in DEFAULT_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _security_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", _page_policy())
    default_headers(response)
    if request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]) and session.get("user_id"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _page_policy() -> str:
    """A page may run its own scripts and styles: those carrying this response's nonce."""
    nonce = csp_nonce()
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        # style="" attributes in the pages and React's inline styles on the canvas
        "style-src-attr 'unsafe-inline'; "
        "img-src 'self' data:; "
        "connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


LAST_USED_RESOLUTION = timedelta(minutes=1)


def _touch(token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute, so reads stay reads."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
