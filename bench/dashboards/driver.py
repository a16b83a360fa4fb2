#!/usr/bin/env python3
"""Runs the cases of bench/dashboards against a running `syncline serve` and writes one JSON line per
measurement.

  driver.py --url URL --database FILE --source NAME --runs N --requests N --index-timeout SECONDS --out DIR

The server holds the source NAME (a CSV source not synced yet) and the admin `bench`, whose password
is in BENCH_PASSWORD. The driver syncs the source, creates the dashboard of 6 widgets, then measures:

  (a) per run, in alternating order, each right after a sync through the API:
      GET /api/v1/dashboards/{id}/data (every widget must come back computed, not cached) and the
      sqlite3 CLI running the same 6 statements, from GET /api/v1/dashboards/{id}/queries with their
      parameters written as SQL literals, on the server's database file; the CLI's results must
      match the server's
  (b) the same data route answered from the cache (every widget must say so), alternating with
      GET /api/v1/auth/me as the floor of a request on the same connection
  (c) a page of 50 records sorted by -amount with a region filter, through the records API and the
      web UI's data table: the first request of each, then, once the schema shows the amount column
      indexed (or the wait ends), the two alternating

Every request goes over one keep-alive connection per client on loopback and is timed by the client
(time.perf_counter from sending to the last byte read), so it bounds the server's time from above.
DIR receives measurements.jsonl, the answer of the queries route (queries.json) and the sqlite3 script
(statements.sql).
"""

import argparse
import base64
import http.client
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime

FILTER = "region:eq:West"
SORT = "-amount"
PAGE = 50
WARMUP = 10


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(f"bench/dashboards: {message}", file=sys.stderr, flush=True)


class Client:
    """One keep-alive HTTP connection with fixed headers; every request is timed."""

    def __init__(self, url: str, headers: dict[str, str]):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.headers = headers
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        self.reconnects = 0

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes, float]:
        """Sends a request and reads the whole answer: status, headers, body and seconds taken."""
        all_headers = {**self.headers, **(headers or {})}
        for attempt in range(2):
            try:
                if self.connection.sock is None:
                    self.connection.connect()
                started = time.perf_counter()
                self.connection.request(method, path, body=body, headers=all_headers)
                response = self.connection.getresponse()
                content = response.read()
                elapsed = time.perf_counter() - started
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                return response.status, response.headers, content, elapsed
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed the idle connection; a new one is opened before timing again.
                self.connection.close()
                self.reconnects += 1
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        status, _, content, _ = self.request(method, path, data, headers)
        if status != expect:
            raise BenchError(f"{method} {path} answered {status}, not {expect}: {content[:500]!r}")
        return json.loads(content) if content else {}


def widgets(source: int) -> list[dict]:
    """The dashboard: the six kinds of widget over the orders."""
    return [
        {"id": "orders", "title": "Orders, last 12 months", "kind": "number", "sourceId": source,
         "time": {"field": "ordered_at", "bucket": "month", "last": 12}},
        {"id": "revenue", "title": "Revenue", "kind": "number", "sourceId": source,
         "metric": {"aggregate": "sum", "field": "amount"}},
        {"id": "monthly", "title": "Revenue by month", "kind": "line", "sourceId": source,
         "metric": {"aggregate": "sum", "field": "amount"}, "time": {"field": "ordered_at", "bucket": "month"}},
        {"id": "regions", "title": "Orders by region", "kind": "bar", "sourceId": source, "groupBy": "region",
         "limit": 5},
        {"id": "products", "title": "Revenue by product", "kind": "donut", "sourceId": source,
         "metric": {"aggregate": "sum", "field": "amount"}, "groupBy": "product", "limit": 8},
        {"id": "customers", "title": "Top customers", "kind": "table", "sourceId": source,
         "metric": {"aggregate": "sum", "field": "amount"}, "groupBy": "customer",
         "sort": {"by": "value", "direction": "desc"}, "limit": 10},
    ]


# The sqlite3 side of case (a)


def literal(parameter: dict) -> str:
    """A bound value written as an SQLite literal, as SQLite's binding would store it."""
    kind, value = parameter["type"], parameter["value"]
    if kind == "null":
        return "NULL"
    if kind == "integer":
        return str(int(value))
    if kind == "real":
        return repr(float(value))
    if kind == "bool":
        return "1" if value else "0"
    if kind in ("text", "timestamp"):
        return "'" + value.replace("'", "''") + "'"
    if kind == "blob":
        return "X'" + base64.b64decode(value).hex() + "'"
    raise BenchError(f"a parameter of unknown type {kind!r}")


def substitute(sql: str, parameters: list[dict]) -> str:
    """`sql` with every `$n` outside quotes replaced by the n-th parameter as a literal."""
    pieces = re.split(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")", sql)
    for index in range(0, len(pieces), 2):
        pieces[index] = re.sub(r"\$(\d+)", lambda match: literal(parameters[int(match.group(1)) - 1]), pieces[index])
    return "".join(pieces)


SEPARATOR = "--- next statement ---"


def sqlite_script(queries: dict) -> str:
    """The statements of the queries route, separated by a printed marker so the results split apart."""
    statements = []
    for widget in queries["widgets"]:
        if "sql" not in widget:
            raise BenchError(f"widget {widget['id']} has no statement: {widget.get('error')}")
        statements.append(substitute(widget["sql"], widget["parameters"]) + ";")
    return f"\n.print {SEPARATOR}\n".join(statements) + "\n"


def sqlite_results(output: str) -> list[list[list]]:
    """Per statement, its rows as lists of values, from sqlite3's JSON output."""
    results = []
    for part in output.split(SEPARATOR + "\n"):
        part = part.strip()
        rows = json.loads(part, object_pairs_hook=lambda pairs: [value for _, value in pairs]) if part else []
        results.append(rows)
    return results


def close(left, right) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-6)


def differences(widget: dict, rows: list[list]) -> str | None:
    """Where the rows of one statement differ from the widget's result in the data route; None when they agree.

    Every metric of the dashboard is a count or a sum, which the server shows as 0 over no records."""
    result = widget["result"]
    kind = result["type"]
    if kind == "number":
        found = [rows[0][0] or 0] + ([rows[0][1] or 0] if result.get("period") else []) if rows else []
        expected = [result["value"]] + ([result["previousValue"]] if result.get("period") else [])
    elif kind == "series":
        values = {row[0]: row[1] or 0 for row in rows}
        found = [values.get(point["time"], 0) for point in result["points"]]
        expected = [point["value"] for point in result["points"]]
        if not set(values) <= {point["time"] for point in result["points"]}:
            return f"buckets {sorted(values)} are not all among the points"
    elif kind == "groups":
        found = [("Other" if row[0] else row[1], row[2], bool(row[0])) for row in rows if not row[0] or row[3] > 0]
        expected = [(row["label"], row["value"], row["other"]) for row in result["rows"]]
        if [row[0::2] for row in found] != [row[0::2] for row in expected]:
            return f"groups {found} against {expected}"
        found, expected = [row[1] for row in found], [row[1] for row in expected]
    else:
        return f"no comparison for results of type {kind}"
    if len(found) != len(expected) or not all(map(close, found, expected)):
        return f"{found} against {expected}"
    return None


# The cases


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.out = open(os.path.join(args.out, "measurements.jsonl"), "w")
        password = os.environ["BENCH_PASSWORD"]
        api = Client(args.url, {"Accept": "application/json"})
        token = api.json("POST", "/api/v1/auth/token", {"username": "bench", "password": password})["token"]
        self.api = Client(args.url, {"Accept": "application/json", "Authorization": "Bearer " + token})
        status, headers, content, _ = api.request(
            "POST", "/api/v1/auth/login", json.dumps({"username": "bench", "password": password}).encode(),
            {"Content-Type": "application/json", "Origin": args.url})
        cookies = [value.split(";")[0] for name, value in headers.items() if name.lower() == "set-cookie"]
        session = [cookie for cookie in cookies if cookie.split("=")[0].endswith("syncline_session")]
        if status != 200 or not session:
            raise BenchError(f"the browser sign-in answered {status} without a session cookie: {content[:300]!r}")
        self.browser = Client(args.url, {"Accept": "text/html", "Cookie": session[0]})
        sources = self.api.json("GET", "/api/v1/sources")["sources"]
        matching = [source["id"] for source in sources if source["name"] == args.source]
        if not matching:
            raise BenchError(f"the server has no source {args.source}")
        self.source = matching[0]

    def save(self, **measurement) -> None:
        self.out.write(json.dumps(measurement) + "\n")
        self.out.flush()

    def sync(self) -> float:
        """Syncs the source through the API and waits for its end; returns the run's own seconds."""
        run = self.api.json("POST", f"/api/v1/sources/{self.source}/syncs", expect=202)
        while run["status"] in ("queued", "running"):
            time.sleep(0.1)
            run = self.api.json("GET", f"/api/v1/syncs/{run['id']}")
        if run["status"] != "succeeded":
            raise BenchError(f"the sync ended {run['status']}: {run.get('error')}")
        return parse_time(run["finishedAt"]) - parse_time(run["startedAt"])

    def prepare(self) -> int:
        seconds = self.sync()
        count = self.api.json("GET", f"/api/v1/sources/{self.source}")["recordCount"]
        log(f"first sync: {count:,} records in {seconds:.1f} s")
        self.save(case="first-sync", seconds=seconds, records=count)
        dashboard = self.api.json("POST", "/api/v1/dashboards",
                                  {"name": "Orders", "widgets": widgets(self.source)}, expect=201)
        return dashboard["id"]

    def load(self, dashboard: int, cached: bool | None) -> tuple[float, list[dict]]:
        """GET the dashboard's data; every widget must have a result, from the cache or not as asked
        (either when `cached` is None)."""
        status, _, content, elapsed = self.api.request("GET", f"/api/v1/dashboards/{dashboard}/data")
        if status != 200:
            raise BenchError(f"GET /api/v1/dashboards/{dashboard}/data answered {status}: {content[:300]!r}")
        data = json.loads(content)["widgets"]
        wrong = [
            widget["id"] for widget in data
            if "result" not in widget or (cached is not None and widget.get("cached") is not cached)
        ]
        if wrong or len(data) != 6:
            state = "from the cache" if cached else "computed"
            raise BenchError(f"widgets {wrong} of {len(data)} were not {state} as expected: {content[:1000]!r}")
        return elapsed, data

    def case_a(self, dashboard: int) -> None:
        queries = self.api.json("GET", f"/api/v1/dashboards/{dashboard}/queries")
        if queries["dialect"] != "sqlite":
            raise BenchError(f"the server's store is {queries['dialect']}; the sqlite3 reference needs SQLite")
        with open(os.path.join(self.args.out, "queries.json"), "w") as file:
            json.dump(queries, file, indent=1)
        script = sqlite_script(queries)
        with open(os.path.join(self.args.out, "statements.sql"), "w") as file:
            file.write(script)

        for run in range(1, self.args.runs + 1):
            # Each side runs right after a sync of its own: the first reads after a sync pay for
            # pages the sync rewrote, whichever process reads them.
            order = ["server", "sqlite3"] if run % 2 else ["sqlite3", "server"]
            times, syncs = {}, []
            for side in order:
                syncs.append(self.sync())
                if side == "server":
                    times["server"], data = self.load(dashboard, cached=False)
                else:
                    times["sqlite3"], output = self.run_sqlite3(script)
            results = sqlite_results(output)
            if len(results) != len(data):
                raise BenchError(f"run {run}: sqlite3 gave {len(results)} results for {len(data)} statements")
            for widget, rows in zip(data, results):
                problem = differences(widget, rows)
                if problem:
                    raise BenchError(f"run {run}: sqlite3 and the server disagree on {widget['id']}: {problem}")
            self.save(case="a", run=run, first=order[0], server=times["server"], sqlite3=times["sqlite3"],
                      syncs=syncs)
            log(f"(a) run {run}/{self.args.runs}: server {times['server'] * 1000:.1f} ms, sqlite3 "
                f"{times['sqlite3'] * 1000:.1f} ms ({order[0]} first, each after a sync of "
                f"{' and '.join(f'{seconds:.1f}' for seconds in syncs)} s)")

        # Each statement on its own, once, to show where the time goes; not part of the goal.
        for widget in queries["widgets"]:
            statement = substitute(widget["sql"], widget["parameters"]) + ";\n"
            elapsed, _ = self.run_sqlite3(statement)
            self.save(case="a-statement", widget=widget["id"], title=widget["title"], sqlite3=elapsed)

    def run_sqlite3(self, script: str) -> tuple[float, str]:
        command = ["sqlite3", "-bail", "-json", self.args.database]
        started = time.perf_counter()
        finished = subprocess.run(command, input=script, text=True, capture_output=True)
        elapsed = time.perf_counter() - started
        if finished.returncode != 0 or finished.stderr.strip():
            raise BenchError(f"sqlite3 failed ({finished.returncode}): {finished.stderr.strip()[:500]}")
        return elapsed, finished.stdout

    def case_b(self, dashboard: int) -> None:
        # The last sync of (a) may have come after the last load, so the first request fills the cache.
        self.load(dashboard, cached=None)
        for _ in range(WARMUP):
            self.load(dashboard, cached=True)
            self.api.request("GET", "/api/v1/auth/me")
        cached, floor = [], []
        for _ in range(self.args.requests):
            cached.append(self.load(dashboard, cached=True)[0])
            status, _, _, elapsed = self.api.request("GET", "/api/v1/auth/me")
            if status != 200:
                raise BenchError(f"GET /api/v1/auth/me answered {status}")
            floor.append(elapsed)
        self.save(case="b", samples=cached)
        self.save(case="floor", samples=floor)
        log(f"(b) cached data: median {statistics.median(cached) * 1000:.2f} ms over {len(cached)} requests; "
            f"GET /api/v1/auth/me {statistics.median(floor) * 1000:.2f} ms")

    def page(self, web: bool) -> float:
        """One page of the records, through the API or the web UI, checked; returns its seconds."""
        query = urllib.parse.urlencode({"sort": SORT, "filter": FILTER, "limit": PAGE})
        if not web:
            path = f"/api/v1/sources/{self.source}/records?{query}"
            status, _, content, elapsed = self.api.request("GET", path)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}: {content[:300]!r}")
            records = json.loads(content)["records"]
            amounts = [record["amount"] for record in records]
            if (len(records) != PAGE or any(record["region"] != "West" for record in records)
                    or amounts != sorted(amounts, reverse=True)):
                raise BenchError(f"GET {path} did not give {PAGE} West records by amount, high to low")
            return elapsed
        path = f"/sources/{self.source}/records?{query}"
        status, headers, content, elapsed = self.browser.request("GET", path)
        text = content.decode(errors="replace")
        if status != 200 or not headers.get("Content-Type", "").startswith("text/html"):
            raise BenchError(f"GET {path} answered {status} {headers.get('Content-Type')}: {text[:300]!r}")
        body = text.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
        if body.count("<tr>") != PAGE or 'aria-sort="descending"' not in text:
            raise BenchError(f"GET {path} did not show {PAGE} rows sorted high to low")
        return elapsed

    def amount_indexed(self) -> bool | None:
        """The schema's `indexed` of the amount column; None when the schema has no such member."""
        columns = self.api.json("GET", f"/api/v1/sources/{self.source}/schema")["columns"]
        amount = [column for column in columns if column["field"] == "amount"]
        return amount[0].get("indexed") if amount else None

    def case_c(self) -> None:
        started = time.monotonic()
        first_api = self.page(web=False)
        first_web = self.page(web=True)
        self.save(case="c-first", api=first_api, web=first_web)
        log(f"(c) first sorted requests: API {first_api * 1000:.1f} ms, then web page {first_web * 1000:.1f} ms")

        deadline = started + self.args.index_timeout
        seen = False
        while True:
            indexed = self.amount_indexed()
            seen = seen or indexed is not None
            if indexed is True or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        waited = time.monotonic() - started
        if indexed is True:
            note = f"the schema showed amount indexed {waited:.1f} s after the first sorted request"
        elif seen:
            note = f"amount was not indexed within {self.args.index_timeout} s; measured without the index"
        else:
            note = (f"the schema has no `indexed` member (waited {self.args.index_timeout} s): this build "
                    "builds no sort index in the background; measured as it is")
        log(f"(c) {note}")
        self.save(case="c-index", indexed=indexed is True, seen=seen, waited=waited, note=note)

        for _ in range(WARMUP):
            self.page(web=False)
            self.page(web=True)
        api, web = [], []
        for _ in range(self.args.requests):
            api.append(self.page(web=False))
            web.append(self.page(web=True))
        self.save(case="c-api", samples=api)
        self.save(case="c-web", samples=web)
        log(f"(c) medians over {len(api)} requests: API {statistics.median(api) * 1000:.2f} ms, web page "
            f"{statistics.median(web) * 1000:.2f} ms")

    def run(self) -> None:
        dashboard = self.prepare()
        self.case_a(dashboard)
        self.case_b(dashboard)
        self.case_c()
        reconnects = self.api.reconnects + self.browser.reconnects
        self.save(case="connections", reconnects=reconnects)


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--database", required=True, help="the server's SQLite file, for the sqlite3 CLI")
    parser.add_argument("--source", required=True, help="the name of the CSV source")
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--index-timeout", type=float, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        Bench(args).run()
    except (BenchError, OSError, KeyError, ValueError) as error:
        log(f"FAILED: {error}")
        sys.exit(1)


if __name__ == "__main__":
    main()
