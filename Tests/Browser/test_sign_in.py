"""Signing in and out through the pages, as a person does in a browser."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from support.browser import SESSION_COOKIE, Browser
from support.pages import VIEWER_PAGES
from support.server import Account


def session_user(browser: Browser, token: str) -> tuple[int, str | None]:
    """The status of `GET /api/v1/auth/me` with `token` as the session cookie, and its username."""
    reply = browser.fetch("/api/v1/auth/me", cookies=False, headers={"Cookie": f"{SESSION_COOKIE}={token}"})
    user = json.loads(reply.body).get("user", {}) if reply.status == 200 else {}
    return reply.status, user.get("username")


def test_login_page(visit, screenshot, browser: Browser) -> None:
    page = visit("/login")

    assert page.status == 200
    assert browser.driver.title == "Sign in · Syncline"
    assert browser.element("input[name=username]").get_attribute("autocomplete") == "username"
    assert browser.element("input[name=password]").get_attribute("type") == "password"
    screenshot("login")


@pytest.mark.parametrize("username", ["ada", "nobody"], ids=["wrong-password", "unknown-user"])
def test_a_failed_sign_in_stays_on_the_form_with_one_generic_message(
    browser: Browser, accounts: dict[str, Account], screenshot, username: str
) -> None:
    account = Account(username, "not the password", "admin")

    browser.sign_in(account)

    assert browser.path == "/login"
    assert browser.text("[role=alert]") == "Incorrect username or password."
    assert browser.element("input[name=username]").get_attribute("value") == username
    assert browser.cookie(SESSION_COOKIE) is None
    posted = browser.fetch("/login", "POST", {"username": username, "password": "not the password"})
    assert posted.status == 401
    assert "Incorrect username or password." in posted.body
    screenshot("login-error")


def test_signing_in_lands_where_the_front_door_leads(signed_in, browser: Browser) -> None:
    signed_in("admin")

    front_door = browser.fetch("/")
    assert front_door.status == 303
    assert browser.path == front_door.headers["location"]
    cookie = browser.cookie(SESSION_COOKIE)
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert session_user(browser, cookie["value"]) == (200, "ada")


def test_signing_in_returns_to_the_page_that_asked(browser: Browser, accounts: dict[str, Account]) -> None:
    wanted = "/sources?sort=name"
    browser.visit("/login?next=" + urllib.parse.quote(wanted, safe=""))

    browser.sign_in(accounts["viewer"])

    assert browser.path == wanted


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_the_header_shows_who_is_signed_in(signed_in, visit, screenshot, role: str, accounts) -> None:
    browser = signed_in(role)
    path = browser.existing_page(*VIEWER_PAGES)

    page = visit(path)

    assert page.status == 200
    assert browser.text(".topbar .account a") == accounts[role].username
    assert browser.text(".topbar .role").lower() == role
    navigation = [link.text for link in browser.elements(".mainnav a")]
    assert ("Users" in navigation) == (role == "admin")
    screenshot(path)


def test_signing_out_ends_the_session(signed_in, browser: Browser) -> None:
    signed_in("admin")
    token = browser.cookie(SESSION_COOKIE)["value"]

    browser.sign_out()

    assert browser.path == "/login"
    assert browser.cookie(SESSION_COOKIE) is None
    assert browser.cookie("syncline_csrf") is None
    assert session_user(browser, token) == (401, None)


def test_after_signing_out_a_page_asks_to_sign_in_again(signed_in, browser: Browser, visit) -> None:
    signed_in("viewer")
    path = browser.existing_page(*VIEWER_PAGES)
    visit(path)
    assert browser.elements(".topbar form[action='/logout']"), "the header has no sign-out button"
    browser.sign_out()
    assert browser.path == "/login"

    visit(path)

    assert browser.path == "/login?next=" + urllib.parse.quote(path, safe="")
    assert browser.element("input[name=next]").get_attribute("value") == path
