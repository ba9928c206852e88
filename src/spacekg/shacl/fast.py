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
RDFS rules with SPARQL in :mod:`spacekg.shacl.sparql` (store-based); "owlrl" is pySHACL's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import Any

from spacekg.shacl.api import (
    RDF,
    RDFS,
    SH,
    SURROGATE_NS,
    XSD,
    PathExpr,
    ShaclResult,
    TripleIndex,
    Unsupported,
    parse_path,
)
from spacekg.shacl.literals import compare, lang_matches, lexically_valid
from spacekg.shacl.model import term_to_ox
from spacekg.shacl.sparql import all_shapes, check_supported, sibling_shapes
from spacekg.terms import Term

Raw = tuple[Any, Any, str, "PathExpr | None", Term, str]


def _cc(name: str) -> str:
    return f"{SH}{name}ConstraintComponent"


def _is_true(t: Term | None) -> bool:
    return t is not None and t.value == "true" and t.datatype == XSD + "boolean"


_FLAG_MAP = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


# --------------------------------------------------------------------------- the data


class Data:
    """The data graph as per-predicate indexes of pyoxigraph terms, built in one pass."""

    def __init__(self, triples: Iterable[tuple[Any, Any, Any]]) -> None:
        import pyoxigraph as ox

        self.ox = ox
        out: dict[Any, dict[Any, list[Any]]] = {}
        for s, p, o in triples:
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
        self._spo: dict[Any, list[tuple[Any, Any]]] | None = None
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
        if self._spo is None:
            spo: dict[Any, list[tuple[Any, Any]]] = {}
            for p, by_s in self.out.items():
                for subj, objs in by_s.items():
                    spo.setdefault(subj, []).extend((p, o) for o in objs)
            self._spo = spo
        return self._spo.get(s, [])

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


class _Engine:
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
        return _is_true(self.g.value(shape, SH + "deactivated"))

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
                bad.update(raw[0] for raw in self.eval_shape(shape, todo))
            finally:
                self.in_progress.discard(shape)
            checked.update(todo)
        return wanted & bad

    def eval_shape(self, shape: Term, foci: list[Any]) -> list[Raw]:
        """All results of validating each of ``foci`` (distinct) against ``shape``."""
        if self.is_deactivated(shape) or not foci:
            return []
        g, d = self.g, self.d
        path = self.path_of(shape)
        out: list[Raw] = []
        ox = d.ox
        memo: dict[str, Any] = {}

        def values_of() -> list[Any]:
            """vals[i]: the value nodes of foci[i] (None or empty when it has none)."""
            if "vals" not in memo:
                if path is None:
                    memo["vals"] = [[f] for f in foci]
                elif path[0] == "pred":
                    memo["vals"] = list(map(d.out_index(ox.NamedNode(path[1])).get, foci))
                else:
                    memo["vals"] = [d.values(f, path) for f in foci]
            return memo["vals"]

        def nonempty() -> list[tuple[Any, list[Any]]]:
            """(focus, values) for the foci with at least one value."""
            if "nonempty" not in memo:
                memo["nonempty"] = [(f, vs) for f, vs in zip(foci, values_of(), strict=True) if vs]
            return memo["nonempty"]

        def all_pairs() -> list[tuple[Any, Any]]:
            if "all" not in memo:
                memo["all"] = [(f, vs or ()) for f, vs in zip(foci, values_of(), strict=True)]
            return memo["all"]

        def distinct() -> set[Any]:
            """Every value node, once."""
            if "distinct" not in memo:
                memo["distinct"] = (
                    set(foci)
                    if path is None
                    else set(chain.from_iterable(filter(None, values_of())))
                )
            return memo["distinct"]

        def emit(component: str, bad_values: set[Any], detail: str) -> None:
            if not bad_values:
                return
            if path is None:  # the value node is the focus node itself
                out.extend((v, v, component, path, shape, detail) for v in bad_values)
                return
            isdisjoint = bad_values.isdisjoint
            out.extend(
                (f, v, component, path, shape, detail)
                for f, vs in nonempty()
                if not isdisjoint(vs)
                for v in vs
                if v in bad_values
            )

        def per_value(component: str, bad: Any, detail: str = "") -> None:
            # each distinct value is checked once; then the (rare) offending pairs are listed
            emit(component, {v for v in distinct() if bad(v)}, detail)

        for c in g.objects(shape, SH + "class"):
            inst = d.instances(self.ox_term(c, "sh:class"))
            emit(_cc("Class"), distinct().difference(inst), c.n3())
        for dt in g.objects(shape, SH + "datatype"):
            per_value(_cc("Datatype"), _datatype_check(ox, dt), dt.n3())
        for k in g.objects(shape, SH + "nodeKind"):
            per_value(_cc("NodeKind"), _nodekind_check(ox, k), k.n3())
        for name, op in (
            ("minInclusive", ">="),
            ("maxInclusive", "<="),
            ("minExclusive", ">"),
            ("maxExclusive", "<"),
        ):
            for lit in g.objects(shape, SH + name):
                bound = self.ox_term(lit, "sh:" + name)
                per_value(
                    _cc(name[0].upper() + name[1:]),
                    lambda v, b=bound, o=op: not compare(v, b, o),
                    f"{op} {lit.value}",
                )
        for n in g.objects(shape, SH + "minLength"):
            k = int(n.value)
            per_value(
                _cc("MinLength"),
                lambda v, k=k: isinstance(v, ox.BlankNode) or len(v.value) < k,
                n.value,
            )
        for n in g.objects(shape, SH + "maxLength"):
            k = int(n.value)
            per_value(
                _cc("MaxLength"),
                lambda v, k=k: isinstance(v, ox.BlankNode) or len(v.value) > k,
                n.value,
            )
        flags_t = g.value(shape, SH + "flags")
        for pat in g.objects(shape, SH + "pattern"):
            flags = 0
            for ch in flags_t.value if flags_t else "":
                flags |= _FLAG_MAP.get(ch, 0)
            try:
                rx = re.compile(pat.value, flags)
            except re.error as err:
                raise Unsupported(f"sh:pattern {pat.value!r} is not a Python regex: {err}") from err
            per_value(
                _cc("Pattern"),
                lambda v, rx=rx: isinstance(v, ox.BlankNode) or not rx.search(v.value),
                pat.value,
            )
        for lst in g.objects(shape, SH + "languageIn"):
            ranges = [t.value for t in g.items(lst)]
            per_value(
                _cc("LanguageIn"),
                lambda v, r=ranges: (
                    not (
                        isinstance(v, ox.Literal)
                        and v.language
                        and any(lang_matches(v.language, x) for x in r)
                    )
                ),
            )
        for lst in g.objects(shape, SH + "in"):
            allowed = {self.ox_term(m, "sh:in") for m in g.items(lst)}
            emit(_cc("In"), distinct().difference(allowed), "")

        if path is not None:
            for n in g.objects(shape, SH + "minCount"):
                k = int(n.value)
                if k <= 0:
                    continue
                out.extend(
                    (f, None, _cc("MinCount"), path, shape, n.value)
                    for f, vs in zip(foci, values_of(), strict=True)
                    if not vs or len(vs) < k
                )
            for n in g.objects(shape, SH + "maxCount"):
                k = int(n.value)
                out.extend(
                    (f, None, _cc("MaxCount"), path, shape, n.value)
                    for f, vs in nonempty()
                    if len(vs) > k
                )
            for u in g.objects(shape, SH + "uniqueLang"):
                if not _is_true(u):
                    continue
                for f, vs in nonempty():
                    if len(vs) < 2:
                        continue
                    langs = Counter(
                        v.language.lower() for v in vs if isinstance(v, ox.Literal) and v.language
                    )
                    out.extend(
                        (f, None, _cc("UniqueLang"), path, shape, lang)
                        for lang, c in sorted(langs.items())
                        if c > 1
                    )
        for x in g.objects(shape, SH + "hasValue"):
            xv = self.ox_term(x, "sh:hasValue")
            out.extend(
                (f, None, _cc("HasValue"), path, shape, x.value)
                for f, vs in all_pairs()
                if xv not in vs
            )
        for p in g.objects(shape, SH + "equals"):
            other = d.out_index(self.ox_term(p, ""))
            for f, vs in all_pairs():
                os_ = other.get(f, [])
                out.extend((f, v, _cc("Equals"), path, shape, p.value) for v in vs if v not in os_)
                out.extend((f, o, _cc("Equals"), path, shape, p.value) for o in os_ if o not in vs)
        for p in g.objects(shape, SH + "disjoint"):
            other = d.out_index(self.ox_term(p, ""))
            for f, vs in nonempty():
                os_ = other.get(f, [])
                if os_:
                    out.extend(
                        (f, v, _cc("Disjoint"), path, shape, p.value) for v in vs if v in os_
                    )
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for p in g.objects(shape, SH + name):
                other = d.out_index(self.ox_term(p, ""))
                comp = _cc(name[0].upper() + name[1:])
                for f, vs in nonempty():
                    for o in other.get(f, []):
                        out.extend(
                            (f, v, comp, path, shape, p.value) for v in vs if not compare(v, o, op)
                        )
        if _is_true(g.value(shape, SH + "closed")):
            allowed_p: set[Any] = set()
            for ps in g.objects(shape, SH + "property"):
                pn = g.value(ps, SH + "path")
                if pn is not None and pn.kind == "uri":
                    allowed_p.add(ox.NamedNode(pn.value))
            for lst in g.objects(shape, SH + "ignoredProperties"):
                allowed_p.update(ox.NamedNode(t.value) for t in g.items(lst) if t.kind == "uri")
            for f, vs in nonempty():
                for v in vs:
                    for p, o in d.spo(v):
                        if p not in allowed_p:
                            out.append((f, o, _cc("Closed"), ("pred", p.value), shape, p.value))

        # shape-based constraints
        node_shapes = g.objects(shape, SH + "node")
        not_shapes = g.objects(shape, SH + "not")
        and_lists = [g.items(x) for x in g.objects(shape, SH + "and")]
        or_lists = [g.items(x) for x in g.objects(shape, SH + "or")]
        xone_lists = [g.items(x) for x in g.objects(shape, SH + "xone")]
        qualified = g.objects(shape, SH + "qualifiedValueShape")
        if node_shapes or not_shapes or and_lists or or_lists or xone_lists or qualified:
            values = distinct()
            for s in node_shapes:
                bad = self.failing(s, values)
                out.extend(
                    (f, v, _cc("Node"), path, shape, "")
                    for f, vs in nonempty()
                    for v in vs
                    if v in bad
                )
            for s in not_shapes:
                bad = self.failing(s, values)
                out.extend(
                    (f, v, _cc("Not"), path, shape, "")
                    for f, vs in nonempty()
                    for v in vs
                    if v not in bad
                )
            for members in and_lists:
                bads = [self.failing(s, values) for s in members]
                out.extend(
                    (f, v, _cc("And"), path, shape, "")
                    for f, vs in nonempty()
                    for v in vs
                    if any(v in b for b in bads)
                )
            for members in or_lists:
                bads = [self.failing(s, values) for s in members]
                out.extend(
                    (f, v, _cc("Or"), path, shape, "")
                    for f, vs in nonempty()
                    for v in vs
                    if all(v in b for b in bads)
                )
            for members in xone_lists:
                bads = [self.failing(s, values) for s in members]
                out.extend(
                    (f, v, _cc("Xone"), path, shape, "")
                    for f, vs in nonempty()
                    for v in vs
                    if sum(v not in b for b in bads) != 1
                )
            if qualified:
                out.extend(self.qualified(shape, path, all_pairs(), values))

        # nested property shapes: focus nodes are this shape's value nodes, each reported once
        # per (focus, value) pair that reaches it
        props = g.objects(shape, SH + "property")
        if props:
            if path is None:
                for ps in props:
                    out.extend(self.eval_shape(ps, foci))
            else:
                mult = Counter(v for _f, vs in nonempty() for v in vs)
                values = list(mult)
                for ps in props:
                    for raw in self.eval_shape(ps, values):
                        out.extend([raw] * mult[raw[0]])
        return out

    def qualified(
        self,
        shape: Term,
        path: PathExpr | None,
        pairs: list[tuple[Any, list[Any]]],
        values: list[Any],
    ) -> list[Raw]:
        g = self.g
        out: list[Raw] = []
        qmin = g.value(shape, SH + "qualifiedMinCount")
        qmax = g.value(shape, SH + "qualifiedMaxCount")
        for s in g.objects(shape, SH + "qualifiedValueShape"):
            bad = self.failing(s, values)
            sibling_bads: list[set[Any]] = []
            if _is_true(g.value(shape, SH + "qualifiedValueShapesDisjoint")):
                sibling_bads = [self.failing(ss, values) for ss in sibling_shapes(g, shape, s)]
            good = set(values) - bad
            for sib in sibling_bads:
                good &= sib  # disjoint: a value conforming to a sibling shape does not count
            for f, vs in pairs:
                n = len(good.intersection(vs))
                if qmin is not None and n < int(qmin.value):
                    out.append((f, None, _cc("QualifiedMinCount"), path, shape, qmin.value))
                if qmax is not None and n > int(qmax.value):
                    out.append((f, None, _cc("QualifiedMaxCount"), path, shape, qmax.value))
        return out


def _datatype_check(ox: Any, dt: Term) -> Any:
    if dt.kind != "uri":
        raise Unsupported(f"sh:datatype {dt.n3()} is not an IRI")
    want = dt.value
    if want == RDF + "langString":
        return lambda v: not (isinstance(v, ox.Literal) and v.language)
    surrogate = SURROGATE_NS + want[len(XSD) :] if want.startswith(XSD) else None

    def bad(v: Any) -> bool:
        if not isinstance(v, ox.Literal) or v.language:
            return True
        got = v.datatype.value
        if got != want and got != surrogate:
            return True
        return not lexically_valid(want, v.value)

    return bad


def _nodekind_check(ox: Any, k: Term) -> Any:
    kinds = {
        SH + "IRI": (ox.NamedNode,),
        SH + "BlankNode": (ox.BlankNode,),
        SH + "Literal": (ox.Literal,),
        SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
        SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
        SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
    }
    ok = kinds.get(k.value)
    if ok is None:
        raise Unsupported(f"unknown sh:nodeKind {k.n3()}")
    return lambda v: not isinstance(v, ok)


def validate_data(data: Data, shapes: TripleIndex) -> list[ShaclResult]:
    """Validate ``data`` against ``shapes`` (raises :class:`Unsupported`)."""
    check_supported(shapes)
    eng = _Engine(data, shapes)
    raws: list[Raw] = []
    for shape in all_shapes(shapes):
        if eng.is_deactivated(shape):
            continue
        foci = eng.focus_nodes(shape)
        if foci:
            raws.extend(eng.eval_shape(shape, foci))
    from spacekg.shacl.sparql import _to_results

    return list(_to_results(shapes, raws))
