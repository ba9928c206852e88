"""``spacekg describe TERM``: what the graph says about a node, with the article's words.

TERM is a prefixed name (``skgid:japan``), an IRI (``<...>`` or bare), or a label (any
``rdfs:label``/``skos:prefLabel``/``skos:altLabel``, case-insensitive). A label shared by several
nodes is refused with the list of candidates (exit 3).

The answer holds the node's own evidence (the ``oa:exact`` words of the spans it links with
``skg:hasEvidence``), its outgoing and incoming facts (entailed ones marked), each fact with the
words that support it (the subject's spans; those mentioning the other end first), and the
reported statements and authors' claims about it. It runs on the cached materialised graph, so
it needs no rdflib.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

from spacekg.errors import InputError
from spacekg.namespaces import INFERRED_GRAPH, PREFIXES, RDF_TYPE, sparql_prologue
from spacekg.namespaces import ONTOLOGY_NS as SKG
from spacekg.terms import Term

HAS_EVIDENCE = SKG + "hasEvidence"
MAX_WORDS = 2  # spans shown per fact

_PREFIXES = sparql_prologue("skg", "rdfs", "skos", "oa", "prov")


@dataclass(frozen=True)
class Words:
    """The article's words behind a node: one evidence span."""

    span: str
    exact: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Fact:
    """One triple about the node, with the supporting words."""

    subject: Term
    predicate: Term
    object: Term
    inferred: bool
    words: tuple[Words, ...]


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

    def __init__(self) -> None:
        from spacekg.query.engine import OxigraphMemoryBackend

        self.backend = OxigraphMemoryBackend()

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


def _pick(words: list[Words], names: tuple[str, ...]) -> tuple[Words, ...]:
    """The subject's spans; only those that mention the other end (by any label) if some do."""
    keys = [n.lower() for n in names if n]
    mentioning = [w for w in words if any(k in w.exact.lower() for k in keys)]
    return tuple(mentioning or words)


def describe(text: str) -> Description:
    """Resolve ``text`` to a node and gather what the graph says about it."""
    g = _Graph()
    node = g.resolve(text)
    iri = node.value
    own = g.words(node)
    out_rows = g.select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    in_rows = g.select(f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }}")
    names: dict[Term, tuple[str, ...]] = {}

    def names_of(t: Term) -> tuple[str, ...]:
        if t not in names:
            names[t] = g.names(t)
        return names[t]

    def merge(rows: list[tuple[Term, Term, Term, bool]]) -> dict[tuple[Term, Term, Term], bool]:
        facts: dict[tuple[Term, Term, Term], bool] = {}
        for s, p, o, inferred in rows:
            facts[(s, p, o)] = facts.get((s, p, o), True) and inferred
        return facts

    outgoing_raw = merge(
        [(node, p, o, gr.value == INFERRED_GRAPH) for p, o, gr in out_rows if p and o and gr]
    )
    incoming_raw = merge(
        [(s, p, node, gr.value == INFERRED_GRAPH) for s, p, gr in in_rows if s and p and gr]
    )
    skip = {HAS_EVIDENCE}
    outgoing = tuple(
        Fact(s, p, o, inf, _pick(own, names_of(o)))
        for (s, p, o), inf in sorted(outgoing_raw.items(), key=lambda kv: (kv[1], kv[0]))
        if p.value not in skip and p.value != RDF_TYPE
    )
    subject_words: dict[Term, list[Words]] = {}
    incoming = []
    for (s, p, o), inf in sorted(incoming_raw.items(), key=lambda kv: (kv[1], kv[0])):
        if s not in subject_words:
            subject_words[s] = g.words(s)
        incoming.append(Fact(s, p, o, inf, _pick(subject_words[s], names_of(node))))
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
        lines.append("  the article's words:")
        lines += [f"    {_quote(w)}" for w in d.words]
    for title, facts in (("facts", d.outgoing), ("facts pointing to it", d.incoming)):
        if not facts:
            continue
        lines.append(f"{title} ({len(facts)}):")
        for f in facts:
            mark = "  (inferred)" if f.inferred else ""
            lines.append(f"  {_short(f.subject)} {_short(f.predicate)} {_short(f.object)}{mark}")
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
            "words": words(f.words),
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
