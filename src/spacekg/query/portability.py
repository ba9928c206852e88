"""Idioms that give different answers on different SPARQL stores, found in a query's text.

Each was measured (tests/test_conformance.py; docs/stores.md, "Writing portable queries"):

``transitive-path``
    A ``*`` or ``+`` property path (``a/rdfs:subClassOf*``, ``rdfs:subPropertyOf*``) joined with
    other patterns loses rows on Virtuoso 7.2, depending on the plan (and can make it fail with
    SQ142). Over the entailments (``--inferred``, the default engine) ``?x a C`` is enough; for a
    property, ``FILTER (?p = P || EXISTS { ?p rdfs:subPropertyOf P })``.
``coalesce-expression``
    ``COALESCE(?x = ?unbound, true)``: SPARQL 1.1 skips an argument that raises an error, Virtuoso
    does not (the whole COALESCE is false). Give COALESCE terms only: an optional parameter is
    tested as ``COALESCE(?__p_iri, ?x) = ?x``.
``bag-aggregate``
    ``COUNT``, ``SUM``, ``AVG`` or ``GROUP_CONCAT`` without ``DISTINCT``: over the union default
    graph a triple in two named graphs counts twice on Oxigraph and Virtuoso, once on Jena TDB2
    (and under RDF merge).
``select-without-distinct``
    A top-level ``SELECT`` with neither ``DISTINCT``/``REDUCED`` nor ``GROUP BY``: for the same
    reason, the number of identical rows differs between stores.

And one idiom that answers the same everywhere but can cost minutes on a large store:

``bind-splits-pattern``
    A ``BIND`` followed, in the same group, by a triple pattern. The ``BIND`` ends the basic graph
    pattern, and Oxigraph 0.5 evaluated the patterns after it without the bindings before it:
    ``tensions`` over 1M triples took more than 600 s, and 0.4 s with its ``BIND``s after the
    triple patterns (docs/stores.md, "And fast on a large store").

Only a lexer is used (:mod:`spacekg.query.sparqltext`): strings, IRIs and comments never match.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from spacekg.query import sparqltext
from spacekg.query.sparqltext import Token

if TYPE_CHECKING:
    from spacekg.query.catalogue import StoredQuery

HINTS = {
    "transitive-path": (
        "a * or + property path joined with other patterns loses rows on Virtuoso; over the "
        "entailments write ?x a C for a/rdfs:subClassOf* C, or FILTER (?p = P || EXISTS "
        "{ ?p rdfs:subPropertyOf P }) for rdfs:subPropertyOf*"
    ),
    "coalesce-expression": (
        "an expression inside COALESCE that can raise an error is false on Virtuoso, skipped "
        "in SPARQL 1.1; give COALESCE terms only, e.g. COALESCE(?__p_iri, ?x) = ?x"
    ),
    "bag-aggregate": (
        "without DISTINCT the count depends on how the store builds the union default graph "
        "(a triple in two graphs counts twice on Oxigraph and Virtuoso, once on Jena TDB2); "
        "write COUNT(DISTINCT ...)"
    ),
    "select-without-distinct": (
        "without DISTINCT or GROUP BY the number of identical rows depends on how the store "
        "builds the union default graph; write SELECT DISTINCT"
    ),
    "bind-splits-pattern": (
        "a triple pattern after a BIND in the same group is joined without the BIND's "
        "bindings on Oxigraph (minutes on a large store); put the BINDs after the group's "
        "triple patterns"
    ),
}
#: the idioms that answer the same everywhere but are slow (the others are not portable)
SLOW_CODES = {"bind-splits-pattern"}
#: keywords followed by a term or a variable list that is not a triple pattern
_SKIP_TO_BLOCK = {"GRAPH", "SERVICE", "VALUES"}
_AGGREGATES = {"COUNT", "SUM", "AVG", "GROUP_CONCAT"}
_OPERATORS = {"=", "!", "<", ">", "&", "|", "+", "-", "*", "/"}


@dataclass(frozen=True)
class Finding:
    """One non-portable idiom: where it is and what to write instead."""

    source: str
    line: int
    code: str  # a key of HINTS

    @property
    def message(self) -> str:
        return f"{self.source}:{self.line}: {self.code}: {HINTS[self.code]}"


def _line(text: str, tok: Token) -> int:
    return text.count("\n", 0, tok.start) + 1


def _closing(toks: list[Token], open_at: int, pair: str = "()") -> int:
    """Index of the bracket that closes the one at ``open_at`` (``pair``: the opening and the
    closing bracket), or the last token."""
    depth = 0
    for j in range(open_at, len(toks)):
        if toks[j].text == pair[0]:
            depth += 1
        elif toks[j].text == pair[1]:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def _transitive_paths(toks: list[Token]) -> list[Token]:
    """``*``/``+`` after a predicate (a name, an IRI, ``a`` or a ``)``) in a graph pattern, at
    the pattern's own level (inside FILTER/BIND parentheses they are arithmetic)."""
    found = []
    braces = 0
    parens: list[int] = []  # brace depth at each open parenthesis
    for i, tok in enumerate(toks):
        if tok.text == "{":
            braces += 1
        elif tok.text == "}":
            braces -= 1
        elif tok.text == "(":
            parens.append(braces)
        elif tok.text == ")":
            if parens:
                parens.pop()
        elif tok.text in ("*", "+") and braces > 0 and i > 0:
            in_expression = bool(parens) and parens[-1] == braces and _expression_parens(toks, i)
            prev = toks[i - 1]
            after_predicate = prev.kind in ("word", "iri") or prev.text == ")"
            if prev.kind == "word" and prev.upper in ("SELECT", "DISTINCT", "REDUCED"):
                continue
            if after_predicate and not in_expression:
                found.append(tok)
    return found


def _expression_parens(toks: list[Token], i: int) -> bool:
    """Is token ``i`` inside parentheses opened by an expression (FILTER, BIND, a function call,
    a projection) rather than a path group like ``?x (p|q)+ ?y``?"""
    depth = 0
    for j in range(i - 1, -1, -1):
        text = toks[j].text
        if text == ")":
            depth += 1
        elif text == "(":
            if depth > 0:
                depth -= 1
                continue
            before = toks[j - 1] if j > 0 else None
            if before is None:
                return True
            if before.kind == "var" or before.text in ("/", "|", "^", ";", ".", "{", "}"):
                return False  # a path group after a subject or a path operator
            if before.kind == "iri" or (before.kind == "word" and ":" in before.text):
                nxt = toks[j + 1] if j + 1 < len(toks) else None
                return nxt is not None and nxt.kind in ("var", "string")  # xsd:integer(?x)
            return True  # FILTER (, BIND (, STR (, a nested parenthesis ...
    return False


def _coalesce_expressions(toks: list[Token]) -> list[Token]:
    found = []
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.upper == "COALESCE" and i + 1 < len(toks):
            end = _closing(toks, i + 1)
            inner = toks[i + 2 : end]
            if any(t.kind == "other" and t.text in _OPERATORS for t in inner) or any(
                t.text == "(" for t in inner
            ):
                found.append(tok)
    return found


def _bag_aggregates(toks: list[Token]) -> list[Token]:
    found = []
    for i, tok in enumerate(toks[:-2]):
        if tok.kind == "word" and tok.upper in _AGGREGATES and toks[i + 1].text == "(":
            nxt = toks[i + 2]
            if not (nxt.kind == "word" and nxt.upper == "DISTINCT"):
                found.append(tok)
    return found


def _bare_select(toks: list[Token]) -> list[Token]:
    """The outer SELECT, if it has no DISTINCT/REDUCED and the query no top-level GROUP BY."""
    select = next((t for t in toks if t.kind == "word" and t.upper == "SELECT"), None)
    if select is None:
        return []
    i = toks.index(select)
    if (
        i + 1 < len(toks)
        and toks[i + 1].kind == "word"
        and toks[i + 1].upper
        in (
            "DISTINCT",
            "REDUCED",
        )
    ):
        return []
    depth = 0
    last_close = -1
    for j, tok in enumerate(toks):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0:
                last_close = j
    tail = toks[last_close + 1 :]
    if any(t.kind == "word" and t.upper == "GROUP" for t in tail):
        return []
    projection = toks[i + 1 : next((j for j in range(i, len(toks)) if toks[j].text == "{"), i)]
    if any(
        t.kind == "word" and t.upper in _AGGREGATES | {"MIN", "MAX", "SAMPLE"} for t in projection
    ):
        return []  # an aggregate without GROUP BY: one row
    return [select]


def _skip_block(toks: list[Token], i: int) -> int:
    """Index after the ``{ ... }`` block that opens at or after ``i``."""
    while i < len(toks) and toks[i].text != "{":
        i += 1
    return _closing(toks, i, "{}") + 1 if i < len(toks) else len(toks)


def _pattern_after(toks: list[Token], j: int) -> bool:
    """Is there a triple pattern at this group's level from token ``j`` to the group's ``}``?"""
    while j < len(toks):
        tok = toks[j]
        if tok.text == "}":
            return False
        if tok.text == "{":
            j = _skip_block(toks, j)
            continue
        if tok.kind == "word" and tok.upper in _SKIP_TO_BLOCK:
            j = _skip_block(toks, j)
            continue
        if tok.kind == "word" and tok.upper in ("FILTER", "BIND"):
            k = j + 1
            if (
                k < len(toks)
                and toks[k].kind in ("word", "iri")
                and toks[k].upper
                not in (
                    "NOT",
                    "EXISTS",
                )
            ):
                k += 1  # FILTER regex(...), FILTER xsd:boolean(...)
            j = _closing(toks, k) + 1 if k < len(toks) and toks[k].text == "(" else k
            continue
        if tok.kind == "word" and tok.upper in ("OPTIONAL", "MINUS", "UNION", "NOT", "EXISTS"):
            j += 1
            continue
        if (
            tok.kind in ("var", "iri", "string")
            or tok.text in ("[", "(")
            or (tok.kind == "word" and (":" in tok.text or tok.text == "a"))
        ):
            return True
        j += 1
    return False


def _binds_before_patterns(toks: list[Token]) -> list[Token]:
    found = []
    for i, tok in enumerate(toks[:-1]):
        is_bind = tok.kind == "word" and tok.upper == "BIND" and toks[i + 1].text == "("
        if is_bind and _pattern_after(toks, _closing(toks, i + 1) + 1):
            found.append(tok)
    return found


def lint_text(text: str, source: str = "<query>") -> list[Finding]:
    """Every non-portable (or slow) idiom in the SPARQL ``text``, in line order."""
    toks = sparqltext.code_tokens(text)
    found = [Finding(source, _line(text, t), "transitive-path") for t in _transitive_paths(toks)]
    found += [
        Finding(source, _line(text, t), "coalesce-expression") for t in _coalesce_expressions(toks)
    ]
    found += [Finding(source, _line(text, t), "bag-aggregate") for t in _bag_aggregates(toks)]
    found += [
        Finding(source, _line(text, t), "bind-splits-pattern") for t in _binds_before_patterns(toks)
    ]
    if sparqltext.query_form(text) == "select":
        found += [
            Finding(source, _line(text, t), "select-without-distinct") for t in _bare_select(toks)
        ]
    return sorted(found, key=lambda f: (f.line, f.code))


def lint_file(path: Path | str) -> list[Finding]:
    """:func:`lint_text` over a query file (UTF-8)."""
    path = Path(path)
    return lint_text(path.read_text(encoding="utf-8"), str(path))


def lint_queries(folder: Path | None = None) -> list[Finding]:
    """Every finding in the stored queries (``queries/*.rq``; the check queries excluded: they
    run on spacekg's own engine only)."""
    from spacekg.query.catalogue import query_paths

    return [f for path in query_paths(folder) for f in lint_file(path)]


def lint_paths(paths: list[Path | str]) -> list[Finding]:
    """Findings in the query files ``paths`` (InputError for one that cannot be read); with no
    paths, in the stored queries."""
    from spacekg.errors import InputError

    if not paths:
        return lint_queries()
    found: list[Finding] = []
    for path in paths:
        try:
            found += lint_file(path)
        except FileNotFoundError:
            raise InputError(f"{path}: no such query file (check the path)") from None
        except UnicodeDecodeError as err:
            raise InputError(
                f"{path}: not UTF-8 (byte offset {err.start}); save it as UTF-8"
            ) from None
        except OSError as err:
            raise InputError(f"{path}: cannot read: {err.strerror}") from None
    return found


def notes(queries: list[StoredQuery]) -> list[str]:
    """One line per query with non-portable idioms (for ``spacekg query list``)."""
    out = []
    for q in queries:
        found = lint_text(q.text, str(q.path or q.name))
        if found:
            found_codes = {f.code for f in found}
            codes = ", ".join(sorted(found_codes))
            risk = (
                "it may be slow on a large store"
                if found_codes <= SLOW_CODES
                else "it may answer differently on other stores"
            )
            out.append(
                f"note: {q.name} uses {codes}: {risk} (spacekg query lint {q.path or q.name})"
            )
    return out
