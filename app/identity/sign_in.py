"""Signing up, in and out, resetting a forgotten password, accepting an invitation and switching
between the shops a user belongs to."""

from __future__ import annotations

import math
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.identity import audit
from app.identity.access import limiter, public, requires, start_session
from app.identity.mail import send_mail
from app.identity.texts import TEXT
from app.models import Invitation, Membership, Merchant, User
from app.models.base import utcnow
from app.models.merchant import digest
from app.runtime.queue import redis_connection
from app.web.pages import TEXT as PAGE_TEXT

bp = Blueprint("accounts", __name__)

MIN_PASSWORD = 10


@bp.before_app_request
def _language() -> None:
    """Every page's header (the shop switcher, settings, sign-out) speaks the language chosen
    in the editor (a cookie), else the browser's; pages and settings views see the account
    texts beside their own."""
    chosen = request.cookies.get("shopwire_lang")
    languages = ["en", "de"]
    g.lang = chosen if chosen in languages else request.accept_languages.best_match(languages)
    g.lang = g.lang or "en"
    g.t = {**PAGE_TEXT[g.lang], **TEXT[g.lang]}


def _login_limit() -> str:
    return current_app.config["SHOPWIRE_LOGIN_RATE_LIMIT"]


@bp.errorhandler(429)
def _too_many(error) -> Response:
    retry = int(getattr(error, "retry_after", 0) or 60)
    page = render_template("login.html", error=g.t["too_many"].format(minutes=_minutes(retry)))
    return Response(page, 429, headers={"Retry-After": str(retry)})


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _normalised(email: str | None) -> str:
    return (email or "").strip().lower()


# Lockout: counted per e-mail address whether or not an account has it, so the answer never
# tells a stranger which addresses are registered.
def _lock_key(email: str) -> str:
    return f"shopwire:login-lock:{digest(email)}"


def _failures_key(email: str) -> str:
    return f"shopwire:login-failures:{digest(email)}"


def locked_for(email: str) -> int:
    """Seconds until this address may try again; 0 when it may now."""
    return max(0, redis_connection().ttl(_lock_key(email)))


def _count_failure(email: str) -> None:
    config = current_app.config
    redis = redis_connection()
    failures = redis.incr(_failures_key(email))
    if failures == 1:  # the window starts with the first failure
        redis.expire(_failures_key(email), config["SHOPWIRE_LOCKOUT_SECONDS"])
    if failures >= config["SHOPWIRE_LOCKOUT_FAILURES"]:
        redis.set(_lock_key(email), 1, ex=config["SHOPWIRE_LOCKOUT_SECONDS"])
        redis.delete(_failures_key(email))


def _locked_response(seconds: int) -> Response:
    until = (utcnow() + timedelta(seconds=seconds)).strftime("%H:%M UTC")
    message = g.t["locked"].format(minutes=_minutes(seconds), until=until)
    return Response(
        render_template("login.html", error=message), 429, headers={"Retry-After": str(seconds)}
    )


def verified_user(email: str, password: str) -> User | None | Response:
    """The user with this e-mail and password; None when wrong; a 429 page when locked."""
    if seconds := locked_for(email):
        return _locked_response(seconds)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.check_password(password):
        redis_connection().delete(_failures_key(email))
        db.session.commit()  # a rehashed password
        return user
    _count_failure(email)
    if seconds := locked_for(email):
        return _locked_response(seconds)
    return None


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        email = _normalised(request.form.get("email"))
        user = verified_user(email, request.form.get("password", ""))
        if isinstance(user, Response):
            return user
        if user is None:
            error = g.t["wrong"]
        else:
            membership = db.session.scalar(
                select(Membership).filter_by(user_id=user.id).order_by(Membership.id)
            )
            if membership is not None:
                start_session(user, membership.merchant_id)
                return redirect(url_for("pages.home"))
            error = g.t["no_merchant"]
    return render_template("login.html", error=error)


@bp.post("/logout")
@requires("viewer")
def logout():
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.post("/switch")
@requires("viewer")
def switch_merchant():
    """Act for another of the user's shops; the membership decides, not the form."""
    membership = db.session.scalar(
        select(Membership).filter_by(
            user_id=session["user_id"], merchant_id=request.form.get("merchant_id", type=int)
        )
    )
    if membership is None:
        flash(g.t["switch_unknown"], "bad")
    else:
        session["merchant_id"] = membership.merchant_id
    return redirect(url_for("pages.home"))


def _password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return g.t["password_short"].format(n=MIN_PASSWORD)
    if len(password) > 256:
        return g.t["password_long"]
    return None


@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    if not current_app.config["SHOPWIRE_SIGNUP_OPEN"]:
        return render_template("signup.html", closed=True), 403
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        email, shop = _normalised(form.get("email")), (form.get("shop") or "").strip()
        password = form.get("password", "")
        if "@" not in email:
            errors["email"] = g.t["email_invalid"]
        elif db.session.scalar(select(User.id).where(User.email == email)):
            errors["email"] = g.t["email_taken"]
        if not shop:
            errors["shop"] = g.t["shop_empty"]
        elif db.session.scalar(select(Merchant.id).where(Merchant.name == shop)):
            errors["shop"] = g.t["shop_taken"]
        if problem := _password_problem(password):
            errors["password"] = problem
        if not errors:
            user, merchant = User(email=email), Merchant(name=shop[:200])
            user.set_password(password)
            db.session.add_all([user, merchant, Membership(user=user, merchant=merchant)])
            db.session.flush()
            audit.record(
                "merchant.create",
                "merchant",
                merchant.id,
                merchant_id=merchant.id,
                user=user,
                name=merchant.name,
            )
            db.session.commit()
            start_session(user, merchant.id)
            flash(g.t["welcome"].format(shop=merchant.name), "ok")
            return redirect(url_for("pages.home"))
    return render_template("signup.html", errors=errors, form=form, closed=False)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user: User) -> str:
    """Signed, expiring, and single-use: it names the password it replaces, so it stops
    working the moment that password changes."""
    return _reset_serializer().dumps({"user": user.id, "pw": user.password_fingerprint})


def _user_for_reset(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["SHOPWIRE_RESET_TOKEN_SECONDS"]
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("user"))
    if user is None or user.password_fingerprint != data.get("pw"):
        return None
    return user


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    sent_to = None
    if request.method == "POST":
        sent_to = _normalised(request.form.get("email"))
        user = db.session.scalar(select(User).where(User.email == sent_to))
        if user is not None:
            link = url_for("accounts.reset_password", token=reset_token(user), _external=True)
            minutes = current_app.config["SHOPWIRE_RESET_TOKEN_SECONDS"] // 60
            send_mail(
                user.email,
                g.t["reset_subject"],
                g.t["reset_body"].format(link=link, minutes=minutes),
            )
    # The same answer whether or not the address has an account.
    return render_template("forgot.html", sent_to=sent_to)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    user = _user_for_reset(token)
    if user is None:
        return render_template("reset.html", invalid=True), 400
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        error = _password_problem(password)
        if error is None:
            user.set_password(password)  # also ends this link and every other session
            redis_connection().delete(_lock_key(user.email), _failures_key(user.email))
            db.session.commit()
            flash(g.t["password_changed"], "ok")
            return redirect(url_for("accounts.login"))
    return render_template("reset.html", invalid=False, error=error, email=user.email)


def open_invitation(token: str) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(
            Invitation.token_hash == digest(token),
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    """The invited address's owner joins: with their password if they have an account, else
    by choosing one. Possession of the e-mailed link is the proof of the address."""
    invitation = open_invitation(token)
    if invitation is None:
        return render_template("invitation.html", invitation=None), 404
    user = db.session.scalar(select(User).where(User.email == invitation.email))
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if user is None:
            error = _password_problem(password)
            if error is None:
                user = User(email=invitation.email)
                user.set_password(password)
                db.session.add(user)
        else:
            verified = verified_user(invitation.email, password)
            if isinstance(verified, Response):
                return verified
            error = None if verified else g.t["wrong_password"]
        if error is None:
            _join(invitation, user)
            start_session(user, invitation.merchant_id)
            flash(g.t["joined"].format(shop=invitation.merchant.name), "ok")
            return redirect(url_for("pages.home"))
    return render_template(
        "invitation.html", invitation=invitation, has_account=user is not None, error=error
    )


def _join(invitation: Invitation, user: User) -> None:
    db.session.flush()  # a new user gets an id
    membership = db.session.scalar(
        select(Membership).filter_by(user_id=user.id, merchant_id=invitation.merchant_id)
    ) or Membership(user=user, merchant_id=invitation.merchant_id)
    membership.role = invitation.role
    invitation.accepted_at = utcnow()
    db.session.add(membership)
    audit.record(
        "membership.join",
        "user",
        user.id,
        merchant_id=invitation.merchant_id,
        user=user,
        email=user.email,
        role=invitation.role,
    )
    db.session.commit()
