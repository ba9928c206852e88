"""RDF terms as plain values, and the one way each is written or shown.

:class:`Term` mirrors the W3C SPARQL 1.1 Query Results JSON format, so a result from any backend
(in memory, embedded store, endpoint) can be rendered, compared with a golden file, or written in
any W3C result format the same way. :func:`escape_literal` is the one N-Triples/Turtle string
escaper; :func:`short` the one prefixed-name shortener (:func:`cell` and :func:`show_term` build
on it for tables and messages).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Literal

from spacekg.namespaces import TERM_PREFIXES, XSD_STRING

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
        return literal_n3(self.value, self.lang, self.datatype)


def literal_n3(value: str, lang: object = None, datatype: object = None) -> str:
    """A literal in N-Triples syntax (``datatype`` an IRI string or rdflib URIRef; xsd:string
    left implicit)."""
    escaped = escape_literal(value)
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype and datatype != XSD_STRING:
        return f'"{escaped}"^^<{datatype}>'
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


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def escape_literal(text: str) -> str:
    """The body of an N-Triples/Turtle string literal (backslash, quote, LF and CR escaped)."""
    return text.translate(_ESCAPES)


_LOCAL = re.compile(r"[A-Za-z0-9_][\w.-]*")


def short(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """``skg:hasMember`` when a namespace of ``prefixes`` (default: spacekg's) fits, else
    ``<iri>``. The longest namespace wins; the local name must be a plain prefixed-name local."""
    if prefixes is None:
        return _short_known(iri)
    return _short(iri, prefixes)


@functools.lru_cache(maxsize=200_000)
def _short_known(iri: str) -> str:
    return _short(iri, TERM_PREFIXES)


def _short(iri: str, prefixes: dict[str, str]) -> str:
    best, best_prefix = "", ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, best_prefix = ns, prefix
    if best:
        local = iri[len(best) :]
        if _LOCAL.fullmatch(local) and not local.endswith("."):
            return f"{best_prefix}:{local}"
    return f"<{iri}>"


def split_iri(iri: str) -> tuple[str, str]:
    """(namespace, local name): split after the last ``#``, ``/`` or ``:``."""
    m = re.match(r"^(.*[#/:])([^#/:]*)$", iri)
    return (m.group(1), m.group(2)) if m else (iri, "")


@functools.lru_cache(maxsize=10_000)
def shorten_path(path: str | None) -> str | None:
    """A SPARQL property path with each ``<iri>`` shortened."""
    if path is None:
        return None
    return re.sub(r"<([^<>]*)>", lambda m: short(m.group(1)), path)


def show_term(term: Term | None) -> str | None:
    """A term for a message: a prefixed name, ``[]`` for a blank node, a literal clipped to 60."""
    if term is None:
        return None
    if term.kind == "uri":
        return short(term.value)
    if term.kind == "bnode":
        return "[]"
    text = term.value if len(term.value) <= 60 else term.value[:57] + "..."
    shown = Term("literal", text, term.datatype, term.lang).n3()
    if term.datatype:
        shown = shown.replace(f"<{term.datatype}>", short(term.datatype))
    return shown


def cell(term: Term | None, prefixes: dict[str, str] | None = None) -> str:
    """A term for a table cell: a prefixed name when one fits, literals as their plain text."""
    if term is None:
        return ""
    if term.kind == "literal":
        return " ".join(term.value.split("\n")).replace("\r", "").replace("\t", " ")
    if term.kind == "bnode":
        return f"_:{term.value}"
    return short(term.value, prefixes)
