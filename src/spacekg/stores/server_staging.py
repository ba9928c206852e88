"""Staging graphs on a SPARQL server: named so that one left by an interrupted replace is found,
kept out of spacekg's queries, reported, and removed, without touching another loader's.

A replace by staging graph + ``MOVE`` (:mod:`spacekg.stores.endpoint`) uploads into
``urn:spacekg:staging:<started>:<target>:<uuid>``: ``<started>`` the UTC time the load began
(``20261201T221530Z``), ``<target>`` the first 16 hex digits of the SHA-256 of the target graph's
IRI (``default`` for the default graph). A process killed between the upload and the ``MOVE``
leaves that graph on the server. Then:

* spacekg's queries never see it: a query is scoped to spacekg's graphs
  (:mod:`spacekg.stores.scoping`), or, on a server holding none of them, to every named graph
  but the staging graphs once there are any (:func:`visible_graphs`);
* the next ``spacekg load`` to the server removes, before it writes (:func:`drop_orphans`),
  the staging graphs of the graphs it is about to write (two loads of the same graph at the
  same time cannot both win: the other's ``MOVE`` then fails, leaving its target as it was),
  and those of any graph started more than :data:`STALE_AFTER` ago (a load running that long
  is not assumed). Staging graphs without a start time (``urn:spacekg:staging:<uuid>``, older
  versions of spacekg) count as stale;
* ``spacekg load --status --endpoint URL`` lists them (:func:`orphans`).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from spacekg.stores.base import DEFAULT_GRAPH, STAGING_NS

if TYPE_CHECKING:
    from spacekg.stores.endpoint import _Client

#: a staging graph whose load started longer ago than this is an orphan, whatever its target
STALE_AFTER = timedelta(hours=24)
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"(\d{8}T\d{6}Z):([0-9a-f]{16}|default):")

#: staging graphs on the server with their sizes
ORPHANS_QUERY = (
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
    f'FILTER (STRSTARTS(STR(?g), "{STAGING_NS}")) }} GROUP BY ?g'
)
#: a graph no one writes: a dataset of it alone is empty
NO_GRAPH = "urn:spacekg:no-graph"
#: every named graph on the server
NAMED_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def target_key(graph: str) -> str:
    """The part of a staging graph's name that says which graph it replaces."""
    if graph == DEFAULT_GRAPH:
        return "default"
    return hashlib.sha256(graph.encode("utf-8")).hexdigest()[:16]


def staging_iri(graph: str, started: datetime) -> str:
    """A fresh staging graph's IRI for replacing ``graph`` in a load started at ``started``."""
    return (
        f"{STAGING_NS}{started.astimezone(UTC).strftime(_STAMP)}:{target_key(graph)}:{uuid.uuid4()}"
    )


def is_orphan(iri: str, writing: set[str], now: datetime) -> bool:
    """Is the staging graph ``iri`` to be removed by a load that writes the graphs ``writing``?"""
    m = _NAME.match(iri[len(STAGING_NS) :]) if iri.startswith(STAGING_NS) else None
    if m is None:
        return iri.startswith(STAGING_NS)  # no start time: left by an older spacekg
    if m.group(2) in {target_key(g) for g in writing}:
        return True
    started = datetime.strptime(m.group(1), _STAMP).replace(tzinfo=UTC)
    return now - started > STALE_AFTER


def orphans(client: _Client) -> dict[str, int]:
    """The staging graphs on the server and their triples (none: an empty dict)."""
    from spacekg.stores.results import ACCEPT, parse_results

    ctype, data = client.query(ORPHANS_QUERY, ACCEPT, "listing staging graphs")
    found: dict[str, int] = {}
    for row in parse_results(ctype, data).rows:
        if row and row[0] is not None and row[0].value.startswith(STAGING_NS):
            found[row[0].value] = int(row[1].value) if len(row) > 1 and row[1] else 0
    return dict(sorted(found.items()))


def drop_orphans(client: _Client, writing: set[str], now: datetime) -> list[str]:
    """Remove the staging graphs :func:`is_orphan` names; their IRIs."""
    dropped = [g for g in orphans(client) if is_orphan(g, writing, now)]
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
    from spacekg.stores.results import ACCEPT, parse_results

    ctype, data = client.query(NAMED_GRAPHS_QUERY, ACCEPT, "listing the server's graphs")
    rows = parse_results(ctype, data).rows
    names = {row[0].value for row in rows if row and row[0] is not None}
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
