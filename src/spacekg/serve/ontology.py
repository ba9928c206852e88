"""The ontology page's data, a worker job: classes, properties and the edges between top classes.

Read from the ontology graph as asserted (not the entailments).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacekg.namespaces import GRAPH_NS, OWL
from spacekg.namespaces import ONTOLOGY_NS as SKG
from spacekg.serve.lookup import local as _local
from spacekg.serve.lookup import rows as _rows

if TYPE_CHECKING:
    from spacekg.query.engine import Backend
    from spacekg.terms import Term


@dataclass(frozen=True)
class OntClass:
    iri: str
    label: str
    definition: str
    parents: tuple[str, ...]
    top: str  # the top skg class it falls under (itself for a top class)


@dataclass(frozen=True)
class OntProperty:
    iri: str
    label: str
    definition: str
    kind: str  # "object" | "datatype"
    domain: tuple[str, ...]
    range: tuple[str, ...]
    parents: tuple[str, ...]
    inverse: tuple[str, ...]


Edge = tuple[str, str, tuple[str, ...]]  # top domain, top range, property local names


@dataclass(frozen=True)
class Ontology:
    iri: str
    title: str
    description: str
    version: str
    classes: tuple[OntClass, ...]
    properties: tuple[OntProperty, ...]
    edges: tuple[Edge, ...]


_GRAPH = GRAPH_NS + "ontology"


def ontology(backend: Backend) -> Ontology:
    """Classes, properties and definitions of ``ontology/spacekg.ttl`` as asserted (not the
    entailments), and the edges between the top classes for the diagram."""
    iri, title, description, version = _head(backend)
    classes = _classes(backend)
    properties = _properties(backend)
    return Ontology(
        iri, title, description, version, classes, properties, _edges(classes, properties)
    )


def _value(term: Term | None) -> str:
    return term.value if term else ""


def _head(backend: Backend) -> tuple[str, str, str, str]:
    """The ontology's IRI, title, description and version."""
    head = _rows(
        backend,
        f"PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?o ?t ?d ?v WHERE {{ GRAPH <{_GRAPH}> "
        "{ ?o a owl:Ontology OPTIONAL { ?o dcterms:title ?t } "
        "OPTIONAL { ?o dcterms:description ?d } OPTIONAL { ?o owl:versionInfo ?v } } }",
    )
    o, t, desc, v = head[0] if head else (None, None, None, None)
    return _value(o), _value(t), _value(desc), _value(v)


def _classes(backend: Backend) -> tuple[OntClass, ...]:
    """The skg classes, top classes first, then by label."""
    crow = _rows(
        backend,
        f"SELECT ?c ?label ?def ?parent WHERE {{ GRAPH <{_GRAPH}> {{ ?c a owl:Class "
        f'FILTER(STRSTARTS(STR(?c), "{SKG}")) OPTIONAL {{ ?c rdfs:label ?label }} '
        "OPTIONAL { ?c skos:definition|rdfs:comment ?def } "
        "OPTIONAL { ?c rdfs:subClassOf ?parent FILTER(isIRI(?parent)) } } }",
    )
    info: dict[str, dict[str, object]] = {}
    for c, label, definition, parent in crow:
        if c is None:
            continue
        e = info.setdefault(c.value, {"label": _local(c.value), "def": "", "parents": set()})
        if label:
            e["label"] = label.value
        if definition and not e["def"]:
            e["def"] = definition.value
        if parent:
            e["parents"].add(parent.value)  # type: ignore[attr-defined]

    def top(iri: str, seen: frozenset[str] = frozenset()) -> str:
        parents = [p for p in info.get(iri, {}).get("parents", ()) if p in info and p not in seen]  # type: ignore[union-attr]
        return top(sorted(parents)[0], seen | {iri}) if parents else iri

    classes = (
        OntClass(
            iri,
            str(e["label"]),
            str(e["def"]),
            tuple(sorted(e["parents"])),  # type: ignore[arg-type]
            top(iri),
        )
        for iri, e in info.items()
    )
    return tuple(sorted(classes, key=lambda c: (c.top != c.iri, c.label.lower())))


def _properties(backend: Backend) -> tuple[OntProperty, ...]:
    """The skg object and datatype properties, object ones first, then by label."""
    prow = _rows(
        backend,
        f"SELECT ?p ?kind ?label ?def ?dom ?rng ?parent ?inv WHERE {{ GRAPH <{_GRAPH}> {{ "
        "?p a ?kind FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty)) "
        f'FILTER(STRSTARTS(STR(?p), "{SKG}")) OPTIONAL {{ ?p rdfs:label ?label }} '
        "OPTIONAL { ?p skos:definition|rdfs:comment ?def } OPTIONAL { ?p rdfs:domain ?dom } "
        "OPTIONAL { ?p rdfs:range ?rng } OPTIONAL { ?p rdfs:subPropertyOf ?parent } "
        "OPTIONAL { { ?p owl:inverseOf ?inv } UNION { ?inv owl:inverseOf ?p } } } }",
    )
    pinfo: dict[str, dict[str, object]] = {}
    for p, kind, label, definition, dom, rng, parent, inv in prow:
        if p is None or kind is None:
            continue
        e = pinfo.setdefault(
            p.value,
            {
                "label": _local(p.value),
                "def": "",
                "kind": "object" if kind.value == OWL + "ObjectProperty" else "datatype",
                "domain": set(),
                "range": set(),
                "parents": set(),
                "inverse": set(),
            },
        )
        if label:
            e["label"] = label.value
        if definition and not e["def"]:
            e["def"] = definition.value
        for key, val in (("domain", dom), ("range", rng), ("parents", parent), ("inverse", inv)):
            if val is not None and val.kind == "uri":
                e[key].add(val.value)  # type: ignore[attr-defined]
    properties = (
        OntProperty(
            iri,
            str(e["label"]),
            str(e["def"]),
            str(e["kind"]),
            *(tuple(sorted(e[k])) for k in ("domain", "range", "parents", "inverse")),  # type: ignore[arg-type]
        )
        for iri, e in pinfo.items()
    )
    return tuple(sorted(properties, key=lambda p: (p.kind, p.label.lower())))


def _edges(classes: tuple[OntClass, ...], properties: tuple[OntProperty, ...]) -> tuple[Edge, ...]:
    """Top domain class -> top range class, with the object properties between them; ``*`` for
    a property with no domain or no range."""
    tops = {c.iri: c.top for c in classes}
    edges: dict[tuple[str, str], list[str]] = {}
    for prop in properties:
        if prop.kind != "object":
            continue
        for dom in prop.domain or ("*",):
            for rng in prop.range or ("*",):
                a, b = tops.get(dom, "*" if dom == "*" else ""), tops.get(rng, "*")
                if a and b and not (a == "*" and b == "*"):
                    edges.setdefault((a, b), []).append(_local(prop.iri))
    return tuple((a, b, tuple(sorted(ps))) for (a, b), ps in sorted(edges.items()))
