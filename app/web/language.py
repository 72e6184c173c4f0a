"""The language of the pages: gettext catalogs through Flask-Babel, one per language in
``app/translations/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo`` by ``make``).

The texts in the code and templates are English; the languages offered are English and every
language that has a compiled catalog, so adding a catalog adds a language. A visitor's choice
from the switcher in the header is kept in a cookie (it outlives sign-in and sign-out, which
clear the session); without one, the browser's Accept-Language decides.

Times are shown in the shop's time zone (a shop setting, Europe/Berlin unless changed):
Flask-Babel's ``format_datetime`` converts to it, and the pages hand it to their scripts as
``<body data-time-zone>`` for ``Intl.DateTimeFormat``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale
from flask import Blueprint, Flask, current_app, g, redirect, request, url_for
from flask_babel import Babel, get_babel, get_locale, get_timezone, refresh

from app.extensions import db
from app.identity.access import public
from app.models import Merchant

bp = Blueprint("language", __name__)
babel = Babel()

COOKIE = "shopwire_lang"
COOKIE_SECONDS = 365 * 24 * 3600
DEFAULT_TIME_ZONE = "Europe/Berlin"  # a shop's time zone until its owner sets another


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=_chosen_locale,
        timezone_selector=_shop_time_zone,
        default_timezone=DEFAULT_TIME_ZONE,
    )
    with app.app_context():
        app.extensions["shopwire_languages"] = sorted(
            str(locale) for locale in babel.list_translations()
        )
        _warn_of_uncompiled_catalogs(app)
    app.register_blueprint(bp)


def _warn_of_uncompiled_catalogs(app: Flask) -> None:
    """A catalog that was not compiled (a checkout that skipped `make`) is silently not
    offered, or offered with its old texts: say so where an operator looks."""
    for directory in get_babel(app).translation_directories:
        for catalog in Path(directory).glob("*/LC_MESSAGES/*.po"):
            compiled = catalog.with_suffix(".mo")
            if not compiled.exists() or compiled.stat().st_mtime < catalog.stat().st_mtime:
                app.logger.warning("%s is not compiled: run `make translations`", catalog)


def languages() -> list[str]:
    """The codes of the languages the pages speak: ``en`` and one per compiled catalog."""
    return current_app.extensions["shopwire_languages"]


def _chosen_locale() -> str | None:
    offered = languages()
    chosen = request.cookies.get(COOKIE)
    if chosen in offered:
        return chosen
    return request.accept_languages.best_match(offered)


def _shop_time_zone() -> str | None:
    """The signed-in shop's time zone; pages without a shop use the default."""
    merchant_id = g.get("merchant_id")
    return db.session.get(Merchant, merchant_id).timezone if merchant_id else None


@bp.before_app_request
def _language() -> None:
    # `g` lives as long as the app context, which a test may hold across requests: the
    # locale Flask-Babel keeps there must be chosen anew for each one.
    refresh()
    g.lang = str(get_locale())


@bp.app_context_processor
def _switcher() -> dict:
    """Each offered language by its own name (Deutsch, English …), for the header."""
    return {
        "languages": [(code, Locale.parse(code).get_display_name(code)) for code in languages()],
        "time_zone": str(get_timezone()),
    }


@bp.get("/language/<code>")
@public
def choose(code: str):
    """Remember the visitor's language and show the page they were on again. A link, not a
    form: it changes nothing but how the pages read, so it needs no CSRF token."""
    back = request.args.get("next", "")
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not back.startswith("/") or back.startswith("/\\"):
        back = url_for("pages.home")
    response = redirect(back)
    if code in languages():
        response.set_cookie(
            COOKIE,
            code,
            max_age=COOKIE_SECONDS,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response
