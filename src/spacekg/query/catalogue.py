"""The stored queries: ``queries/*.rq`` with grlc-compatible headers and parameters.

A query file starts with ``#+ `` lines holding a small YAML header (``summary``,
``description``, ``tags``, ``defaults``, ``endpoint``, ``method``, ``pagination``,
``enumerate`` ...: :data:`HEADER_KEYS`; an unknown key is kept, and reported by
:meth:`StoredQuery.header_warnings`, which `query list` and `check` print), then the SPARQL
text. The header lines are SPARQL comments, so the whole file is sent to the engine and error
lines match the file.

Parameters follow grlc's variable names: ``?_name`` (required, a plain literal), ``?__name``
(optional: left unbound if not given), ``?_name_iri`` (an IRI), ``?_name_integer`` /
``?_name_number`` (numbers), ``?_name_xsd_date`` (any ``prefix_local`` datatype the query
declares, ``xsd`` always known), ``?_name_en`` (a literal with that language tag).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacekg.errors import InputError
from spacekg.namespaces import TERM_PREFIXES, XSD
from spacekg.project import queries_dir
from spacekg.query import sparqltext
from spacekg.terms import escape_literal

_KNOWN_KINDS = ("iri", "integer", "number", "literal")
#: the header keys grlc defines (its "decorators"); spacekg reads summary, description, tags,
#: defaults and enumerate, and keeps the others for grlc
HEADER_KEYS = (
    "summary",
    "description",
    "tags",
    "defaults",
    "enumerate",
    "endpoint",
    "endpoint_in_url",
    "method",
    "pagination",
    "transform",
)
_LANG = re.compile(r"^[a-z]{2,3}$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_PNAME = re.compile(r"^([A-Za-z][A-Za-z0-9_\-.]*)?:([A-Za-z0-9_\-.:%]*)$")


@dataclass(frozen=True)
class Parameter:
    """One grlc parameter of a stored query."""

    name: str  # the user-facing name: ``actor`` for ``?_actor_iri``
    variable: str  # the SPARQL variable without ``?``: ``_actor_iri``
    required: bool
    kind: str  # "literal" | "iri" | "integer" | "number" | "typed" | "lang"
    datatype: str | None = None  # for "typed"
    lang: str | None = None  # for "lang"
    default: str | None = None

    @property
    def needed(self) -> bool:
        """Must the user give it (required and no default)?"""
        return self.required and self.default is None

    def describe(self) -> str:
        """``name: what it takes[, optional][, default X]``."""
        what = {
            "iri": "an IRI or prefixed name",
            "literal": "a text",
            "integer": "an integer",
            "number": "a number",
            "typed": f"a value of type <{self.datatype}>",
            "lang": f"a text in language @{self.lang}",
        }[self.kind]
        text = f"{self.name}: {what}" + ("" if self.required else ", optional")
        return text + (f", default {self.default}" if self.default is not None else "")


@dataclass(frozen=True)
class StoredQuery:
    """A query file: its name (the stem), header, parameters and SPARQL text."""

    name: str
    path: Path | None
    text: str
    header: dict[str, Any] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()

    @property
    def summary(self) -> str:
        return str(self.header.get("summary", "") or "")

    @property
    def description(self) -> str:
        return str(self.header.get("description", "") or "")

    @property
    def tags(self) -> tuple[str, ...]:
        tags = self.header.get("tags") or []
        return tuple(str(t) for t in (tags if isinstance(tags, list) else [tags]))

    @property
    def form(self) -> str | None:
        return sparqltext.query_form(self.text)

    @property
    def source(self) -> str:
        """How to name the query in messages: its file, else ``<query>``."""
        return str(self.path) if self.path else "<query>"

    def header_warnings(self) -> list[str]:
        """One line per header key grlc does not define (a typo such as ``sumary``)."""
        out = []
        for key in self.header:
            if key in HEADER_KEYS:
                continue
            import difflib  # only a misspelt header needs it

            close = difflib.get_close_matches(key, HEADER_KEYS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(HEADER_KEYS)}"
            out.append(f"{self.source}: unknown #+ header key {key!r} ({hint})")
        return out


# --- the header: a small, safe subset of YAML ------------------------------------------------


def header_lines(text: str) -> list[str]:
    """The ``#+`` lines at the top of a query file, without the ``#+ `` marker."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            lines.append(stripped[2:].removeprefix(" "))
        elif stripped == "" or (stripped.startswith("#") and not lines):
            continue
        else:
            break
    return lines


def _scalar(value: str) -> Any:
    value = value.strip()
    if not value:
        return None
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    if value.startswith("[") and value.endswith("]"):
        return [_scalar(v) for v in value[1:-1].split(",") if v.strip()]
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    if re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    return value


def parse_header(lines: list[str], source: str = "<query>") -> dict[str, Any]:
    """Parse the YAML subset grlc headers use: ``key: scalar``, ``key:`` + ``- item`` lists
    (items may be ``k: v`` pairs), ``key:`` + indented ``k: v`` maps, and ``[a, b]`` lists."""
    result: dict[str, Any] = {}
    current: str | None = None
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indented = raw[:1] in (" ", "\t")
        line = raw.strip()
        if not indented and not line.startswith("- "):
            key, sep, value = line.partition(":")
            if not sep or not key.strip():
                raise InputError(
                    f"{source}: header line {number}: expected 'key: value', got {raw!r} "
                    "(fix the #+ header)"
                )
            current = key.strip()
            result[current] = _scalar(value)
            continue
        if current is None:
            raise InputError(f"{source}: header line {number}: {raw!r} belongs to no key")
        if line.startswith("-"):
            item_text = line[1:].strip()
            key, sep, value = item_text.partition(":")
            item: Any = (
                {key.strip(): _scalar(value)}
                if sep and " " not in key.strip() and not _IRI.match(item_text)
                else _scalar(item_text)
            )
            if not isinstance(result.get(current), list):
                result[current] = []
            result[current].append(item)
        else:
            key, sep, value = line.partition(":")
            if not isinstance(result.get(current), dict):
                result[current] = {}
            if sep:
                result[current][key.strip()] = _scalar(value)
    return result


def defaults_of(header: dict[str, Any]) -> dict[str, str]:
    """The ``defaults`` of a header as name -> value (grlc writes a list of one-key maps)."""
    raw = header.get("defaults")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    out: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict):
            out.update({str(k): str(v) for k, v in item.items() if v is not None})
    return out


# --- parameters -----------------------------------------------------------------------------


def parameters_of(text: str, header: dict[str, Any] | None = None) -> tuple[Parameter, ...]:
    """The grlc parameters of a query text, in order of first appearance."""
    defaults = defaults_of(header or {})
    declared = sparqltext.prefixes(text)
    params: dict[str, Parameter] = {}
    for var in sparqltext.variables(text):
        if not var.startswith("_") or var.strip("_") == "":
            continue
        required = not var.startswith("__")
        parts = var.lstrip("_").split("_")
        kind, datatype, lang, name_parts = "literal", None, None, parts
        if len(parts) >= 2 and parts[-1] in _KNOWN_KINDS:
            kind, name_parts = parts[-1], parts[:-1]
        elif len(parts) >= 3 and (parts[-2] == "xsd" or parts[-2] in declared):
            ns = XSD if parts[-2] == "xsd" else declared[parts[-2]]
            kind, datatype, name_parts = "typed", ns + parts[-1], parts[:-2]
        elif len(parts) >= 2 and _LANG.match(parts[-1]):
            kind, lang, name_parts = "lang", parts[-1], parts[:-1]
        name = "_".join(name_parts)
        if name in params:
            continue
        params[name] = Parameter(name, var, required, kind, datatype, lang, defaults.get(name))
    return tuple(params.values())


#: IRI schemes taken as they are when a value is not in ``<...>`` (anything else that looks
#: like ``prefix:local`` must use a known prefix: ``skgidd:japan`` is a typo, not an IRI)
IRI_SCHEMES = frozenset(
    [
        "http",
        "https",
        "urn",
        "mailto",
        "file",
        "ftp",
        "tag",
        "doi",
        "data",
        "info",
        "ws",
        "wss",
        "geo",
        "tel",
        "isbn",
        "did",
    ]
)


class ParameterError(InputError):
    """A malformed parameter value (exit 3); ``param`` and ``value`` say which."""

    def __init__(self, message: str, *, param: Parameter, value: str) -> None:
        super().__init__(message)
        self.param = param
        self.value = value


def known_prefixes(query: StoredQuery) -> dict[str, str]:
    """The prefixes a parameter value may use: spacekg's own, then the query's declarations."""
    return {**TERM_PREFIXES, **sparqltext.prefixes(query.text)}


def iri_term(param: Parameter, value: str, query: StoredQuery) -> str:
    """``value`` (a prefixed name or an IRI) as the ``<IRI>`` the parameter binds."""
    return _iri(param, value, query)


def _iri(param: Parameter, value: str, query: StoredQuery) -> str:
    value = value.strip()
    bracketed = value.startswith("<") and value.endswith(">")
    if bracketed:
        value = value[1:-1]
    pname = _PNAME.match(value)
    if pname and not bracketed and "//" not in value:
        known = known_prefixes(query)
        prefix = pname.group(1) or ""
        if prefix in known:
            value = known[prefix] + pname.group(2)
        elif prefix.lower() not in IRI_SCHEMES:
            import difflib

            close = difflib.get_close_matches(prefix, list(known), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}:{pname.group(2)}? " if close else ""
            raise ParameterError(
                f"{query.source}: parameter {param.name!r}: unknown prefix {prefix!r} in "
                f"{value!r} ({hint}known prefixes: {', '.join(known)}; "
                "or give a full IRI in <...>)",
                param=param,
                value=value,
            )
    if not _IRI.match(value):
        raise ParameterError(
            f"{query.source}: parameter {param.name!r} needs an IRI: a prefixed name like "
            f"skgid:NAME or a full IRI in <...>, got {value!r}",
            param=param,
            value=value,
        )
    return f"<{value}>"


def _literal(text: str) -> str:
    return f'"{escape_literal(text)}"'


#: XSD type -> (pattern of its lexical form, an example); compiled on first use, by re
_TYPED_CHECKS: dict[str, tuple[str, str]] = {
    "integer": (r"^[+-]?\d+$", "an integer like 42"),
    "nonNegativeInteger": (r"^\+?\d+$", "a non-negative integer like 42"),
    "decimal": (r"^[+-]?(\d+(\.\d*)?|\.\d+)$", "a decimal like 4.2"),
    "boolean": (r"^(true|false|1|0)$", "true or false"),
    "gYear": (r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$", "a year like 2021"),
    "gYearMonth": (r"^-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?$", "like 2021-05"),
    "date": (r"^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$", "a date like 2021-05-24"),
    "dateTime": (
        r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$",
        "a date-time like 2021-05-24T10:00:00Z",
    ),
}


def term_for(param: Parameter, value: str, query: StoredQuery) -> str:
    """The RDF term (SPARQL syntax) for ``value`` given as ``param``; InputError if malformed."""
    if param.kind == "iri":
        return _iri(param, value, query)
    if param.kind == "lang":
        return f"{_literal(value)}@{param.lang}"
    if param.kind in ("integer", "number"):
        local = "integer" if param.kind == "integer" else "decimal"
        pattern, example = _TYPED_CHECKS[local]
        if param.kind == "number" and re.match(_TYPED_CHECKS["integer"][0], value.strip()):
            local = "integer"
        elif not re.match(pattern, value.strip()):
            raise InputError(
                f"{query.source}: parameter {param.name!r} needs {example}, got {value!r}"
            )
        return f"{_literal(value.strip())}^^<{XSD}{local}>"
    if param.kind == "typed" and param.datatype:
        local = param.datatype.removeprefix(XSD) if param.datatype.startswith(XSD) else None
        check = _TYPED_CHECKS.get(local or "")
        if check and not re.match(check[0], value.strip()):
            raise InputError(
                f"{query.source}: parameter {param.name!r} needs {check[1]}, got {value!r}"
            )
        if local == "date":
            try:
                dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                raise InputError(
                    f"{query.source}: parameter {param.name!r}: {value!r} is not a real date"
                ) from None
        return f"{_literal(value.strip())}^^<{param.datatype}>"
    return _literal(value)


def bind(query: StoredQuery, params: dict[str, str] | None = None) -> str:
    """The query text with ``params`` (and the header's defaults) substituted as RDF terms.

    A required parameter with no value and no default, a name the query does not have, or a
    malformed value raise :class:`~spacekg.errors.InputError`.
    """
    params = dict(params or {})
    by_name = {p.name: p for p in query.parameters}
    by_var = {p.variable: p for p in query.parameters}
    for given in list(params):
        if given not in by_name and given.lstrip("?$") in by_var:  # accept the variable name
            params[by_var[given.lstrip("?$")].name] = params.pop(given)
    unknown = sorted(set(params) - set(by_name))
    if unknown:
        have = ", ".join(p.name for p in query.parameters) or "none"
        raise InputError(
            f"{query.source}: no parameter named {unknown[0]!r} (the query's parameters: {have})"
        )
    values: dict[str, str] = {}
    for param in query.parameters:
        value = params.get(param.name, param.default)
        if value is None:
            if param.required:
                raise InputError(
                    f"{query.source}: missing parameter {param.name!r} "
                    f"(give it with -p {param.name}=VALUE; {param.describe()})"
                )
            continue
        values[param.variable] = term_for(param, value, query)
    return sparqltext.substitute(query.text, values)


# --- the catalogue --------------------------------------------------------------------------


def load_query(path: Path | str, name: str | None = None) -> StoredQuery:
    """Read one ``.rq`` file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such query file (check the path)") from None
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 (byte offset {err.start}); save it as UTF-8") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    header = parse_header(header_lines(text), str(path))
    return StoredQuery(name or path.stem, path, text, header, parameters_of(text, header))


def from_text(text: str, name: str = "<query>") -> StoredQuery:
    """A query given as text (not a file)."""
    header = parse_header(header_lines(text), name)
    return StoredQuery(name, None, text, header, parameters_of(text, header))


def query_paths(folder: Path | None = None) -> list[Path]:
    """The stored query files (``*.rq`` directly in the folder; ``checks/`` excluded)."""
    folder = folder or queries_dir()
    return sorted(p for p in folder.glob("*.rq") if p.is_file())


def list_queries(folder: Path | None = None) -> list[StoredQuery]:
    """Every stored query, sorted by name."""
    return [load_query(p) for p in query_paths(folder)]


def list_checks(folder: Path | None = None) -> list[StoredQuery]:
    """The check queries in ``queries/checks/`` (each must return no rows)."""
    folder = folder or queries_dir() / "checks"
    return [load_query(p) for p in sorted(folder.glob("*.rq")) if p.is_file()]


def get_query(name_or_path: str | Path, folder: Path | None = None) -> StoredQuery:
    """A stored query by name (``events``), or any ``.rq`` file by path.

    An unknown name raises :class:`~spacekg.errors.InputError` naming the closest names.
    """
    text = str(name_or_path)
    candidate = Path(text)
    if text.endswith(".rq") or "/" in text or candidate.is_file():
        if candidate.is_file():
            return load_query(candidate)
        if text.endswith(".rq") or "/" in text:
            raise InputError(f"{text}: no such query file (check the path)")
    names = {p.stem: p for p in query_paths(folder)}
    if text in names:
        return load_query(names[text])
    lowered = {n.lower(): n for n in names}
    if text.lower() in lowered:
        return load_query(names[lowered[text.lower()]])
    import difflib

    close = difflib.get_close_matches(text, list(names), n=3, cutoff=0.5)
    close += [n for n in sorted(names) if text.lower() in n.lower() and n not in close][:3]
    hint = (
        f"did you mean: {', '.join(close[:3])}?"
        if close
        else "run 'spacekg query list' to see the names"
    )
    raise InputError(f"no stored query named {text!r} ({hint})")
