"""Stored queries as plain SPARQL for the baselines: grlc parameters replaced by their defaults.

spacekg binds a stored query's parameters from its ``#+ defaults:`` header; a baseline that
runs the file's text directly must do the same, or it would run a different query. Variables
follow grlc's naming rule: ``?_name`` / ``?__name`` with optional suffixes ``_iri``, ``_en``,
``_integer``, ``_xsd_<type>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_PARAM = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9]*?)(_iri|_en|_integer|_xsd_[A-Za-z]+)?\b")


@dataclass(frozen=True)
class StoredQuery:
    name: str
    path: Path
    text: str  # with defaults substituted
    unbound: tuple[str, ...]  # required parameters without a default (query not runnable)


def header_defaults(text: str) -> dict[str, str]:
    """The ``#+ defaults:`` list of a grlc header as {name: value}."""
    defaults: dict[str, str] = {}
    in_defaults = False
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        body = line[2:]
        if body.startswith(" "):
            body = body[1:]
        if body and not body[0].isspace():  # a top-level key
            in_defaults = body.strip() == "defaults:"
            continue
        item = body.strip()
        if in_defaults and item.startswith("- ") and ":" in item:
            key, _, value = item[2:].partition(":")
            defaults[key.strip()] = value.strip().strip("'\"")
    return defaults


def _term(value: str, suffix: str | None) -> str:
    if suffix == "_iri" or re.match(r"^[a-z][a-z0-9+.-]*://", value):
        return f"<{value}>"
    if suffix == "_en":
        return '"' + value.replace('"', '\\"') + '"@en'
    if suffix == "_integer":
        return value
    if suffix and suffix.startswith("_xsd_"):
        return f'"{value}"^^<http://www.w3.org/2001/XMLSchema#{suffix[5:]}>'
    return '"' + value.replace('"', '\\"') + '"'


def load(path: Path) -> StoredQuery:
    text = path.read_text(encoding="utf-8")
    defaults = header_defaults(text)
    unbound: list[str] = []
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#+"))

    def sub(m: re.Match[str]) -> str:
        underscores, name, suffix = m.group(1), m.group(2), m.group(3)
        full = name + (suffix or "")
        value = defaults.get(name, defaults.get(full))
        if value is None:
            if underscores == "_" and name not in unbound:
                unbound.append(name)
            return m.group(0)
        return _term(value, suffix)

    # a parameter in SELECT's projection cannot become a constant: substitute after the first {
    head, sep, rest = body.partition("{")
    body = head + sep + _PARAM.sub(sub, rest) if sep else _PARAM.sub(sub, body)
    return StoredQuery(path.stem, path, body, tuple(unbound))


def stored_queries(qdir: Path) -> list[StoredQuery]:
    """Every ``*.rq`` directly in ``qdir`` (not the checks), sorted by name."""
    return [load(p) for p in sorted(qdir.glob("*.rq"))]
