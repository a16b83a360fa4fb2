#!/usr/bin/env python3
"""Writes the sync benchmark's data set, the same every time for the same settings.

  make_data.py --records N --changes M --out DIR

DIR receives:
  pages/p1.json …       the N records, 1,000 per page, as {"data": [...]}
  pages-400/p1.json …   the same records, 400 per page (see bench/sync/run on case (d))
  changes/p1.json …     M changed records (new amount, later updated_at), 1,000 per page
  empty.json            {"data": []}, the page after the last
  orders.csv            the N records as CSV with a header row
  changes.csv           the M changed records as CSV
  manifest.json         the settings; written last, so a directory without it is incomplete

Every record has the same 12 fields in the same order: id (integer), customer, region, product
(text), quantity (integer), unit_price, amount (real), paid (boolean), status (text), ordered_at,
updated_at (RFC 3339 timestamps) and note (text, or null for about 60% of records). The CSV holds
the same values: true/false for paid, an empty field for a null note.

When DIR/manifest.json already describes the same settings, nothing is written.
"""

import argparse
import csv
import json
import os
import random
import shutil
import sys
import time

FORMAT_VERSION = 1
SEED = 20261204
PAGE_SIZE = 1000
SMALL_PAGE_SIZE = 400
FIELDS = [
    "id", "customer", "region", "product", "quantity", "unit_price", "amount", "paid", "status",
    "ordered_at", "updated_at", "note",
]
REGIONS = ["North", "South", "East", "West", "Central", "EMEA", "APAC", "LATAM"]
PRODUCTS = [
    f"{family} {edition}"
    for family in ["Ledger", "Pulse", "Harbor", "Atlas", "Beacon", "Cinder", "Quill", "Vertex"]
    for edition in ["Starter", "Team", "Business", "Enterprise", "Add-on seat", "Support plan"]
]
STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"]
NOTES = [
    "Gift wrap, please",
    "Call before delivery",
    'Customer asked for "priority" handling',
    "Invoice to the Zürich office",
    "Renewal of last year's plan",
    "Leave at the front desk",
    "Deliver after 14:00",
    "Discount approved by sales; see ticket",
]
# Orders fall in the two years before this instant; changes are made after all of them.
EPOCH_END = 1_767_225_600  # 2026-01-01T00:00:00Z
TWO_YEARS = 2 * 365 * 86_400


def timestamp(seconds: int) -> str:
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % time.gmtime(seconds)[:6]


def make_record(rng: random.Random, record_id: int) -> dict:
    quantity = rng.randint(1, 40)
    unit_price = round(rng.uniform(2.0, 900.0), 2)
    ordered = EPOCH_END - TWO_YEARS + rng.randrange(TWO_YEARS - 40 * 86_400)
    note = rng.choice(NOTES) if rng.random() < 0.4 else None
    return {
        "id": record_id,
        "customer": "Customer %06d" % rng.randrange(1, 200_001),
        "region": rng.choice(REGIONS),
        "product": rng.choice(PRODUCTS),
        "quantity": quantity,
        "unit_price": unit_price,
        "amount": round(quantity * unit_price, 2),
        "paid": rng.random() < 0.7,
        "status": rng.choice(STATUSES),
        "ordered_at": timestamp(ordered),
        "updated_at": timestamp(ordered + rng.randrange(30 * 86_400)),
        "note": note,
    }


def change_ids(records: int, changes: int) -> list[int]:
    """`changes` distinct ids spread evenly over 1…records, one in each equal stretch."""
    rng = random.Random(SEED + 1)
    stretch = records / changes
    return [int(index * stretch) + 1 + rng.randrange(max(1, int(stretch))) for index in range(changes)]


def changed(rng: random.Random, record: dict, order: int) -> dict:
    """The record after a change: a new amount and status, updated after every original record."""
    result = dict(record)
    result["amount"] = round(record["amount"] * rng.uniform(0.5, 1.5), 2)
    result["status"] = rng.choice(STATUSES)
    result["updated_at"] = timestamp(EPOCH_END + 86_400 + order)
    return result


def csv_row(record: dict) -> list:
    row = [record[field] for field in FIELDS]
    row[FIELDS.index("paid")] = "true" if record["paid"] else "false"
    note = FIELDS.index("note")
    row[note] = "" if row[note] is None else row[note]
    return row


def write_page(path: str, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as file:
        json.dump({"data": records}, file, ensure_ascii=False, separators=(",", ":"))


def generate(records: int, changes: int, out: str) -> None:
    staging = out + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(os.path.join(staging, "pages"))
    os.makedirs(os.path.join(staging, "pages-400"))
    os.makedirs(os.path.join(staging, "changes"))
    write_page(os.path.join(staging, "empty.json"), [])

    wanted = set(change_ids(records, changes))
    originals: dict[int, dict] = {}
    rng = random.Random(SEED)
    small: list[dict] = []
    small_number = 0
    last_page = (records + PAGE_SIZE - 1) // PAGE_SIZE
    with open(os.path.join(staging, "orders.csv"), "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(FIELDS)
        for page_number, first in enumerate(range(1, records + 1, PAGE_SIZE), start=1):
            page = [make_record(rng, record_id) for record_id in range(first, min(first + PAGE_SIZE, records + 1))]
            write_page(os.path.join(staging, "pages", f"p{page_number}.json"), page)
            writer.writerows(csv_row(record) for record in page)
            small.extend(page)
            while len(small) >= SMALL_PAGE_SIZE or (small and page_number == last_page):
                small_number += 1
                write_page(os.path.join(staging, "pages-400", f"p{small_number}.json"), small[:SMALL_PAGE_SIZE])
                del small[:SMALL_PAGE_SIZE]
            originals.update((record["id"], record) for record in page if record["id"] in wanted)
            if page_number % 100 == 0:
                print(f"make_data: {page_number * PAGE_SIZE:,} of {records:,} records", file=sys.stderr)

    change_rng = random.Random(SEED + 2)
    updates = [changed(change_rng, originals[record_id], order) for order, record_id in enumerate(sorted(wanted))]
    with open(os.path.join(staging, "changes.csv"), "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows(csv_row(record) for record in updates)
    for page_number, first in enumerate(range(0, len(updates), PAGE_SIZE), start=1):
        write_page(os.path.join(staging, "changes", f"p{page_number}.json"), updates[first:first + PAGE_SIZE])

    with open(os.path.join(staging, "manifest.json"), "w") as file:
        json.dump(manifest(records, changes), file)
    shutil.rmtree(out, ignore_errors=True)
    os.rename(staging, out)


def manifest(records: int, changes: int) -> dict:
    return {"version": FORMAT_VERSION, "seed": SEED, "records": records, "changes": changes, "pageSize": PAGE_SIZE,
            "smallPageSize": SMALL_PAGE_SIZE}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--changes", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.records < 1 or not 1 <= args.changes <= args.records:
        parser.error("need 1 <= changes <= records")

    try:
        with open(os.path.join(args.out, "manifest.json")) as file:
            if json.load(file) == manifest(args.records, args.changes):
                print(f"make_data: reusing {args.out}", file=sys.stderr)
                return
    except (OSError, ValueError):
        pass
    started = time.monotonic()
    generate(args.records, args.changes, args.out)
    print(f"make_data: wrote {args.out} in {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
