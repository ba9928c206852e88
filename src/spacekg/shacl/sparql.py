"""The store-based SHACL Core engine: shapes compiled to SPARQL over an in-memory pyoxigraph store.

Engine "sparql" of :func:`spacekg.shacl.api.validate_graph` (:mod:`spacekg.shacl.fast` is faster);
kept as a second, independent implementation that the tests check against pySHACL too.

Each target is materialised once into a scratch named graph (``urn:spacekg:shacl:…``) and every
constraint becomes one SPARQL query over the store's default graph that returns only the
offending (focus node, value) rows; oxigraph evaluates them in Rust. Shape-based constraints
(``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``, ``sh:qualifiedValueShape``) evaluate
the nested shape on the materialised value nodes and combine the sets in Python.

Supported (SHACL Core, https://www.w3.org/TR/shacl/):
  targets      sh:targetClass (with rdfs:subClassOf*), implicit class targets (a shape that is
               an rdfs:Class), sh:targetNode (IRIs and literals), sh:targetSubjectsOf,
               sh:targetObjectsOf;
  paths        predicate, sh:inversePath, sequence, sh:alternativePath, sh:zeroOrMorePath,
               sh:oneOrMorePath, sh:zeroOrOnePath, nested in any combination;
  constraints  sh:class, sh:datatype (with lexical validity for the XSD types oxigraph can cast
               and the derived integer types), sh:nodeKind, sh:minCount, sh:maxCount,
               sh:minInclusive, sh:maxInclusive, sh:minExclusive, sh:maxExclusive, sh:minLength,
               sh:maxLength, sh:pattern (+ sh:flags), sh:languageIn, sh:uniqueLang, sh:in,
               sh:hasValue, sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals, sh:node,
               sh:property (nested), sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape
               (+ sh:qualifiedMinCount, sh:qualifiedMaxCount, sh:qualifiedValueShapesDisjoint),
               sh:closed (+ sh:ignoredProperties);
  other        sh:deactivated, sh:severity, sh:message.
Not supported, so engine "auto" falls back to pySHACL for the whole shapes graph: SHACL-SPARQL
(sh:sparql, sh:SPARQLConstraint, custom sh:ConstraintComponent), SHACL Advanced Features
(sh:target, sh:rule, sh:condition, functions), SHACL-JS, a blank node as the value of
sh:targetNode / sh:hasValue / sh:in, recursive shapes, and a sh:pattern that the Rust regex
dialect rejects (look-around, back-references).

Known differences from pySHACL, inherent to oxigraph's storage: oxigraph stores valid numeric,
boolean and date literals in canonical form ("01"^^xsd:integer becomes "1"), so sh:pattern,
sh:minLength and sh:maxLength on such literals see the canonical lexical form.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from typing import Any

from spacekg.shacl.api import (
    RDF,
    RDFS,
    SEVERITIES,
    SH,
    SURROGATE_NS,
    WRAPPED_TYPES,
    XSD,
    PathExpr,
    ShaclResult,
    TripleIndex,
    Unsupported,
    parse_path,
    path_to_sparql,
    shape_key,
    term_from_ox,
)
from spacekg.shacl.literals import INT_RANGES
from spacekg.terms import Term

SCRATCH = "urn:spacekg:shacl:"
F = f"<{SCRATCH}f>"
RDF_TYPE = f"<{RDF}type>"
SUBCLASS = f"<{RDFS}subClassOf>"

# predicates that make a shapes graph need SHACL-SPARQL, SHACL-AF or SHACL-JS
_UNSUPPORTED_PREDICATES = tuple(
    SH + p
    for p in (
        "sparql",
        "target",
        "rule",
        "condition",
        "select",
        "ask",
        "jsFunctionName",
        "jsLibrary",
        "validator",
        "nodeValidator",
        "propertyValidator",
        "parameter",
        "expression",
        "values",
        "this",
        "filterShape",
        "intersection",
        "union",
        "entailment",
    )
)
_UNSUPPORTED_TYPES = {
    SH + t
    for t in (
        "ConstraintComponent",
        "SPARQLConstraint",
        "SPARQLTarget",
        "SPARQLTargetType",
        "JSConstraint",
        "SPARQLRule",
        "TripleRule",
        "SPARQLFunction",
    )
}

_CASTABLE = {
    XSD + t
    for t in (
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "date",
        "dateTime",
        "time",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
        "gYear",
        "gYearMonth",
        "gMonth",
        "gMonthDay",
        "gDay",
    )
}

_NODE_KINDS = {
    SH + "IRI": "!isIRI(?v)",
    SH + "BlankNode": "!isBlank(?v)",
    SH + "Literal": "!isLiteral(?v)",
    SH + "BlankNodeOrIRI": "isLiteral(?v)",
    SH + "BlankNodeOrLiteral": "isIRI(?v)",
    SH + "IRIOrLiteral": "isBlank(?v)",
}
_RANGES = {
    "minInclusive": ">=",
    "maxInclusive": "<=",
    "minExclusive": ">",
    "maxExclusive": "<",
}

Raw = tuple[
    Any, Any, str, "PathExpr | None", Term, str
]  # focus, value, component, path, shape, detail


def _cc(name: str) -> str:
    return f"{SH}{name}ConstraintComponent"


def _nullable(p: PathExpr) -> bool:
    kind = p[0]
    if kind in ("zeroOrMore", "zeroOrOne"):
        return True
    if kind == "pred":
        return False
    if kind in ("inv", "oneOrMore"):
        return _nullable(p[1])
    if kind == "seq":
        return all(_nullable(m) for m in p[1])
    return any(_nullable(m) for m in p[1])  # alt


def _n3(t: Term, what: str) -> str:
    """A constant as stored (wrapped datatypes under their surrogate IRI)."""
    if t.kind == "bnode":
        raise Unsupported(f"a blank node as the value of {what}")
    if t.kind == "literal" and t.datatype and t.datatype.startswith(XSD):
        local = t.datatype[len(XSD) :]
        if local in WRAPPED_TYPES:
            return f"{_str_lit(t.value)}^^<{SURROGATE_NS}{local}>"
    return t.n3()


def _cmp_const(t: Term, what: str) -> str:
    """A constant for a comparison: wrapped datatypes cast to xsd:integer / xsd:dateTime."""
    if t.kind == "literal" and t.datatype and t.datatype.startswith(XSD):
        local = t.datatype[len(XSD) :]
        if local in WRAPPED_TYPES:
            cast = "dateTime" if local == "dateTimeStamp" else "integer"
            return f"<{XSD}{cast}>({_str_lit(t.value)})"
    return _n3(t, what)


def _val(var: str) -> str:
    """``var`` for comparisons: a wrapped literal cast back to its primitive type."""
    return (
        f'IF(STRSTARTS(STR(DATATYPE({var})), "{SURROGATE_NS}"), '
        f"IF(DATATYPE({var}) = <{SURROGATE_NS}dateTimeStamp>, <{XSD}dateTime>(STR({var})), "
        f"<{XSD}integer>(STR({var}))), {var})"
    )


def _is_true(t: Term | None) -> bool:
    """SHACL boolean parameters: only true activates them ("1" does not)."""
    return t is not None and t.value == "true" and t.datatype == XSD + "boolean"


def _str_lit(s: str) -> str:
    return Term("literal", s).n3()


class _Engine:
    def __init__(self, store: Any, shapes: TripleIndex) -> None:
        self.store = store
        self.g = shapes
        self.counter = itertools.count()
        self.graphs: list[str] = []
        self.fail_cache: dict[tuple[Term, str], set[Any]] = {}
        self.in_progress: set[tuple[Term, str]] = set()
        self.value_graph_cache: dict[tuple[Any, str], str] = {}
        self.focus_cache: dict[str, list[Any]] = {}
        self.pairs_cache: dict[tuple[Any, str], list[tuple[Any, Any]]] = {}

    # ----------------------------------------------------------------- store helpers

    def query(self, q: str) -> list[Any]:
        try:
            return list(self.store.query(q))
        except (SyntaxError, ValueError, OSError) as err:  # e.g. a regex Rust cannot compile
            raise Unsupported(f"a query the store rejected: {str(err).splitlines()[0]}") from err

    def new_graph(self, where: str) -> str:
        g = f"{SCRATCH}g{next(self.counter)}"
        self.graphs.append(g)
        try:
            self.store.update(
                f"INSERT {{ GRAPH <{g}> {{ {F} {F} ?this }} }} "
                f"WHERE {{ SELECT DISTINCT ?this WHERE {{ {where} }} }}"
            )
        except (SyntaxError, ValueError, OSError) as err:
            raise Unsupported(f"a target the store rejected: {err}") from err
        return g

    def cleanup(self) -> None:
        for g in self.graphs:
            self.store.update(f"DROP SILENT GRAPH <{g}>")

    def focus_nodes(self, g: str) -> list[Any]:
        if g not in self.focus_cache:
            rows = self.query(f"SELECT ?this WHERE {{ GRAPH <{g}> {{ {F} {F} ?this }} }}")
            self.focus_cache[g] = [r[0] for r in rows]
        return self.focus_cache[g]

    # ----------------------------------------------------------------- shapes

    def is_deactivated(self, shape: Term) -> bool:
        return _is_true(self.g.value(shape, SH + "deactivated"))

    def target_pattern(self, shape: Term) -> str | None:
        parts: list[str] = []
        classes = list(self.g.objects(shape, SH + "targetClass"))
        types = {t.value for t in self.g.objects(shape, RDF + "type")}
        if RDFS + "Class" in types and types & {SH + "NodeShape", SH + "PropertyShape"}:
            classes.append(shape)
        for c in classes:
            c3 = _n3(c, "sh:targetClass")
            parts.append(f"{{ ?this {RDF_TYPE} {c3} }}")
            parts.append(f"{{ ?this {RDF_TYPE} ?t_ . ?t_ {SUBCLASS}+ {c3} }}")
        nodes = self.g.objects(shape, SH + "targetNode")
        if nodes:
            parts.append(
                "{ VALUES ?this { " + " ".join(_n3(n, "sh:targetNode") for n in nodes) + " } }"
            )
        for p in self.g.objects(shape, SH + "targetSubjectsOf"):
            parts.append(f"{{ ?this {_n3(p, 'sh:targetSubjectsOf')} ?o_ }}")
        for p in self.g.objects(shape, SH + "targetObjectsOf"):
            parts.append(f"{{ ?s_ {_n3(p, 'sh:targetObjectsOf')} ?this }}")
        if not parts:
            return None
        return " UNION ".join(parts)

    def path_of(self, shape: Term) -> PathExpr | None:
        node = self.g.value(shape, SH + "path")
        return None if node is None else parse_path(self.g, node)

    @staticmethod
    def value_pattern(g: str, path: PathExpr | None, this: str = "?this", v: str = "?v") -> str:
        focus = f"GRAPH <{g}> {{ {F} {F} {this} }}"
        if path is None:
            return f"{focus} BIND({this} AS {v})"
        step = f"{focus} {this} {path_to_sparql(path)} {v} ."
        if _nullable(path):
            return f"{{ {step} }} UNION {{ {focus} BIND({this} AS {v}) }}"
        return step

    def value_pairs(self, g: str, path: PathExpr | None) -> list[tuple[Any, Any]]:
        key = (path, g)
        if key not in self.pairs_cache:
            rows = self.query(f"SELECT DISTINCT ?this ?v WHERE {{ {self.value_pattern(g, path)} }}")
            self.pairs_cache[key] = [(r[0], r[1]) for r in rows]
        return self.pairs_cache[key]

    def value_graph(self, g: str, path: PathExpr | None) -> str:
        if path is None:
            return g
        key = (path, g)
        if key not in self.value_graph_cache:
            vp = self.value_pattern(g, path, this="?x_", v="?this")
            self.value_graph_cache[key] = self.new_graph(vp)
        return self.value_graph_cache[key]

    def failing(self, shape: Term, g: str) -> set[Any]:
        """The focus nodes in ``g`` that do not conform to ``shape``."""
        key = (shape, g)
        if key in self.fail_cache:
            return self.fail_cache[key]
        if key in self.in_progress:
            raise Unsupported("recursive shapes")
        self.in_progress.add(key)
        try:
            failed = {raw[0] for raw in self.eval_shape(shape, g)}
        finally:
            self.in_progress.discard(key)
        self.fail_cache[key] = failed
        return failed

    # ----------------------------------------------------------------- evaluation

    def eval_shape(self, shape: Term, g: str) -> list[Raw]:
        if self.is_deactivated(shape):
            return []
        if not self.focus_nodes(g):
            return []
        path = self.path_of(shape)
        vp = self.value_pattern(g, path)
        out: list[Raw] = []

        def rows(q: str) -> list[Any]:
            return self.query(q)

        def value_check(component: str, cond: str, detail: str = "") -> None:
            for r in rows(f"SELECT DISTINCT ?this ?v WHERE {{ {{ {vp} }} FILTER({cond}) }}"):
                out.append((r[0], r[1], component, path, shape, detail))

        gv = self.g
        for c in gv.objects(shape, SH + "class"):
            cond = f"NOT EXISTS {{ ?v {RDF_TYPE}/{SUBCLASS}* {_n3(c, 'sh:class')} }}"
            value_check(_cc("Class"), cond, c.n3())
        for d in gv.objects(shape, SH + "datatype"):
            value_check(_cc("Datatype"), _datatype_violation(d), d.n3())
        for k in gv.objects(shape, SH + "nodeKind"):
            if k.value not in _NODE_KINDS:
                raise Unsupported(f"unknown sh:nodeKind {k.n3()}")
            value_check(_cc("NodeKind"), _NODE_KINDS[k.value], k.n3())
        for name, op in _RANGES.items():
            for lit in gv.objects(shape, SH + name):
                cond = f"!COALESCE({_val('?v')} {op} {_cmp_const(lit, 'sh:' + name)}, false)"
                value_check(_cc(name[0].upper() + name[1:]), cond, f"{op} {lit.value}")
        for n in gv.objects(shape, SH + "minLength"):
            cond = f"COALESCE(isBlank(?v) || STRLEN(STR(?v)) < {int(n.value)}, true)"
            value_check(_cc("MinLength"), cond, n.value)
        for n in gv.objects(shape, SH + "maxLength"):
            cond = f"COALESCE(isBlank(?v) || STRLEN(STR(?v)) > {int(n.value)}, true)"
            value_check(_cc("MaxLength"), cond, n.value)
        flags = gv.value(shape, SH + "flags")
        for pat in gv.objects(shape, SH + "pattern"):
            args = _str_lit(pat.value) + (f", {_str_lit(flags.value)}" if flags else "")
            cond = f"COALESCE(isBlank(?v) || !REGEX(STR(?v), {args}), true)"
            value_check(_cc("Pattern"), cond, pat.value)
        for lst in gv.objects(shape, SH + "languageIn"):
            tags = gv.items(lst)
            ors = " || ".join(f"langMatches(lang(?v), {_str_lit(t.value)})" for t in tags)
            value_check(_cc("LanguageIn"), f"!COALESCE({ors or 'false'}, false)")
        for lst in gv.objects(shape, SH + "in"):
            members = gv.items(lst)
            ors = " || ".join(f"sameTerm(?v, {_n3(m, 'sh:in')})" for m in members)
            value_check(_cc("In"), f"!({ors or 'false'})")

        # counts
        for n in gv.objects(shape, SH + "minCount"):
            if path is None:
                continue
            q = (
                f"SELECT ?this WHERE {{ {{ GRAPH <{g}> {{ {F} {F} ?this }} }} UNION {{ {vp} }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(n.value)})"
            )
            out.extend((r[0], None, _cc("MinCount"), path, shape, n.value) for r in rows(q))
        for n in gv.objects(shape, SH + "maxCount"):
            if path is None:
                continue
            q = (
                f"SELECT ?this WHERE {{ {vp} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(n.value)})"
            )
            out.extend((r[0], None, _cc("MaxCount"), path, shape, n.value) for r in rows(q))
        for u in gv.objects(shape, SH + "uniqueLang"):
            if not _is_true(u) or path is None:
                continue
            q = (
                f"SELECT ?this ?l WHERE {{ {{ {vp} }} FILTER(isLiteral(?v) && lang(?v) != '') "
                f"BIND(LCASE(lang(?v)) AS ?l) }} GROUP BY ?this ?l HAVING (COUNT(DISTINCT ?v) > 1)"
            )
            out.extend((r[0], None, _cc("UniqueLang"), path, shape, r[1].value) for r in rows(q))
        for x in gv.objects(shape, SH + "hasValue"):
            x3 = _n3(x, "sh:hasValue")
            have = {
                r[0]
                for r in rows(f"SELECT DISTINCT ?this WHERE {{ {vp} FILTER(sameTerm(?v, {x3})) }}")
            }
            out.extend(
                (f, None, _cc("HasValue"), path, shape, x.value)
                for f in self.focus_nodes(g)
                if f not in have
            )

        # property pairs
        for p in gv.objects(shape, SH + "equals"):
            p3 = _n3(p, "sh:equals")
            mine = set(self.value_pairs(g, path))
            other = {
                (r[0], r[1])
                for r in rows(
                    f"SELECT ?this ?v WHERE {{ GRAPH <{g}> {{ {F} {F} ?this }} ?this {p3} ?v }}"
                )
            }
            for f, v in sorted(mine ^ other, key=lambda fv: (str(fv[0]), str(fv[1]))):
                out.append((f, v, _cc("Equals"), path, shape, p.value))
        for p in gv.objects(shape, SH + "disjoint"):
            p3 = _n3(p, "sh:disjoint")
            q = f"SELECT DISTINCT ?this ?v WHERE {{ {{ {vp} }} ?this {p3} ?v }}"
            out.extend((r[0], r[1], _cc("Disjoint"), path, shape, p.value) for r in rows(q))
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for p in gv.objects(shape, SH + name):
                p3 = _n3(p, "sh:" + name)
                q = (
                    f"SELECT DISTINCT ?this ?v ?o WHERE {{ {{ {vp} }} ?this {p3} ?o "
                    f"FILTER(!COALESCE({_val('?v')} {op} {_val('?o')}, false)) }}"
                )
                comp = _cc(name[0].upper() + name[1:])
                out.extend((r[0], r[1], comp, path, shape, p.value) for r in rows(q))

        # closed
        closed = gv.value(shape, SH + "closed")
        if _is_true(closed):
            allowed: set[str] = set()
            for ps in gv.objects(shape, SH + "property"):
                pn = gv.value(ps, SH + "path")
                if pn is not None and pn.kind == "uri":
                    allowed.add(pn.value)
            for lst in gv.objects(shape, SH + "ignoredProperties"):
                allowed.update(t.value for t in gv.items(lst) if t.kind == "uri")
            notin = ", ".join(f"<{a}>" for a in sorted(allowed))
            filt = f"FILTER(?p NOT IN ({notin}))" if allowed else ""
            q = f"SELECT DISTINCT ?this ?p ?o WHERE {{ {{ {vp} }} ?v ?p ?o {filt} }}"
            for r in rows(q):
                out.append((r[0], r[2], _cc("Closed"), ("pred", r[1].value), shape, r[1].value))

        # shape-based constraints
        shape_params = [
            (SH + "node", False),
            (SH + "not", False),
            (SH + "and", True),
            (SH + "or", True),
            (SH + "xone", True),
        ]
        if any(gv.objects(shape, pp) for pp, _ in shape_params) or gv.objects(
            shape, SH + "qualifiedValueShape"
        ):
            vg = self.value_graph(g, path)
            pairs = self.value_pairs(g, path)
            for s in gv.objects(shape, SH + "node"):
                bad = self.failing(s, vg)
                out.extend((f, v, _cc("Node"), path, shape, "") for f, v in pairs if v in bad)
            for s in gv.objects(shape, SH + "not"):
                bad = self.failing(s, vg)
                out.extend((f, v, _cc("Not"), path, shape, "") for f, v in pairs if v not in bad)
            for lst in gv.objects(shape, SH + "and"):
                bads = [self.failing(s, vg) for s in gv.items(lst)]
                out.extend(
                    (f, v, _cc("And"), path, shape, "")
                    for f, v in pairs
                    if any(v in b for b in bads)
                )
            for lst in gv.objects(shape, SH + "or"):
                bads = [self.failing(s, vg) for s in gv.items(lst)]
                out.extend(
                    (f, v, _cc("Or"), path, shape, "")
                    for f, v in pairs
                    if all(v in b for b in bads)
                )
            for lst in gv.objects(shape, SH + "xone"):
                bads = [self.failing(s, vg) for s in gv.items(lst)]
                out.extend(
                    (f, v, _cc("Xone"), path, shape, "")
                    for f, v in pairs
                    if sum(v not in b for b in bads) != 1
                )
            out.extend(self.qualified(shape, g, path, vg, pairs))

        # nested property shapes: their focus nodes are this shape's value nodes, each reported
        # once per (focus, value) pair that reaches it
        props = gv.objects(shape, SH + "property")
        if props:
            vg = self.value_graph(g, path)
            mult: Counter[Any] | None = None
            if path is not None:
                mult = Counter(v for _f, v in self.value_pairs(g, path))
            for ps in props:
                for raw in self.eval_shape(ps, vg):
                    out.extend([raw] * (mult[raw[0]] if mult is not None else 1))
        return out

    def qualified(
        self, shape: Term, g: str, path: PathExpr | None, vg: str, pairs: list[tuple[Any, Any]]
    ) -> list[Raw]:
        gv = self.g
        out: list[Raw] = []
        qmin = gv.value(shape, SH + "qualifiedMinCount")
        qmax = gv.value(shape, SH + "qualifiedMaxCount")
        for s in gv.objects(shape, SH + "qualifiedValueShape"):
            bad = self.failing(s, vg)
            disjoint = gv.value(shape, SH + "qualifiedValueShapesDisjoint")
            sibling_bads: list[set[Any]] = []
            if _is_true(disjoint):
                sibling_bads = [self.failing(ss, vg) for ss in sibling_shapes(gv, shape, s)]
            counts: dict[Any, int] = dict.fromkeys(self.focus_nodes(g), 0)
            for f, v in pairs:
                if v not in bad and all(v in b for b in sibling_bads):
                    counts[f] = counts.get(f, 0) + 1
            for f, n in counts.items():
                if qmin is not None and n < int(qmin.value):
                    out.append((f, None, _cc("QualifiedMinCount"), path, shape, qmin.value))
                if qmax is not None and n > int(qmax.value):
                    out.append((f, None, _cc("QualifiedMaxCount"), path, shape, qmax.value))
        return out


def _datatype_violation(d: Term) -> str:
    if d.kind != "uri":
        raise Unsupported(f"sh:datatype {d.n3()} is not an IRI")
    if d.value == RDF + "langString":
        return "!COALESCE(isLiteral(?v) && lang(?v) != '', false)"
    local = d.value[len(XSD) :] if d.value.startswith(XSD) else None
    stored = f"{SURROGATE_NS}{local}" if local in WRAPPED_TYPES else d.value
    base = f"isLiteral(?v) && lang(?v) = '' && datatype(?v) = <{stored}>"
    if local == "dateTimeStamp":
        base += f" && COALESCE(tz(<{XSD}dateTime>(STR(?v))) != '', false)"
    elif d.value in _CASTABLE:
        base += f" && isLiteral(<{d.value}>(STR(?v)))"
    elif local in INT_RANGES:
        lo, hi = INT_RANGES[local]
        base += f" && isLiteral(<{XSD}integer>(STR(?v)))"
        if lo is not None:
            base += f" && <{XSD}integer>(STR(?v)) >= {lo}"
        if hi is not None:
            base += f" && <{XSD}integer>(STR(?v)) <= {hi}"
    return f"!COALESCE({base}, false)"


def check_supported(g: TripleIndex) -> None:
    """Raise :class:`Unsupported` if the shapes graph uses a feature this engine lacks."""
    for p in _UNSUPPORTED_PREDICATES:
        if g.subjects(p):
            raise Unsupported(f"the shapes graph uses {p.replace(SH, 'sh:')}")
    for t in _UNSUPPORTED_TYPES:
        if g.subjects(RDF + "type", Term("uri", t)):
            raise Unsupported(f"the shapes graph declares a {t.replace(SH, 'sh:')}")


def all_shapes(g: TripleIndex) -> list[Term]:
    """Every shape that has a target (the roots of validation), in a stable order."""
    found: dict[Term, None] = {}
    for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
        for s in g.subjects(SH + p):
            found[s] = None
    for t in ("NodeShape", "PropertyShape"):
        for s in g.subjects(RDF + "type", Term("uri", SH + t)):
            if Term("uri", RDFS + "Class") in g.objects(s, RDF + "type"):
                found[s] = None
    return sorted(found)


def sibling_shapes(g: TripleIndex, shape: Term, qvs: Term) -> list[Term]:
    """For sh:qualifiedValueShapesDisjoint: the qualified value shapes of ``shape``'s sibling
    property shapes (those of the same parents), other than ``qvs``, in graph order."""
    found: list[Term] = []
    for parent in g.subjects(SH + "property", shape):
        for sib in g.objects(parent, SH + "property"):
            if sib == shape:
                continue
            found.extend(ss for ss in g.objects(sib, SH + "qualifiedValueShape") if ss != qvs)
    return found


def _message(g: TripleIndex, shape: Term, component: str, raw: Raw, path_text: str | None) -> str:
    msgs = g.objects(shape, SH + "message")
    if msgs:
        for m in msgs:
            if m.lang in (None, "en") or (m.lang or "").startswith("en-"):
                return m.value
        return msgs[0].value
    focus, value, _c, _p, _s, detail = raw
    name = component[len(SH) :].replace("ConstraintComponent", "")
    where = f"{term_from_ox(focus).n3()}" + (f" {path_text}" if path_text else "")
    val = f" value {term_from_ox(value).n3()}" if value is not None else ""
    text = {
        "Class": f"is not an instance of {detail}",
        "Datatype": f"is not a well-formed literal of datatype {detail}",
        "NodeKind": f"is not of node kind {detail}",
        "MinCount": f"has fewer than {detail} values",
        "MaxCount": f"has more than {detail} values",
        "MinLength": f"is shorter than {detail} characters",
        "MaxLength": f"is longer than {detail} characters",
        "Pattern": f"does not match the pattern {detail!r}",
        "UniqueLang": f"has more than one value in language {detail!r}",
        "HasValue": f"does not have the value {detail}",
        "Equals": f"differs from the values of <{detail}>",
        "Disjoint": f"shares a value with <{detail}>",
        "LessThan": f"is not less than the values of <{detail}>",
        "LessThanOrEquals": f"is greater than a value of <{detail}>",
        "Closed": f"uses the property <{detail}>, which the closed shape does not allow",
        "QualifiedMinCount": f"has fewer than {detail} values conforming to the qualified shape",
        "QualifiedMaxCount": f"has more than {detail} values conforming to the qualified shape",
    }.get(name, f"violates {name}" + (f" ({detail})" if detail else ""))
    return f"{where}{val}: {text}"


def validate_store(store: Any, shapes: TripleIndex) -> list[ShaclResult]:
    """Validate the default graph of ``store`` against ``shapes`` (no inference of its own: the
    entailments, if any, are already in the store, see :mod:`spacekg.shacl.inference`).

    Scratch named graphs are added to ``store`` while it runs and removed at the end."""
    check_supported(shapes)
    eng = _Engine(store, shapes)
    raws: list[Raw] = []
    try:
        for shape in all_shapes(shapes):
            if eng.is_deactivated(shape):
                continue
            pattern = eng.target_pattern(shape)
            if pattern is None:
                continue
            raws.extend(eng.eval_shape(shape, eng.new_graph(pattern)))
    finally:
        eng.cleanup()
    return list(_to_results(shapes, raws))


def _to_results(g: TripleIndex, raws: Iterable[Raw]) -> Iterable[ShaclResult]:
    keys: dict[Term, str] = {}
    sevs: dict[Term, str] = {}
    texts: dict[PathExpr, str] = {}
    for raw in raws:
        focus, value, comp, path, shape, _detail = raw
        if shape not in keys:
            keys[shape] = shape_key(g, shape)
            sev = g.value(shape, SH + "severity")
            sevs[shape] = SEVERITIES.get(sev.value, sev.value) if sev else "Violation"
        path_text = None
        if path is not None:
            if path not in texts:
                texts[path] = path_to_sparql(path)
            path_text = texts[path]
        yield ShaclResult(
            focus=term_from_ox(focus),
            path=path_text,
            value=term_from_ox(value) if value is not None else None,
            component=comp,
            source_shape=keys[shape],
            severity=sevs[shape],
            message=_message(g, shape, comp, raw, path_text),
            path_expr=path,
        )
