"""The OWL 2 RL closure computed by ``reasonable`` (Rust), completed where it lacks rules.

``reasonable`` implements the OWL 2 RL/RDF rules that derive triples about individuals, but not
all of them, and not the schema rules (``scm-*``) nor any rule that reports an inconsistency.
What this module does about each gap (the full table is in ``docs/reasoning.md``):

* **Schema rules** (``scm-cls``, ``scm-sco``, ``scm-op``, ``scm-dp``, ``scm-eqc*``, ``scm-spo``,
  ``scm-eqp*``, ``scm-dom*``, ``scm-rng*``, ``scm-hv``, ``scm-svf*``, ``scm-avf*``, ``scm-int``,
  ``scm-uni``): the schema part of the graph (the triples of :data:`TBOX_PREDICATES`, typing with
  a W3C class, RDF lists) is small, so owlrl closes it first and its result is added to what
  ``reasonable`` reasons over. Every schema triple owlrl would derive is then there.
* **Rules about individuals that reasonable lacks** (``prp-spo2`` property chains, ``prp-key``,
  ``cls-maxc2``, ``cls-maxqc3``/``4``, ``cls-oo``): when the schema uses one of their axioms
  (:data:`UNSUPPORTED_AXIOMS`), :func:`needs_owlrl` says so and the caller reasons with owlrl.
  ``eq-ref`` (``x owl:sameAs x``) only yields triples spacekg's filter drops.
* **Inconsistencies**: found by SPARQL over the closure (:mod:`spacekg.reasoning.consistency`).

Terms go into ``reasonable`` as the small ``str`` classes below (it reads a term's kind from its
class name and its ``datatype``/``language`` attributes, as it does for rdflib's terms), and
come back as rdflib terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacekg.namespaces import OWL as OWL_NS
from spacekg.namespaces import RDF as RDF_NS
from spacekg.namespaces import RDF_TYPE, XSD, XSD_STRING
from spacekg.namespaces import RDFS as RDFS_NS

W3C_VOCABS = (RDF_NS, RDFS_NS, OWL_NS, XSD)

#: predicates of schema (TBox) triples: closed by owlrl before reasonable runs
TBOX_PREDICATES = frozenset(
    [RDFS_NS + p for p in ("subClassOf", "subPropertyOf", "domain", "range")]
    + [RDF_NS + p for p in ("first", "rest")]
    + [
        OWL_NS + p
        for p in (
            "equivalentClass",
            "equivalentProperty",
            "inverseOf",
            "disjointWith",
            "propertyDisjointWith",
            "members",
            "distinctMembers",
            "onProperty",
            "onProperties",
            "onClass",
            "onDataRange",
            "someValuesFrom",
            "allValuesFrom",
            "hasValue",
            "intersectionOf",
            "unionOf",
            "complementOf",
            "oneOf",
            "propertyChainAxiom",
            "hasKey",
            "maxCardinality",
            "maxQualifiedCardinality",
            "cardinality",
            "minCardinality",
            "qualifiedCardinality",
            "withRestrictions",
            "sourceIndividual",
            "assertionProperty",
            "targetIndividual",
            "targetValue",
            "datatypeComplementOf",
        )
    ]
)

#: schema axioms whose rules about individuals reasonable does not implement
UNSUPPORTED_AXIOMS = {
    OWL_NS + "propertyChainAxiom": "prp-spo2 (property chains)",
    OWL_NS + "hasKey": "prp-key (keys)",
    OWL_NS + "maxCardinality": "cls-maxc2 (max cardinality 1)",
    OWL_NS + "maxQualifiedCardinality": "cls-maxqc3/4 (max qualified cardinality 1)",
    OWL_NS + "oneOf": "cls-oo (enumerations)",
}


class URIRef(str):
    """An IRI as reasonable reads it (by this class name)."""

    __slots__ = ()


class BNode(str):
    """A blank node label as reasonable reads it."""

    __slots__ = ()


class Literal(str):
    """A literal as reasonable reads it: the lexical form, ``datatype`` or ``language``."""

    datatype: str | None
    language: str | None


def literal(value: str, datatype: str | None, language: str | None) -> Literal:
    lit = Literal(value)
    lit.language = language or None
    lit.datatype = None if language else datatype
    return lit


def term_key(term: Any) -> str:
    """One string per RDF term, the same for an rdflib term and a pyoxigraph term."""
    kind = type(term).__name__
    if kind in ("URIRef", "NamedNode"):
        return "I" + str(term.value if kind == "NamedNode" else term)
    if kind in ("BNode", "BlankNode"):
        return "B" + str(term.value if kind == "BlankNode" else term)
    if kind == "Literal":
        if hasattr(term, "value") and not isinstance(term, str):  # pyoxigraph
            value, lang = term.value, term.language
            dt = term.datatype.value
        else:  # rdflib
            value, lang = str(term), term.language
            dt = str(term.datatype) if term.datatype is not None else XSD_STRING
        return "L" + value + ("\0@" + lang if lang else "\0" + dt)
    raise TypeError(f"not an RDF term: {term!r}")


def triple_key(s: Any, p: Any, o: Any) -> str:
    return term_key(s) + "\1" + term_key(p) + "\1" + term_key(o)


def from_ox(term: Any) -> Any:
    """A pyoxigraph term as reasonable's input term."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return URIRef(term.value)
    if kind == "BlankNode":
        return BNode(term.value)
    return literal(term.value, term.datatype.value, term.language)


def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as an rdflib term (for the small schema graph owlrl closes)."""
    import rdflib

    kind = type(term).__name__
    if kind == "NamedNode":
        return rdflib.URIRef(term.value)
    if kind == "BlankNode":
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return rdflib.Literal(term.value, datatype=None if dt == XSD_STRING else dt, normalize=False)


def is_schema(p: str, o: Any) -> bool:
    """Is ``(?, p, o)`` a schema triple (see :data:`TBOX_PREDICATES`)?"""
    if p in TBOX_PREDICATES:
        return True
    return p == RDF_TYPE and isinstance(o, str) and o.startswith(W3C_VOCABS)


def needs_owlrl(predicates: Iterable[str]) -> list[str]:
    """The rules reasonable lacks that axioms with these predicates need (empty: none)."""
    return sorted({UNSUPPORTED_AXIOMS[p] for p in predicates if p in UNSUPPORTED_AXIOMS})


def schema_closure(schema: list[tuple[Any, Any, Any]]) -> list[tuple[Any, Any, Any]]:
    """owlrl's OWL RL closure of the schema triples (rdflib terms): what it adds."""
    from owlrl import OWLRL_Semantics
    from rdflib import Graph
    from rdflib import Literal as RLiteral

    graph = Graph()
    for triple in schema:
        graph.add(triple)
    before = set(graph)
    OWLRL_Semantics(graph, False, False, rdfs=False).closure()
    # owlrl's generalised triples (a literal subject) cannot go into reasonable
    return [t for t in graph if t not in before and not isinstance(t[0], RLiteral)]


def reasonable_closure(triples: Iterable[tuple[Any, Any, Any]]) -> list[tuple[Any, Any, Any]]:
    """Every triple of the OWL RL closure by reasonable (asserted ones included), as rdflib
    terms. Input terms: rdflib's, or this module's ``URIRef``/``BNode``/``Literal``."""
    import rdflib
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(triples if isinstance(triples, list) else list(triples))
    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False  # keep the lexical forms as they were written
    try:
        return list(reasoner.reason())
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def plain(term: Any) -> Any:
    """``"x"^^xsd:string`` (as reasonable returns simple literals) as the simple literal ``"x"``."""
    import rdflib

    if (
        isinstance(term, rdflib.Literal)
        and term.datatype is not None
        and str(term.datatype) == XSD_STRING
    ):
        return rdflib.Literal(str(term))
    return term


def closure_of_graph(graph: Any, skip: set[Any] | None = None) -> Iterator[tuple[Any, Any, Any]]:
    """The OWL RL closure of an rdflib graph by reasonable, schema rules completed by owlrl;
    the triples whose subject is in ``skip`` are not reasoned over.

    Yields rdflib triples, simple literals as such (no ``^^xsd:string``)."""
    triples = [t for t in graph if t[0] not in skip] if skip else list(graph)
    schema = [(s, p, o) for s, p, o in triples if is_schema(str(p), o)]
    extra = schema_closure(schema)
    for s, p, o in reasonable_closure(triples + extra):
        yield (s, p, plain(o))
