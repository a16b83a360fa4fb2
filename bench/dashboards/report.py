#!/usr/bin/env python3
"""Prints bench/dashboards' table from the driver's measurements.

  report.py --measurements FILE [--title TEXT]

Each figure is a median: over the runs for (a), over the requests for (b) and (c). Goals are checked
against the medians.
"""

import argparse
import json
import statistics
import textwrap
from collections import defaultdict

GOAL_RATIO = 1.3
GOAL_CACHED_MS = 5.0
GOAL_PAGE_MS = 20.0


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:,.{1 if seconds >= 0.1 else 2}f} ms"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measurements", required=True)
    parser.add_argument("--title", default="Dashboards benchmark")
    args = parser.parse_args()

    found = defaultdict(list)
    with open(args.measurements) as file:
        for line in file:
            measurement = json.loads(line)
            found[measurement["case"]].append(measurement)

    runs = found["a"]
    server = statistics.median(run["server"] for run in runs)
    sqlite3 = statistics.median(run["sqlite3"] for run in runs)
    ratio = server / sqlite3
    cached = found["b"][0]["samples"]
    floor = found["floor"][0]["samples"]
    api = found["c-api"][0]["samples"]
    web = found["c-web"][0]["samples"]
    first = found["c-first"][0]
    index = found["c-index"][0]

    def spread(samples: list[float]) -> str:
        return f"{min(samples) * 1000:.1f}-{max(samples) * 1000:.1f} ms"

    floor_text = f"auth/me {milliseconds(statistics.median(floor))}"
    rows = [
        ("(a) first load after a sync, GET /data", milliseconds(server), spread([run["server"] for run in runs]),
         f"<= {GOAL_RATIO}x sqlite3", f"sqlite3 {milliseconds(sqlite3)}", f"{ratio:.2f}x"),
        ("    sqlite3 CLI, the same 6 statements", milliseconds(sqlite3),
         spread([run["sqlite3"] for run in runs]), "", "", ""),
        ("(b) cached, GET /data", milliseconds(statistics.median(cached)),
         f"p90 {milliseconds(percentile(cached, 0.9))}", f"<= {GOAL_CACHED_MS:g} ms", floor_text, ""),
        ("(c) records API page, sort + filter", milliseconds(statistics.median(api)),
         f"p90 {milliseconds(percentile(api, 0.9))}", f"<= {GOAL_PAGE_MS:g} ms", floor_text, ""),
        ("    its first request", milliseconds(first["api"]), "", "", "", ""),
        ("(c) data-table HTML page, same page", milliseconds(statistics.median(web)),
         f"p90 {milliseconds(percentile(web, 0.9))}", f"<= {GOAL_PAGE_MS:g} ms", floor_text, ""),
        ("    its first request, after the API's", milliseconds(first["web"]), "", "", "", ""),
    ]
    header = ("Case", "median", "range / p90", "goal", "reference (median)", "ratio")
    widths = [max(len(str(row[column])) for row in rows + [header]) for column in range(len(header))]

    def line(row: tuple) -> str:
        cells = [f"{row[0]:<{widths[0]}}"] + [f"{cell:>{width}}" for cell, width in zip(row[1:], widths[1:])]
        return "  ".join(cells).rstrip()

    print(args.title)
    print()
    print(line(header))
    print("-" * len(line(header)))
    for row in rows:
        print(line(row))
    print()
    syncs = [seconds for run in runs for seconds in run["syncs"]]
    notes = [
        "(a): medians over the runs of one GET right after a sync of the source committed, every widget "
        "computed (none from the cache), and of the sqlite3 process running the same statements on the "
        "same file right after another sync, the two alternating which goes first; the range is over the "
        f"runs. The syncs took {min(syncs):.1f}-{max(syncs):.1f} s.",
        f"(b), (c): medians over {len(cached)} requests each, (b) alternating with GET /api/v1/auth/me on "
        "the same connection as a floor, the two (c) pages alternating. Every time is measured by the "
        "client on loopback over a keep-alive connection, from sending the request to reading its last "
        "byte: an upper bound of the server's time.",
        f"Sort index for (c): {index['note']}.",
    ]
    for note in notes:
        print(textwrap.fill(note, 100))

    statements = found["a-statement"]
    if statements:
        print()
        print("sqlite3 CLI, each statement in its own process, once (process start included):")
        for statement in statements:
            print(f"  {statement['title']:<32} {milliseconds(statement['sqlite3']):>12}")

    print()
    print("Goals:")
    print(f"  (a) first load <= {GOAL_RATIO}x the sqlite3 CLI: {verdict(ratio <= GOAL_RATIO)} ({ratio:.2f}x)")
    median = statistics.median(cached)
    print(f"  (b) cached dashboard <= {GOAL_CACHED_MS:g} ms: {verdict(median * 1000 <= GOAL_CACHED_MS)}"
          f" ({milliseconds(median)})")
    for name, samples in (("records API page", api), ("data-table page", web)):
        median = statistics.median(samples)
        print(f"  (c) {name} <= {GOAL_PAGE_MS:g} ms: {verdict(median * 1000 <= GOAL_PAGE_MS)}"
              f" ({milliseconds(median)})")


if __name__ == "__main__":
    main()
