"""An admin builds a dashboard of the orders through the editor; its charts show the known sums."""

from __future__ import annotations

import re

from selenium.webdriver.support.select import Select

from support import orders
from support.browser import Browser

DASHBOARD = "Sales"
BAR = "Revenue by region"
NUMBER = "Total revenue"


def add_widget(browser: Browser, dashboard_id: str, fields: dict[str, str], choices: dict[str, str]) -> None:
    """Fills and submits the editor's "Add a widget" form."""
    form = f"form[action='/dashboards/{dashboard_id}/widgets']"
    for name, value in choices.items():
        Select(browser.element(f"{form} select[name={name}]")).select_by_value(value)
    for name, value in fields.items():
        browser.fill(f"{form} input[name={name}]", value)
    browser.submit(form)
    assert browser.path == f"/dashboards/{dashboard_id}/edit?done=widgets", browser.path
    assert browser.check_page().status == 200


def tooltips(browser: Browser, widget: str) -> list[str]:
    """The `<title>` texts of the marks in the chart of the widget titled `widget`."""
    chart = browser.element(f"section.widget[aria-label='{widget}']")
    return [title.get_attribute("textContent") for title in chart.find_elements("css selector", "svg title")]


def test_an_admin_builds_a_dashboard_whose_charts_show_the_known_sums(signed_in, visit, screenshot, orders_csv) -> None:
    browser = signed_in("admin")
    source_id = orders.ensure_synced(browser)
    visit("/dashboards")
    screenshot("dashboards")

    browser.fill("form[action='/dashboards'] input[name=name]", DASHBOARD)
    browser.fill("form[action='/dashboards'] input[name=description]", "Orders by region")
    browser.submit("form[action='/dashboards']")
    match = re.fullmatch(r"/dashboards/(\d+)/edit", browser.path)
    assert match, browser.path
    dashboard_id = match.group(1)
    assert browser.check_page().status == 200
    assert browser.text("h1") == f"Edit {DASHBOARD}"

    add_widget(
        browser, dashboard_id, {"title": BAR, "metricField": "amount", "groupBy": "region"},
        {"kind": "bar", "source": str(source_id), "aggregate": "sum"},
    )
    add_widget(
        browser, dashboard_id, {"title": NUMBER, "metricField": "amount"},
        {"kind": "number", "source": str(source_id), "aggregate": "sum"},
    )
    assert len(browser.elements("section.widget-editor")) == 2
    screenshot("dashboard-editor")

    browser.click(f"a.button[href='/dashboards/{dashboard_id}']")
    assert browser.check_page().status == 200
    assert browser.text("h1") == DASHBOARD
    expected = {f"{region}: {orders.chart_number(total)}" for region, total in orders.revenue_by_region().items()}
    bars = {text for text in tooltips(browser, BAR) if re.match(r"^(EU|US|APAC): ", text)}
    assert bars == expected
    assert f"Sum of amount: {orders.chart_number(orders.total_revenue())}" in tooltips(browser, NUMBER)
    screenshot("dashboard")
