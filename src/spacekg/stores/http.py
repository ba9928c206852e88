"""HTTP for the SPARQL endpoint client: one request helper (:class:`_Client`) with the
credentials, timeouts, error texts (scrubbed of the password) and the Graph Store Protocol
upload of a file as a streamed body; :mod:`spacekg.stores.endpoint` loads and queries with it."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO, Any

from spacekg.errors import StoreError
from spacekg.stores.base import (
    DEFAULT_GRAPH,
    LoadItem,
    Progress,
)
from spacekg.stores.servers import PASSWORD_ENV, USER_ENV, Endpoint


class _Body:
    """A file body that counts what is sent and can be sent again (after an auth challenge)."""

    def __init__(self, path: Path, progress: Progress | None, total: int) -> None:
        self.path, self.progress, self.total = path, progress, total
        self.handle: IO[bytes] | None = None
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        if self.handle is None:
            self.handle = open(self.path, "rb")  # noqa: SIM115 - closed at EOF
            self.sent = 0
        chunk = self.handle.read(max(size, 1 << 20))
        if not chunk:
            self.handle.close()
            self.handle = None  # the next read starts over: a resend after a 401
            return b""
        self.sent += len(chunk)
        if self.progress:
            self.progress(min(self.sent, self.total), self.total)
        return chunk


class _Client:
    def __init__(self, ep: Endpoint) -> None:
        self.ep = ep
        handlers: list[Any] = []
        if ep._user is not None:
            manager = urllib.request.HTTPPasswordMgrWithPriorAuth()
            manager.add_password(
                None,
                ep.base,
                ep._user,
                ep._password or "",
                is_authenticated=not ep.server.digest_auth,  # Basic sent up front, not Digest
            )
            self.digest = urllib.request.HTTPDigestAuthHandler(manager)
            handlers += [urllib.request.HTTPBasicAuthHandler(manager), self.digest]
        self.opener = urllib.request.build_opener(*handlers)

    def _digest_up_front(self, req: urllib.request.Request, what: str) -> None:
        """Authorize a large upload before sending it (Digest needs a challenge first).

        Otherwise the server answers 401 while the body is still being sent, and closes the
        connection under it. A bodiless GET to the same URL fetches the challenge.
        """
        probe = urllib.request.Request(req.full_url, method="GET")
        try:
            with urllib.request.build_opener().open(probe, timeout=self.ep.timeout):
                return  # no authentication asked
        except urllib.error.HTTPError as err:
            header = err.headers.get("WWW-Authenticate", "") if err.code == 401 else ""
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise StoreError(
                self.ep.scrub(f"{what}: cannot reach {self.ep.base}: {reason} (is it running?)")
            ) from None
        scheme, _, rest = header.partition(" ")
        if scheme.lower() != "digest":
            return
        challenge = urllib.request.parse_keqv_list(
            filter(None, urllib.request.parse_http_list(rest))
        )
        auth = self.digest.get_authorization(req, challenge)
        if auth:
            req.add_unredirected_header("Authorization", f"Digest {auth}")

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | _Body | None = None,
        headers: dict[str, str] | None = None,
        what: str,
    ) -> tuple[int, str, bytes]:
        """Send one request; StoreError (one line, no password) on any failure or 4xx/5xx."""
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # type: ignore[arg-type]
        shown = url.split("?", 1)[0]
        if self.ep.server.digest_auth and self.ep._user is not None and body is not None:
            self._digest_up_front(req, what)
        try:
            with self.opener.open(req, timeout=self.ep.timeout) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as err:
            try:
                detail = _first_line(err.read())
            except OSError:
                detail = "(no message)"
            if err.code in (401, 403):
                if self.ep.auth_source == "netrc":
                    hint = "check the credentials for this host in ~/.netrc"
                elif self.ep.auth_source:
                    hint = f"check {USER_ENV} and {PASSWORD_ENV}"
                else:
                    hint = f"set {USER_ENV} and {PASSWORD_ENV} or add the host to ~/.netrc"
                raise StoreError(
                    self.ep.scrub(
                        f"{what}: {method} {shown}: HTTP {err.code} {err.reason} ({hint})"
                    )
                ) from None
            failure = StoreError(
                self.ep.scrub(f"{what}: {method} {shown}: HTTP {err.code} {err.reason}: {detail}")
            )
            failure.refused = 400 <= err.code < 500
            raise failure from None
        except urllib.error.URLError as err:
            reason = getattr(err.reason, "strerror", None) or str(err.reason)
            failure = StoreError(
                self.ep.scrub(
                    f"{what}: cannot reach {self.ep.base}: {reason} (is the server running?)"
                )
            )
            failure.timed_out = isinstance(err.reason, TimeoutError)
            raise failure from None
        except (OSError, ValueError) as err:  # reset connections, timeouts, bad status lines
            failure = StoreError(
                self.ep.scrub(f"{what}: {method} {shown}: {type(err).__name__}: {err}")
            )
            failure.timed_out = isinstance(err, TimeoutError)
            raise failure from None

    # --- SPARQL -------------------------------------------------------------------------------

    def query(
        self, sparql: str, accept: str, what: str, dataset: list[tuple[str, str]] | None = None
    ) -> tuple[str, bytes]:
        """Send a query; ``dataset``: protocol fields (default-graph-uri ...) choosing its graphs
        (then the server's own union switch is left out: the fields say which graphs)."""
        params = {} if dataset else dict(self.ep.server.query_params)
        url = self.ep.url(self.ep.server.query_path, params)
        body = urllib.parse.urlencode([("query", sparql), *(dataset or [])]).encode()
        _, ctype, data = self.request(
            "POST",
            url,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            what=what,
        )
        return ctype, data

    def update(self, sparql: str, what: str) -> None:
        url = self.ep.url(self.ep.server.update_path)
        body = urllib.parse.urlencode({"update": sparql}).encode()
        self.request(
            "POST",
            url,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            what=what,
        )

    def count(self, graph: str, what: str) -> int:
        pattern = "?s ?p ?o" if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        _, data = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}",
            "application/sparql-results+json",
            what,
        )
        try:
            rows = json.loads(data)["results"]["bindings"]
            return int(rows[0]["n"]["value"]) if rows else 0
        except (ValueError, KeyError, IndexError, TypeError):
            raise StoreError(
                f"{what}: the server's answer to a COUNT query is not SPARQL JSON results"
            ) from None

    # --- Graph Store Protocol -----------------------------------------------------------------

    def gsp(
        self,
        method: str,
        graph: str,
        item: LoadItem,
        progress: Progress | None,
        *,
        bulk: bool = False,
        what: str,
    ) -> None:
        server = self.ep.server
        assert server.gsp_path is not None
        params = {"default": ""} if graph == DEFAULT_GRAPH else {server.graph_param: graph}
        if bulk and server.bulk_param:
            params[server.bulk_param] = ""
        body: bytes | _Body
        if item.data is not None:
            body = item.data
        else:
            assert item.path is not None
            body = _Body(item.path, progress, item.size)
        headers = {"Content-Type": item.media_type, "Content-Length": str(item.size)}
        self.request(
            method, self.ep.url(server.gsp_path, params), body=body, headers=headers, what=what
        )
        if progress:
            progress(item.size, item.size)


def _first_line(data: bytes | str) -> str:
    """The first line of an error body. urllib's own HTTPErrors (e.g. "digest auth failed"
    after its retries) carry an empty *text* body on some Python 3.11 releases."""
    text = (data.decode("utf-8", "replace") if isinstance(data, bytes) else data).strip()
    line = text.splitlines()[0] if text else "(no message)"
    return line[:300]
