"""Real triple-store servers for the tests, on 127.0.0.1 only, and a proxy that misbehaves.

* ``oxigraph_server``: ``oxigraph serve`` (the ``oxigraph`` package from PyPI) on a free port
  with a temporary folder; started, waited for, stopped.
* ``virtuoso_server``: a private Virtuoso (Debian's ``virtuoso-opensource``) started with
  ``scripts/start-virtuoso.sh``; skipped, with the reason, when Virtuoso is not installed.
* ``proxy``: an HTTP proxy (``http.server``) in front of a real server that can fail a chosen
  request (answer 500, or forward half the body and hang up) and can demand Basic credentials.
  It records every request it sees.
"""

from __future__ import annotations

import base64
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answers(
    url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not with 200
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def oxigraph_binary() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        pytest.skip("the `oxigraph` command is missing: pip install oxigraph (in .[test])")
    return found


@dataclass
class OxigraphServer:
    url: str
    location: Path
    proc: subprocess.Popen


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh ``oxigraph serve`` per test (an empty store)."""
    port = free_port()
    location = tmp_path / "oxigraph"
    log = open(tmp_path / "oxigraph.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(url + "/query?query=ASK%7B%7D", proc=proc)
        yield OxigraphServer(url, location, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@dataclass
class VirtuosoServer:
    url: str
    user: str
    password: str
    folder: Path


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One private Virtuoso for the session (its start takes seconds)."""
    if not shutil.which("virtuoso-t"):
        if os.environ.get("SPACEKG_REQUIRE_VIRTUOSO"):
            pytest.fail("SPACEKG_REQUIRE_VIRTUOSO is set but virtuoso-t is not on PATH")
        pytest.skip(
            "Virtuoso is not installed (Debian: scripts/install-virtuoso.sh installs "
            "virtuoso-opensource); its tests are skipped"
        )
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    password = secrets.token_hex(8)
    script = ROOT / "scripts" / "start-virtuoso.sh"
    env = {**os.environ, "VIRTUOSO_DBA_PASSWORD": password}
    started = subprocess.run(
        [str(script), "start", str(folder), str(http_port), str(sql_port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if started.returncode != 0:
        pytest.fail(f"Virtuoso is installed but did not start: {started.stderr.strip()}")
    try:
        yield VirtuosoServer(f"http://127.0.0.1:{http_port}", "dba", password, folder)
    finally:
        subprocess.run([str(script), "stop", str(folder)], capture_output=True, timeout=60)


# --- a proxy that fails on purpose ----------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    body: bytes


#: what to do with request number n (1-based): None (forward), "500", "cut" (forward half the
#: body, then hang up) or "half-lines" (forward half the lines as a complete request)
Rule = Callable[[int, Seen], str | None]


@dataclass
class Proxy:
    url: str
    upstream: str
    seen: list[Seen] = field(default_factory=list)
    rule: Rule | None = None
    user: str | None = None
    password: str | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: Proxy  # set on the subclass

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, body)
        proxy = self.proxy
        proxy.seen.append(seen)
        if proxy.user is not None:
            token = base64.b64encode(f"{proxy.user}:{proxy.password}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {token}":
                self._reply(401, b"unauthorized\n", {"WWW-Authenticate": 'Basic realm="test"'})
                return
        action = proxy.rule(len(proxy.seen), seen) if proxy.rule else None
        if action == "500":
            self._reply(500, b"injected failure\n")
            return
        host, port = proxy.upstream.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=600)
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization")
        }
        if action == "half-lines":
            # forward only the first half of the lines, as a correct request: a server that
            # answers 2xx but keeps fewer triples than were sent
            lines = body.splitlines(keepends=True)
            body = b"".join(lines[: len(lines) // 2])
            headers["Content-Length"] = str(len(body))
        if action == "cut":
            # send the headers and half the body, then hang up: the server sees a broken upload
            conn.putrequest(self.command, self.path, skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            conn.endheaders()
            conn.send(body[: len(body) // 2])
            time.sleep(0.2)
            conn.close()
            self._reply(502, b"upstream connection lost\n")
            return
        conn.request(self.command, self.path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        extra = {k: v for k, v in resp.getheaders() if k.lower() == "content-type"}
        conn.close()
        if action == "slow":
            time.sleep(3)  # the server has done the request; its answer comes after a timeout
        self._reply(resp.status, data, extra)

    def _reply(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


@pytest.fixture
def proxy(oxigraph_server: OxigraphServer) -> Iterator[Proxy]:
    """A proxy on a free port in front of a fresh Oxigraph server."""
    state = Proxy("", oxigraph_server.url)
    handler = type("Handler", (_Handler,), {"proxy": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
