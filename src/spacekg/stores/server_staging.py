"""Staging graphs on a SPARQL server: named so that one left by an interrupted replace is found,
kept out of spacekg's queries, reported, and removed, without touching another loader's.

A replace by staging graph + ``MOVE`` (:mod:`spacekg.stores.endpoint`) uploads into
``urn:spacekg:staging:<started>:<host>:<pid>:<uuid>``: ``<started>`` the UTC time the load
began (``20261201T221530Z``), ``<host>`` 12 hex digits naming the machine and its boot (a hash
of the host name and the kernel's boot id; nothing readable), ``<pid>`` the loader's process id.
A process killed between the upload and the ``MOVE`` leaves that graph on the server. Then:

* spacekg's queries never see it: a query is scoped to spacekg's graphs
  (:mod:`spacekg.stores.scoping`), or, on a server holding none of them, to every named graph
  but the staging graphs once there are any (:func:`visible_graphs`);
* the next ``spacekg load`` to the server removes, before it writes (:func:`drop_orphans`),
  every staging graph whose loader is known to be gone: started on this machine since its
  last boot by a process that no longer runs, or started more than :data:`STALE_AFTER` ago
  (a load from another machine cannot be checked; none is assumed to run that long). A staging
  graph named otherwise (``urn:spacekg:staging:<uuid>``, from older versions) is removed too.
  A running loader's staging graph is never removed: on Virtuoso a ``MOVE`` from a graph that
  is gone empties the target;
* ``spacekg load --status --endpoint URL`` lists them (:func:`server_status`).
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from spacekg.stores.base import STAGING_NS

if TYPE_CHECKING:
    from spacekg.stores.endpoint import _Client

#: a staging graph whose load started longer ago than this is an orphan, whoever made it
STALE_AFTER = timedelta(hours=24)
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"(\d{8}T\d{6}Z):([0-9a-f]{12}):(\d+):")

#: the server's named graphs, from its list of graphs (no scan of the triples)
LIST_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
#: the staging graphs, by a scan of the triples: for a server that lists no graph above
ORPHANS_QUERY = (
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
    f'FILTER (STRSTARTS(STR(?g), "{STAGING_NS}")) }}'
)
#: a graph no one writes: a dataset of it alone is empty
NO_GRAPH = "urn:spacekg:no-graph"
#: every named graph on the server
NAMED_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def host_key() -> str:
    """This machine since its last boot, as 12 hex digits."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            boot = handle.read().strip()
    except OSError:
        boot = ""
    return hashlib.sha256(f"{socket.gethostname()}\0{boot}".encode()).hexdigest()[:12]


def staging_iri(started: datetime, pid: int | None = None) -> str:
    """A fresh staging graph's IRI for a load started at ``started`` by process ``pid``
    (default: this one)."""
    stamp = started.astimezone(UTC).strftime(_STAMP)
    return f"{STAGING_NS}{stamp}:{host_key()}:{os.getpid() if pid is None else pid}:{uuid.uuid4()}"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0  # another user's process (or no number a process can have)
    return True


def is_orphan(iri: str, now: datetime) -> bool:
    """Is the staging graph ``iri`` left by a loader that is gone (see the module doc)?"""
    if not iri.startswith(STAGING_NS):
        return False
    m = _NAME.match(iri[len(STAGING_NS) :])
    if m is None:
        return True  # not named by this version: an older spacekg's
    started = datetime.strptime(m.group(1), _STAMP).replace(tzinfo=UTC)
    if now - started > STALE_AFTER:
        return True
    return m.group(2) == host_key() and not _running(int(m.group(3)))


def _graph_names(client: _Client, query: str, what: str) -> set[str]:
    from spacekg.stores.results import ACCEPT, parse_results

    ctype, data = client.query(query, ACCEPT, what)
    return {row[0].value for row in parse_results(ctype, data).rows if row and row[0] is not None}


def orphans(client: _Client) -> dict[str, int]:
    """The staging graphs on the server and their triples (none: an empty dict).

    Every load asks, so the server's list of graphs is read first (milliseconds on a large
    store, where counting every graph's triples scanned them all: 2.7 s at 1M on Oxigraph);
    only a server that lists no graph is scanned.
    """
    from spacekg.stores.results import ACCEPT, parse_results

    names = _graph_names(client, LIST_GRAPHS_QUERY, "listing the server's graphs")
    if not names:
        names = _graph_names(client, ORPHANS_QUERY, "listing staging graphs")
    found: dict[str, int] = {}
    for iri in sorted(g for g in names if g.startswith(STAGING_NS)):
        ctype, data = client.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
            ACCEPT,
            "counting a staging graph",
        )
        rows = parse_results(ctype, data).rows
        found[iri] = int(rows[0][0].value) if rows and rows[0] and rows[0][0] else 0
    return found


def drop_orphans(client: _Client, now: datetime) -> list[str]:
    """Remove the staging graphs :func:`is_orphan` names; their IRIs."""
    dropped = [g for g in orphans(client) if is_orphan(g, now)]
    for iri in dropped:
        client.update(f"DROP SILENT GRAPH <{iri}>", "removing a staging graph left behind")
    return dropped


def visible_graphs(client: _Client) -> list[str] | None:
    """The named graphs a query may see on a server that holds none of spacekg's graphs: every
    one but the staging graphs, when there are staging graphs (None: there are none, the
    server's own default graph stands). The server's unnamed default graph is then left out:
    the protocol has no name for it."""
    if not orphans(client):
        return None
    names = _graph_names(client, NAMED_GRAPHS_QUERY, "listing the server's graphs")
    return sorted(g for g in names if not g.startswith(STAGING_NS)) or [NO_GRAPH]


#: every named graph on the server with its size
GRAPH_COUNTS_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def server_status(client: _Client) -> tuple[dict[str, int], dict[str, int]]:
    """(triples per named graph, triples per staging graph an interrupted replace left), as the
    server counts them."""
    from spacekg.stores.results import ACCEPT, parse_results

    ctype, data = client.query(GRAPH_COUNTS_QUERY, ACCEPT, "counting the server's graphs")
    counts: dict[str, int] = {}
    for row in parse_results(ctype, data).rows:
        if row and row[0] is not None:
            counts[row[0].value] = int(row[1].value) if len(row) > 1 and row[1] else 0
    staged = {g: n for g, n in sorted(counts.items()) if g.startswith(STAGING_NS)}
    return {g: n for g, n in sorted(counts.items()) if g not in staged}, staged
