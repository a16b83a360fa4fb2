"""Fixtures of the browser tests: one server and one Chromium for the run, a fresh browser per test.

A page test needs little more than this:

    def test_users_page(signed_in, visit, screenshot):
        browser = signed_in("admin")
        page = visit("/users")
        assert page.status == 200
        assert browser.text("h1") == "Users"
        screenshot("users")

`visit` checks the CSP header, inline code and Chromium's console on every page on its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support import orders as known_orders
from support.browser import Browser, Chromium, Response, slug
from support.server import REPOSITORY, Account, SynclineServer, find_binary

ARTIFACTS = REPOSITORY / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="session")
def server() -> Iterator[SynclineServer]:
    """`syncline serve` on a free loopback port and a scratch SQLite database, for the whole run.

    Its log is kept as `test-artifacts/browser-server.log`.
    """
    process = SynclineServer(find_binary())
    try:
        process.start()
        yield process
    finally:
        process.stop()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "browser-server.log").write_text(process.log_text())
        process.remove()


@pytest.fixture(scope="session")
def accounts(server: SynclineServer) -> dict[str, Account]:
    """One account per role, made with `syncline user add`: `admin` and `viewer`."""
    return {"admin": server.add_user("ada", "admin"), "viewer": server.add_user("victor", "viewer")}


@pytest.fixture(scope="session")
def orders_csv(server: SynclineServer) -> Path:
    """The 60 known orders of `support/orders.py`, written as a CSV file into the server's import directory."""
    return server.write_import(known_orders.FILE, known_orders.csv_text())


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """Headless Chromium, started once; each test gets it back without cookies."""
    instance = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield instance
    finally:
        instance.quit()


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots() -> None:
    """Starts the run with an empty screenshot folder, so what is there is from this run."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)


@pytest.fixture
def browser(chromium: Chromium, server: SynclineServer, request: pytest.FixtureRequest) -> Iterator[Browser]:
    """The browser at the desktop size, signed out, on a blank page."""
    instance = Browser(chromium, server, slug(request.node.name.removeprefix("test_")), SCREENSHOTS)
    instance.reset()
    yield instance
    instance.assert_no_csp_violations()


@pytest.fixture
def signed_in(browser: Browser, accounts: dict[str, Account]) -> Callable[[str], Browser]:
    """`signed_in(role)` signs the browser in as the account of `role` through the sign-in form."""

    def sign_in_as(role: str = "admin") -> Browser:
        browser.sign_in(accounts[role])
        assert browser.cookie("syncline_session"), f"signing in as {role} set no session cookie"
        return browser

    return sign_in_as


@pytest.fixture
def visit(browser: Browser) -> Callable[[str], Response]:
    """`visit(path)` opens a page in the browser and checks it; returns its status, headers and HTML."""
    return browser.visit


@pytest.fixture
def screenshot(browser: Browser) -> Callable[[str], list[Path]]:
    """`screenshot(name)` saves the current page at the desktop and phone sizes."""
    return browser.screenshot

