"""The context's own SHACL results, computed once per bundle and cached.

`spacekg validate NEW.ttl` reports a result on a node the new files only link to only if the
context (ontology + bundled data) does not already have it. Those context results depend only on
the context files, the shapes, the inference and the engine: they are cached as JSON in
:func:`spacekg.project.cache_dir`, keyed by a fingerprint of all of these (and of the code), the
way the query engine caches the materialised graph. Any cache failure just recomputes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.project import fingerprint
from spacekg.terms import Term

if TYPE_CHECKING:
    from spacekg.shacl.api import ShaclResult

#: the baseline cache's own subfolder of :func:`spacekg.project.cache_dir`
CACHE_FOLDER = "validate"
CACHE_SCHEMA = "1"
ResultKey = tuple[Any, ...]


def result_key(r: ShaclResult) -> ResultKey:
    """What makes a result "the same" in the context and in context + new files."""
    focus = r.focus if r.focus.kind != "bnode" else None  # blank node ids differ per parse
    return (focus, r.path, r.component, r.source_shape, r.value if focus else None)


def _key_to_json(key: ResultKey) -> list[Any]:
    return [[t.kind, t.value, t.datatype, t.lang] if isinstance(t, Term) else t for t in key]


def _key_from_json(row: list[Any]) -> ResultKey:
    focus, path, comp, shape, value = row
    return (
        Term(*focus) if focus is not None else None,
        path,
        comp,
        shape,
        Term(*value) if value is not None else None,
    )


def _cache_file(context: list[Path], shapes: Path, inference: str, engine: str) -> Path:
    from spacekg.project import cache_dir, code_fingerprint

    h = hashlib.sha256()
    for part in (
        fingerprint(context),
        "\0".join(str(p.resolve()) for p in context),
        fingerprint([shapes]),
        code_fingerprint(),
        inference,
        engine,
        CACHE_SCHEMA,
    ):
        h.update(part.encode())
        h.update(b"\0")
    return cache_dir() / CACHE_FOLDER / f"validate-context-{h.hexdigest()[:32]}.json"


def context_results(
    context: list[Path], shapes: Path, inference: str, engine: str
) -> set[ResultKey]:
    """The result keys of validating the ``context`` files alone (cached)."""
    from spacekg.shacl.api import validate_graph

    try:
        path: Path | None = _cache_file(context, shapes, inference, engine)
    except OSError:
        path = None
    if path is not None:
        from spacekg.rdfio import private_folder, read_private

        path = path if private_folder(path.parent.parent, CACHE_FOLDER) else None
    if path is not None:
        raw = read_private(path)
        with contextlib.suppress(ValueError, TypeError):
            if raw is not None:
                return {_key_from_json(row) for row in json.loads(raw.decode("utf-8"))}
    report = validate_graph(context, shapes, inference=inference, engine=engine)  # type: ignore[arg-type]
    keys = {result_key(r) for r in report.results}
    if path is not None:
        _store(path, sorted((_key_to_json(k) for k in keys), key=json.dumps))
    return keys


def _store(path: Path, rows: list[Any]) -> None:
    from spacekg.rdfio import write_private

    write_private(path.parent, path.name, json.dumps(rows).encode("utf-8"))
