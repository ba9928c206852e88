"""Staging graphs left by an interrupted replace: never visible, removed by the next load.

A replace writes the new triples into ``urn:spacekg:staging:<uuid>`` and swaps them in with one
``MOVE``. A process killed between the two leaves that graph behind. Queries never see it (the
union default graph is built from the other graphs, :func:`visible_graphs`), the next load of
the same store drops it before writing (:func:`drop_orphans`; the store's lock means no other
loader is running), and ``spacekg load --status`` reports it.

A large file loaded in parallel parts leaves a *marker* staging graph while it runs
(:mod:`spacekg.stores.bulk`): the graph it names is half-filled until the marker goes, so queries
leave that graph out too, and the next load empties it (it was empty when the load began).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyoxigraph

#: the namespace of staging graphs (:mod:`spacekg.stores.base` re-exports it)
STAGING_NS = "urn:spacekg:staging:"
#: staging graphs that mark a load in parts still running (or killed)
LOADING_NS = f"{STAGING_NS}loading:"
#: a marker's predicate; its object is a literal: the graph's IRI, "" for the default graph
LOADS_INTO = f"{STAGING_NS}loads-into"


def graph_node(iri: str) -> Any:
    """The pyoxigraph graph name of ``iri`` ("" for the default graph)."""
    import pyoxigraph as ox

    return ox.DefaultGraph() if iri == "" else ox.NamedNode(iri)


def marked_targets(store: pyoxigraph.Store, markers: list[str]) -> list[str]:
    """The graphs (IRI, "" for the default graph) that the loading ``markers`` name."""
    import pyoxigraph as ox

    targets = []
    for iri in markers:
        node = ox.NamedNode(iri)
        for quad in store.quads_for_pattern(node, ox.NamedNode(LOADS_INTO), None, node):
            targets.append(quad.object.value)
    return targets


def orphans(store: pyoxigraph.Store) -> list[str]:
    """The staging graphs in ``store``."""
    return sorted(g.value for g in store.named_graphs() if g.value.startswith(STAGING_NS))


def drop_orphans(store: pyoxigraph.Store) -> list[str]:
    """Remove every staging graph of ``store`` (call with the write lock held); their IRIs."""
    import pyoxigraph as ox

    found = orphans(store)
    for target in marked_targets(store, [g for g in found if g.startswith(LOADING_NS)]):
        store.remove_graph(graph_node(target))
    for iri in found:
        store.remove_graph(ox.NamedNode(iri))
    return found


def visible_graphs(store: pyoxigraph.Store) -> list[Any] | None:
    """The graphs a query's default graph is the union of, when staging graphs exist (None:
    there are none, use the store's own union)."""
    import pyoxigraph as ox

    named = list(store.named_graphs())
    if not any(g.value.startswith(STAGING_NS) for g in named):
        return None
    markers = [g.value for g in named if g.value.startswith(LOADING_NS)]
    hidden = {graph_node(t) for t in marked_targets(store, markers)}
    graphs = [ox.DefaultGraph(), *(g for g in named if not g.value.startswith(STAGING_NS))]
    return [g for g in graphs if g not in hidden]
