"""A small SPARQL lexer: enough to find variables, keywords and SERVICE clauses outside
strings, IRIs and comments, and to substitute parameters without moving any line.

It is not a parser: the engine parses. It only has to be right about what is code and what is
a string, an IRI or a comment.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

# A variable's letters beyond Latin-1 are U+00C0..U+FFFF, written as "not below U+00C0 and not
# above U+FFFF": the same set, but a class holding the range itself costs ~3 ms to compile
# (re builds its 64K-entry map in Python), a tenth of a cold `spacekg query run`.
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
      |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$](?:[A-Za-z0-9_\u00B7]|[^\x00-\xBF\U00010000-\U0010FFFF])+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z0-9_\-.]*)?|:[A-Za-z0-9_\-.]*)
  | (?P<punct>[(){}\[\],;.])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

FORMS = ("select", "ask", "construct", "describe")


@dataclass(frozen=True)
class Token:
    kind: str  # comment | string | iri | var | word | punct | space | other
    text: str
    start: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokens(sparql: str) -> Iterator[Token]:
    """Every token of ``sparql``, spaces and comments included (their texts join to the input)."""
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), match.start())


def code_tokens(sparql: str) -> list[Token]:
    """Tokens that are code: no spaces, no comments."""
    return list(_code_tokens(sparql))


@functools.lru_cache(maxsize=4)
def _code_tokens(sparql: str) -> tuple[Token, ...]:
    # one query's text is checked by several functions in a row: it is lexed once
    return tuple(t for t in tokens(sparql) if t.kind not in ("space", "comment"))


def query_form(sparql: str) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe`` (the first such keyword), else None."""
    for tok in code_tokens(sparql):
        if tok.kind == "word" and tok.text.lower() in FORMS:
            return tok.text.lower()
    return None


def service_clauses(sparql: str) -> list[tuple[int, str]]:
    """(line, target) of each SERVICE keyword in code (not in strings, IRIs or comments)."""
    found = []
    toks = code_tokens(sparql)
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.upper == "SERVICE":
            rest = toks[i + 1 : i + 3]
            if rest and rest[0].kind == "word" and rest[0].upper == "SILENT":
                rest = rest[1:]
            target = rest[0].text if rest else "?"
            found.append((sparql.count("\n", 0, tok.start) + 1, target))
    return found


def prefixes(sparql: str) -> dict[str, str]:
    """The PREFIX declarations of ``sparql``: prefix -> namespace IRI."""
    out: dict[str, str] = {}
    toks = code_tokens(sparql)
    for i, tok in enumerate(toks[:-2]):
        if tok.kind == "word" and tok.upper == "PREFIX" and toks[i + 2].kind == "iri":
            out[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
    return out


def variables(sparql: str) -> list[str]:
    """Variable names (without ``?``/``$``) in order of first appearance."""
    seen: dict[str, None] = {}
    for tok in code_tokens(sparql):
        if tok.kind == "var":
            seen.setdefault(tok.text[1:], None)
    return list(seen)


def substitute(sparql: str, values: dict[str, str]) -> str:
    """Replace each variable named in ``values`` by the given RDF term (N-Triples syntax).

    In a SELECT projection the variable becomes ``(TERM AS ?var)`` so the column stays; after
    ``AS`` (a binding target) it is left alone. No newline is added, so line numbers hold.
    """
    if not values:
        return sparql
    out: list[str] = []
    in_projection = False
    depth = 0
    previous: Token | None = None
    for tok in tokens(sparql):
        if tok.kind == "word" and tok.upper == "SELECT":
            in_projection, depth = True, 0
        elif in_projection and (
            (tok.kind == "word" and tok.upper in ("WHERE", "FROM"))
            or (tok.kind == "punct" and tok.text == "{")
        ):
            in_projection = False
        elif in_projection and tok.kind == "punct" and tok.text in "()":
            depth += 1 if tok.text == "(" else -1
        name = tok.text[1:] if tok.kind == "var" else None
        if name is not None and name in values:
            after_as = previous is not None and previous.kind == "word" and previous.upper == "AS"
            if after_as:
                out.append(tok.text)
            elif in_projection and depth == 0:
                out.append(f"({values[name]} AS {tok.text})")
            else:
                out.append(values[name])
        else:
            out.append(tok.text)
        if tok.kind not in ("space", "comment"):
            previous = tok
    return "".join(out)


UPDATE_KEYWORDS = frozenset(
    ["INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"]
)


def _line(sparql: str, offset: int) -> int:
    return sparql.count("\n", 0, offset) + 1


def is_empty(sparql: str) -> bool:
    """Nothing but spaces and comments?"""
    return not code_tokens(sparql)


def update_keyword(sparql: str) -> tuple[int, str] | None:
    """(line, keyword) if ``sparql`` is a SPARQL Update (INSERT, DELETE, LOAD ...), else None.

    The keyword is the first one after the prologue (PREFIX and BASE declarations).
    """
    toks = code_tokens(sparql)
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "word" and tok.upper == "PREFIX":
            i += 3
        elif tok.kind == "word" and tok.upper == "BASE":
            i += 2
        else:
            break
    if i < len(toks) and toks[i].kind == "word" and toks[i].upper in UPDATE_KEYWORDS:
        return _line(sparql, toks[i].start), toks[i].upper
    return None


def undeclared_prefixes(sparql: str) -> list[tuple[int, str]]:
    """(line, prefix) of each prefixed name whose prefix the query does not declare."""
    declared = prefixes(sparql)
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    toks = code_tokens(sparql)
    for i, tok in enumerate(toks):
        if tok.kind != "word" or ":" not in tok.text:
            continue
        if i > 0 and toks[i - 1].kind == "word" and toks[i - 1].upper == "PREFIX":
            continue  # the declaration itself
        prefix = tok.text.split(":", 1)[0]
        if prefix == "_" or prefix in declared or prefix in seen:
            continue
        seen.add(prefix)
        found.append((_line(sparql, tok.start), prefix))
    return found


def select_star(sparql: str) -> bool:
    """Is the (outer) query a ``SELECT *`` (possibly DISTINCT or REDUCED)?"""
    toks = code_tokens(sparql)
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.upper == "SELECT":
            rest = toks[i + 1 : i + 3]
            if rest and rest[0].kind == "word" and rest[0].upper in ("DISTINCT", "REDUCED"):
                rest = rest[1:]
            return bool(rest) and rest[0].text == "*"
    return False
