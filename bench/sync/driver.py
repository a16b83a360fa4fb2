#!/usr/bin/env python3
"""Runs the cases of bench/sync against a real `syncline serve` and appends one JSON line per
measurement to a results file.

  driver.py --binary PATH --data DIR --www DIR --nginx-port PORT --runs N --results FILE
            --cases sqlite|postgres --work DIR [--perf DIR [--perf-frequency HZ]]

`sqlite` runs, BENCH_RUNS times and interleaved: the sqlite3 CLI ceilings, case (a) (the REST
source into SQLite), case (c) (the changed records into (a)'s table, on a restarted server) and
case (b) (the CSV source). `postgres` runs psql's \\copy as a reference and case (d) (the REST
source into PostgreSQL), and once (d) has failed, (d400) in its place: the same with pages of 400
records. It needs SYNCLINE_TEST_POSTGRES_URL, as scripts/with-postgres sets it.

Each case gets a fresh database and a fresh server. A sync's time is the run's own: finishedAt
minus startedAt as the API reports them (when a worker took the run, when it committed its end),
which excludes queueing and the polling interval. The wall time around the API calls, the
server's CPU time, the sync thread's time on and waiting for a core, and the server's peak RSS
(VmHWM) are recorded beside it. A sync that does not succeed, reads or writes another number of
records than expected, or leaves other column types than the data's, is saved as failed with the
reason; the report shows it and exits non-zero.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime

PASSWORD = "bench sync passphrase " + secrets.token_hex(6)
EXPECTED_TYPES = {
    "id": "integer", "customer": "text", "region": "text", "product": "text", "quantity": "integer",
    "unit_price": "real", "amount": "real", "paid": "boolean", "status": "text", "ordered_at": "timestamp",
    "updated_at": "timestamp", "note": "text",
}
SQLITE_TYPES = [
    "id INTEGER PRIMARY KEY", "customer TEXT", "region TEXT", "product TEXT", "quantity INTEGER",
    "unit_price REAL", "amount REAL", "paid INTEGER", "status TEXT", "ordered_at TEXT", "updated_at TEXT",
    "note TEXT",
]
POSTGRES_TYPES = [
    "id BIGINT PRIMARY KEY", "customer TEXT", "region TEXT", "product TEXT", "quantity BIGINT",
    "unit_price DOUBLE PRECISION", "amount DOUBLE PRECISION", "paid BOOLEAN", "status TEXT",
    "ordered_at TIMESTAMPTZ", "updated_at TIMESTAMPTZ", "note TEXT",
]
FIELDS = [definition.split()[0] for definition in SQLITE_TYPES]
# The product's own SQLite settings for its writer (Storage/SQLite/SQLiteDatabase.swift), so the
# ceiling pays for the same journal and durability.
SQLITE_PRAGMAS = "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n"


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(f"bench/sync: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Server:
    """One `syncline serve` process on its own database and port."""

    def __init__(self, binary: str, env: dict, log_path: str):
        self.binary = binary
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.url = f"http://{env['SYNCLINE_LISTEN']}"

    def start(self) -> None:
        with open(self.log_path, "ab") as output:
            self.process = subprocess.Popen(
                [self.binary, "serve"], env=self.env, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the server exited during start-up:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise BenchError(f"the server was not ready within 60 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def status_kib(self, name: str) -> int:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
        raise BenchError(f"/proc/{self.process.pid}/status has no {name}")

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def thread_times(self) -> dict[str, tuple[int, int]]:
        """Per thread of the server: nanoseconds on a CPU, and runnable but waiting for one
        (/proc/PID/task/TID/schedstat)."""
        times = {}
        directory = f"/proc/{self.process.pid}/task"
        for task in os.listdir(directory):
            try:
                with open(f"{directory}/{task}/schedstat") as stat:
                    on_cpu, waiting = stat.read().split()[:2]
                times[task] = (int(on_cpu), int(waiting))
            except (OSError, ValueError):
                pass  # a thread that ended meanwhile
        return times

    def log_tail(self, lines: int = 40) -> str:
        try:
            with open(self.log_path, errors="replace") as output:
                return "".join(output.readlines()[-lines:])
        except OSError:
            return "(no log)"


class API:
    """The JSON API with a bearer token."""

    def __init__(self, server: Server):
        self.server = server
        self.token = None
        answer = self.call("POST", "/api/v1/auth/token", {"username": "bench", "password": PASSWORD}, expect=200)
        self.token = answer["token"]

    def call(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        if status != expect:
            raise BenchError(f"{method} {path} answered {status}, not {expect}: {text[:500]!r}")
        return json.loads(text) if text else {}


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        with open(os.path.join(args.data, "manifest.json")) as file:
            manifest = json.load(file)
        self.records = manifest["records"]
        self.changes = manifest["changes"]
        self.work = args.work
        self.www = args.www
        self.rest_url = f"http://127.0.0.1:{args.nginx_port}/records"
        self.results = open(args.results, "a")

    # Results

    def save(self, **measurement) -> None:
        self.results.write(json.dumps(measurement) + "\n")
        self.results.flush()

    # Serving pages

    def serve_pages(self, directory: str) -> None:
        """Points nginx's `current` at the data set's `pages` or `changes`."""
        link = os.path.join(self.www, "current")
        temporary = link + ".new"
        if os.path.lexists(temporary):
            os.unlink(temporary)
        os.symlink(os.path.join(os.path.abspath(self.args.data), directory), temporary)
        os.replace(temporary, link)

    # Server life

    def server_env(self, database_url: str) -> dict:
        env = {name: value for name, value in os.environ.items() if not name.startswith("SYNCLINE_TEST_")}
        env.setdefault("SYNCLINE_LOG_LEVEL", "warning")
        env.setdefault("SYNCLINE_SYNC_MANUAL_PER_SOURCE", "10000")
        env.setdefault("SYNCLINE_SYNC_MANUAL_PER_USER", "10000")
        env.setdefault("SYNCLINE_SYNC_POLL", "1")
        env.update({
            "SYNCLINE_MODE": "development",
            "SYNCLINE_DEMO": "false",
            "SYNCLINE_DATABASE_URL": database_url,
            "SYNCLINE_LISTEN": f"127.0.0.1:{free_port()}",
            "SYNCLINE_IMPORT_DIR": os.path.abspath(self.args.data),
            "SYNCLINE_SESSION_SECRET": "bench-sync-session-secret-0123456789abcdef",
            "SYNCLINE_AUDIT_KEY": "bench-sync-audit-key-0123456789abcdef01234",
        })
        return env

    def add_admin(self, env: dict) -> None:
        subprocess.run(
            [self.args.binary, "user", "add", "bench", "--role", "admin"], input=PASSWORD + "\n", text=True,
            env=env, check=True, stdout=subprocess.DEVNULL)

    def start(self, env: dict, name: str) -> tuple[Server, API]:
        server = Server(self.args.binary, env, os.path.join(self.work, f"{name}.log"))
        server.start()
        return server, API(server)

    # Sources and syncs

    def rest_source(self, api: API, page_size: int) -> int:
        definition = {
            "name": "rest-orders", "kind": "rest", "mode": "incremental", "primaryKey": "id",
            "cursor": {"field": "updated_at"},
            "rest": {
                "url": self.rest_url, "recordsPath": "data", "cursorParameter": "updated_since",
                "pagination": {
                    "style": "page", "parameter": "page", "sizeParameter": "per_page", "size": page_size,
                },
            },
        }
        return api.call("POST", "/api/v1/sources", definition, expect=201)["id"]

    def csv_source(self, api: API) -> int:
        definition = {"name": "csv-orders", "kind": "csv", "primaryKey": "id", "csv": {"path": "orders.csv"}}
        return api.call("POST", "/api/v1/sources", definition, expect=201)["id"]

    def sync(self, server: Server, api: API, source: int, label: str) -> dict:
        """Starts a sync of `source`, waits for its end and returns the measurement."""
        profiler = self.start_profiler(server, label)
        try:
            cpu_before, threads_before = server.cpu_seconds(), server.thread_times()
            wall_start = time.monotonic()
            run = api.call("POST", f"/api/v1/sources/{source}/syncs", expect=202)
            interval = 0.05
            while run["status"] in ("queued", "running"):
                time.sleep(interval)
                interval = min(interval * 1.5, 0.5)
                run = api.call("GET", f"/api/v1/syncs/{run['id']}")
            wall = time.monotonic() - wall_start
            cpu = server.cpu_seconds() - cpu_before
            threads_after = server.thread_times()
        finally:
            if profiler:
                profiler.send_signal(signal.SIGINT)
                profiler.wait()
        if run["status"] != "succeeded":
            raise BenchError(
                f"{label}: the sync ended '{run['status']}': {run.get('error')}\nserver log:\n{server.log_tail()}")
        elapsed = (parse_time(run["finishedAt"]) - parse_time(run["startedAt"])).total_seconds()
        # The sync worker is the thread that used the most CPU during the sync; its time splits into
        # running, waiting for a core, and blocked (on the network, the disk or a lock).
        deltas = {
            task: (after[0] - threads_before.get(task, (0, 0))[0], after[1] - threads_before.get(task, (0, 0))[1])
            for task, after in threads_after.items()
        }
        worker_cpu, worker_wait = max(deltas.values(), default=(0, 0))
        return {
            "elapsed": elapsed, "wall": wall, "cpu": cpu, "workerCPU": worker_cpu / 1e9,
            "workerWait": worker_wait / 1e9, "recordsRead": run["recordsRead"],
            "recordsWritten": run["recordsWritten"], "pages": run["pages"],
        }

    def start_profiler(self, server: Server, label: str) -> subprocess.Popen | None:
        """With --perf, samples the call stacks of the server, and of the PostgreSQL backends it is
        connected to, with `perf record` while it syncs.

        DWARF unwinding with the largest stack copy keeps the callers of SQLite's deep parser
        frames, which frame pointers lose inside libsqlite3."""
        if not self.args.perf:
            return None
        name = label.replace("(", "").replace(")", "").replace(" ", "-")
        output = os.path.join(self.args.perf, f"{name}.perf.data")
        processes = [str(server.process.pid)] + self.postgres_backends(server)
        profiler = subprocess.Popen(
            [
                "perf", "record", "--quiet", "-F", str(self.args.perf_frequency), "--call-graph", "dwarf,65528",
                "-o", output, "-p", ",".join(processes),
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # perf attaches to every thread before the sync starts
        return profiler

    @staticmethod
    def postgres_backends(server: Server) -> list[str]:
        """The PostgreSQL backends serving the server's database, by their process titles
        ("postgres: USER DATABASE HOST(PORT) STATE"); none on SQLite."""
        url = server.env["SYNCLINE_DATABASE_URL"]
        if not url.startswith("postgres"):
            return []
        database = url.rsplit("/", 1)[1].split("?")[0]
        backends = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    title = cmdline.read().decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                backends.append(pid)
        return backends

    def check(self, label: str, measured: dict, read: int, written: int, api: API, source: int) -> None:
        if measured["recordsRead"] != read or measured["recordsWritten"] != written:
            raise BenchError(
                f"{label}: read {measured['recordsRead']} and wrote {measured['recordsWritten']} records, "
                f"expected {read} and {written}")
        count = api.call("GET", f"/api/v1/sources/{source}")["recordCount"]
        if count != self.records:
            raise BenchError(f"{label}: the source holds {count} records, expected {self.records}")
        columns = api.call("GET", f"/api/v1/sources/{source}/schema")["columns"]
        types = {column["field"]: column["type"] for column in columns}
        if types != EXPECTED_TYPES:
            raise BenchError(f"{label}: the columns are {types}, expected {EXPECTED_TYPES}")

    def report(self, label: str, measured: dict, records: int) -> None:
        rate = records / measured["elapsed"]
        extra = f", peak RSS {measured['peakRssKiB'] / 1024:.1f} MiB" if "peakRssKiB" in measured else ""
        log(f"{label}: {records:,} records in {measured['elapsed']:.2f} s ({rate:,.0f}/s; "
            f"wall {measured['wall']:.2f} s, server CPU {measured['cpu']:.2f} s; sync thread: "
            f"{measured['workerCPU']:.2f} s on a core, {measured['workerWait']:.2f} s waiting for one{extra})")

    # Cases

    def measure(self, case: str, run: int, server: Server, api: API, source: int, records: int) -> None:
        """Syncs `source` once as `case`, checks the outcome and saves the measurement."""
        label = f"({case}) run {run}"
        measured = self.sync(server, api, source, label)
        measured["peakRssKiB"] = server.status_kib("VmHWM")
        self.check(label, measured, records, records, api, source)
        self.save(case=case, run=run, records=records, **measured)
        self.report(f"({case}) run {run}/{self.args.runs}", measured, records)

    def failed(self, case: str, run: int, error: Exception) -> None:
        """Saves a case that did not complete; the report shows it and the bench exits non-zero."""
        reason = " ".join(str(error).split()).removeprefix(f"({case}) run {run}: ")
        log(f"({case}) run {run} FAILED: {reason[:2000]}")
        if " [SQL: " in reason:
            reason = reason.split(" [SQL: ")[0] + " [SQL text omitted]"
        self.save(case=case, run=run, failed=reason[:400] + ("…" if len(reason) > 400 else ""))

    def rest_cases(self, run: int, database_url: str, case: str, page_size: int = 1000) -> None:
        """Case (a), (d) or (d400): the REST source's first sync; then, after (a), case (c) on a
        restarted server over the same database."""
        env = self.server_env(database_url)
        self.add_admin(env)
        self.serve_pages("pages" if page_size == 1000 else f"pages-{page_size}")
        try:
            server, api = self.start(env, f"{case}-{run}")
            try:
                source = self.rest_source(api, page_size)
                self.measure(case, run, server, api, source, self.records)
            finally:
                server.stop()
        except BenchError as error:
            self.failed(case, run, error)
            if case == "a":
                self.failed("c", run, BenchError("not run: it needs case (a)'s table"))
            return
        if case != "a":
            return

        self.serve_pages("changes")
        try:
            server, api = self.start(env, f"c-{run}")
            try:
                self.measure("c", run, server, api, source, self.changes)
            finally:
                server.stop()
        except BenchError as error:
            self.failed("c", run, error)

    def csv_case(self, run: int) -> None:
        database = os.path.join(self.work, f"b-{run}", "syncline.db")
        os.makedirs(os.path.dirname(database))
        env = self.server_env("sqlite:" + database)
        self.add_admin(env)
        try:
            server, api = self.start(env, f"b-{run}")
            try:
                self.measure("b", run, server, api, self.csv_source(api), self.records)
            finally:
                server.stop()
        except BenchError as error:
            self.failed("b", run, error)
        shutil.rmtree(os.path.dirname(database))

    def sqlite_ceiling(self, run: int) -> None:
        """The sqlite3 CLI's .import of orders.csv, then of changes.csv upserted into that table."""
        directory = os.path.join(self.work, f"ceiling-{run}")
        os.makedirs(directory)
        database = os.path.join(directory, "ceiling.db")
        orders = os.path.abspath(os.path.join(self.args.data, "orders.csv"))
        changes = os.path.abspath(os.path.join(self.args.data, "changes.csv"))
        columns = ", ".join(SQLITE_TYPES)
        script = (
            f"{SQLITE_PRAGMAS}CREATE TABLE orders ({columns});\n.mode csv\n.import --skip 1 '{orders}' orders\n")
        elapsed = self.timed(["sqlite3", "-bail", database], script)
        self.check_count(database, "orders", self.records)
        self.save(case="ceiling", run=run, records=self.records, elapsed=elapsed)
        log(f"ceiling run {run}/{self.args.runs}: sqlite3 .import of {self.records:,} rows in {elapsed:.2f} s "
            f"({self.records / elapsed:,.0f}/s)")

        assignments = ", ".join(f"{field} = excluded.{field}" for field in FIELDS[1:])
        script = (
            f"{SQLITE_PRAGMAS}CREATE TEMP TABLE changes ({columns});\n.mode csv\n"
            f".import --skip 1 '{changes}' changes\n"
            f"INSERT INTO orders SELECT * FROM changes WHERE true ON CONFLICT (id) DO UPDATE SET {assignments};\n")
        elapsed = self.timed(["sqlite3", "-bail", database], script)
        changed = subprocess.run(
            ["sqlite3", database, "SELECT count(*) FROM orders WHERE updated_at > '2026-01-01'"],
            capture_output=True, text=True, check=True).stdout.strip()
        if int(changed) != self.changes:
            raise BenchError(f"the incremental ceiling changed {changed} rows, expected {self.changes}")
        self.save(case="ceiling-c", run=run, records=self.changes, elapsed=elapsed)
        log(f"ceiling run {run}/{self.args.runs}: sqlite3 upsert of {self.changes:,} changed rows in {elapsed:.2f} s "
            f"({self.changes / elapsed:,.0f}/s)")
        shutil.rmtree(directory)

    def postgres_ceiling(self, run: int, server_url: str) -> None:
        """psql's \\copy of orders.csv into an indexed table of a fresh database."""
        database_url = self.create_database(server_url, f"bench_sync_copy_{run}")
        orders = os.path.abspath(os.path.join(self.args.data, "orders.csv"))
        script = (
            f"CREATE TABLE orders ({', '.join(POSTGRES_TYPES)});\n"
            f"\\copy orders FROM '{orders}' WITH (FORMAT csv, HEADER true)\n")
        elapsed = self.timed(["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", database_url], script)
        self.drop_database(server_url, f"bench_sync_copy_{run}")
        self.save(case="ceiling-pg", run=run, records=self.records, elapsed=elapsed)
        log(f"ceiling run {run}/{self.args.runs}: psql \\copy of {self.records:,} rows in {elapsed:.2f} s "
            f"({self.records / elapsed:,.0f}/s)")

    # Helpers

    @staticmethod
    def timed(command: list[str], script: str) -> float:
        started = time.perf_counter()
        finished = subprocess.run(command, input=script, text=True, capture_output=True)
        elapsed = time.perf_counter() - started
        if finished.returncode != 0 or finished.stderr.strip():
            raise BenchError(f"{command[0]} failed ({finished.returncode}): {finished.stderr.strip()}")
        return elapsed

    @staticmethod
    def check_count(database: str, table: str, expected: int) -> None:
        count = subprocess.run(
            ["sqlite3", database, f"SELECT count(*) FROM {table}"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if int(count) != expected:
            raise BenchError(f"{database} holds {count} rows in {table}, expected {expected}")

    @staticmethod
    def psql(server_url: str, statement: str) -> None:
        subprocess.run(
            ["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", server_url, "-c", statement],
            check=True, stdout=subprocess.DEVNULL)

    def create_database(self, server_url: str, name: str) -> str:
        self.psql(server_url, f"CREATE DATABASE {name}")
        return server_url.rsplit("/", 1)[0] + "/" + name

    def drop_database(self, server_url: str, name: str) -> None:
        self.psql(server_url, f"DROP DATABASE IF EXISTS {name}")

    # The two sets of cases

    def run_sqlite(self) -> None:
        for run in range(1, self.args.runs + 1):
            self.sqlite_ceiling(run)
            directory = os.path.join(self.work, f"a-{run}")
            os.makedirs(directory)
            self.rest_cases(run, "sqlite:" + os.path.join(directory, "syncline.db"), "a")
            shutil.rmtree(directory)
            self.csv_case(run)

    def run_postgres(self) -> None:
        """Case (d); once it has failed, the workaround (d400) takes its remaining runs: pages of
        400 records, whose upsert statements stay under libpq's limit (see docs/benchmarks.md)."""
        server_url = os.environ.get("SYNCLINE_TEST_POSTGRES_URL")
        if not server_url:
            raise BenchError("SYNCLINE_TEST_POSTGRES_URL is not set; run this under scripts/with-postgres")
        failed = False
        for run in range(1, self.args.runs + 1):
            self.postgres_ceiling(run, server_url)
            if not failed:
                self.postgres_case(server_url, run, "d", 1000)
                failed = self.has_failed("d")
            if failed:
                self.postgres_case(server_url, run, "d400", 400)

    def postgres_case(self, server_url: str, run: int, case: str, page_size: int) -> None:
        name = f"bench_sync_{case}_{run}"
        self.rest_cases(run, self.create_database(server_url, name), case, page_size)
        self.drop_database(server_url, name)

    def has_failed(self, case: str) -> bool:
        with open(self.args.results) as file:
            measurements = [json.loads(line) for line in file]
        return any(m["case"] == case and "failed" in m for m in measurements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--www", required=True, help="nginx's root, where the `current` link goes")
    parser.add_argument("--nginx-port", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results", required=True, help="JSON lines are appended here")
    parser.add_argument("--cases", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--work", required=True, help="a scratch directory for databases and logs")
    parser.add_argument("--perf", help="record each sync with `perf record` into this directory")
    parser.add_argument("--perf-frequency", type=int, default=199, help="samples per second for --perf")
    args = parser.parse_args()

    bench = Bench(args)
    try:
        if args.cases == "sqlite":
            bench.run_sqlite()
        else:
            bench.run_postgres()
    except (BenchError, subprocess.CalledProcessError) as error:
        log(f"FAILED: {error}")
        sys.exit(1)


if __name__ == "__main__":
    main()
