"""A graph of one's own: ``spacekg init`` makes a workspace, ``spacekg status`` describes one.

A workspace is a folder with a ``spacekg.toml`` marker and the four folders of a graph
(``ontology/``, ``queries/``, ``data/``, ``seeds/``). Commands run in it or below act on it (see
:func:`spacekg.project.resolve_workspace`). ``init`` copies the bundled graph into a new folder,
or with ``empty=True`` only its ontology, shapes and queries: a graph with no data, which checks
green. The folder is built beside its final place and renamed into it, so an interrupted ``init``
leaves nothing half-made.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from spacekg.errors import InputError
from spacekg.namespaces import ID_NS
from spacekg.project import (
    WORKSPACE_FILE,
    Workspace,
    current_workspace,
    graph_sources,
    packaged_bundle,
)

#: what ``init`` copies from the bundled graph: folder -> file patterns
COPIED = {
    "ontology": ("spacekg.ttl", "shapes.ttl"),
    "queries": ("*.rq", "checks/*.rq"),
    "data": ("*.ttl",),
    "seeds": ("*.txt",),
}
EMPTY_SKIPS = ("data", "seeds")


def config_text(name: str, sources: list[str]) -> str:
    """The spacekg.toml of a new workspace."""
    listed = "".join(f"    {_toml_string(s)},\n" for s in sorted(sources))
    return (
        "# A spacekg workspace: every spacekg command run in this folder or below acts on this\n"
        "# graph (ontology/, data/, queries/, seeds/). `spacekg status` shows what is in it.\n"
        "[graph]\n"
        f"name = {_toml_string(name)}\n"
        "# the namespace of the graph's own nodes (skgid:); the shapes and checks expect it\n"
        f"base = {_toml_string(ID_NS)}\n"
        "# the source texts in seeds/; `spacekg source add` appends to this list\n"
        f"sources = [\n{listed}]\n"
    )


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Initialised:
    """What ``init`` made."""

    root: Path
    name: str
    files: int
    empty: bool


def init_workspace(
    target: Path | str, *, empty: bool = False, name: str | None = None
) -> Initialised:
    """Make a new workspace at ``target`` (a new or empty folder) from the bundled graph."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a folder", hint="pick a new folder name")
    if target.is_dir() and any(target.iterdir()):
        raise InputError(
            f"{target}: the folder is not empty; spacekg init never writes among existing files",
            hint="pick a new folder, or empty this one",
        )
    source = packaged_bundle()
    name = name or target.absolute().name or "spacekg"
    parent = target.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".init", dir=parent))
    except OSError as err:
        raise InputError(f"{target}: cannot create it: {err.strerror or err}") from None
    try:
        files = 0
        seeds: list[str] = []
        for folder, patterns in COPIED.items():
            (tmp / folder).mkdir()
            if empty and folder in EMPTY_SKIPS:
                continue
            for pattern in patterns:
                for path in sorted((source / folder).glob(pattern)):
                    if not path.is_file():
                        continue
                    dest = tmp / folder / path.relative_to(source / folder)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, dest)
                    files += 1
                    if folder == "seeds":
                        seeds.append(path.name)
        (tmp / WORKSPACE_FILE).write_text(config_text(name, seeds), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        if target.is_dir():
            target.rmdir()  # empty (checked above); the rename puts the new folder in its place
        os.replace(tmp, target)
    except OSError as err:
        raise InputError(f"{target}: cannot write the workspace: {err.strerror or err}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return Initialised(target, name, files + 1, empty)


def record_source(root: Path, seed_name: str) -> bool:
    """Add ``seed_name`` to the ``sources`` list of ``root/spacekg.toml``; True if it changed.

    Only the list is rewritten (the rest of the file, comments included, is kept). A workspace
    without spacekg.toml, or whose list is not in the one-item-per-line form ``init`` writes, is
    left alone (False).
    """
    config = root / WORKSPACE_FILE
    if not config.is_file():
        return False
    text = config.read_text(encoding="utf-8")
    match = re.search(r"(?ms)^sources\s*=\s*\[(.*?)\]\s*$", text)
    if match is None:
        return False
    items = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
    if seed_name in items or (match.group(1).strip() and not items):
        return False
    listed = "".join(f"    {_toml_string(s)},\n" for s in sorted([*items, seed_name]))
    new = text[: match.start()] + f"sources = [\n{listed}]" + text[match.end() :]
    if not new.endswith("\n"):
        new += "\n"
    from spacekg.rdfio import write_atomic

    write_atomic(config, new.encode("utf-8"))  # the output rule: mode kept, never half-written
    return True


@dataclass(frozen=True)
class Status:
    """Which graph is in use, where, and what is in it."""

    workspace: Workspace
    data_files: int
    triples: int  # asserted triples in the ontology and data files
    source_texts: tuple[str, ...]  # the files in seeds/
    queries: int
    checks: int
    unlisted: tuple[str, ...]  # in seeds/ but not in spacekg.toml's sources
    missing: tuple[str, ...]  # in spacekg.toml's sources but not in seeds/


def status(workspace: Workspace | None = None) -> Status:
    """Count what the workspace holds (parses each file with Oxigraph: no inference)."""
    from pyoxigraph import RdfFormat, parse

    ws = workspace or current_workspace()
    sources = graph_sources(ws.root)
    triples = 0
    for src in sources:
        if not src.path.is_file():
            continue
        try:
            triples += sum(1 for _ in parse(path=str(src.path), format=RdfFormat.TURTLE))
        except (SyntaxError, ValueError) as err:
            raise InputError(
                f"{src.path}: {err}", hint="run `spacekg validate` for the details"
            ) from None
    seeds = tuple(sorted(p.name for p in (ws.root / "seeds").glob("*") if p.is_file()))
    queries = ws.root / "queries"
    listed = set(ws.sources)
    return Status(
        ws,
        data_files=sum(1 for s in sources if s.kind == "data"),
        triples=triples,
        source_texts=seeds,
        queries=sum(1 for _ in queries.glob("*.rq")),
        checks=sum(1 for _ in (queries / "checks").glob("*.rq")),
        unlisted=tuple(s for s in seeds if ws.config is not None and s not in listed),
        missing=tuple(sorted(listed - set(seeds))),
    )


ORIGINS = {
    "--root": "given with --root",
    "SPACEKG_HOME": "named by SPACEKG_HOME",
    "spacekg.toml": "the nearest spacekg.toml at or above this folder",
    "bundled": "the graph bundled with spacekg; read-only: `spacekg init DIR` to make your own",
}


def render_status(st: Status) -> str:
    ws = st.workspace
    lines = [
        f"graph:    {ws.name}{' (read-only)' if ws.read_only else ''}",
        f"root:     {ws.root.absolute()}",
        f"chosen:   {ORIGINS.get(ws.origin, ws.origin)}",
    ]
    if ws.shadowed is not None:
        lines.append(f"note:     the workspace at {ws.shadowed} is not in use ({ws.origin} wins)")
    lines += [
        f"data:     {st.data_files} file(s), {st.triples} asserted triples (with the ontology)",
        f"sources:  {len(st.source_texts)} text(s) in seeds/"
        + (f": {', '.join(st.source_texts)}" if st.source_texts else ""),
        f"queries:  {st.queries} stored, {st.checks} checks",
    ]
    if st.unlisted:
        lines.append(f"warning:  not listed in spacekg.toml's sources: {', '.join(st.unlisted)}")
    if st.missing:
        lines.append(f"warning:  listed in spacekg.toml but not in seeds/: {', '.join(st.missing)}")
    return "".join(line + "\n" for line in lines)
