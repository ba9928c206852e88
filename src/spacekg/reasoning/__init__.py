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

Not reasoned over: the triples of reification nodes (``rdf:Statement``s, the evidence on each
triple in ``data/support.ttl`` and ``data/public-record.ttl``). The ontology says nothing about
``rdf:subject``, ``rdf:predicate``, ``rdf:object``, ``skg:support``, ``skg:readingReason`` or
``prov:wasDerivedFrom``, so they entail nothing but owlrl's per-node noise, and they are about half
the triples of the bundle.

Dropped: asserted triples, triples whose subject is a literal, triples whose subject is a term of
the RDF/RDFS/OWL/XSD vocabularies, typing with W3C meta-classes (``owl:Thing``, ``rdfs:Resource``,
``owl:Class``, ``rdf:Property`` ...), and owlrl's own error-report nodes (see :func:`reason`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from spacekg.errors import InputError
from spacekg.namespaces import OWL as OWL_NS
from spacekg.namespaces import RDF as RDF_NS
from spacekg.namespaces import RDF_TYPE
from spacekg.namespaces import RDFS as RDFS_NS
from spacekg.namespaces import XSD as XSD_NS

if TYPE_CHECKING:
    from rdflib import Graph

Profile = Literal["rdfs", "owlrl"]
PROFILES: tuple[str, ...] = ("rdfs", "owlrl")
#: OWL RL engines: ``reasonable`` (fast, see :mod:`spacekg.reasoning.closure`) and owlrl
#: (the reference)
ENGINES: tuple[str, ...] = ("reasonable", "owlrl")
DEFAULT_ENGINE = "reasonable"

OWLRL_ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"
W3C_VOCABS = (RDF_NS, RDFS_NS, OWL_NS, XSD_NS)

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

    profile: Profile
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


#: XSD types whose values are decimals (integers included): equal values across these types
_DECIMALS = frozenset(
    XSD_NS + t
    for t in [
        "decimal",
        "integer",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "nonPositiveInteger",
        "negativeInteger",
    ]
)


def same_value(lt1: object, lt2: object) -> bool:
    """Do two literals denote the same value (RDF 1.1 / XSD 1.1 value spaces)?

    owlrl's RDFS closure (``RDFS_Semantics._literals_same_as``, its "hidden sameAs" rule for
    literals) compares ``Literal.value`` in Python, so ``"A"``, ``"A"@en`` and ``"A"@fr`` (all the
    str ``"A"``), or ``true`` and ``1``, count as one value and each triple is copied to the
    other literal: ``x foaf:name "A"`` wrongly entails ``x foaf:name "A"@en``. Here a language-
    tagged literal equals only itself, and two typed literals are the same value only if their
    datatypes share a value space (same datatype, or both decimal/integer types).
    """
    from rdflib import Literal

    if not isinstance(lt1, Literal) or not isinstance(lt2, Literal):
        return False
    if lt1 == lt2:
        return True
    if lt1.language or lt2.language:
        return False
    d1, d2 = str(lt1.datatype or XSD_NS + "string"), str(lt2.datatype or XSD_NS + "string")
    if d1 != d2 and not (d1 in _DECIMALS and d2 in _DECIMALS):
        return False
    v1, v2 = lt1.value, lt2.value
    if v1 is None or v2 is None or isinstance(v1, bool) != isinstance(v2, bool):
        return False
    return bool(v1 == v2)


def _semantics(profile: Profile) -> type:
    """owlrl's closure class for ``profile``, with the literal value comparison fixed."""
    from owlrl import OWLRL_Semantics, RDFS_Semantics

    if profile == "owlrl":
        return OWLRL_Semantics  # type: ignore[no-any-return]

    class FixedRDFSSemantics(RDFS_Semantics):  # type: ignore[misc]
        _literals_same_as = staticmethod(same_value)

    return FixedRDFSSemantics


def reason(graph: Graph, profile: Profile = "owlrl", engine: str = DEFAULT_ENGINE) -> Inference:
    """Run the ``profile`` closure over a copy of ``graph``; ``graph`` is not changed.

    ``engine``: ``reasonable`` or ``owlrl`` for the ``owlrl`` profile (the RDFS profile is always
    owlrl's). reasonable falls back to owlrl when the graph uses an axiom whose rules it lacks
    (:func:`spacekg.reasoning.closure.needs_owlrl`); it reports no inconsistency messages
    (``errors`` is empty): :func:`inconsistencies` checks the closure itself.
    """
    if profile not in PROFILES:
        raise InputError(f"unknown reasoning profile {profile!r} (use one of: rdfs, owlrl)")
    if engine not in ENGINES:
        raise InputError(f"unknown reasoning engine {engine!r} (use one of: {', '.join(ENGINES)})")
    from rdflib import RDF, Graph

    from spacekg.rdfio import bind_prefixes

    reifications = set(graph.subjects(RDF.type, RDF.Statement))
    if profile == "owlrl" and engine == "reasonable":
        from spacekg.reasoning.closure import closure_of_graph, needs_owlrl

        if not needs_owlrl({str(p) for p in graph.predicates(unique=True)}):
            inferred = Graph()
            bind_prefixes(inferred)
            # the size counts the reification nodes' triples too: they are in the graph
            size = sum(1 for t in graph if t[0] in reifications) if reifications else 0
            for triple in closure_of_graph(graph, skip=reifications):
                size += 1
                if keep(triple) and triple not in graph and not _typed_string_in(triple, graph):
                    inferred.add(triple)
            return Inference(profile, inferred, (), size)

    closure = Graph()
    for triple in graph:
        if triple[0] not in reifications:
            closure.add(triple)
    semantics = _semantics(profile)
    engine = semantics(closure, False, False, rdfs=False)  # no axiomatic or datatype axioms
    engine.closure()
    errors = tuple(engine.error_messages)

    inferred = Graph()
    bind_prefixes(inferred)
    for triple in closure:
        if triple not in graph and keep(triple):
            inferred.add(triple)
    return Inference(profile, inferred, errors, len(closure))


def _typed_string_in(triple: tuple[object, object, object], graph: Graph) -> bool:
    """Is ``triple``, whose object is a simple literal, asserted with ``^^xsd:string``?
    (RDF 1.1: the same triple; rdflib keeps the two spellings apart.)"""
    from rdflib import Literal as RdfLiteral

    s, p, o = triple
    if not isinstance(o, RdfLiteral) or o.language or o.datatype is not None:
        return False
    return (s, p, RdfLiteral(str(o), datatype=XSD_NS + "string")) in graph


def infer(graph: Graph, profile: Profile = "owlrl", engine: str = DEFAULT_ENGINE) -> Graph:
    """The triples entailed by ``graph`` under ``profile`` (``rdfs`` or ``owlrl``), filtered.

    Only inferred triples: none of the asserted ones, no axiomatic noise (see the module doc).
    """
    return reason(graph, profile, engine).inferred


def inconsistencies(
    graph: Graph, result: Inference | None = None, engine: str = DEFAULT_ENGINE
) -> list[str]:
    """OWL RL inconsistencies: owlrl's messages (engine owlrl) and spacekg's own checks of the
    closure (:mod:`spacekg.reasoning.consistency`: disjoint classes and properties, owl:Nothing,
    irreflexive and asymmetric properties, negative assertions, sameAs/differentFrom, ...).

    ``result``: the owlrl-profile :class:`Inference` of ``graph`` if already computed.
    """
    from rdflib import Graph

    from spacekg.reasoning.consistency import check

    result = (
        result if result is not None and result.profile == "owlrl" else reason(graph, engine=engine)
    )
    messages = list(result.errors)
    full = Graph()
    for triple in graph:
        full.add(triple)
    for triple in result.inferred:
        full.add(triple)
    for message in check(full.serialize(format="nt", encoding="utf-8")):
        first = message.split(": ", 1)[1].split(" ", 1)[0].strip("<>")
        if not any(first in m for m in result.errors):
            messages.append(message)
    return messages
