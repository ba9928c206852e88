"""A hostile HTTP server on 127.0.0.1 for the tests: it counts every request it gets, answers
any GET with a Turtle triple (so a fetch shows in the results), and can lie as a SPARQL server.

It is the server an attacker would run, not a stand-in for a triple store: the real stores are
tested against real servers (tests/servers.py)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LEAKED = "urn:hostile:leaked"


class CountingServer:
    """Requests seen (method, path); ``answer`` is what /sparql returns (content type, body)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.answer: tuple[str, bytes] = ("application/sparql-results+json", b"{}")
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                outer.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if self.path.startswith("/sparql") or self.path.startswith("/query"):
                    ctype, body = outer.answer
                else:
                    ctype = "text/turtle"
                    body = f"<{LEAKED}> <{LEAKED}> <{LEAKED}> .\n".encode()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _reply

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CountingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
