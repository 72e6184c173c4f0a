"""Fixtures for driving the editor in headless Chromium (Debian's `chromium`, through the
Python Playwright package) against the real app served over HTTP from the test database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli import DEMO_EMAIL, ensure_demo_login, ensure_demo_merchant
from tests.conftest import DEMO_PASSWORD, Api

CHROMIUM = os.environ.get("SHOPWIRE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EDITOR_BUNDLE = Path(__file__).resolve().parents[2] / "app" / "static" / "dist" / "editor.js"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    if not EDITOR_BUNDLE.exists():
        pytest.skip(
            "the editor is not built: npm --prefix frontend ci && npm --prefix frontend run build"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where each test saves what the merchant saw (SHOPWIRE_SCREENSHOTS to keep them)."""
    wanted = os.environ.get("SHOPWIRE_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def demo_api(client) -> Api:
    """The demo merchant's API, for arranging flows the browser then opens; its owner signs
    in with DEMO_PASSWORD."""
    ensure_demo_login(DEMO_PASSWORD)
    return Api(client, ensure_demo_merchant())


@pytest.fixture
def page(browser, served, demo_api):
    """A browser tab signed in as the demo merchant, 1280×800, English."""
    context = browser.new_context(
        base_url=served, viewport={"width": 1280, "height": 800}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # A script or style the Content-Security-Policy blocks is as broken as one that throws.
    tab.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    tab.goto("/login")
    tab.fill("input[name=email]", DEMO_EMAIL)
    tab.fill("input[name=password]", DEMO_PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{served}/")
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
