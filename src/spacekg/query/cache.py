"""The materialised dataset (ontology, data and OWL RL entailments as N-Quads) and its cache.

Computing the entailments is slow, so the dataset is cached, keyed by a hash of the source files,
the cache schema and the package's code (:func:`spacekg.project.code_fingerprint`): the query
path reads the cache and never imports rdflib, owlrl or pyshacl. The cache lives in its own
subfolder of :func:`spacekg.project.cache_dir`, one file per graph folder; a file whose header
does not match its bytes is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from spacekg.errors import InputError
from spacekg.project import GraphSource, cache_dir, code_fingerprint, fingerprint, graph_sources

#: bump when what goes into the cache changes (reasoning filter, export format)
CACHE_SCHEMA = "3"
#: the cache's own subfolder of :func:`spacekg.project.cache_dir`: nothing else is in it
CACHE_FOLDER = "graphs"


def cache_key(sources: list[GraphSource] | None = None) -> str:
    """The hash of the source files, the spacekg version and the cache schema."""
    import hashlib  # loaded on first use: a query on a store hashes nothing

    sources = sources if sources is not None else graph_sources()
    h = hashlib.sha256(fingerprint([s.path for s in sources]).encode())
    h.update(f"\0{code_fingerprint()}\0{CACHE_SCHEMA}\0".encode())
    h.update("\0".join(f"{s.iri}={s.path.name}" for s in sources).encode())
    return h.hexdigest()


def build_nquads(sources: list[GraphSource] | None = None) -> bytes:
    """Ontology + data + OWL RL entailments as N-Quads.

    By pyoxigraph and reasonable (:mod:`spacekg.reasoning.materialise`); through rdflib and
    owlrl when the graph uses an axiom reasonable lacks the rules of.
    """
    from spacekg.dataset.export import iter_graphs, nquads_bytes
    from spacekg.reasoning.materialise import materialised_nquads as fast_nquads

    sources = sources if sources is not None else graph_sources()
    data = fast_nquads(sources)
    if data is not None:
        return data

    return nquads_bytes(iter_graphs(inferred=True, sources=sources))


def materialised_nquads(
    sources: list[GraphSource] | None = None, *, use_cache: bool = True
) -> bytes:
    """The materialised dataset as N-Quads, from the cache when the sources have not changed."""
    sources = sources if sources is not None else graph_sources()
    missing = [s.path for s in sources if not s.path.is_file()]
    if missing:
        raise InputError(f"{missing[0]}: missing source file of the graph (restore it)")
    if not use_cache:
        return build_nquads(sources)
    from spacekg.rdfio import private_folder, read_private

    key = cache_key(sources)
    folder = private_folder(cache_dir(), CACHE_FOLDER)
    if folder is None:  # not a folder: bypassed (one warning)
        return build_nquads(sources)
    path = folder / f"graph-{cache_slot(sources)}-{key[:32]}.nq"
    raw = read_private(path)
    cached = verified_cache(raw) if raw is not None else None
    if cached is not None:
        return cached
    with _said_when_slow(path.parent):
        data = build_nquads(sources)  # missing, emptied, truncated or garbled: rebuild
        _store_cache(path, data)
    return data


#: after this many seconds a cache build says on stderr what is happening
SLOW_BUILD_SECONDS = 1.0


@contextlib.contextmanager
def _said_when_slow(folder: Path) -> Any:
    """Say on stderr why a command waits, if building the cache takes over a second.

    The first query after installing spacekg, or after any change to the graph's files,
    materialises the graph with its OWL RL entailments; later ones read the cache.
    """
    import sys
    import threading
    import time

    started = time.perf_counter()
    said = threading.Event()

    def say() -> None:
        said.set()
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(
                "spacekg: building the query cache (once after install or a change to the "
                f"graph's files) in {folder} ...\n"
            )
            sys.stderr.flush()

    timer = threading.Timer(SLOW_BUILD_SECONDS, say)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()
        if said.is_set():
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(
                    f"spacekg: query cache built in {time.perf_counter() - started:.1f} s\n"
                )


def cache_slot(sources: list[GraphSource]) -> str:
    """A short hash of the folders the sources are in: each graph (workspace) keeps its own
    cache file, so switching between two graphs does not rebuild either."""
    import hashlib

    folders = sorted({str(s.path.absolute().parent) for s in sources})
    return hashlib.sha256("\0".join(folders).encode()).hexdigest()[:12]


_CACHE_HEADER = re.compile(rb"^# spacekg-cache quads=(\d+) sha256=([0-9a-f]{64})\n")


def cache_header(data: bytes) -> bytes:
    """The integrity line that starts a cache file: the quad count and sha256 of ``data``."""
    import hashlib

    quads = data.count(b"\n")
    return f"# spacekg-cache quads={quads} sha256={hashlib.sha256(data).hexdigest()}\n".encode()


def verified_cache(raw: bytes) -> bytes | None:
    """The N-Quads of a cache file if its integrity line matches its content, else None.

    The line is written in the same file (so atomically, by one rename) by
    :func:`_store_cache`; an emptied, truncated, appended-to or garbled file fails the check.
    """
    match = _CACHE_HEADER.match(raw)
    if match is None:
        return None
    body = raw[match.end() :]
    if body.count(b"\n") != int(match.group(1)):
        return None
    import hashlib

    if hashlib.sha256(body).hexdigest() != match.group(2).decode():
        return None
    return body


_CACHE_NAME = re.compile(r"graph-([0-9a-f]{12})-[0-9a-f]{32}\.nq")


def _store_cache(path: Path, data: bytes) -> None:
    """Write the cache atomically (:func:`spacekg.rdfio.write_private`) into the cache's own
    folder, then delete this graph's older cache files there (only regular files of its own
    name pattern); on any failure just go on without a cache."""
    from spacekg.rdfio import write_private

    if not write_private(path.parent, path.name, cache_header(data) + data):
        return
    slot = path.name.split("-")[1]
    with contextlib.suppress(OSError):
        for old in path.parent.iterdir():
            match = _CACHE_NAME.fullmatch(old.name)
            if old != path and match and match.group(1) == slot and not old.is_symlink():
                old.unlink(missing_ok=True)
