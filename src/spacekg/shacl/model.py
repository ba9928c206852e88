"""The SHACL result model, RDF terms and graphs, property paths and shape keys.

Shared by every engine (:mod:`spacekg.shacl.api` re-exports all of it): :class:`ShaclResult` and
:class:`ShaclReport`, :class:`TripleIndex` (a small graph of :class:`~spacekg.terms.Term`
triples, for shapes graphs and reports), SHACL property paths as hashable :data:`PathExpr`
structures, and :func:`shape_key`, the stable name of a (blank-node) shape.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union

from spacekg.errors import InputError
from spacekg.namespaces import (  # noqa: F401 - re-exported
    RDF,
    RDF_LANGSTRING,
    RDFS,
    SH,
    XSD,
    XSD_STRING,
)
from spacekg.terms import Term

if TYPE_CHECKING:
    import pyoxigraph

    from spacekg.shacl.loading import Twin


Inference = Literal["none", "rdfs", "owlrl"]
Engine = Literal["auto", "fast", "pyshacl"]
PathLike = Union[str, "os.PathLike[str]"]
DataInput = Union[PathLike, Sequence[PathLike], "pyoxigraph.Store", "Twin"]

SEVERITIES = {SH + "Violation": "Violation", SH + "Warning": "Warning", SH + "Info": "Info"}

# A SHACL property path as a hashable structure:
#   ("pred", iri) | ("inv", path) | ("seq", (path, ...)) | ("alt", (path, ...))
#   | ("zeroOrMore", path) | ("oneOrMore", path) | ("zeroOrOne", path)
PathExpr = tuple[Any, ...]


@dataclass(frozen=True)
class ShaclResult:
    """One ``sh:ValidationResult``."""

    focus: Term
    path: str | None  # SPARQL property path text (<p>, ^<p>, <p>/<q>, (<p>|<q>)*); None: node shape
    value: Term | None
    component: str  # full IRI of the constraint component
    source_shape: str  # the shape's IRI, or a stable text for a blank-node shape (see shape_key)
    severity: str  # "Violation" | "Warning" | "Info" (or the IRI of a custom severity)
    message: str
    path_expr: PathExpr | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[Term, str | None, str]:
        """(focus, path, component): what the reference comparison uses."""
        return (self.focus, self.path, self.component)


@dataclass(frozen=True)
class ShaclReport:
    """A SHACL validation report. ``conforms`` follows the spec: no result of any severity."""

    conforms: bool
    results: tuple[ShaclResult, ...]
    engine: str  # "pyshacl" | "fast"
    fallback_reason: str | None = None  # why engine "auto" used pyshacl

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.results if r.severity != "Violation")


class Unsupported(Exception):
    """The fast engine cannot evaluate this shapes graph exactly (engine "auto" falls back)."""


# --------------------------------------------------------------------------- terms and graphs


def term_from_ox(t: Any) -> Term:
    """A pyoxigraph term as a :class:`Term` (no datatype for language strings and xsd:string)."""
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return Term("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Term("literal", t.value, None, t.language)
        dt = t.datatype.value
        if dt.startswith(SURROGATE_NS):
            dt = XSD + dt[len(SURROGATE_NS) :]
        return Term("literal", t.value, None if dt == XSD_STRING else dt)
    raise TypeError(f"not an RDF term: {t!r}")


def term_to_ox(t: Term) -> Any:
    """A :class:`Term` as a pyoxigraph term (no datatype: ``xsd:string``)."""
    import pyoxigraph as ox

    if t.kind == "uri":
        return ox.NamedNode(t.value)
    if t.kind == "bnode":
        return ox.BlankNode(t.value)
    if t.lang:
        return ox.Literal(t.value, language=t.lang)
    return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype or XSD_STRING))


def term_from_rdflib(t: Any) -> Term:
    from rdflib import BNode, URIRef
    from rdflib import Literal as RLiteral

    if isinstance(t, URIRef):
        return Term("uri", str(t))
    if isinstance(t, BNode):
        return Term("bnode", str(t))
    if isinstance(t, RLiteral):
        if t.language:
            return Term("literal", str(t), None, t.language)
        dt = str(t.datatype) if t.datatype else None
        return Term("literal", str(t), None if dt == XSD_STRING else dt)
    raise TypeError(f"not an RDF term: {t!r}")


class TripleIndex:
    """A small in-memory graph of :class:`Term` triples (for shapes graphs and reports)."""

    def __init__(self, triples: Iterable[tuple[Term, Term, Term]]) -> None:
        self.spo: dict[Term, dict[str, list[Term]]] = {}
        self.pos: dict[str, dict[Term, list[Term]]] = {}
        for s, p, o in triples:
            self.spo.setdefault(s, {}).setdefault(p.value, []).append(o)
            self.pos.setdefault(p.value, {}).setdefault(o, []).append(s)

    def objects(self, s: Term, p: str) -> list[Term]:
        return self.spo.get(s, {}).get(p, [])

    def value(self, s: Term, p: str) -> Term | None:
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def subjects(self, p: str, o: Term | None = None) -> list[Term]:
        by_o = self.pos.get(p, {})
        if o is None:
            seen: dict[Term, None] = {}
            for subs in by_o.values():
                for s in subs:
                    seen[s] = None
            return list(seen)
        return by_o.get(o, [])

    def predicates(self, s: Term) -> list[str]:
        return list(self.spo.get(s, {}))

    def items(self, head: Term | None) -> list[Term]:
        """The members of an RDF list."""
        out: list[Term] = []
        seen: set[Term] = set()
        while head is not None and head != Term("uri", RDF + "nil") and head not in seen:
            seen.add(head)
            first = self.value(head, RDF + "first")
            if first is None:
                raise InputError(f"malformed RDF list at {head.n3()} in the shapes graph")
            out.append(first)
            head = self.value(head, RDF + "rest")
        return out

    @classmethod
    def from_ox(cls, quads: Iterable[Any]) -> TripleIndex:
        return cls(
            (term_from_ox(q.subject), term_from_ox(q.predicate), term_from_ox(q.object))
            for q in quads
        )

    @classmethod
    def from_rdflib(cls, graph: Any) -> TripleIndex:
        return cls(
            (term_from_rdflib(s), term_from_rdflib(p), term_from_rdflib(o)) for s, p, o in graph
        )


# --------------------------------------------------------------------------- paths and shapes


def parse_path(g: TripleIndex, node: Term) -> PathExpr:
    """The SHACL property path rooted at ``node`` as a :data:`PathExpr`."""
    if node.kind == "uri":
        return ("pred", node.value)
    if node.kind != "bnode":
        raise InputError(f"a literal {node.n3()} is not a SHACL property path")
    if g.value(node, RDF + "first") is not None:
        members = tuple(parse_path(g, m) for m in g.items(node))
        if len(members) < 2:
            raise InputError("a SHACL sequence path needs at least two members")
        return ("seq", members)
    for pred, kind in (
        ("inversePath", "inv"),
        ("zeroOrMorePath", "zeroOrMore"),
        ("oneOrMorePath", "oneOrMore"),
        ("zeroOrOnePath", "zeroOrOne"),
    ):
        inner = g.value(node, SH + pred)
        if inner is not None:
            return (kind, parse_path(g, inner))
    alt = g.value(node, SH + "alternativePath")
    if alt is not None:
        members = tuple(parse_path(g, m) for m in g.items(alt))
        if len(members) < 2:
            raise InputError("a SHACL alternative path needs at least two members")
        return ("alt", members)
    raise InputError(f"blank node {node.n3()} is not a well-formed SHACL property path")


def path_to_sparql(p: PathExpr, top: bool = True) -> str:
    """SPARQL property path text: ``<p>``, ``^<p>``, ``<p>/<q>``, ``(<p>|<q>)*`` …"""
    kind = p[0]
    if kind == "pred":
        return f"<{p[1]}>"
    if kind == "inv":
        return "^" + path_to_sparql(p[1], top=False)
    if kind in ("seq", "alt"):
        text = ("/" if kind == "seq" else "|").join(path_to_sparql(m, top=False) for m in p[1])
        return text if top else f"({text})"
    suffix = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[kind]
    return path_to_sparql(p[1], top=False) + suffix


def path_to_turtle(p: PathExpr) -> str:
    """The path as a Turtle object (a blank-node structure for complex paths)."""
    kind = p[0]
    if kind == "pred":
        return f"<{p[1]}>"
    if kind == "inv":
        return f"[ sh:inversePath {path_to_turtle(p[1])} ]"
    if kind == "seq":
        return "( " + " ".join(path_to_turtle(m) for m in p[1]) + " )"
    if kind == "alt":
        return "[ sh:alternativePath ( " + " ".join(path_to_turtle(m) for m in p[1]) + " ) ]"
    return f"[ sh:{kind}Path {path_to_turtle(p[1])} ]"


_SHAPE_PARENT_PREDICATES = ("property", "node", "not", "qualifiedValueShape")
_SHAPE_LIST_PREDICATES = ("and", "or", "xone")


def shape_key(g: TripleIndex, shape: Term, _depth: int = 0) -> str:
    """A stable text naming a shape: its IRI, or, for a blank node, where it sits.

    E.g. ``https://…#ActorShape sh:property[<http://…#label>]`` or
    ``https://…#S sh:or[1]``. The same shapes graph gives the same text whatever blank-node
    labels a parser chose, so results of both engines (and expected W3C results) compare.
    """
    if shape.kind != "bnode":
        return shape.value if shape.kind == "uri" else shape.n3()
    path_node = g.value(shape, SH + "path")
    own = ""
    if path_node is not None:
        try:
            own = f"[{path_to_sparql(parse_path(g, path_node))}]"
        except InputError:
            own = "[?]"
    if _depth > 20:
        return "_:shape" + own
    for pred in _SHAPE_PARENT_PREDICATES:
        parents = g.subjects(SH + pred, shape)
        if parents:
            keys = sorted(shape_key(g, p, _depth + 1) for p in parents)
            return f"{keys[0]} sh:{pred}{own}"
    # a member of an sh:and / sh:or / sh:xone list
    cell = g.subjects(RDF + "first", shape)
    if cell:
        head, index = cell[0], 0
        while True:
            prev = g.subjects(RDF + "rest", head)
            if not prev:
                break
            head, index = prev[0], index + 1
        for pred in _SHAPE_LIST_PREDICATES:
            owners = g.subjects(SH + pred, head)
            if owners:
                keys = sorted(shape_key(g, o, _depth + 1) for o in owners)
                return f"{keys[0]} sh:{pred}[{index}]{own}"
    # a free-standing blank-node shape: name it by its own triples
    parts = sorted(
        f"{p.rsplit('#', 1)[-1]}={o.n3() if o.kind != 'bnode' else '_'}"
        for p in g.predicates(shape)
        for o in g.objects(shape, p)
    )
    return "_:shape{" + ";".join(parts) + "}" + own


# oxigraph's store keeps a literal of these datatypes by its value: it writes the derived ones
# as xsd:integer / xsd:dateTime and every one in its canonical form ("01" as "1", "P1Y12M" as
# "P2Y", "1"^^xsd:boolean as "true"). spacekg keeps each literal as written by storing it under
# a surrogate datatype IRI, unwrapped again in every result.
WRAPPED_TYPES = (
    "integer",
    "decimal",
    "double",
    "float",
    "boolean",
    "dateTime",
    "date",
    "time",
    "gYear",
    "gYearMonth",
    "gMonth",
    "gMonthDay",
    "gDay",
    "duration",
    "yearMonthDuration",
    "dayTimeDuration",
    "byte",
    "short",
    "int",
    "long",
    "unsignedByte",
    "unsignedShort",
    "unsignedInt",
    "unsignedLong",
    "positiveInteger",
    "negativeInteger",
    "nonPositiveInteger",
    "nonNegativeInteger",
    "dateTimeStamp",
)
SURROGATE_NS = "urn:spacekg:shacl:xsd#"
WRAPPED_IRIS = frozenset(XSD + t for t in WRAPPED_TYPES)


def stored_form(term: Any) -> Any:
    """A pyoxigraph term as spacekg's stores hold it: a literal of :data:`WRAPPED_TYPES` under
    its surrogate datatype, anything else as it is."""
    import pyoxigraph as ox

    if isinstance(term, ox.Literal) and term.datatype.value in WRAPPED_IRIS:
        local = term.datatype.value[len(XSD) :]
        return ox.Literal(term.value, datatype=ox.NamedNode(SURROGATE_NS + local))
    return term


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


def message(g: TripleIndex, shape: Term, component: str, raw: Any, path_text: str | None) -> str:
    msgs = g.objects(shape, SH + "message")
    if msgs:
        for m in msgs:
            if m.lang in (None, "en") or (m.lang or "").startswith("en-"):
                return m.value
        return msgs[0].value
    focus, value, detail = raw.focus, raw.value, raw.detail
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


def to_results(g: TripleIndex, raws: Iterable[Any]) -> Iterable[ShaclResult]:
    keys: dict[Term, str] = {}
    sevs: dict[Term, str] = {}
    texts: dict[PathExpr, str] = {}
    for raw in raws:
        focus, value, comp, path, shape = raw.focus, raw.value, raw.component, raw.path, raw.shape
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
            message=message(g, shape, comp, raw, path_text),
            path_expr=path,
        )
