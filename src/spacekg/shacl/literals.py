"""XSD literal semantics for the fast SHACL engine, with no rdflib: lexical validity of the
built-in datatypes (sh:datatype), ordering of numbers, dates, date-times, times and strings
(sh:minInclusive … sh:lessThan), and language-range matching (sh:languageIn).

Values of different kinds (a date and a dateTime, a time-zoned and a local dateTime, a number and
a string) are not comparable: such a comparison is false, so the constraint reports the value, as
SPARQL's and the SHACL spec's semantics say.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from spacekg.shacl.model import SURROGATE_NS, XSD

_INT = r"[+-]?[0-9]+"
_DEC = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_FLT = r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_MD = r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_LEXICAL = {
    "string": None,
    "boolean": "true|false|1|0",
    "integer": _INT,
    "decimal": _DEC,
    "float": _FLT,
    "double": _FLT,
    "date": f"{_YEAR}-{_MD}{_TZ}",
    "dateTime": f"{_YEAR}-{_MD}T{_TIME}{_TZ}",
    "dateTimeStamp": f"{_YEAR}-{_MD}T{_TIME}(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))",
    "time": f"{_TIME}{_TZ}",
    "gYear": f"{_YEAR}{_TZ}",
    "gYearMonth": f"{_YEAR}-(0[1-9]|1[0-2]){_TZ}",
    "gMonth": f"--(0[1-9]|1[0-2]){_TZ}",
    "gMonthDay": f"--{_MD}{_TZ}",
    "gDay": f"---(0[1-9]|[12][0-9]|3[01]){_TZ}",
    "duration": r"-?P(?=.)([0-9]+Y)?([0-9]+M)?([0-9]+D)?"
    r"(T(?=.)([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?",
    "anyURI": None,
    "language": r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
    "hexBinary": "([0-9a-fA-F]{2})*",
    "base64Binary": r"[A-Za-z0-9+/=\s]*",
}
INT_RANGES: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
_LEX_RE = {k: re.compile(v) for k, v in _LEXICAL.items() if v is not None}
_NUMERIC = {"integer", "decimal", "float", "double", *INT_RANGES}


def lexically_valid(datatype: str, lexical: str) -> bool:
    """Whether ``lexical`` is in the lexical space of an XSD datatype (unknown types: yes)."""
    if not datatype.startswith(XSD):
        return True
    local = datatype[len(XSD) :]
    if local in INT_RANGES:
        if not _LEX_RE["integer"].fullmatch(lexical):
            return False
        lo, hi = INT_RANGES[local]
        n = int(lexical)
        return (lo is None or n >= lo) and (hi is None or n <= hi)
    rx = _LEX_RE.get(local)
    if rx is None:
        return True
    if not rx.fullmatch(lexical):
        return False
    if local in ("date", "dateTime", "dateTimeStamp"):
        return _to_datetime(lexical, local) is not None
    return True


def _to_datetime(lexical: str, local: str) -> Any:
    text = lexical.replace("Z", "+00:00")
    try:
        if local == "date":
            return date.fromisoformat(text[:10]) and (text[:10], text[10:] or None)
        if local == "time":
            return time.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)
def comparable(v: Any) -> tuple[str, Any] | None:
    """A (kind, value) pair for ordering comparisons, or None if not comparable."""
    dt = getattr(v, "datatype", None)
    if dt is None:
        return None
    if getattr(v, "language", None):
        return None
    d = dt.value
    if d.startswith(SURROGATE_NS):
        d = XSD + d[len(SURROGATE_NS) :]
    if not d.startswith(XSD):
        return None
    local = d[len(XSD) :]
    lex = v.value
    if not lexically_valid(d, lex):
        return None
    try:
        if local in _NUMERIC:
            if lex in ("INF", "+INF"):
                return ("num", float("inf"))
            if lex == "-INF":
                return ("num", float("-inf"))
            if lex == "NaN":
                return None
            return ("num", Decimal(lex))
        if local in ("dateTime", "dateTimeStamp"):
            value = datetime.fromisoformat(lex.replace("Z", "+00:00"))
            return ("dateTime" + ("Z" if value.tzinfo else ""), value)
        if local == "date":
            value = date.fromisoformat(lex[:10])
            return ("date" + (lex[10:] or ""), value)
        if local == "time":
            tv = time.fromisoformat(lex.replace("Z", "+00:00"))
            return ("time" + ("Z" if tv.tzinfo else ""), tv)
        if local == "string":
            return ("string", lex)
    except (ValueError, InvalidOperation):
        return None
    return None


def compare(a: Any, b: Any, op: str) -> bool:
    ca, cb = comparable(a), comparable(b)
    if ca is None or cb is None or ca[0] != cb[0]:
        return False
    x, y = ca[1], cb[1]
    try:
        if op == "<":
            return bool(x < y)
        if op == "<=":
            return bool(x <= y)
        if op == ">":
            return bool(x > y)
        return bool(x >= y)
    except TypeError:
        return False


def lang_matches(tag: str, rng: str) -> bool:
    tag, rng = tag.lower(), rng.lower()
    if rng == "*":
        return bool(tag)
    return tag == rng or tag.startswith(rng + "-")
