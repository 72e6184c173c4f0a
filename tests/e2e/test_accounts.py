"""Accounts in real Chromium: sign up, invite a colleague who accepts, reset a forgotten
password from the (console) mail, and the editor working under the Content-Security-Policy."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.identity.mail import outbox
from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, open_editor
from tests.people import PASSWORD, member


def _tab(browser, served):
    context = browser.new_context(base_url=served, locale="en-US")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return tab, problems


def _link_to(email: str) -> str:
    mail = next(m for m in reversed(outbox()) if m["To"] == email)
    return re.search(r"https?://\S+", mail.get_content()).group(0)


def test_sign_up_invite_and_accept(browser, served, app, screenshots):
    owner, problems = _tab(browser, served)
    owner.goto("/login")
    owner.get_by_role("link", name="New here? Create an account").click()
    owner.get_by_label("Shop name").fill("Nordlicht Tees")
    owner.get_by_label("E-mail").fill("nina@nordlicht.de")
    owner.get_by_role("button", name="Create an account").click()
    owner.get_by_text("A link is on its way to nina@nordlicht.de.").wait_for()
    # The address is proven by the mailed link, where the password is chosen.
    owner.goto(_link_to("nina@nordlicht.de"))
    expect(owner.get_by_label("Shop name")).to_have_value("Nordlicht Tees")
    owner.get_by_label("Password").fill("short")
    owner.get_by_role("button", name="Create an account").click()
    # The browser's own check (minlength) stops it first; a typed-in long one passes.
    owner.get_by_label("Password").fill(PASSWORD)
    owner.get_by_role("button", name="Create an account").click()
    owner.get_by_text("Welcome! “Nordlicht Tees” is ready").wait_for()

    owner.get_by_role("link", name="Settings").click()
    owner.get_by_label("E-mail").fill("max@nordlicht.de")
    owner.get_by_label("Role", exact=True).select_option("editor")
    owner.get_by_role("button", name="Invite").click()
    owner.get_by_text("An invitation was sent to max@nordlicht.de.").wait_for()
    owner.screenshot(path=screenshots / "members.png")

    guest, guest_problems = _tab(browser, served)
    guest.goto(_link_to("max@nordlicht.de"))
    guest.get_by_text("You were invited to Nordlicht Tees as editor.").wait_for()
    guest.get_by_label("Password").fill("max's own password")
    guest.get_by_role("button", name="Join").click()
    guest.get_by_text("You are now a member of “Nordlicht Tees”.").wait_for()
    expect(guest.locator("nav.account")).to_contain_text("max@nordlicht.de · editor")

    owner.reload()
    expect(owner.get_by_label("Role: max@nordlicht.de")).to_have_value("editor")
    assert not problems and not guest_problems, problems + guest_problems


def test_reset_a_forgotten_password_from_the_mail(browser, served, app):
    member("Acme", "ann@acme.de")
    tab, problems = _tab(browser, served)
    tab.goto("/login")
    tab.get_by_role("link", name="Forgot your password?").click()
    tab.get_by_label("E-mail").fill("ann@acme.de")
    tab.get_by_role("button", name="Send link").click()
    tab.get_by_text("If an account exists for ann@acme.de").wait_for()

    tab.goto(_link_to("ann@acme.de"))
    tab.get_by_label("New password").fill("a new long password")
    tab.get_by_role("button", name="Save password").click()
    tab.get_by_text("Your password was changed.").wait_for()
    tab.get_by_label("E-mail").fill("ann@acme.de")
    tab.get_by_label("Password").fill("a new long password")
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{served}/")
    expect(tab.locator("nav.account")).to_contain_text("ann@acme.de")
    assert not problems, problems


def test_the_editor_works_under_the_content_security_policy(page, demo_api):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    reply = page.goto(f"/flows/{flow_id}/edit")
    csp = reply.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    open_editor(page, flow_id)
    expect(page.locator(".react-flow__node")).to_have_count(1)
    # The page fixture fails the test on any CSP report in the console as well.


def test_a_viewer_sees_the_flow_but_is_offered_no_changes(browser, served, demo_api, screenshots):
    from app.cli import DEMO_MERCHANT

    flow_id = create_flow(demo_api, flow_document(HOOK))
    member(DEMO_MERCHANT, "vera@shop.example", role="viewer")
    viewer, problems = _tab(browser, served)
    viewer.goto("/login")
    viewer.get_by_label("E-mail").fill("vera@shop.example")
    viewer.get_by_label("Password").fill(PASSWORD)
    viewer.get_by_role("button", name="Sign in").click()
    viewer.wait_for_url(f"{served}/")
    open_editor(viewer, flow_id)

    viewer.get_by_text("your role in this shop is viewer").wait_for()
    expect(viewer.locator(".palette-item")).to_have_count(0)
    expect(viewer.get_by_role("button", name="Save", exact=True)).to_be_disabled()
    expect(viewer.get_by_role("button", name="Test", exact=True)).to_be_disabled()
    expect(viewer.get_by_role("switch")).to_be_disabled()
    viewer.locator(".react-flow__node[data-id='order']").click()
    viewer.locator("[data-panel-node='order']").wait_for()  # the step can still be inspected
    viewer.screenshot(path=screenshots / "editor-viewer.png")
    assert problems == []
