"""``spacekg describe TERM``: what the graph says about a node, with the article's words.

TERM is a prefixed name (``skgid:japan``), an IRI (``<...>`` or bare), or a label (any
``rdfs:label``/``skos:prefLabel``/``skos:altLabel``, case-insensitive). A label shared by several
nodes is refused with the list of candidates (exit 3).

The answer holds the node's mentions (the ``oa:exact`` words of the spans it links with
``skg:hasEvidence``), its outgoing and incoming facts (entailed ones marked), and the reported
statements and authors' claims about it. Each fact carries its own evidence, from the
``rdf:Statement`` that reifies it: the spans that support it and whether they state it or it is
read from them (with the reason), or, for a public-record fact, its citations. Identifiers
(``skos:exactMatch``), labels and entailed facts carry no article words. It runs on the cached
materialised graph, so it needs no rdflib.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacekg.errors import InputError
from spacekg.namespaces import INFERRED_GRAPH, PREFIXES, RDF_TYPE, sparql_prologue
from spacekg.namespaces import ONTOLOGY_NS as SKG
from spacekg.terms import Term

if TYPE_CHECKING:
    from spacekg.query.engine import Backend

HAS_EVIDENCE = SKG + "hasEvidence"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
REIFICATION_LINKS = {RDF_NS + "subject", RDF_NS + "predicate", RDF_NS + "object"}
EXACT_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"
MAX_WORDS = 2  # spans shown per fact

_PREFIXES = sparql_prologue("skg", "rdfs", "skos", "oa", "prov", "rdf", "schema", "dcterms")


@dataclass(frozen=True)
class Words:
    """The article's words behind a node: one evidence span."""

    span: str
    exact: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Citation:
    """A public source cited for a public-record fact."""

    url: str
    publisher: str | None
    date: str | None


@dataclass(frozen=True)
class Fact:
    """One triple about the node, with its own evidence.

    ``support`` is "stated" or "read" (the article's words, in ``words``; a read has its
    ``reason``), "public record" (``citations``, never article words), "identifier" (a Wikidata
    link) or None (a label, a type-like link or an entailed triple: no evidence of its own).
    """

    subject: Term
    predicate: Term
    object: Term
    inferred: bool
    words: tuple[Words, ...]
    support: str | None = None
    reason: str | None = None
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A reported statement or an authors' claim about the node."""

    node: Term
    kind: str  # "statement" | "claim"
    label: str
    by: tuple[str, ...]
    stance: str | None
    quoted: str | None
    words: tuple[Words, ...]


@dataclass(frozen=True)
class Description:
    term: Term
    label: str | None
    types: tuple[Term, ...]
    words: tuple[Words, ...]
    outgoing: tuple[Fact, ...]
    incoming: tuple[Fact, ...]
    mentions: tuple[Mention, ...]


_IRI_CHARS = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|\\^`]*$')


def _iri(text: str) -> str | None:
    """The IRI ``text`` names (``<iri>``, a bare ``http(s)://``/``urn:`` IRI, a prefixed name),
    or None if it is not written as one (then it is a label)."""

    text = text.strip()
    iri = None
    if text.startswith("<") and text.endswith(">"):
        iri = text[1:-1]
    elif text.startswith(("http://", "https://", "urn:")):
        iri = text
    else:
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES and " " not in text:
            iri = PREFIXES[prefix] + local
    if iri is not None and not _IRI_CHARS.match(iri):
        raise InputError(f"{text}: not a valid IRI (no spaces, quotes, <>, {{}} or |)")
    return iri


class _Graph:
    """The materialised graph in a pyoxigraph store, with the few look-ups describe needs."""

    def __init__(self, backend: Backend | None = None) -> None:
        from spacekg.query.engine import OxigraphMemoryBackend

        self.backend = backend if backend is not None else OxigraphMemoryBackend()

    def select(self, sparql: str) -> list[tuple[Term | None, ...]]:
        return list(self.backend.execute(_PREFIXES + sparql).rows)

    def resolve(self, text: str) -> Term:
        iri = _iri(text)
        if iri is not None:
            known = self.select(
                f"SELECT ?x WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} "
                f"BIND(1 AS ?x) }} LIMIT 1"
            )
            if not known:
                raise InputError(f"{text}: the graph says nothing about <{iri}> (check the name)")
            return Term("uri", iri)
        rows = self.select(
            "SELECT DISTINCT ?node ?label WHERE { "
            "?node rdfs:label|skos:prefLabel|skos:altLabel ?label . FILTER(isIRI(?node)) }"
        )
        wanted = text.strip().lower()
        hits = sorted({r[0] for r in rows if r[0] and r[1] and r[1].value.lower() == wanted})
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = ", ".join(_short(h) for h in hits)
            raise InputError(
                f"{text!r} is the label of {len(hits)} nodes: {names} "
                "(describe one by its prefixed name)"
            )
        labels = {r[1].value: r[0] for r in rows if r[0] and r[1]}
        close = difflib.get_close_matches(text, list(labels), n=3, cutoff=0.6)
        close += [lb for lb in sorted(labels) if wanted in lb.lower() and lb not in close]
        hint = (
            "did you mean: " + "; ".join(f"{lb!r} ({_short(labels[lb])})" for lb in close[:3])
            if close
            else "give a prefixed name like skgid:japan, an IRI or a label"
        )
        raise InputError(f"no node is labelled {text!r} ({hint})")

    def words(self, node: Term) -> list[Words]:
        if node.kind != "uri":
            return []
        rows = self.select(
            "SELECT DISTINCT ?span ?exact ?start ?end WHERE { "
            f"<{node.value}> skg:hasEvidence ?span . "
            "?span oa:hasSelector ?q . ?q oa:exact ?exact . "
            "OPTIONAL { ?span oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end } }"
        )
        out = []
        for span, exact, start, end in rows:
            out.append(Words(_short(span), exact.value if exact else "", _int(start), _int(end)))
        return sorted(set(out), key=lambda w: (w.start if w.start is not None else 10**9, w.span))

    def label(self, node: Term) -> str | None:
        if node.kind != "uri":
            return None
        rows = self.select(f"SELECT ?l WHERE {{ <{node.value}> rdfs:label|skos:prefLabel ?l }}")
        labels = sorted(r[0].value for r in rows if r[0])
        return labels[0] if labels else None

    def names(self, node: Term) -> tuple[str, ...]:
        """Every label of a node (rdfs:label, skos:prefLabel, skos:altLabel); a literal: itself."""
        if node.kind == "literal":
            return (node.value,)
        if node.kind != "uri":
            return ()
        rows = self.select(
            f"SELECT ?l WHERE {{ <{node.value}> rdfs:label|skos:prefLabel|skos:altLabel ?l }}"
        )
        return tuple(sorted({r[0].value for r in rows if r[0]}, key=lambda x: (-len(x), x)))


def _int(term: Term | None) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def _short(term: Term | None) -> str:
    from spacekg.query.render import default_prefixes, short

    if term is not None and term.kind == "literal":
        return term.n3()
    return short(term, default_prefixes())


@dataclass
class _Evidence:
    support: str | None = None
    reason: str | None = None
    words: set[Words] | None = None
    citations: set[Citation] | None = None


_Triple = tuple[Term, Term, Term]


def _evidence(g: _Graph, node: Term) -> dict[_Triple, _Evidence]:
    """The reifications of the triples with ``node`` as subject or object, by triple."""
    rows = g.select(
        "SELECT ?s ?p ?o ?kind ?reason ?span ?exact ?start ?end ?url ?publisher ?date WHERE { "
        f"{{ ?st rdf:subject <{node.value}> }} UNION {{ ?st rdf:object <{node.value}> }} "
        "?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . "
        "OPTIONAL { ?st skg:support ?kind } OPTIONAL { ?st skg:readingReason ?reason } "
        "OPTIONAL { ?st prov:wasDerivedFrom ?src . "
        "  OPTIONAL { ?src oa:hasSelector ?q . ?q oa:exact ?exact . BIND(?src AS ?span) "
        "    OPTIONAL { ?src oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end } } "
        "  OPTIONAL { ?src schema:url ?url OPTIONAL { ?src dcterms:publisher ?publisher } "
        "    OPTIONAL { ?src dcterms:date ?date } } } }"
    )
    out: dict[_Triple, _Evidence] = {}
    for s, p, o, kind, reason, span, exact, start, end, url, publisher, date in rows:
        if s is None or p is None or o is None:
            continue
        ev = out.setdefault((s, p, o), _Evidence(words=set(), citations=set()))
        if kind is not None:
            ev.support = "read" if kind.value == SKG + "Read" else "stated"
        if reason is not None:
            ev.reason = reason.value
        if span is not None and exact is not None and ev.words is not None:
            ev.words.add(Words(_short(span), exact.value, _int(start), _int(end)))
        if url is not None and ev.citations is not None:
            ev.citations.add(
                Citation(
                    url.value, publisher.value if publisher else None, date.value if date else None
                )
            )
    for ev in out.values():
        if ev.support is None and ev.citations:
            ev.support = "public record"
    return out


def _fact(s: Term, p: Term, o: Term, inferred: bool, evidence: dict[_Triple, _Evidence]) -> Fact:
    ev = None if inferred else evidence.get((s, p, o))
    if ev is None:
        support = "identifier" if p.value == EXACT_MATCH and not inferred else None
        return Fact(s, p, o, inferred, (), support)
    words = tuple(
        sorted(ev.words or (), key=lambda w: (w.start if w.start is not None else 10**9, w.span))
    )
    citations = tuple(sorted(ev.citations or (), key=lambda c: c.url))
    return Fact(s, p, o, inferred, words, ev.support, ev.reason, citations)


def describe(text: str, backend: Backend | None = None) -> Description:
    """Resolve ``text`` to a node and gather what the graph says about it (over ``backend``,
    default: the materialised graph in memory)."""
    g = _Graph(backend)
    node = g.resolve(text)
    iri = node.value
    own = g.words(node)
    out_rows = g.select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    in_rows = g.select(f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }}")
    evidence = _evidence(g, node)

    def merge(rows: list[tuple[Term, Term, Term, bool]]) -> dict[tuple[Term, Term, Term], bool]:
        facts: dict[tuple[Term, Term, Term], bool] = {}
        for s, p, o, inferred in rows:
            facts[(s, p, o)] = facts.get((s, p, o), True) and inferred
        return facts

    outgoing_raw = merge(
        [(node, p, o, gr.value == INFERRED_GRAPH) for p, o, gr in out_rows if p and o and gr]
    )
    incoming_raw = merge(
        [
            (s, p, node, gr.value == INFERRED_GRAPH)
            for s, p, gr in in_rows
            if s and p and gr and p.value not in REIFICATION_LINKS
        ]
    )
    skip = {HAS_EVIDENCE}
    outgoing = tuple(
        _fact(s, p, o, inf, evidence)
        for (s, p, o), inf in sorted(outgoing_raw.items(), key=lambda kv: (kv[1], kv[0]))
        if p.value not in skip and p.value != RDF_TYPE
    )
    incoming = [
        _fact(s, p, o, inf, evidence)
        for (s, p, o), inf in sorted(incoming_raw.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    types = tuple(
        sorted(
            {o for (_s, p, o) in outgoing_raw if p.value == RDF_TYPE},
            key=lambda t: (outgoing_raw[(node, Term("uri", RDF_TYPE), t)], t),
        )
    )
    return Description(
        node,
        g.label(node),
        types,
        tuple(own),
        tuple(outgoing),
        tuple(incoming),
        tuple(_mentions(g, node)),
    )


def _mentions(g: _Graph, node: Term) -> list[Mention]:
    rows = g.select(
        "SELECT DISTINCT ?m ?kind ?label ?by ?stance ?quoted WHERE { "
        "{ ?m a skg:ReportedStatement . BIND('statement' AS ?kind) } UNION "
        "{ ?m a skg:AuthorClaim . BIND('claim' AS ?kind) } "
        f"?m ?link <{node.value}> . "
        "OPTIONAL { ?m rdfs:label ?label } "
        "OPTIONAL { ?m prov:wasAttributedTo ?who . OPTIONAL { ?who rdfs:label ?by } } "
        "OPTIONAL { ?m skg:hasStance ?s . OPTIONAL { ?s skos:prefLabel|rdfs:label ?stance } } "
        "OPTIONAL { ?m skg:quotedText ?quoted } }"
    )
    grouped: dict[Term, dict[str, object]] = {}
    for m, kind, lbl, by, stance, quoted in rows:
        if m is None or kind is None:
            continue
        entry = grouped.setdefault(
            m, {"kind": kind.value, "label": "", "by": set(), "stance": None, "quoted": None}
        )
        if lbl and not entry["label"]:
            entry["label"] = lbl.value
        if by:
            entry["by"].add(by.value)  # type: ignore[attr-defined]
        if stance and entry["stance"] is None:
            entry["stance"] = stance.value
        if quoted and entry["quoted"] is None:
            entry["quoted"] = quoted.value
    out = []
    for m in sorted(grouped):
        e = grouped[m]
        out.append(
            Mention(
                m,
                str(e["kind"]),
                str(e["label"]),
                tuple(sorted(e["by"])),  # type: ignore[arg-type]
                e["stance"],
                e["quoted"],
                tuple(g.words(m)),
            )
        )  # type: ignore[arg-type]
    return out


# --- rendering -------------------------------------------------------------------------------


def _quote(w: Words) -> str:
    where = f" [{w.start}:{w.end}]" if w.start is not None else ""
    return f'"{w.exact}"{where}'


def render_text(d: Description) -> str:
    lines = [f"{_short(d.term)}" + (f"  {d.label!r}" if d.label else "")]
    if d.types:
        lines.append("  types: " + ", ".join(_short(t) for t in d.types))
    if d.words:
        lines.append("  mentioned in the article's words:")
        lines += [f"    {_quote(w)}" for w in d.words]
    for title, facts in (("facts", d.outgoing), ("facts pointing to it", d.incoming)):
        if not facts:
            continue
        lines.append(f"{title} ({len(facts)}):")
        for f in facts:
            mark = "  (inferred)" if f.inferred else (f"  ({f.support})" if f.support else "")
            lines.append(f"  {_short(f.subject)} {_short(f.predicate)} {_short(f.object)}{mark}")
            if f.reason:
                lines.append(f"      read because: {f.reason}")
            for c in f.citations:
                extra = ", ".join(x for x in (c.publisher, c.date) if x)
                lines.append(f"      cited: <{c.url}>" + (f" ({extra})" if extra else ""))
            shown = f.words[:MAX_WORDS]
            lines += [f"      {_quote(w)}" for w in shown]
            if len(f.words) > MAX_WORDS:
                more = len(f.words) - MAX_WORDS
                lines.append(f"      (and {more} more span{'s' if more != 1 else ''})")
    if d.mentions:
        lines.append(f"statements and claims about it ({len(d.mentions)}):")
        for m in d.mentions:
            extra = f", stance {m.stance}" if m.stance else ""
            by = f" by {', '.join(m.by)}" if m.by else ""
            lines.append(f"  {m.kind}{by}{extra}: {m.label or _short(m.node)}")
            if m.quoted:
                lines.append(f'      quoted: "{m.quoted}"')
            lines += [f"      {_quote(w)}" for w in m.words[:MAX_WORDS]]
    return "\n".join(lines) + "\n"


def render_json(d: Description) -> str:
    def words(ws: tuple[Words, ...]) -> list[dict[str, object]]:
        return [{"span": w.span, "exact": w.exact, "start": w.start, "end": w.end} for w in ws]

    def fact(f: Fact) -> dict[str, object]:
        return {
            "subject": f.subject.n3(),
            "predicate": f.predicate.n3(),
            "object": f.object.n3(),
            "inferred": f.inferred,
            "support": f.support,
            "reason": f.reason,
            "words": words(f.words),
            "citations": [
                {"url": c.url, "publisher": c.publisher, "date": c.date} for c in f.citations
            ],
        }

    doc = {
        "term": d.term.value,
        "label": d.label,
        "types": [t.value for t in d.types],
        "words": words(d.words),
        "outgoing": [fact(f) for f in d.outgoing],
        "incoming": [fact(f) for f in d.incoming],
        "mentions": [
            {
                "node": m.node.value,
                "kind": m.kind,
                "label": m.label,
                "by": list(m.by),
                "stance": m.stance,
                "quoted": m.quoted,
                "words": words(m.words),
            }
            for m in d.mentions
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_description(d: Description, fmt: str = "text") -> str:
    return render_json(d) if fmt == "json" else render_text(d)
