"""What a viewer sees of the orders and their dashboard, and an admin's own pages, ending with signing out.

The viewer test needs the orders source and the dashboard the earlier flow tests make; run alone,
it makes the source over HTTP as the admin first and skips if there is no dashboard.
"""

from __future__ import annotations

import re

import pytest

from support import orders
from support.browser import Browser
from test_error_pages import assert_error_page

ADMIN_CONTROLS = ("Edit", "Add widget", "Run sync now", "Test connection", "Discover schema", "Delete", "Create")


def assert_no_admin_controls(browser: Browser) -> None:
    """The page holds no button or link an admin would use to change something, nor a form posting to it."""
    labels = [element.text.strip() for element in browser.elements("main a.button, main button")]
    assert not set(labels) & set(ADMIN_CONTROLS), labels
    assert not browser.elements("main form[method=post]"), "a viewer's page has a form that changes something"


def test_a_viewer_sees_the_orders_without_admin_controls(
    browser: Browser, signed_in, visit, screenshot, orders_csv
) -> None:
    signed_in("admin")
    source_id = orders.ensure_synced(browser)
    browser.reset()
    signed_in("viewer")

    visit("/dashboards")
    assert_no_admin_controls(browser)
    links = [link.get_attribute("href") for link in browser.elements("a.dashboard-card")]
    if not links:
        pytest.skip("no dashboard yet; test_flow_2_dashboards.py makes it")
    dashboard_id = re.search(r"/dashboards/(\d+)$", links[0]).group(1)
    screenshot("dashboards")

    visit(f"/dashboards/{dashboard_id}")
    assert_no_admin_controls(browser)
    assert browser.elements("section.widget svg")
    screenshot("dashboard")

    for path in ("/sources", f"/sources/{source_id}", f"/sources/{source_id}/records"):
        assert visit(path).status == 200
        assert_no_admin_controls(browser)
        assert not browser.elements("a[href='/sources/new']")
        screenshot(path)

    for path in ("/sources/new", f"/sources/{source_id}/edit", f"/dashboards/{dashboard_id}/edit", "/users", "/audit"):
        page = visit(path)
        assert browser.path == path
        assert_error_page(browser, page, 403, "You can't do that here")
    screenshot("403")


def test_an_admin_visits_users_audit_and_account_then_signs_out(signed_in, visit, screenshot) -> None:
    browser = signed_in("admin")

    for path, heading in (("/users", "Users"), ("/audit", None), ("/account", None)):
        page = visit(path)
        assert page.status == 200, path
        if heading:
            assert browser.text("h1") == heading
        screenshot(path)
    assert "ada" in browser.text("main")

    # The header's own Sign out button, not a form the helper would build.
    assert browser.element("form[action='/logout'] button").text == "Sign out"
    signed_out = browser.sign_out()

    assert browser.path.startswith("/login"), browser.path
    assert signed_out.status == 200
    assert not browser.cookie("syncline_session")
    assert browser.fetch("/api/v1/auth/me").status == 401
    screenshot("signed-out")
