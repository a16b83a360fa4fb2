"""An admin's way through a CSV source: create it through the form, sync it, browse its records.

The flow files are numbered so pytest runs them in order (sources, dashboards, viewer and
account), and within a file the tests run in file order and build on each other: the source the first one creates is the
one the second syncs and the third browses. Run alone, a later test makes and syncs the source
over HTTP itself (`orders.ensure_synced`), so each can also be run by itself.
"""

from __future__ import annotations

import csv
import io
import re

from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from support import orders
from support.browser import Browser
from support.checks import assert_no_inline_code


def column_values(browser: Browser, field: str) -> list[str]:
    """The texts of column `field` in the records table, top to bottom."""
    headers = [link.get_attribute("textContent") for link in browser.elements("table thead th a")]
    assert field in headers, headers
    index = headers.index(field) + 1
    return [cell.get_attribute("textContent") for cell in browser.elements(f"table tbody tr td:nth-child({index})")]


def test_an_admin_creates_a_csv_source_after_fixing_an_inline_error(signed_in, visit, screenshot, orders_csv) -> None:
    browser = signed_in("admin")
    visit("/sources")
    screenshot("sources-list")
    browser.click("a[href='/sources/new']")
    assert browser.check_page().status == 200

    Select(browser.element("#field-kind")).select_by_value("csv")
    browser.fill("#field-name", orders.SOURCE_NAME)
    browser.fill("#field-primaryKey", "order_id")
    browser.fill("#field-csv\\.path", "../" + orders.FILE)
    browser.submit("form[action='/sources/new']")

    assert browser.path == "/sources/new"
    path = browser.element("#field-csv\\.path")
    assert path.get_attribute("aria-invalid") == "true"
    error = browser.element("#field-csv\\.path-error")
    assert error.get_attribute("class") == "field-error"
    assert "'..'" in error.text
    assert "field-csv.path-error" in path.get_attribute("aria-describedby").split()
    # The error sits in the label of its field, and only that field is marked.
    assert error.find_element("xpath", "..").find_element("css selector", "input").get_attribute("name") == "csv.path"
    assert [field.get_attribute("name") for field in browser.elements("[aria-invalid=true]")] == ["csv.path"]
    # What was typed is kept.
    assert browser.element("#field-name").get_attribute("value") == orders.SOURCE_NAME
    assert browser.element("#field-primaryKey").get_attribute("value") == "order_id"
    assert Select(browser.element("#field-kind")).first_selected_option.get_attribute("value") == "csv"
    assert path.get_attribute("value") == "../" + orders.FILE
    # The page was answered to a POST; its checks run on the HTML the browser holds.
    assert_no_inline_code(browser.driver.page_source, where="the source form with an error")
    browser.assert_no_csp_violations()
    screenshot("source-form-error")

    browser.fill("#field-csv\\.path", orders.FILE)
    browser.submit("form[action='/sources/new']")

    assert re.fullmatch(r"/sources/\d+\?notice=created", browser.path), browser.path
    assert browser.check_page().status == 200
    assert browser.text("h1") == orders.SOURCE_NAME
    assert "Source created" in browser.text(".notice")
    screenshot("source-created")


def test_an_admin_runs_a_sync_and_follows_its_progress(signed_in, visit, screenshot, orders_csv) -> None:
    browser = signed_in("admin")
    source = orders.find_source(browser) or {"id": orders.ensure_synced(browser)}
    visit(f"/sources/{source['id']}")

    browser.submit(f"form[action='/sources/{source['id']}/sync']")

    assert browser.path == f"/sources/{source['id']}?notice=sync-started"
    progress = browser.element("[data-sync-run]")
    assert progress.find_element("css selector", "[data-field=status]").text in ("queued", "running", "succeeded")
    screenshot("source-syncing")
    WebDriverWait(browser.driver, 30).until(
        lambda driver: progress.get_attribute("data-finished"), "the sync did not finish within 30 seconds"
    )
    assert progress.get_attribute("data-finished") == "succeeded"
    assert progress.find_element("css selector", "[data-field=status]").text == "succeeded"
    assert progress.find_element("css selector", "[data-field=recordsWritten]").text == f"{orders.COUNT:,}"
    screenshot("source-synced-live")

    page = visit(f"/sources/{source['id']}")
    assert page.status == 200
    terms = [term.text for term in browser.elements("dl.facts dt")]
    facts = dict(zip(terms, [value.text for value in browser.elements("dl.facts dd")]))
    assert facts["Records"] == f"{orders.COUNT:,}"
    history = browser.driver.find_element("xpath", "//h2[text()='Sync history']/..")
    assert history.find_element("css selector", "tbody tr td").text == "succeeded"
    screenshot("source-synced")


def test_an_admin_sorts_filters_searches_pages_and_exports_the_records(
    signed_in, visit, screenshot, orders_csv
) -> None:
    browser = signed_in("admin")
    source_id = orders.ensure_synced(browser)
    records = f"/sources/{source_id}/records"
    visit(records)
    assert f"{orders.COUNT:,} records" in browser.text(".page-head")
    screenshot("records")

    amounts = sorted(order.amount for order in orders.ORDERS)
    browser.click("th a[href*='sort=amount']")
    browser.check_page()
    assert browser.element("th[aria-sort]").get_attribute("aria-sort") == "ascending"
    assert column_values(browser, "amount")[0] == orders.table_number(amounts[0])
    browser.click("th a[href*='sort=-amount']")
    browser.check_page()
    assert browser.element("th[aria-sort]").get_attribute("aria-sort") == "descending"
    assert column_values(browser, "amount")[0] == orders.table_number(amounts[-1])
    screenshot("records-sorted")

    visit(records)
    Select(browser.element("select[name=add_field]")).select_by_value("region")
    Select(browser.element("select[name=add_op]")).select_by_value("eq")
    browser.fill("input[name=add_value]", "EU")
    browser.submit("form:has(select[name=add_field])")
    browser.check_page()
    regions = column_values(browser, "region")
    assert regions and set(regions) == {"EU"}
    assert len(regions) == 50
    screenshot("records-filtered")

    visit(records)
    browser.fill("input[name=q]", orders.MARKUP)
    browser.submit("form[role=search]")
    browser.check_page()
    # The markup arrives as text: one row, the cell shows it literally and no <b> element was made.
    assert column_values(browser, "note") == [orders.MARKUP]
    assert not browser.elements("table tbody b")
    browser.fill("input[name=q]", orders.NEEDLE)
    browser.submit("form[role=search]")
    assert column_values(browser, "customer") == [orders.NEEDLE]
    screenshot("records-searched")

    visit(records)
    browser.follow(lambda: Select(browser.element("select[name=limit]")).select_by_value("25"), "choosing 25 rows")
    browser.check_page()
    first = column_values(browser, "order_id")
    assert len(first) == 25
    browser.click("a[rel=next]")
    browser.check_page()
    second = column_values(browser, "order_id")
    assert len(second) == 25 and not set(first) & set(second)
    assert len(set(first + second)) == 50
    screenshot("records-second-page")

    visit(records + "?sort=order_id")
    export = browser.element("a[href*='records.csv']").get_attribute("href")
    reply = browser.fetch(export.removeprefix(browser.server.origin))
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(reply.body)))
    assert rows[0] == ["order_id", "region", "amount", "ordered_at", "customer", "note"]
    assert len(rows) == orders.COUNT + 1
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["7"][5] == "'" + orders.FORMULA
    assert by_id["8"][5] == orders.MARKUP
    assert by_id["42"][4] == orders.NEEDLE
