"""The import rules of the house, read from the source with ``ast`` (function-level imports too).

- no import cycle between spacekg's modules;
- a module imports only from its own stage or the stages below it (:data:`STAGES`);
- only ``spacekg.cli`` imports click (and only ``spacekg.serve`` the web framework);
- rdflib, pyoxigraph, pyshacl and owlrl only in the modules that own them (:data:`OWNERS`);
- nothing imports the facade ``spacekg`` itself (it sits on top of every stage).

Imports under ``if TYPE_CHECKING:`` are type annotations, never executed: they count for the
stage rule but not as cycles, nor as uses of a library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "spacekg"

#: the stages, lowest first; a module may import its own stage and those below it
STAGES: list[set[str]] = [
    {"errors", "netguard"},
    {"namespaces"},
    {"terms"},
    {"project"},
    {"rdfio"},
    {"evidence"},
    {"reasoning", "dataset"},
    {"query", "stores", "shacl"},
    {"validate"},
    {"curation", "describe", "qc"},
    {"cli", "serve"},
    {"__init__", "__main__"},
]

#: third-party libraries and the stages (first name of the module path) allowed to import them
RDF_STAGES = {
    "rdfio",
    "reasoning",
    "dataset",
    "evidence",
    "query",
    "stores",
    "shacl",
}
OWNERS: dict[str, set[str]] = {
    "click": {"cli"},
    "rdflib": RDF_STAGES | {"validate", "curation"},
    "owlrl": {"reasoning"},
    "reasonable": {"reasoning"},
    "pyshacl": {"shacl"},
    "pyoxigraph": RDF_STAGES | {"validate", "curation"},
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"] or ["__init__"]
    return ".".join(parts)


def _stage(module: str) -> int:
    top = module.split(".")[0]
    for i, names in enumerate(STAGES):
        if top in names:
            return i
    raise AssertionError(f"spacekg.{module} is in no stage: add it to STAGES")


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                skip.update(id(n) for n in ast.walk(inner))
    return skip


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, under TYPE_CHECKING) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_nodes(tree)
    out: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno, id(node) in typing_only) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno, id(node) in typing_only))
            if node.module == "spacekg" or node.module.startswith("spacekg."):
                # `from spacekg.pkg import mod` imports spacekg.pkg.mod when it is a module
                for a in node.names:
                    sub = SRC.joinpath(*node.module.split(".")[1:], a.name)
                    if sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file():
                        out.append(
                            (f"{node.module}.{a.name}", node.lineno, id(node) in typing_only)
                        )
    return out


def _graph() -> dict[str, list[tuple[str, int, bool]]]:
    graph: dict[str, list[tuple[str, int, bool]]] = {}
    for path in sorted(SRC.rglob("*.py")):
        graph[_module_name(path)] = _imports(path)
    return graph


GRAPH = _graph()


def _internal(name: str) -> str | None:
    if name == "spacekg":
        return "__init__"
    return name.removeprefix("spacekg.") if name.startswith("spacekg.") else None


def test_no_import_cycles() -> None:
    edges = {
        m: sorted({t for n, _l, tc in imps if not tc and (t := _internal(n)) and t != m})
        for m, imps in GRAPH.items()
    }
    # a package's __init__ is imported with any of its modules: an edge to spacekg.a.b is one
    # to spacekg.a too, except from inside the package itself
    for m, targets in edges.items():
        for t in list(targets):
            parent = t.rsplit(".", 1)[0] if "." in t else None
            if parent and parent in edges and not m.startswith(parent):
                targets.append(parent)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in edges.get(m, []):
            if state.get(t) == 1:
                cycles.append([*stack[stack.index(t) :], t])
            elif t in edges and t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_imports_point_down_the_stages() -> None:
    bad = []
    for m, imps in GRAPH.items():
        for name, line, _tc in imps:
            t = _internal(name)
            if t is None or t == m:
                continue
            if t == "__init__" and m not in ("__main__",):
                bad.append(f"spacekg.{m}:{line} imports the facade `spacekg`")
            elif _stage(t) > _stage(m):
                bad.append(f"spacekg.{m}:{line} imports spacekg.{t}, a stage above it")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_libraries_only_in_their_owners(library: str) -> None:
    bad = [
        f"spacekg.{m}:{line} imports {name}"
        for m, imps in GRAPH.items()
        for name, line, tc in imps
        if not tc and name.split(".")[0] == library and m.split(".")[0] not in OWNERS[library]
    ]
    assert not bad, "\n".join(bad)


def test_web_framework_only_in_serve() -> None:
    web = {"starlette", "uvicorn", "jinja2", "fastapi"}
    bad = [
        f"spacekg.{m}:{line} imports {name}"
        for m, imps in GRAPH.items()
        for name, line, _tc in imps
        if name.split(".")[0] in web and m.split(".")[0] not in ("serve",)
    ]
    assert not bad, "\n".join(bad)


def test_every_module_is_in_a_stage() -> None:
    for m in GRAPH:
        _stage(m)


def test_the_facade_is_complete_and_cheap() -> None:
    """Every name of ``spacekg.__all__`` resolves, and ``import spacekg`` loads no RDF library."""
    import subprocess
    import sys

    code = (
        "import sys, spacekg\n"
        "heavy = [m for m in ('rdflib', 'pyoxigraph', 'pyshacl', 'owlrl', 'click') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "missing = [n for n in spacekg.__all__ if not hasattr(spacekg, n)]\n"
        "assert not missing, missing\n"
        "print(len(spacekg.__all__))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 20
