"""One checker per SHACL Core constraint component, registered by its ``sh:`` parameter.

A checker is called once for each value of its parameter on a shape, with a :class:`Focus`: the
shape, its focus nodes and (lazily) their value nodes. It appends :class:`Raw` results to
``focus.out``. :data:`COMPONENTS` lists the checkers in the order the engine runs them; the
specification of each is at https://www.w3.org/TR/shacl/#core-components.

The engine behind ``focus.engine`` (:class:`spacekg.shacl.fast.Validator`) gives the data
indexes (``focus.data``), term conversion and, for the shape-based components, which value nodes
fail another shape (``failing``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, NamedTuple, Protocol

from spacekg.shacl.literals import compare, lang_matches, lexically_valid
from spacekg.shacl.model import (
    RDF,
    SH,
    SURROGATE_NS,
    XSD,
    PathExpr,
    TripleIndex,
    Unsupported,
    sibling_shapes,
)
from spacekg.terms import Term


class Raw(NamedTuple):
    """One result before it is turned into a :class:`spacekg.shacl.model.ShaclResult`."""

    focus: Any
    value: Any
    component: str
    path: PathExpr | None
    shape: Term
    detail: str


class Evaluator(Protocol):
    """What a checker needs of the engine."""

    d: Any
    g: TripleIndex

    def ox_term(self, t: Term, what: str) -> Any: ...

    def failing(self, shape: Term, nodes: Iterable[Any]) -> set[Any]: ...

    def eval_shape(self, shape: Term, foci: list[Any]) -> list[Raw]: ...


def cc(name: str) -> str:
    """The IRI of the constraint component ``name`` (e.g. ``Class``)."""
    return f"{SH}{name}ConstraintComponent"


def is_true(t: Term | None) -> bool:
    """A boolean parameter is active only when it is exactly ``true`` (as the W3C suite needs)."""
    return t is not None and t.value == "true" and t.datatype == XSD + "boolean"


class Focus:
    """A shape with its focus nodes, their value nodes computed once, and the results so far."""

    def __init__(self, engine: Evaluator, shape: Term, foci: list[Any], path: PathExpr | None):
        self.engine = engine
        self.data = engine.d
        self.g = engine.g
        self.ox = engine.d.ox
        self.shape = shape
        self.foci = foci
        self.path = path
        self.out: list[Raw] = []
        self._vals: list[Any] | None = None
        self._nonempty: list[tuple[Any, list[Any]]] | None = None
        self._distinct: set[Any] | None = None

    def values_of(self) -> list[Any]:
        """``values_of()[i]``: the value nodes of ``foci[i]`` (None or empty when it has none)."""
        if self._vals is None:
            path, d, foci = self.path, self.data, self.foci
            if path is None:
                self._vals = [[f] for f in foci]
            elif path[0] == "pred":
                self._vals = list(map(d.out_index(self.ox.NamedNode(path[1])).get, foci))
            else:
                self._vals = [d.values(f, path) for f in foci]
        return self._vals

    def nonempty(self) -> list[tuple[Any, list[Any]]]:
        """(focus, values) for the foci with at least one value."""
        if self._nonempty is None:
            pairs = zip(self.foci, self.values_of(), strict=True)
            self._nonempty = [(f, vs) for f, vs in pairs if vs]
        return self._nonempty

    def all_pairs(self) -> list[tuple[Any, Any]]:
        """(focus, values) for every focus, values possibly empty."""
        return [(f, vs or ()) for f, vs in zip(self.foci, self.values_of(), strict=True)]

    def distinct(self) -> set[Any]:
        """Every value node, once."""
        if self._distinct is None:
            self._distinct = (
                set(self.foci)
                if self.path is None
                else set(chain.from_iterable(filter(None, self.values_of())))
            )
        return self._distinct

    def result(self, focus: Any, value: Any, component: str, detail: str = "") -> Raw:
        return Raw(focus, value, component, self.path, self.shape, detail)

    def emit(self, component: str, bad_values: set[Any], detail: str) -> None:
        """One result per (focus, value) pair whose value is in ``bad_values``."""
        if not bad_values:
            return
        if self.path is None:  # the value node is the focus node itself
            self.out.extend(self.result(v, v, component, detail) for v in bad_values)
            return
        isdisjoint = bad_values.isdisjoint
        self.out.extend(
            self.result(f, v, component, detail)
            for f, vs in self.nonempty()
            if not isdisjoint(vs)
            for v in vs
            if v in bad_values
        )

    def per_value(self, component: str, bad: Callable[[Any], bool], detail: str = "") -> None:
        """Check each distinct value once, then list the (rare) offending pairs."""
        self.emit(component, {v for v in self.distinct() if bad(v)}, detail)

    def per_pair(self, component: str, bad: set[Any], *, inside: bool) -> None:
        """Results for the pairs whose value is (``inside``) or is not in ``bad``."""
        self.out.extend(
            self.result(f, v, component)
            for f, vs in self.nonempty()
            for v in vs
            if (v in bad) is inside
        )


Checker = Callable[[Focus, Term], None]
COMPONENTS: dict[str, Checker] = {}


def component(*parameters: str) -> Callable[[Checker], Checker]:
    """Register a checker for the ``sh:`` parameters given (each called per parameter value)."""

    def register(fn: Checker) -> Checker:
        for p in parameters:
            COMPONENTS[p] = fn
        return fn

    return register


# --------------------------------------------------------------------------- value type


@component("class")
def class_(fc: Focus, c: Term) -> None:
    """sh:class: each value node is a SHACL instance of the class (rdf:type/rdfs:subClassOf*)."""
    inst = fc.data.instances(fc.engine.ox_term(c, "sh:class"))
    fc.emit(cc("Class"), fc.distinct().difference(inst), c.n3())


@component("datatype")
def datatype(fc: Focus, dt: Term) -> None:
    """sh:datatype: each value node is a literal of the datatype, lexically valid for it."""
    fc.per_value(cc("Datatype"), _datatype_check(fc.ox, dt), dt.n3())


def _datatype_check(ox: Any, dt: Term) -> Callable[[Any], bool]:
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


@component("nodeKind")
def node_kind(fc: Focus, k: Term) -> None:
    """sh:nodeKind: each value node is of the node kind (IRI, blank node, literal, or a pair)."""
    ox = fc.ox
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
    fc.per_value(cc("NodeKind"), lambda v: not isinstance(v, ok), k.n3())


# --------------------------------------------------------------------------- value range


def _range(name: str, op: str) -> Checker:
    def check(fc: Focus, lit: Term) -> None:
        bound = fc.engine.ox_term(lit, "sh:" + name)
        fc.per_value(
            cc(name[0].upper() + name[1:]), lambda v: not compare(v, bound, op), f"{op} {lit.value}"
        )

    check.__doc__ = f"sh:{name}: each value node compares {op} the bound (XSD value order)."
    return check


for _name, _op in (
    ("minInclusive", ">="),
    ("maxInclusive", "<="),
    ("minExclusive", ">"),
    ("maxExclusive", "<"),
):
    component(_name)(_range(_name, _op))


# --------------------------------------------------------------------------- string based


@component("minLength")
def min_length(fc: Focus, n: Term) -> None:
    """sh:minLength: the string of each value node has at least n characters (no blank nodes)."""
    k = int(n.value)
    fc.per_value(
        cc("MinLength"), lambda v: isinstance(v, fc.ox.BlankNode) or len(v.value) < k, n.value
    )


@component("maxLength")
def max_length(fc: Focus, n: Term) -> None:
    """sh:maxLength: the string of each value node has at most n characters (no blank nodes)."""
    k = int(n.value)
    fc.per_value(
        cc("MaxLength"), lambda v: isinstance(v, fc.ox.BlankNode) or len(v.value) > k, n.value
    )


_FLAG_MAP = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


@component("pattern")
def pattern(fc: Focus, pat: Term) -> None:
    """sh:pattern (+ sh:flags): the string of each value node matches the regular expression."""
    flags_t = fc.g.value(fc.shape, SH + "flags")
    flags = 0
    for ch in flags_t.value if flags_t else "":
        flags |= _FLAG_MAP.get(ch, 0)
    try:
        rx = re.compile(pat.value, flags)
    except re.error as err:
        raise Unsupported(f"sh:pattern {pat.value!r} is not a Python regex: {err}") from err
    fc.per_value(
        cc("Pattern"), lambda v: isinstance(v, fc.ox.BlankNode) or not rx.search(v.value), pat.value
    )


@component("languageIn")
def language_in(fc: Focus, lst: Term) -> None:
    """sh:languageIn: each value node is a literal whose language tag matches a listed range."""
    ranges = [t.value for t in fc.g.items(lst)]
    lit = fc.ox.Literal

    def bad(v: Any) -> bool:
        return not (
            isinstance(v, lit) and v.language and any(lang_matches(v.language, r) for r in ranges)
        )

    fc.per_value(cc("LanguageIn"), bad)


@component("in")
def in_(fc: Focus, lst: Term) -> None:
    """sh:in: each value node is a member of the list."""
    allowed = {fc.engine.ox_term(m, "sh:in") for m in fc.g.items(lst)}
    fc.emit(cc("In"), fc.distinct().difference(allowed), "")


# --------------------------------------------------------------------------- cardinality


@component("minCount")
def min_count(fc: Focus, n: Term) -> None:
    """sh:minCount (property shapes): each focus node has at least n value nodes."""
    k = int(n.value)
    if fc.path is None or k <= 0:
        return
    fc.out.extend(
        fc.result(f, None, cc("MinCount"), n.value)
        for f, vs in zip(fc.foci, fc.values_of(), strict=True)
        if not vs or len(vs) < k
    )


@component("maxCount")
def max_count(fc: Focus, n: Term) -> None:
    """sh:maxCount (property shapes): each focus node has at most n value nodes."""
    if fc.path is None:
        return
    k = int(n.value)
    fc.out.extend(
        fc.result(f, None, cc("MaxCount"), n.value) for f, vs in fc.nonempty() if len(vs) > k
    )


@component("uniqueLang")
def unique_lang(fc: Focus, u: Term) -> None:
    """sh:uniqueLang (property shapes): no two value nodes of a focus share a language tag."""
    if fc.path is None or not is_true(u):
        return
    lit = fc.ox.Literal
    for f, vs in fc.nonempty():
        if len(vs) < 2:
            continue
        langs = Counter(v.language.lower() for v in vs if isinstance(v, lit) and v.language)
        fc.out.extend(
            fc.result(f, None, cc("UniqueLang"), lang) for lang, c in sorted(langs.items()) if c > 1
        )


# --------------------------------------------------------------------------- other values


@component("hasValue")
def has_value(fc: Focus, x: Term) -> None:
    """sh:hasValue: the value nodes of each focus include the given term."""
    xv = fc.engine.ox_term(x, "sh:hasValue")
    fc.out.extend(
        fc.result(f, None, cc("HasValue"), x.value) for f, vs in fc.all_pairs() if xv not in vs
    )


# --------------------------------------------------------------------------- property pairs


@component("equals")
def equals(fc: Focus, p: Term) -> None:
    """sh:equals: the value nodes of each focus are exactly its values of the property."""
    other = fc.data.out_index(fc.engine.ox_term(p, ""))
    for f, vs in fc.all_pairs():
        os_ = other.get(f, [])
        fc.out.extend(fc.result(f, v, cc("Equals"), p.value) for v in vs if v not in os_)
        fc.out.extend(fc.result(f, o, cc("Equals"), p.value) for o in os_ if o not in vs)


@component("disjoint")
def disjoint(fc: Focus, p: Term) -> None:
    """sh:disjoint: no value node of a focus is also its value of the property."""
    other = fc.data.out_index(fc.engine.ox_term(p, ""))
    for f, vs in fc.nonempty():
        os_ = other.get(f, [])
        if os_:
            fc.out.extend(fc.result(f, v, cc("Disjoint"), p.value) for v in vs if v in os_)


def _order(name: str, op: str) -> Checker:
    def check(fc: Focus, p: Term) -> None:
        other = fc.data.out_index(fc.engine.ox_term(p, ""))
        comp = cc(name[0].upper() + name[1:])
        for f, vs in fc.nonempty():
            for o in other.get(f, []):
                fc.out.extend(fc.result(f, v, comp, p.value) for v in vs if not compare(v, o, op))

    check.__doc__ = f"sh:{name}: each value node is {op} every value of the property."
    return check


component("lessThan")(_order("lessThan", "<"))
component("lessThanOrEquals")(_order("lessThanOrEquals", "<="))


@component("closed")
def closed(fc: Focus, flag: Term) -> None:
    """sh:closed (+ sh:ignoredProperties): value nodes use only the shape's property paths."""
    if not is_true(flag):
        return
    g, ox = fc.g, fc.ox
    allowed: set[Any] = set()
    for ps in g.objects(fc.shape, SH + "property"):
        pn = g.value(ps, SH + "path")
        if pn is not None and pn.kind == "uri":
            allowed.add(ox.NamedNode(pn.value))
    for lst in g.objects(fc.shape, SH + "ignoredProperties"):
        allowed.update(ox.NamedNode(t.value) for t in g.items(lst) if t.kind == "uri")
    for f, vs in fc.nonempty():
        for v in vs:
            for p, o in fc.data.spo(v):
                if p not in allowed:
                    fc.out.append(Raw(f, o, cc("Closed"), ("pred", p.value), fc.shape, p.value))


# --------------------------------------------------------------------------- shape based


@component("node")
def node(fc: Focus, s: Term) -> None:
    """sh:node: each value node conforms to the shape."""
    fc.per_pair(cc("Node"), fc.engine.failing(s, fc.distinct()), inside=True)


@component("not")
def not_(fc: Focus, s: Term) -> None:
    """sh:not: no value node conforms to the shape."""
    fc.per_pair(cc("Not"), fc.engine.failing(s, fc.distinct()), inside=False)


def _logical(name: str, bad: Callable[[Any, list[set[Any]]], bool]) -> Checker:
    def check(fc: Focus, lst: Term) -> None:
        values = fc.distinct()
        bads = [fc.engine.failing(s, values) for s in fc.g.items(lst)]
        fc.out.extend(
            fc.result(f, v, cc(name)) for f, vs in fc.nonempty() for v in vs if bad(v, bads)
        )

    return check


component("and")(_logical("And", lambda v, bads: any(v in b for b in bads)))
component("or")(_logical("Or", lambda v, bads: all(v in b for b in bads)))
component("xone")(_logical("Xone", lambda v, bads: sum(v not in b for b in bads) != 1))
for _fn, _doc in (
    (COMPONENTS["and"], "sh:and: each value node conforms to every listed shape."),
    (COMPONENTS["or"], "sh:or: each value node conforms to at least one listed shape."),
    (COMPONENTS["xone"], "sh:xone: each value node conforms to exactly one listed shape."),
):
    _fn.__doc__ = _doc


@component("qualifiedValueShape")
def qualified(fc: Focus, s: Term) -> None:
    """sh:qualifiedValueShape (+ sh:qualifiedMinCount, sh:qualifiedMaxCount,
    sh:qualifiedValueShapesDisjoint): how many value nodes of each focus conform to the shape."""
    g, shape = fc.g, fc.shape
    qmin = g.value(shape, SH + "qualifiedMinCount")
    qmax = g.value(shape, SH + "qualifiedMaxCount")
    values = fc.distinct()
    good = set(values) - fc.engine.failing(s, values)
    if is_true(g.value(shape, SH + "qualifiedValueShapesDisjoint")):
        for sib in sibling_shapes(g, shape, s):
            good &= fc.engine.failing(sib, values)  # a value conforming to a sibling is not counted
    for f, vs in fc.all_pairs():
        n = len(good.intersection(vs))
        if qmin is not None and n < int(qmin.value):
            fc.out.append(fc.result(f, None, cc("QualifiedMinCount"), qmin.value))
        if qmax is not None and n > int(qmax.value):
            fc.out.append(fc.result(f, None, cc("QualifiedMaxCount"), qmax.value))


@component("property")
def property_(fc: Focus, ps: Term) -> None:
    """sh:property: each value node conforms to the property shape; its results are reported
    once per (focus, value) pair that reaches it."""
    if fc.path is None:
        fc.out.extend(fc.engine.eval_shape(ps, fc.foci))
        return
    mult = Counter(v for _f, vs in fc.nonempty() for v in vs)
    for raw in fc.engine.eval_shape(ps, list(mult)):
        fc.out.extend([raw] * mult[raw.focus])
