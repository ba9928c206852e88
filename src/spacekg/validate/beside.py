"""Our own checks, and the line index of the new files, beside the SHACL engine.

Both are Python work that the GIL would make wait for the shapes (a thread shares one core
with them). On Linux they run in a forked process instead, on the other core, in one of two
ways:

* **Early** (:func:`forks_early`: new Turtle or N-Triples files that write no blank node): the
  process starts before the new files are in the store. It loads them into its own copy of
  the store while this one parses them for the shapes, so the store is held once, by that
  process; the locator answers for the new files from the parse
  (:class:`spacekg.validate.locate.NewTerms`).
* **After the load** (otherwise, for new files under :data:`AUTO_FORK_BYTES`): the process
  inherits the loaded validation store page by page (copy-on-write, nothing is sent to it).

Either way it sends back the checks' issues, then reads each new file once into an index of
where every token is first written and answers the locator's questions from it
(:meth:`Beside.lines`); unless this process finished the shapes first, in which case it
indexes the files itself while it waits (:meth:`Beside.read_here`).

Elsewhere (another system, or validate called from a thread other than the main one, as a
server does), or if that process cannot start or dies, the same work runs in this process: the
checks in a thread, the index on demand (:meth:`spacekg.validate.locate.Locator.index`). The
answers are the same either way (tested).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacekg.validate.checks import CheckContext
    from spacekg.validate.locate import Source
    from spacekg.validate.model import Issue

#: fork a checking process where fork is safe and cheap (Linux: copy-on-write, no exec)
FORK = sys.platform == "linux"
#: ``jobs=None`` forks after the load for new files smaller than this. The forked process and
#: this one both read the store, and Oxigraph's reads write to its pages (reference counts), so
#: most of the store ends up copied: at 1M new triples (a 50 MB Turtle file) 1.26 GB in the two
#: processes instead of 0.95 GB in one (measured; benchmarks/README.md). An early fork has no
#: such copy: the store is only in the forked process.
AUTO_FORK_BYTES = 32 * 1024 * 1024


def forks(sources: list[Source], jobs: int | None) -> bool:
    """Whether ``validate`` with ``jobs`` forks a checking process for ``sources``."""
    if jobs == 1 or not FORK:
        return False
    if jobs is None:
        size = 0
        for src in sources:
            if src.new:
                with contextlib.suppress(OSError):
                    size += src.path.stat().st_size
        return size < AUTO_FORK_BYTES
    return True


def forks_early(paths: list[Path], jobs: int | None) -> bool:
    """Whether ``validate`` forks its checking process before the new files ``paths`` are in
    the store, the process loading its own copy of them while this one parses them (see
    :func:`spacekg.validate.api.validate`). Not where they write a blank node (``_:``, ``[``): a
    store renames them, so this process would need the store itself (it would then load it
    after all, wasting the parse up to there).

    Memory stays that of one process (the store is in the other), so the size does not matter.
    """
    if jobs == 1 or not FORK or threading.current_thread() is not threading.main_thread():
        return False
    for p in paths:
        try:
            with p.open("rb") as handle:
                tail = b""
                while block := handle.read(1 << 20):
                    block = tail + block  # a "_:" cut between two blocks
                    if b"_:" in block or b"[" in block:
                        return False
                    tail = block[-1:]
        except OSError:
            return False
    return True


#: the parent's word that it reads the new files itself (it had the time first)
_HERE = "here"


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent ends (an interrupted validate)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def line_index(sources: list[Source]) -> Callable[[str, Any], dict[str, int]]:
    """Each new file read once (:func:`spacekg.validate.locate.first_lines`): for a graph and
    written forms, the first line of each form in that file (0: not written there)."""
    from spacekg.validate.locate import first_lines

    index = {src.graph: first_lines(src) for src in sources if src.new}

    def answer(graph: str, forms: Any) -> dict[str, int]:
        found = index.get(graph, {})
        return {f: found.get(f.encode("utf-8"), 0) for f in forms}

    return answer


def _serve(ctx: CheckContext, baseline: Callable[[], Any] | None, conn: Any) -> None:
    """The forked process: the checks' issues, then line lookups until told to stop. Any
    failure ends it quietly: the parent then does the rest itself (and reports the error)."""
    signal.set_wakeup_fd(-1)  # the parent's interrupt watchdog pipe is not ours
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent()
    with contextlib.suppress(BaseException):
        from spacekg.validate.checks import own_checks

        for kind, work in (("baseline", baseline), ("issues", lambda: own_checks(ctx))):
            if work is None:
                continue
            try:
                conn.send((kind, work()))
            except Exception:
                conn.send(("failed", None))
                return
        word = conn.recv() if conn.poll(0) else ""
        if word is None:  # the parent is done
            return
        if word == _HERE:
            conn.recv()  # the parent reads the files itself: only its goodbye is to come
            return
        answer = line_index(ctx.sources)
        while (request := conn.recv()) is not None:
            if request == _HERE:
                continue  # sent once this process had begun the index
            graph, forms = request
            conn.send(answer(graph, forms))


class Beside:
    """Our own checks run beside SHACL: start it, then :meth:`issues`, :meth:`lines`,
    :meth:`close`."""

    def __init__(
        self,
        ctx: CheckContext,
        baseline: Callable[[], Any] | None = None,
        *,
        fork: bool = True,
        early: bool = False,
    ) -> None:
        """``baseline``: work for the same process before the checks (the context's own SHACL
        results, read from their cache or computed), returned by :meth:`baseline`. ``early``:
        the store may not hold every source yet; a forked process fills its own copy
        (``ctx.loaded``, which the checks call first), this one does not wait for it."""
        self.ctx = ctx
        self._early = early
        self._here: Callable[[str, Any], dict[str, int]] | None = None
        self._baseline = baseline
        self._conn: Any = None
        self._proc: Any = None
        self._pool: Any = None
        self._future: Any = None
        # only from the main thread: another thread (a server's) may hold a lock the child needs
        if (
            fork
            and FORK
            and any(s.new for s in ctx.sources)
            and threading.current_thread() is threading.main_thread()
        ):
            self._start_process()
        if self._proc is None:
            self._start_thread()

    def _start_process(self) -> None:
        import multiprocessing

        if not self._early:
            self.ctx.loaded()  # the process gets the store as it is when it starts

        for stream in (sys.stdout, sys.stderr):  # or the child writes what is buffered again
            with contextlib.suppress(Exception):
                stream.flush()
        import gc

        gc.freeze()  # the collector would write to every object's page: shared pages stay shared
        try:
            mp = multiprocessing.get_context("fork")
            parent, child = mp.Pipe()
            proc = mp.Process(target=_serve, args=(self.ctx, self._baseline, child), daemon=True)
            proc.start()
        except (OSError, ValueError):
            return
        child.close()
        self._conn, self._proc = parent, proc

    def _start_thread(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from spacekg.validate.checks import own_checks

        self._pool = ThreadPoolExecutor(max_workers=1)
        self._future = self._pool.submit(own_checks, self.ctx)

    @property
    def has_baseline(self) -> bool:
        return self._baseline is not None

    def baseline(self) -> Any:
        """What the ``baseline`` work returned (computed here if that process cannot)."""
        assert self._baseline is not None
        if self._conn is not None:
            try:
                kind, value = self._conn.recv()
            except (EOFError, OSError):
                kind, value = "failed", None
            if kind == "baseline":
                return value
            self._stop()
            self._start_thread()  # the checks too: the process is gone
        return self._baseline()

    def issues(self) -> list[Issue]:
        """The issues of our own checks (raised here if a check raises)."""
        if self._future is not None:
            return list(self._future.result())
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            kind, value = "failed", None
        if kind == "issues":
            return list(value)
        self._stop()  # the checks failed or the process died: run them here, for their error
        from spacekg.validate.checks import own_checks

        return own_checks(self.ctx)

    def checks_done(self) -> bool:
        """Whether :meth:`issues` would answer at once (called after :meth:`baseline`)."""
        if self._future is not None:
            return bool(self._future.done())
        try:
            return self._conn is None or bool(self._conn.poll(0))
        except (EOFError, OSError):
            return True

    def read_here(self) -> None:
        """Index the new files here, now (this process is idle until the checks end); the
        other process then does not, and :meth:`lines` answers from this index."""
        if self._conn is None or self._here is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(_HERE)
        self._here = line_index(self.ctx.sources)

    def lines(self, src: Source, forms: set[str]) -> dict[str, int] | None:
        """The first line of each of ``forms`` in the new file ``src`` (0: not written there),
        or None when this process must read the file itself."""
        if self._here is not None and src.new:
            return self._here(src.graph, forms)
        if self._conn is None or not src.new:
            return None
        try:
            self._conn.send((src.graph, sorted(forms)))
            answer: dict[str, int] = self._conn.recv()
        except (EOFError, OSError):
            self._stop()
            return None
        return answer

    def _stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(None)
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(5)
            if self._proc.is_alive():
                self._proc.kill()
            self._proc = None

    def close(self) -> None:
        self._stop()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def cancel(self) -> None:
        """Stop without waiting for the checks (the shapes failed)."""
        if self._future is not None:
            self._future.cancel()
        if self._proc is not None and self._proc.is_alive():
            with contextlib.suppress(OSError):
                os.kill(self._proc.pid, signal.SIGKILL)
        self.close()
