"""Worker processes that answer the server's queries, each holding its own copy of the graph.

The server never runs SPARQL in its own process: a request takes an idle worker, sends it one
job and waits at most ``timeout`` seconds. A worker still busy then (a runaway query) is killed
and replaced, so a runaway query costs one worker for ``timeout`` seconds and never stalls the
requests the other workers answer. Workers ignore SIGINT: Ctrl-C reaches the server, which stops
them itself on shutdown.

Jobs are plain functions of this package's ``jobs`` module, called with the worker's backend;
results and library errors travel back pickled.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass
from typing import Any

from spacekg.errors import InputError, SpacekgError, StoreError


class QueryTimeout(StoreError):
    """A job ran past the server's timeout (its worker was stopped). HTTP 503."""


class Busy(StoreError):
    """No worker became free within the timeout. HTTP 503."""


class JobFailed(SpacekgError):
    """A job raised an unexpected exception in its worker (a bug). HTTP 500."""


@dataclass(frozen=True)
class _Failure:
    kind: str  # "input" | "store" | "internal"
    message: str


def _worker_main(conn: Any, nquads: bytes, workspace: Any = None) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if workspace is not None:  # the server's workspace (--root), not one found from scratch
        from spacekg.project import use_workspace

        with use_workspace(workspace):
            _serve_jobs(conn, nquads)
    else:
        _serve_jobs(conn, nquads)


def _serve_jobs(conn: Any, nquads: bytes) -> None:
    from spacekg.query.engine import OxigraphMemoryBackend
    from spacekg.serve import jobs

    try:
        backend = OxigraphMemoryBackend(nquads)
    except SpacekgError as err:
        conn.send(_Failure("store", str(err)))
        return
    conn.send("ready")
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", getattr(jobs, name)(backend, *args)))
        except InputError as err:
            conn.send(_Failure("input", str(err)))
        except SpacekgError as err:
            conn.send(_Failure("store", str(err)))
        except Exception as err:  # a bug in a job: reported, the worker goes on
            conn.send(_Failure("internal", f"{type(err).__name__}: {err}"))


class _Worker:
    def __init__(self, ctx: Any, nquads: bytes, workspace: Any = None) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, args=(child, nquads, workspace), daemon=True
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.stop()
            raise StoreError(f"a query worker did not start within {timeout:.0f} s")
        first = self.conn.recv()
        if isinstance(first, _Failure):
            self.stop()
            raise StoreError(first.message)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class QueryPool:
    """``size`` worker processes over the same N-Quads; :meth:`call` runs one job on one.
    ``workspace`` (a :class:`spacekg.project.Workspace`) is the graph the jobs act on."""

    def __init__(
        self, nquads: bytes, *, size: int = 2, timeout: float = 30.0, workspace: Any = None
    ) -> None:
        self.nquads = nquads
        self.workspace = workspace
        self.size = max(1, size)
        self.timeout = timeout
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        workers = [_Worker(self._ctx, self.nquads, self.workspace) for _ in range(self.size)]
        try:
            for w in workers:
                w.wait_ready(120)
        except SpacekgError:
            for w in workers:
                w.stop()
            raise
        with self._lock:
            self._all.update(workers)
        for w in workers:
            self._idle.put(w)

    def _replace(self, dead: _Worker) -> None:
        dead.stop()
        with self._lock:
            self._all.discard(dead)
            if self._closed:
                return
        fresh = _Worker(self._ctx, self.nquads, self.workspace)
        try:
            fresh.wait_ready(120)
        except SpacekgError:
            return
        with self._lock:
            if self._closed:
                fresh.stop()
                return
            self._all.add(fresh)
        self._idle.put(fresh)

    def call(self, job: str, *args: Any) -> Any:
        """Run ``jobs.<job>(backend, *args)`` in a worker; raise the library's errors,
        :class:`QueryTimeout` past the timeout, :class:`Busy` if no worker frees up."""
        if self._closed:
            raise StoreError("the server is shutting down")
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise Busy(
                f"every query worker stayed busy for {self.timeout:g} s (try again later)"
            ) from None
        try:
            worker.conn.send((job, args))
            ready = worker.conn.poll(self.timeout)
            reply = worker.conn.recv() if ready else None
        except (OSError, EOFError):
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise StoreError("a query worker stopped unexpectedly (try again)") from None
        if not ready:
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise QueryTimeout(
                f"the query ran past the server's timeout of {self.timeout:g} s and was stopped "
                "(narrow it, add a LIMIT, or start the server with a longer --timeout)"
            )
        self._idle.put(worker)
        if isinstance(reply, _Failure):
            if reply.kind == "input":
                raise InputError(reply.message)
            if reply.kind == "store":
                raise StoreError(reply.message)
            raise JobFailed(
                f"internal error: {reply.message} (a bug: please report it with this message)"
            )
        return reply[1]

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.stop()

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._all if w.process.pid)
