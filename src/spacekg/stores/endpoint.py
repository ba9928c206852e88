"""Talking to a SPARQL 1.1 server: Graph Store HTTP Protocol uploads, Update, and queries.

Standard library only (urllib). Credentials come from ``SPACEKG_USER`` / ``SPACEKG_PASSWORD``
or ``~/.netrc`` (by host), never from the command line or the URL, and never appear in a
message: every error text is scrubbed of the password before it is raised.

Loading a graph (:func:`load_endpoint`), for each :class:`~spacekg.stores.base.LoadItem`:

* the whole input was parsed before the first request (a malformed file sends nothing), with
  one exception: a single N-Triples file over ``SERVER_BULK_BYTES`` going into an empty graph on
  a server with a bulk loader (the Oxigraph preset) is checked by the server's parser as it
  loads, so the file is read once instead of twice. If the server refuses it, the graph is
  dropped (it was empty) and the file is parsed here, so a syntax error is still reported with
  its file and line; if the count afterwards differs from the file's lines, the file is parsed
  for the exact figures, and a failed check empties the graph again. A timeout leaves the
  graph as it is and says so: the server may still be loading it;
* replace (the bundle's graphs, ``--replace``): the triples go to a fresh staging graph
  (GSP ``PUT``, or SPARQL ``INSERT DATA`` in chunks where the server has no GSP), the staging
  graph is counted, then one SPARQL Update ``MOVE`` swaps it in. If anything fails before the
  swap the staging graph is dropped and the old graph was never touched. A staging graph left
  by a killed load is kept out of queries and removed by the next load
  (:mod:`spacekg.stores.server_staging`, which names them). ``swap="put"`` sends
  one GSP ``PUT`` to the graph instead, for servers that apply it in one transaction (faster
  for millions of triples on Oxigraph, whose ``MOVE`` copies triple by triple);
* append into an empty or absent graph (one GSP ``POST``); on Oxigraph a large file uses its
  bulk loader (``no_transaction``), and if that fails the partial graph is dropped again;
* finally the graph is counted on the server and compared with what was sent (StoreError).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spacekg.errors import InputError, SpacekgError, StoreError
from spacekg.stores.base import (
    DEFAULT_GRAPH,
    GraphLoad,
    LoadItem,
    LoadReport,
    Progress,
    check_count,
    guess_format,
    parse_item,
)
from spacekg.stores.http import _Client, _first_line  # noqa: F401 - re-exported
from spacekg.stores.results import ACCEPT, parse_results
from spacekg.stores.server_staging import staging_iri
from spacekg.stores.servers import (  # noqa: F401 - re-exported
    PASSWORD_ENV,
    SERVER_ENV,
    TIMEOUT_ENV,
    USER_ENV,
    Endpoint,
    Server,
    endpoint,
)
from spacekg.terms import QueryResult

#: triples per SPARQL ``INSERT DATA`` request in the Update fallback
CHUNK_TRIPLES = 10_000
#: files above this go to Oxigraph through its bulk loader when the target graph is empty
SERVER_BULK_BYTES = 8 * 1024 * 1024


# --- loading -------------------------------------------------------------------------------------


def server_parses(ep: Endpoint, path: Path, fmt: str | None = None) -> bool:
    """Whether ``path``, loaded alone, may go to ``ep`` unparsed: an N-Triples file large
    enough for the server's bulk loader, whose parser checks it as it loads (the graph must
    also be empty, which :func:`_load_one` finds out; otherwise it parses the file first)."""
    server = ep.server
    if server.bulk_param is None or server.gsp_path is None:
        return False
    try:
        return path.stat().st_size > SERVER_BULK_BYTES and guess_format(path, fmt) == "ntriples"
    except (OSError, InputError):  # reported by the file check, before anything is sent
        return False


def _chunks(item: LoadItem, limit: int | None = None) -> Iterator[str]:
    """The triples of ``item`` as N-Triples text, CHUNK_TRIPLES at a time (one chunk if the
    data has blank nodes: each INSERT DATA request makes its blank nodes anew)."""
    import pyoxigraph as ox

    from spacekg.stores.base import _ox_format

    if item.data is not None:
        quads = ox.parse(item.data, _ox_format(item.format))
    else:
        quads = ox.parse(path=item.path, format=_ox_format(item.format))
    size = item.triples + 1 if item.has_bnodes else min(CHUNK_TRIPLES, limit or CHUNK_TRIPLES)
    lines: list[str] = []
    for quad in quads:
        lines.append(f"{quad.subject} {quad.predicate} {quad.object} .")
        if len(lines) >= size:
            yield "\n".join(lines)
            lines = []
    if lines:
        yield "\n".join(lines)


def _graph_ref(graph: str) -> str:
    return "DEFAULT" if graph == DEFAULT_GRAPH else f"GRAPH <{graph}>"


def _upload(
    client: _Client,
    graph: str,
    item: LoadItem,
    progress: Progress | None,
    *,
    method: str,
    bulk: bool = False,
) -> str:
    """Send ``item`` into ``graph`` by GSP or, without GSP, by INSERT DATA chunks."""
    what = f"loading {item.label}"
    if client.ep.server.gsp_path is not None:
        client.gsp(method, graph, item, progress, bulk=bulk, what=what)
        return "gsp-" + method.lower()
    done = 0
    into = "" if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> "
    for chunk in _chunks(item, client.ep.server.max_chunk):
        client.update(f"INSERT DATA {{ {into}{{\n{chunk}\n}} }}", what)
        done += chunk.count("\n") + 1
        if progress:
            progress(min(item.size, item.size * done // max(item.triples, 1)), item.size)
    return "update-chunks"


def _load_one(
    client: _Client, item: LoadItem, progress: Progress | None, swap: str, started: datetime
) -> GraphLoad:
    what = f"loading {item.label}"
    shown = f"graph <{item.graph}>" if item.graph else "the default graph"
    before = client.count(item.graph, what)
    server = client.ep.server
    big = item.path is not None and item.size > SERVER_BULK_BYTES and before == 0
    server_parses = big and server.bulk_param is not None and server.gsp_path is not None
    if not item.parsed and not server_parses:
        item = parse_item(item)  # before anything of it is sent
    if (item.replace and before > 0) or server.gsp_path is None:
        if swap == "put" and client.ep.server.gsp_path is not None:
            try:
                method = _upload(client, item.graph, item, progress, method="PUT")
            except StoreError as err:
                state = _state_after_failure(client, item.graph, before)
                raise StoreError(f"{err}; {state}") from None
        else:
            staging = staging_iri(started)
            # not SILENT: where the server says so (Oxigraph), a staging graph gone from under
            # the swap fails it instead of emptying the target
            silent = "" if item.triples else "SILENT "
            try:
                method = _upload(client, staging, item, progress, method="PUT") + "+move"
                staged = client.count(staging, what)
                check_count(replace(item, replace=True), staged, 0, "the staging graph")
                if item.replace:
                    swap_update = f"MOVE {silent}GRAPH <{staging}> TO {_graph_ref(item.graph)}"
                else:
                    swap_update = (
                        f"ADD {silent}GRAPH <{staging}> TO {_graph_ref(item.graph)} ; "
                        f"DROP SILENT GRAPH <{staging}>"
                    )
                client.update(swap_update, what)
            except StoreError as err:
                _drop_quietly(client, staging)
                raise StoreError(f"{err}; {shown} was left as it was") from None
    else:
        try:
            method = _upload(client, item.graph, item, progress, method="POST", bulk=big)
        except StoreError as err:
            if not item.parsed:
                raise _unparsed_failure(client, item, err) from None
            if before == 0 and item.graph != DEFAULT_GRAPH:
                raise StoreError(f"{err}; {_empty_again(client, item.graph)}") from None
            raise
        if big and server.bulk_param:
            method += "-bulk"
    stored = client.count(item.graph, what)
    unparsed = not item.parsed
    try:
        if unparsed and stored != item.triples:
            # only its lines were counted: parse it for the exact figures (and for any syntax
            # error the server let through)
            item = parse_item(item, distinct=True)
        check_count(item, stored, before, f"{shown} on the server")
    except SpacekgError as err:
        if before == 0 and (item.graph != DEFAULT_GRAPH or unparsed):
            state = _empty_again(client, item.graph)
            raise type(err)(f"{err.message}; {state}", hint=err.hint) from None
        raise
    return GraphLoad(item.graph, item.label, item.triples, stored, item.replace, method)


def _unparsed_failure(client: _Client, item: LoadItem, err: StoreError) -> SpacekgError:
    """The error for a file that only the server parsed, which failed to load into its graph
    (empty before). A timeout leaves the graph alone: the server may still be loading it.
    Otherwise the graph is emptied again, and a refusal is reported as the file's syntax
    error (file, line) where it has one."""
    shown = f"graph <{item.graph}>" if item.graph else "the default graph"
    if err.timed_out:
        return StoreError(
            f"{err}; {shown} may hold part of the file: the server may still be loading it "
            f"(count it, drop it if need be, and load again with a larger {TIMEOUT_ENV})"
        )
    state = _empty_again(client, item.graph)
    if err.refused:
        try:
            parse_item(item)
        except InputError as bad:
            return InputError(f"{bad.message}; {state}", hint=bad.hint)
    return StoreError(f"{err}; {state}")


def _empty_again(client: _Client, graph: str) -> str:
    """Drop ``graph`` (empty before the load) and say, counted on the server, what it holds."""
    shown = f"graph <{graph}>" if graph else "the default graph"
    _drop_quietly(client, graph)
    try:
        now = client.count(graph, "checking the graph")
    except StoreError:
        return f"could not check {shown} afterwards"
    return f"{shown} is empty again" if now == 0 else f"{shown} still holds {now} triples"


def _state_after_failure(client: _Client, graph: str, before: int) -> str:
    """What a failed replace left behind, counted on the server, for the error message."""
    shown = f"graph <{graph}>" if graph else "the default graph"
    try:
        now = client.count(graph, "checking the graph")
    except StoreError:
        return f"could not check {shown} afterwards"
    if now == before:
        return f"{shown} was left as it was ({before} triples)"
    return f"{shown} now holds {now} triples (it held {before})"


def _drop_quietly(client: _Client, graph: str) -> None:
    with contextlib.suppress(StoreError):
        client.update(f"DROP SILENT {_graph_ref(graph)}", "cleaning up")


def load_endpoint(
    ep: Endpoint,
    items: list[LoadItem],
    *,
    swap: str = "auto",
    progress: Progress | None = None,
) -> LoadReport:
    """Load ``items`` into the server ``ep`` (see the module doc); one graph at a time.

    ``swap`` (how a graph is replaced): ``put`` (one GSP PUT, for servers that apply it in one
    transaction), ``move`` (staging graph, count, one MOVE) or ``auto`` (``put`` where the
    server preset says PUT is atomic, else ``move``).
    """
    if swap not in ("auto", "move", "put"):
        raise InputError(f"unknown swap {swap!r} (use auto, move or put)")
    if swap == "auto":
        swap = "put" if ep.server.atomic_put and ep.server.gsp_path else "move"
    started = time.perf_counter()
    client = _Client(ep)
    now = datetime.now(UTC)
    from spacekg.stores.server_staging import drop_orphans

    drop_orphans(client, now)  # left by an interrupted replace
    total = sum(i.size for i in items)
    done = 0
    results = []
    for item in items:
        sub: Progress | None = None
        if progress is not None:
            offset = done
            sub = lambda d, _t, offset=offset: progress(offset + d, total)  # noqa: E731
        results.append(_load_one(client, item, sub, swap, now))
        done += item.size
    return LoadReport(ep.base, tuple(results), time.perf_counter() - started)


# --- querying ------------------------------------------------------------------------------------


GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, text/plain;q=0.5"


def accept_for(sparql: str) -> str:
    """The Accept header for ``sparql``: RDF for CONSTRUCT/DESCRIBE (asked for results JSON,
    Virtuoso 7.2 writes a broken document for a graph), SPARQL results otherwise."""
    from spacekg.query.sparqltext import query_form

    return GRAPH_ACCEPT if query_form(sparql) in ("construct", "describe") else ACCEPT


class EndpointStore:
    """A :class:`spacekg.query.engine.Backend` that sends each query to a SPARQL server."""

    def __init__(self, ep: Endpoint | str, *, server: str | None = None) -> None:
        if isinstance(ep, str):
            ep = endpoint(ep, server=server or os.environ.get(SERVER_ENV, "oxigraph"))
        self.ep = ep
        self.client = _Client(ep)
        self._graphs: list[str] | None = None
        self._unscoped: list[tuple[str, str]] | None = None
        self._forms: Any = None

    def written_forms(self) -> Any:
        """For a server that canonicalises literals (Oxigraph), the bundle's written forms
        (:mod:`spacekg.query.written`), else an empty map."""
        from spacekg.query.written import WrittenForms, scan

        if self._forms is None:
            self._forms = WrittenForms()
            if self.ep.server.name == "oxigraph":
                from spacekg.errors import SpacekgError
                from spacekg.query.engine import materialised_nquads

                with contextlib.suppress(SpacekgError):  # no bundle to read: nothing to restore
                    self._forms = scan(materialised_nquads())
        return self._forms

    def graphs(self) -> list[str]:
        """spacekg's graphs on the server (asked once; see :mod:`spacekg.stores.scoping`)."""
        if self._graphs is None:
            from spacekg.stores.scoping import GRAPHS_QUERY

            ctype, data = self.client.query(GRAPHS_QUERY, ACCEPT, "listing spacekg's graphs")
            rows = parse_results(ctype, data).rows
            self._graphs = sorted(row[0].value for row in rows if row and row[0])
        return self._graphs

    def _unscoped_dataset(self) -> list[tuple[str, str]] | None:
        """For a server without spacekg's graphs: every graph but staging graphs, if there are
        any (asked once; :func:`spacekg.stores.server_staging.visible_graphs`)."""
        if self._unscoped is None:
            from spacekg.stores.scoping import protocol_fields
            from spacekg.stores.server_staging import visible_graphs

            visible = visible_graphs(self.client)
            self._unscoped = [] if visible is None else protocol_fields(visible)
        return self._unscoped or None

    def execute(self, sparql: str) -> QueryResult:
        from spacekg.query.written import calls_lookups, correct, inline, may_need_correction
        from spacekg.stores.scoping import names_dataset, protocol_fields

        dataset = None
        if not names_dataset(sparql):
            dataset = protocol_fields(self.graphs()) or self._unscoped_dataset()
        text = inline(sparql, self.written_forms()) if calls_lookups(sparql) else sparql
        try:
            ctype, data = self.client.query(text, accept_for(sparql), "query", dataset)
        except StoreError as err:
            if "HTTP 400" in str(err):
                raise SyntaxError(str(err)) from None
            raise
        result = parse_results(ctype, data)
        if self.ep.server.name != "oxigraph" or not may_need_correction(result, sparql):
            return result
        return correct(result, sparql, self.written_forms())
