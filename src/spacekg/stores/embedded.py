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
  everything or nothing (a large N-Triples file without blank nodes: in parallel parts, one
  loader each, with a marker that keeps a half-written graph out of queries; see
  :mod:`spacekg.stores.bulk`). Into an empty graph that is the whole story; replacing a non-empty
  graph stages first and then ``MOVE``\\ s, which is atomic but slow for millions of triples
  (Oxigraph copies triple by triple in one transaction): prefer a new graph or a new store.

After each graph is written its triples are counted in the store and compared with what was
parsed from the input; a difference raises :class:`~spacekg.errors.StoreError`.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError, SpacekgError, StoreError
from spacekg.terms import QueryResult

if TYPE_CHECKING:
    import pyoxigraph

    from spacekg.query.written import WrittenForms
    from spacekg.stores.base import GraphLoad, LoadItem, LoadReport, Progress

# The load model (spacekg.stores.base) is imported inside the loading functions: querying a
# store (EmbeddedStore) does not need it.

#: files larger than this go through the bulk loader (streamed, bounded memory)
BULK_BYTES = 8 * 1024 * 1024


# --- the embedded store --------------------------------------------------------------------------


def _graph_ref(iri: str) -> str:
    """The graph in SPARQL Update syntax (``DEFAULT`` or ``GRAPH <iri>``)."""
    from spacekg.stores.base import DEFAULT_GRAPH

    return "DEFAULT" if iri == DEFAULT_GRAPH else f"GRAPH <{iri}>"


def _count(store: pyoxigraph.Store, iri: str) -> int:
    from spacekg.stores.base import DEFAULT_GRAPH

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
    except (OSError, RuntimeError, ValueError) as err:  # RocksDB reports corruption as RuntimeError
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
    from spacekg.stores.base import _ox_format

    errors: list[BaseException] = []

    def run() -> None:
        try:
            store.bulk_load(path=str(item.path), format=_ox_format(item.format), to_graph=graph)
        except BaseException as err:  # re-raised in the caller's thread
            errors.append(err.with_traceback(None))  # no cycle holding the store (see bulk.py)

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


def _bulk(
    store: pyoxigraph.Store,
    item: LoadItem,
    node: Any,
    visible: str | None,
    progress: Progress | None,
    *,
    staging: bool = False,
    split: bool = True,
) -> int:
    """Bulk-load ``item`` into ``node``: in parallel parts when the graph is known to be empty
    (``visible``: its IRI, or ``staging``) and ``split``, else with one loader; the number of
    parts."""
    from spacekg.stores.bulk import load_parts, part_count

    parts = part_count(item) if split and (staging or visible is not None) else 1
    if parts > 1:
        load_parts(store, item, node, None if staging else visible, parts, progress)
    else:
        _bulk_with_progress(store, item, node, progress)
    return parts


def _read_bytes() -> int | None:
    try:
        with open("/proc/self/io", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _write_item(
    store: pyoxigraph.Store,
    item: LoadItem,
    progress: Progress | None,
    *,
    empty: bool = False,
    alone: bool = False,
    split: bool = False,
) -> GraphLoad:
    """Write one item; ``empty``: its graph is known to be empty (a store just created);
    ``alone``: nothing else is in the store (its triples are then counted as the store's);
    ``split``: a large file may be loaded in parallel parts (see :func:`load_store`)."""
    from spacekg.stores.base import STAGING_NS, GraphLoad, _ox_format, check_count
    from spacekg.stores.staging import graph_node

    target = graph_node(item.graph)
    before = 0 if empty else _count(store, item.graph)
    big = item.path is not None and item.size > BULK_BYTES
    try:
        if big and (before == 0 or not item.replace):
            # all or nothing, straight into the target graph
            visible = item.graph if before == 0 else None
            parts = _bulk(store, item, target, visible, progress, split=split)
            method = "bulk" if parts == 1 else f"bulk-{parts}-parts"
        else:
            import pyoxigraph as ox

            staging = f"{STAGING_NS}{uuid.uuid4()}"
            node = ox.NamedNode(staging)
            method = "bulk+move" if big else "transaction+move"
            if big:
                parts = _bulk(store, item, node, None, progress, staging=True, split=split)
                method = "bulk+move" if parts == 1 else f"bulk-{parts}-parts+move"
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
        from spacekg.rdfio import syntax_error
        from spacekg.stores.base import TRIPLE_FORMATS

        raise syntax_error(item.label, TRIPLE_FORMATS[item.format], err) from None
    except MemoryError:
        from spacekg.rdfio import MAX_TOKEN_BYTES

        raise InputError(
            f"{item.label}: a literal or IRI is over {MAX_TOKEN_BYTES} bytes, the parser's limit "
            "(shorten it or keep it outside the graph)"
        ) from None
    except OSError as err:
        raise StoreError(f"{item.label}: the store failed: {err}") from None
    if progress and not big:
        progress(item.size, item.size)
    stored = len(store) if alone else _count(store, item.graph)
    where = f"graph <{item.graph}>" if item.graph else "the default graph"
    try:
        check_count(item, stored, before, where)
    except StoreError:
        if method.startswith("bulk") and "+" not in method and before == 0:  # empty it again
            store.remove_graph(target)
        raise
    return GraphLoad(item.graph, item.label, item.triples, stored, item.replace, method)


def load_store(
    path: Path | str, items: list[LoadItem], *, progress: Progress | None = None
) -> LoadReport:
    """Write ``items`` into the embedded store at ``path`` (created if missing)."""
    from spacekg.stores.base import LoadReport

    started = time.perf_counter()
    total = sum(i.size for i in items)
    done = 0

    def sub(done_before: int) -> Progress | None:
        if progress is None:
            return None
        return lambda d, _t: progress(done_before + d, total)

    from spacekg.stores.staging import drop_orphans

    new = not Path(path).is_dir() or not any(Path(path).iterdir())
    held = _folder_bytes(Path(path))
    store = open_store(path, create=True)
    drop_orphans(store)  # left by an interrupted replace: never part of the graph
    results = []
    written: set[str] = set()
    failure: SpacekgError | None = None
    try:
        for item in items:
            empty = new and item.graph not in written
            alone = new and not written
            # parts only where the compaction below costs about what the load does
            split = item.size >= held + done
            results.append(
                _write_item(store, item, sub(done), empty=empty, alone=alone, split=split)
            )
            written.add(item.graph)
            done += item.size
        try:
            if any("-parts" in r.method for r in results):
                store.optimize()  # merge the parts' files: queries were up to 1.7x slower without
            store.flush()
        except OSError as err:
            raise StoreError(f"{path}: the store failed: {err}") from None
        _keep_written_forms(Path(path), items)
    except SpacekgError as err:
        # The traceback's frames hold the store; pyoxigraph closes it (releases the folder's
        # lock) only when the last reference goes, so let go of them before re-raising.
        failure = err.with_traceback(None)
        failure.__context__ = failure.__cause__ = None
    finally:
        del store
    if failure is not None:
        import gc

        gc.collect()  # whatever cycle still holds the store: close it before anyone reopens it
        raise failure
    return LoadReport(str(path), tuple(results), time.perf_counter() - started)


def _folder_bytes(path: Path) -> int:
    """The size of the files of the store at ``path`` (0 if there is none)."""
    try:
        return sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    except OSError:
        return 0


def scan_items(items: list[LoadItem], part_bytes: int = 8 << 20) -> WrittenForms:
    """The written forms of ``spacekg load``'s items: N-Triples bytes or files are scanned as
    written; Turtle and RDF/XML files through the parser (which keeps datatypes and lexical
    forms, not the case of language tags). Files are read in parts: memory stays bounded by
    the number of distinct literals of the XSD types Oxigraph canonicalises. Files over
    :data:`BULK_BYTES` (the bulk loader's) are not scanned: at about a second per 10 MB of
    numeric data the scan would double the load; their literals come back canonical."""
    import pyoxigraph as ox

    from spacekg.query.written import WrittenForms, scan, without_identities

    forms = WrittenForms()
    for item in items:
        if item.path is not None and item.size > BULK_BYTES:
            continue  # bulk-loaded: scanning would cost as much again as the load (see below)
        for part in _literal_parts(item, ox, part_bytes):
            forms = forms.merged(scan(part, keep_identities=True))
    return without_identities(forms)


def _literal_parts(item: LoadItem, ox: Any, size: int = 8 << 20) -> Iterator[bytes]:
    """N-Triples text holding the literals of ``item``, in parts of about ``size`` bytes."""
    from spacekg.stores.base import _ox_format

    if item.data is not None and item.format == "ntriples":
        yield item.data
    elif item.path is not None and item.format == "ntriples":
        with open(item.path, "rb") as handle:
            while part := handle.read(size):
                yield part + handle.readline()
    elif item.path is not None:
        lines: list[bytes] = []
        held = 0
        for quad in ox.parse(path=str(item.path), format=_ox_format(item.format)):
            if isinstance(quad.object, ox.Literal):
                line = f"<urn:x:s> <urn:x:p> {quad.object} .\n".encode()
                lines.append(line)
                held += len(line)
                if held >= size:
                    yield b"".join(lines)
                    lines, held = [], 0
        if lines:
            yield b"".join(lines)


def _keep_written_forms(path: Path, items: list[LoadItem]) -> None:
    """Add the loaded literals' written forms to the store's map (see
    :mod:`spacekg.query.written`), written atomically beside the store's files."""
    if all(i.path is not None and i.size > BULK_BYTES for i in items):
        return  # bulk-loaded files are not scanned (see scan_items): nothing to add
    from spacekg.dataset.export import write_atomic
    from spacekg.query.written import STORE_FILE, WrittenForms

    forms = WrittenForms.read(path).merged(scan_items(items))
    try:
        write_atomic(path / STORE_FILE, forms.to_json().encode("utf-8"))
    except InputError as err:
        raise StoreError(f"{path}: {err}") from None


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
        except (
            OSError,
            RuntimeError,
            ValueError,
        ) as err:  # RocksDB reports corruption as RuntimeError
            raise StoreError(f"{self.path}: cannot open the store: {err}") from None
        from spacekg.query.written import WrittenForms

        self.forms = WrittenForms.read(self.path)

    def execute(self, sparql: str) -> QueryResult:
        from spacekg.query.engine import _ox_result
        from spacekg.query.written import correct, prepare
        from spacekg.stores.staging import visible_graphs

        text, options = prepare(sparql, self.forms)
        try:
            visible = visible_graphs(self.store)
            if visible is None:
                result = self.store.query(text, use_default_graph_as_union=True, **options)
            else:  # an interrupted replace left a staging graph: never seen through the union
                named = [g for g in visible if hasattr(g, "value")]
                result = self.store.query(
                    text, default_graph=visible, named_graphs=named, **options
                )
            return correct(_ox_result(result), sparql, self.forms)
        except SyntaxError:
            raise
        except OSError as err:
            raise StoreError(f"{self.path}: the query failed in the store: {err}") from None


def graph_counts(path: Path | str) -> dict[str, int]:
    """Triples per graph of the store at ``path`` (the default graph under ``""``)."""
    from spacekg.stores.base import DEFAULT_GRAPH

    store = EmbeddedStore(path).store
    counts = {DEFAULT_GRAPH: _count(store, DEFAULT_GRAPH)}  # staging graphs included, by name
    for node in store.named_graphs():
        counts[node.value] = _count(store, node.value)
    return counts


def store_status(path: Path | str) -> tuple[dict[str, int], dict[str, int]]:
    """(triples per graph, triples per staging graph left by an interrupted replace)."""
    from spacekg.stores.base import STAGING_NS

    counts = graph_counts(path)
    staged = {g: n for g, n in counts.items() if g.startswith(STAGING_NS)}
    return {g: n for g, n in counts.items() if g not in staged}, staged
