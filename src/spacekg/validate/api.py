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
  (:func:`spacekg.evidence.verify_spans`; the message says where the quote actually is).
* ``owl-imports`` (Warning): an ``owl:imports`` is never fetched.
* ``disjoint-classes`` (Violation): a node typed, through the ``rdfs:subClassOf`` (and
  ``owl:equivalentClass``) closure, with two classes the ontology declares disjoint
  (``owl:disjointWith``, ``owl:AllDisjointClasses``, ``owl:disjointUnionOf``), at least one of the
  two types stated in the new files; the other may be stated in an existing file, which the
  message names with its line (:func:`spacekg.validate.disjoint.disjoint_pairs`). SHACL shapes
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
import gc
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError
from spacekg.namespaces import ONTOLOGY_NS, SHAPES_NS
from spacekg.project import ONTOLOGY_FILE, SHAPES_FILE, bundle_root
from spacekg.terms import short, shorten_path, show_term
from spacekg.validate.baseline import result_key as _result_key
from spacekg.validate.beside import Beside, forks, forks_early
from spacekg.validate.checks import OWL_IMPORTS, CheckContext
from spacekg.validate.locate import (
    CTX_GRAPH,
    NEW_GRAPH,
    Locator,
    NewTerms,
    Source,
    check_file,
    load_source,
)
from spacekg.validate.model import (  # noqa: F401 - re-exported
    FAIL_ON,
    SEVERITY_RANK,
    Finding,
    Issue,
    Severity,
    ValidationReport,
)
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
    jobs: int | None = None,
) -> ValidationReport:
    """Validate ``files`` in the context of the bundled graph (or the bundle itself if none).

    ``jobs``: 2 runs our own checks in a second process beside SHACL (Linux), 1 in this one,
    None: 2 where that process can load the new files itself
    (:func:`spacekg.validate.beside.forks_early`) or they are under
    :data:`spacekg.validate.beside.AUTO_FORK_BYTES` (it then copies the parts of this
    process's store it reads), else 1.
    """
    import pyoxigraph as ox

    from spacekg.shacl.api import prepare

    root = Path(root) if root is not None else bundle_root()
    shapes_file = Path(shapes) if shapes is not None else root / "ontology" / SHAPES_FILE
    if not shapes_file.is_file():
        raise InputError(f"{shapes_file}: no such shapes file (check --shapes)")
    targets = _targets(files)
    sources = _sources(root, targets)
    # nothing frozen by the host application (unfreezing at the end would let its objects go)
    thaw = gc.get_freeze_count() == 0
    store = ox.Store()
    data, early = _load(store, sources, inference, engine, jobs)
    loaded = data.wait if data is not store else lambda: None  # a Twin: once the files are in
    ctx = CheckContext(store, sources, shapes_file, bool(targets), root / "seeds", loaded)
    work = _baseline_work(sources, shapes_file, bool(targets), inference, engine)
    beside = Beside(ctx, work, fork=early or forks(sources, jobs), early=early)
    new_terms = None
    try:
        if early:
            try:
                prepare(data)  # while the checking process loads the files into its own store
            except BaseException:
                beside.cancel()  # busy loading what will not be checked
                raise
            if data.parsed:
                new_terms = NewTerms(data.subjects, data.objects)
            else:  # this store holds them now, with blank nodes of its own: check it instead
                beside.cancel()
                beside = Beside(ctx, work, fork=forks(sources, jobs))
        if thaw and data is not store:
            gc.freeze()  # the engine's millions of acyclic objects: no collection need walk them
        return _report(ctx, data, new_terms, targets, beside, inference, engine)
    finally:
        beside.close()
        if thaw:  # what this call froze, the checking process's start included
            gc.unfreeze()


def _load(
    store: pyoxigraph.Store, sources: list[Source], inference: str, engine: str, jobs: int | None
) -> tuple[Any, bool]:
    """Fill ``store`` with the context; what SHACL validates; whether the new files are left
    to a checking process to load (``early``).

    With the fast engine and no inference, the new files are parsed here for the shapes
    (:class:`spacekg.shacl.api.Twin`) while they load into a store elsewhere: in a process
    that runs our checks on its own copy of the store (``early``; then nothing here needs them
    in this store unless that process fails), else in a thread into this store. Otherwise
    they are loaded first and the store is read.
    """
    from spacekg.shacl.api import Twin, prepare

    new = [s for s in sources if s.new]
    for src in sources:
        if not src.new:
            load_source(store, src)
    paths = [s.path for s in new]
    if inference != "none" or engine == "pyshacl" or not Twin.applies(paths):
        for src in new:
            load_source(store, src)
        return store, False

    def load_new() -> None:
        for src in new:
            load_source(store, src)

    if forks_early(paths, jobs):
        return Twin(store, load_new, paths, threaded=False, collect=True), True
    twin = Twin(store, load_new, paths)
    prepare(twin)
    return twin, False


def _report(
    ctx: CheckContext,
    data: Any,
    new_terms: NewTerms | None,
    targets: list[Path],
    beside: Beside,
    inference: str,
    engine: str,
) -> ValidationReport:
    """The findings of SHACL over ``data`` and of our own checks (running ``beside``), located
    and sorted."""
    sources = ctx.sources
    report, kept, issues, locator = _run(ctx, data, new_terms, beside, inference, engine)
    dangling = {i.node.value: i.hint for i in issues if i.check == "DanglingLinkCheck"}
    reported = {r.value.value for r in kept if r.value is not None and r.value.kind == "uri"}
    issues = [
        i for i in issues if not (i.check == "DanglingLinkCheck" and i.node.value in reported)
    ]
    locator.prepare(_wanted(kept, issues, sources, locator))
    findings = [_shacl_finding(r, locator, dangling) for r in kept]
    findings += [_issue_finding(i, locator, sources) for i in issues]
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


def _targets(files: Sequence[Path | str]) -> list[Path]:
    """The files to validate: each file, every RDF file below each folder; all readable."""
    from spacekg.rdfio import rdf_files

    targets: list[Path] = []
    for f in map(Path, files):
        if f.is_dir():
            found = rdf_files(f)
            if not found:
                raise InputError(f"{f}: no RDF file in this folder (.ttl .nt .jsonld .rdf ...)")
            targets.extend(found)
        else:
            targets.append(f)
    for t in targets:
        check_file(t)
    return targets


def _sources(root: Path, targets: list[Path]) -> list[Source]:
    """The context files (ontology, bundled data) and the new files, each with its graph."""
    resolved_targets = {t.resolve() for t in targets}

    def shown(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(root.resolve()))
        except ValueError:
            return str(p)

    ontology = root / "ontology" / ONTOLOGY_FILE
    context_paths = [ontology, *sorted((root / "data").glob("*.ttl"))]
    sources: list[Source] = []
    for i, p in enumerate(context_paths):
        if p.resolve() in resolved_targets or not p.is_file():
            continue
        is_new = not targets and p != ontology  # no files: the data files are validated
        sources.append(Source(p, shown(p), f"{CTX_GRAPH}{i}", new=is_new))
    for i, p in enumerate(targets):
        sources.append(Source(p, str(p), f"{NEW_GRAPH}{i}", new=True))
    return sources


def _run(
    ctx: CheckContext,
    data: Any,
    new_terms: NewTerms | None,
    beside: Beside,
    inference: str,
    engine: str,
) -> tuple[ShaclReport, list[ShaclResult], list[Issue], Locator]:
    """SHACL, with our own checks running ``beside`` it (they only read the store); the SHACL
    results that belong to the new files. ``new_terms``: the locator's answers for the new
    files, which this store may not hold."""
    try:
        report, baseline = _shacl_in_context(data, ctx.shapes_file, beside, inference, engine)
        if new_terms is None:
            ctx.loaded()
    except BaseException:
        beside.cancel()
        raise
    if not beside.checks_done():
        beside.read_here()  # idle until the checks end: index the files meanwhile
    locator = Locator(ctx.sources, ctx.store, remote=beside.lines, new_terms=new_terms)

    def relevant(r: ShaclResult) -> bool:
        if not ctx.targets or locator.described_by_new(r.focus):
            return True
        return _result_key(r) not in baseline

    kept = [r for r in report.results if relevant(r)]
    return report, kept, beside.issues(), locator


def _wanted(
    kept: list[ShaclResult], issues: list[Issue], sources: list[Source], locator: Locator
) -> set[str]:
    """Every IRI to find in the files, so that they are read once for all of them."""
    wanted = {i.node.value for i in issues if i.at_first_use and i.node.kind == "uri"}
    if any(i.check == "ImportCheck" for i in issues):
        wanted.add(OWL_IMPORTS)
    nodes = [r.focus for r in kept] + [i.node for i in issues if not i.at_first_use]
    for node in nodes:
        if node.kind == "uri":
            wanted.add(node.value)
        elif node.kind == "bnode":
            for src in sources:
                anchor = locator.anchor(node, src)
                if anchor is not None:
                    wanted.add(anchor.value)
                    break
    return wanted


def _shacl_finding(r: ShaclResult, locator: Locator, dangling: dict[str, str | None]) -> Finding:
    file, line, anchor = locator.locate(r.focus)
    return Finding(
        file=file,
        line=line,
        severity=Severity(r.severity),
        focus=f"[] (a blank node of {anchor})" if anchor else show_term(r.focus) or "",
        path=shorten_path(r.path),
        message=_shacl_message(r),
        hint=_shacl_hint(r, dangling),
        value=show_term(r.value),
        component=r.component,
        shape=_shape_name(r.source_shape),
        focus_term=r.focus,
        result=r,
    )


def _issue_finding(issue: Issue, locator: Locator, sources: list[Source]) -> Finding:
    anchor = None
    if issue.at_first_use:
        iri = OWL_IMPORTS if issue.check == "ImportCheck" else issue.node.value
        file, line = _first_use(locator, [s for s in sources if s.new], iri)
    else:
        file, line, anchor = locator.locate(issue.node)
    if issue.node.kind == "uri" and issue.check != "ImportCheck":
        focus = short(issue.node.value)
    else:
        focus = show_term(issue.node) or ""
    if anchor and issue.check == "DisjointClassesCheck":
        focus = f"[] (a blank node of {anchor})"
    message = issue.message
    if issue.where_graph is not None:
        message = message.replace("{where}", _where(issue, locator, sources))
    return Finding(
        file=file,
        line=line,
        severity=issue.severity,
        focus=focus,
        path=issue.path,
        message=message,
        hint=issue.hint,
        value=issue.value,
        component=CHECK_NS + issue.check,
        shape="skgsh:" + issue.check,
        focus_term=issue.node,
    )


def _where(issue: Issue, locator: Locator, sources: list[Source]) -> str:
    """``file:line`` of the context file (graph ``issue.where_graph``) stating the node."""
    src = next((s for s in sources if s.graph == issue.where_graph), None)
    if src is None:
        return str(issue.where_graph)
    line = locator.line_of(src, issue.node.value) if issue.node.kind == "uri" else 0
    return f"{src.shown}:{line}" if line else src.shown


def _shacl_message(r: ShaclResult) -> str:
    """The shape's message, else the component's name; the offending value appended."""
    message = r.message or short(r.component).replace("sh:", "")
    value = show_term(r.value)
    if value and value not in message and r.value is not None and r.value.value not in message:
        message += f" (value: {value})"
    return message


def _baseline_work(
    sources: list[Source], shapes_file: Path, targets: bool, inference: str, engine: str
) -> Callable[[], set[Any]] | None:
    """With new files: the work that gives the keys of the context's own SHACL results
    (validated from the context files alone, cached per bundle: :mod:`spacekg.validate.baseline`);
    None without new files or context."""
    from spacekg.validate.baseline import context_results

    context_only = [s.path for s in sources if not s.new]
    if not targets or not context_only:
        return None
    return lambda: context_results(context_only, shapes_file, inference, engine)


def _shacl_in_context(
    data: Any, shapes_file: Path, beside: Beside, inference: str, engine: str
) -> tuple[ShaclReport, set[Any]]:
    """SHACL over everything, and the keys of the context's own results (from ``beside``)."""
    from spacekg.shacl.api import Twin, validate_graph

    report = validate_graph(data, shapes_file, inference=inference, engine=engine)  # type: ignore[arg-type]
    if isinstance(data, Twin):
        data.release()  # validated: the report needs none of it
    baseline: set[Any] = beside.baseline() if beside.has_baseline else set()
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
