#!/usr/bin/env python3
"""Writes an nginx configuration that answers fixed routes with fixed bodies.

Usage: nginx_conf.py --prefix DIR --listen HOST:PORT --route PATH CONTENT_TYPE BODY_FILE [--route ...]

The body of each route is returned byte for byte with `return 200`. nginx reads a quoted
string with `\\'` and `\\\\` as escapes and expands `$name` in it, and it refuses any
single parameter of 4096 bytes or more. So backslashes and quotes are escaped, a dollar
sign comes from a `geo` variable that holds "$", and a long body is cut into several
`map` variables that the `return` joins.
"""

import argparse
import sys

# Longest escaped piece per quoted string, safely below nginx's 4096-byte parameter limit.
MAX_PIECE = 3500
DOLLAR = b"${bench_dollar}"


def escape(byte: int) -> bytes:
    if byte in b"\\'":
        return b"\\" + bytes([byte])
    if byte == ord("$"):
        return DOLLAR
    return bytes([byte])


def pieces(body: bytes) -> list[bytes]:
    """Splits a body into escaped pieces, each short enough for one nginx parameter."""
    result, current = [], b""
    for byte in body:
        escaped = escape(byte)
        if len(current) + len(escaped) > MAX_PIECE:
            result.append(current)
            current = b""
        current += escaped
    result.append(current)
    return result


def quoted(text: str) -> bytes:
    return b'"' + text.replace("\\", "\\\\").replace('"', '\\"').encode() + b'"'


def configuration(prefix: str, listen: str, routes: list[tuple[str, str, bytes]]) -> bytes:
    maps, locations = [], []
    for index, (path, content_type, body) in enumerate(routes):
        parts = pieces(body)
        if len(parts) == 1:
            text = b"'" + parts[0] + b"'"
        else:
            names = [f"bench_body_{index}_{n}" for n in range(len(parts))]
            for name, part in zip(names, parts):
                maps.append(b"    map $uri $%s { default '%s'; }\n" % (name.encode(), part))
            text = b'"' + b"".join(b"${%s}" % name.encode() for name in names) + b'"'
        locations.append(
            b"        location = %s {\n"
            b"            default_type %s;\n"
            b"            return 200 %s;\n"
            b"        }\n" % (quoted(path), quoted(content_type), text)
        )

    temp_paths = [
        f"    {directive} {quoted(prefix + '/' + name).decode()};\n"
        for directive, name in [
            ("client_body_temp_path", "client_body"),
            ("proxy_temp_path", "proxy"),
            ("fastcgi_temp_path", "fastcgi"),
            ("uwsgi_temp_path", "uwsgi"),
            ("scgi_temp_path", "scgi"),
        ]
    ]
    return (
        b"daemon off;\n"
        b"worker_processes auto;\n"
        b"error_log stderr warn;\n"
        b"pid %s;\n"
        b"events {\n    worker_connections 4096;\n}\n"
        b"http {\n"
        b"    access_log off;\n"
        b"    server_tokens off;\n"
        b"    keepalive_requests 1000000;\n"
        b"%s"
        b"    geo $bench_dollar { default \"$\"; }\n"
        b"%s"
        b"    server {\n"
        b"        listen %s;\n"
        b"%s"
        b"        location / {\n            return 404;\n        }\n"
        b"    }\n"
        b"}\n"
    ) % (
        quoted(prefix + "/nginx.pid"),
        "".join(temp_paths).encode(),
        b"".join(maps),
        listen.encode(),
        b"".join(locations),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", required=True, help="directory for the pid file and temporary files")
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--route", nargs=3, action="append", required=True,
                        metavar=("PATH", "CONTENT_TYPE", "BODY_FILE"))
    args = parser.parse_args()

    routes = []
    for path, content_type, body_file in args.route:
        with open(body_file, "rb") as file:
            routes.append((path, content_type, file.read()))
    sys.stdout.buffer.write(configuration(args.prefix, args.listen, routes))


if __name__ == "__main__":
    main()
