"""The kernel's file concerns: the one RDF format table, the one file check, the one parser
verdict and the one atomic writer. Every command reads and writes files through here.

* **Formats** (:data:`TABLE`): one row per format with its extensions, rdflib name, pyoxigraph
  ``RdfFormat``, media type and display name; any other extension is refused by name.
* **Reading** (:func:`check_file`, :func:`read_file`): a path must name a readable regular file
  (not a folder, FIFO, device or socket; symlink loops and I/O errors are bad input, exit 3),
  not empty, at most :data:`MAX_FILE_BYTES`, and not starting with a UTF-8 byte-order mark.
* **Parsing** (:func:`parse_file`): pyoxigraph's parser is the verdict for every format and
  every command. Refused (exit 3, ``FILE:LINE:COL: Turtle syntax error: ... (fix the file)``):
  syntax errors, IRIs with characters IRIs cannot hold (a space), a BOM, tokens or literals over
  16 MiB (the parser's buffer), any ``<!ENTITY`` in RDF/XML. Accepted: any nesting depth (the
  parser keeps its own stack), ill-typed literals such as ``"abc"^^xsd:integer`` (SHACL's
  ``sh:datatype`` reports them; no parser warning is printed).
* **Nothing reaches the network**: ``owl:imports`` is never followed, JSON-LD ``@context`` URLs
  and ``@import`` are refused before parsing, and RDF/XML with a DTD reference or any entity
  declaration is refused with the declaration's line (:func:`refuse_external_entities`).
* **Writing** (:func:`write_atomic`): the output rule, see there; caches use
  :func:`write_private` and :func:`read_private`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError
from spacekg.rdfio.limits import (  # noqa: F401 - private_folder, warn_once re-exported
    MAX_TOKEN_BYTES,
    _decode,
    _max_file_bytes,
    _refuse_remote_contexts,
    _xml_position,
    private_folder,
    quiet_rdflib,
    refuse_bom,
    refuse_external_entities,
    warn_once,
)

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass(frozen=True)
class RdfFormatInfo:
    """One RDF format: what each library and each command calls it."""

    key: str  # the name options take: --format turtle
    rdflib: str  # rdflib's format name
    oxigraph: str  # the pyoxigraph RdfFormat attribute
    media_type: str
    name: str  # for messages
    extensions: tuple[str, ...]
    quads: bool  # names its own graphs


#: the one format table
TABLE: tuple[RdfFormatInfo, ...] = (
    RdfFormatInfo(
        "turtle", "turtle", "TURTLE", "text/turtle", "Turtle", (".ttl", ".turtle"), False
    ),
    RdfFormatInfo(
        "ntriples",
        "nt",
        "N_TRIPLES",
        "application/n-triples",
        "N-Triples",
        (".nt", ".ntriples"),
        False,
    ),
    RdfFormatInfo(
        "nquads", "nquads", "N_QUADS", "application/n-quads", "N-Quads", (".nq", ".nquads"), True
    ),
    RdfFormatInfo("trig", "trig", "TRIG", "application/trig", "TriG", (".trig",), True),
    RdfFormatInfo(
        "jsonld", "json-ld", "JSON_LD", "application/ld+json", "JSON-LD", (".jsonld",), False
    ),
    RdfFormatInfo(
        "rdfxml",
        "xml",
        "RDF_XML",
        "application/rdf+xml",
        "RDF/XML",
        (".rdf", ".owl", ".xml"),
        False,
    ),
)
BY_KEY: dict[str, RdfFormatInfo] = {f.key: f for f in TABLE}
BY_RDFLIB: dict[str, RdfFormatInfo] = {f.rdflib: f for f in TABLE}
BY_EXTENSION: dict[str, RdfFormatInfo] = {ext: f for f in TABLE for ext in f.extensions}

#: extension -> rdflib format name
FORMATS: dict[str, str] = {ext: f.rdflib for ext, f in BY_EXTENSION.items()}
#: rdflib format name -> name used in messages
FORMAT_NAMES: dict[str, str] = {f.rdflib: f.name for f in TABLE}
QUAD_FORMATS = frozenset({"nquads", "trig"})


def info_for(path: Path | str, key: str | None = None) -> RdfFormatInfo:
    """The format row of ``path`` by extension (or of ``key``, an option's or rdflib's name)."""
    if key is not None:
        found = BY_KEY.get(key) or BY_RDFLIB.get(key)
        if found is None:
            known = ", ".join(BY_KEY)
            raise InputError(f"{path}: unknown RDF format {key!r} (use one of: {known})")
        return found
    suffix = Path(path).suffix.lower()
    if suffix not in BY_EXTENSION:
        known = " ".join(sorted(BY_EXTENSION))
        raise InputError(
            f"{path}: cannot tell the RDF format of a {suffix or 'extension-less'!s} file "
            f"(rename it to one of: {known})"
        )
    return BY_EXTENSION[suffix]


def format_for(path: Path | str, fmt: str | None = None) -> str:
    """The rdflib format name for ``path`` (or ``fmt`` if given, after checking it)."""
    return info_for(path, fmt).rdflib


def ox_format(info: RdfFormatInfo | str) -> Any:
    """The pyoxigraph ``RdfFormat`` of a format row (or of a key or rdflib name)."""
    import pyoxigraph as ox

    row = info if isinstance(info, RdfFormatInfo) else info_for("", info)
    return getattr(ox.RdfFormat, row.oxigraph)


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of the character at ``index`` in ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1


# --- reading --------------------------------------------------------------------------------


def _os_reason(err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "a loop of symbolic links (fix the link)"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (check permissions)"
    return f"{err.strerror or err} (check the path)"


def check_file(path: Path | str, what: str = "RDF file", *, empty_ok: bool = False) -> int:
    """Refuse what is not a readable, non-empty regular file within the size limit; the size.

    FIFOs, devices and sockets are refused (reading one could block forever or never end).
    ``empty_ok``: a size of 0 passes (the caller reads the file and judges what it got: files
    under /proc have size 0 and content, or a read error of their own).
    """
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (check the path)") from None
    except (OSError, ValueError) as err:
        reason = _os_reason(err) if isinstance(err, OSError) else str(err)
        raise InputError(f"{path}: cannot read: {reason}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder, not a file (name a {what})")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise InputError(f"{path}: is {kind}, not a regular file (copy it into a {what})")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: cannot read: permission denied (check permissions)")
    limit = _max_file_bytes()
    if st.st_size > limit:
        raise InputError(
            f"{path}: {st.st_size} bytes is over the limit of {limit} "
            "(split the file, or raise SPACEKG_MAX_FILE_BYTES)"
        )
    if st.st_size == 0 and not empty_ok:
        raise InputError(f"{path}: the file is empty (write some content or remove the file)")
    return st.st_size


def read_file(path: Path | str, what: str = "RDF file") -> bytes:
    """The bytes of ``path`` after :func:`check_file`; read errors are bad input (exit 3)."""
    path = Path(path)
    size = check_file(path, what, empty_ok=True)
    limit = _max_file_bytes()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the check
                raise InputError(f"{path}: is not a regular file (copy it into a {what})")
            if size:
                data = handle.read()
            else:  # a size of 0 says nothing (/proc): read in parts, up to the limit
                parts: list[bytes] = []
                held = 0
                while held <= limit and (part := handle.read(1 << 20)):
                    parts.append(part)
                    held += len(part)
                data = b"".join(parts)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {_os_reason(err)}") from None
    if not data:
        raise InputError(f"{path}: the file is empty (write some content or remove the file)")
    if len(data) > limit:
        raise InputError(
            f"{path}: over the limit of {limit} bytes "
            "(split the file, or raise SPACEKG_MAX_FILE_BYTES)"
        )
    return data


def check_rdf_file(path: Path | str) -> int:
    """:func:`check_file` plus the format (by extension) and the BOM verdict; the size."""
    path = Path(path)
    info_for(path)
    size = check_file(path)
    try:
        with open(path, "rb") as handle:
            refuse_bom(path, handle.read(3))
    except OSError as err:
        raise InputError(f"{path}: cannot read: {_os_reason(err)}") from None
    return size


# --- parsing: pyoxigraph's verdict, an rdflib graph -----------------------------------------


def parse_file(path: Path | str, graph: Graph | None = None, fmt: str | None = None) -> Graph:
    """Parse ``path`` into ``graph`` (a new one if ``None``) and return the graph.

    For quad formats (N-Quads, TriG) a new graph is an ``rdflib.Dataset``; if a plain
    ``Graph`` is given, the quads are merged into it as triples. pyoxigraph parses (the one
    verdict, see the module docstring); rdflib only holds the result.
    Raises :class:`~spacekg.errors.InputError` for a missing, empty, non-UTF-8 or invalid file.
    """
    path = Path(path)
    info = info_for(path, fmt)
    raw = read_file(path)
    refuse_bom(path, raw)
    text = _decode(path, raw, info.rdflib)
    if info.key == "jsonld":
        _refuse_remote_contexts(path, text)
    if info.key == "rdfxml":
        refuse_external_entities(path, raw)
    quiet_rdflib()

    from rdflib import Dataset, Graph

    if graph is None:
        graph = Dataset() if info.quads else Graph()
    to_rdflib = _rdflib_converter()
    declared: dict[str, str] = {}
    quads = ox_quads(path, info, raw if info.key == "rdfxml" else text.encode("utf-8"), declared)
    if isinstance(graph, Dataset):
        default = graph.default_graph if hasattr(graph, "default_graph") else graph.default_context
        for q in quads:
            g = q.graph_name
            target = default if not hasattr(g, "value") else graph.graph(to_rdflib(g))
            target.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    else:
        graph.addN(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), graph)
            for q in quads
        )
    for prefix, namespace in declared.items():
        with contextlib.suppress(Exception):  # rdflib refuses some prefix names: keep its own
            graph.bind(prefix, namespace, override=False)
    return graph


def ox_quads(
    path: Path | str,
    info: RdfFormatInfo,
    data: bytes | None = None,
    prefixes: dict[str, str] | None = None,
) -> Any:
    """pyoxigraph's quads of ``data`` (or of the file ``path``), one InputError on bad input;
    the prefixes the document declares are added to ``prefixes`` when it is read."""
    import pyoxigraph as ox

    base = Path(path).resolve().as_uri()
    try:
        if data is None:
            parser = ox.parse(
                path=str(path), format=ox_format(info), base_iri=base, rename_blank_nodes=True
            )
        else:
            parser = ox.parse(data, ox_format(info), base_iri=base, rename_blank_nodes=True)
        yield from parser
        if prefixes is not None:
            prefixes.update(getattr(parser, "prefixes", None) or {})
    except SyntaxError as err:
        raise syntax_error(path, info, err, data) from None
    except MemoryError:
        raise InputError(
            f"{path}: a literal or IRI is over {MAX_TOKEN_BYTES} bytes, the parser's limit "
            "(shorten it or keep it outside the graph)"
        ) from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {_os_reason(err)}") from None


_PARSER_PREFIX = re.compile(r"^Parser error [^:]*: ")
_LINE_SUFFIX = re.compile(r" \(line \d+\)$")


def syntax_error(
    path: Path | str, info: RdfFormatInfo, err: SyntaxError, data: bytes | None = None
) -> InputError:
    """The one wording of a syntax error: ``FILE:LINE:COL: Turtle syntax error: WHY (fix the
    file)``, from pyoxigraph's error; the reason is cut to 200 characters (a long line is not
    repeated whole)."""
    message = str(err.msg if getattr(err, "msg", None) else err).strip()
    why = message.splitlines()[0] if message else type(err).__name__
    why = _LINE_SUFFIX.sub("", _PARSER_PREFIX.sub("", why))
    if len(why) > 200:
        why = why[:197] + "..."
    line, col = getattr(err, "lineno", None), getattr(err, "offset", None)
    if line is None and info.key == "rdfxml" and data is not None:
        line, col = _xml_position(data)
    where = f"{path}:{line}:{col}" if line and col else f"{path}:{line}" if line else str(path)
    return InputError(f"{where}: {info.name} syntax error: {why} (fix the file)")


def _rdflib_converter() -> Any:
    """A function from pyoxigraph terms to rdflib terms."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    plain = {"http://www.w3.org/2001/XMLSchema#string"}
    cache: dict[str, Any] = {}

    def convert(term: Any) -> Any:
        if isinstance(term, ox.NamedNode):
            value = term.value
            found = cache.get(value)
            if found is None:
                found = cache[value] = URIRef(value)
            return found
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            return Literal(term.value, datatype=None if datatype in plain else URIRef(datatype))
        raise InputError(f"unsupported RDF term {term!r} (RDF-star is not supported)")

    return convert


# --- writing --------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path | str, data: bytes) -> None:
    """The output rule. A regular file or nothing at ``path``: ``data`` goes to a new file in
    the same folder, renamed over the target (never half-written), with the replaced file's mode
    or else ``0666 & ~umask``. A symlink is followed: its target gets the output, the link stays.
    A FIFO or device is written to directly, never replaced (a FIFO nobody reads is refused).
    Every failure is :class:`~spacekg.errors.InputError` (exit 3)."""
    path = Path(path)
    try:
        st: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as err:
        raise InputError(f"{path}: cannot write: {_os_reason(err)}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder (name a file to write)")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_special(path, data)
        return
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    folder = target.parent if str(target.parent) else Path(".")
    try:
        _replace(folder, target.name, data, mode)
    except OSError as err:
        raise InputError(f"{path}: cannot write: {_os_reason(err)}") from None


def _replace(folder: Path, name: str, data: bytes, mode: int | None = None) -> None:
    """``data`` into a new file of ``folder`` (an unpredictable name opened with ``O_EXCL``: no
    symlink is followed), then renamed to ``name``: readers see the old file or the new one."""
    import tempfile  # only writing a file needs it

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if mode is not None:
                handle.flush()
                os.fsync(handle.fileno())
                os.fchmod(handle.fileno(), mode)
        os.replace(tmp, folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_special(path: Path, data: bytes) -> None:
    """Write to a FIFO or device in place (``-o /dev/stdout``, ``-o /dev/null``)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as err:
        if err.errno == errno.ENXIO:
            raise InputError(
                f"{path}: is a FIFO that nobody reads (start the reader first)"
            ) from None
        raise InputError(f"{path}: cannot write: {_os_reason(err)}") from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as err:
        raise InputError(
            f"{path}: cannot write: {err.strerror or err} (check the device)"
        ) from None
    finally:
        os.close(fd)


def write_stream(stream: Any, data: bytes, what: str = "stdout") -> None:
    """Write ``data`` to an open binary stream; an OSError is bad output, exit 3."""
    try:
        stream.write(data)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        raise InputError(
            f"cannot write the output to {what}: {err.strerror or err} "
            "(free some space or send the output elsewhere)"
        ) from None


def read_private(path: Path) -> bytes | None:
    """The bytes of a cache file, or None if absent, not a regular file, or a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read()
        except OSError:
            return None


def write_private(folder: Path, name: str, data: bytes) -> bool:
    """Write a cache file ``folder/name`` atomically: a temporary file with an unpredictable
    name opened with ``O_EXCL`` (no symlink is followed), then a rename. False on failure."""
    try:
        _replace(folder, name, data)
    except OSError:
        return False
    return True


def rdf_files(path: Path) -> list[Path]:
    """``path`` itself, or every RDF file below the folder ``path`` (sorted, hidden skipped)."""
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in FORMATS
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
    if not path.exists() and not path.is_symlink():
        raise InputError(f"{path}: no such file or folder")
    return [path]  # parse_file applies the one file check (FIFOs, devices, loops refused)


def bind_prefixes(graph: Graph) -> None:
    """Bind the spacekg prefixes (overriding rdflib's defaults for the same namespaces)."""
    from spacekg.namespaces import PREFIXES

    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
