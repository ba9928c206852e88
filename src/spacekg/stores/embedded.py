"""Loading the graph into a persistent embedded Oxigraph store, and querying it.

What gets loaded is a list of :class:`LoadItem`: one named graph each, either the bundled graph
(:func:`bundle_items`: the ontology, every data file and optionally the inferred triples, the same
graphs and bytes as ``spacekg export``) or user files (:func:`file_items`: N-Triples, Turtle or
RDF/XML). A malformed file changes nothing: files are parsed completely before anything is
written, except N-Triples for the embedded store, whose loaders validate everything before they
write anything (the whole load is one transaction, or one bulk load, per graph).

Writing is all-or-nothing per graph:

* small graphs (the bundle) are loaded in one transaction into a staging graph, counted, and
  swapped in with one SPARQL ``MOVE`` (one transaction): a reader sees the old or the new graph;
* large files (> :data:`BULK_BYTES`) go through pyoxigraph's bulk loader, which writes
  everything or nothing. Into an empty graph that is the whole story; replacing a non-empty
  graph stages first and then ``MOVE``\\ s, which is atomic but slow for millions of triples
  (Oxigraph copies triple by triple in one transaction): prefer a new graph or a new store.

After each graph is written its triples are counted in the store and compared with what was
parsed from the input; a difference raises :class:`~spacekg.errors.StoreError`.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError, SpacekgError, StoreError
from spacekg.rdfio import TABLE as RDF_TABLE
from spacekg.terms import QueryResult

if TYPE_CHECKING:
    import pyoxigraph

#: (done, total) in bytes of input; the CLI draws a progress bar from it on a terminal
Progress = Callable[[int, int], None]

#: files larger than this go through the bulk loader (streamed, bounded memory)
BULK_BYTES = 8 * 1024 * 1024
STAGING_NS = "urn:spacekg:staging:"
DEFAULT_GRAPH = ""  # LoadItem.graph for the store's default graph

#: the triple formats a graph is loaded from (rows of :data:`spacekg.rdfio.TABLE`), by key
TRIPLE_FORMATS = {f.key: f for f in RDF_TABLE if not f.quads and f.key != "jsonld"}
FORMATS = {ext: f.key for f in TRIPLE_FORMATS.values() for ext in f.extensions}
MEDIA_TYPES = {key: f.media_type for key, f in TRIPLE_FORMATS.items()}
DATASET_SUFFIXES = tuple(
    ext for f in RDF_TABLE if f.key not in TRIPLE_FORMATS for ext in f.extensions
)


@dataclass(frozen=True)
class LoadItem:
    """One graph to load: the bytes (``data``) or a file (``path``), already validated.

    ``triples`` is the number of triples in it, ``distinct`` the number of distinct ones (what a
    store holds afterwards; None until needed), ``has_bnodes`` whether a blank node occurs.
    """

    graph: str  # graph IRI, or DEFAULT_GRAPH
    label: str  # for messages: a file path or a bundle name
    format: str  # a key of MEDIA_TYPES
    triples: int
    distinct: int | None
    has_bnodes: bool
    path: Path | None = None
    data: bytes | None = None
    replace: bool = True

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        return self.path.stat().st_size if self.path else 0

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


@dataclass(frozen=True)
class GraphLoad:
    """The outcome for one graph: how many triples were sent, how many the target holds."""

    graph: str
    label: str
    sent: int
    stored: int
    replaced: bool
    method: str  # e.g. "transaction+move", "bulk", "gsp-put", "update-chunks+move"


@dataclass(frozen=True)
class LoadReport:
    target: str
    graphs: tuple[GraphLoad, ...]
    seconds: float

    @property
    def triples(self) -> int:
        return sum(g.stored for g in self.graphs)


# --- preparing the input -------------------------------------------------------------------------


def _ox_format(fmt: str) -> Any:
    from spacekg.rdfio import ox_format

    return ox_format(TRIPLE_FORMATS[fmt])


def guess_format(path: Path, fmt: str | None = None) -> str:
    """The format key of ``path`` (``fmt`` wins); InputError for datasets and unknown suffixes."""
    if fmt:
        if fmt not in MEDIA_TYPES:
            raise InputError(f"unknown format {fmt!r} (use one of: {', '.join(MEDIA_TYPES)})")
        return fmt
    suffix = path.suffix.lower()
    if suffix in DATASET_SUFFIXES:
        raise InputError(
            f"{path}: a dataset file ({suffix}) names its own graphs; load a triples file "
            "(.nt, .ttl, .rdf) with --graph, or the bundled graph with `spacekg load` alone"
        )
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: cannot tell the RDF format from the suffix {suffix!r} "
            f"(use .nt, .ttl or .rdf, or pass --format)"
        )
    return FORMATS[suffix]


def _triple_key(quad: Any) -> bytes:
    return hashlib.blake2b(
        f"{quad.subject} {quad.predicate} {quad.object}".encode(), digest_size=12
    ).digest()


def scan(
    source: Path | bytes, fmt: str, label: str, *, distinct: bool = False
) -> tuple[int, int | None, bool]:
    """Parse ``source`` completely: (triples, distinct triples or None, has blank nodes).

    Raises InputError naming the file and line on a syntax error. Streamed: memory does not
    grow with the input, except with ``distinct`` (a digest per triple, ~60 MB per million).
    """
    import pyoxigraph as ox

    seen: set[bytes] = set()
    count = 0
    bnodes = False
    blank = ox.BlankNode
    try:
        if isinstance(source, bytes):
            quads = ox.parse(source, _ox_format(fmt))
        else:
            quads = ox.parse(path=source, format=_ox_format(fmt))
        for quad in quads:
            count += 1
            if distinct:
                seen.add(_triple_key(quad))
            if not bnodes and (isinstance(quad.subject, blank) or isinstance(quad.object, blank)):
                bnodes = True
    except SyntaxError as err:
        message = str(err.args[0]) if err.args else str(err)
        raise InputError(f"{label}: RDF syntax error: {message} (fix the file)") from None
    except OSError as err:
        raise InputError(f"{label}: cannot read: {err.strerror or err} (check the path)") from None
    return count, (len(seen) if distinct else None), bnodes


def ntriples_lines(path: Path) -> int:
    """Triples in an N-Triples file by counting its statement lines (no parsing: fast)."""
    count = 0
    with open(path, "rb") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped and not stripped.startswith(b"#"):
                count += 1
    return count


def distinct_count(item: LoadItem) -> int:
    """The number of distinct triples of ``item`` (what any RDF store holds after loading it)."""
    if item.distinct is not None:
        return item.distinct
    source = item.data if item.data is not None else item.path
    assert source is not None
    return scan(source, item.format, item.label, distinct=True)[1] or 0


def check_count(item: LoadItem, stored: int, before: int, where: str) -> None:
    """Raise StoreError unless ``stored`` triples is what loading ``item`` must give."""
    if item.replace or before == 0:
        low = high = item.triples if stored == item.triples else distinct_count(item)
    else:  # appended to a non-empty graph: some sent triples may have been there already
        low, high = before, before + item.triples
    if not low <= stored <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise StoreError(
            f"{item.label}: {where} holds {stored} triples after the load, expected {expected}"
        )


def file_items(
    paths: Iterable[Path | str],
    *,
    graph: str | None = None,
    fmt: str | None = None,
    replace: bool = False,
    parse: bool = True,
) -> list[LoadItem]:
    """Validate user files completely (nothing is written yet) and plan one item per file.

    Without ``graph`` the triples go to the store's default graph. ``parse=False`` skips the
    parse of N-Triples files (their lines are counted): for the embedded store, whose bulk
    loader validates everything before it writes anything.
    """
    items = []
    target = graph if graph is not None else DEFAULT_GRAPH
    if graph is not None:
        _check_iri(graph)
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise InputError(f"{path}: no such file (check the path)")
        form = guess_format(path, fmt)
        if parse or form != "ntriples":
            triples, distinct, bnodes = scan(path, form, str(path))
        else:
            triples, distinct, bnodes = ntriples_lines(path), None, True
        items.append(
            LoadItem(target, str(path), form, triples, distinct, bnodes, path=path, replace=replace)
        )
    if replace and len({i.graph for i in items}) < len(items):
        raise InputError(
            "--replace with several files into the same graph would keep only the last; "
            "concatenate them or load without --replace"
        )
    return items


def bundle_items(*, inferred: bool = False) -> list[LoadItem]:
    """The bundled graph as ``spacekg export`` writes it: one item per named graph.

    Blank nodes carry the export's dataset-wide labels, so a node shared by two graphs stays one
    node in an embedded store.
    """
    from spacekg.export import iter_graphs

    items = []
    for iri, lines in iter_graphs(inferred=inferred):
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        bnodes = "_:" in data.decode("utf-8")
        items.append(
            LoadItem(
                iri,
                iri.rsplit("/graph/", 1)[-1],
                "ntriples",
                len(lines),
                len(lines),
                bnodes,
                data=data,
                replace=True,
            )
        )
    return items


def _check_iri(iri: str) -> None:
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError:
        raise InputError(
            f"--graph {iri!r} is not an absolute IRI (e.g. https://example.org/g)"
        ) from None
    if ":" not in iri or any(c in iri for c in ' <>"{}|\\^`'):
        raise InputError(f"--graph {iri!r} is not an absolute IRI (e.g. https://example.org/g)")


# --- the embedded store --------------------------------------------------------------------------


def _graph_node(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.DefaultGraph() if iri == DEFAULT_GRAPH else ox.NamedNode(iri)


def _graph_ref(iri: str) -> str:
    """The graph in SPARQL Update syntax (``DEFAULT`` or ``GRAPH <iri>``)."""
    return "DEFAULT" if iri == DEFAULT_GRAPH else f"GRAPH <{iri}>"


def _count(store: pyoxigraph.Store, iri: str) -> int:
    pattern = "{ ?s ?p ?o }" if iri == DEFAULT_GRAPH else f"{{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
    solutions = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {pattern}")
    for row in solutions:  # type: ignore[union-attr]
        return int(row[0].value)
    return 0


def open_store(path: Path | str, *, create: bool) -> pyoxigraph.Store:
    """Open the store at ``path`` read-write (creating it if asked)."""
    import pyoxigraph as ox

    path = Path(path)
    if not create and not path.is_dir():
        raise StoreError(f"{path}: no store there (create it with `spacekg load --store {path}`)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as err:
        raise StoreError(
            f"{path}: cannot open the store: {err} (is another process using it?)"
        ) from None


def _bulk_with_progress(
    store: pyoxigraph.Store, item: LoadItem, graph: Any, progress: Progress | None
) -> None:
    """Run the bulk loader (it reads the file itself, in parallel) and report progress.

    The loader gives no callback; on Linux the bytes the process has read tell how far the
    parser is, which is most of the work. The bar reaches the end when the loader returns.
    """
    errors: list[BaseException] = []

    def run() -> None:
        try:
            store.bulk_load(path=str(item.path), format=_ox_format(item.format), to_graph=graph)
        except BaseException as err:  # re-raised in the caller's thread
            errors.append(err)

    total = item.size
    worker = threading.Thread(target=run, name="spacekg-bulk-load", daemon=True)
    start = _read_bytes()
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
        if progress and start is not None:
            now = _read_bytes()
            if now is not None:
                progress(min(total, now - start) * 9 // 10, total)
    if errors:
        raise errors[0]
    if progress:
        progress(total, total)


def _read_bytes() -> int | None:
    try:
        with open("/proc/self/io", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _write_item(store: pyoxigraph.Store, item: LoadItem, progress: Progress | None) -> GraphLoad:
    target = _graph_node(item.graph)
    before = _count(store, item.graph)
    big = item.path is not None and item.size > BULK_BYTES
    try:
        if big and (before == 0 or not item.replace):
            # all or nothing, straight into the target graph
            method = "bulk"
            _bulk_with_progress(store, item, target, progress)
        else:
            import pyoxigraph as ox

            staging = f"{STAGING_NS}{uuid.uuid4()}"
            node = ox.NamedNode(staging)
            method = "bulk+move" if big else "transaction+move"
            if big:
                _bulk_with_progress(store, item, node, progress)
            elif item.data is not None:
                store.load(item.data, _ox_format(item.format), to_graph=node)
            else:
                store.load(path=str(item.path), format=_ox_format(item.format), to_graph=node)
            try:
                check_count(replace(item, replace=True), _count(store, staging), 0, "staging")
            except StoreError:
                store.update(f"DROP SILENT GRAPH <{staging}>")
                raise
            verb = "MOVE" if item.replace else "ADD"
            update = f"{verb} SILENT GRAPH <{staging}> TO {_graph_ref(item.graph)}"
            if not item.replace:
                update += f" ; DROP SILENT GRAPH <{staging}>"
            store.update(update)
    except SyntaxError as err:
        raise InputError(f"{item.label}: RDF syntax error: {err} (fix the file)") from None
    except OSError as err:
        raise StoreError(f"{item.label}: the store failed: {err}") from None
    if progress and not big:
        progress(item.size, item.size)
    stored = _count(store, item.graph)
    where = f"graph <{item.graph}>" if item.graph else "the default graph"
    try:
        check_count(item, stored, before, where)
    except StoreError:
        if method == "bulk" and before == 0:  # it was empty: make it empty again
            store.remove_graph(target)
        raise
    return GraphLoad(item.graph, item.label, item.triples, stored, item.replace, method)


def load_store(
    path: Path | str, items: list[LoadItem], *, progress: Progress | None = None
) -> LoadReport:
    """Write ``items`` into the embedded store at ``path`` (created if missing)."""
    started = time.perf_counter()
    total = sum(i.size for i in items)
    done = 0

    def sub(done_before: int) -> Progress | None:
        if progress is None:
            return None
        return lambda d, _t: progress(done_before + d, total)

    store = open_store(path, create=True)
    results = []
    failure: SpacekgError | None = None
    try:
        for item in items:
            results.append(_write_item(store, item, sub(done)))
            done += item.size
        store.flush()
    except SpacekgError as err:
        # The traceback's frames hold the store; pyoxigraph closes it (releases the folder's
        # lock) only when the last reference goes, so let go of them before re-raising.
        failure = err.with_traceback(None)
        failure.__context__ = failure.__cause__ = None
    finally:
        del store
    if failure is not None:
        raise failure
    return LoadReport(str(path), tuple(results), time.perf_counter() - started)


# --- querying the embedded store -----------------------------------------------------------------


class EmbeddedStore:
    """A :class:`spacekg.query.engine.Backend` over an on-disk store (default graph: the union)."""

    def __init__(self, path: Path | str) -> None:
        import pyoxigraph as ox

        self.path = Path(path)
        if not (self.path / "CURRENT").is_file():
            raise StoreError(
                f"{self.path}: no store there (create it with `spacekg load --store {self.path}`)"
            )
        try:
            self.store = ox.Store.read_only(str(self.path))
        except OSError as err:
            raise StoreError(f"{self.path}: cannot open the store: {err}") from None

    def execute(self, sparql: str) -> QueryResult:
        from spacekg.query.engine import _ox_result

        try:
            return _ox_result(self.store.query(sparql, use_default_graph_as_union=True))
        except SyntaxError:
            raise
        except OSError as err:
            raise StoreError(f"{self.path}: the query failed in the store: {err}") from None


def graph_counts(path: Path | str) -> dict[str, int]:
    """Triples per graph of the store at ``path`` (the default graph under ``""``)."""
    store = EmbeddedStore(path).store
    counts = {DEFAULT_GRAPH: _count(store, DEFAULT_GRAPH)}
    for node in store.named_graphs():
        counts[node.value] = _count(store, node.value)
    return counts


# --- one entry point for the CLI -----------------------------------------------------------------


def load(
    files: Iterable[Path | str] = (),
    *,
    store: Path | str | None = None,
    endpoint: str | None = None,
    graph: str | None = None,
    replace: bool = False,
    inferred: bool = False,
    fmt: str | None = None,
    server: str = "oxigraph",
    gsp_path: str | None = None,
    protocol: str = "auto",
    swap: str = "auto",
    progress: Progress | None = None,
) -> LoadReport:
    """``spacekg load``: the bundled graph (no ``files``) or user files, into ``store`` (an
    embedded store folder) or ``endpoint`` (a SPARQL server's base URL).

    Everything is checked before anything is written: options, the endpoint URL, credentials,
    and the whole input (parsed; for the embedded store N-Triples files are validated by the
    all-or-nothing bulk loader instead).
    """
    files = list(files)
    if (store is None) == (endpoint is None):
        raise InputError("give --store DIR or --endpoint URL (one of them)")
    if files and inferred:
        raise InputError("--inferred goes with the bundled graph, not with FILE arguments")
    if not files and (graph is not None or fmt is not None):
        raise InputError("--graph and --format go with FILE arguments")
    ep = None
    if endpoint is not None:
        from spacekg.stores.endpoint import endpoint as make_endpoint

        ep = make_endpoint(endpoint, server=server, gsp_path=gsp_path, protocol=protocol)
    if files:
        items = file_items(files, graph=graph, fmt=fmt, replace=replace, parse=ep is not None)
    else:
        items = bundle_items(inferred=inferred)
    if ep is not None:
        from spacekg.stores.endpoint import load_endpoint

        return load_endpoint(ep, items, swap=swap, progress=progress)
    assert store is not None
    return load_store(store, items, progress=progress)


def __getattr__(name: str) -> Any:
    """``stores.EndpointStore`` lives in :mod:`spacekg.stores.endpoint` (imported on first use)."""
    if name == "EndpointStore":
        from spacekg.stores.endpoint import EndpointStore

        return EndpointStore
    raise AttributeError(name)
