"""Which graph a command acts on (the workspace), and which named graph each source file goes to.

A workspace is a folder holding ``ontology/``, ``data/``, ``queries/`` and ``seeds/``. The one in
use is, in this order: the folder given explicitly (``spacekg --root DIR``, or
:func:`use_workspace`), the folder named by ``SPACEKG_HOME``, the nearest folder at or above the
current directory holding ``spacekg.toml`` (found the way git finds ``.git``), else the bundled
graph, read-only: ``spacekg/_bundle/`` in an installed wheel, the checkout in an editable one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spacekg.errors import InputError
from spacekg.namespaces import GRAPH_NS, ID_NS

ONTOLOGY_FILE = "spacekg.ttl"
SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class GraphSource:
    """One source file of the bundled graph and the named graph it is loaded into."""

    name: str  # short name, e.g. "ontology" or "data/article"
    iri: str  # named graph IRI
    path: Path
    kind: str  # "ontology" | "shapes" | "data"


def bundle_root() -> Path:
    """The folder holding ontology/, data/, queries/ and seeds/: the workspace in use."""
    return current_workspace().root


WORKSPACE_FILE = "spacekg.toml"


@dataclass(frozen=True)
class Workspace:
    """The graph commands act on: where it is, what it is called, and how it was chosen."""

    root: Path
    name: str
    base_iri: str  # the namespace of the graph's own nodes
    sources: tuple[str, ...]  # the source texts (file names in seeds/) listed in spacekg.toml
    read_only: bool  # the bundled graph: `spacekg init` a workspace to change it
    origin: str  # "--root" | "SPACEKG_HOME" | "spacekg.toml" | "bundled"
    config: Path | None  # the spacekg.toml read, if any
    shadowed: Path | None = None  # a spacekg.toml workspace that SPACEKG_HOME or --root overrode


def find_workspace(start: Path | str | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the current one) with a spacekg.toml."""
    try:
        here = (Path(start) if start is not None else Path.cwd()).absolute()
    except OSError:  # the current folder was deleted: no workspace to find
        return None
    for folder in (here, *here.parents):
        if (folder / WORKSPACE_FILE).is_file():
            return folder
    return None


def read_config(path: Path) -> dict[str, object]:
    """The ``[graph]`` table of a spacekg.toml (file:line on a syntax error)."""
    import tomllib

    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot read it: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text (rewrite it as UTF-8)") from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(
            f"{path}: not valid TOML: {err}", hint="fix it, or compare with `spacekg init`'s"
        ) from None
    graph = doc.get("graph", {})
    if not isinstance(graph, dict):
        raise InputError(f"{path}: [graph] must be a table")
    return graph


def workspace_at(root: Path, origin: str, *, read_only: bool = False) -> Workspace:
    """The workspace rooted at ``root``, with the settings of its spacekg.toml if it has one."""
    config = root / WORKSPACE_FILE
    graph: dict[str, object] = read_config(config) if config.is_file() else {}
    name = graph.get("name", root.absolute().name or str(root))
    base = graph.get("base", ID_NS)
    sources = graph.get("sources", [])
    if not isinstance(name, str):
        raise InputError(f"{config}: name must be a string")
    if base != ID_NS:
        raise InputError(
            f"{config}: base = {base!r}: the shapes and check queries are written for {ID_NS!r}",
            hint=f'set base = "{ID_NS}"',
        )
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise InputError(f"{config}: sources must be a list of file names in seeds/")
    read_only = read_only or is_installed_bundle(root)
    return Workspace(
        root, name, ID_NS, tuple(sources), read_only, origin, config if config.is_file() else None
    )


def packaged_bundle() -> Path:
    """The graph shipped with spacekg: ``_bundle/`` in a wheel, the checkout in an editable one."""
    here = Path(__file__).resolve().parent
    packaged = here / "_bundle"
    if packaged.is_dir():
        return packaged
    repo = here.parents[1]
    if (repo / "ontology").is_dir():
        return repo
    raise InputError(
        f"cannot find the bundled graph next to {here}",
        hint="reinstall spacekg or set SPACEKG_HOME to a checkout",
    )


def is_installed_bundle(root: Path) -> bool:
    """Whether ``root`` is inside the installed spacekg package (never written to)."""
    package = Path(__file__).resolve().parent
    try:
        Path(root).resolve().relative_to(package)
    except ValueError:
        return False
    return True


def resolve_workspace(root: Path | str | None = None, start: Path | str | None = None) -> Workspace:
    """The workspace a command run in ``start`` (default: the current folder) acts on.

    ``root`` (``--root``) wins, then ``SPACEKG_HOME``, then the nearest spacekg.toml at or above
    ``start``, then the bundled graph (read-only). An explicit folder that does not exist is an
    error, never a silent fall-back.
    """
    found = find_workspace(start)
    chosen: tuple[Path, str] | None = None
    if root is not None and str(root) != "":
        chosen = (Path(root), "--root")
    elif os.environ.get("SPACEKG_HOME"):
        chosen = (Path(os.environ["SPACEKG_HOME"]), "SPACEKG_HOME")
    if chosen is not None:
        path, origin = chosen
        if not path.is_dir():
            raise InputError(
                f"{origin} {path}: no such folder",
                hint="give a folder made by `spacekg init`, or leave it out",
            )
        ws = workspace_at(path, origin)
        if found is not None and found.resolve() != path.resolve():
            ws = dataclasses.replace(ws, shadowed=found)
        return ws
    if found is not None:
        return workspace_at(found, "spacekg.toml")
    return workspace_at(packaged_bundle(), "bundled", read_only=True)


_ACTIVE: list[Workspace] = []


def current_workspace() -> Workspace:
    """The workspace set by :func:`use_workspace`, else the one :func:`resolve_workspace` finds."""
    return _ACTIVE[-1] if _ACTIVE else resolve_workspace()


@contextlib.contextmanager
def use_workspace(workspace: Workspace) -> Iterator[Workspace]:
    """Make every library call inside the ``with`` act on ``workspace`` (the CLI's --root)."""
    _ACTIVE.append(workspace)
    try:
        yield workspace
    finally:
        _ACTIVE.remove(workspace)


def writable_root(root: Path | str | None = None) -> Path:
    """The folder a writing command may write into; refuses the bundled, installed graph."""
    ws = workspace_at(Path(root), "--root") if root is not None else current_workspace()
    if ws.read_only:
        raise InputError(
            f"{ws.root} is the graph bundled with spacekg and is never written to",
            hint="run `spacekg init DIR` first, then work in DIR",
        )
    return ws.root


def ontology_dir() -> Path:
    return bundle_root() / "ontology"


def data_dir() -> Path:
    return bundle_root() / "data"


def queries_dir() -> Path:
    return bundle_root() / "queries"


def seeds_dir() -> Path:
    return bundle_root() / "seeds"


def ontology_path() -> Path:
    return ontology_dir() / ONTOLOGY_FILE


def shapes_path() -> Path:
    return ontology_dir() / SHAPES_FILE


def graph_sources(root: Path | None = None) -> list[GraphSource]:
    """The ontology and every data file, in a stable order, each with its named graph.

    The shapes are not part of the knowledge graph; see :func:`shapes_path`.
    """
    root = root or bundle_root()
    sources = [
        GraphSource(
            "ontology", GRAPH_NS + "ontology", root / "ontology" / ONTOLOGY_FILE, "ontology"
        )
    ]
    for path in sorted((root / "data").glob("*.ttl")):
        name = f"data/{path.stem}"
        sources.append(GraphSource(name, GRAPH_NS + name, path, "data"))
    return sources


def fingerprint(paths: list[Path]) -> str:
    """A sha256 over the names and bytes of ``paths``: the key of derived caches."""
    import hashlib  # loaded on first use: a query on a store hashes nothing

    h = hashlib.sha256()
    for p in paths:
        h.update(str(p.name).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def cache_dir() -> Path:
    """Where derived files are cached: ``SPACEKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/spacekg``."""
    env = os.environ.get("SPACEKG_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "spacekg" if xdg else Path.home() / ".cache" / "spacekg"


def package_version() -> str:
    """spacekg's version, from the installed package's metadata."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spacekg")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0+unknown"


@functools.cache
def code_fingerprint() -> str:
    """A hash of every module of the installed package (so of its version too: a release's code
    is what it is).

    Part of every cache key, so a cache is rebuilt when any of spacekg's code changes (a new
    release, or an editable install between releases) and never depends on which module builds
    what. The version itself is not read here: importing importlib.metadata costs a cold query
    ~50 ms, and the code already tells releases apart.
    """
    import hashlib

    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()
