"""The pages' language: chosen from the catalogs present, by the browser or the switcher in the
header; every text translated; a new language needs nothing but its catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from app import create_app
from app.identity.mail import outbox
from tests.people import csrf, last_link, member, post_form, sign_in

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "app" / "translations"


def test_a_language_is_added_by_its_catalog_alone(app_config, _migrated, tmp_path):
    """French, from nothing but app/translations/fr/LC_MESSAGES/messages.po compiled (as `make`
    does): offered to French browsers, in the switcher and to the editor."""
    catalog = Catalog(locale="fr")
    catalog.add("Sign in", "Se connecter")
    catalog.add("Language", "Langue")
    french = tmp_path / "fr" / "LC_MESSAGES"
    french.mkdir(parents=True)
    with open(french / "messages.po", "wb") as po:
        write_po(po, catalog)
    with open(french / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)
    directories = f"{TRANSLATIONS};{tmp_path}"
    client = create_app({**app_config, "BABEL_TRANSLATION_DIRECTORIES": directories}).test_client()

    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="fr">' in text and "Se connecter" in text
    assert "E-mail" in text  # not yet translated: the English text
    assert 'aria-label="Langue"' in text
    assert ">Deutsch</a>" in text and ">English</a>" in text
    assert "Anmelden" in client.get("/login", headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )


def test_the_switcher_remembers_the_choice_across_sign_in_and_out(app, client):
    member("Acme", "ann@shop.de")
    english_browser = {"Accept-Language": "en-US"}
    login = client.get("/login", headers=english_browser).get_data(as_text=True)
    assert 'href="/language/de?next=/login" hreflang="de" lang="de">Deutsch</a>' in login
    chosen = client.get("/language/de?next=/login")
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/login"
    assert "Max-Age=31536000" in chosen.headers["Set-Cookie"]

    assert "Anmelden" in client.get("/login", headers=english_browser).get_data(as_text=True)
    sign_in(client, "ann@shop.de")
    home = client.get("/", headers=english_browser).get_data(as_text=True)
    assert '<html lang="de">' in home and "Ihre Abläufe" in home and ">English</a>" in home
    post_form(client, "/logout")
    assert "Anmelden" in client.get("/login", headers=english_browser).get_data(as_text=True)

    assert client.get("/language/en?next=/").headers["Location"] == "/"
    german_browser = {"Accept-Language": "de"}
    assert "Sign in" in client.get("/login", headers=german_browser).get_data(as_text=True)


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_the_switcher_only_leads_back_into_shopwire(app, client, elsewhere):
    reply = client.get("/language/de", query_string={"next": elsewhere})
    assert reply.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(app, client):
    reply = client.get("/language/xx?next=/login")
    assert reply.status_code == 302 and "Set-Cookie" not in reply.headers
    assert "Sign in" in client.get("/login").get_data(as_text=True)


SIGNED_IN_PAGES = {
    "/": ("Your flows", "Ihre Abläufe"),
    "/executions": ("Executions", "Ausführungen"),
    "/settings/members": ("Invite someone", "Jemanden einladen"),
    "/settings/tokens": ("Create token", "Token erstellen"),
    "/settings/shop": ("Time zone", "Zeitzone"),
    "/settings/audit": ("Audit log", "Änderungsprotokoll"),
    "/templates": ("Search templates", "Vorlagen durchsuchen"),
}


def test_every_page_renders_in_english_and_german(app, client):
    member("Acme", "ann@shop.de")
    sign_in(client, "ann@shop.de")
    for path, (english, german) in SIGNED_IN_PAGES.items():
        page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert english in page and german not in page, path
        page = client.get(path, headers={"Accept-Language": "de"}).get_data(as_text=True)
        assert german in page and english not in page, path
        assert "Einstellungen" in page and "Inhaber" in page and "Abmelden" in page


def test_invitation_mails_count_days_in_the_inviters_language(app, client):
    member("Acme", "ann@shop.de")
    sign_in(client, "ann@shop.de")
    app.config["SHOPWIRE_INVITE_DAYS"] = 1
    post_form(client, "/settings/members/invite", {"email": "max@shop.de", "role": "viewer"})
    assert "(the link works for 1 day)" in outbox()[-1].get_content()
    app.config["SHOPWIRE_INVITE_DAYS"] = 7
    client.post(
        "/settings/members/invite",
        data={"email": "eva@shop.de", "role": "viewer", "csrf": csrf(client.get("/"))},
        headers={"Accept-Language": "de"},
    )
    mail = outbox()[-1]
    assert mail["Subject"] == "Einladung zu Acme bei Shopwire"
    assert "als Betrachter" in mail.get_content() and "(der Link gilt 7 Tage)" in mail.get_content()
    invitation = client.get(last_link("eva@shop.de"), headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )
    assert "Sie wurden zu Acme eingeladen, als Betrachter." in invitation


def _texts_in_the_code() -> set[str]:
    """Every text of the pages, found as `make messages` finds it (babel.cfg)."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords={**DEFAULT_KEYWORDS, "lazy_gettext": None},
        directory_filter=lambda path: not Path(path).name.startswith((".", "node_modules")),
    )
    return {message if isinstance(message, str) else message[0] for *_, message, _, _ in found}


@pytest.mark.parametrize("catalog", sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")))
def test_every_text_of_the_pages_is_translated(catalog):
    """A text added to the code without its translation would show up in English on a German
    page: run `make messages`, then translate what it leaves empty."""
    with open(catalog, "rb") as po:
        translated = {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(po)
            if message.id and message.string and not message.fuzzy
        }
    assert sorted(_texts_in_the_code() - translated) == []


def test_a_catalog_left_uncompiled_is_named_in_the_log(app_config, _migrated, tmp_path, caplog):
    catalog = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    catalog.parent.mkdir(parents=True)
    with open(catalog, "wb") as po:
        write_po(po, Catalog(locale="fr"))
    app = create_app({**app_config, "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)})
    assert f"{catalog} is not compiled: run `make translations`" in caplog.text
    french_browser = {"Accept-Language": "fr"}
    page = app.test_client().get("/login", headers=french_browser).get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
