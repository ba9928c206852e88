"""The evidence on one triple: its RDF 1.1 reification, as ``data/support.ttl`` holds it.

``support_turtle("skgid:quad-summit-tokyo", "sem:hasPlace", "skgid:tokyo",
spans=["skgid:span-quad-summit-tokyo"])`` gives the ``rdf:Statement`` for that triple: its IRI
is ``skgid:st-`` and the first 12 hex digits of the sha256 of the triple in N-Triples, it names
the spans that support it (``prov:wasDerivedFrom``) and says ``skg:support skg:Stated``, or
``skg:Read`` with the reason when one is given. Terms are written as in Turtle, with the
prefixes of :data:`spacekg.namespaces.PREFIXES` (``"recently"@en`` for a literal).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from spacekg.errors import InputError
from spacekg.namespaces import ID_NS, PREFIXES

STATEMENT_PREFIX = "st-"


@dataclass(frozen=True)
class Support:
    """One reification: its IRI and its Turtle (without prefix lines)."""

    iri: str
    turtle: str


def statement_iri(subject: object, predicate: object, obj: object) -> str:
    """The IRI of the reification of a triple of rdflib terms."""
    key = f"{subject.n3()} {predicate.n3()} {obj.n3()}"  # type: ignore[attr-defined]
    return ID_NS + STATEMENT_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:12]


def _parse(subject: str, predicate: str, obj: str, spans: list[str]) -> tuple[object, ...]:
    from rdflib import Graph, URIRef

    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    span_list = " , ".join(spans)
    text = f"{prologue}{subject} {predicate} {obj} .\n<urn:x:spans> <urn:x:span> {span_list} .\n"
    g = Graph()
    try:
        g.parse(data=text, format="turtle")
    except Exception:  # rdflib raises several parser error types
        raise InputError(
            f"not a triple in Turtle: {subject} {predicate} {obj} (spans {span_list})",
            hint='write terms as in Turtle: skgid:japan, <https://...>, "words"@en',
        ) from None
    (triple,) = [t for t in g if t[0] != URIRef("urn:x:spans")]
    span_terms = sorted(g.objects(URIRef("urn:x:spans"), URIRef("urn:x:span")))
    return (*triple, span_terms)


def _short(term: object) -> str:
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        for prefix in ("skgid", "skg", "rdf", "rdfs", "prov", "sem", "org", "dcterms", "schema"):
            ns = PREFIXES.get(prefix)
            local = str(term)[len(ns) :] if ns and str(term).startswith(ns) else ""
            if local and all(c.isalnum() or c in "-_" for c in local):
                return f"{prefix}:{local}"
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise InputError(f"{term}: a triple's terms are IRIs or literals, not blank nodes")


def support_turtle(
    subject: str, predicate: str, obj: str, spans: list[str], reason: str | None = None
) -> Support:
    """The reification of ``subject predicate obj`` with its spans, stated or read (``reason``)."""
    if not spans:
        raise InputError("name at least one span that supports the triple (--span)")
    if reason is not None and len(reason.split()) < 5:
        raise InputError("a reading's reason is a sentence in plain English (five words or more)")
    s, p, o, span_terms = _parse(subject, predicate, obj, spans)
    iri = statement_iri(s, p, o)
    from rdflib import Literal

    lines = [
        f"{_short_iri(iri)} a rdf:Statement ;",
        f"    rdf:subject {_short(s)} ; rdf:predicate {_short(p)} ;",
        f"    rdf:object {_short(o)} ;",
        f"    skg:support skg:{'Read' if reason else 'Stated'} ;",
    ]
    if reason:
        lines.append(f"    skg:readingReason {Literal(reason, lang='en').n3()} ;")
    lines.append("    prov:wasDerivedFrom " + " , ".join(_short(t) for t in span_terms) + " .")  # type: ignore[attr-defined]
    return Support(iri, "\n".join(lines) + "\n")


def _short_iri(iri: str) -> str:
    return "skgid:" + iri[len(ID_NS) :]
