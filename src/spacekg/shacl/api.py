"""SHACL validation: one result model, two engines (our fast one, and pySHACL, the reference).

Call :func:`validate_graph`; it returns a frozen :class:`ShaclReport` of :class:`ShaclResult`
(focus, path, value, component, source_shape, severity, message); :func:`report_to_turtle`
writes the standard ``sh:ValidationReport`` graph. Engines:

- ``"fast"``: :mod:`spacekg.shacl.fast`, pyoxigraph's parser feeding set-based checks in Python
  (no store, no rdflib).
- ``"pyshacl"``: pySHACL 0.40 on rdflib graphs built from the same parse.
- ``"auto"`` (the default): ``"fast"``; pySHACL whenever the fast engines raise
  :class:`Unsupported` for a shapes graph (SHACL-SPARQL, SHACL-AF, recursion…).

Inference ``"rdfs"``/``"owlrl"`` is the same for every engine: the entailments of
:func:`spacekg.reasoning.infer` are added to the data graph (:mod:`spacekg.shacl.inference`), and
the engine runs without inference of its own, so engines agree and owlrl's axioms about the OWL
vocabulary (``owl:Thing``, ``owl:Nothing``) are never validated as if they were our terms.
  ``report.engine`` says which ran, ``report.fallback_reason`` why it fell back. The exact list
  of supported features is in :mod:`spacekg.shacl.fast`.

Inference ``"none"`` is the project's default: SHACL's ``rdf:type/rdfs:subClassOf*`` already
covers the class hierarchy, and a range axiom must not retype a wrongly typed link.
``conforms`` follows the spec (no result of any severity); ``violations``/``warnings`` count.

The result model, terms, paths and shape keys live in :mod:`spacekg.shacl.model`, file reading in
:mod:`spacekg.shacl.loading`; this module re-exports both. Data files are parsed with pyoxigraph
in every case (Turtle, N-Triples, N-Quads, TriG, JSON-LD,
RDF/XML, by extension): no remote JSON-LD context is fetched, no XML external entity resolved.
Errors are :class:`spacekg.errors.InputError` naming ``file:line:col``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import PurePath
from typing import Any

from spacekg.errors import InputError
from spacekg.shacl.loading import (  # noqa: F401 - re-exported
    Twin,
    _rewrite_wrapped,
    _to_rdflib,
    build_store,
    load_into,
    rdf_format,
    read_triples,
    shapes_index,
)
from spacekg.shacl.model import (  # noqa: F401 - re-exported
    RDF,
    RDF_LANGSTRING,
    RDFS,
    SEVERITIES,
    SH,
    SURROGATE_NS,
    WRAPPED_TYPES,
    XSD,
    XSD_STRING,
    DataInput,
    Engine,
    Inference,
    PathExpr,
    PathLike,
    ShaclReport,
    ShaclResult,
    TripleIndex,
    Unsupported,
    parse_path,
    path_to_sparql,
    path_to_turtle,
    shape_key,
    term_from_ox,
    term_from_rdflib,
)
from spacekg.shacl.wellformed import ShapesRefused, check_shapes
from spacekg.terms import Term

# --------------------------------------------------------------------------- engines


def validate_graph(
    data: DataInput,
    shapes: PathLike | Sequence[PathLike] | None = None,
    *,
    ontology: PathLike | Sequence[PathLike] | None = None,
    inference: Inference = "none",
    engine: Engine = "auto",
) -> ShaclReport:
    """Validate ``data`` (file path(s) or a pyoxigraph Store) against ``shapes``.

    ``shapes`` defaults to the bundled ontology/shapes.ttl. ``ontology`` (path(s)) is merged into
    the data graph, so the class hierarchy is visible to ``sh:class`` and ``sh:targetClass``.
    From a Store, the data graph is the union of all its graphs.

    Inference "rdfs"/"owlrl": the entailments of :func:`spacekg.reasoning.infer` (no W3C
    vocabulary noise) are added to the data graph first, the same for every engine
    (:mod:`spacekg.shacl.inference`); no engine runs an inference of its own.
    Engines: "fast" is :mod:`spacekg.shacl.fast` (parse + set-based checks in Python); "pyshacl"
    the reference. "auto" is "fast", and falls back to pySHACL when the fast engine declines the
    shapes graph (``report.fallback_reason`` says why).
    """
    if inference not in ("none", "rdfs", "owlrl"):
        raise InputError(f"unknown inference {inference!r}", hint="use none, rdfs or owlrl")
    if engine not in ("auto", "fast", "pyshacl"):
        raise InputError(f"unknown SHACL engine {engine!r}", hint="use auto, fast or pyshacl")
    if shapes is None:
        from spacekg.project import shapes_path

        shapes = shapes_path()
    g, shapes_quads = shapes_index(shapes)
    try:
        check_shapes(g)  # malformed shapes are bad input for every engine
        return _validate(data, g, shapes_quads, ontology, inference, engine)
    except ShapesRefused as err:
        names = [str(shapes)] if isinstance(shapes, str | PurePath) else [str(p) for p in shapes]
        raise InputError(
            f"{', '.join(names)}: malformed shapes graph: {err.message}", hint="fix the shapes file"
        ) from None


def _validate(
    data: DataInput,
    g: TripleIndex,
    shapes_quads: Any,
    ontology: PathLike | Sequence[PathLike] | None,
    inference: Inference,
    engine: Engine,
) -> ShaclReport:
    if inference != "none":  # the same entailments for every engine (see spacekg.shacl.inference)
        from spacekg.shacl.inference import entailed_store

        data, ontology, inference = entailed_store(data, ontology, inference), None, "none"
    if engine == "pyshacl":
        return _validate_pyshacl(build_store(data, ontology), g, shapes_quads, inference, None)
    try:
        results = _validate_fast(data, ontology, g)
    except Unsupported as err:
        if engine != "auto":
            raise InputError(
                f"the fast SHACL engine does not support this shapes graph: {err}",
                hint="use --engine pyshacl or auto",
            ) from err
        return _validate_pyshacl(build_store(data, ontology), g, shapes_quads, inference, str(err))
    results = tuple(sorted(results, key=_sort_key))
    return ShaclReport(conforms=not results, results=results, engine="fast")


def prepare(data: Twin) -> None:
    """Build the fast engine's data graph of ``data`` now (the parse, while the store loads),
    so that :func:`validate_graph` of ``data`` finds it built."""
    from spacekg.shacl import fast

    with _no_gc():
        data.data(fast.Data)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Millions of small, acyclic objects: the cyclic collector would only cost time."""
    import gc

    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc_was_on:
            gc.enable()


def _validate_fast(data: DataInput, ontology: Any, g: TripleIndex) -> list[ShaclResult]:
    from spacekg.shacl import fast

    with _no_gc():
        if isinstance(data, Twin) and ontology is None:
            return fast.validate_data(data.data(fast.Data), g)
        return fast.validate_data(fast.Data(read_triples(data, ontology)), g)


def term_key(t: Term | None) -> tuple[str, str, str, str]:
    """A total order on optional terms (Term's own order fails on None datatypes)."""
    if t is None:
        return ("", "", "", "")
    return (t.kind, t.value, t.datatype or "", t.lang or "")


def _sort_key(r: ShaclResult) -> tuple[Any, ...]:
    return (
        r.source_shape,
        r.component,
        term_key(r.focus),
        r.path or "",
        term_key(r.value),
        r.message,
    )


def _validate_pyshacl(
    store: Any, g: TripleIndex, shapes_quads: Any, inference: str, reason: str | None
) -> ShaclReport:
    import pyshacl
    from rdflib import Namespace

    sh = Namespace(SH)
    import pyoxigraph as ox

    data_graph = _to_rdflib(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    shacl_graph = _to_rdflib(shapes_quads)
    # shape keys must be computed on the very graph pySHACL reports about
    sg = TripleIndex.from_rdflib(shacl_graph)
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    try:
        _conforms, report, _text = pyshacl.validate(
            data_graph,
            shacl_graph=shacl_graph,
            inference=None if inference == "none" else inference,
            abort_on_first=False,
            allow_infos=False,
            allow_warnings=False,
            meta_shacl=False,
            advanced=False,
            js=False,
            inplace=True,
        )
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError, re.error) as err:
        from spacekg.shacl.wellformed import ShapesRefused

        text = " ".join(str(getattr(err, "message", err)).split())
        raise ShapesRefused(f"pySHACL refuses it: {text[:300]}") from None
    rg = TripleIndex.from_rdflib(report)
    results: list[ShaclResult] = []
    for node in report.objects(None, sh.result):  # not the nested sh:detail results
        n = term_from_rdflib(node)
        focus = rg.value(n, SH + "focusNode")
        path_node = rg.value(n, SH + "resultPath")
        path_expr = parse_path(rg, path_node) if path_node is not None else None
        shape = rg.value(n, SH + "sourceShape")
        sev = rg.value(n, SH + "resultSeverity")
        msgs = rg.objects(n, SH + "resultMessage")
        comp = rg.value(n, SH + "sourceConstraintComponent")
        assert focus is not None and comp is not None and shape is not None
        results.append(
            ShaclResult(
                focus=focus,
                path=path_to_sparql(path_expr) if path_expr else None,
                value=rg.value(n, SH + "value"),
                component=comp.value,
                source_shape=shape_key(sg, shape),
                severity=SEVERITIES.get(sev.value, sev.value) if sev else "Violation",
                message=_pick_message(msgs),
                path_expr=path_expr,
            )
        )
    res = tuple(sorted(results, key=_sort_key))
    return ShaclReport(conforms=not res, results=res, engine="pyshacl", fallback_reason=reason)


def _pick_message(msgs: Sequence[Term]) -> str:
    if not msgs:
        return ""
    for m in msgs:
        if m.lang in (None, "en") or (m.lang or "").startswith("en-"):
            return m.value
    return msgs[0].value


# --------------------------------------------------------------------------- report output

_SEVERITY_IRIS = {v: k for k, v in SEVERITIES.items()}


def report_to_turtle(report: ShaclReport) -> str:
    """The standard SHACL validation report graph (``sh:ValidationReport``), as Turtle.

    Deterministic: results in a stable order, blank nodes written inline. Blank-node focus
    nodes and values keep their labels (``_:label``); blank-node source shapes, which only the
    shapes graph can name, are written as a blank node with an ``rdfs:comment`` of their key.
    """
    lines = [
        f"@prefix sh: <{SH}> .",
        f"@prefix rdfs: <{RDFS}> .",
        f"@prefix xsd: <{XSD}> .",
        "",
        "[] a sh:ValidationReport ;",
        f"    sh:conforms {'true' if report.conforms else 'false'}"
        + (" ;" if report.results else " ."),
    ]
    ordered = sorted(report.results, key=_sort_key)
    for i, r in enumerate(ordered):
        sev = _SEVERITY_IRIS.get(r.severity, r.severity)
        parts = [
            "a sh:ValidationResult",
            f"sh:focusNode {_turtle_term(r.focus)}",
        ]
        if r.path_expr is not None:
            parts.append(f"sh:resultPath {path_to_turtle(r.path_expr)}")
        if r.value is not None:
            parts.append(f"sh:value {_turtle_term(r.value)}")
        parts.append(f"sh:resultSeverity <{sev}>")
        parts.append(f"sh:sourceConstraintComponent <{r.component}>")
        if r.source_shape.startswith(("http://", "https://", "urn:")) and " " not in r.source_shape:
            parts.append(f"sh:sourceShape <{r.source_shape}>")
        else:
            parts.append(
                f"sh:sourceShape [ rdfs:comment {_turtle_term(Term('literal', r.source_shape))} ]"
            )
        if r.message:
            parts.append(f"sh:resultMessage {_turtle_term(Term('literal', r.message))}")
        body = " ;\n        ".join(parts)
        end = " ," if i < len(ordered) - 1 else " ."
        prefix = "    sh:result " if i == 0 else "        "
        lines.append(f"{prefix}[\n        {body}\n    ]{end}")
    return "\n".join(lines) + "\n"


def _turtle_term(t: Term) -> str:
    if t.kind == "bnode":
        return "_:" + "".join(c if c.isalnum() else "_" for c in t.value)
    if t.kind == "literal" and t.datatype and t.datatype != XSD_STRING and not t.lang:
        return Term("literal", t.value).n3() + f"^^<{t.datatype}>"
    return t.n3()
