"""Bounded work for queries: a nesting limit checked before any parser, and a timeout.

* :func:`check_query_limits` counts nesting (``{ ( [``) and ``UNION`` branches with the lexer
  of :mod:`spacekg.query.sparqltext` before the text reaches a parser: pyoxigraph's recursive
  parser overflows its stack (SIGSEGV) on ~5,000 nested groups or ~10,000 UNION branches, so
  more than :data:`MAX_NESTING` levels or :data:`MAX_UNIONS` branches are bad input (exit 3).
* :func:`run_bounded` runs a query in a worker thread and waits at most ``timeout`` seconds
  (``--timeout``, else ``SPACEKG_TIMEOUT``, else :data:`DEFAULT_TIMEOUT`): past it the command
  fails with exit 4; the main thread keeps handling Ctrl-C meanwhile (exit 130).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from typing import TypeVar

from spacekg.errors import InputError, StoreError
from spacekg.query import sparqltext

MAX_NESTING = 200
MAX_UNIONS = 2000
DEFAULT_TIMEOUT = 600.0
TIMEOUT_ENV = "SPACEKG_TIMEOUT"

T = TypeVar("T")


def check_query_limits(sparql: str, source: str) -> None:
    """Raise InputError when ``sparql`` nests deeper than :data:`MAX_NESTING` or has more than
    :data:`MAX_UNIONS` UNIONs; linear in the text, no parser involved."""
    depth = deepest = unions = 0
    for tok in sparqltext.tokens(sparql):
        if tok.kind == "punct":
            if tok.text in "{([":
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if deepest > MAX_NESTING:
                        line = sparql.count("\n", 0, tok.start) + 1
                        raise InputError(
                            f"{source}:{line}: the query nests deeper than {MAX_NESTING} levels "
                            "of { ( [ (the limit that keeps the parser safe: flatten it)"
                        )
            elif tok.text in "})]":
                depth -= 1
        elif tok.kind == "word" and tok.upper == "UNION":
            unions += 1
            if unions > MAX_UNIONS:
                line = sparql.count("\n", 0, tok.start) + 1
                raise InputError(
                    f"{source}:{line}: the query has more than {MAX_UNIONS} UNIONs (the limit "
                    "that keeps the parser safe: use VALUES instead)"
                )


def parse_timeout(value: str | float, what: str = "--timeout") -> float:
    """A timeout in seconds: a finite number > 0, else InputError (exit 3)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise InputError(f"{what} must be a finite number of seconds above 0, not {value!r}")
    return seconds


def timeout_from_env() -> float:
    """``SPACEKG_TIMEOUT`` if set (checked), else :data:`DEFAULT_TIMEOUT`."""
    env = os.environ.get(TIMEOUT_ENV)
    return DEFAULT_TIMEOUT if env is None else parse_timeout(env, TIMEOUT_ENV)


def run_bounded(work: Callable[[], T], timeout: float | None) -> T:
    """``work()`` in a worker thread, waiting at most ``timeout`` seconds (None: the default).

    Past the timeout: StoreError (exit 4); the worker is left to the process's exit. The wait is
    in short slices, so Ctrl-C interrupts it at once.
    """
    limit = timeout_from_env() if timeout is None else timeout
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as err:  # handed to the caller's thread
            # without its frames: they may hold pyoxigraph objects, which must be dropped on
            # the thread that made them
            link: BaseException | None = err
            while link is not None:
                link.__traceback__ = None
                link = link.__cause__ or link.__context__
            box["error"] = err

    worker = threading.Thread(target=run, name="spacekg-query", daemon=True)
    worker.start()
    worker.join(min(limit, 0.05))
    waited = 0.05
    while worker.is_alive() and waited < limit:
        worker.join(min(0.1, limit - waited))
        waited += 0.1
    if worker.is_alive():
        raise StoreError(
            f"the query ran longer than the timeout of {limit:g} s and was stopped "
            "(raise --timeout or SPACEKG_TIMEOUT, or make the query more selective)"
        )
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
