"""Limits and refusals of the file kernel (:mod:`spacekg.rdfio`): sizes, the BOM verdict, and
what would reach the network or expand without bound (JSON-LD remote contexts, XML entities)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from spacekg.errors import InputError

#: the largest file any command reads (SPACEKG_MAX_FILE_BYTES overrides)
MAX_FILE_BYTES = 4 << 30
#: the largest token pyoxigraph's parsers accept (their buffer), so the largest literal
MAX_TOKEN_BYTES = 16 << 20


def _max_file_bytes() -> int:
    env = os.environ.get("SPACEKG_MAX_FILE_BYTES", "")
    return int(env) if env.isdigit() else MAX_FILE_BYTES


def refuse_bom(path: Path | str, head: bytes) -> None:
    """The verdict on a UTF-8 byte-order mark: refused by every command, with the fix."""
    if head.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            f"{path}:1:1: the file starts with a UTF-8 byte-order mark, which RDF syntaxes do "
            "not allow (save it as UTF-8 without BOM)"
        )


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
    internal: list[tuple[int, str, str]] = []

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
        if system is None and public is None:  # an internal entity: its value is in the file
            internal.append((parser.CurrentLineNumber, name, value or ""))
            return
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
    _bound_internal_entities(path, raw, internal)


#: the most characters internal entities may add to an RDF/XML document
MAX_ENTITY_EXPANSION = 1 << 20


def _bound_internal_entities(path: Path, raw: bytes, internal: list[tuple[int, str, str]]) -> None:
    """Refuse entities that refer to entities (the "billion laughs") and expansions over
    :data:`MAX_ENTITY_EXPANSION` characters; plain ``<!ENTITY ex "https://...#">`` is fine."""
    total = 0
    for line, name, value in internal:
        if "&" in value or "%" in value:
            raise InputError(
                f"{path}:{line}: RDF/XML entity {name!r} refers to another entity; spacekg "
                "refuses nested entity expansion (write the value out)"
            )
        total += raw.count(f"&{name};".encode()) * len(value)
        if total > MAX_ENTITY_EXPANSION:
            raise InputError(
                f"{path}:{line}: RDF/XML entities would expand to over {MAX_ENTITY_EXPANSION} "
                "characters; refused (write the values out)"
            )


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
        line = good.count("\n") + 1
        col = len(good) - good.rfind("\n")
        raise InputError(
            f"{path}:{line}:{col}: not valid {encoding.upper()} (byte 0x{raw[err.start]:02X}); "
            "save the file as UTF-8"
        ) from None
    if not text.strip():
        raise InputError(f"{path}: the file is empty (write some RDF or remove the file)")
    return text


def _xml_position(data: bytes) -> tuple[int | None, int | None]:
    """Where expat finds RDF/XML ill-formed (pyoxigraph's RDF/XML errors carry no position)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        return err.lineno, err.offset + 1
    return None, None


class _IllTypedFilter:
    """Drops rdflib's logged traceback for an ill-typed literal (the verdict: accepted)."""

    def filter(self, record: Any) -> bool:
        return "Failed to convert Literal lexical form" not in str(record.msg)


def quiet_rdflib() -> None:
    """Install the filter on rdflib's term logger, once."""
    import logging

    logger = logging.getLogger("rdflib.term")
    if not any(isinstance(f, _IllTypedFilter) for f in logger.filters):
        logger.addFilter(_IllTypedFilter())


class _RdflibImportWatch:
    """A :data:`sys.meta_path` entry that installs the filter when rdflib is first imported,
    then removes itself; it finds no module (the import goes on as usual)."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> None:
        if name == "rdflib":
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(cls)
            quiet_rdflib()


def quiet_rdflib_on_import() -> None:
    """:func:`quiet_rdflib` now if rdflib is loaded, else as soon as it is imported: a command
    that never loads rdflib does not load :mod:`logging` for it either."""
    if "rdflib" in sys.modules:
        quiet_rdflib()
    elif _RdflibImportWatch not in sys.meta_path:
        sys.meta_path.insert(0, _RdflibImportWatch)


_warned: set[str] = set()


def warn_once(message: str) -> None:
    """One line on stderr, once per process (caches that step aside say so once)."""
    if message not in _warned:
        _warned.add(message)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"spacekg: warning: {message}\n")


def private_folder(base: Path, name: str) -> Path | None:
    """``base/name``, a folder only spacekg writes, created if absent; None (and one warning)
    when ``base`` or ``base/name`` exists but is not a folder, or cannot be created. The
    subfolder itself must not be a symlink."""
    folder = base / name
    try:
        for part in (base, folder):
            try:
                st = os.stat(part) if part is base else os.lstat(part)
            except FileNotFoundError:
                os.makedirs(part, mode=0o700, exist_ok=True)
                continue
            if not stat.S_ISDIR(st.st_mode):
                warn_once(f"cache path {part} is not a folder; working without a cache")
                return None
    except OSError as err:
        warn_once(f"cannot use the cache folder {folder}: {err.strerror}; working without it")
        return None
    return folder
