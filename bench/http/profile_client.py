#!/usr/bin/env python3
"""Sends COUNT requests for one benchmark case over one keep-alive connection.

  profile_client.py PORT hello|page|api-page COUNT

Page requests ask for the page after a pseudo-random row from a fixed seed, so every run sends
the same sequence. `api-page` asks for the signed-in copy of the page under /api/v1 with the
bearer token in BENCH_BEARER. Fails on any status other than 200.
"""

import http.client
import os
import random
import sys


def main() -> None:
    port, case, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rows = int(os.environ.get("BENCH_ROWS", "1000000"))
    generator = random.Random(7)
    prefix = "/api/v1" if case == "api-page" else ""
    headers = {"Authorization": f"Bearer {os.environ['BENCH_BEARER']}"} if case == "api-page" else {}
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(count):
        if case == "hello":
            path = "/bench/hello"
        else:
            path = f"{prefix}/bench/page?after={generator.randint(0, max(rows - 1000, 0))}"
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"profile_client: {path} answered {response.status}")


if __name__ == "__main__":
    main()
