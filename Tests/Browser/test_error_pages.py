"""The error pages: what a person sees when an address or a request is wrong, or not theirs."""

from __future__ import annotations

import pytest

from support.browser import Browser, Response
from support.pages import ADMIN_PAGES


def assert_error_page(browser: Browser, page: Response, status: int, heading: str) -> None:
    """The browser shows the error page of `status`, and `page` is it too."""
    assert page.status == status
    assert page.error_code == str(status)
    assert browser.text(".error-code") == str(status)
    assert browser.text("h1") == heading
    assert browser.element("a.button").get_attribute("href").endswith("/dashboards")


@pytest.mark.parametrize("role", [None, "viewer"], ids=["signed-out", "signed-in"])
def test_an_unknown_address_gets_the_404_page(browser: Browser, signed_in, visit, screenshot, role) -> None:
    if role:
        signed_in(role)

    page = visit("/no/such/page")

    assert_error_page(browser, page, 404, "Page not found")
    screenshot("404")


def test_a_wrong_method_gets_the_405_page(browser: Browser, visit, screenshot) -> None:
    page = visit("/logout")

    assert_error_page(browser, page, 405, "Not allowed")
    assert page.headers["allow"] == "POST"
    screenshot("405")


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_viewer_gets_the_403_page_on_admin_pages(signed_in, visit, screenshot, path: str) -> None:
    browser = signed_in("viewer")
    browser.existing_page(path)

    page = visit(path)

    assert browser.path == path
    assert_error_page(browser, page, 403, "You can't do that here")
    screenshot(path)


def test_a_form_without_its_csrf_token_gets_the_403_page(signed_in, screenshot) -> None:
    browser = signed_in("admin")
    browser.driver.execute_script(
        """
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/logout";
        form.id = "forged";
        document.body.append(form);
        """
    )

    browser.submit("#forged")

    assert browser.path == "/logout"
    refused = browser.fetch("/logout", "POST", {})
    assert_error_page(browser, refused, 403, "You can't do that here")
    assert browser.fetch("/api/v1/auth/me").status == 200, "the refused form ended the session"
    screenshot("403-csrf")
