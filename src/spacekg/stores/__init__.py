"""The stores stage: loading the graph into a store, and the backends that answer queries.

:func:`load` is the front door of ``spacekg load``; :func:`open_backend` opens a query backend
from a descriptor (``memory``, ``store:DIR``, ``sparql:URL``), in the manner of rdflib's plugin
registry. The load model is in :mod:`spacekg.stores.base`, the on-disk Oxigraph store in
:mod:`spacekg.stores.embedded`, SPARQL servers in :mod:`spacekg.stores.endpoint`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError

if TYPE_CHECKING:
    from spacekg.query.engine import Backend
    from spacekg.stores.base import LoadReport, Progress

__all__ = ["BACKENDS", "LoadReport", "load", "open_backend"]


def __getattr__(name: str) -> Any:
    # the load model is imported on first use: opening a backend to query it does not need it
    if name == "LoadReport":
        from spacekg.stores.base import LoadReport

        return LoadReport
    raise AttributeError(f"module 'spacekg.stores' has no attribute {name!r}")


def _memory(arg: str) -> Backend:
    from spacekg.query.engine import default_backend

    return default_backend(arg or "oxigraph")


def _store(arg: str) -> Backend:
    from spacekg.stores.embedded import EmbeddedStore

    return EmbeddedStore(arg)


def _sparql(arg: str) -> Backend:
    from spacekg.stores.endpoint import EndpointStore

    return EndpointStore(arg)


#: backend kind -> factory taking the rest of the descriptor
BACKENDS = {"memory": _memory, "store": _store, "sparql": _sparql}


def open_backend(descriptor: str = "memory") -> Backend:
    """A query backend from a descriptor: ``memory`` (the bundled graph with its entailments,
    in memory; ``memory:rdflib`` on rdflib), ``store:DIR`` (an embedded store folder made by
    ``spacekg load --store``) or ``sparql:URL`` (a SPARQL 1.1 server's base URL)."""
    kind, _sep, arg = descriptor.partition(":")
    factory = BACKENDS.get(kind)
    if factory is None:
        raise InputError(
            f"unknown backend {descriptor!r}",
            hint=f"use one of: {', '.join(k + (':…' if k != 'memory' else '') for k in BACKENDS)}",
        )
    if kind != "memory" and not arg:
        raise InputError(f"backend {kind!r} needs a location: {kind}:…")
    return factory(arg)


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
    and the whole input (parsed; N-Triples files for the embedded store are validated by the
    all-or-nothing bulk loader instead, and one large N-Triples file for a server's bulk loader
    by the server's parser, see :mod:`spacekg.stores.endpoint`).
    """
    from spacekg.stores.base import bundle_items, file_items

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
        from spacekg.stores.endpoint import server_parses

        ep = make_endpoint(endpoint, server=server, gsp_path=gsp_path, protocol=protocol)
    if files:
        # a server's bulk loader gets one large file unparsed: its parser checks it as it loads
        # (spacekg.stores.endpoint); anything else is parsed before the first request
        parse = ep is not None and not (len(files) == 1 and server_parses(ep, Path(files[0]), fmt))
        items = file_items(files, graph=graph, fmt=fmt, replace=replace, parse=parse)
    else:
        items = bundle_items(inferred=inferred)
    if ep is not None:
        from spacekg.stores.endpoint import load_endpoint

        return load_endpoint(ep, items, swap=swap, progress=progress)
    assert store is not None
    from spacekg.stores.embedded import load_store

    return load_store(store, items, progress=progress)


def endpoint_status(url: str, *, server: str = "oxigraph") -> tuple[dict[str, int], dict[str, int]]:
    """``spacekg load --status --endpoint URL``: (triples per named graph on the server, triples
    per staging graph an interrupted replace left; see :mod:`spacekg.stores.server_staging`)."""
    from spacekg.stores.endpoint import _Client, endpoint
    from spacekg.stores.server_staging import server_status

    return server_status(_Client(endpoint(url, server=server)))
