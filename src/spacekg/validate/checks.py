r"""The checks `spacekg validate` runs beyond the SHACL shapes (see :mod:`spacekg.validate.api`).

Each check is a class with a ``name`` and a ``run`` method that reads the validation store only
(new files in the default graph, context files in named graphs) and yields typed
:class:`~spacekg.validate.model.Issue`\ s; :func:`spacekg.validate.api.validate` locates each
and turns it into a :class:`~spacekg.validate.model.Finding`. :data:`CHECKS` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from spacekg.namespaces import (
    ID_NS,
    OA,
    ONTOLOGY_NS,
    RDFS_LABEL,
)
from spacekg.terms import Term, short
from spacekg.validate.locate import Source, any_graph, graph_of, select
from spacekg.validate.model import Issue, Severity

if TYPE_CHECKING:
    import pyoxigraph
from spacekg.validate.disjoint import TypeClash, type_clashes
from spacekg.validate.vocabulary import close_matches, shapes_terms, term_issues

OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
SHA256 = ONTOLOGY_NS + "sha256"


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
        close = close_matches(o.value[len(ID_NS) :], described, cutoff=0.7)
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

    from spacekg.evidence import load_seeds, verify_spans

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


def _imports(store: pyoxigraph.Store, sources: list[Source]) -> list[tuple[Term, str]]:
    if not any(s.new for s in sources):
        return []
    rows = select(store, f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{OWL_IMPORTS}> ?o }}")
    return [
        (Term("uri", s.value) if hasattr(s, "value") else Term("bnode", ""), o.value)
        for s, o in rows
    ]


@dataclass(frozen=True)
class CheckContext:
    """What every check reads: the validation store and where its graphs came from."""

    store: pyoxigraph.Store
    sources: list[Source]
    shapes_file: Path
    targets: bool  # files were given (not the bundle validated on its own)
    seeds: Path
    #: returns once the store holds every source (loading them, or waiting for the thread that
    #: does, where they are not in it yet)
    loaded: Callable[[], None] = lambda: None


class UnknownTerms:
    """Classes and properties of the new files the ontology does not define, and near-misses of
    reused vocabularies or known namespaces."""

    name = "UnknownTermCheck"

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        yield from term_issues(ctx.store, ctx.sources, shapes_terms(ctx.shapes_file))


class DanglingLinks:
    """Links to ``skgid:`` nodes that nothing describes."""

    name = "DanglingLinkCheck"

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        for node, hint in _dangling(ctx.store, ctx.sources):
            yield Issue(
                check=self.name,
                severity=Severity.WARNING,
                node=node,
                message=f"{short(node.value)} is linked to but described nowhere in the graph",
                hint=hint,
                at_first_use=True,
            )


class DuplicateLabels:
    """New nodes whose ``rdfs:label`` is already the label of an existing node."""

    name = "DuplicateLabelCheck"

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        if not ctx.targets:
            return
        for node, label, other, other_file in _duplicate_labels(ctx.store, ctx.sources):
            yield Issue(
                check=self.name,
                severity=Severity.WARNING,
                node=node,
                path="rdfs:label",
                value=Term("literal", label).n3(),
                message=(
                    f"the label {label!r} is already the label of {short(other)} ({other_file})"
                ),
                hint=f"reuse {short(other)} instead of a new IRI, or tell them apart in the label",
            )


class EvidenceSpans:
    """Evidence spans whose quote is not at their offsets in the seed text."""

    name = "EvidenceSpanCheck"

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        for node, message in _span_problems(ctx.store, ctx.sources, ctx.seeds):
            yield Issue(check=self.name, severity=Severity.VIOLATION, node=node, message=message)


class DisjointClasses:
    """Nodes typed with two classes the ontology declares disjoint."""

    name = "DisjointClassesCheck"

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        for clash in type_clashes(ctx.store, ctx.sources):
            yield clash_issue(clash)


class OwlImports:
    """``owl:imports``, which spacekg never fetches."""

    name = "ImportCheck"

    def run(self, ctx: CheckContext) -> Iterator[Issue]:
        for subject, target in _imports(ctx.store, ctx.sources):
            yield Issue(
                check=self.name,
                severity=Severity.WARNING,
                node=subject,
                path="owl:imports",
                value=f"<{target}>",
                message=(
                    f"owl:imports <{target}> is not fetched (spacekg never reaches the network)"
                ),
                hint="add the imported ontology's file to the command line if you need it",
                at_first_use=True,
            )


#: every check of our own, in the order they run
CHECKS = (UnknownTerms(), DanglingLinks(), DuplicateLabels(), EvidenceSpans(), DisjointClasses(),
          OwlImports())  # fmt: skip


def own_checks(ctx: CheckContext) -> list[Issue]:
    """The issues of every check beyond the shapes (see the module docstring), read-only."""
    ctx.loaded()
    return [issue for check in CHECKS for issue in check.run(ctx)]


def clash_issue(clash: TypeClash) -> Issue:
    """A node typed with two disjoint classes: both classes, where the other type is stated
    (``{where}`` in the message, filled in once the files are read), and the disjoint pair."""
    here, other = short(clash.here), short(clash.other)
    a, b = clash.axiom
    part_a = here if a == clash.here else f"{short(a)} (a superclass of {here})"
    part_b = other if b == clash.other else f"{short(b)} (a superclass of {other})"
    why = f"{part_a} and {part_b} are disjoint in the ontology: no node can be both"
    if clash.other_graph is None:
        message = f"typed both {here} and {other} in the files validated; {why}"
        hint = "keep one of the two types, or split the node in two IRIs"
    else:
        message = f"typed {here} here but {other} in {{where}}; {why}"
        hint = f"give the {here.split(':')[-1]} its own IRI, or remove the wrong type"
    return Issue(
        check="DisjointClassesCheck",
        severity=Severity.VIOLATION,
        node=clash.node,
        path="rdf:type",
        value=f"<{clash.here}>",
        message=message,
        hint=hint,
        where_graph=clash.other_graph,
    )
