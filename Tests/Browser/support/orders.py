"""The orders CSV the flow tests sync: known rows, a few with values meant to cause trouble.

There are 3,000 of them so that a sync, one record per transaction (see `support/server.py`),
lasts a good part of a second: long enough for the source page to show its live progress.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass

from .browser import Browser

FILE = "shop/orders.csv"
SOURCE_NAME = "Orders"
REGIONS = ("EU", "US", "APAC")
# Values a careless page or export would run as markup or as a spreadsheet formula.
FORMULA = "=cmd"
MARKUP = "<b>x</b>"
NEEDLE = "Zebra Traders"
COUNT = 3_000


@dataclass(frozen=True)
class Order:
    order_id: int
    region: str
    amount: float
    ordered_at: str
    customer: str
    note: str


def _orders() -> list[Order]:
    orders = []
    for number in range(1, COUNT + 1):
        # Amounts from 10 to below 1,000, with up to two decimals.
        amount = round(10 + (number * 37 % 613) * 1.5 + (number % 4) * 0.25, 2)
        note = {7: FORMULA, 8: MARKUP}.get(number, "ok")
        customer = NEEDLE if number == 42 else f"Customer {number:02d}"
        ordered_at = f"2026-01-{1 + number % 28:02d}T{number % 24:02d}:15:00Z"
        orders.append(Order(number, REGIONS[number % 3], amount, ordered_at, customer, note))
    return orders


ORDERS = _orders()


def csv_text() -> str:
    """The orders as the CSV file the source reads, with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["order_id", "region", "amount", "ordered_at", "customer", "note"])
    for order in ORDERS:
        amount = f"{order.amount:.2f}"
        writer.writerow([order.order_id, order.region, amount, order.ordered_at, order.customer, order.note])
    return buffer.getvalue()


def revenue_by_region() -> dict[str, float]:
    """The sum of `amount` per region, rounded to cents."""
    sums: dict[str, float] = {}
    for order in ORDERS:
        sums[order.region] = sums.get(order.region, 0) + order.amount
    return {region: round(total, 2) for region, total in sums.items()}


def total_revenue() -> float:
    return round(sum(order.amount for order in ORDERS), 2)


def chart_number(value: float) -> str:
    """`value` as chart tooltips show it: thousands separators, up to two decimals, no trailing zeros."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def table_number(value: float) -> str:
    """`value` as the records table shows a real number (Swift's shortest form, grouped)."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def source_form() -> dict[str, str]:
    """The fields of `/sources/new` for the orders source."""
    return {
        "name": SOURCE_NAME, "kind": "csv", "mode": "full", "primaryKey": "order_id", "schedule": "none",
        "csv.path": FILE, "csv.delimiter": ",", "csv.hasHeader": "true",
    }


def find_source(browser: Browser) -> dict | None:
    """The orders source as `/api/v1/sources` describes it, or None before it is made."""
    reply = browser.fetch("/api/v1/sources")
    assert reply.status == 200, reply.body
    body = json.loads(reply.body)
    listed = body if isinstance(body, list) else next(value for value in body.values() if isinstance(value, list))
    return next((source for source in listed if source.get("name") == SOURCE_NAME), None)


def ensure_synced(browser: Browser) -> int:
    """The id of the orders source with all its records, made and synced over HTTP if an earlier test did not.

    `browser` must be signed in as an admin when the source is missing or empty.
    """
    source = find_source(browser)
    if source is None:
        csrf = browser.cookie("syncline_csrf")["value"]
        made = browser.fetch("/sources/new", "POST", {**source_form(), "csrf_token": csrf})
        assert made.status == 303, made.body
        source = find_source(browser)
    if source["recordCount"] != len(ORDERS):
        csrf = browser.cookie("syncline_csrf")["value"]
        started = browser.fetch(f"/sources/{source['id']}/sync", "POST", {"csrf_token": csrf})
        assert started.status == 303, started.body
        deadline = time.monotonic() + 30
        while (source := find_source(browser))["recordCount"] != len(ORDERS):
            assert time.monotonic() < deadline, f"the orders never synced: {source}"
            time.sleep(0.2)
    return int(source["id"])
