"""What a query worker does: each job takes the worker's backend and returns plain data.

No web framework here: the jobs gather what the pages and the API show, from the library
(``spacekg.query.engine.run_query``, ``spacekg.describe.describe``) and a few SPARQL look-ups.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from spacekg.namespaces import GRAPH_NS, OWL, PREFIXES, sparql_prologue
from spacekg.namespaces import ONTOLOGY_NS as SKG
from spacekg.terms import QueryResult, Term

if TYPE_CHECKING:
    from spacekg.describe import Description
    from spacekg.query.catalogue import StoredQuery
    from spacekg.query.engine import Backend

_PREFIXES = sparql_prologue("skg", "rdf", "rdfs", "owl", "skos", "oa")


def _rows(backend: Backend, sparql: str) -> tuple[tuple[Term | None, ...], ...]:
    return backend.execute(_PREFIXES + sparql).rows


# --- queries --------------------------------------------------------------------------------


def query(
    backend: Backend, stored: StoredQuery | str, params: dict[str, str], allow_network: bool
) -> QueryResult:
    """A stored query (or SPARQL text) run exactly as ``spacekg query run`` runs it."""
    from spacekg.query.engine import run_query

    return run_query(stored, params, backend=backend, allow_network=allow_network)


def values(backend: Backend, stored: StoredQuery) -> dict[str, tuple[str, ...]]:
    """The values each IRI parameter of ``stored`` can take (for the form's suggestions)."""
    from spacekg.query.engine import parameter_values

    return {
        p.name: parameter_values(stored, p, backend) for p in stored.parameters if p.kind == "iri"
    }


# --- the entity page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """A span of the article shown on an entity page."""

    id: str  # the span's local name, unique on the page
    start: int
    end: int
    exact: str
    kind: str  # "claim" | "statement" | "entity" | "fact" | "statement-rdf"
    why: str  # what the words support, for the tooltip


@dataclass(frozen=True)
class Segment:
    """A stretch of the article text and the highlights covering it (none: plain text)."""

    start: int
    text: str
    ids: tuple[str, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Reified:
    """An ``rdf:Statement`` of the article's triple about the node: its spans (highlight ids)
    and how they support it (``skg:support``: stated or read, with ``skg:readingReason``)."""

    node: Term
    subject: Term
    predicate: Term
    object: Term
    mode: str | None  # "stated" | "read" | None
    reason: str | None
    spans: tuple[str, ...]


@dataclass(frozen=True)
class Citation:
    iri: str
    label: str | None
    url: str | None
    publisher: str | None
    date: str | None


@dataclass(frozen=True)
class RecordFact:
    """A public-record fact (an ``rdf:Statement`` and ``skg:RecordFact``) touching the node."""

    node: Term
    subject: Term
    predicate: Term
    object: Term
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Comparison:
    """A ``skg:Tension`` or ``skg:Corroboration`` setting the article's triples (with their
    spans) beside record facts."""

    node: Term
    kind: str  # "tension" | "corroboration"
    label: str | None
    comment: str | None
    article: tuple[Reified, ...]
    record: tuple[RecordFact, ...]


@dataclass(frozen=True)
class EntityView:
    description: Description
    source_label: str | None
    source_iri: str | None
    text: str | None
    segments: tuple[Segment, ...]
    highlights: tuple[Highlight, ...]
    reified: tuple[Reified, ...]
    record: tuple[RecordFact, ...]
    comparisons: tuple[Comparison, ...]


_KIND_RANK = {"claim": 0, "statement": 1, "statement-rdf": 2, "entity": 3, "fact": 4}


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _seed_texts() -> dict[str, str]:
    from spacekg.evidence import load_seeds

    return {s.sha256: s.text for s in load_seeds()}


def _sources(backend: Backend) -> dict[str, tuple[str | None, str | None]]:
    """Source IRI -> (label, text of the seed with that sha256)."""
    seeds = _seed_texts()
    out: dict[str, tuple[str | None, str | None]] = {}
    for src, label, sha in _rows(
        backend,
        "SELECT ?s ?label ?sha WHERE { ?s a skg:SourceDocument . "
        "OPTIONAL { ?s rdfs:label ?label } OPTIONAL { ?s skg:sha256 ?sha } }",
    ):
        if src is not None:
            out[src.value] = (label.value if label else None, seeds.get(sha.value) if sha else None)
    return out


def _span_index(backend: Backend) -> dict[str, tuple[str, int, int, str]]:
    """Every span with offsets: IRI -> (source IRI, start, end, exact)."""
    out = {}
    for span, src, start, end, exact in _rows(
        backend,
        "SELECT ?span ?src ?start ?end ?exact WHERE { ?span oa:hasSource ?src ; "
        "oa:hasSelector ?p , ?q . ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }",
    ):
        if span and src and start and end and exact:
            try:
                out[span.value] = (src.value, int(start.value), int(end.value), exact.value)
            except ValueError:
                continue
    return out


def _segments(text: str, highlights: list[Highlight]) -> tuple[Segment, ...]:
    cuts = {0, len(text)}
    for h in highlights:
        cuts.update((h.start, h.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for a, b in itertools.pairwise(points):
        covering = [h for h in highlights if h.start <= a and b <= h.end]
        covering.sort(key=lambda h: (_KIND_RANK.get(h.kind, 9), h.start, h.id))
        out.append(
            Segment(
                a,
                text[a:b],
                tuple(h.id for h in covering),
                tuple(dict.fromkeys(h.kind for h in covering)),
            )
        )
    return tuple(out)


_SUPPORT = {SKG + "Stated": "stated", SKG + "Read": "read"}
_PROV = "PREFIX prov: <http://www.w3.org/ns/prov#>\n"


def _statements(backend: Backend, where: str) -> list[Reified]:
    """The article's reified triples (not record facts) matching ``where`` on ``?st``."""
    rows = _rows(
        backend,
        _PROV + "SELECT ?st ?s ?p ?o ?support ?why ?from WHERE { ?st a rdf:Statement ; "
        f"rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . {where} "
        "FILTER NOT EXISTS { ?st a skg:RecordFact } OPTIONAL { ?st skg:support ?support } "
        "OPTIONAL { ?st skg:readingReason ?why } OPTIONAL { ?st prov:wasDerivedFrom ?from } }",
    )
    grouped: dict[Term, dict[str, object]] = {}
    for st, s, p, o, support, why, src in rows:
        if st is None or s is None or p is None or o is None:
            continue
        e = grouped.setdefault(st, {"t": (s, p, o), "mode": None, "why": None, "from": set()})
        if support is not None:
            e["mode"] = _SUPPORT.get(support.value, _local(support.value).lower())
        if why is not None:
            e["why"] = why.value
        if src is not None and src.kind == "uri":
            e["from"].add(src.value)  # type: ignore[attr-defined]
    return [
        Reified(st, *e["t"], e["mode"], e["why"], tuple(sorted(e["from"])))  # type: ignore[arg-type, misc]
        for st, e in sorted(grouped.items())
    ]


def _record_facts(backend: Backend, where: str) -> list[RecordFact]:
    rows = _rows(
        backend,
        _PROV + "PREFIX schema: <http://schema.org/>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?st ?s ?p ?o ?c ?label ?url ?pub ?date WHERE { ?st a skg:RecordFact ; "
        f"rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . {where} "
        "OPTIONAL { ?st prov:wasDerivedFrom ?c . OPTIONAL { ?c rdfs:label ?label } "
        "OPTIONAL { ?c schema:url ?url } OPTIONAL { ?c dcterms:publisher ?pub } "
        "OPTIONAL { ?c dcterms:date ?date } } }",
    )
    grouped: dict[Term, tuple[tuple[Term, Term, Term], dict[str, Citation]]] = {}
    for st, s, p, o, c, label, url, pub, date in rows:
        if st is None or s is None or p is None or o is None:
            continue
        entry = grouped.setdefault(st, ((s, p, o), {}))
        if c is not None and c.value not in entry[1]:
            entry[1][c.value] = Citation(
                c.value,
                label.value if label else None,
                url.value if url else None,
                pub.value if pub else None,
                date.value if date else None,
            )
    return [
        RecordFact(st, *t, tuple(sorted(cites.values(), key=lambda x: x.iri)))
        for st, (t, cites) in sorted(grouped.items())
    ]


def _comparisons(backend: Backend, iri: str) -> list[Comparison]:
    touches = f"FILTER(?s = <{iri}> || ?o = <{iri}>)"
    rows = _rows(
        backend,
        "SELECT DISTINCT ?c ?kind ?label ?comment WHERE { "
        "?c a ?kind FILTER(?kind IN (skg:Tension, skg:Corroboration)) "
        "{ ?c skg:articleSays ?st } UNION { ?c skg:recordShows ?st } "
        f"?st rdf:subject ?s ; rdf:object ?o . {touches} "
        "OPTIONAL { ?c rdfs:label ?label } OPTIONAL { ?c rdfs:comment ?comment } }",
    )
    out = []
    for c, kind, label, comment in sorted(rows):
        if c is None or kind is None:
            continue
        out.append(
            Comparison(
                c,
                "tension" if kind.value == SKG + "Tension" else "corroboration",
                label.value if label else None,
                comment.value if comment else None,
                tuple(_statements(backend, f"<{c.value}> skg:articleSays ?st .")),
                tuple(_record_facts(backend, f"<{c.value}> skg:recordShows ?st .")),
            )
        )
    return out


def entity(backend: Backend, text: str) -> EntityView:
    """What the entity page shows: ``describe``'s answer and the article with its words lit."""
    from spacekg.describe import describe

    d = describe(text, backend)
    spans = _span_index(backend)
    sources = _sources(backend)
    found: dict[str, Highlight] = {}

    def add(span_name: str, kind: str, why: str) -> None:
        iri = _expand(span_name)
        if iri not in spans:
            return
        _src, start, end, exact = spans[iri]
        key = _local(iri)
        old = found.get(key)
        if old is None or _KIND_RANK[kind] < _KIND_RANK[old.kind]:
            found[key] = Highlight(key, start, end, exact, kind, why)

    node_kind = _node_kind(d)
    for w in d.words:
        add(w.span, node_kind, "the words for this node")
    for m in d.mentions:
        for w in m.words:
            add(w.span, m.kind, m.label or "")
    for f in d.outgoing + d.incoming:
        for w in f.words:
            add(w.span, "fact", "")
    touches = f"FILTER(?s = <{d.term.value}> || ?o = <{d.term.value}>)"
    reified = []
    for r in _statements(backend, touches):
        for span in r.spans:
            add(span, "statement-rdf", "")
        reified.append(
            Reified(r.node, r.subject, r.predicate, r.object, r.mode, r.reason,
                    tuple(_local(x) for x in r.spans if x in spans))
        )  # fmt: skip
    comparisons = _comparisons(backend, d.term.value)
    for comp in comparisons:
        for r in comp.article:
            for span in r.spans:
                add(span, "statement-rdf", comp.label or "")
    source_iri = None
    if found:
        first = min(found.values(), key=lambda h: h.start)
        source_iri = next(
            (spans[i][0] for i in spans if _local(i) == first.id), None
        )  # the source of the first span; spans of other sources are left out below
    label, article = sources.get(source_iri or "", (None, None))
    if source_iri is None and len(sources) == 1:
        source_iri, (label, article) = next(iter(sources.items()))
    kept = [
        h
        for h in found.values()
        if article is not None
        and any(_local(i) == h.id and spans[i][0] == source_iri for i in spans)
        and article[h.start : h.end] == h.exact
    ]
    kept.sort(key=lambda h: (h.start, h.end, h.id))
    return EntityView(
        d,
        label,
        source_iri,
        article,
        _segments(article, kept) if article is not None else (),
        tuple(kept),
        tuple(reified),
        tuple(_record_facts(backend, touches)),
        tuple(comparisons),
    )


def _node_kind(d: Description) -> str:
    types = {t.value for t in d.types}
    if SKG + "AuthorClaim" in types:
        return "claim"
    if SKG + "ReportedStatement" in types:
        return "statement"
    return "entity"


def _expand(name: str) -> str:
    """A prefixed span name from ``describe`` back to its IRI."""
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    if "://" in name:
        return name
    prefix, _, local = name.partition(":")
    return PREFIXES.get(prefix, prefix + ":") + local


# --- the ontology page ----------------------------------------------------------------------


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


@dataclass(frozen=True)
class Ontology:
    iri: str
    title: str
    description: str
    version: str
    classes: tuple[OntClass, ...]
    properties: tuple[OntProperty, ...]
    edges: tuple[tuple[str, str, tuple[str, ...]], ...]  # top domain, top range, property labels


@cache
def _ontology_graph() -> str:
    return GRAPH_NS + "ontology"


def ontology(backend: Backend) -> Ontology:
    """Classes, properties and definitions of ``ontology/spacekg.ttl`` as asserted (not the
    entailments), and the edges between the top classes for the diagram."""
    g = _ontology_graph()
    head = _rows(
        backend,
        f"PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?o ?t ?d ?v WHERE {{ GRAPH <{g}> {{ "
        "?o a owl:Ontology OPTIONAL { ?o dcterms:title ?t } "
        "OPTIONAL { ?o dcterms:description ?d } OPTIONAL { ?o owl:versionInfo ?v } } }",
    )
    o, t, desc, v = head[0] if head else (None, None, None, None)
    crow = _rows(
        backend,
        f"SELECT ?c ?label ?def ?parent WHERE {{ GRAPH <{g}> {{ ?c a owl:Class "
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

    classes = tuple(
        sorted(
            (
                OntClass(
                    iri,
                    str(e["label"]),
                    str(e["def"]),
                    tuple(sorted(e["parents"])),  # type: ignore[arg-type]
                    top(iri),
                )
                for iri, e in info.items()
            ),
            key=lambda c: (c.top != c.iri, c.label.lower()),
        )
    )
    prow = _rows(
        backend,
        f"SELECT ?p ?kind ?label ?def ?dom ?rng ?parent ?inv WHERE {{ GRAPH <{g}> {{ "
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
    properties = tuple(
        sorted(
            (
                OntProperty(
                    iri,
                    str(e["label"]),
                    str(e["def"]),
                    str(e["kind"]),
                    *(tuple(sorted(e[k])) for k in ("domain", "range", "parents", "inverse")),  # type: ignore[arg-type]
                )
                for iri, e in pinfo.items()
            ),
            key=lambda p: (p.kind, p.label.lower()),
        )
    )
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
    return Ontology(
        o.value if o else "",
        t.value if t else "",
        desc.value if desc else "",
        v.value if v else "",
        classes,
        properties,
        tuple((a, b, tuple(sorted(ps))) for (a, b), ps in sorted(edges.items())),
    )
