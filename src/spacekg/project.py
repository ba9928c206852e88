"""Where the bundled graph lives, and which named graph each source file goes to.

In a repository checkout the bundle is the checkout itself (``ontology/``, ``data/``,
``queries/``, ``seeds/``); in an installed wheel it is ``spacekg/_bundle/``. ``SPACEKG_HOME``
overrides both.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from spacekg.errors import InputError
from spacekg.namespaces import GRAPH_NS

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
    """The folder holding ontology/, data/, queries/ and seeds/."""
    env = os.environ.get("SPACEKG_HOME")
    if env:
        return Path(env)
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
    """The package version and a hash of every module of the installed package.

    Part of every cache key, so a cache is rebuilt when any of spacekg's code changes (an editable
    install between releases) and never depends on which module builds what.
    """
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(package_version().encode())
    for path in sorted(package.rglob("*.py")):
        h.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()
