"""The in-memory path's materialised dataset (pyoxigraph + reasonable, no rdflib parse) holds
every source graph as parsed and the same inferred triples as owlrl under spacekg's filter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from spacekg.dataset import load_union
from spacekg.dataset.export import iter_graphs, nquads_bytes
from spacekg.namespaces import INFERRED_GRAPH
from spacekg.project import graph_sources
from spacekg.reasoning import infer
from spacekg.reasoning.materialise import materialised_nquads

REASONING = Path(__file__).parent / "fixtures" / "reasoning"


def store(data: bytes) -> ox.Store:
    s = ox.Store()
    s.load(data, ox.RdfFormat.N_QUADS)
    return s


def ground(s: ox.Store, graph: str) -> tuple[set[str], int]:
    """The triples of ``graph`` without blank nodes, and how many triples it has in all."""
    quads = list(s.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    blank = (ox.BlankNode,)
    triples = {
        str(q.triple)
        for q in quads
        if not isinstance(q.subject, blank) and not isinstance(q.object, blank)
    }
    return triples, len(quads)


def reference_inferred() -> tuple[set[str], int]:
    """owlrl's filtered inferred triples of the bundle, through rdflib."""
    from rdflib import BNode

    inferred = infer(load_union(), engine="owlrl")
    triples = {
        f"{s.n3()} {p.n3()} {o.n3()}"
        for s, p, o in inferred
        if not isinstance(s, BNode) and not isinstance(o, BNode)
    }
    return triples, len(inferred)


def assert_same_as_owlrl() -> None:
    sources = graph_sources()
    fast = materialised_nquads(sources)
    assert fast is not None
    fast_store = store(fast)
    slow_store = store(nquads_bytes(iter_graphs(inferred=False, sources=sources)))
    for source in sources:
        assert ground(fast_store, source.iri) == ground(slow_store, source.iri), source.name
    got, count = ground(fast_store, INFERRED_GRAPH)
    want, want_count = reference_inferred()
    assert count == want_count
    # rdflib's n3() and oxigraph's N-Triples agree on these graphs' terms
    assert got == want


def with_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *files: Path) -> None:
    from spacekg.project import bundle_root

    monkeypatch.delenv("SPACEKG_HOME", raising=False)
    source = bundle_root()
    root = tmp_path / "bundle"
    for folder in ("ontology", "data", "queries", "seeds"):
        shutil.copytree(source / folder, root / folder)
    for i, f in enumerate(files):
        shutil.copy(f, root / "data" / f"zz-{i}-{f.name}")
    monkeypatch.setenv("SPACEKG_HOME", str(root))
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(tmp_path / "cache"))


def test_bundled_graph() -> None:
    assert_same_as_owlrl()


def test_deep_hierarchy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_data(tmp_path, monkeypatch, REASONING / "deep-hierarchy.ttl")
    assert_same_as_owlrl()


def test_same_as_turns_off_the_inert_shortcut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "same.ttl"
    extra.write_text(
        "<https://w3id.org/spacekg/id/japan> <http://www.w3.org/2002/07/owl#sameAs> "
        "<https://example.org/nippon> .\n"
        '<https://example.org/nippon> <https://example.org/motto> "wa" .\n'
    )
    with_data(tmp_path, monkeypatch, extra)
    assert_same_as_owlrl()
    data = materialised_nquads(graph_sources())
    assert data is not None
    assert b'<https://w3id.org/spacekg/id/japan> <https://example.org/motto> "wa"' in data


def test_a_property_chain_takes_the_owlrl_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_data(tmp_path, monkeypatch, REASONING / "property-chain.ttl")
    assert materialised_nquads(graph_sources()) is None


def test_a_syntax_error_names_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacekg.errors import InputError

    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://example.org/a> <https://example.org/b> .\n")
    with_data(tmp_path, monkeypatch, bad)
    with pytest.raises(InputError, match=r"zz-0-bad\.ttl:1"):
        materialised_nquads(graph_sources())


def test_same_labels_on_every_run() -> None:
    sources = graph_sources()
    assert materialised_nquads(sources) == materialised_nquads(sources)


@pytest.mark.slow
def test_synthetic_10k(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import generate

    folder = generate.ensure(10_000, tmp_path / "gen")
    with_data(tmp_path, monkeypatch, folder / "synthetic.ttl")
    assert_same_as_owlrl()
