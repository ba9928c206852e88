"""The whole knowledge graph for triple stores, one named graph per source file, same bytes on
every run.

Determinism: every quad is written in N-Triples form with blank nodes relabelled from their
content (a colour-refinement hash over the whole dataset, so the same node keeps the same label
across the graphs it appears in), and the lines are sorted. Graphs come in the order of
:func:`spacekg.project.graph_sources` (ontology first, then data files by name), then ``inferred``.

Formats: ``nquads`` and ``trig`` keep the named graphs; ``jsonld`` is a JSON-LD dataset with one
``@graph`` per named graph; ``turtle`` and ``ntriples`` cannot name graphs, so they hold the
merged graph (the union, each triple once), which is what a single-graph store wants.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError
from spacekg.namespaces import INFERRED_GRAPH, TERM_PREFIXES
from spacekg.project import GraphSource, graph_sources
from spacekg.rdfio import write_atomic as write_atomic  # the one atomic writer
from spacekg.terms import literal_n3

if TYPE_CHECKING:
    from rdflib import Dataset

EXPORT_FORMATS: tuple[str, ...] = ("turtle", "ntriples", "nquads", "trig", "jsonld")


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export` wrote: the bytes, and how many graphs and quads they hold.

    ``triples`` counts distinct triples (the RDF merge of the graphs): a triple in two graphs is
    one triple, two quads. It is what ``turtle``/``ntriples`` hold and what a store with a
    set-union default graph (Jena TDB2) counts; a bag-union default graph (Oxigraph, Virtuoso)
    counts ``quads``.
    """

    format: str
    data: bytes
    graphs: tuple[str, ...]
    quads: int
    triples: int = 0

    @property
    def summary(self) -> str:
        """``N triples (the merge of G graphs)`` or ``Q quads in G graphs (N distinct triples)``."""
        graphs = len(self.graphs)
        if self.format in ("turtle", "ntriples"):
            return f"{self.triples} triples (the merge of {graphs} graphs)"
        return f"{self.quads} quads in {graphs} graphs ({self.triples} distinct triples)"


def nt_term(term: Any, labels: dict[Any, str]) -> str:
    """One rdflib term in N-Triples syntax, blank nodes named by ``labels``."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{labels[term]}"
    if isinstance(term, Literal):
        return literal_n3(str(term), term.language, term.datatype)
    raise InputError(f"cannot write the RDF term {term!r} in N-Triples")


def bnode_labels(
    quads: Iterable[tuple[Any, Any, Any, Any]],
    is_blank: Callable[[Any], bool] | None = None,
) -> dict[Any, str]:
    """Stable labels for the blank nodes of ``quads``, computed from their surroundings.

    Terms need an ``n3()`` method: rdflib terms, or :class:`spacekg.terms.Term` with
    ``is_blank`` telling which terms are blank nodes (default: rdflib's ``BNode``).
    """
    if is_blank is None:
        from rdflib import BNode

        def is_blank(term: Any) -> bool:
            return isinstance(term, BNode)

    edges: dict[Any, list[tuple[str, Any, Any, Any]]] = defaultdict(list)
    for s, p, o, g in quads:
        if is_blank(s):
            edges[s].append(("out", p, o, g))
        if is_blank(o):
            edges[o].append(("in", p, s, g))
    if not edges:
        return {}
    colour = {b: "" for b in edges}

    def key(term: Any) -> str:
        return "_:" + colour[term] if is_blank(term) else term.n3()

    classes = 1
    for _ in range(12):
        colour = {
            b: hashlib.sha256(
                "\n".join(
                    sorted(f"{d} {p.n3()} {key(t)} {g.n3() if g else ''}" for d, p, t, g in es)
                ).encode()
            ).hexdigest()
            for b, es in edges.items()
        }
        new_classes = len(set(colour.values()))
        if new_classes == classes and new_classes > 1:
            break
        classes = new_classes
    labels: dict[Any, str] = {}
    seen: dict[str, int] = defaultdict(int)
    for b in sorted(edges, key=lambda n: colour[n]):
        base = "b" + colour[b][:16]
        labels[b] = base if seen[base] == 0 else f"{base}x{seen[base]}"
        seen[base] += 1
    return labels


def dataset_graphs(ds: Dataset, sources: list[GraphSource] | None = None) -> list[str]:
    """The graph IRIs of ``ds`` in export order."""
    sources = sources if sources is not None else graph_sources()
    present = {str(g.identifier) for g in ds.graphs() if len(g)}
    order = [s.iri for s in sources] + [INFERRED_GRAPH]
    return [iri for iri in order if iri in present] + sorted(present - set(order))


def graph_lines(ds: Dataset, sources: list[GraphSource] | None = None) -> dict[str, list[str]]:
    """Every named graph of ``ds`` as sorted N-Triples lines (no newline), in export order."""
    from rdflib import URIRef

    quads = [
        (s, p, o, g)
        for s, p, o, g in ds.quads((None, None, None, None))
        if g is not None and str(g) != "urn:x-rdflib:default"
    ]
    labels = bnode_labels(quads)
    out: dict[str, list[str]] = {}
    for iri in dataset_graphs(ds, sources):
        graph = ds.graph(URIRef(iri))
        lines = {
            f"{nt_term(s, labels)} {nt_term(p, labels)} {nt_term(o, labels)} ." for s, p, o in graph
        }
        out[iri] = sorted(lines)
    return out


def iter_graphs(
    inferred: bool = False, sources: list[GraphSource] | None = None
) -> Iterator[tuple[str, list[str]]]:
    """(graph IRI, sorted N-Triples lines) for each source file, then ``inferred`` if asked.

    This is what ``spacekg load`` sends to a store, one graph at a time.
    """
    from spacekg.dataset import load_dataset

    ds = load_dataset(sources, inferred=inferred)
    yield from graph_lines(ds, sources).items()


def nquads_bytes(graphs: Iterable[tuple[str, list[str]]]) -> bytes:
    """N-Quads for ``graphs`` as produced by :func:`iter_graphs`."""
    parts = []
    for iri, lines in graphs:
        suffix = f" <{iri}> .\n"
        parts.extend(line[:-2] + suffix for line in lines)
    return "".join(parts).encode("utf-8")


def serialize(graphs: list[tuple[str, list[str]]], fmt: str) -> bytes:
    """Write ``graphs`` (from :func:`iter_graphs`) in ``fmt``: deterministic bytes."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (use one of: {', '.join(EXPORT_FORMATS)})")
    if fmt == "nquads":
        return nquads_bytes(graphs)
    merged = sorted({line for _iri, lines in graphs for line in lines})
    if fmt == "ntriples":
        return "".join(line + "\n" for line in merged).encode("utf-8")
    import pyoxigraph as ox

    prefixes = TERM_PREFIXES  # graph IRIs stay whole
    if fmt == "turtle":
        quads = ox.parse("\n".join(merged).encode("utf-8"), ox.RdfFormat.N_TRIPLES)
        return _sort_prefixes(ox.serialize(quads, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
    quads = ox.parse(nquads_bytes(graphs), ox.RdfFormat.N_QUADS)
    if fmt == "trig":
        return _sort_prefixes(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes))
    data = ox.serialize(quads, format=ox.RdfFormat.JSON_LD) or b"[]"
    pretty = json.dumps(json.loads(data), indent=2, ensure_ascii=False) + "\n"
    return pretty.encode("utf-8")


def _sort_prefixes(data: bytes | None) -> bytes:
    """Put the leading ``@prefix`` lines in alphabetical order (the writer's order is its own)."""
    lines = (data or b"").split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix "):
        n += 1
    return b"\n".join(sorted(lines[:n]) + lines[n:])


def export(fmt: str = "trig", *, inferred: bool = False) -> ExportResult:
    """The bundled graph in ``fmt`` (see :data:`EXPORT_FORMATS`)."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (use one of: {', '.join(EXPORT_FORMATS)})")
    graphs = list(iter_graphs(inferred))
    data = serialize(graphs, fmt)
    distinct = len({line for _, lines in graphs for line in lines})
    quads = sum(len(x) for _, x in graphs)
    return ExportResult(fmt, data, tuple(iri for iri, _ in graphs), quads, distinct)


def reason_text(
    profile: str = "owlrl", fmt: str = "turtle", engine: str = "reasonable"
) -> tuple[bytes, int]:
    """The inferred triples of the bundled graph (see :func:`spacekg.reasoning.infer`) as
    deterministic ``turtle`` or ``ntriples``, and how many there are."""
    from spacekg.dataset import load_union
    from spacekg.reasoning import infer

    fmt = "ntriples" if fmt == "ntriples" else "turtle"
    if profile == "owlrl" and engine == "reasonable":
        from spacekg.reasoning.materialise import closure_parts

        parts = closure_parts(graph_sources())
        if parts is not None:
            return serialize([(INFERRED_GRAPH, parts[1])], fmt), len(parts[1])
    asserted = load_union()
    inferred = infer(asserted, profile=profile, engine=engine)
    labels = bnode_labels(
        [(s, p, o, None) for s, p, o in asserted] + [(s, p, o, None) for s, p, o in inferred]
    )
    lines = sorted(
        {
            f"{nt_term(s, labels)} {nt_term(p, labels)} {nt_term(o, labels)} ."
            for s, p, o in inferred
        }
    )
    fmt = "ntriples" if fmt == "ntriples" else "turtle"
    return serialize([(INFERRED_GRAPH, lines)], fmt), len(lines)
