"""`spacekg validate`: SHACL validation in context, every result located and explained.

**What is validated.** With no file: the bundled graph (ontology + every ``data/*.ttl``), every
result reported. With files: the new files *together with* the ontology and the bundled data
(the context), so a link to an existing entity resolves and a clash with one is seen. Results are
reported for focus nodes the new files describe (write as a subject), plus any result the context
alone does not have, so new data that breaks an existing node is reported too; problems the
bundled graph already had on nodes the new files only link to are not blamed on them.
Inference defaults to ``none``: the ontology is merged into the data graph, SHACL's
``rdf:type/rdfs:subClassOf*`` covers the class hierarchy, and range axioms cannot retype a
wrongly typed link. SHACL itself runs in
:func:`spacekg.shacl.api.validate_graph` (fast engine, pySHACL as the reference / fallback).

**Checks beyond the shapes** (each a finding with a severity like a SHACL result):

* ``unknown-term`` (Violation): a class or property in the ``skg:`` namespace that the ontology
  does not define; the hint names the closest defined terms (difflib).
* ``term-typo`` (Warning): a term of a vocabulary we reuse (PROV-O, Web Annotation, DC Terms,
  schema.org, ORG, FOAF, SEM, SKOS, OWL-Time, OWL, RDF(S), XSD, VANN, SHACL) that spacekg never
  uses but that is close to one it does ("did you mean org:hasMember?").
* ``foreign-term`` (Warning): a class or property from a namespace that is neither ours nor
  reused; when the namespace is close to a known one, the hint says which (a typo'd prefix).
* ``namespace-typo`` (Warning): an entity IRI whose namespace is close to ours or a reused one.
* ``dangling-link`` (Warning): a link to a ``skgid:`` node that nothing describes.
* ``duplicate-label`` (Warning): a node whose ``rdfs:label`` equals (case-insensitively) the
  label of an existing node under another IRI.
* ``span`` (Violation): an evidence span whose quote is not at its offsets in its source seed
  (:func:`spacekg.curation.evidence.verify_spans`; the message says where the quote actually is).
* ``owl-imports`` (Warning): an ``owl:imports`` is never fetched.
* ``disjoint-classes`` (Violation): a node typed, through the ``rdfs:subClassOf`` (and
  ``owl:equivalentClass``) closure, with two classes the ontology declares disjoint
  (``owl:disjointWith``, ``owl:AllDisjointClasses``, ``owl:disjointUnionOf``), at least one of the
  two types stated in the new files; the other may be stated in an existing file, which the
  message names with its line (:func:`spacekg.validate.checks.disjoint_pairs`). SHACL shapes
  cannot say this generically, so it is validate's own check and every engine gets it.

**Where a result is** (``file:line``). The file is the first new file that mentions the focus
node (else the bundled file that describes it). The line is the first line of that file where
the node is written: as ``<IRI>``, as a prefixed name with a prefix the file declares
(``@prefix``/``PREFIX``), as a quoted ``"IRI"`` (RDF/XML, JSON-LD), or as its blank-node label. A
blank node without a label is located at the named node that links to it (following links up);
a node written in no file gets the file ``(inferred)`` when inference is on (the node came
from an entailment), else ``(no file)``, and line 0; the text report then prints that word alone,
never ``?:?``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError
from spacekg.namespaces import ONTOLOGY_NS, SHAPES_NS
from spacekg.project import ONTOLOGY_FILE, SHAPES_FILE, bundle_root
from spacekg.terms import Term, short, shorten_path, show_term
from spacekg.validate.baseline import result_key as _result_key
from spacekg.validate.checks import OWL_IMPORTS, TypeClash, own_checks
from spacekg.validate.locate import CTX_GRAPH, NEW_GRAPH, Locator, Source, check_file, load_source
from spacekg.validate.report import (  # noqa: F401 - re-exported
    NOWHERE,
    NOWHERE_INFERRED,
    render_json,
    render_text,
    render_turtle,
)

if TYPE_CHECKING:
    import pyoxigraph

    from spacekg.shacl.api import ShaclReport, ShaclResult

CHECK_NS = SHAPES_NS  # component IRIs of our own checks: skgsh:UnknownTermCheck …

SEVERITY_RANK = {"Info": 1, "Warning": 2, "Violation": 3}
FAIL_ON = {"info": 1, "warning": 2, "violation": 3}


@dataclass(frozen=True)
class Finding:
    """One located, plain-words result (a SHACL result or one of our own checks)."""

    file: str  # as given on the command line, or relative to the bundle root; "" if unknown
    line: int  # 1-based; 0 = not found in the file
    severity: str  # "Violation" | "Warning" | "Info"
    focus: str  # display form: skgid:x, <iri>, [] …
    path: str | None  # display form of the property path, None for node-level results
    message: str
    hint: str | None = None
    value: str | None = None
    component: str = ""  # full IRI of the SHACL constraint component, or of our check
    shape: str = ""  # source shape (display form) or the name of our check
    focus_term: Term | None = field(default=None, compare=False, repr=False)
    result: Any = field(default=None, compare=False, repr=False)  # the ShaclResult, if any

    @property
    def group(self) -> tuple[str, str]:
        """What the huge-report summary counts by: (shape, constraint component)."""
        return (self.shape, short(self.component))


@dataclass(frozen=True)
class ValidationReport:
    """Everything `spacekg validate` reports. ``findings`` are sorted by file and line."""

    files: tuple[str, ...]  # the files validated ("" entries never)
    findings: tuple[Finding, ...]
    engine: str
    inference: str
    fallback_reason: str | None = None

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.findings)
        return {s: c.get(s, 0) for s in ("Violation", "Warning", "Info")}

    def fails(self, fail_on: str = "violation") -> bool:
        level = FAIL_ON[fail_on]
        return any(SEVERITY_RANK.get(f.severity, 3) >= level for f in self.findings)


# --------------------------------------------------------------------------- SHACL hints


def _shacl_hint(r: ShaclResult, dangling: dict[str, str | None]) -> str | None:
    comp = r.component.rsplit("#", 1)[-1]
    if r.value is not None and r.value.kind == "uri" and r.value.value in dangling:
        close = dangling[r.value.value]
        return f"{short(r.value.value)} is described nowhere" + (f"; {close}" if close else "")
    if r.path == f"<{ONTOLOGY_NS}hasEvidence>" and comp == "MinCountConstraintComponent":
        return 'cut a span with: spacekg excerpt SOURCE "the exact words"'
    if comp == "DatatypeConstraintComponent" and r.value is not None:
        return f"the value is typed {short(r.value.datatype or 'http://www.w3.org/2001/XMLSchema#string')}"
    return None


# --------------------------------------------------------------------------- the entry point


def validate(
    files: Sequence[Path | str] = (),
    *,
    shapes: Path | str | None = None,
    inference: str = "none",
    engine: str = "auto",
    root: Path | str | None = None,
) -> ValidationReport:
    """Validate ``files`` in the context of the bundled graph (or the bundle itself if none)."""
    import pyoxigraph as ox

    root = Path(root) if root is not None else bundle_root()
    shapes_file = Path(shapes) if shapes is not None else root / "ontology" / SHAPES_FILE
    if not shapes_file.is_file():
        raise InputError(f"{shapes_file}: no such shapes file (check --shapes)")
    ontology = root / "ontology" / ONTOLOGY_FILE
    targets: list[Path] = []
    for f in map(Path, files):
        if f.is_dir():  # a folder: every RDF file below it
            from spacekg.curation.diff import rdf_files

            found = rdf_files(f)
            if not found:
                raise InputError(f"{f}: no RDF file in this folder (.ttl .nt .jsonld .rdf ...)")
            targets.extend(found)
        else:
            targets.append(f)
    for t in targets:
        check_file(t)
    resolved_targets = {t.resolve() for t in targets}

    def shown(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(root.resolve()))
        except ValueError:
            return str(p)

    context_paths = [ontology, *sorted((root / "data").glob("*.ttl"))]
    sources: list[Source] = []
    for i, p in enumerate(context_paths):
        if p.resolve() in resolved_targets or not p.is_file():
            continue
        is_new = not targets and p != ontology  # no files: the data files are validated
        sources.append(Source(p, shown(p), f"{CTX_GRAPH}{i}", new=is_new))
    for i, p in enumerate(targets):
        sources.append(Source(p, str(p), f"{NEW_GRAPH}{i}", new=True))

    store = ox.Store()
    for src in sources:
        load_source(store, src)

    # our own checks only read the store: run them while the SHACL engine works
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    own = pool.submit(own_checks, store, sources, shapes_file, bool(targets), root / "seeds")
    try:
        report, baseline = _shacl_in_context(
            store, sources, shapes_file, bool(targets), inference, engine
        )
    except BaseException:
        own.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        raise

    locator = Locator(sources, store)
    new_sources = [s for s in sources if s.new]

    def relevant(r: ShaclResult) -> bool:
        if not targets:
            return True
        if locator.described_by_new(r.focus):
            return True
        return _result_key(r) not in baseline

    kept = [r for r in report.results if relevant(r)]
    terms, dangling_list, duplicates, spans, imports, clashes = own.result()
    pool.shutdown()
    dangling = {t.value: hint for t, hint in dangling_list}

    # locate in bulk: one pass over each file for every node to locate
    wanted: set[str] = {OWL_IMPORTS} if imports else set()
    wanted.update(t.value for t, *_ in terms)
    wanted.update(dangling)
    nodes = [r.focus for r in kept] + [d[0] for d in duplicates] + [n for n, _ in spans]
    nodes += [c.node for c in clashes]
    for node in nodes:
        if node.kind == "uri":
            wanted.add(node.value)
        elif node.kind == "bnode":
            for src in sources:
                anchor = locator.anchor(node, src)
                if anchor is not None:
                    wanted.add(anchor.value)
                    break
    locator.prepare(wanted)

    findings: list[Finding] = []
    for r in kept:
        file, line, anchor = locator.locate(r.focus)
        focus = show_term(r.focus) or ""
        if anchor:
            focus = f"[] (a blank node of {anchor})"
        findings.append(
            Finding(
                file, line, r.severity, focus, shorten_path(r.path),
                _shacl_message(r),
                _shacl_hint(r, dangling), show_term(r.value), r.component,
                _shape_name(r.source_shape), r.focus, r,
            )
        )  # fmt: skip
    for term, severity, check, message, hint in terms:
        file, line = _first_use(locator, new_sources, term.value)
        findings.append(
            Finding(file, line, severity, short(term.value), None, message, hint, None,
                    CHECK_NS + check, "skgsh:" + check, term)
        )  # fmt: skip
    reported_dangling = {
        r.value.value for r in kept if r.value is not None and r.value.kind == "uri"
    }
    for iri, hint in dangling.items():
        if iri in reported_dangling:
            continue
        file, line = _first_use(locator, new_sources, iri)
        findings.append(
            Finding(file, line, "Warning", short(iri), None,
                    f"{short(iri)} is linked to but described nowhere in the graph", hint, None,
                    CHECK_NS + "DanglingLinkCheck", "skgsh:DanglingLinkCheck", Term("uri", iri))
        )  # fmt: skip
    for node, label, other, other_file in duplicates:
        file, line, _ = locator.locate(node)
        findings.append(
            Finding(file, line, "Warning", short(node.value), "rdfs:label",
                    f"the label {label!r} is already the label of {short(other)} ({other_file})",
                    f"reuse {short(other)} instead of a new IRI, or tell them apart in the label",
                    Term("literal", label).n3(), CHECK_NS + "DuplicateLabelCheck",
                    "skgsh:DuplicateLabelCheck", node)
        )  # fmt: skip
    for node, message in spans:
        file, line, anchor = locator.locate(node)
        findings.append(
            Finding(file, line, "Violation", show_term(node) or "", None, message, None, None,
                    CHECK_NS + "EvidenceSpanCheck", "skgsh:EvidenceSpanCheck", node)
        )  # fmt: skip
    for clash in clashes:
        file, line, anchor = locator.locate(clash.node)
        findings.append(_clash_finding(clash, file, line, anchor, sources, locator))
    for subject, target in imports:
        file, line = _first_use(locator, new_sources, OWL_IMPORTS)
        findings.append(
            Finding(file, line, "Warning", show_term(subject) or "", "owl:imports",
                    f"owl:imports <{target}> is not fetched (spacekg never reaches the network)",
                    "add the imported ontology's file to the command line if you need it",
                    f"<{target}>", CHECK_NS + "ImportCheck", "skgsh:ImportCheck", subject)
        )  # fmt: skip

    nowhere = NOWHERE_INFERRED if inference != "none" else NOWHERE
    findings = [f if f.file else replace(f, file=nowhere, line=0) for f in findings]
    order = {s.shown: i for i, s in enumerate(sorted(sources, key=lambda s: not s.new))}
    findings.sort(
        key=lambda f: (order.get(f.file, len(order)), f.line, -SEVERITY_RANK.get(f.severity, 3),
                       f.focus, f.path or "", f.message)
    )  # fmt: skip
    return ValidationReport(
        tuple(str(t) for t in targets) or tuple(s.shown for s in sources),
        tuple(findings),
        report.engine,
        inference,
        report.fallback_reason,
    )


def _clash_finding(
    clash: TypeClash,
    file: str,
    line: int,
    anchor: str | None,
    sources: list[Source],
    locator: Locator,
) -> Finding:
    """A node typed with two disjoint classes: both classes, where the other type is stated,
    and the ontology's disjoint pair behind it."""
    focus = show_term(clash.node) or ""
    if anchor:
        focus = f"[] (a blank node of {anchor})"
    here, other = short(clash.here), short(clash.other)
    a, b = clash.axiom
    part_a = here if a == clash.here else f"{short(a)} (a superclass of {here})"
    part_b = other if b == clash.other else f"{short(b)} (a superclass of {other})"
    why = f"{part_a} and {part_b} are disjoint in the ontology: no node can be both"
    if clash.other_graph is None:
        message = f"typed both {here} and {other} in the files validated; {why}"
        hint = "keep one of the two types, or split the node in two IRIs"
    else:
        where = clash.other_graph
        src = next((s for s in sources if s.graph == clash.other_graph), None)
        if src is not None:
            other_line = locator.line_of(src, clash.node.value) if clash.node.kind == "uri" else 0
            where = f"{src.shown}:{other_line}" if other_line else src.shown
        message = f"typed {here} here but {other} in {where}; {why}"
        hint = f"give the {here.split(':')[-1]} its own IRI, or remove the wrong type"
    return Finding(
        file, line, "Violation", focus, "rdf:type", message, hint, f"<{clash.here}>",
        CHECK_NS + "DisjointClassesCheck", "skgsh:DisjointClassesCheck", clash.node,
    )  # fmt: skip


def _shacl_message(r: ShaclResult) -> str:
    """The shape's message, else the component's name; the offending value appended."""
    message = r.message or short(r.component).replace("sh:", "")
    value = show_term(r.value)
    if value and value not in message and r.value is not None and r.value.value not in message:
        message += f" (value: {value})"
    return message


def _shacl_in_context(
    store: pyoxigraph.Store,
    sources: list[Source],
    shapes_file: Path,
    targets: bool,
    inference: str,
    engine: str,
) -> tuple[ShaclReport, set[Any]]:
    """SHACL over everything, and (with new files) the keys of the context's own results
    (validated from the context files alone, cached per bundle: :mod:`spacekg.validate.baseline`).
    """
    from spacekg.shacl.api import validate_graph
    from spacekg.validate.baseline import context_results

    report = validate_graph(store, shapes_file, inference=inference, engine=engine)  # type: ignore[arg-type]
    baseline: set[Any] = set()
    context_only = [s.path for s in sources if not s.new]
    if targets and context_only:
        baseline = context_results(context_only, shapes_file, inference, engine)
    return report, baseline


def _first_use(locator: Locator, sources: list[Source], iri: str) -> tuple[str, int]:
    for src in sources:
        line = locator.line_of(src, iri)
        if line:
            return src.shown, line
    return (sources[0].shown if sources else ""), 0


@functools.lru_cache(maxsize=10_000)
def _shape_name(key: str) -> str:
    if " " not in key and key.startswith(("http://", "https://", "urn:")):
        return short(key)
    return (
        shorten_path(re.sub(r"(?<![<\w])(https?://[^\s\[\]<>]+)", lambda m: f"<{m.group(1)}>", key))
        or key
    )
