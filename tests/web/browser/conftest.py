"""Browser tests: Debian's Chromium driven by Playwright, against the real app in a real server.

Chromium comes from the system package (`apt-get install -y chromium`), never from Playwright's
own download. Under CI (``CI`` set, as `.ci/run` runs, which installs Chromium first) a missing
browser FAILS these tests. On a developer's fresh machine with only Python, where the README's
test command must work, they are skipped with the install instructions as the reason, shown in
pytest's summary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.live_server import LiveServer, live_server

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
INSTALL_HINT = (
    "install Debian's Chromium (apt-get update && apt-get install -y chromium) and the test "
    "extra (pip install -e '.[test]', which brings the playwright package); the browser itself "
    "is never downloaded by Playwright"
)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found on PATH: {INSTALL_HINT}", pytrace=False)
        pytest.skip(f"browser tests need Chromium: {INSTALL_HINT}")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"the playwright package is missing: {INSTALL_HINT}", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def server(app: Flask) -> Iterator[LiveServer]:
    with live_server(app) as running:
        yield running


@pytest.fixture()
def live_url(server: LiveServer, db, app: Flask) -> Iterator[str]:
    """The server's address, with empty tables and CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield server.url
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture()
def context(browser) -> Iterator:
    ctx = browser.new_context(locale="pl-PL", viewport={"width": 1100, "height": 900})
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()
