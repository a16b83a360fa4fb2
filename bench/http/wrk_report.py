#!/usr/bin/env python3
"""Reads wrk outputs and prints the HTTP benchmark's figures.

  wrk_report.py summary FILE
      one line: requests per second, p50 and p99 latency, errors
  wrk_report.py table --raw DIR --runs N --rss-a MIB --rss-end MIB --nginx-rss MIB [--title TEXT]
      medians of DIR/{hello,page}-{server,nginx}-{1..N}.txt against the goals
"""

import argparse
import re
import statistics
import sys
from dataclasses import dataclass

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}

CASES = [
    # key, label, least server/nginx ratio
    ("hello", "(a) trivial JSON", 0.8),
    ("page", "(b) 50-row page", 0.25),
]
RSS_GOAL_MIB = 64


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: list[str]


def milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"unknown wrk duration {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse(path: str) -> Run:
    with open(path) as file:
        text = file.read()

    def required(pattern: str) -> str:
        match = re.search(pattern, text, re.MULTILINE)
        if not match:
            sys.exit(f"wrk_report: {path}: no match for {pattern!r}; is it wrk output with --latency?")
        return match.group(1)

    errors = []
    socket_errors = re.search(r"^\s*Socket errors: (.*)$", text, re.MULTILINE)
    if socket_errors:
        errors.append("socket errors: " + socket_errors.group(1).strip())
    non_2xx = re.search(r"^\s*Non-2xx or 3xx responses: (\d+)", text, re.MULTILINE)
    if non_2xx:
        errors.append(f"{non_2xx.group(1)} non-2xx/3xx responses")

    return Run(
        requests_per_second=float(required(r"^Requests/sec:\s+([\d.]+)")),
        p50_ms=milliseconds(required(r"^\s+50%\s+(\S+)")),
        p99_ms=milliseconds(required(r"^\s+99%\s+(\S+)")),
        errors=errors,
    )


def summary(path: str) -> str:
    run = parse(path)
    line = f"{run.requests_per_second:,.0f} req/s, p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms"
    return line + "".join(f"; {error}" for error in run.errors)


@dataclass
class Median:
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def median(runs: list[Run]) -> Median:
    return Median(
        requests_per_second=statistics.median(run.requests_per_second for run in runs),
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
    )


def table(args: argparse.Namespace) -> str:
    header = ["case", "server req/s", "nginx req/s", "ratio", "server p50/p99 ms", "nginx p50/p99 ms",
              "server peak RSS MiB"]
    rows, goals, warnings = [], [], []
    for key, label, goal in CASES:
        medians = {}
        for server in ("server", "nginx"):
            runs = [parse(f"{args.raw}/{key}-{server}-{n}.txt") for n in range(1, args.runs + 1)]
            medians[server] = median(runs)
            for number, run in enumerate(runs, start=1):
                warnings += [f"{label}, {server} run {number}: {error}" for error in run.errors]
        ours, nginx = medians["server"], medians["nginx"]
        ratio = ours.requests_per_second / nginx.requests_per_second
        rss = args.rss_a if key == "hello" else args.rss_end
        rows.append([
            label,
            f"{ours.requests_per_second:,.0f}",
            f"{nginx.requests_per_second:,.0f}",
            f"{ratio:.2f}x",
            f"{ours.p50_ms:.2f} / {ours.p99_ms:.2f}",
            f"{nginx.p50_ms:.2f} / {nginx.p99_ms:.2f}",
            f"{rss:.1f}",
        ])
        goals.append(f"{label}: server >= {goal:.2f}x nginx req/s: {verdict(ratio >= goal)} ({ratio:.2f}x)")
    goals.append(
        f"(a) server peak RSS <= {RSS_GOAL_MIB} MiB: {verdict(args.rss_a <= RSS_GOAL_MIB)} ({args.rss_a:.1f} MiB)"
    )

    widths = [max(len(row[column]) for row in [header] + rows) for column in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first] + [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:])])

    output = []
    if args.title:
        output += [args.title, ""]
    output += [line(header), line(["-" * width for width in widths])] + [line(row) for row in rows]
    output += ["", f"nginx peak RSS, all processes: {args.nginx_rss:.1f} MiB", "", "Goals:"]
    output += [f"  {goal}" for goal in goals]
    if warnings:
        output += ["", "Errors reported by wrk:"] + [f"  {warning}" for warning in warnings]
    return "\n".join(output)


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    summary_parser = commands.add_parser("summary")
    summary_parser.add_argument("file")
    table_parser = commands.add_parser("table")
    table_parser.add_argument("--raw", required=True, help="directory of wrk outputs")
    table_parser.add_argument("--runs", type=int, required=True)
    table_parser.add_argument("--rss-a", type=float, required=True, help="server VmHWM after case (a), MiB")
    table_parser.add_argument("--rss-end", type=float, required=True, help="server VmHWM at the end, MiB")
    table_parser.add_argument("--nginx-rss", type=float, required=True, help="nginx VmHWM summed, MiB")
    table_parser.add_argument("--title", default="")
    args = parser.parse_args()

    print(summary(args.file) if args.command == "summary" else table(args))


if __name__ == "__main__":
    main()
