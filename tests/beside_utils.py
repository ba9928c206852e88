"""Watching `spacekg.validate.beside` start its checking processes (shared by its tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spacekg.validate import beside


def record_starts(
    monkeypatch: pytest.MonkeyPatch, what: Callable[[beside.Beside], object]
) -> list[object]:
    """``what(b)`` for each Beside ``b`` once it tried to start a process (None: not kept)."""
    seen: list[object] = []
    original = beside.Beside._start_process

    def record(self: beside.Beside) -> None:
        original(self)
        value = what(self)
        if value is not None:
            seen.append(value)

    monkeypatch.setattr(beside.Beside, "_start_process", record)
    return seen
