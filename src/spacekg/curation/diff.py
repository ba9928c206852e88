"""What changed between two RDF graphs: triples added and removed, as readable Turtle.

OLD and NEW are each a file or a folder (every RDF file below it, merged). Blank nodes are
matched as rdflib's graph comparison does: both graphs are canonicalised
(``rdflib.compare.to_isomorphic``) and compared with ``rdflib.compare.graph_diff``, so renaming
a blank node or reordering a file is no change, and a changed blank node shows as removed and
added under its canonical label. Output groups triples by subject (Turtle's own layout) with the
prefixes of both inputs; it is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from spacekg.rdfio import rdf_files

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass(frozen=True)
class GraphDiff:
    """The difference: counts, and each side as Turtle (empty string when nothing)."""

    old: str
    new: str
    old_files: tuple[Path, ...]
    new_files: tuple[Path, ...]
    added_count: int
    removed_count: int
    added_turtle: str
    removed_turtle: str

    @property
    def differ(self) -> bool:
        return bool(self.added_count or self.removed_count)


def _parse_into(graph: Graph, path: Path) -> None:
    from spacekg.rdfio import parse_file

    parse_file(path, graph)


def load_merged(path: Path) -> tuple[Graph, tuple[Path, ...]]:
    """Every RDF file of ``path`` merged into one graph (quads flattened into triples)."""
    from rdflib import Graph

    files = rdf_files(Path(path))
    graph = Graph(bind_namespaces="none")
    for f in files:
        part = Graph(bind_namespaces="none")
        _parse_into(part, f)
        for prefix, ns in part.namespaces():
            if prefix and prefix not in dict(graph.namespaces()):
                graph.bind(prefix, ns, override=False)
        for triple in part:
            graph.add(triple)
    return graph, tuple(files)


def _to_turtle(graph: Graph, prefixes: dict[str, str]) -> str:
    """The triples of ``graph`` as Turtle with the inputs' own prefixes (no rdflib defaults)."""
    from rdflib import Graph, Namespace

    if len(graph) == 0:
        return ""
    out = Graph(bind_namespaces="none")
    for triple in graph:
        out.add(triple)
    used = {str(t) for triple in out for t in triple}
    used.update(str(o.datatype) for o in out.objects() if getattr(o, "datatype", None))
    for prefix, ns in sorted(prefixes.items()):
        if prefix and any(u.startswith(ns) for u in used):
            out.bind(prefix, Namespace(ns), override=True, replace=True)
    # rdflib writes the prefixes it used, sorted, then subjects sorted: stable for a given graph.
    try:
        return out.serialize(format="turtle").strip() + "\n"
    except RecursionError:  # blank nodes nested deeper than rdflib's writer recurses
        return "".join(sorted(out.serialize(format="nt").splitlines(keepends=True)))


#: above this many blank nodes rdflib's canonicalisation is too slow (it is super-linear): blank
#: nodes are then named by spacekg's bounded colour refinement (the export's labels), and blank
#: nodes whose surroundings agree for 12 steps count as one
MAX_CANONICAL_BNODES = 2000


def _quads(g: Graph) -> list[tuple]:  # type: ignore[type-arg]
    return [(s, p, o, None) for s, p, o in g]


def _compare(old_g: Graph, new_g: Graph) -> tuple[Graph, Graph]:
    """(triples only in old, triples only in new), blank nodes matched by structure."""
    from rdflib import BNode, Graph
    from rdflib.compare import graph_diff, to_isomorphic

    def bnodes(g: Graph) -> int:
        return len({t for triple in g for t in triple if isinstance(t, BNode)})

    if max(bnodes(old_g), bnodes(new_g)) <= MAX_CANONICAL_BNODES:
        _, only_old, only_new = graph_diff(to_isomorphic(old_g), to_isomorphic(new_g))
        return only_old, only_new
    from spacekg.dataset.export import bnode_labels

    def relabelled(g: Graph) -> set[tuple]:  # type: ignore[type-arg]
        # the colour, without the tie-breaking suffix (tie order depends on parse order)
        labels = {b: label.split("x")[0] for b, label in bnode_labels(_quads(g)).items()}
        return {tuple(BNode(labels[t]) if t in labels else t for t in triple) for triple in g}

    a, b = relabelled(old_g), relabelled(new_g)
    out_old, out_new = Graph(), Graph()
    for triple in a - b:
        out_old.add(triple)  # type: ignore[arg-type]
    for triple in b - a:
        out_new.add(triple)  # type: ignore[arg-type]
    return out_old, out_new


def diff_paths(old: Path, new: Path) -> GraphDiff:
    """Compare the graphs of ``old`` and ``new`` (files or folders)."""
    old_g, old_files = load_merged(Path(old))
    new_g, new_files = load_merged(Path(new))
    only_old, only_new = _compare(old_g, new_g)
    prefixes: dict[str, str] = {}
    for g in (new_g, old_g):  # the new file's prefixes win
        for prefix, ns in g.namespaces():
            prefixes.setdefault(prefix, str(ns))
    return GraphDiff(
        str(old),
        str(new),
        old_files,
        new_files,
        added_count=len(only_new),
        removed_count=len(only_old),
        added_turtle=_to_turtle(only_new, prefixes),
        removed_turtle=_to_turtle(only_old, prefixes),
    )


def render_diff(diff: GraphDiff) -> str:
    """The report: a removed block and an added block, each valid Turtle behind a comment."""
    if not diff.differ:
        return f"# no difference: {diff.old} and {diff.new} hold the same graph\n"
    out = [f"# --- {diff.old}\n# +++ {diff.new}\n"]
    out.append(f"\n# removed: {diff.removed_count} triple(s)\n")
    out.append(diff.removed_turtle)
    out.append(f"\n# added: {diff.added_count} triple(s)\n")
    out.append(diff.added_turtle)
    return "".join(out)
