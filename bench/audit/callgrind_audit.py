#!/usr/bin/env python3
"""Splits callgrind profiles of the audit path into instructions by component.

  callgrind_audit.py request OFF_FILE ON_FILE REQUESTS
  callgrind_audit.py log FILE EVENTS

`request` compares two profiles of the same signed-in page requests, API-access auditing off and
on, and prints instructions per request: what the audit costs on the request thread and on the
writer thread. `log` reads a profile of `syncline-bench-server audit` and prints instructions per
event through AuditLog, with the plain batched inserts of the same rows beside them.

Functions are matched by their demangled names (`swift demangle`). A component's inclusive cost
counts everything it calls; callgrind counts the instructions of every thread.
"""

import re
import subprocess
import sys
from collections import defaultdict


class Profile:
    """The self and call costs of one callgrind file, by demangled function name."""

    def __init__(self, path: str) -> None:
        names: dict[str, str] = {}
        own: defaultdict[str, int] = defaultdict(int)
        calls: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        function = callee = None
        awaiting_call_cost = False
        self.total = 0
        with open(path) as profile:
            for line in profile:
                if awaiting_call_cost:
                    calls[(function, callee)][1] += int(line.split()[1])
                    awaiting_call_cost = False
                    continue
                match = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line)
                if match:
                    kind, number, name = match.groups()
                    if name:
                        names[number] = name.strip()
                    if kind == "fn":
                        function = number
                    else:
                        callee = number
                    continue
                match = re.match(r"calls=(\d+)", line)
                if match:
                    calls[(function, callee)][0] += int(match.group(1))
                    awaiting_call_cost = True
                    continue
                if line.startswith("totals:"):
                    self.total = int(line.split()[1])
                elif function and line[:1] and (line[0].isdigit() or line[0] in "+-*"):
                    fields = line.split()
                    if len(fields) >= 2:
                        own[function] += int(fields[1])
        mangled = list(names.values())
        demangled = subprocess.run(
            ["swift", "demangle", "--simplified", "--compact"], input="\n".join(mangled), capture_output=True,
            text=True, check=True,
        ).stdout.splitlines()
        readable = dict(zip(mangled, demangled))
        self.name = {number: readable.get(name, name) for number, name in names.items()}
        self.own = dict(own)
        self.calls = dict(calls)

    def _matching(self, pattern: str) -> set[str]:
        return {number for number, name in self.name.items() if re.search(pattern, name)}

    def inclusive(self, pattern: str) -> int:
        """The largest inclusive cost among the functions matching `pattern`."""
        costs = [
            self.own.get(number, 0)
            + sum(cost for (caller, _), (_, cost) in self.calls.items() if caller == number)
            for number in self._matching(pattern)
        ]
        return max(costs, default=0)

    def called(self, caller: str, callee: str) -> tuple[int, int]:
        """Calls from functions matching `caller` to those matching `callee`, and their inclusive cost."""
        callers, callees = self._matching(caller), self._matching(callee)
        count = cost = 0
        for (source, target), (number, inclusive) in self.calls.items():
            if source in callers and target in callees:
                count += number
                cost += inclusive
        return count, cost

    def own_cost(self, pattern: str) -> int:
        """The self cost summed over every function matching `pattern`."""
        return sum(self.own.get(number, 0) for number in self._matching(pattern))


AUDITED_ACCESS = r"^AuditedAccess\.respond\(to:next:\)$"
ACCESS_CONTROL = r"^AccessControl\.respond\(to:next:\)$"
NEXT = r"^partial apply for thunk for @escaping"
FINISH = r"^AuditedAccess\.finish\("
RECORD = r"^AuditLog\.record\(_:\)$"
PREPARE = r"PreparedAuditEvent\.init\("
TIME_TEXT = r"AuditTime\.(rfc3339|sqliteText|text)\("
DETAILS = r"AuditDetails\.encode\("
CONTENT = r"AuditChain\.content[<(]"
WRITER = r"^AuditLog\.runWriter\(\)$"
WRITER_FUNCTIONS = r"^(specialized )?AuditLog\.(runWriter|write)\("
TRANSACTION = r"Database\.transaction"
APPEND = r"^closure #1 in AuditChainWriter\.append\(_:\)$"
ENTRY_HASH = r"AuditChainHasher\.entryHash"
EXECUTE = r"DatabaseConnection\.execute\(_:_:\) in conformance|SQLiteConnection\.execute\(_:_:\)$"
HEAD_LOCK = r"AuditChainHead\.lockForWriting"
PREPARE_STATEMENT = r"^SQLiteStatement\.init\(sql:"
HEAD_MAC = r"AuditChainHasher\.headMAC"
ALLOCATION_AND_ARC = (
    r"^swift_(retain|release|bridgeObject|allocObject|deallocClassInstance|deallocObject|slowAlloc|slowDealloc"
    r"|isUniquelyReferenced)|^_swift_release_dealloc|doDecrementSlow|^(malloc|free|_int_malloc|_int_free|cfree)"
)


def writer_rows(profile: Profile, divisor: float, preparing: int) -> list[tuple[str, float]]:
    """The writer thread's components, per request or per event; `preparing` is its share of the
    instructions spent preparing statements on their first use, counted apart."""
    writer = profile.inclusive(WRITER)
    _, transactions = profile.called(WRITER_FUNCTIONS, TRANSACTION)
    append = profile.inclusive(APPEND)
    hashing = profile.inclusive(ENTRY_HASH)
    _, statements = profile.called(APPEND, EXECUTE)
    head = profile.inclusive(HEAD_LOCK) + profile.called(APPEND, HEAD_MAC)[1]
    return [
        ("writer thread (AuditLog.runWriter)", writer / divisor),
        ("  taking events from the buffer, waiting, logging", (writer - transactions) / divisor),
        ("  entry hashes", hashing / divisor),
        ("  INSERT statements and the head UPDATE (bind, step, reset)", (statements - preparing) / divisor),
        ("  preparing each INSERT size once per connection", preparing / divisor),
        ("  row values for binding, the loop over the batch", (append - hashing - statements - head) / divisor),
        ("  head read, MAC check and seal", head / divisor),
        ("  BEGIN and COMMIT", (transactions - append) / divisor),
    ]


def transaction_count(profile: Profile) -> int:
    """How many transactions the writer ran."""
    return profile.called(r".", APPEND)[0]


def request_report(off: Profile, on: Profile, requests: int) -> None:
    def own(profile: Profile) -> int:
        return profile.inclusive(AUDITED_ACCESS) - profile.called(AUDITED_ACCESS, NEXT)[1]

    def control(profile: Profile) -> int:
        return profile.inclusive(ACCESS_CONTROL) - profile.called(ACCESS_CONTROL, NEXT)[1]

    finish = on.inclusive(FINISH)
    record = on.inclusive(RECORD)
    prepare = on.inclusive(PREPARE)
    batches = transaction_count(on)
    rows = [
        ("total, auditing off", off.total / requests),
        ("total, auditing on", on.total / requests),
        ("difference", (on.total - off.total) / requests),
        ("AuditedAccess, own cost, auditing off", own(off) / requests),
        ("AuditedAccess, own cost, auditing on", own(on) / requests),
        ("  building the event: actor, outcome, address, details (finish minus record)", (finish - record) / requests),
        ("  AuditLog.record: encoding (PreparedAuditEvent)", prepare / requests),
        ("    time text", on.inclusive(TIME_TEXT) / requests),
        ("    details JSON", on.inclusive(DETAILS) / requests),
        ("    canonical content", on.called(PREPARE, CONTENT)[1] / requests),
        ("  AuditLog.record: buffer, lock, wake-up", (record - prepare) / requests),
        ("  request attributes and the rest", (own(on) - own(off) - finish) / requests),
        ("AccessControl own cost, on minus off (naming the actor)", (control(on) - control(off)) / requests),
    ]
    # Only the writer prepares statements while the requests are counted; the page's are ready.
    rows += writer_rows(on, requests, on.inclusive(PREPARE_STATEMENT) - off.inclusive(PREPARE_STATEMENT))
    for name, value in rows:
        print(f"{value:>10,.0f}  {name}")
    print(f"{'':>10}  (the writer wrote {requests} events in {batches} transactions)")
    allocation = on.own_cost(ALLOCATION_AND_ARC) - off.own_cost(ALLOCATION_AND_ARC)
    print(f"{allocation / requests:>10,.0f}  malloc/free, Swift retain/release/alloc, on minus off")


def log_report(profile: Profile, events: int) -> None:
    record = profile.inclusive(RECORD)
    prepare = profile.inclusive(PREPARE)
    batches = transaction_count(profile)
    _, plain = profile.called(r"measurePlainInserts", r"transaction")
    # Both cases prepare the same INSERT statements on a fresh database; each gets half.
    preparing = profile.inclusive(PREPARE_STATEMENT) // 2
    rows = [
        ("AuditLog.record on the recording threads", record / events),
        ("  encoding (PreparedAuditEvent)", prepare / events),
        ("    time text", profile.inclusive(TIME_TEXT) / events),
        ("    details JSON", profile.inclusive(DETAILS) / events),
        ("    canonical content", profile.called(PREPARE, CONTENT)[1] / events),
        ("  buffer, lock, wake-up, waiting for room", (record - prepare) / events),
    ]
    rows += writer_rows(profile, events, preparing)
    rows += [
        ("AuditLog in all (record and writer)", (record + profile.inclusive(WRITER)) / events),
        ("reference: plain batched inserts of the same rows, without preparing", (plain - preparing) / events),
    ]
    for name, value in rows:
        print(f"{value:>10,.0f}  {name}")
    print(f"{'':>10}  (the writer wrote {events} events in {batches} transactions)")


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "request":
        request_report(Profile(sys.argv[2]), Profile(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "log":
        log_report(Profile(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
