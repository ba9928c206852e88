"""Parse one RDF file into an rdflib graph, safely and with errors a person can act on.

* The format comes from the extension (``.ttl .nt .nq .trig .jsonld .rdf .owl .xml``); any other
  extension is refused by name.
* A syntax error becomes one :class:`~spacekg.errors.InputError` line
  ``FILE:LINE:COL: Turtle syntax error: ... (fix the file)``.
* An empty file and a file that is not UTF-8 are refused with a clear message.
* Nothing reaches the network: ``owl:imports`` is never followed (rdflib does not), JSON-LD
  documents whose ``@context`` is a URL (or uses ``@import``) are refused before rdflib would
  fetch it, and RDF/XML that declares an external entity (general or parameter) or names an
  external DTD is refused with the declaration's line (:func:`refuse_external_entities`), before
  any parser could resolve it; internal entities (``<!ENTITY skg "https://...#">``) are fine.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError

if TYPE_CHECKING:
    from rdflib import Graph

#: extension -> rdflib format name
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

#: rdflib format name -> name used in messages
FORMAT_NAMES: dict[str, str] = {
    "turtle": "Turtle",
    "nt": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
    "json-ld": "JSON-LD",
    "xml": "RDF/XML",
}

QUAD_FORMATS = frozenset({"nquads", "trig"})

_OX_FORMATS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "trig": "TRIG",
}


def format_for(path: Path | str, fmt: str | None = None) -> str:
    """The rdflib format name for ``path`` (or ``fmt`` if given, after checking it)."""
    if fmt is not None:
        if fmt not in FORMAT_NAMES:
            known = ", ".join(sorted(FORMAT_NAMES))
            raise InputError(f"{path}: unknown RDF format {fmt!r} (use one of: {known})")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = " ".join(sorted(FORMATS))
        raise InputError(
            f"{path}: cannot tell the RDF format of a {suffix or 'extension-less'!s} file "
            f"(rename it to one of: {known})"
        )
    return FORMATS[suffix]


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of the character at ``index`` in ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1


def parse_file(path: Path | str, graph: Graph | None = None, fmt: str | None = None) -> Graph:
    """Parse ``path`` into ``graph`` (a new one if ``None``) and return the graph.

    For quad formats (N-Quads, TriG) a new graph is an ``rdflib.Dataset``; if a plain
    ``Graph`` is given, the quads are merged into it as triples.
    Raises :class:`~spacekg.errors.InputError` for a missing, empty, non-UTF-8 or invalid file.
    """
    path = Path(path)
    fmt = format_for(path, fmt)
    raw = _read(path)
    text = _decode(path, raw, fmt)
    if fmt == "json-ld":
        _refuse_remote_contexts(path, text)
    if fmt == "xml":
        refuse_external_entities(path, raw)

    from rdflib import Dataset, Graph

    if graph is None:
        graph = Dataset() if fmt in QUAD_FORMATS else Graph()
    target: Any = graph
    if fmt in QUAD_FORMATS and not isinstance(graph, Dataset):
        target = Dataset()
    try:
        target.parse(
            data=raw if fmt == "xml" else text, format=fmt, publicID=path.resolve().as_uri()
        )
    except InputError:
        raise
    except Exception as err:  # every parser has its own exception types
        raise _syntax_error(path, text, fmt, err) from err
    if target is not graph:
        for s, p, o, _g in target.quads((None, None, None, None)):
            graph.add((s, p, o))
    return graph


def _read(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (check the path)") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not an RDF file (name a file)") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror} (check permissions)") from None
    if not raw.strip():
        raise InputError(f"{path}: the file is empty (write some RDF or remove the file)")
    return raw


_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _decode(path: Path, raw: bytes, fmt: str) -> str:
    encoding = "utf-8"
    if fmt == "xml":
        declared = _XML_ENCODING.match(raw)
        if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            try:  # RDF/XML may declare another encoding; the XML parser honours it
                return raw.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                encoding = declared.group(1).decode("ascii")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        good = raw[: err.start].decode(encoding, errors="replace")
        line, col = line_col(good, len(good))
        raise InputError(
            f"{path}:{line}:{col}: not valid {encoding.upper()} (byte 0x{raw[err.start]:02X}); "
            "save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


def _refuse_remote_contexts(path: Path, text: str) -> None:
    """JSON-LD: refuse ``@context`` URLs and ``@import`` (rdflib would fetch them)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"{path}:{err.lineno}:{err.colno}: JSON-LD syntax error: {err.msg} (fix the file)"
        ) from None

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    check_context(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    def check_context(ctx: Any) -> None:
        for item in ctx if isinstance(ctx, list) else [ctx]:
            if isinstance(item, str):
                raise InputError(
                    f"{path}: JSON-LD remote context {item!r} is not fetched "
                    "(spacekg never reaches the network: inline the context in the file)"
                )
            if isinstance(item, dict) and "@import" in item:
                raise InputError(
                    f"{path}: JSON-LD @import {item['@import']!r} is not fetched "
                    "(spacekg never reaches the network: inline the context in the file)"
                )

    walk(doc)


class _Prolog(Exception):
    """Raised at the root element: the DTD (where entities are declared) is behind us."""


def refuse_external_entities(path: Path, raw: bytes) -> None:
    """RDF/XML: refuse a DOCTYPE that declares an external entity (general or parameter) or names
    an external DTD, before any parser sees it. Read with expat, which reports the declarations
    and resolves nothing; reading stops at the root element. A malformed prolog is left to the
    RDF/XML parser, which reports it as a syntax error."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    found: list[tuple[int, str]] = []

    def quoted(system: str | None, public: str | None) -> str:
        if public is not None:
            return f'PUBLIC "{public}" "{system or ""}"'
        return f'SYSTEM "{system or ""}"'

    def doctype(name: str, system: str | None, public: str | None, _internal: int) -> None:
        if system is not None or public is not None:
            found.append(
                (
                    parser.CurrentLineNumber,
                    f"RDF/XML names an external DTD ({quoted(system, public)}); spacekg never "
                    "fetches it — inline the declarations or remove the reference",
                )
            )
            raise _Prolog

    def entity(
        name: str,
        is_parameter: int,
        value: str | None,
        base: str | None,
        system: str | None,
        public: str | None,
        notation: str | None,
    ) -> None:
        if system is None and public is None:
            return  # an internal entity: its value is in the file
        kind = "external parameter entity" if is_parameter else "external entity"
        found.append(
            (
                parser.CurrentLineNumber,
                f"RDF/XML declares an {kind} {name!r} ({quoted(system, public)}); spacekg never "
                "resolves external entities — inline the value or remove the declaration",
            )
        )
        raise _Prolog

    def root(*_args: object) -> None:
        raise _Prolog

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    with contextlib.suppress(_Prolog, expat.ExpatError, ValueError):
        parser.Parse(raw, True)
    if found:
        line, message = found[0]
        raise InputError(f"{path}:{line}: {message}")


_POS_IN_MESSAGE = re.compile(r"line (\d+) column (\d+)")


def _syntax_error(path: Path, text: str, fmt: str, err: Exception) -> InputError:
    name = FORMAT_NAMES[fmt]
    line: int | None = None
    col: int | None = None
    why = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    # rdflib's Turtle/TriG parser: BadSyntax carries the text and the character index
    if hasattr(err, "_i") and hasattr(err, "_str") and hasattr(err, "_why"):
        source = err._str.decode("utf-8", errors="replace")
        line, col = line_col(source, err._i)
        if source != text:  # a chunk of the document: fall back to rdflib's line count
            line = getattr(err, "lines", 0) + 1
        why = str(err._why)
    elif hasattr(err, "getLineNumber"):  # xml.sax.SAXParseException
        line, col = err.getLineNumber(), err.getColumnNumber() + 1
        why = str(err.getMessage())
    elif isinstance(err, json.JSONDecodeError):
        line, col, why = err.lineno, err.colno, err.msg
    elif fmt in _OX_FORMATS:
        line, col, why = _locate_with_oxigraph(text, fmt, why)
    where = f"{path}:{line}:{col}" if line is not None else str(path)
    return InputError(f"{where}: {name} syntax error: {why} (fix the file)")


def _locate_with_oxigraph(text: str, fmt: str, why: str) -> tuple[int | None, int | None, str]:
    """rdflib's N-Triples parser names no line: ask pyoxigraph's parser where it stops."""
    import pyoxigraph as ox

    try:
        for _ in ox.parse(text.encode("utf-8"), getattr(ox.RdfFormat, _OX_FORMATS[fmt])):
            pass
    except SyntaxError as ox_err:
        message = str(ox_err.args[0]) if ox_err.args else str(ox_err)
        match = _POS_IN_MESSAGE.search(message)
        if match:
            detail = message.split(": ", 1)[1] if ": " in message else message
            return int(match.group(1)), int(match.group(2)), detail
    return None, None, why


def rdf_files(path: Path) -> list[Path]:
    """``path`` itself, or every RDF file below the folder ``path`` (sorted, hidden skipped)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in FORMATS
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
    raise InputError(f"{path}: no such file or folder")


def bind_prefixes(graph: Graph) -> None:
    """Bind the spacekg prefixes (overriding rdflib's defaults for the same namespaces)."""
    from spacekg.namespaces import PREFIXES

    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
