"""Rendering a :class:`spacekg.validate.api.ValidationReport`: text, JSON, the SHACL report graph.

The text report has one line per finding, ``file:line: severity: focus: path: message`` (a
finding in no file: ``(inferred)`` or ``(no file)`` alone in the position), then a summary; on
huge reports a summary per shape and constraint comes first. :mod:`spacekg.validate.api`
re-exports these functions.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from spacekg.terms import Term

if TYPE_CHECKING:
    from spacekg.validate.model import Finding, ValidationReport

NOWHERE_INFERRED = "(inferred)"  # the file of a result whose focus node only an entailment made
NOWHERE = "(no file)"  # the file of a result whose focus node no file writes


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def verdict(report: ValidationReport, fail_on: str = "violation") -> str:
    """The one verdict ``validate`` and ``check`` both print for the same data.

    ``conforms`` (``conforms, with 2 warnings``) when no result is at or above ``fail_on``, else
    ``does not conform: 3 violations, 2 warnings``. SHACL's own ``sh:conforms`` (false on any
    result, warnings included) is kept in the Turtle report.
    """
    counts = report.counts()
    listed = [
        _count(counts[sev], word)
        for sev, word in (("Violation", "violation"), ("Warning", "warning"), ("Info", "info"))
        if counts.get(sev)
    ]
    if report.fails(fail_on):
        return "does not conform: " + ", ".join(listed)
    return "conforms" + (", with " + ", ".join(listed) if listed else "")


def render_text(report: ValidationReport, limit: int = 20, fail_on: str = "violation") -> str:
    """One line per finding, ``file:line: severity: focus: path: message``, then a summary.

    When there are more findings than ``limit`` (0 = no limit), a summary per shape and
    constraint comes first, then the first ``limit`` findings of each group.
    """
    lines: list[str] = []
    findings = report.findings
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.group, []).append(f)
    if limit and len(findings) > limit:
        lines.append(f"{len(findings)} results in {len(groups)} groups (shape, constraint):")
        for (shape, comp), items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            sev = Counter(f.severity.lower() for f in items)
            sevs = ", ".join(f"{n} {s}" for s, n in sorted(sev.items()))
            name = shape if shape == comp else f"{shape}  {comp}"
            lines.append(f"  {len(items):>7}  {name}  ({sevs})")
        lines.append("")
        for (shape, comp), items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            name = shape if shape == comp else f"{shape} {comp}"
            lines.append(f"# {name}: first {min(limit, len(items))} of {len(items)}")
            lines.extend(_line(f) for f in items[:limit])
            if len(items) > limit:
                lines.append(f"# ... {len(items) - limit} more (use --limit 0 to see all)")
    else:
        lines.extend(_line(f) for f in findings)
    engine = report.engine + (
        f" (fallback: {report.fallback_reason})" if report.fallback_reason else ""
    )
    lines.append(
        f"{verdict(report, fail_on)} in {_count(len(report.files), 'file')} "
        f"[engine {engine}, inference {report.inference}]"
    )
    return "\n".join(lines) + "\n"


def _line(f: Finding) -> str:
    if f.file.startswith("(") or not f.file:  # (inferred), (no file): no position to give
        where = f.file or NOWHERE
    else:
        where = f"{f.file}:{f.line or '?'}"
    message = f.message.replace("\n", " ")
    if f.hint:
        message += f" ({f.hint})"
    return f"{where}: {f.severity.lower()}: {f.focus}: {f.path or '-'}: {message}"


def render_json(report: ValidationReport, fail_on: str = "violation") -> str:
    """All findings as JSON (no limit), with counts; stable key order.

    ``conforms`` is the verdict of the text report at ``fail_on``; ``shacl_conforms`` is
    SHACL's (false on any result).
    """
    doc = {
        "conforms": not report.fails(fail_on),
        "fail_on": fail_on,
        "shacl_conforms": not report.findings,
        "engine": report.engine,
        "inference": report.inference,
        "fallback_reason": report.fallback_reason,
        "files": list(report.files),
        "counts": report.counts(),
        "results": [
            {
                "file": f.file,
                "line": f.line,
                "severity": f.severity,
                "focus": f.focus,
                "focus_iri": f.focus_term.value
                if f.focus_term and f.focus_term.kind == "uri"
                else None,
                "path": f.path,
                "value": f.value,
                "message": f.message,
                "hint": f.hint,
                "component": f.component,
                "shape": f.shape,
            }
            for f in report.findings
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: ValidationReport) -> str:
    """The standard SHACL validation report (our own checks as results with skgsh: components)."""

    from spacekg.shacl.api import ShaclReport, ShaclResult, report_to_turtle

    labels: dict[str, Term] = {}

    def stable(t: Term | None) -> Term | None:
        # blank-node ids differ from run to run: number them in report order instead
        if t is None or t.kind != "bnode":
            return t
        return labels.setdefault(t.value, Term("bnode", f"b{len(labels) + 1}"))

    results = []
    for f in report.findings:
        if f.result is not None:
            results.append(
                replace(f.result, focus=stable(f.result.focus), value=stable(f.result.value))
            )
            continue
        focus = f.focus_term or Term("literal", f.focus)
        message = f.message + (f" ({f.hint})" if f.hint else "")
        results.append(
            ShaclResult(focus, None, None, f.component, f.component, f.severity, message)
        )
    return report_to_turtle(
        ShaclReport(conforms=not results, results=tuple(results), engine=report.engine)
    )
