"""Finding a quote in a text: exact matches, and the closest passage when there is none.

Used by ``spacekg excerpt`` to cut evidence spans and by span verification to say where a
misplaced quote actually is. Pure Python (difflib), no RDF library.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from spacekg.errors import InputError

#: characters of context shown on each side of a match
CONTEXT_CHARS = 30


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


@dataclass(frozen=True)
class QuoteMatch:
    """One place where a quote occurs: offsets, 1-based line/column, and its context."""

    occurrence: int  # 1-based
    start: int
    end: int
    line: int
    column: int
    before: str
    after: str

    def context(self, quote: str) -> str:
        """The match in its context, the quote in [brackets], on one line."""
        one = f"...{self.before}[{quote}]{self.after}..."
        return one.replace("\n", " / ")


@dataclass(frozen=True)
class Passage:
    """The stretch of text closest to a quote that does not occur, with a 0..1 similarity."""

    start: int
    end: int
    line: int
    column: int
    text: str
    similarity: float


@dataclass(frozen=True)
class QuoteSearch:
    """The result of :func:`find_quote`: every match (or the chosen one), else the closest."""

    quote: str
    matches: tuple[QuoteMatch, ...]
    total: int  # how many times the quote occurs in the text
    closest: Passage | None

    @property
    def found(self) -> bool:
        return bool(self.matches)

    @property
    def unique(self) -> bool:
        return len(self.matches) == 1


def _candidate_starts(text: str, quote: str, keep: int) -> list[int]:
    """Word starts of ``text`` whose window of ``len(quote)`` characters shares the most words
    with ``quote`` (a cheap pre-filter before difflib)."""
    words = {w for w in re.findall(r"\w+", quote.lower())}
    tokens = [(m.start(), m.group().lower() in words) for m in re.finditer(r"\w+", text)]
    if not tokens:
        return [0]
    n = len(quote)
    scored: list[tuple[int, int]] = []
    hits = 0
    j = 0
    for i, (start, _) in enumerate(tokens):
        while j < len(tokens) and tokens[j][0] < start + n:
            hits += tokens[j][1]
            j += 1
        scored.append((-hits, start))
        hits -= tokens[i][1]
    scored.sort()
    return sorted(start for _, start in scored[:keep])


#: how much of a quote that is not found is compared with the text
CLOSEST_CHARS = 160


def _closest_passage(text: str, quote: str) -> Passage | None:
    """The passage most similar to ``quote``: windows starting at the word starts that share
    most words with the quote, compared case-insensitively with difflib, then the end moved to
    the best nearby word end. A long quote is matched by its first :data:`CLOSEST_CHARS`
    characters, which keeps the work linear in the text (difflib is quadratic in the window)."""
    if not quote.strip() or not text:
        return None
    quote = quote[:CLOSEST_CHARS]
    n = len(quote)
    lowered = text.lower()
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote.lower())
    best: tuple[float, int, int] = (-1.0, 0, 0)
    # short quotes are cheap to compare everywhere; long ones only where their words are
    keep = len(text) if n <= 40 and len(text) <= 20_000 else 200 if n <= 40 else 40
    for s in _candidate_starts(text, quote, keep=keep):
        for shift in (0, -1, 1):  # a window may start mid-word when the quote does
            start = max(0, s + shift)
            e = min(len(text), start + n)
            matcher.set_seq1(lowered[start:e])
            if matcher.real_quick_ratio() <= best[0] or matcher.quick_ratio() <= best[0]:
                continue
            r = matcher.ratio()
            if r > best[0]:
                best = (r, start, e)
    _, s, e = best
    tail = text[s : s + n + max(8, n // 4) + 1]
    ends = sorted({m.end() for pattern in (r"\S+", r"\w+") for m in re.finditer(pattern, tail)})
    for x in [s + k for k in ends if abs(s + k - (s + n)) <= max(8, n // 4)] or [e]:
        matcher.set_seq1(lowered[s:x])
        r = matcher.ratio()
        if r >= best[0]:
            best = (r, s, x)
    ratio, s, e = best
    line, col = line_col(text, s)
    return Passage(s, e, line, col, text[s:e], round(ratio, 3))


def find_quote(text: str, quote: str, occurrence: int | None = None) -> QuoteSearch:
    """Where ``quote`` occurs verbatim in ``text``.

    Returns every occurrence with its context (``CONTEXT_CHARS`` each side), or only the
    ``occurrence``-th (1-based) when given. When the quote does not occur, ``matches`` is empty
    and ``closest`` is the most similar passage (case-insensitive, difflib ratio), so a curator
    sees what the text really says. An ``occurrence`` beyond the number of matches raises
    :class:`InputError`.
    """
    if not quote:
        raise InputError("the quote is empty", hint="give the exact words to find")
    matches: list[QuoteMatch] = []
    pos = text.find(quote)
    while pos != -1:
        line, col = line_col(text, pos)
        end = pos + len(quote)
        matches.append(
            QuoteMatch(
                len(matches) + 1,
                pos,
                end,
                line,
                col,
                text[max(0, pos - CONTEXT_CHARS) : pos],
                text[end : end + CONTEXT_CHARS],
            )
        )
        pos = text.find(quote, pos + 1)
    total = len(matches)
    if occurrence is not None:
        if occurrence < 1 or occurrence > total:
            raise InputError(
                f"occurrence {occurrence} requested, but the quote occurs {total} time(s)",
                hint=f"choose an occurrence from 1 to {total}" if total else "check the quote",
            )
        matches = [matches[occurrence - 1]]
    closest = None if total else _closest_passage(text, quote)
    return QuoteSearch(quote, tuple(matches), total, closest)


def describe_quote_location(text: str, quote: str) -> str:
    """A short phrase saying where ``quote`` really occurs (for error messages)."""
    found = find_quote(text, quote)
    if found.total == 1:
        m = found.matches[0]
        return f"the quote occurs at {m.start}-{m.end} (line {m.line}, column {m.column})"
    if found.total > 1:
        where = ", ".join(f"{m.start}-{m.end}" for m in found.matches)
        return f"the quote occurs {found.total} times, at {where}"
    c = found.closest
    if c is None:
        return "the quote does not occur in the seed"
    return (
        f"the quote does not occur in the seed; closest passage at {c.start}-{c.end} "
        f"(line {c.line}): {c.text!r}"
    )
