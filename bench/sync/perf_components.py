#!/usr/bin/env python3
"""Splits a `perf record` profile of the server during one sync into CPU time by component.

  perf_components.py PERF_DATA RECORDS

Reads every sample's call stack with `perf script` (symbols demangled with `swift demangle`,
functions inlined by the compiler included as perf's "(inlined)" frames, which DWARF unwinding
provides) and gives each sample to exactly one component: the first rule below that matches a
frame of its stack. So the rows do not overlap and add up to the total. Samples of the sync
thread (the thread whose stacks run through SyncWorkers.work) go to the sync-thread rules, all
others to the other-thread rules. Prints each component's share of the server's sampled CPU time,
its CPU seconds and microseconds per record.
"""

import re
import subprocess
import sys
from collections import defaultdict

# (label, a frame must match this, and, when given, another frame must match that too)
SYNC_THREAD_RULES = [
    ("timestamps formatted as text (Timestamp.rfc3339)", r"Timestamp\.rfc3339", None),
    ("preparing statements (SQLiteStatement.init, SQLite's parser; PQprepare)",
     r"SQLiteStatement\.init|^sqlite3_prepare_v\d|^sqlite3RunParser|PostgresConnection\.prepareNew", None),
    ("progress and checkpoint row (SyncEngine.saveProgress)", r"SyncEngine\.saveProgress", None),
    ("upsert SQL text built per batch (RecordTable.upsertSQL)", r"RecordTable\.upsertSQL", None),
    ("values fitted to columns, incl. timestamp parsing (ColumnType.databaseValue)",
     r"ColumnType\.databaseValue", None),
    ("binding the values (SQLiteStatement.bind; PostgresParameters)",
     r"SQLiteStatement\.bind|PostgresParameters\.init", None),
    ("the database running the upsert (sqlite3_step; PQexecPrepared, client side)",
     r"^sqlite3_step|^PQexecPrepared|PostgresConnection\.run", r"RecordTable\.upsert\("),
    ("the rest of the upsert: value arrays, repeated keys (RecordTable.upsert)", r"RecordTable\.upsert\(", None),
    ("type inference, incl. timestamp parsing (RecordTable.fit)", r"RecordTable\.fit", None),
    ("primary keys as text (RecordKeys.keys)", r"RecordKeys\.keys", None),
    ("cursor tracking (CursorValue)", r"CursorValue\.", None),
    ("JSON parsing: simdjson (JSONPageParser.load)", r"JSONPageParser\.load", None),
    ("JSON to records: a String per text value (JSONPageParser.records)", r"JSONPageParser\.records", None),
    ("HTTP fetch on the sync thread: request, wait, body (RESTPageFetcher)",
     r"RESTPageFetcher\.|RESTTransport\.", None),
    ("CSV reading (CSVReader)", r"CSVReader\.", None),
    ("CSV values and their types (CSVConnector.values)", r"CSVConnector\.values", None),
    ("SQL source rows (SQLRecordStream)", r"SQLRecordStream", None),
    ("BEGIN and COMMIT of each batch (DatabaseConnection.inTransaction)",
     r"DatabaseConnection\.inTransaction", r"closure #3 in SyncEngine\.perform"),
    ("start and end of the run: tables, promotion, record count (SyncEngine.perform)",
     r"SyncEngine\.(perform|execute)", None),
    ("the rest of the sync thread (kernel, runtime, stacks cut short)", r"", None),
]
OTHER_THREAD_RULES = [
    ("URLSession and libcurl threads receiving pages", r"libcurl|curl_|_EasyHandle|_MultiHandle|URLSession|"
     r"RESTSessionDelegate|FoundationNetworking", None),
    ("HTTP server answering the benchmark's polls", r"HTTPServer|accessHandler|libmicrohttpd|MHD_", None),
    ("the rest: kernel, runtime, idle housekeeping", r"", None),
]
SYNC_WORKER = re.compile(r"SyncWorkers\.work\(\)")


def samples(path: str):
    """Yields (thread id, period in ns, frames from the leaf up) for every sample."""
    script = subprocess.run(
        ["perf", "script", "-i", path, "-F", "tid,period,ip,sym,dso"], capture_output=True, text=True, check=True
    ).stdout
    text = subprocess.run(
        ["swift", "demangle", "--simplified"], input=script, capture_output=True, text=True, check=True).stdout
    header, frames = None, []
    for line in text.splitlines() + [""]:
        if line.startswith("\t"):
            # "<address> <symbol> (<library>)": keep the symbol and the library.
            frames.append(line.strip().split(" ", 1)[-1])
        elif line.strip():
            if header:
                yield header[0], header[1], frames
            fields = line.split()
            header, frames = (fields[0], int(fields[1])), []
    if header:
        yield header[0], header[1], frames


def classify(frames: list[str], rules) -> str:
    symbols = [re.sub(r" \(/[^)]*\)$", "", frame) for frame in frames]
    for label, pattern, also in rules:
        if any(re.search(pattern, symbol) or re.search(pattern, frame) for symbol, frame in zip(symbols, frames)):
            if also is None or any(re.search(also, symbol) for symbol in symbols):
                return label
    return rules[-1][0]


def main() -> None:
    path, records = sys.argv[1], int(sys.argv[2])
    collected = list(samples(path))
    workers = defaultdict(int)
    for thread, _, frames in collected:
        if any(SYNC_WORKER.search(frame) for frame in frames):
            workers[thread] += 1
    sync_thread = max(workers, key=workers.get) if workers else None

    time = defaultdict(int)
    for thread, period, frames in collected:
        rules = SYNC_THREAD_RULES if thread == sync_thread else OTHER_THREAD_RULES
        time[classify(frames, rules)] += period
    total = sum(time.values())
    if not total:
        sys.exit(f"perf_components: no samples in {path}")

    def line(label: str, nanoseconds: float, indent: str) -> None:
        percent = nanoseconds / total * 100
        if percent >= 0.05:
            print(f"{percent:>6.1f} {nanoseconds / 1e9:>7.2f} {nanoseconds / 1e3 / records:>9.2f}  {indent}{label}")

    print(f"{'CPU %':>6} {'CPU s':>7} {'us/record':>9}  component")
    line("all threads of the server, while it synced", total, "")
    line("sync thread", sum(time[label] for label, _, _ in SYNC_THREAD_RULES), "")
    for label, _, _ in SYNC_THREAD_RULES:
        line(label, time[label], "  ")
    line("other threads", sum(time[label] for label, _, _ in OTHER_THREAD_RULES), "")
    for label, _, _ in OTHER_THREAD_RULES:
        line(label, time[label], "  ")


if __name__ == "__main__":
    main()
