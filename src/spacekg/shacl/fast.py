"""The fast SHACL Core engine: pyoxigraph's Rust parser feeding set-based checks in Python.

The data is parsed once with pyoxigraph (no rdflib, no store) into per-predicate indexes; each
shape is evaluated on all its focus nodes at once (set differences, dictionary look-ups), so the
cost is about one pass over the triples a shape touches. Term equality is RDF term equality
(lexical forms are kept as written; nothing is canonicalised).

Supported (SHACL Core, https://www.w3.org/TR/shacl/):
  targets      sh:targetClass (with rdfs:subClassOf*), implicit class targets (a shape that is
               an rdfs:Class), sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf;
  paths        predicate, sh:inversePath, sequence, sh:alternativePath, sh:zeroOrMorePath,
               sh:oneOrMorePath, sh:zeroOrOnePath, nested in any combination;
  constraints  sh:class, sh:datatype (with lexical validity of the XSD built-in types),
               sh:nodeKind, sh:minCount, sh:maxCount, sh:minInclusive, sh:maxInclusive,
               sh:minExclusive, sh:maxExclusive (numbers, dates, date-times, times, strings),
               sh:minLength, sh:maxLength, sh:pattern (+ sh:flags; Python regular expressions,
               as pySHACL), sh:languageIn, sh:uniqueLang, sh:in, sh:hasValue, sh:equals,
               sh:disjoint, sh:lessThan, sh:lessThanOrEquals, sh:node, sh:property (nested),
               sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape (+ sh:qualifiedMinCount,
               sh:qualifiedMaxCount, sh:qualifiedValueShapesDisjoint), sh:closed
               (+ sh:ignoredProperties);
  other        sh:deactivated, sh:severity, sh:message; boolean parameters are active only
               when exactly true (as the W3C suite requires).
Not supported, so engine "auto" falls back to pySHACL: SHACL-SPARQL (sh:sparql,
sh:SPARQLConstraint, custom sh:ConstraintComponent), SHACL Advanced Features (sh:target,
sh:rule, sh:condition, functions), SHACL-JS, recursive shapes. Inference "rdfs" materialises the
RDFS rules (:mod:`spacekg.shacl.inference`); "owlrl" is pySHACL's. The checkers, one per
constraint component, are in :mod:`spacekg.shacl.components`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spacekg.shacl.components import COMPONENTS, Focus, Raw, is_true
from spacekg.shacl.model import (
    RDF,
    RDFS,
    SH,
    PathExpr,
    ShaclResult,
    TripleIndex,
    Unsupported,
    all_shapes,
    check_supported,
    parse_path,
    term_to_ox,
    to_results,
)
from spacekg.terms import Term

# --------------------------------------------------------------------------- the data


class Data:
    """The data graph as per-predicate indexes of pyoxigraph terms, built in one pass."""

    def __init__(self, triples: Iterable[tuple[Any, Any, Any]], *, interned: bool = False) -> None:
        """``interned``: ``triples`` already give one object per term (else made so here: a
        parse gives a new object for every occurrence, and equal terms that are one object
        compare and hash faster)."""
        import pyoxigraph as ox

        self.ox = ox
        out: dict[Any, dict[Any, list[Any]]] = {}
        same: dict[Any, Any] = {}
        one = None if interned else same.setdefault
        for s, p, o in triples:
            if one is not None:
                s, o = one(s, s), one(o, o)
            by_s = out.get(p)
            if by_s is None:
                by_s = out[p] = {}
            lst = by_s.get(s)
            if lst is None:
                by_s[s] = [o]
            elif o not in lst:
                lst.append(o)
        self.out = out
        self._in: dict[Any, dict[Any, list[Any]]] = {}
        self._instances: dict[Any, set[Any]] = {}
        self.rdf_type = ox.NamedNode(RDF + "type")
        self.subclass = ox.NamedNode(RDFS + "subClassOf")

    def out_index(self, p: Any) -> dict[Any, list[Any]]:
        return self.out.get(p, {})

    def in_index(self, p: Any) -> dict[Any, list[Any]]:
        idx = self._in.get(p)
        if idx is None:
            idx = {}
            for s, objs in self.out.get(p, {}).items():
                for o in objs:
                    lst = idx.get(o)
                    if lst is None:
                        idx[o] = [s]
                    else:
                        lst.append(s)
            self._in[p] = idx
        return idx

    def spo(self, s: Any) -> list[tuple[Any, Any]]:
        """Every (predicate, object) of ``s``, one look-up per predicate: ``sh:closed`` asks
        for a few nodes, where an index by subject would copy the whole graph."""
        found: list[tuple[Any, Any]] = []
        for p, by_s in self.out.items():
            objs = by_s.get(s)
            if objs:
                found.extend((p, o) for o in objs)
        return found

    def instances(self, cls: Any) -> set[Any]:
        """SHACL instances of ``cls``: rdf:type/rdfs:subClassOf* ``cls``."""
        got = self._instances.get(cls)
        if got is None:
            sub_in = self.in_index(self.subclass)
            classes = {cls}
            todo = [cls]
            while todo:
                c = todo.pop()
                for d in sub_in.get(c, ()):
                    if d not in classes:
                        classes.add(d)
                        todo.append(d)
            type_in = self.in_index(self.rdf_type)
            got = set()
            for c in classes:
                got.update(type_in.get(c, ()))
            self._instances[cls] = got
        return got

    def values(self, f: Any, path: PathExpr) -> list[Any]:
        """The value nodes of ``f`` for ``path`` (distinct)."""
        kind = path[0]
        if kind == "pred":
            return self.out_index(self.ox.NamedNode(path[1])).get(f, [])
        if kind == "inv" and path[1][0] == "pred":
            return self.in_index(self.ox.NamedNode(path[1][1])).get(f, [])
        return list(dict.fromkeys(self._eval_path(f, path)))

    def _eval_path(self, f: Any, path: PathExpr) -> Iterable[Any]:
        kind = path[0]
        if kind == "pred":
            return self.out_index(self.ox.NamedNode(path[1])).get(f, [])
        if kind == "inv":
            inner = path[1]
            if inner[0] == "pred":
                return self.in_index(self.ox.NamedNode(inner[1])).get(f, [])
            return self._inverse(f, inner)
        if kind == "seq":
            current: dict[Any, None] = {f: None}
            for step in path[1]:
                nxt: dict[Any, None] = {}
                for node in current:
                    for v in self._eval_path(node, step):
                        nxt[v] = None
                current = nxt
            return list(current)
        if kind == "alt":
            acc: dict[Any, None] = {}
            for step in path[1]:
                for v in self._eval_path(f, step):
                    acc[v] = None
            return list(acc)
        inner = path[1]
        if kind == "zeroOrOne":
            return [f, *self._eval_path(f, inner)]
        # zeroOrMore / oneOrMore: breadth-first closure
        seen: dict[Any, None] = {f: None} if kind == "zeroOrMore" else {}
        frontier = [f]
        while frontier:
            nxt_nodes: list[Any] = []
            for node in frontier:
                for v in self._eval_path(node, inner):
                    if v not in seen:
                        seen[v] = None
                        nxt_nodes.append(v)
            frontier = nxt_nodes
        return list(seen)

    def _inverse(self, f: Any, path: PathExpr) -> list[Any]:
        """Nodes x with f in values(x, path), for a complex path (rewritten structurally)."""
        kind = path[0]
        if kind == "pred":
            return self.in_index(self.ox.NamedNode(path[1])).get(f, [])
        if kind == "inv":
            return list(self._eval_path(f, path[1]))
        if kind == "seq":
            return list(self._eval_path(f, ("seq", tuple(("inv", s) for s in reversed(path[1])))))
        if kind == "alt":
            return list(self._eval_path(f, ("alt", tuple(("inv", s) for s in path[1]))))
        return list(self._eval_path(f, (kind, ("inv", path[1]))))


# --------------------------------------------------------------------------- the engine


class Validator:
    """Evaluates shapes on :class:`Data`, caching which nodes fail which shape."""

    def __init__(self, data: Data, shapes: TripleIndex) -> None:
        self.d = data
        self.g = shapes
        self.fail_cache: dict[Term, tuple[set[Any], set[Any]]] = {}
        self.in_progress: set[Term] = set()
        self.ox_cache: dict[Term, Any] = {}

    def ox_term(self, t: Term, what: str) -> Any:
        if t.kind == "bnode" and what:
            # a blank node of the shapes graph is never a node of the data graph
            return self.d.ox.BlankNode()
        o = self.ox_cache.get(t)
        if o is None:
            o = self.ox_cache[t] = term_to_ox(t)
        return o

    def is_deactivated(self, shape: Term) -> bool:
        return is_true(self.g.value(shape, SH + "deactivated"))

    def focus_nodes(self, shape: Term) -> list[Any] | None:
        g, d = self.g, self.d
        found: dict[Any, None] = {}
        has_target = False
        classes = list(g.objects(shape, SH + "targetClass"))
        types = {t.value for t in g.objects(shape, RDF + "type")}
        if RDFS + "Class" in types and types & {SH + "NodeShape", SH + "PropertyShape"}:
            classes.append(shape)
        for c in classes:
            has_target = True
            found.update(dict.fromkeys(d.instances(self.ox_term(c, "sh:targetClass"))))
        for n in g.objects(shape, SH + "targetNode"):
            has_target = True
            found[self.ox_term(n, "sh:targetNode")] = None
        for p in g.objects(shape, SH + "targetSubjectsOf"):
            has_target = True
            found.update(dict.fromkeys(d.out_index(self.ox_term(p, ""))))
        for p in g.objects(shape, SH + "targetObjectsOf"):
            has_target = True
            found.update(dict.fromkeys(d.in_index(self.ox_term(p, ""))))
        return list(found) if has_target else None

    def path_of(self, shape: Term) -> PathExpr | None:
        node = self.g.value(shape, SH + "path")
        return None if node is None else parse_path(self.g, node)

    def failing(self, shape: Term, nodes: Iterable[Any]) -> set[Any]:
        """Which of ``nodes`` do not conform to ``shape``."""
        checked, bad = self.fail_cache.setdefault(shape, (set(), set()))
        wanted = set(nodes)
        todo = list(wanted - checked)
        if todo:
            if shape in self.in_progress:
                raise Unsupported("recursive shapes")
            self.in_progress.add(shape)
            try:
                bad.update(raw.focus for raw in self.eval_shape(shape, todo))
            finally:
                self.in_progress.discard(shape)
            checked.update(todo)
        return wanted & bad

    def eval_shape(self, shape: Term, foci: list[Any]) -> list[Raw]:
        """All results of validating each of ``foci`` (distinct) against ``shape``."""
        if self.is_deactivated(shape) or not foci:
            return []
        focus = Focus(self, shape, foci, self.path_of(shape))
        objects = self.g.objects
        for parameter, check in COMPONENTS.items():
            for value in objects(shape, SH + parameter):
                check(focus, value)
        return focus.out


def validate_data(data: Data, shapes: TripleIndex) -> list[ShaclResult]:
    """Validate ``data`` against ``shapes`` (raises :class:`Unsupported`)."""
    check_supported(shapes)
    eng = Validator(data, shapes)
    raws: list[Raw] = []
    for shape in all_shapes(shapes):
        if eng.is_deactivated(shape):
            continue
        foci = eng.focus_nodes(shape)
        if foci:
            raws.extend(eng.eval_shape(shape, foci))
    return list(to_results(shapes, raws))
