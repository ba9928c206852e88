"""export: one named graph per source file (+ inferred), same bytes every run, atomic -o."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import spacekg.rdfio as rdfio_module
from spacekg.dataset import load_dataset
from spacekg.dataset.export import EXPORT_FORMATS, export, iter_graphs, write_atomic
from spacekg.errors import InputError
from spacekg.namespaces import INFERRED_GRAPH
from spacekg.project import graph_sources
from spacekg.rdfio import parse_file

RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
}


def asserted_union() -> Graph:
    g = Graph()
    for source in graph_sources():
        parse_file(source.path, g)
    return g


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_same_bytes_twice_in_separate_processes(cli_bundle: Path, fmt: str) -> None:
    code = (
        "import sys\nfrom spacekg.dataset.export import export\n"
        f"sys.stdout.buffer.write(export({fmt!r}, inferred=True).data)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, env=os.environ.copy())
        for _ in range(2)
    ]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stdout == export(fmt, inferred=True).data  # and in this process too
    assert b"_:" in runs[0].stdout or fmt == "turtle"  # blank nodes were relabelled stably


@pytest.mark.parametrize("fmt", ["nquads", "trig", "jsonld"])
def test_named_graph_formats_keep_one_graph_per_file(cli_bundle: Path, fmt: str) -> None:
    data = export(fmt, inferred=True).data
    ds = Dataset()
    ds.parse(data=data, format=RDFLIB_FORMATS[fmt])
    for source in graph_sources():
        expected = parse_file(source.path)
        got = ds.graph(URIRef(source.iri))
        assert isomorphic(got, expected), source.name
    assert len(ds.graph(URIRef(INFERRED_GRAPH))) > 0


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_triple_formats_hold_the_merged_graph(cli_bundle: Path, fmt: str) -> None:
    merged = Graph().parse(data=export(fmt).data, format=RDFLIB_FORMATS[fmt])
    assert isomorphic(merged, asserted_union())


def test_without_inferred_no_inferred_graph(cli_bundle: Path) -> None:
    result = export("nquads")
    assert INFERRED_GRAPH not in result.graphs
    assert INFERRED_GRAPH.encode() not in result.data
    assert result.graphs == tuple(s.iri for s in graph_sources())


def test_iter_graphs_for_the_stores_helper(cli_bundle: Path) -> None:
    graphs = dict(iter_graphs(inferred=True))
    assert list(graphs) == [s.iri for s in graph_sources()] + [INFERRED_GRAPH]
    for iri, lines in graphs.items():
        assert lines == sorted(lines) and all(line.endswith(" .") for line in lines), iri
        g = Graph().parse(data="\n".join(lines), format="nt")
        assert len(g) == len(lines)
    inferred = Graph().parse(data="\n".join(graphs[INFERRED_GRAPH]), format="nt")
    assert not set(inferred) & set(asserted_union())


def test_blank_nodes_shared_across_graphs_stay_one_node(cli_bundle: Path) -> None:
    ds = load_dataset(inferred=True)
    data = export("nquads", inferred=True).data.decode()
    selector_types = [line for line in data.splitlines() if "TextQuoteSelector" in line]
    labels = {line.split()[0] for line in selector_types}
    assert len(labels) == 1  # one selector node in the fixture
    assert sum(1 for _ in ds.quads((None, None, None, None))) >= len(data.splitlines())


def test_write_atomic_never_leaves_half_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.trig"
    target.write_bytes(b"old content")

    def boom(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rdfio_module.os, "replace", boom)
    with pytest.raises(InputError, match=r"out\.trig: cannot write: No space left"):
        write_atomic(target, b"new content")
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.trig"]  # no temp file left


def test_write_atomic_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write"):
        write_atomic(tmp_path / "nope" / "out.nq", b"x")
    assert not (tmp_path / "nope").exists()


def test_write_atomic_writes(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.nq", b"data")
    assert (tmp_path / "a.nq").read_bytes() == b"data"


def test_unknown_format(cli_bundle: Path) -> None:
    with pytest.raises(InputError, match="unknown export format 'rdfxml'"):
        export("rdfxml")


def test_counts_are_honest_when_a_triple_is_in_two_graphs(monkeypatch: pytest.MonkeyPatch) -> None:
    """One triple in two graphs: two quads, one triple (the RDF merge), in every format."""
    import spacekg.dataset.export as export_module

    line = "<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
    other = "<http://example.org/s> <http://example.org/p> <http://example.org/o2> ."
    graphs = [("http://example.org/g1", [line]), ("http://example.org/g2", [line, other])]
    monkeypatch.setattr(export_module, "iter_graphs", lambda inferred=False: iter(graphs))
    merged = export_module.export("ntriples")
    assert merged.data.decode().count("\n") == merged.triples == 2
    assert merged.summary == "2 triples (the merge of 2 graphs)"
    quads = export_module.export("nquads")
    assert quads.data.decode().count("\n") == quads.quads == 3
    assert quads.summary == "3 quads in 2 graphs (2 distinct triples)"


def test_bundle_counts_match_the_bytes(real_bundle: None) -> None:
    nt = export("ntriples", inferred=True)
    nq = export("nquads", inferred=True)
    assert nt.triples == nt.data.count(b"\n") == nq.triples
    assert nq.quads == nq.data.count(b"\n")
