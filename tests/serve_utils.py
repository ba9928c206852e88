"""A real ``spacekg serve`` process on 127.0.0.1 for the server tests (HTTP and browser)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SPACEKG = Path(sys.executable).with_name("spacekg")
LISTEN = re.compile(r"serving the graph at (http://[^ ]+/)")


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    stderr: Path

    def log(self) -> str:
        return self.stderr.read_text(errors="replace")


def start_server(
    tmp: Path, *args: str, cache: Path | None = None, keep_home: bool = False
) -> Server:
    """``spacekg serve --port 0 ARGS`` in its own session; waits for its 'serving' line.
    The bundled graph unless ``keep_home`` (then ``$SPACEKG_HOME``'s)."""
    env = dict(os.environ)
    if not keep_home:
        env.pop("SPACEKG_HOME", None)
    env["SPACEKG_CACHE_DIR"] = str(cache or tmp / "cache")
    err = tmp / f"serve-{time.monotonic_ns()}.err"
    with err.open("wb") as sink:
        process = subprocess.Popen(
            [str(SPACEKG), "serve", "--port", "0", *args],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env=env,
            start_new_session=True,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        match = LISTEN.search(err.read_text(errors="replace"))
        if match:
            return Server(match.group(1).rstrip("/"), process, err)
        if process.poll() is not None:
            pytest.fail(f"spacekg serve exited {process.returncode}: {err.read_text()}")
        time.sleep(0.1)
    stop_server(Server("", process, err))
    pytest.fail("spacekg serve did not say where it listens within 180 s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGINT)
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(10)


def running_server(tmp_factory: pytest.TempPathFactory, *args: str) -> Iterator[Server]:
    tmp = tmp_factory.mktemp("serve")
    server = start_server(tmp, *args)
    try:
        yield server
    finally:
        stop_server(server)
