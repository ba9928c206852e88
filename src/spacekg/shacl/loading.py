"""Reading RDF files for SHACL validation: pyoxigraph parsing, one-line errors, datatype wrapping.

Data files are parsed with pyoxigraph (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, by
extension): no remote JSON-LD context is fetched, no XML external entity resolved. A syntax error
is worded as every other spacekg command words it (:func:`_syntax_error`). Literals of
:data:`~spacekg.shacl.model.WRAPPED_TYPES` are stored under a surrogate datatype, because
oxigraph's store would turn them into ``xsd:integer``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError
from spacekg.shacl.model import (
    RDF_LANGSTRING,
    SURROGATE_NS,
    WRAPPED_TYPES,
    XSD,
    XSD_STRING,
    DataInput,
    PathLike,
    TripleIndex,
)

if TYPE_CHECKING:
    import pyoxigraph

# --------------------------------------------------------------------------- loading


def rdf_format(path: Path) -> Any:
    """The pyoxigraph RdfFormat for a file, by extension (:data:`spacekg.rdfio.TABLE`)."""
    from spacekg.rdfio import info_for, ox_format

    return ox_format(info_for(path))


_WRAP_SCAN = re.compile(rb"[:#](?:" + b"|".join(t.encode() for t in WRAPPED_TYPES) + rb")\b")


def _syntax_error(p: Path, err: SyntaxError) -> InputError:
    """The one wording of a syntax error (:func:`spacekg.rdfio.syntax_error`)."""
    from spacekg.rdfio import info_for, syntax_error

    return syntax_error(p, info_for(p), err)


def _check_file(p: Path) -> int:
    """The one file check (:func:`spacekg.rdfio.check_rdf_file`); the size."""
    from spacekg.rdfio import check_rdf_file

    return check_rdf_file(p)


_XSD_PREFIX = re.compile(
    rb"(?:@prefix|PREFIX)\s+([A-Za-z][A-Za-z0-9_.\-]*)?:\s*<http://www\.w3\.org/2001/XMLSchema#>",
    re.IGNORECASE,
)
_WRAPPED_ALT = b"|".join(t.encode() for t in WRAPPED_TYPES)


def _xsd_prefixes(raw: bytes) -> set[bytes]:
    """The prefixes bound to XSD's namespace: the regex only runs on the lines that name it
    (a case-insensitive regex over a whole 50 MB file took over a second)."""
    out: set[bytes] = set()
    ns = b"<http://www.w3.org/2001/XMLSchema#>"
    pos = raw.find(ns)
    while pos != -1:
        start = max(0, pos - 300)  # a declaration may span lines
        for m in _XSD_PREFIX.finditer(raw, start, pos + len(ns)):
            out.add(m.group(1) or b"")
        pos = raw.find(ns, pos + 1)
    return out


def _rewrite_wrapped(raw: bytes, turtle: bool) -> bytes:
    """Point the datatype of literals of :data:`WRAPPED_TYPES` at :data:`SURROGATE_NS`, in the
    bytes of an N-Triples or Turtle file (full IRIs, and prefixed names of XSD's prefixes)."""
    for t in WRAPPED_TYPES:
        raw = raw.replace(f"^^<{XSD}{t}>".encode(), f"^^<{SURROGATE_NS}{t}>".encode())
    if turtle:
        for pfx in _xsd_prefixes(raw):
            rx = re.compile(
                rb"\^\^" + re.escape(pfx) + rb":(" + _WRAPPED_ALT + rb")(?![\w\-]|\.[\w\-])"
            )
            raw = rx.sub(lambda m: b"^^<" + SURROGATE_NS.encode() + m.group(1) + b">", raw)
    return raw


def _corrupted(text: str) -> None:
    raise InputError(
        f"a string literal contains a datatype written as text ({text[:60]!r}): "
        "spacekg's fast loader cannot keep it intact",
        hint="escape one character of it, e.g. \\u005E for ^",
    )


@contextmanager
def _parse_errors(p: Path) -> Iterator[None]:
    """Turn what parsing ``p`` raises into one-line :class:`InputError` messages."""
    try:
        yield
    except SyntaxError as err:
        raise _syntax_error(p, err) from err
    except UnicodeDecodeError as err:
        raise InputError(f"{p}: not UTF-8 (byte {err.start})", hint="re-save as UTF-8") from err
    except MemoryError:
        from spacekg.rdfio import MAX_TOKEN_BYTES

        raise InputError(
            f"{p}: a literal or IRI is over {MAX_TOKEN_BYTES} bytes, the parser's limit "
            "(shorten it or keep it outside the graph)"
        ) from None
    except ValueError as err:
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        if "utf" in text.lower():
            raise InputError(f"{p}: not UTF-8: {text}", hint="re-save as UTF-8") from err
        raise InputError(f"{p}: cannot parse: {text}") from err
    except OSError as err:
        raise InputError(f"{p}: cannot read: {err}") from err


def load_into(store: pyoxigraph.Store, path: PathLike, *, rename_blank_nodes: bool = False) -> None:
    """Parse one RDF file into the default graph of ``store``, with one-line errors.

    Literals of the datatypes in :data:`WRAPPED_TYPES` are stored under :data:`SURROGATE_NS`
    (so ``xsd:nonNegativeInteger`` stays itself); :func:`term_from_ox` unwraps them.
    """
    import pyoxigraph as ox

    p = Path(path)
    fmt = rdf_format(p)
    _check_file(p)
    base = p.resolve().as_uri()
    with _parse_errors(p):
        raw = p.read_bytes()
        simple = fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE)
        if simple and not (rename_blank_nodes and b"_:" in raw):
            if _WRAP_SCAN.search(raw):
                raw = _rewrite_wrapped(raw, turtle=fmt == ox.RdfFormat.TURTLE)
            store.load(raw, format=fmt, base_iri=base, to_graph=ox.DefaultGraph())
        else:  # other formats, named graphs merged, blank nodes renamed: through N-Triples
            del raw
            quads = ox.parse(
                path=str(p), format=fmt, base_iri=base, rename_blank_nodes=rename_blank_nodes
            )
            nt = ox.serialize(
                (ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                format=ox.RdfFormat.N_TRIPLES,
            )
            store.load(
                _rewrite_wrapped(nt, turtle=False),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.DefaultGraph(),
            )


def _as_paths(data: Any) -> list[Path]:
    if isinstance(data, (str, os.PathLike)):
        return [Path(data)]
    return [Path(d) for d in data]


def _is_store(obj: Any) -> bool:
    return type(obj).__name__ == "Store" and type(obj).__module__.startswith("pyoxigraph")


def build_store(data: DataInput, ontology: PathLike | Sequence[PathLike] | None) -> Any:
    """A fresh in-memory pyoxigraph store whose default graph holds data + ontology."""
    import pyoxigraph as ox

    if isinstance(data, Twin):
        data.wait()
        data = data.store
    store = ox.Store()
    files: list[Path] = []
    if _is_store(data):
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in data)  # type: ignore[union-attr]
    else:
        files = _as_paths(data)
    if ontology is not None:
        files += _as_paths(ontology)
    for p in files:
        load_into(store, p, rename_blank_nodes=len(files) > 1 or _is_store(data))
    return store


def shapes_index(shapes: PathLike | Sequence[PathLike]) -> tuple[TripleIndex, list[Any]]:
    """The shapes graph as a :class:`TripleIndex` and its triples, lexical forms as written."""
    import pyoxigraph as ox

    quads: list[Any] = []
    paths = _as_paths(shapes)
    for p in paths:
        fmt = rdf_format(p)
        _check_file(p)
        try:
            quads.extend(
                ox.parse(
                    path=str(p),
                    format=fmt,
                    base_iri=p.resolve().as_uri(),
                    rename_blank_nodes=len(paths) > 1,
                )
            )
        except SyntaxError as err:
            raise _syntax_error(p, err) from err
        except (ValueError, OSError) as err:
            raise InputError(f"{p}: cannot parse: {str(err).splitlines()[0]}") from err
    return TripleIndex.from_ox(quads), quads


def _to_rdflib(quads: Iterable[Any]) -> Any:
    """Quads as an rdflib Graph (default graph): blank-node labels kept, datatypes unwrapped."""
    import pyoxigraph as ox
    from rdflib import BNode, Graph, URIRef
    from rdflib import Literal as RLiteral

    cache: dict[Any, Any] = {}

    def conv(t: Any) -> Any:
        r = cache.get(t)
        if r is None:
            if isinstance(t, ox.NamedNode):
                r = URIRef(t.value)
            elif isinstance(t, ox.BlankNode):
                r = BNode(t.value)
            elif t.language:
                r = RLiteral(t.value, lang=t.language)
            else:
                dt = t.datatype.value
                if dt.startswith(SURROGATE_NS):
                    dt = XSD + dt[len(SURROGATE_NS) :]
                elif dt == XSD_STRING and SURROGATE_NS in t.value:
                    _corrupted(t.value)
                r = (
                    RLiteral(t.value)
                    if dt == XSD_STRING
                    else RLiteral(t.value, datatype=URIRef(dt), normalize=False)
                )
            if len(cache) < 200_000:
                cache[t] = r
        return r

    g = Graph()
    add = g.add
    for q in quads:
        add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return g


def read_triples(data: DataInput, ontology: PathLike | Sequence[PathLike] | None) -> Iterator[Any]:
    """(s, p, o) pyoxigraph terms of data + ontology, parsed without a store (lexical forms kept).

    From a Store: every quad of every graph (the union), wrapped datatypes unwrapped.
    """
    import pyoxigraph as ox

    files: list[Path] = []
    if isinstance(data, Twin):  # its store, once it holds the files
        data.wait()
        data = data.store
    if _is_store(data):
        surrogate = SURROGATE_NS
        for q in data:  # type: ignore[union-attr]
            o = q.object
            if isinstance(o, ox.Literal):
                dt = o.datatype.value
                if dt.startswith(surrogate):
                    o = ox.Literal(o.value, datatype=ox.NamedNode(XSD + dt[len(surrogate) :]))
                elif dt in (XSD_STRING, RDF_LANGSTRING) and surrogate in o.value:
                    _corrupted(o.value)
            yield (q.subject, q.predicate, o)
    else:
        files = _as_paths(data)
    if ontology is not None:
        files += _as_paths(ontology)
    rename = len(files) > 1 or _is_store(data)
    for p in files:
        fmt = rdf_format(p)
        _check_file(p)
        with _parse_errors(p):
            for q in ox.parse(
                path=str(p), format=fmt, base_iri=p.resolve().as_uri(), rename_blank_nodes=rename
            ):
                yield (q.subject, q.predicate, q.object)


# --------------------------------------------------------------------------- twin loading


class _Differs(Exception):
    """A parse of a file need not give the terms the store holds for it."""


class Twin:
    """Files that go into ``store`` (``load``) while this thread parses the same ``files`` for
    the SHACL engine: one parse each instead of a load followed by reading every triple back
    out of the store.

    ``threaded``: ``load`` starts now in a worker thread (Oxigraph loads without the GIL);
    else it runs in the first :meth:`wait`, if anything needs this store to hold the files
    (a checking process that loads its own copy may answer for it). ``collect``: the parse also
    keeps the files' subjects and objects (:attr:`subjects`, :attr:`objects`).

    The SHACL data graph is the union of the store's graphs, as for a store. The store's
    triples as they are before ``load`` (the context) are read back; the files' own triples
    come from the parse. That is only the same graph when a parse gives the terms the store
    holds back: a store renames every blank node (a triple term may hold one), and
    :func:`load_into` rewrites a literal whose text holds ``^^`` (reading it back refuses it,
    as it does a text holding :data:`SURROGATE_NS`). So the first such term stops the parse
    (:attr:`parsed` is then False), and the data graph is built again from the store alone
    once ``load`` has ended, as without a twin. Literals of other datatypes are the same both
    ways (:data:`WRAPPED_TYPES`). Only Turtle and N-Triples files (:meth:`applies`).
    """

    def __init__(
        self,
        store: Any,
        load: Callable[[], None],
        files: Sequence[Path],
        *,
        threaded: bool = True,
        collect: bool = False,
    ) -> None:
        import threading

        self.store = store
        self.files = list(files)
        self.parsed = False
        self.subjects: set[Any] = set()
        self.objects: set[Any] = set()
        self._collect = collect
        #: one object per term for every triple given (the engine's index then skips it)
        self._same: dict[Any, Any] = {}
        self._context = list(self._interned(read_triples(store, None)))
        self._load = load
        self._error: BaseException | None = None
        self._data: Any = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = False
        if threaded:
            self._thread = threading.Thread(target=self._run, name="spacekg-load", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._load()
        except BaseException as err:  # raised again by wait(), in the caller's thread
            self._error = err.with_traceback(None)
        self._done = True

    @staticmethod
    def applies(files: Sequence[Path]) -> bool:
        import pyoxigraph as ox

        simple = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE)
        return bool(files) and all(rdf_format(p) in simple for p in files)

    def wait(self) -> None:
        """Until the store holds the files (loading them here if no thread does); what the
        load raised, raised here."""
        if self._thread is not None:
            self._thread.join()
        else:
            with self._lock:
                if not self._done:
                    self._run()
        if self._error is not None:
            raise self._error

    def _triples(self) -> Iterator[Any]:
        """The context's triples and the parse's; :class:`_Differs` where they would not be
        the store's."""
        try:
            yield from self._context
            yield from self._parsed()
        except _Differs:
            raise
        except Exception:
            self.wait()  # the store's error first: it is what a load alone would have said
            raise

    def _parsed(self) -> Iterator[Any]:
        import pyoxigraph as ox

        named, literal = ox.NamedNode, ox.Literal
        subjects, objects = self.subjects.add, self.objects.add
        collect, one = self._collect, self._same.setdefault
        for p in self.files:
            with _parse_errors(p):
                for q in ox.parse(path=str(p), format=rdf_format(p), base_iri=p.resolve().as_uri()):
                    s, o = q.subject, q.object
                    # a blank node, a triple term (RDF 1.2), a literal load_into rewrites or
                    # a reading of the store refuses (see _corrupted)
                    if s.__class__ is not named or (
                        o.__class__ is not named
                        and (
                            o.__class__ is not literal
                            or "^^" in (text := o.value)
                            or SURROGATE_NS in text
                        )
                    ):
                        raise _Differs
                    s, o = one(s, s), one(o, o)
                    if collect:
                        subjects(s)
                        objects(o)
                    yield (s, q.predicate, o)

    def _interned(self, triples: Iterable[Any]) -> Iterator[Any]:
        one = self._same.setdefault
        for s, p, o in triples:
            yield one(s, s), p, one(o, o)

    def data(self, build: Callable[..., Any]) -> Any:
        """``build(triples, interned=True)`` of the data graph's triples, built once: from the
        parse, else (it stopped) from the store alone, once it holds the files."""
        if self._data is None:
            try:
                self._data = build(self._triples(), interned=True)
                self.parsed = True
            except _Differs:
                self.subjects.clear()
                self.objects.clear()
                self.wait()
                self._data = build(self._interned(read_triples(self.store, None)), interned=True)
            self._same, self._context = {}, []  # the index holds the terms
        return self._data

    def release(self) -> None:
        """Let go of the built data graph (validated; nothing else needs it)."""
        self._data = None
