"""The materialised dataset (every source file in its named graph, plus the OWL RL entailments)
as N-Quads, without rdflib on the way in: what the in-memory query path caches.

pyoxigraph parses the Turtle files, ``reasonable`` computes the closure (schema rules completed
by owlrl on the small schema part, see :mod:`spacekg.reasoning.closure`), and the filter of
:func:`spacekg.reasoning.keep` picks the inferred triples, as ``spacekg reason`` does. rdflib
only holds reasonable's answer (its terms are what reasonable returns) and the schema graph.
Blank nodes are renamed ``g<file>n<k>`` in the order the parser meets them, so the same files
give the same labels on every run.

:func:`materialised_nquads` returns ``None`` when it cannot take this path (a graph with an axiom
whose rules reasonable lacks, see :func:`spacekg.reasoning.closure.needs_owlrl`); the caller
then builds the dataset with rdflib and owlrl.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacekg.errors import InputError
from spacekg.namespaces import INFERRED_GRAPH, RDF
from spacekg.project import GraphSource
from spacekg.reasoning.closure import (
    OWL_NS,
    RDF_TYPE,
    TBOX_PREDICATES,
    UNSUPPORTED_AXIOMS,
    W3C_VOCABS,
    XSD_STRING,
    BNode,
    URIRef,
    is_schema,
    literal,
    plain,
    reasonable_closure,
    schema_closure,
)
from spacekg.terms import literal_n3

RDF_STATEMENT = RDF + "Statement"


def _nt(term: Any) -> str:
    """N-Triples of one of :mod:`spacekg.reasoning.closure`'s input terms."""
    if type(term) is URIRef:
        return f"<{term}>"
    if type(term) is BNode:
        return f"_:{term}"
    return literal_n3(str(term), term.language, term.datatype)


def _key(term: Any) -> str:
    """The same string for an input term and for reasonable's rdflib term of it."""
    kind = type(term).__name__
    if kind == "URIRef":  # str.__add__ explicitly: rdflib's URIRef.__radd__ would make a URIRef
        return str.__add__("I", term)
    if kind == "BNode":
        return str.__add__("B", term)
    lang = term.language
    if lang:
        return "L" + str(term) + "\0@" + lang
    return "L" + str(term) + "\0" + (str(term.datatype) if term.datatype else XSD_STRING)


def _rdflib(term: Any) -> Any:
    import rdflib

    if type(term) is URIRef:
        return rdflib.URIRef(term)
    if type(term) is BNode:
        return rdflib.BNode(term)
    if term.language:
        return rdflib.Literal(str(term), lang=term.language)
    dt = term.datatype if term.datatype and term.datatype != XSD_STRING else None
    return rdflib.Literal(str(term), datatype=dt, normalize=False)


def _parse(path: Path) -> list[Any]:
    """The triples of a Turtle file, parsed by pyoxigraph; a syntax error as rdfio words it."""
    import pyoxigraph as ox

    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    except SyntaxError as err:
        from spacekg.rdfio import parse_file

        parse_file(path)  # raises the InputError naming file and line
        raise InputError(f"{path}: Turtle syntax error: {err} (fix the file)") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err} (check the file)") from None


#: with these a subject can gain the triples of another term (eq-rep-s): no triple is inert
_EQUALITY = frozenset(
    [OWL_NS + "sameAs", OWL_NS + "FunctionalProperty", OWL_NS + "InverseFunctionalProperty"]
)


def materialised_nquads(sources: list[GraphSource]) -> bytes | None:
    """Ontology + data + filtered OWL RL entailments as N-Quads, or None (see module doc)."""
    parts = closure_parts(sources)
    if parts is None:
        return None
    lines, inferred = parts
    suffix = f" <{INFERRED_GRAPH}> .\n"
    lines.extend(line[:-2] + suffix for line in inferred)
    return "".join(lines).encode("utf-8")


def closure_parts(sources: list[GraphSource]) -> tuple[list[str], list[str]] | None:
    """The N-Quads lines of the sources, and the sorted N-Triples lines (no newline) of their
    filtered OWL RL entailments; None when reasonable cannot reason over them.

    Inert triples are not given to the reasoner: with no ``owl:sameAs`` and no (inverse)
    functional property in the graph, a triple whose predicate (or, for ``rdf:type``, whose
    class) no schema triple mentions takes part in no OWL RL rule and no rule derives it, so
    it can change nothing in the closure (on the synthetic data about half the triples:
    labels, quotes, offsets, dates).
    """
    parsed: list[tuple[int, GraphSource, list[Any]]] = []
    for index, source in enumerate(sources):
        if source.path.suffix.lower() != ".ttl":
            return None
        parsed.append((index, source, _parse(source.path.resolve())))
    scan = _scan(parsed)
    if scan is None:
        return None
    lines, asserted, triples, schema = _partition(parsed, *scan)
    del parsed
    extra = schema_closure([(_rdflib(s), _rdflib(p), _rdflib(o)) for s, p, o in schema])
    closure = reasonable_closure(triples + extra)
    del triples
    return lines, _inferred(closure, asserted)


def _scan(
    parsed: list[tuple[int, GraphSource, list[Any]]],
) -> tuple[set[str], set[Any], bool] | None:
    """The IRIs the schema mentions, the reification nodes, whether equality is in play; None
    when the graph uses an axiom reasonable lacks."""
    mentioned: set[str] = set()
    reifications: set[Any] = set()  # rdf:Statement nodes: not reasoned over (spacekg.reasoning)
    equality = False
    for _index, _source, quads in parsed:
        for quad in quads:
            p, o = quad.predicate.value, quad.object
            if p == RDF_TYPE and o.value == RDF_STATEMENT and type(o).__name__ == "NamedNode":
                reifications.add(quad.subject)
            if p in UNSUPPORTED_AXIOMS:
                return None
            if p in TBOX_PREDICATES or (
                p == RDF_TYPE and type(o).__name__ == "NamedNode" and o.value.startswith(W3C_VOCABS)
            ):
                mentioned.add(quad.subject.value)
                if type(o).__name__ != "Literal":
                    mentioned.add(o.value)
                equality = equality or o.value in _EQUALITY
            elif p in _EQUALITY:
                equality = True
    return mentioned, reifications, equality


def _partition(
    parsed: list[tuple[int, GraphSource, list[Any]]],
    mentioned: set[str],
    reifications: set[Any],
    equality: bool,
) -> tuple[list[str], set[str], list[tuple[Any, Any, Any]], list[tuple[Any, Any, Any]]]:
    """Every source's N-Quads lines; the keys of the asserted triples; the triples the reasoner
    needs (inert ones and reifications left out) and the schema triples among them."""
    lines: list[str] = []
    asserted: set[str] = set()
    triples: list[tuple[Any, Any, Any]] = []
    schema: list[tuple[Any, Any, Any]] = []
    for index, source, quads in parsed:
        labels: dict[str, BNode] = {}
        graph = f" <{source.iri}> .\n"

        def term(node: Any, labels: dict[str, BNode] = labels, index: int = index) -> Any:
            kind = type(node).__name__
            if kind == "NamedNode":
                return URIRef(node.value)
            if kind == "BlankNode":
                label = labels.get(node.value)
                if label is None:
                    label = labels[node.value] = BNode(f"g{index}n{len(labels)}")
                return label
            return literal(node.value, node.datatype.value, node.language)

        for quad in quads:
            s_ox, p_ox, o_ox = quad.subject, quad.predicate, quad.object
            p = p_ox.value
            if s_ox in reifications:  # asserted (so never reported as inferred), not reasoned
                s, o = term(s_ox), term(o_ox)
                lines.append(f"{_nt(s)} <{p}> {_nt(o)}{graph}")
                asserted.add(_key(s) + "\1I" + p + "\1" + _key(o))
                continue
            if not equality and type(s_ox).__name__ == "NamedNode" and p not in TBOX_PREDICATES:
                if p == RDF_TYPE:
                    inert = o_ox.value not in mentioned and not o_ox.value.startswith(W3C_VOCABS)
                else:
                    inert = p not in mentioned
                if inert and type(o_ox).__name__ != "BlankNode":
                    lines.append(f"{s_ox} {p_ox} {o_ox}{graph}")
                    continue
            s, o = term(s_ox), term(o_ox)
            lines.append(f"{_nt(s)} <{p}> {_nt(o)}{graph}")
            key = _key(s) + "\1I" + p + "\1" + _key(o)
            if key in asserted:  # the same triple in another file: reasoned over once
                continue
            asserted.add(key)
            triple = (s, URIRef(p), o)
            triples.append(triple)
            if is_schema(p, o if type(o) is URIRef else None):
                schema.append(triple)
        quads.clear()
    return lines, asserted, triples, schema


def _inferred(closure: Any, asserted: set[str]) -> list[str]:
    """The sorted N-Triples lines of the closure's triples that are new and pass the filter."""
    from spacekg.reasoning import keep

    inferred = set()
    for s, p, o in closure:
        key = _key(s) + "\1" + _key(p) + "\1" + _key(o)
        if key in asserted:
            continue
        o = plain(o)
        if not keep((s, p, o)):
            continue
        inferred.add(f"{_nt_rdflib(s)} <{p}> {_nt_rdflib(o)} .")
    return sorted(inferred)


def _nt_rdflib(term: Any) -> str:
    """N-Triples of one of reasonable's rdflib terms (blank node labels kept: they were made
    deterministic on the way in)."""
    kind = type(term).__name__
    if kind == "URIRef":
        return f"<{term!s}>"
    if kind == "BNode":
        return f"_:{term!s}"
    return literal_n3(str(term), term.language, term.datatype)
