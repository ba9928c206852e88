"""The disjointness check: nodes typed, through the class hierarchy, with two disjoint classes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spacekg.namespaces import (
    OWL,
)
from spacekg.terms import Term
from spacekg.validate.locate import Source, any_graph, select

if TYPE_CHECKING:
    import pyoxigraph


RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_LIST = "/<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"


@dataclass(frozen=True)
class TypeClash:
    """A node typed with two disjoint classes (``here`` stated in the new data)."""

    node: Term
    here: str  # the class stated in the new data (the default graph)
    other: str  # the class it clashes with
    other_graph: str | None  # the named graph (context file) stating ``other``; None: new data
    axiom: tuple[str, str]  # the disjoint pair of the ontology behind it (superclasses)


def disjoint_pairs(store: pyoxigraph.Store) -> set[tuple[str, str]]:
    """Every pair of classes declared disjoint (``owl:disjointWith``, ``owl:AllDisjointClasses``,
    ``owl:disjointUnionOf``) in any graph of ``store``, in both orders."""
    pairs: set[tuple[str, str]] = set()
    for a, b in select(
        store,
        f"SELECT DISTINCT ?a ?b WHERE {{ {any_graph(f'?a <{OWL}disjointWith> ?b')} "
        "FILTER(isIRI(?a) && isIRI(?b)) }",
    ):
        pairs.add((a.value, b.value))
    groups: dict[Any, set[str]] = {}
    for lst, m in select(
        store,
        "SELECT DISTINCT ?x ?m WHERE { "
        + any_graph(
            f"{{ ?x a <{OWL}AllDisjointClasses> ; <{OWL}members>{_LIST} ?m }} UNION "
            f"{{ ?c <{OWL}disjointUnionOf> ?x . ?x {_LIST[1:]} ?m }}"
        )
        + " FILTER(isIRI(?m)) }",
    ):
        groups.setdefault(lst, set()).add(m.value)
    for members in groups.values():
        pairs.update((a, b) for a in members for b in members)
    pairs |= {(b, a) for a, b in pairs}
    return {(a, b) for a, b in pairs if a != b}


def _superclasses(store: pyoxigraph.Store) -> dict[str, set[str]]:
    """Direct superclasses (``rdfs:subClassOf``, ``owl:equivalentClass`` both ways), any graph."""
    up: dict[str, set[str]] = {}
    for a, b in select(
        store,
        f"SELECT DISTINCT ?a ?b WHERE {{ {any_graph(f'?a <{RDFS_SUBCLASS}> ?b')} "
        "FILTER(isIRI(?a) && isIRI(?b)) }",
    ):
        up.setdefault(a.value, set()).add(b.value)
    for a, b in select(
        store,
        f"SELECT DISTINCT ?a ?b WHERE {{ {any_graph(f'?a <{OWL}equivalentClass> ?b')} "
        "FILTER(isIRI(?a) && isIRI(?b)) }",
    ):
        up.setdefault(a.value, set()).add(b.value)
        up.setdefault(b.value, set()).add(a.value)
    return up


def type_clashes(store: pyoxigraph.Store, sources: list[Source]) -> list[TypeClash]:
    """Nodes of the new data typed (through the ``rdfs:subClassOf`` closure) with two classes the
    ontology declares disjoint, the other type stated in the new data or in a context file.

    Only type triples of classes below a disjoint class are read (one indexed join in the store),
    so a million-triple file costs one pass over its relevant ``rdf:type`` triples.
    """
    import pyoxigraph as ox

    if not any(s.new for s in sources):
        return []
    pairs = disjoint_pairs(store)
    if not pairs:
        return []
    up = _superclasses(store)
    down: dict[str, set[str]] = {}
    for sub, supers in up.items():
        for sup in supers:
            down.setdefault(sup, set()).add(sub)
    disjoint = {a for a, _ in pairs}
    # the disjoint classes above each relevant class (the class itself included)
    above: dict[str, set[str]] = {}
    for d in disjoint:
        todo, seen = [d], {d}
        while todo:
            c = todo.pop()
            above.setdefault(c, set()).add(d)
            for sub in down.get(c, ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
    values = " ".join(f"<{c}>" for c in sorted(above))
    rows = select(
        store,
        f"SELECT DISTINCT ?s ?c1 ?c2 ?g WHERE {{ VALUES ?c1 {{ {values} }} ?s a ?c1 . "
        f"{{ ?s a ?c2 }} UNION {{ GRAPH ?g {{ ?s a ?c2 }} }} "
        f"VALUES ?c2 {{ {values} }} FILTER(?c1 != ?c2) }}",
    )
    out: list[TypeClash] = []
    seen_pairs: set[tuple[Any, frozenset[str]]] = set()
    for s, c1, c2, g in sorted(rows, key=lambda r: (str(r[0]), str(r[1]), str(r[2]), str(r[3]))):
        axiom = next(
            ((a, b) for a in sorted(above[c1.value]) for b in sorted(above[c2.value])
             if (a, b) in pairs),
            None,
        )  # fmt: skip
        if axiom is None:
            continue
        key = (s, frozenset((c1.value, c2.value)))
        if key in seen_pairs:
            continue  # both types in the new data: once, not once per order
        seen_pairs.add(key)
        node = Term("bnode", s.value) if isinstance(s, ox.BlankNode) else Term("uri", s.value)
        out.append(TypeClash(node, c1.value, c2.value, g.value if g is not None else None, axiom))
    return out
