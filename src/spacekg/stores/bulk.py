"""The embedded store's bulk load of one large file, in parallel parts where the file allows it.

Oxigraph's bulk loader parses on one thread unless the machine has four CPUs or more (its
parallel file loader gives half the CPUs to parsing, and needs two parsers). N-Triples is a
line format, so spacekg cuts a large N-Triples file at line ends into one part per usable CPU
and runs one bulk loader per part, side by side: on a 2-CPU laptop a million triples load in
about 55% of the time of one loader, before the compaction below. Each loader gives the blank
node labels of its input fresh nodes, so a label used in two parts would become two nodes: a
file that may have blank nodes (``_:`` anywhere in it) is loaded by one loader.

The parts leave overlapping files in the store, which made queries up to 1.7x slower, so the
load compacts the store afterwards (:func:`spacekg.stores.embedded.load_store`; it uses parts
only for a file at least as large as the store, so the compaction costs about what the load
does). One loader writes all or nothing; several commit one by one. So parts are used only when the
graph written to is empty (a new graph, or the staging graph of a replace), and:

* a part that fails: the others are waited for and the graph is emptied again;
* a process killed between two commits: a marker written before the first part names the graph
  being filled (``urn:spacekg:staging:loading:<uuid>``, a staging graph); while it is there
  queries leave that graph out (:func:`spacekg.stores.staging.visible_graphs`), and the next load
  empties it and drops the marker (:func:`spacekg.stores.staging.drop_orphans`).
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.stores.base import LoadItem, Progress, _ox_format
from spacekg.stores.staging import LOADING_NS, LOADS_INTO

if TYPE_CHECKING:
    import pyoxigraph

#: no part smaller than this: below it one loader is as fast
MIN_PART_BYTES = 4 * 1024 * 1024
#: at most this many parts (each loader also uses threads of its own to write)
MAX_PARTS = 4


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def part_count(item: LoadItem) -> int:
    """How many parts to load ``item`` in (1: one loader reads the file itself)."""
    if item.path is None or item.format != "ntriples" or item.has_bnodes:
        return 1  # the loaders would give a blank node label of two parts two nodes
    return max(1, min(usable_cpus(), MAX_PARTS, item.size // MIN_PART_BYTES))


class _Part:
    """A file-like view of ``[start, end)`` of a file, counting the bytes read (for progress)."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        self.path, self.start, self.end = path, start, end
        self.done = 0
        self._handle: Any = None

    def read(self, size: int = -1) -> bytes:
        if self._handle is None:
            self._handle = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
            self._handle.seek(self.start)
        left = self.end - self.start - self.done
        if left <= 0:
            return b""
        data = self._handle.read(left if size < 0 else min(size, left))
        self.done += len(data)
        return data

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def split_points(path: Path, size: int, parts: int) -> list[int]:
    """Byte offsets cutting ``path`` into ``parts`` pieces at line ends (start and end included)."""
    cuts = [0]
    with open(path, "rb") as handle:
        for k in range(1, parts):
            handle.seek(max(cuts[-1], size * k // parts))
            handle.readline()
            cuts.append(min(handle.tell(), size))
    cuts.append(size)
    return sorted(set(cuts))


def lines_before(path: Path, offset: int) -> int:
    """The number of line ends in ``path`` before byte ``offset`` (to report a part's errors at
    their line in the whole file)."""
    count = 0
    with open(path, "rb") as handle:
        while offset > 0:
            block = handle.read(min(offset, 8 << 20))
            if not block:
                break
            count += block.count(b"\n")
            offset -= len(block)
    return count


def _marker_graph(store: pyoxigraph.Store, graph: str) -> str:
    import pyoxigraph as ox

    iri = f"{LOADING_NS}{uuid.uuid4()}"
    node = ox.NamedNode(iri)
    store.add(ox.Quad(node, ox.NamedNode(LOADS_INTO), ox.Literal(graph), node))
    return iri


def load_parts(
    store: pyoxigraph.Store,
    item: LoadItem,
    destination: Any,
    graph: str | None,
    parts: int,
    progress: Progress | None,
) -> None:
    """Bulk-load ``item`` into the empty graph ``destination`` in ``parts`` parallel parts.

    ``graph``: the destination's IRI ("" for the default graph) when it is visible to queries
    (a marker then covers the load), None for a staging graph (never visible). Raises the first
    part's error, its line counted in the whole file, after emptying the destination.
    """
    import pyoxigraph as ox

    assert item.path is not None
    cuts = split_points(item.path, item.size, parts)
    pieces = [_Part(item.path, a, b) for a, b in itertools.pairwise(cuts)]
    errors: dict[int, BaseException] = {}
    fmt = _ox_format(item.format)

    def run(k: int) -> None:
        try:
            store.bulk_load(input=pieces[k], format=fmt, to_graph=destination)
        except BaseException as err:  # re-raised in the caller's thread
            # without its traceback: that would hold this frame, and so the store, in a cycle
            # that only the garbage collector breaks (the store's folder stays locked till then)
            errors[k] = err.with_traceback(None)
        finally:
            pieces[k].close()

    marker = _marker_graph(store, graph) if graph is not None else None
    workers = [
        threading.Thread(target=run, args=(k,), name=f"spacekg-bulk-load-{k}", daemon=True)
        for k in range(len(pieces))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        while worker.is_alive():
            worker.join(0.2)
            if progress:
                progress(sum(p.done for p in pieces) * 9 // 10, item.size)
    if errors:
        store.remove_graph(destination)
    if marker is not None:
        store.remove_graph(ox.NamedNode(marker))
    if errors:
        k = min(errors)
        raise _shifted(errors[k], lines_before(item.path, cuts[k]))
    if progress:
        progress(item.size, item.size)


def _shifted(err: BaseException, lines: int) -> BaseException:
    """``err`` with its line numbers counted from the start of the file, not of the part."""
    if not isinstance(err, SyntaxError) or not lines or err.lineno is None:
        return err
    import re

    message = re.sub(
        r"line (\d+)", lambda m: f"line {int(m.group(1)) + lines}", str(err.msg or err)
    )
    details = (err.filename, err.lineno + lines, err.offset, err.text)
    end = getattr(err, "end_lineno", None)
    if end is not None:
        shifted = SyntaxError(message, (*details, end + lines, getattr(err, "end_offset", None)))
    else:
        shifted = SyntaxError(message, details)
    return shifted
