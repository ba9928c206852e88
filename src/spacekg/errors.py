"""Errors that carry their exit code. The CLI prints ``str(error)`` as one line on stderr.

Exit codes (documented in the README):
    0  success
    1  the data failed a check (not conformant, a check query returned rows, graphs differ)
    2  usage error (Click's own)
    3  bad input (Turtle/SPARQL syntax error, unknown query, missing or malformed parameter)
    4  a store or endpoint failed
    5  internal error (a bug: please report it with the --debug traceback)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_STORE = 4
EXIT_INTERNAL = 5


class SpacekgError(Exception):
    """Base class: a one-line, user-facing message and an exit code."""

    exit_code: int = EXIT_INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(SpacekgError):
    """Bad input: a syntax error, an unknown name, a malformed parameter. Exit 3."""

    exit_code = EXIT_BAD_INPUT


class StoreError(SpacekgError):
    """A store or endpoint failed. Exit 4.

    ``refused``: the server answered the request with an HTTP 4xx (it did not take it);
    ``timed_out``: no answer came in time (the server may still be working on it).
    """

    exit_code = EXIT_STORE
    refused: bool = False
    timed_out: bool = False
