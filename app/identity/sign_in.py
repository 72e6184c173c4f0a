"""Signing up, in and out, resetting a forgotten password, accepting an invitation and switching
between the shops a user belongs to."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_time, gettext, ngettext
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.identity import audit
from app.identity.access import end_session, limiter, public, requires, start_session
from app.identity.links import NoPublicAddress, mailed_link
from app.identity.mail import send_mail
from app.models import Invitation, Membership, Merchant, User
from app.models.base import utcnow
from app.models.merchant import digest
from app.runtime.queue import redis_connection

log = logging.getLogger("shopwire.accounts")

bp = Blueprint("accounts", __name__)

MIN_PASSWORD = 10


def _login_limit() -> str:
    return current_app.config["SHOPWIRE_LOGIN_RATE_LIMIT"]


@bp.errorhandler(429)
def _too_many(error) -> Response:
    retry = int(getattr(error, "retry_after", 0) or 60)
    message = gettext(
        "Too many attempts from your network. Wait %(minutes)d min and try again.",
        minutes=_minutes(retry),
    )
    page = render_template("login.html", error=message)
    return Response(page, 429, headers={"Retry-After": str(retry)})


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _normalised(email: str | None) -> str:
    return (email or "").strip().lower()


# Lockout: counted per client address and e-mail address, whether or not an account has it,
# so the answer never tells a stranger which addresses are registered, and a stranger's
# guesses lock out only the stranger, not the account's owner. Each lock of the same pair
# lasts twice as long as the one before, up to a day.
LONGEST_LOCK_SECONDS = 24 * 3600


def _pair(email: str) -> str:
    return digest(f"{get_remote_address()} {email}")


def _lock_key(email: str) -> str:
    return f"shopwire:login-lock:{_pair(email)}"


def _failures_key(email: str) -> str:
    return f"shopwire:login-failures:{_pair(email)}"


def _locks_key(email: str) -> str:
    return f"shopwire:login-locks:{_pair(email)}"


def locked_for(email: str) -> int:
    """Seconds until this client may try this address again; 0 when it may now."""
    return max(0, redis_connection().ttl(_lock_key(email)))


def _count_failure(email: str) -> None:
    config = current_app.config
    redis = redis_connection()
    failures = redis.incr(_failures_key(email))
    if failures == 1:  # the window starts with the first failure
        redis.expire(_failures_key(email), config["SHOPWIRE_LOCKOUT_SECONDS"])
    if failures >= config["SHOPWIRE_LOCKOUT_FAILURES"]:
        locks = redis.incr(_locks_key(email))
        redis.expire(_locks_key(email), LONGEST_LOCK_SECONDS)
        seconds = min(config["SHOPWIRE_LOCKOUT_SECONDS"] * 2 ** (locks - 1), LONGEST_LOCK_SECONDS)
        redis.set(_lock_key(email), 1, ex=seconds)
        redis.delete(_failures_key(email))


def _locked_response(seconds: int) -> Response:
    until = format_time(utcnow() + timedelta(seconds=seconds), "long")
    message = gettext(
        "Too many failed sign-ins for this e-mail address. Try again in %(minutes)d min "
        "(after %(until)s), or reset your password.",
        minutes=_minutes(seconds),
        until=until,
    )
    return Response(
        render_template("login.html", error=message), 429, headers={"Retry-After": str(seconds)}
    )


def verified_user(email: str, password: str) -> User | None | Response:
    """The user with this e-mail and password; None when wrong; a 429 page when locked."""
    if seconds := locked_for(email):
        return _locked_response(seconds)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.check_password(password):
        redis_connection().delete(_failures_key(email), _locks_key(email))
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
            error = gettext("E-mail or password is wrong.")
        else:
            membership = db.session.scalar(
                select(Membership).filter_by(user_id=user.id).order_by(Membership.id)
            )
            if membership is not None:
                start_session(user, membership.merchant_id)
                return redirect(url_for("pages.home"))
            error = gettext(
                "This account belongs to no shop yet. Ask the shop's owner to invite you."
            )
    return render_template("login.html", error=error)


@bp.post("/logout")
@requires("viewer")
def logout():
    end_session()
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
        flash(gettext("You are not a member of that shop."), "bad")
    else:
        session["merchant_id"] = membership.merchant_id
    return redirect(url_for("pages.home"))


def _password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return gettext("Choose a password of at least %(n)d characters.", n=MIN_PASSWORD)
    if len(password) > 256:
        return gettext("Choose a password of at most 256 characters.")
    return None


# Signing up: the form asks for the shop's name and an e-mail address, and the answer is the
# same whether or not the address has an account ("a link is on its way"), so the form tells
# no stranger which addresses are registered. A new address gets a link to choose a password,
# which creates the shop; an address with an account gets a mail that says so instead.
SIGNUP_LINK_SECONDS = 24 * 3600


def _signup_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="signup")


def _shop_name_problem(shop: str) -> str | None:
    if not shop:
        return gettext("Give your shop a name.")
    if db.session.scalar(select(Merchant.id).where(Merchant.name == shop)):
        return gettext("A shop with this name exists. Choose another name.")
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
        email, shop = _normalised(form.get("email")), (form.get("shop") or "").strip()[:200]
        if "@" not in email:
            errors["email"] = gettext("Enter an e-mail address such as name@shop.de.")
        if problem := _shop_name_problem(shop):
            errors["shop"] = problem
        if not errors:
            _mail_signup_link(email, shop)
            return render_template("signup.html", sent_to=email, closed=False)
    return render_template("signup.html", errors=errors, form=form, closed=False)


def _mail_signup_link(email: str, shop: str) -> None:
    """Mail the link that creates the shop, or, to an address with an account, a note that
    it has one. Either way the same work is done and the same page follows."""
    exists = db.session.scalar(select(User.id).where(User.email == email)) is not None
    token = _signup_serializer().dumps({"email": email, "shop": shop})
    try:
        link = mailed_link("accounts.confirm_signup", token=token)
        sign_in_link = mailed_link("accounts.login")
        reset_link = mailed_link("accounts.forgot_password")
    except NoPublicAddress as problem:  # answered the same: no account is revealed
        log.error("sign-up link not mailed: %s", problem.detail)
        return
    if exists:
        send_mail(
            email,
            gettext("Your Shopwire account"),
            gettext(
                "Someone (hopefully you) asked to create a Shopwire account with this address. "
                "It has one already: sign in here:\n%(sign_in)s\n\nForgot the password? "
                "Choose a new one here:\n%(reset)s\n\nIf it was not you, ignore this mail.",
                sign_in=sign_in_link,
                reset=reset_link,
            ),
        )
        return
    send_mail(
        email,
        gettext("Finish creating your Shopwire account"),
        gettext(
            "Someone (hopefully you) asked to create the shop “%(shop)s” on Shopwire with this "
            "address.\n\nChoose your password here to finish (the link works for a day):\n"
            "%(link)s\n\nIf it was not you, ignore this mail: no account is created.",
            shop=shop,
            link=link,
        ),
    )


@bp.route("/signup/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def confirm_signup(token: str):
    """The address's owner opened the mailed link: they choose a password, and the shop is
    created with them as its owner. Possession of the link is the proof of the address."""
    if not current_app.config["SHOPWIRE_SIGNUP_OPEN"]:
        return render_template("signup.html", closed=True), 403
    try:
        wanted = _signup_serializer().loads(token, max_age=SIGNUP_LINK_SECONDS)
    except (BadSignature, SignatureExpired):
        return render_template("signup_confirm.html", invalid=True), 400
    email = wanted["email"]
    if db.session.scalar(select(User.id).where(User.email == email)):
        flash(gettext("This account exists already: sign in."), "ok")
        return redirect(url_for("accounts.login"))
    errors: dict[str, str] = {}
    shop = (request.form.get("shop") or wanted["shop"]).strip()[:200]
    if request.method == "POST":
        password = request.form.get("password", "")
        if problem := _shop_name_problem(shop):
            errors["shop"] = problem
        if problem := _password_problem(password):
            errors["password"] = problem
        if not errors:
            user, merchant = _create_shop(email, shop, password)
            start_session(user, merchant.id)
            flash(gettext("Welcome! “%(shop)s” is ready: build your first flow.", shop=shop), "ok")
            return redirect(url_for("pages.home"))
    return render_template(
        "signup_confirm.html", invalid=False, email=email, shop=shop, errors=errors
    )


def _create_shop(email: str, shop: str, password: str) -> tuple[User, Merchant]:
    user, merchant = User(email=email), Merchant(name=shop)
    user.set_password(password)
    db.session.add_all([user, merchant, Membership(user=user, merchant=merchant)])
    db.session.flush()
    audit.record(
        "merchant.create", "merchant", merchant.id, merchant_id=merchant.id, user=user, name=shop
    )
    db.session.commit()
    return user, merchant


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
            try:
                link = mailed_link("accounts.reset_password", token=reset_token(user))
            except NoPublicAddress as problem:  # answered the same: no account is revealed
                log.error("password reset for a user not mailed: %s", problem.detail)
                return render_template("forgot.html", sent_to=sent_to)
            minutes = current_app.config["SHOPWIRE_RESET_TOKEN_SECONDS"] // 60
            send_mail(
                user.email,
                gettext("Reset your Shopwire password"),
                ngettext(
                    "Someone (hopefully you) asked to reset your Shopwire password.\n\n"
                    "Choose a new one here (the link works once, for %(num)d minute):\n"
                    "%(link)s\n\nIf it was not you, ignore this mail: your password stays as it "
                    "is.",
                    "Someone (hopefully you) asked to reset your Shopwire password.\n\n"
                    "Choose a new one here (the link works once, for %(num)d minutes):\n"
                    "%(link)s\n\nIf it was not you, ignore this mail: your password stays as it "
                    "is.",
                    minutes,
                    link=link,
                ),
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
            redis_connection().delete(
                _lock_key(user.email), _failures_key(user.email), _locks_key(user.email)
            )
            db.session.commit()
            flash(gettext("Your password was changed. Sign in with the new one."), "ok")
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
            error = (
                None
                if verified
                else gettext("The password is wrong. Forgot it? Reset it from the sign-in page.")
            )
        if error is None:
            _join(invitation, user)
            start_session(user, invitation.merchant_id)
            flash(
                gettext("You are now a member of “%(shop)s”.", shop=invitation.merchant.name), "ok"
            )
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
