"""What `spacekg validate` reports: typed, keyword-built findings and the report that holds them.

:class:`Finding` is one located, plain-words result, a SHACL result or one of validate's own
checks (:mod:`spacekg.validate.checks`, which yield :class:`Issue`\\ s before they are located).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from spacekg.terms import Term, short


class Severity(StrEnum):
    """SHACL's three severities (``sh:Violation``, ``sh:Warning``, ``sh:Info``)."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.value]


SEVERITY_RANK = {"Info": 1, "Warning": 2, "Violation": 3}
FAIL_ON = {"info": 1, "warning": 2, "violation": 3}


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One located, plain-words result (a SHACL result or one of our own checks)."""

    file: str  # as given on the command line, or relative to the bundle root; "" if unknown
    line: int  # 1-based; 0 = not found in the file
    severity: Severity
    focus: str  # display form: skgid:x, <iri>, [] …
    path: str | None = None  # display form of the property path, None for node-level results
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

    @property
    def conforms(self) -> bool:
        """No violation (warnings and infos do not break conformance of the graph we keep)."""
        return not self.fails("violation")


@dataclass(frozen=True, kw_only=True)
class Issue:
    """One result of a check of our own, before it is located in the files.

    ``node`` is located where the files describe it, or (``at_first_use``) at the first line of
    the new files that uses its IRI."""

    check: str  # the check's name, e.g. "UnknownTermCheck" (its component is skgsh:<check>)
    severity: Severity
    node: Term
    message: str
    hint: str | None = None
    path: str | None = None
    value: str | None = None
    at_first_use: bool = False
    #: a context file's graph named in ``message`` as ``{where}`` (filled in as ``file:line``)
    where_graph: str | None = None
