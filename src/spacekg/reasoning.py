"""Entailments of the knowledge graph: the inferred triples only, without the noise.

owlrl's ``DeductiveClosure`` computes the full closure (RDFS or OWL 2 RL); :func:`infer` keeps
only what is new and what a user of the graph cares about. Kept:

* any inferred triple whose predicate is not in the RDF/RDFS/OWL/XSD vocabularies
  (e.g. ``dcterms:subject`` from ``skg:hasTopic``, an inverse ``org:memberOf``);
* ``rdf:type C`` where ``C`` is not itself a term of RDF/RDFS/OWL/XSD (``owl:Nothing`` excepted:
  an individual typed ``owl:Nothing`` is an inconsistency and must show);
* ``rdfs:subClassOf`` / ``rdfs:subPropertyOf`` / ``owl:equivalentClass`` /
  ``owl:equivalentProperty`` / ``owl:inverseOf`` / ``owl:sameAs`` /
  ``owl:differentFrom`` / ``owl:disjointWith`` between two terms outside those vocabularies,
  and never reflexive (no ``x owl:sameAs x``, no ``C rdfs:subClassOf C``).

Dropped: asserted triples, triples whose subject is a literal, triples whose subject is a term of
the RDF/RDFS/OWL/XSD vocabularies, typing with W3C meta-classes (``owl:Thing``, ``rdfs:Resource``,
``owl:Class``, ``rdf:Property`` ...), and owlrl's own error-report nodes (see :func:`reason`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from spacekg.errors import InputError

if TYPE_CHECKING:
    from rdflib import Graph

Profile = Literal["rdfs", "owlrl"]
PROFILES: tuple[str, ...] = ("rdfs", "owlrl")

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
OWLRL_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
W3C_VOCABS = (RDF_NS, RDFS_NS, OWL_NS, XSD_NS)

RDF_TYPE = RDF_NS + "type"
OWL_NOTHING = OWL_NS + "Nothing"
OWL_SAME_AS = OWL_NS + "sameAs"
#: schema-level predicates kept when both ends are terms outside the W3C vocabularies
SCHEMA_PREDICATES = frozenset(
    {
        RDFS_NS + "subClassOf",
        RDFS_NS + "subPropertyOf",
        OWL_NS + "equivalentClass",
        OWL_NS + "equivalentProperty",
        OWL_NS + "inverseOf",
        OWL_SAME_AS,
        OWL_NS + "differentFrom",
        OWL_NS + "disjointWith",
    }
)


@dataclass(frozen=True)
class Inference:
    """What reasoning found: the inferred triples (filtered) and owlrl's inconsistency messages."""

    profile: str
    inferred: Graph
    errors: tuple[str, ...]
    closure_size: int


def _in_w3c_vocab(term: object) -> bool:
    return isinstance(term, str) and str(term).startswith(W3C_VOCABS)


def keep(triple: tuple[object, object, object]) -> bool:
    """The filter of :func:`infer`: is this inferred triple worth showing to a user?"""
    from rdflib import BNode, Literal, URIRef

    s, p, o = triple
    if isinstance(s, Literal) or not isinstance(p, URIRef):
        return False
    if str(p).startswith(OWLRL_ERROR_NS) or str(o).startswith(OWLRL_ERROR_NS):
        return False
    if _in_w3c_vocab(s) and not isinstance(s, BNode):
        return False
    if str(p) == RDF_TYPE:
        return str(o) == OWL_NOTHING or not _in_w3c_vocab(o)
    if str(p) in SCHEMA_PREDICATES:
        return s != o and not (isinstance(o, URIRef) and _in_w3c_vocab(o))
    return not _in_w3c_vocab(p)


def reason(graph: Graph, profile: str = "owlrl") -> Inference:
    """Run the ``profile`` closure over a copy of ``graph``; ``graph`` is not changed."""
    if profile not in PROFILES:
        raise InputError(f"unknown reasoning profile {profile!r} (use one of: rdfs, owlrl)")
    from owlrl import OWLRL_Semantics, RDFS_Semantics
    from rdflib import Graph

    from spacekg.graph import bind_prefixes

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    semantics = OWLRL_Semantics if profile == "owlrl" else RDFS_Semantics
    engine = semantics(closure, False, False, rdfs=False)  # no axiomatic or datatype axioms
    engine.closure()
    errors = tuple(engine.error_messages)

    inferred = Graph()
    bind_prefixes(inferred)
    for triple in closure:
        if triple not in graph and keep(triple):
            inferred.add(triple)
    return Inference(profile, inferred, errors, len(closure))


def infer(graph: Graph, profile: str = "owlrl") -> Graph:
    """The triples entailed by ``graph`` under ``profile`` (``rdfs`` or ``owlrl``), filtered.

    Only inferred triples: none of the asserted ones, no axiomatic noise (see the module doc).
    """
    return reason(graph, profile).inferred


def inconsistencies(graph: Graph, result: Inference | None = None) -> list[str]:
    """OWL RL inconsistencies: owlrl's messages plus every individual typed ``owl:Nothing``.

    ``result``: the owlrl :class:`Inference` of ``graph`` if already computed.
    """
    from rdflib import RDF, Graph, URIRef

    result = result if result is not None and result.profile == "owlrl" else reason(graph)
    messages = list(result.errors)
    full = Graph()
    for triple in graph:
        full.add(triple)
    for triple in result.inferred:
        full.add(triple)
    nothing = URIRef(OWL_NOTHING)
    for s in sorted(set(full.subjects(RDF.type, nothing))):
        message = f"{s.n3()} is an instance of owl:Nothing"
        if not any(str(s) in m for m in messages):
            messages.append(message)
    return messages
