"""Scoping server queries to spacekg's graphs (spacekg.stores.scoping), without a server; the
servers themselves are in tests/test_conformance.py::test_servers_show_only_spacekg_graphs."""

from __future__ import annotations

from spacekg.project import GRAPH_NS
from spacekg.stores.scoping import GRAPHS_QUERY, names_dataset, protocol_fields


def test_a_query_with_its_own_dataset_is_left_alone() -> None:
    assert names_dataset("SELECT * FROM <http://ex.org/g> WHERE { ?s ?p ?o }")
    assert names_dataset("SELECT * from named <http://ex.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }")


def test_from_in_strings_iris_and_comments_is_not_a_dataset() -> None:
    assert not names_dataset('SELECT * WHERE { ?s ?p "FROM <x>" }  # FROM <y>')
    assert not names_dataset("SELECT * WHERE { ?s <http://ex.org/FROM> ?o }")


def test_protocol_fields_name_each_graph_as_default_and_named() -> None:
    graphs = [GRAPH_NS + "ontology", GRAPH_NS + "data/actors"]
    assert protocol_fields(graphs) == [
        ("default-graph-uri", graphs[0]),
        ("default-graph-uri", graphs[1]),
        ("named-graph-uri", graphs[0]),
        ("named-graph-uri", graphs[1]),
    ]
    assert protocol_fields([]) == []


def test_the_graph_listing_keeps_to_spacekg_graphs() -> None:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(
        (
            f"<http://ex.org/s> <http://ex.org/p> <http://ex.org/o> <{GRAPH_NS}data/actors> .\n"
            "<http://ex.org/s> <http://ex.org/p> <http://ex.org/o> "
            "<http://www.openlinksw.com/schemas/virtrdf#> .\n"
        ).encode(),
        ox.RdfFormat.N_QUADS,
    )
    assert [row[0].value for row in store.query(GRAPHS_QUERY)] == [GRAPH_NS + "data/actors"]
