"""The checks `spacekg validate` runs beyond the SHACL shapes (see :mod:`spacekg.validate.api`).

Each reads the validation store only: new files in the default graph, context files in named
graphs. They return plain tuples that :func:`spacekg.validate.api.validate` turns into findings.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.namespaces import (
    GRAPH_NS,
    ID_NS,
    OA,
    ONTOLOGY_IRI,
    ONTOLOGY_NS,
    OWL,
    RDFS_LABEL,
    REUSED_NAMESPACES,
    TERM_PREFIXES,
)
from spacekg.terms import Term, short, split_iri
from spacekg.validate.locate import Source, graph_of

if TYPE_CHECKING:
    import pyoxigraph

OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
SHA256 = ONTOLOGY_NS + "sha256"


def select(store: pyoxigraph.Store, query: str) -> list[tuple[Any, ...]]:
    """The rows of a SPARQL SELECT as tuples of pyoxigraph terms."""
    return [tuple(sol[i] for i in range(len(sol))) for sol in store.query(query)]  # type: ignore[arg-type]


def _close(word: str, candidates: Sequence[str], n: int = 2, cutoff: float = 0.75) -> list[str]:
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=cutoff)
    return [lowered[h] for h in hits]


_TERM_TYPES = " ".join(
    f"<http://www.w3.org/2002/07/owl#{t}>"
    for t in (
        "Class",
        "ObjectProperty",
        "DatatypeProperty",
        "AnnotationProperty",
        "TransitiveProperty",
        "SymmetricProperty",
        "FunctionalProperty",
        "InverseFunctionalProperty",
        "OntologyProperty",
    )
) + (
    " <http://www.w3.org/2000/01/rdf-schema#Class>"
    " <http://www.w3.org/1999/02/22-rdf-syntax-ns#Property>"
)


def any_graph(pattern: str) -> str:
    """A pattern matched in the default graph (new files) or any named graph (context)."""
    return f"{{ {{ {pattern} }} UNION {{ GRAPH ?anyg {{ {pattern} }} }} }}"


def _known_terms(store: pyoxigraph.Store, sources: list[Source]) -> tuple[set[str], set[str]]:
    """(terms the ontology defines, terms used by the ontology, the shapes and existing data).

    Defined: ``skg:`` IRIs typed as an OWL/RDFS class or property, wherever they are declared.
    """
    rows = select(
        store,
        f"SELECT DISTINCT ?t WHERE {{ VALUES ?k {{ {_TERM_TYPES} }} {any_graph('?t a ?k')} "
        f"FILTER(isIRI(?t) && STRSTARTS(STR(?t), '{ONTOLOGY_NS}')) }}",
    )
    defined = {r[0].value for r in rows}
    used: set[str] = set(defined)
    if any(not s.new for s in sources):
        rows = select(
            store,
            "SELECT DISTINCT ?t WHERE { GRAPH ?g { "
            "{ ?s ?t ?o } UNION { ?s a ?t } UNION { ?s ?p ?t FILTER(isIRI(?t)) } } }",
        )
        used.update(r[0].value for r in rows if hasattr(r[0], "value"))
    return defined, used


def _term_findings(
    store: pyoxigraph.Store, sources: list[Source], shapes_terms: set[str]
) -> list[tuple[Term, str, str, str, str | None]]:
    """(term, severity, check, message, hint) for classes/properties/namespaces of new files."""
    defined, used = _known_terms(store, sources)
    used |= shapes_terms
    if not any(s.new for s in sources):
        return []
    out: list[tuple[Term, str, str, str, str | None]] = []
    preds = {r[0].value for r in select(store, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
    classes = {
        r[0].value
        for r in select(
            store,
            "SELECT DISTINCT ?c WHERE { ?s a ?c FILTER(isIRI(?c)) }",
        )
    }
    ours = sorted(t for t in defined)
    known_namespaces = set(TERM_PREFIXES.values())
    reused_used = sorted(t for t in used if any(t.startswith(ns) for ns in REUSED_NAMESPACES))
    for kind, terms in (("property", preds), ("class", classes)):
        for iri in sorted(terms):
            shown = short(iri)
            if iri.startswith(ONTOLOGY_NS):
                if iri in defined:
                    continue
                local = iri[len(ONTOLOGY_NS) :]
                close = _close_terms(local, ours + reused_used)
                hint = f"did you mean {' or '.join(close)}?" if close else None
                out.append(
                    (Term("uri", iri), "Violation", "UnknownTermCheck",
                     f"unknown {kind} {shown}: the spacekg ontology does not define it", hint)
                )  # fmt: skip
                continue
            ns, local = split_iri(iri)
            if ns in known_namespaces:
                if iri in used or ns in (TERM_PREFIXES["rdf"], TERM_PREFIXES["rdfs"]):
                    continue
                same_ns = [t for t in reused_used if t.startswith(ns)]
                close = _close(local, [t[len(ns) :] for t in same_ns], cutoff=0.8)
                if close:
                    prefix = short(ns + "x").split(":")[0]
                    out.append(
                        (Term("uri", iri), "Warning", "TermTypoCheck",
                         f"{kind} {shown} is used nowhere else in spacekg",
                         f"did you mean {' or '.join(f'{prefix}:{c}' for c in close)}?")
                    )  # fmt: skip
                continue
            hint = _namespace_hint(ns)
            out.append(
                (Term("uri", iri), "Warning", "ForeignTermCheck",
                 f"{kind} <{iri}> is from a vocabulary spacekg does not reuse", hint)
            )  # fmt: skip
    # entity IRIs in a namespace close to a known one (a typo'd prefix)
    rows = select(
        store,
        # distinct IRIs first: one REPLACE per IRI, not per triple (5x faster at 100k)
        "SELECT DISTINCT ?ns WHERE { { SELECT DISTINCT ?t WHERE { { ?t ?p ?o } UNION "
        '{ ?s ?p ?t } FILTER(isIRI(?t)) } } BIND(REPLACE(STR(?t), "[^#/:]*$", "") AS ?ns) }',
    )
    for (ns_lit,) in rows:
        ns = ns_lit.value
        if ns in known_namespaces:
            continue
        hint = _namespace_hint(ns)
        if not hint:
            continue
        example = select(
            store,
            "SELECT ?t WHERE { { ?t ?p ?o } UNION { ?s ?p ?t } "
            "FILTER(isIRI(?t) && STRSTARTS(STR(?t), "
            f'{json.dumps(ns)}) && REPLACE(STR(?t), "[^#/:]*$", "") = {json.dumps(ns)}) }} '
            "ORDER BY ?t LIMIT 1",
        )[0][0].value
        if example in preds or example in classes:
            continue  # already reported as a term
        if example == ONTOLOGY_IRI or example.startswith((ONTOLOGY_IRI + "/", GRAPH_NS)):
            continue  # the ontology's own IRI, its version IRIs, named graphs
        out.append(
            (Term("uri", example), "Warning", "NamespaceTypoCheck",
             f"<{example}> is in an unknown namespace <{ns}>", hint)
        )  # fmt: skip
    return out


def _close_terms(local: str, terms: Sequence[str]) -> list[str]:
    """Prefixed names of the ``terms`` whose local names are closest to ``local``."""
    by_local: dict[str, list[str]] = {}
    for t in terms:
        by_local.setdefault(split_iri(t)[1], []).append(t)
    hits = _close(local, [k for k in by_local if k], n=2, cutoff=0.75)
    return [short(t) for h in hits for t in sorted(set(by_local[h]))][:3]


def _namespace_hint(ns: str) -> str | None:
    best = (0.0, "")
    for prefix, known in TERM_PREFIXES.items():
        score = difflib.SequenceMatcher(None, ns.lower(), known.lower()).ratio()
        if score > best[0]:
            best = (score, prefix)
    if best[0] >= 0.85:
        prefix = best[1]
        return f"typo'd prefix? the namespace looks like {prefix}: <{TERM_PREFIXES[prefix]}>"
    return None


def _dangling(store: pyoxigraph.Store, sources: list[Source]) -> list[tuple[Term, str | None]]:
    if not any(s.new for s in sources):
        return []
    rows = select(
        store,
        # distinct objects first: one lookup per node, not per triple
        "SELECT ?o WHERE { { SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) } } "
        f"FILTER(STRSTARTS(STR(?o), '{ID_NS}')) "
        "FILTER NOT EXISTS { ?o ?q ?x } FILTER NOT EXISTS { GRAPH ?h { ?o ?q ?x } } } "
        "ORDER BY ?o LIMIT 1000",
    )
    if not rows:
        return []
    described = [
        r[0].value[len(ID_NS) :]
        for r in select(
            store,
            f"SELECT DISTINCT ?s WHERE {{ {any_graph('?s a ?c')} "
            f"FILTER(STRSTARTS(STR(?s), '{ID_NS}')) }} LIMIT 200000",
        )
    ]
    out = []
    for (o,) in rows:
        close = _close(o.value[len(ID_NS) :], described, cutoff=0.7)
        hint = f"did you mean {' or '.join('skgid:' + c for c in close)}?" if close else None
        out.append((Term("uri", o.value), hint))
    return out


def _duplicate_labels(
    store: pyoxigraph.Store, sources: list[Source]
) -> list[tuple[Term, str, str, str]]:
    """(new node, its label, existing IRI, existing file) for labels that clash."""
    import pyoxigraph as ox

    label = ox.NamedNode(RDFS_LABEL)
    existing: dict[str, tuple[str, str]] = {}
    for src in sources:
        if src.new:
            continue
        for q in store.quads_for_pattern(None, label, None, graph_of(src)):
            if isinstance(q.subject, ox.NamedNode):
                existing.setdefault(q.object.value.strip().lower(), (q.subject.value, src.shown))
    out = []
    seen: set[tuple[str, str]] = set()
    if any(s.new for s in sources):
        for q in store.quads_for_pattern(None, label, None, ox.DefaultGraph()):
            if not isinstance(q.subject, ox.NamedNode):
                continue
            hit = existing.get(q.object.value.strip().lower())
            key = (q.subject.value, q.object.value)
            if hit and hit[0] != q.subject.value and key not in seen:
                seen.add(key)
                out.append((Term("uri", q.subject.value), q.object.value, hit[0], hit[1]))
    return out


#: span problems the SHACL shapes already report (selectors present, offsets well-formed)
_SHAPES_COVER = frozenset({"missing-source", "missing-quote-selector", "missing-position-selector"})


def _span_problems(
    store: pyoxigraph.Store, sources: list[Source], seeds_dir: Path
) -> list[tuple[Term, str]]:
    """Evidence spans of the new files checked against the seed texts."""
    from rdflib import Graph, URIRef

    from spacekg.curation.evidence import load_seeds, verify_spans

    if not any(s.new for s in sources):
        return []
    seeds = load_seeds(seeds_dir) if seeds_dir.is_dir() else []
    shas = {s.sha256 for s in seeds}
    sources_sha = select(
        store,
        f"SELECT DISTINCT ?src ?sha WHERE {{ ?sp <{OA}hasSource> ?src "
        f"OPTIONAL {any_graph(f'?src <{SHA256}> ?sha')} }}",
    )
    good = [s for s, sha in sources_sha if sha is not None and sha.value.strip().lower() in shas]
    g = Graph()
    nt: list[str] = []
    for src, sha in sources_sha:
        if sha is not None:
            nt.append(f"{src} <{SHA256}> {sha} .")
    for src in good:
        for row in select(
            store,
            f"SELECT ?s ?p ?o WHERE {{ ?sp <{OA}hasSource> {src} . "
            f"?sp (<{OA}hasSelector>)? ?s . ?s ?p ?o }}",
        ):
            nt.append(f"{row[0]} {row[1]} {row[2]} .")
    if not nt and not sources_sha:
        return []
    if nt:
        g.parse(data="\n".join(nt), format="nt")
    for src, sha in sources_sha:  # a source without skg:sha256 still has to be reported
        if sha is None:
            g.add((URIRef("urn:x:span"), URIRef(OA + "hasSource"), URIRef(src.value)))
    problems = verify_spans(g, seeds)
    out: list[tuple[Term, str]] = []
    for p in problems:
        if p.node == "urn:x:span" or p.kind in _SHAPES_COVER:
            continue
        if p.kind == "bad-offsets" and "past the end" not in p.message:
            continue
        term = Term("bnode", p.node[2:]) if p.node.startswith("_:") else Term("uri", p.node)
        message = p.message.removeprefix(f"span {p.node}: ")
        out.append((term, message))
    return out


RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_LIST = "/<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"


@dataclass(frozen=True)
class TypeClash:
    """A node typed with two disjoint classes (``here`` stated in the new data)."""

    node: Term
    here: str  # the class stated in the new data (the default graph)
    other: str  # the class it clashes with
    other_graph: str | None  # the named graph (context file) stating ``other``; None: new data
    axiom: tuple[str, str]  # the disjoint pair of the ontology behind it (superclasses)


def disjoint_pairs(store: pyoxigraph.Store) -> set[tuple[str, str]]:
    """Every pair of classes declared disjoint (``owl:disjointWith``, ``owl:AllDisjointClasses``,
    ``owl:disjointUnionOf``) in any graph of ``store``, in both orders."""
    pairs: set[tuple[str, str]] = set()
    for a, b in select(
        store,
        f"SELECT DISTINCT ?a ?b WHERE {{ {any_graph(f'?a <{OWL}disjointWith> ?b')} "
        "FILTER(isIRI(?a) && isIRI(?b)) }",
    ):
        pairs.add((a.value, b.value))
    groups: dict[Any, set[str]] = {}
    for lst, m in select(
        store,
        "SELECT DISTINCT ?x ?m WHERE { "
        + any_graph(
            f"{{ ?x a <{OWL}AllDisjointClasses> ; <{OWL}members>{_LIST} ?m }} UNION "
            f"{{ ?c <{OWL}disjointUnionOf> ?x . ?x {_LIST[1:]} ?m }}"
        )
        + " FILTER(isIRI(?m)) }",
    ):
        groups.setdefault(lst, set()).add(m.value)
    for members in groups.values():
        pairs.update((a, b) for a in members for b in members)
    pairs |= {(b, a) for a, b in pairs}
    return {(a, b) for a, b in pairs if a != b}


def _superclasses(store: pyoxigraph.Store) -> dict[str, set[str]]:
    """Direct superclasses (``rdfs:subClassOf``, ``owl:equivalentClass`` both ways), any graph."""
    up: dict[str, set[str]] = {}
    for a, b in select(
        store,
        f"SELECT DISTINCT ?a ?b WHERE {{ {any_graph(f'?a <{RDFS_SUBCLASS}> ?b')} "
        "FILTER(isIRI(?a) && isIRI(?b)) }",
    ):
        up.setdefault(a.value, set()).add(b.value)
    for a, b in select(
        store,
        f"SELECT DISTINCT ?a ?b WHERE {{ {any_graph(f'?a <{OWL}equivalentClass> ?b')} "
        "FILTER(isIRI(?a) && isIRI(?b)) }",
    ):
        up.setdefault(a.value, set()).add(b.value)
        up.setdefault(b.value, set()).add(a.value)
    return up


def _type_clashes(store: pyoxigraph.Store, sources: list[Source]) -> list[TypeClash]:
    """Nodes of the new data typed (through the ``rdfs:subClassOf`` closure) with two classes the
    ontology declares disjoint, the other type stated in the new data or in a context file.

    Only type triples of classes below a disjoint class are read (one indexed join in the store),
    so a million-triple file costs one pass over its relevant ``rdf:type`` triples.
    """
    import pyoxigraph as ox

    if not any(s.new for s in sources):
        return []
    pairs = disjoint_pairs(store)
    if not pairs:
        return []
    up = _superclasses(store)
    down: dict[str, set[str]] = {}
    for sub, supers in up.items():
        for sup in supers:
            down.setdefault(sup, set()).add(sub)
    disjoint = {a for a, _ in pairs}
    # the disjoint classes above each relevant class (the class itself included)
    above: dict[str, set[str]] = {}
    for d in disjoint:
        todo, seen = [d], {d}
        while todo:
            c = todo.pop()
            above.setdefault(c, set()).add(d)
            for sub in down.get(c, ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
    values = " ".join(f"<{c}>" for c in sorted(above))
    rows = select(
        store,
        f"SELECT DISTINCT ?s ?c1 ?c2 ?g WHERE {{ VALUES ?c1 {{ {values} }} ?s a ?c1 . "
        f"{{ ?s a ?c2 }} UNION {{ GRAPH ?g {{ ?s a ?c2 }} }} "
        f"VALUES ?c2 {{ {values} }} FILTER(?c1 != ?c2) }}",
    )
    out: list[TypeClash] = []
    seen_pairs: set[tuple[Any, frozenset[str]]] = set()
    for s, c1, c2, g in sorted(rows, key=lambda r: (str(r[0]), str(r[1]), str(r[2]), str(r[3]))):
        axiom = next(
            ((a, b) for a in sorted(above[c1.value]) for b in sorted(above[c2.value])
             if (a, b) in pairs),
            None,
        )  # fmt: skip
        if axiom is None:
            continue
        key = (s, frozenset((c1.value, c2.value)))
        if key in seen_pairs:
            continue  # both types in the new data: once, not once per order
        seen_pairs.add(key)
        node = Term("bnode", s.value) if isinstance(s, ox.BlankNode) else Term("uri", s.value)
        out.append(TypeClash(node, c1.value, c2.value, g.value if g is not None else None, axiom))
    return out


def _imports(store: pyoxigraph.Store, sources: list[Source]) -> list[tuple[Term, str]]:
    if not any(s.new for s in sources):
        return []
    rows = select(store, f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{OWL_IMPORTS}> ?o }}")
    return [
        (Term("uri", s.value) if hasattr(s, "value") else Term("bnode", ""), o.value)
        for s, o in rows
    ]


def own_checks(
    store: pyoxigraph.Store, sources: list[Source], shapes_file: Path, targets: bool, seeds: Path
) -> tuple[Any, Any, Any, Any, Any, list[TypeClash]]:
    """The checks beyond the shapes (see the module docstring), all read-only on ``store``."""
    new = any(s.new for s in sources)
    terms = _term_findings(store, sources, shapes_terms(shapes_file)) if new else []
    return (
        terms,
        _dangling(store, sources),
        _duplicate_labels(store, sources) if targets else [],
        _span_problems(store, sources, seeds),
        _imports(store, sources),
        _type_clashes(store, sources),
    )


def shapes_terms(path: Path) -> set[str]:
    """IRIs the shapes file names (sh:path, sh:class, targets): terms spacekg uses."""
    import pyoxigraph as ox

    from spacekg.shacl.api import rdf_format

    out: set[str] = set()
    try:
        for q in ox.parse(path=str(path), format=rdf_format(path)):
            if isinstance(q.object, ox.NamedNode):
                out.add(q.object.value)
    except (SyntaxError, ValueError, OSError):
        pass
    return out
