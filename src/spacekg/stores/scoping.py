"""Scoping a query sent to a SPARQL server to spacekg's own graphs.

A server's default graph is its own affair: Virtuoso's holds its system graphs (thousands of
triples of its own ``rdfs:subClassOf`` and more), Fuseki's is the dataset's default graph, which
spacekg never loads. So a query that names no dataset of its own (no ``FROM`` / ``FROM NAMED``)
is sent with the SPARQL 1.1 Protocol's ``default-graph-uri`` and ``named-graph-uri`` parameters,
one per spacekg graph on the server (those under :data:`~spacekg.project.GRAPH_NS`): its default
graph is then the union of those graphs, and ``GRAPH ?g`` sees only them.
"""

from __future__ import annotations

from spacekg.project import GRAPH_NS
from spacekg.query import sparqltext

#: lists spacekg's graphs on a server (any graph IRI under GRAPH_NS)
GRAPHS_QUERY = (
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
    f'FILTER (STRSTARTS(STR(?g), "{GRAPH_NS}")) }}'
)


def names_dataset(sparql: str) -> bool:
    """Does the query choose its own dataset (a ``FROM`` or ``FROM NAMED`` clause)?"""
    return any(t.kind == "word" and t.upper == "FROM" for t in sparqltext.code_tokens(sparql))


def protocol_fields(graphs: list[str]) -> list[tuple[str, str]]:
    """The protocol fields that make ``graphs`` the dataset of a query."""
    fields = [("default-graph-uri", g) for g in graphs]
    return fields + [("named-graph-uri", g) for g in graphs]
