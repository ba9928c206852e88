"""Plain result objects shared by every query backend (in memory, embedded store, endpoint).

Terms mirror the W3C SPARQL 1.1 Query Results JSON format, so a result from any backend can be
rendered, compared with a golden file, or written in any W3C result format the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TermKind = Literal["uri", "literal", "bnode"]


@dataclass(frozen=True, order=True)
class Term:
    """An RDF term as in SPARQL JSON results: kind, lexical value, datatype or language."""

    kind: TermKind
    value: str
    datatype: str | None = None
    lang: str | None = None

    def n3(self) -> str:
        """The term in N-Triples syntax."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        escaped = (
            self.value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if self.lang:
            return f'"{escaped}"@{self.lang}'
        if self.datatype and self.datatype != "http://www.w3.org/2001/XMLSchema#string":
            return f'"{escaped}"^^<{self.datatype}>'
        return f'"{escaped}"'


@dataclass(frozen=True)
class QueryResult:
    """The result of one SPARQL query.

    ``form`` is ``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE). For ``select``:
    ``variables`` and ``rows`` (a row holds one Term or None per variable). For ``ask``:
    ``boolean``. For ``graph``: ``triples`` as (s, p, o) Terms.
    """

    form: Literal["select", "ask", "graph"]
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[tuple[Term, Term, Term], ...] = field(default_factory=tuple)
