#!/usr/bin/env python3
"""Splits a callgrind profile of the bench server into instructions per request by component.

  callgrind_components.py CALLGRIND_FILE REQUESTS

Components are read from callgrind_annotate's inclusive and self costs, by function name. The
middleware rows are each middleware's own cost (its inclusive cost minus the next one's).
"""

import re
import subprocess
import sys

# Function names as callgrind_annotate prints them (file:mangled symbol).
ACCESS_HANDLER = r"Callbacks\.swift:\$s4HTTP13accessHandler"
REQUEST_STARTED = r"\$s4HTTP14requestStarted"
REQUEST_COMPLETED = r"\$s4HTTP16requestCompleted"
BEGIN = r"Exchange\.swift:\$s4HTTP10HTTPServerC5begin"
ROUTER = r"\$s4HTTP6RouterV5match"
METRICS = r"RequestMetrics\.swift:\$s4HTTP14RequestMetricsV7respond"
ACCESS_LOG = r"AccessLog\.swift:\$s4HTTP9AccessLogV7respond"
SECURITY = r"SecurityHeaders\.swift:\$s4HTTP15SecurityHeadersV7respond"
BOUNDARY = r"HTTPError\.swift:\$s4HTTP13ErrorBoundaryV7respond"
PAGE_HANDLER = r"BenchTable\.swift:\$s21syncline_bench_server10BenchTableO8register.*YbKcfU0_ \["
QUEUE = r"Callbacks\.swift:\$s4HTTP5queue"
STEP = r"^\?\?\?:sqlite3_step "
COLUMNS = r"SQLiteStatement\.swift:\$s7Storage15SQLiteStatementC7columns"
JSON_ROW = r"JSONWriter\+Row\.swift:\$s4Core10JSONWriterV7StorageE3row"
FIELD_FUNCTIONS = [
    "sqlite3_column_value", "sqlite3_value_type", "sqlite3_value_text", "sqlite3_value_bytes",
    "sqlite3_value_int64", "sqlite3_value_double", "sqlite3ValueText", "sqlite3ValueBytes",
    "sqlite3_column_type", "sqlite3_column_text", "sqlite3_column_bytes", "sqlite3_column_int64",
    "sqlite3_column_double", "sqlite3ApiExit", "sqlite3_mutex_enter", "sqlite3_mutex_leave",
]
ALLOCATION_AND_ARC = (
    r"swift_(retain|release|bridgeObject|allocObject|deallocClassInstance|deallocObject|slowAlloc|slowDealloc"
    r"|isUniquelyReferenced)|_swift_release_dealloc|doDecrementSlow|malloc\.c:|arena\.c:"
)


def costs(path: str, inclusive: bool) -> dict[str, int]:
    option = "--inclusive=yes" if inclusive else "--inclusive=no"
    text = subprocess.run(
        ["callgrind_annotate", option, "--threshold=100", path], capture_output=True, text=True, check=True
    ).stdout
    table: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S.*)$", line)
        # "'2" marks a function's recursive instance, counted again; compiler-generated thunks wrap
        # the real functions.
        if match and "'2" not in match.group(2) and "compiler-generated" not in match.group(2):
            name = match.group(2)
            table[name] = max(table.get(name, 0), int(match.group(1).replace(",", "")))
    return table


def cost(table: dict[str, int], pattern: str) -> int:
    return max((value for name, value in table.items() if re.search(pattern, name)), default=0)


def main() -> None:
    path, requests = sys.argv[1], int(sys.argv[2])
    inclusive, own = costs(path, True), costs(path, False)
    with open(path) as profile:
        total = max(int(line.split()[1]) for line in profile if line.startswith(("totals:", "summary:")))

    callbacks = cost(inclusive, ACCESS_HANDLER) + cost(inclusive, REQUEST_STARTED) + cost(inclusive, REQUEST_COMPLETED)
    handler = cost(inclusive, PAGE_HANDLER)
    fields = sum(cost(own, rf"^\?\?\?:{name} ") for name in FIELD_FUNCTIONS)
    json_row = cost(inclusive, JSON_ROW)
    rows = [
        ("total", total),
        ("libmicrohttpd, outside Syncline's callbacks", total - callbacks),
        ("  of which memset (zeroing its per-connection memory pool)", cost(own, r"memset")),
        ("request start: headers, target, request id, routing (HTTPServer.begin)", cost(inclusive, BEGIN)),
        ("  of which routing (Router.match)", cost(inclusive, ROUTER)),
        ("middleware: RequestMetrics", cost(inclusive, METRICS) - cost(inclusive, ACCESS_LOG)),
        ("middleware: AccessLog (lines off at the bench's warning level)",
         cost(inclusive, ACCESS_LOG) - cost(inclusive, SECURITY)),
        ("middleware: SecurityHeaders", cost(inclusive, SECURITY) - cost(inclusive, BOUNDARY)),
        ("middleware: ErrorBoundary, responder and route handler", cost(inclusive, BOUNDARY)),
        ("  of which the page handler", handler),
        ("    SQLite: sqlite3_step", cost(inclusive, STEP)),
        ("    SQLite: reading fields (column and value API)", fields),
        ("    column table per execution (SQLiteStatement.columns)", cost(inclusive, COLUMNS)),
        ("    JSON writing (JSONWriter.row minus field reads)", json_row - fields if json_row else 0),
        ("response hand-off to libmicrohttpd (queue)", cost(inclusive, QUEUE)),
        ("across all of the above: malloc/free, Swift retain/release/alloc (own cost)",
         sum(value for name, value in own.items() if re.search(ALLOCATION_AND_ARC, name))),
    ]
    for name, value in rows:
        # Parts of the page handler are absent from a hello profile.
        if value == 0 and name.startswith(" "):
            continue
        print(f"{value / requests:>10,.0f}  {name}")


if __name__ == "__main__":
    main()
