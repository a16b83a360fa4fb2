#!/usr/bin/env python3
"""Splits a `perf record` profile of one sync into CPU time by component.

  perf_components.py PERF_DATA RECORDS

Reads every sample's call stack with `perf script` (symbols demangled with `swift demangle`,
functions inlined by the compiler included as perf's "(inlined)" frames, which DWARF unwinding
provides) and gives each sample to exactly one component: the first rule below that matches a
frame of its stack. So the rows do not overlap and add up to the total. Samples of the sync
thread (the thread whose stacks run through SyncWorkers.work) go to the sync-thread rules,
samples of PostgreSQL backends (profiled with the server in case (d)) to the PostgreSQL rules,
all others to the other-thread rules. Prints each component's share of the sampled CPU time,
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
    ("the count of records at the end of the run (RecordTable.recordCount)", r"RecordTable\.recordCount", None),
    ("the rest of the connector's loop: records of the last page freed, checkpoints",
     r"(RESTConnector|CSVConnector|SQLiteConnector|PostgresConnector)\.read\(", None),
    ("start and end of the run: tables, promotion, audit (SyncEngine.perform)", r"SyncEngine\.(perform|execute)",
     None),
    ("the rest of the sync thread (kernel, runtime, stacks cut short)", r"", None),
]
OTHER_THREAD_RULES = [
    ("URLSession and libcurl threads receiving pages", r"libcurl|curl_|_EasyHandle|_MultiHandle|URLSession|"
     r"RESTSessionDelegate|FoundationNetworking", None),
    ("HTTP server answering the benchmark's polls", r"HTTPServer|accessHandler|libmicrohttpd|MHD_", None),
    ("the rest: kernel, runtime, idle housekeeping", r"", None),
]
POSTGRES_RULES = [
    ("parameters read from text (timestamptz_in, float8in, ...)",
     r"^(timestamptz_in|float8in|int8in|int4in|boolin|textin|InputFunctionCall|OidInputFunctionCall)\b", None),
    ("parsing and planning statements", r"^(raw_parser|base_yyparse|parse_analyze\w*|pg_analyze_and_rewrite\w*|"
     r"transform\w+|planner|standard_planner|pg_plan_queries|BuildCachedPlan|GetCachedPlan|RevalidateCachedQuery|"
     r"exec_parse_message|exec_describe_statement_message)\b", None),
    ("B-tree index inserts and lookups", r"^(_bt_\w+|btinsert|btgettuple|index_insert|ExecInsertIndexTuples|"
     r"ExecCheckIndexConstraints|check_exclusion_or_unique_constraint)\b", None),
    ("rows inserted and updated (heap, ON CONFLICT)",
     r"^(heap_\w+|ExecInsert|ExecOnConflictUpdate|ExecUpdate\w*)\b", None),
    ("WAL and commit", r"^(XLog\w+|CommitTransaction\w*|RecordTransactionCommit|XactLogCommitRecord)\b", None),
    ("the VALUES rows evaluated and the executor set up per statement",
     r"^(ValuesNext|ExecScan|ExecInterpExpr\w*|ExecEval\w+|ExecReadyInterpretedExpr|ExecInitExprRec|ExecInitNode|"
     r"ExecBuildProjectionInfo|ExecInitValuesScan|ExecutorStart|standard_ExecutorStart|ExecutorEnd|"
     r"standard_ExecutorEnd)\b", None),
    ("messages from the client: reading, waiting (socket, scheduler)",
     r"^(pq_getbyte|pq_getmessage|pq_recvbuf|SocketBackend|secure_read|WaitEventSetWait|finish_task_switch\S*|"
     r"__schedule|schedule)\b", None),
    ("the rest of the backends (memory, caches, locks, kernel)", r"", None),
]
SYNC_WORKER = re.compile(r"SyncWorkers\.work\(\)")


def samples(path: str):
    """Yields (process name, thread id, period in ns, frames from the leaf up) for every sample."""
    script = subprocess.run(
        ["perf", "script", "-i", path, "-F", "comm,tid,period,ip,sym,dso"], capture_output=True, text=True,
        check=True).stdout
    text = subprocess.run(
        ["swift", "demangle", "--simplified"], input=script, capture_output=True, text=True, check=True).stdout
    header, frames = None, []
    for line in text.splitlines() + [""]:
        if line.startswith("\t"):
            # "<address> <symbol> (<library>)": keep the symbol and the library.
            frames.append(line.strip().split(" ", 1)[-1])
        elif line.strip():
            if header:
                yield (*header, frames)
            # "<process name> <thread id> <period>"; a process name may hold spaces.
            comm, thread, period = line.rsplit(None, 2)
            header, frames = (comm.strip(), thread, int(period)), []
    if header:
        yield (*header, frames)


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
    for _, thread, _, frames in collected:
        if any(SYNC_WORKER.search(frame) for frame in frames):
            workers[thread] += 1
    sync_thread = max(workers, key=workers.get) if workers else None

    time = defaultdict(int)
    for comm, thread, period, frames in collected:
        if comm == "postgres":
            rules = POSTGRES_RULES
        else:
            rules = SYNC_THREAD_RULES if thread == sync_thread else OTHER_THREAD_RULES
        time[classify(frames, rules)] += period
    total = sum(time.values())
    if not total:
        sys.exit(f"perf_components: no samples in {path}")

    def line(label: str, nanoseconds: float, indent: str) -> None:
        percent = nanoseconds / total * 100
        if percent >= 0.05:
            print(f"{percent:>6.1f} {nanoseconds / 1e9:>7.2f} {nanoseconds / 1e3 / records:>9.2f}  {indent}{label}")

    def group(label: str, rules) -> None:
        line(label, sum(time[rule] for rule, _, _ in rules), "")
        for rule, _, _ in rules:
            line(rule, time[rule], "  ")

    print(f"{'CPU %':>6} {'CPU s':>7} {'us/record':>9}  component")
    line("all samples while the server synced", total, "")
    group("the server's sync thread", SYNC_THREAD_RULES)
    group("the server's other threads", OTHER_THREAD_RULES)
    group("PostgreSQL backends serving the server's database", POSTGRES_RULES)


if __name__ == "__main__":
    main()
