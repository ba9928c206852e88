"""Load the bundled knowledge graph into rdflib: one named graph per source file.

``load_dataset()`` returns an ``rdflib.Dataset`` whose named graphs are the ontology and each data
file (``https://w3id.org/spacekg/graph/ontology``, ``.../graph/data/<stem>``), plus, on request,
the inferred triples (``.../graph/inferred``). ``union_graph()`` is a read-only view of all of
them together, the graph the queries see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacekg.namespaces import INFERRED_GRAPH
from spacekg.project import GraphSource, graph_sources
from spacekg.rdfio import bind_prefixes

if TYPE_CHECKING:
    from rdflib import Dataset, Graph


def load_dataset(
    sources: list[GraphSource] | None = None, *, inferred: bool = False, profile: str = "owlrl"
) -> Dataset:
    """Parse every source file into its own named graph of a new ``Dataset``.

    With ``inferred=True`` the triples entailed by ``profile`` (see :mod:`spacekg.reasoning`)
    are added as the named graph ``https://w3id.org/spacekg/graph/inferred``.
    Raises :class:`~spacekg.errors.InputError` if a file does not parse.
    """
    from rdflib import Dataset, URIRef

    from spacekg.rdfio import parse_file

    sources = sources if sources is not None else graph_sources()
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    for source in sources:
        parse_file(source.path, ds.graph(URIRef(source.iri)))
    if inferred:
        from spacekg.reasoning import infer

        result = infer(union_graph(ds), profile=profile)
        target = ds.graph(URIRef(INFERRED_GRAPH))
        for triple in result:
            target.add(triple)
    return ds


def union_graph(ds: Dataset) -> Graph:
    """All named graphs of ``ds`` merged into one plain ``Graph`` (a copy)."""
    from rdflib import Graph

    merged = Graph()
    bind_prefixes(merged)
    for s, p, o, _g in ds.quads((None, None, None, None)):
        merged.add((s, p, o))
    return merged


def load_union(sources: list[GraphSource] | None = None) -> Graph:
    """The asserted knowledge graph (ontology and data) as one plain ``Graph``."""
    return union_graph(load_dataset(sources))
