#!/usr/bin/env python3
"""Prints bench/sync's table from the driver's measurements; exits 1 when a case failed.

  report.py --measurements FILE [--title TEXT] [--note TEXT]

Rates are records per second over each sync run's own elapsed time (startedAt to finishedAt);
the table shows the median over the runs, their range, and the ratio of the median to the
ceiling's median. Goals are checked against the medians.
"""

import argparse
import json
import statistics
import sys
import textwrap
from collections import defaultdict

MEGABYTE = 1_000_000
RSS_GOAL_MB = 200
# case: (label, goal in records per second or None, the ceiling it is compared with)
CASES = {
    "a": ("(a) REST -> SQLite", 150_000, "ceiling"),
    "b": ("(b) CSV -> SQLite", 400_000, "ceiling"),
    "c": ("(c) incremental -> SQLite", 50_000, "ceiling-c"),
    "d": ("(d) REST -> PostgreSQL", 100_000, "ceiling"),
    "d400": ("(d) with pages of 400", None, "ceiling"),
}
CEILINGS = {
    "ceiling": "ceiling: sqlite3 .import, indexed table",
    "ceiling-c": "ceiling: sqlite3 .import + upsert",
    "ceiling-pg": "reference: psql \\copy into PostgreSQL",
}
WIDTH = 40


def shortfall(value: float, goal: float, higher_is_better: bool, unit: str) -> str:
    met = value >= goal if higher_is_better else value <= goal
    if met:
        return "met"
    gap = goal - value if higher_is_better else value - goal
    return f"MISSED by {gap:,.0f} {unit} ({gap / goal * 100:.0f}% of the goal)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measurements", required=True)
    parser.add_argument("--title", default="Sync benchmark")
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    done, failures = defaultdict(list), defaultdict(list)
    with open(args.measurements) as file:
        for line in file:
            measurement = json.loads(line)
            (failures if "failed" in measurement else done)[measurement["case"]].append(measurement)

    def rates(case: str) -> list[float]:
        return [m["records"] / m["elapsed"] for m in done[case]]

    def median(case: str, field: str) -> float:
        return statistics.median(m[field] for m in done[case])

    print(args.title)
    print()
    header = (f"{'Case':<{WIDTH}} {'records':>9} {'time s':>7} {'records/s':>10} {'range over runs':>17}"
              f" {'ceiling/s':>10} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for case, description in CEILINGS.items():
        if done[case]:
            values = rates(case)
            print(f"{description:<{WIDTH}} {done[case][0]['records']:>9,} {median(case, 'elapsed'):>7.2f}"
                  f" {statistics.median(values):>10,.0f} {min(values):>8,.0f}-{max(values):,.0f}")
    goals, resources = [], []
    for case, (label, goal, ceiling) in CASES.items():
        if failures[case]:
            runs = ", ".join(str(m["run"]) for m in failures[case])
            print(f"{label:<{WIDTH}} FAILED in run {runs}:")
            for line in textwrap.wrap(failures[case][0]["failed"], 96):
                print(f"    {line}")
            if goal:
                goals.append(f"  {label}: >= {goal:,} records/s: FAILED, the sync did not complete (above)")
            continue
        if not done[case]:
            continue
        values = rates(case)
        rate = statistics.median(values)
        ceiling_rate = statistics.median(rates(ceiling)) if done[ceiling] else float("nan")
        records = done[case][0]["records"]
        print(f"{label:<{WIDTH}} {records:>9,} {median(case, 'elapsed'):>7.2f} {rate:>10,.0f}"
              f" {min(values):>8,.0f}-{max(values):<8,.0f} {ceiling_rate:>10,.0f} {rate / ceiling_rate:>5.2f}x")
        if case.startswith("d") and done["ceiling-pg"]:
            copy_rate = statistics.median(rates("ceiling-pg"))
            against = "  against psql \\copy"
            print(f"{against:<{WIDTH}} {'':>9} {'':>7} {'':>10} {'':>17} {copy_rate:>10,.0f} {rate / copy_rate:>5.2f}x")

        rss_mb = statistics.median(m["peakRssKiB"] for m in done[case]) * 1024 / MEGABYTE
        cpu = median(case, "cpu")
        worker, wait = median(case, "workerCPU"), median(case, "workerWait")
        blocked = statistics.median(m["elapsed"] - m["workerCPU"] - m["workerWait"] for m in done[case])
        resources.append(f"{label:<{WIDTH}} {median(case, 'wall'):>7.2f} {cpu:>7.2f} {cpu * 1e6 / records:>7.1f}"
                         f" {worker:>8.2f} {wait:>8.2f} {max(blocked, 0):>8.2f} {rss_mb:>9.1f}")
        if goal:
            goals.append(f"  {label}: >= {goal:,} records/s: {shortfall(rate, goal, True, 'records/s')}"
                         f" ({rate:,.0f}/s, {rate / ceiling_rate:.2f}x the sqlite3 ceiling)")
        if case == "a":
            goals.append(f"  (a) server peak RSS <= {RSS_GOAL_MB} MB: {shortfall(rss_mb, RSS_GOAL_MB, False, 'MB')}"
                         f" ({rss_mb:.1f} MB)")
    print()
    print("time: the sync run's own startedAt to finishedAt; records/s: records over that time, the median and")
    print("the range over the runs; ratio: median records/s over the ceiling's median.")
    if resources:
        print()
        header = (f"{'The server during the sync (medians)':<{WIDTH}} {'wall s':>7} {'CPU s':>7} {'us/rec':>7}"
                  f" {'running':>8} {'waiting':>8} {'blocked':>8} {'peak RSS':>9}")
        print(f"{'':<{WIDTH}} {'':>7} {'server':>15} {'sync thread, s':>26}")
        print(header)
        print("-" * len(header))
        for line in resources:
            print(line + " MB")
        print()
        print("wall: from POST .../syncs until a poll saw the end; server CPU: user + system time of all its")
        print("threads, in seconds and microseconds per record; sync thread (the one that used the most CPU):")
        print("running on a core, runnable but waiting for one (schedstat: other work on the machine), and the")
        print("rest of the run's time, blocked on the network, the disk or a lock; peak RSS: VmHWM after the")
        print("sync (1 MB = 10^6 bytes). Each case ran on a fresh database and a freshly started server.")
    if done["d400"] or failures["d400"]:
        print("(d) with pages of 400: the same source and records, 400 per page, which keeps each upsert under")
        print("libpq's 30,000-byte limit on a statement's parameter description (docs/benchmarks.md).")
    print()
    print("Goals:")
    for line in goals:
        print(line)
    if args.note:
        print(f"  {args.note}")
    records = {m["records"] for case in "abd" for m in done[case]}
    if records and records != {1_000_000}:
        print("  (the goals are set for 1,000,000 records; this run used another number)")
    if any(failures.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
