#!/usr/bin/env python3
"""Prints bench/identity's table from the wrk outputs and the in-process references.

  report.py --raw DIR --runs N --pairs N [--title TEXT]
"""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from wrk_report import parse  # noqa: E402


# The windows of (b), numbered by pair; every other file is numbered by run.
PAIRED = {"me-idle", "me-loaded", "login-load"}


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def references(path: str) -> dict[str, float]:
    values = {}
    with open(path) as file:
        for line in file:
            parts = line.split()
            values[parts[0]] = float(parts[1])
            if len(parts) >= 4:
                values[parts[0] + "_" + parts[2]] = float(parts[3])
    return values


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--pairs", type=int, required=True, help="the idle and loaded windows of (b)")
    parser.add_argument("--title", default="Identity benchmark")
    args = parser.parse_args()

    def runs(name: str) -> list:
        count = args.pairs if name in PAIRED else args.runs
        return [parse(f"{args.raw}/{name}-{number}.txt") for number in range(1, count + 1)]

    def median(name: str, field: str) -> float:
        return statistics.median(getattr(run, field) for run in runs(name))

    warnings = []
    for name in ["login", "me-idle", "me-loaded", "login-load", "page-audit-off", "page-audit-on"]:
        for number, run in enumerate(runs(name), start=1):
            warnings += [f"{name} run {number}: {error}" for error in run.errors]

    # The references ran before each sign-in run; each figure is the median of its runs.
    runs_of_references = [references(f"{args.raw}/reference-{number}.txt") for number in range(1, args.runs + 1)]
    reference = {key: statistics.median(run[key] for run in runs_of_references) for key in runs_of_references[0]}
    raw_verifies = reference["argon2id_verifies_per_second"]
    threads = int(reference["argon2id_verifies_per_second_threads"])
    sign_ins = median("login", "requests_per_second")
    overhead = 1 - sign_ins / raw_verifies
    idle_p99 = median("me-idle", "p99_ms")
    loaded_p99 = median("me-loaded", "p99_ms")
    p99_ratio = loaded_p99 / idle_p99
    pair_ratios = sorted(loaded.p99_ms / idle.p99_ms for idle, loaded in zip(runs("me-idle"), runs("me-loaded")))
    page_off = median("page-audit-off", "requests_per_second")
    page_on = median("page-audit-on", "requests_per_second")
    audit_loss = 1 - page_on / page_off

    print(args.title)
    print()
    print(f"(a) sign-ins/s (POST /api/v1/auth/token)        {sign_ins:10,.1f}")
    print(f"    raw Argon2id verifies/s on {threads} thread(s)      {raw_verifies:10,.1f}")
    print(f"    overhead of a sign-in over its verify       {overhead * 100:9.1f} %")
    print(f"(b) GET /api/v1/auth/me p99, idle               {idle_p99:10.2f} ms"
          f"   ({median('me-idle', 'requests_per_second'):,.0f} req/s)")
    print(f"    same, sign-ins saturating the pool          {loaded_p99:10.2f} ms"
          f"   ({median('me-loaded', 'requests_per_second'):,.0f} req/s;"
          f" {median('login-load', 'requests_per_second'):,.1f} sign-ins/s alongside)")
    print(f"    loaded / idle p99                           {p99_ratio:10.2f} x")
    print(f"    the same within each pair: median           {statistics.median(pair_ratios):10.2f} x"
          f"   (range {pair_ratios[0]:.2f}-{pair_ratios[-1]:.2f})")
    print(f"(c) JWT verification                            {reference['jwt_verify_us']:10.2f} us per token")
    print(f"    JWT issue                                   {reference['jwt_issue_us']:10.2f} us per token")
    print(f"    reference: one HMAC-SHA256 of the input     {reference['hmac_sha256_us']:10.2f} us")
    print(f"(d) authenticated page req/s, API audit off     {page_off:10,.0f}")
    print(f"    same, every request audited                 {page_on:10,.0f}")
    print(f"    loss with auditing                          {audit_loss * 100:9.1f} %")
    print()
    print("Goals:")
    print(f"  (a) sign-in overhead <= 10%: {verdict(overhead <= 0.10)} ({overhead * 100:.1f}%)")
    print(f"  (b) loaded p99 <= 1.5x idle p99: {verdict(p99_ratio <= 1.5)} ({p99_ratio:.2f}x)")
    print(f"  (d) audit loses <= 15% of page req/s: {verdict(audit_loss <= 0.15)} ({audit_loss * 100:.1f}%)")
    if warnings:
        print()
        print("Warnings:")
        for warning in warnings:
            print(f"  {warning}")


if __name__ == "__main__":
    main()
