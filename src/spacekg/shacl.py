"""SHACL validation: one result model, three engines (pySHACL, the reference, and two fast ones).

Call :func:`validate_graph`; it returns a frozen :class:`ShaclReport` of :class:`ShaclResult`
(focus, path, value, component, source_shape, severity, message); :func:`report_to_turtle`
writes the standard ``sh:ValidationReport`` graph. Engines:

- ``"fast"``: :mod:`spacekg.shacl_fast`, pyoxigraph's parser feeding set-based checks in Python
  (no store, no rdflib), for inference ``"none"``; with ``"rdfs"``/``"owlrl"`` it is the next one.
- ``"sparql"``: :mod:`spacekg.shacl_sparql`, constraints compiled to SPARQL over an in-memory
  oxigraph store, entailments materialised there first (``"rdfs"``: rules rdfs2, 3, 5, 7, 9, 11 as
  SPARQL updates to a fixpoint; ``"owlrl"``: the owlrl package's closure).
- ``"pyshacl"``: pySHACL 0.40 on rdflib graphs built from the same parse.
- ``"auto"`` (the default): ``"fast"``; pySHACL for ``"owlrl"``, and whenever the fast engines
  raise :class:`Unsupported` for a shapes graph (SHACL-SPARQL, SHACL-AF, recursion…).
  ``report.engine`` says which ran, ``report.fallback_reason`` why it fell back. The exact list
  of supported features is in :mod:`spacekg.shacl_fast`.

Inference ``"none"`` is the project's default: SHACL's ``rdf:type/rdfs:subClassOf*`` already
covers the class hierarchy, and a range axiom must not retype a wrongly typed link.
``conforms`` follows the spec (no result of any severity); ``violations``/``warnings`` count.

Data files are parsed with pyoxigraph in every case (Turtle, N-Triples, N-Quads, TriG, JSON-LD,
RDF/XML, by extension): no remote JSON-LD context is fetched, no XML external entity resolved.
Errors are :class:`spacekg.errors.InputError` naming ``file:line:col``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

from spacekg.errors import InputError
from spacekg.results import Term

if TYPE_CHECKING:
    import pyoxigraph

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"

Inference = Literal["none", "rdfs", "owlrl"]
Engine = Literal["auto", "fast", "sparql", "pyshacl"]
PathLike = Union[str, "os.PathLike[str]"]
DataInput = Union[PathLike, Sequence[PathLike], "pyoxigraph.Store"]

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


# --------------------------------------------------------------------------- loading

_FORMATS = {
    ".ttl": "TURTLE",
    ".turtle": "TURTLE",
    ".nt": "N_TRIPLES",
    ".ntriples": "N_TRIPLES",
    ".nq": "N_QUADS",
    ".trig": "TRIG",
    ".jsonld": "JSON_LD",
    ".json": "JSON_LD",
    ".rdf": "RDF_XML",
    ".owl": "RDF_XML",
    ".xml": "RDF_XML",
}


def rdf_format(path: Path) -> Any:
    """The pyoxigraph RdfFormat for a file, by extension; InputError for anything else."""
    import pyoxigraph as ox

    name = _FORMATS.get(path.suffix.lower())
    if name is None:
        raise InputError(
            f"{path}: unsupported RDF format {path.suffix or '(no extension)'!r}",
            hint="use .ttl, .nt, .nq, .trig, .jsonld or .rdf/.owl",
        )
    return getattr(ox.RdfFormat, name)


# oxigraph's store turns these datatypes into xsd:integer / xsd:dateTime; spacekg keeps them by
# storing such literals under a surrogate datatype IRI, unwrapped again in every result.
WRAPPED_TYPES = (
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
_WRAP_SCAN = re.compile(rb"[:#](?:" + b"|".join(t.encode() for t in WRAPPED_TYPES) + rb")\b")


def _syntax_error(p: Path, err: SyntaxError) -> InputError:
    line = getattr(err, "lineno", None)
    col = getattr(err, "offset", None)
    where = f"{p}:{line}:{col}" if line else str(p)
    msg = str(err.msg if hasattr(err, "msg") else err).splitlines()[0]
    return InputError(f"{where}: syntax error: {msg}", hint="fix the file and rerun")


def _check_file(p: Path) -> int:
    try:
        size = p.stat().st_size
    except OSError as err:
        raise InputError(f"{p}: cannot read: {err.strerror or err}") from err
    if size == 0:
        raise InputError(f"{p}: the file is empty", hint="an RDF file needs at least one triple")
    return size


_XSD_PREFIX = re.compile(
    rb"(?:@prefix|PREFIX)\s+([A-Za-z][A-Za-z0-9_.\-]*)?:\s*<http://www\.w3\.org/2001/XMLSchema#>",
    re.IGNORECASE,
)
_WRAPPED_ALT = b"|".join(t.encode() for t in WRAPPED_TYPES)


def _rewrite_wrapped(raw: bytes, turtle: bool) -> bytes:
    """Point the datatype of literals of :data:`WRAPPED_TYPES` at :data:`SURROGATE_NS`, in the
    bytes of an N-Triples or Turtle file (full IRIs, and prefixed names of XSD's prefixes)."""
    for t in WRAPPED_TYPES:
        raw = raw.replace(f"^^<{XSD}{t}>".encode(), f"^^<{SURROGATE_NS}{t}>".encode())
    if turtle:
        for pfx in {m.group(1) or b"" for m in _XSD_PREFIX.finditer(raw)}:
            rx = re.compile(
                rb"\^\^" + re.escape(pfx) + rb":(" + _WRAPPED_ALT + rb")(?![\w\-]|\.[\w\-])"
            )
            raw = rx.sub(lambda m: b"^^<" + SURROGATE_NS.encode() + m.group(1) + b">", raw)
    return raw


def _corrupted(text: str) -> None:
    raise InputError(
        f"a string literal contains a datatype written as text ({text[:60]!r}): "
        "spacekg's fast loader cannot keep it intact",
        hint="escape one character of it, e.g. \\u005E for ^",
    )


def load_into(store: pyoxigraph.Store, path: PathLike, *, rename_blank_nodes: bool = False) -> None:
    """Parse one RDF file into the default graph of ``store``, with one-line errors.

    Literals of the datatypes in :data:`WRAPPED_TYPES` are stored under :data:`SURROGATE_NS`
    (so ``xsd:nonNegativeInteger`` stays itself); :func:`term_from_ox` unwraps them.
    """
    import pyoxigraph as ox

    p = Path(path)
    fmt = rdf_format(p)
    _check_file(p)
    base = p.resolve().as_uri()
    try:
        raw = p.read_bytes()
        simple = fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE)
        if simple and not (rename_blank_nodes and b"_:" in raw):
            if _WRAP_SCAN.search(raw):
                raw = _rewrite_wrapped(raw, turtle=fmt == ox.RdfFormat.TURTLE)
            store.load(raw, format=fmt, base_iri=base, to_graph=ox.DefaultGraph())
        else:  # other formats, named graphs merged, blank nodes renamed: through N-Triples
            del raw
            quads = ox.parse(
                path=str(p), format=fmt, base_iri=base, rename_blank_nodes=rename_blank_nodes
            )
            nt = ox.serialize(
                (ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                format=ox.RdfFormat.N_TRIPLES,
            )
            store.load(
                _rewrite_wrapped(nt, turtle=False),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.DefaultGraph(),
            )
    except SyntaxError as err:
        raise _syntax_error(p, err) from err
    except UnicodeDecodeError as err:
        raise InputError(f"{p}: not UTF-8 (byte {err.start})", hint="re-save as UTF-8") from err
    except ValueError as err:
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        if "utf" in text.lower():
            raise InputError(f"{p}: not UTF-8: {text}", hint="re-save as UTF-8") from err
        raise InputError(f"{p}: cannot parse: {text}") from err
    except OSError as err:
        raise InputError(f"{p}: cannot read: {err}") from err


def _as_paths(data: Any) -> list[Path]:
    if isinstance(data, (str, os.PathLike)):
        return [Path(data)]
    return [Path(d) for d in data]


def _is_store(obj: Any) -> bool:
    return type(obj).__name__ == "Store" and type(obj).__module__.startswith("pyoxigraph")


def build_store(data: DataInput, ontology: PathLike | Sequence[PathLike] | None) -> Any:
    """A fresh in-memory pyoxigraph store whose default graph holds data + ontology."""
    import pyoxigraph as ox

    store = ox.Store()
    files: list[Path] = []
    if _is_store(data):
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in data)  # type: ignore[union-attr]
    else:
        files = _as_paths(data)
    if ontology is not None:
        files += _as_paths(ontology)
    for p in files:
        load_into(store, p, rename_blank_nodes=len(files) > 1 or _is_store(data))
    return store


def shapes_index(shapes: PathLike | Sequence[PathLike]) -> tuple[TripleIndex, list[Any]]:
    """The shapes graph as a :class:`TripleIndex` and its triples, lexical forms as written."""
    import pyoxigraph as ox

    quads: list[Any] = []
    paths = _as_paths(shapes)
    for p in paths:
        fmt = rdf_format(p)
        _check_file(p)
        try:
            quads.extend(
                ox.parse(
                    path=str(p),
                    format=fmt,
                    base_iri=p.resolve().as_uri(),
                    rename_blank_nodes=len(paths) > 1,
                )
            )
        except SyntaxError as err:
            raise _syntax_error(p, err) from err
        except (ValueError, OSError) as err:
            raise InputError(f"{p}: cannot parse: {str(err).splitlines()[0]}") from err
    return TripleIndex.from_ox(quads), quads


def _to_rdflib(quads: Iterable[Any]) -> Any:
    """Quads as an rdflib Graph (default graph): blank-node labels kept, datatypes unwrapped."""
    import pyoxigraph as ox
    from rdflib import BNode, Graph, URIRef
    from rdflib import Literal as RLiteral

    cache: dict[Any, Any] = {}

    def conv(t: Any) -> Any:
        r = cache.get(t)
        if r is None:
            if isinstance(t, ox.NamedNode):
                r = URIRef(t.value)
            elif isinstance(t, ox.BlankNode):
                r = BNode(t.value)
            elif t.language:
                r = RLiteral(t.value, lang=t.language)
            else:
                dt = t.datatype.value
                if dt.startswith(SURROGATE_NS):
                    dt = XSD + dt[len(SURROGATE_NS) :]
                elif dt == XSD_STRING and SURROGATE_NS in t.value:
                    _corrupted(t.value)
                r = (
                    RLiteral(t.value)
                    if dt == XSD_STRING
                    else RLiteral(t.value, datatype=URIRef(dt), normalize=False)
                )
            if len(cache) < 200_000:
                cache[t] = r
        return r

    g = Graph()
    add = g.add
    for q in quads:
        add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return g


# --------------------------------------------------------------------------- engines


def read_triples(data: DataInput, ontology: PathLike | Sequence[PathLike] | None) -> Iterator[Any]:
    """(s, p, o) pyoxigraph terms of data + ontology, parsed without a store (lexical forms kept).

    From a Store: every quad of every graph (the union), wrapped datatypes unwrapped.
    """
    import pyoxigraph as ox

    files: list[Path] = []
    if _is_store(data):
        surrogate = SURROGATE_NS
        for q in data:  # type: ignore[union-attr]
            o = q.object
            if isinstance(o, ox.Literal):
                dt = o.datatype.value
                if dt.startswith(surrogate):
                    o = ox.Literal(o.value, datatype=ox.NamedNode(XSD + dt[len(surrogate) :]))
                elif dt in (XSD_STRING, RDF_LANGSTRING) and surrogate in o.value:
                    _corrupted(o.value)
            yield (q.subject, q.predicate, o)
    else:
        files = _as_paths(data)
    if ontology is not None:
        files += _as_paths(ontology)
    rename = len(files) > 1 or _is_store(data)
    for p in files:
        fmt = rdf_format(p)
        _check_file(p)
        try:
            for q in ox.parse(
                path=str(p), format=fmt, base_iri=p.resolve().as_uri(), rename_blank_nodes=rename
            ):
                yield (q.subject, q.predicate, q.object)
        except SyntaxError as err:
            raise _syntax_error(p, err) from err
        except UnicodeDecodeError as err:
            raise InputError(f"{p}: not UTF-8 (byte {err.start})", hint="re-save as UTF-8") from err
        except ValueError as err:
            text = str(err).splitlines()[0] if str(err) else type(err).__name__
            if "utf" in text.lower():
                raise InputError(f"{p}: not UTF-8: {text}", hint="re-save as UTF-8") from err
            raise InputError(f"{p}: cannot parse: {text}") from err
        except OSError as err:
            raise InputError(f"{p}: cannot read: {err}") from err


def validate_graph(
    data: DataInput,
    shapes: PathLike | Sequence[PathLike] | None = None,
    *,
    ontology: PathLike | Sequence[PathLike] | None = None,
    inference: Inference = "none",
    engine: Engine = "auto",
) -> ShaclReport:
    """Validate ``data`` (file path(s) or a pyoxigraph Store) against ``shapes``.

    ``shapes`` defaults to the bundled ontology/shapes.ttl. ``ontology`` (path(s)) is merged into
    the data graph, so the class hierarchy is visible to ``sh:class`` and ``sh:targetClass``.
    From a Store, the data graph is the union of all its graphs.

    Engines: "fast" with inference "none" is :mod:`spacekg.shacl_fast` (parse + set-based checks
    in Python); with "rdfs" or "owlrl" it is :mod:`spacekg.shacl_sparql` (an oxigraph store, the
    entailments materialised, constraints as SPARQL). "sparql" forces the latter. "auto" is
    "fast", except for "owlrl" (pySHACL), and falls back to pySHACL when the fast engine declines
    the shapes graph (``report.fallback_reason`` says why).
    """
    if inference not in ("none", "rdfs", "owlrl"):
        raise InputError(f"unknown inference {inference!r}", hint="use none, rdfs or owlrl")
    if engine not in ("auto", "fast", "sparql", "pyshacl"):
        raise InputError(
            f"unknown SHACL engine {engine!r}", hint="use auto, fast, sparql or pyshacl"
        )
    if shapes is None:
        from spacekg.bundle import shapes_path

        shapes = shapes_path()
    g, shapes_quads = shapes_index(shapes)
    if engine == "pyshacl" or (engine == "auto" and inference == "owlrl"):
        reason = "OWL RL inference is delegated to pySHACL + owlrl" if engine == "auto" else None
        return _validate_pyshacl(build_store(data, ontology), g, shapes_quads, inference, reason)
    try:
        if inference == "none" and engine != "sparql":
            import gc

            from spacekg import shacl_fast

            gc_was_on = gc.isenabled()
            gc.disable()  # millions of small, acyclic objects: the cyclic GC only costs time
            try:
                results = shacl_fast.validate_data(shacl_fast.Data(read_triples(data, ontology)), g)
            finally:
                if gc_was_on:
                    gc.enable()
        else:
            from spacekg import shacl_sparql

            results = shacl_sparql.validate_store(
                build_store(data, ontology), g, inference=inference
            )
    except Unsupported as err:
        if engine != "auto":
            raise InputError(
                f"the fast SHACL engine does not support this shapes graph: {err}",
                hint="use --engine pyshacl or auto",
            ) from err
        return _validate_pyshacl(build_store(data, ontology), g, shapes_quads, inference, str(err))
    results = tuple(sorted(results, key=_sort_key))
    return ShaclReport(conforms=not results, results=results, engine="fast")


def term_key(t: Term | None) -> tuple[str, str, str, str]:
    """A total order on optional terms (Term's own order fails on None datatypes)."""
    if t is None:
        return ("", "", "", "")
    return (t.kind, t.value, t.datatype or "", t.lang or "")


def _sort_key(r: ShaclResult) -> tuple[Any, ...]:
    return (
        r.source_shape,
        r.component,
        term_key(r.focus),
        r.path or "",
        term_key(r.value),
        r.message,
    )


def _validate_pyshacl(
    store: Any, g: TripleIndex, shapes_quads: Any, inference: str, reason: str | None
) -> ShaclReport:
    import pyshacl
    from rdflib import Namespace

    sh = Namespace(SH)
    import pyoxigraph as ox

    data_graph = _to_rdflib(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    shacl_graph = _to_rdflib(shapes_quads)
    # shape keys must be computed on the very graph pySHACL reports about
    sg = TripleIndex.from_rdflib(shacl_graph)
    _conforms, report, _text = pyshacl.validate(
        data_graph,
        shacl_graph=shacl_graph,
        inference=None if inference == "none" else inference,
        abort_on_first=False,
        allow_infos=False,
        allow_warnings=False,
        meta_shacl=False,
        advanced=False,
        js=False,
        inplace=True,
    )
    rg = TripleIndex.from_rdflib(report)
    results: list[ShaclResult] = []
    for node in report.objects(None, sh.result):  # not the nested sh:detail results
        n = term_from_rdflib(node)
        focus = rg.value(n, SH + "focusNode")
        path_node = rg.value(n, SH + "resultPath")
        path_expr = parse_path(rg, path_node) if path_node is not None else None
        shape = rg.value(n, SH + "sourceShape")
        sev = rg.value(n, SH + "resultSeverity")
        msgs = rg.objects(n, SH + "resultMessage")
        comp = rg.value(n, SH + "sourceConstraintComponent")
        assert focus is not None and comp is not None and shape is not None
        results.append(
            ShaclResult(
                focus=focus,
                path=path_to_sparql(path_expr) if path_expr else None,
                value=rg.value(n, SH + "value"),
                component=comp.value,
                source_shape=shape_key(sg, shape),
                severity=SEVERITIES.get(sev.value, sev.value) if sev else "Violation",
                message=_pick_message(msgs),
                path_expr=path_expr,
            )
        )
    res = tuple(sorted(results, key=_sort_key))
    return ShaclReport(conforms=not res, results=res, engine="pyshacl", fallback_reason=reason)


def _pick_message(msgs: Sequence[Term]) -> str:
    if not msgs:
        return ""
    for m in msgs:
        if m.lang in (None, "en") or (m.lang or "").startswith("en-"):
            return m.value
    return msgs[0].value


# --------------------------------------------------------------------------- report output

_SEVERITY_IRIS = {v: k for k, v in SEVERITIES.items()}


def report_to_turtle(report: ShaclReport) -> str:
    """The standard SHACL validation report graph (``sh:ValidationReport``), as Turtle.

    Deterministic: results in a stable order, blank nodes written inline. Blank-node focus
    nodes and values keep their labels (``_:label``); blank-node source shapes, which only the
    shapes graph can name, are written as a blank node with an ``rdfs:comment`` of their key.
    """
    lines = [
        f"@prefix sh: <{SH}> .",
        f"@prefix rdfs: <{RDFS}> .",
        f"@prefix xsd: <{XSD}> .",
        "",
        "[] a sh:ValidationReport ;",
        f"    sh:conforms {'true' if report.conforms else 'false'}"
        + (" ;" if report.results else " ."),
    ]
    ordered = sorted(report.results, key=_sort_key)
    for i, r in enumerate(ordered):
        sev = _SEVERITY_IRIS.get(r.severity, r.severity)
        parts = [
            "a sh:ValidationResult",
            f"sh:focusNode {_turtle_term(r.focus)}",
        ]
        if r.path_expr is not None:
            parts.append(f"sh:resultPath {path_to_turtle(r.path_expr)}")
        if r.value is not None:
            parts.append(f"sh:value {_turtle_term(r.value)}")
        parts.append(f"sh:resultSeverity <{sev}>")
        parts.append(f"sh:sourceConstraintComponent <{r.component}>")
        if r.source_shape.startswith(("http://", "https://", "urn:")) and " " not in r.source_shape:
            parts.append(f"sh:sourceShape <{r.source_shape}>")
        else:
            parts.append(
                f"sh:sourceShape [ rdfs:comment {_turtle_term(Term('literal', r.source_shape))} ]"
            )
        if r.message:
            parts.append(f"sh:resultMessage {_turtle_term(Term('literal', r.message))}")
        body = " ;\n        ".join(parts)
        end = " ," if i < len(ordered) - 1 else " ."
        prefix = "    sh:result " if i == 0 else "        "
        lines.append(f"{prefix}[\n        {body}\n    ]{end}")
    return "\n".join(lines) + "\n"


def _turtle_term(t: Term) -> str:
    if t.kind == "bnode":
        return "_:" + "".join(c if c.isalnum() else "_" for c in t.value)
    if t.kind == "literal" and t.datatype and t.datatype != XSD_STRING and not t.lang:
        return Term("literal", t.value).n3() + f"^^<{t.datatype}>"
    return t.n3()


def iter_results(report: ShaclReport) -> Iterator[ShaclResult]:
    """The results in the stable report order."""
    return iter(sorted(report.results, key=_sort_key))
