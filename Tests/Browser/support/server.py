"""A `syncline serve` process on a free loopback port, as an operator runs it."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Account:
    """A user the tests sign in as."""

    username: str
    password: str
    role: str


def find_binary() -> Path:
    """The `syncline` binary: `SYNCLINE_BINARY` if set, else the one `swift build` made."""
    if configured := os.environ.get("SYNCLINE_BINARY"):
        return Path(configured)
    bin_path = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=REPOSITORY, check=True, capture_output=True, text=True
    ).stdout.strip()
    binary = Path(bin_path) / "syncline"
    if not binary.is_file():
        raise RuntimeError(f"{binary} is missing; build it with `swift build --product syncline`")
    return binary


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SynclineServer:
    """`syncline serve` on its own scratch SQLite database, import directory and secrets.

    Nothing of the caller's `SYNCLINE_*` environment reaches it, so a developer's settings cannot
    change what the tests see. The demo data is off: tests create what they need.
    """

    def __init__(self, binary: Path) -> None:
        self.binary = binary
        self.directory = Path(tempfile.mkdtemp(prefix="syncline-browser-"))
        self.log_file = self.directory / "server.log"
        self.import_directory = self.directory / "import"
        self.import_directory.mkdir()
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.environment = {
            name: value for name, value in os.environ.items() if not name.startswith("SYNCLINE_")
        }
        self.environment.update(
            SYNCLINE_MODE="development",
            SYNCLINE_DEMO="false",
            SYNCLINE_DATABASE_URL=f"sqlite:{self.directory / 'syncline.db'}",
            SYNCLINE_IMPORT_DIR=str(self.import_directory),
            # One record per batch and transaction: a sync of a small file then lasts long enough
            # for the source page to show its live progress before it ends.
            SYNCLINE_SYNC_BATCH="1",
            SYNCLINE_SESSION_SECRET=secrets.token_hex(32),
            SYNCLINE_AUDIT_KEY=secrets.token_hex(32),
            SYNCLINE_LOG_LEVEL="info",
        )

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT`, the public URL the server was told."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.origin + path

    def start(self) -> None:
        """Starts the server and waits until it answers `/healthz`.

        The port is picked before the server binds it, since `SYNCLINE_PUBLIC_URL` must name it
        for the Origin checks of forms; if another process takes it in between, a new one is tried.
        """
        for _ in range(5):
            self.port = free_port()
            self.environment["SYNCLINE_LISTEN"] = f"127.0.0.1:{self.port}"
            self.environment["SYNCLINE_PUBLIC_URL"] = self.origin
            with open(self.log_file, "ab") as log:
                self.process = subprocess.Popen(
                    [str(self.binary), "serve"], env=self.environment, stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT,
                )
            if self._wait_until_ready(timeout=30):
                return
            self.stop()
        raise RuntimeError(f"the server did not start; its log:\n{self.log_text()}")

    def _wait_until_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with opener.open(self.url("/healthz"), timeout=2) as reply:
                    if reply.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        return False

    def add_user(self, username: str, role: str, password: str | None = None) -> Account:
        """Creates a user with `syncline user add`, its password on standard input."""
        password = password or f"browser {secrets.token_hex(8)} test"
        result = subprocess.run(
            [str(self.binary), "user", "add", username, "--role", role], env=self.environment,
            input=password + "\n", capture_output=True, text=True, timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"syncline user add {username} failed: {result.stdout}{result.stderr}")
        return Account(username, password, role)

    def write_import(self, name: str, text: str) -> Path:
        """Writes `text` to the file `name` of the import directory, where CSV sources read files."""
        target = self.import_directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, newline="")
        return target

    def log_text(self) -> str:
        """Everything the server has logged so far."""
        try:
            return self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        """Asks the server to stop, as SIGTERM does, and kills it if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def remove(self) -> None:
        """Removes the database, import directory and log."""
        shutil.rmtree(self.directory, ignore_errors=True)
