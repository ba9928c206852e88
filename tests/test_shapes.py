"""The SHACL shapes (ontology/shapes.ttl): the bundled data conforms, and every shape fires exactly
as its fixtures say.

Validation set-up (the project's decision, see the header of shapes.ttl): the data graph is the data
MERGED WITH the ontology, inference "none". pySHACL's ``ont_graph`` is not used for this because it
only "inoculates" RDFS/OWL axioms (no skos:definition), so the ontology shapes could not see them.

Fixtures live in tests/fixtures/shapes/:
- ``_base.ttl``: a small valid graph every fixture is added to (with the ontology).
- ``<ShapeLocalName>.pass[-what].ttl``: must give no result at all.
- ``<ShapeLocalName>.fail[-what].ttl``: must give exactly the results listed in its header, one
  ``# expect: FOCUS PATH COMPONENT SEVERITY`` line each (CURIEs use the fixture's prefixes plus
  ``sh:``; PATH ``-`` for a node-level constraint). ``# drop-subject: IRI`` removes that subject's
  triples from the merged ontology first (to test a missing header field).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from spacekg.project import data_dir, ontology_path, shapes_path

SH = Namespace("http://www.w3.org/ns/shacl#")
SKG = Namespace("https://w3id.org/spacekg/ontology#")
SKGSH = Namespace("https://w3id.org/spacekg/shapes#")
SKGID = Namespace("https://w3id.org/spacekg/id/")

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
FIXTURE_NAME = re.compile(r"^(?P<shape>[A-Za-z]+)\.(?P<kind>pass|fail)(-[a-z0-9-]+)?\.ttl$")

Result = tuple[URIRef, URIRef | None, URIRef, URIRef]  # focus, path, component, severity


# --------------------------------------------------------------------------- helpers


@functools.cache
def shapes_graph() -> Graph:
    return Graph().parse(shapes_path())


@functools.cache
def ontology_graph() -> Graph:
    return Graph().parse(ontology_path())


def bundled_data_graph() -> Graph:
    g = Graph()
    g += ontology_graph()
    for path in sorted(data_dir().glob("*.ttl")):
        g.parse(path)
    return g


def validate(data: Graph, inference: str = "none") -> tuple[bool, Graph]:
    import pyshacl

    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes_graph(), inference=inference, advanced=False
    )
    return bool(conforms), report


def results(report: Graph) -> list[URIRef | BNode]:
    return list(report.subjects(RDF.type, SH.ValidationResult))


def result_tuples(report: Graph) -> set[Result]:
    out: set[Result] = set()
    for r in results(report):
        path = report.value(r, SH.resultPath)
        out.add(
            (
                report.value(r, SH.focusNode),
                path,
                report.value(r, SH.sourceConstraintComponent),
                report.value(r, SH.resultSeverity),
            )
        )
    return out


@dataclass(frozen=True)
class Fixture:
    path: Path
    shape: URIRef
    kind: str  # "pass" | "fail"

    @property
    def id(self) -> str:
        return self.path.name


def fixtures() -> list[Fixture]:
    out = []
    for p in sorted(FIXTURES.glob("*.ttl")):
        m = FIXTURE_NAME.match(p.name)
        if m:
            out.append(Fixture(p, SKGSH[m["shape"]], m["kind"]))
    return out


PREFIX_LINE = re.compile(r"^@prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>\s*\.", re.MULTILINE)


def _term(token: str, prefixes: dict[str, str]) -> URIRef:
    """An IRI from ``<...>`` or a CURIE with the fixture's own @prefix lines (not rdflib's
    bindings, which would turn schema: into https://schema.org/)."""
    if token.startswith("<") and token.endswith(">"):
        return URIRef(token[1:-1])
    prefix, _, local = token.partition(":")
    if prefix == "sh":
        return SH[local]
    return URIRef(prefixes[prefix] + local)


def parse_fixture(fx: Fixture) -> tuple[Graph, set[Result], list[URIRef]]:
    g = Graph().parse(fx.path)
    text = fx.path.read_text(encoding="utf-8")
    prefixes = {m[1] or "": m[2] for m in PREFIX_LINE.finditer(text)}
    expected: set[Result] = set()
    drops: list[URIRef] = []
    for line in text.splitlines():
        if line.startswith("# expect:"):
            focus, path, comp, sev = line.removeprefix("# expect:").split()
            expected.add(
                (
                    _term(focus, prefixes),
                    None if path == "-" else _term(path, prefixes),
                    _term(comp, prefixes),
                    SH[sev],
                )
            )
        elif line.startswith("# drop-subject:"):
            drops.append(_term(line.removeprefix("# drop-subject:").strip(), prefixes))
    return g, expected, drops


@functools.cache
def run_fixture(path: Path) -> tuple[bool, Graph]:
    fx = next(f for f in fixtures() if f.path == path)
    g, _, drops = parse_fixture(fx)
    data = Graph()
    data += ontology_graph()
    for s in drops:
        data.remove((s, None, None))
    data.parse(FIXTURES / "_base.ttl")
    data += g
    return validate(data)


def named_node_shapes() -> list[URIRef]:
    sg = shapes_graph()
    return sorted(s for s in sg.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def nested_shapes(sg: Graph) -> set:
    """Shapes used only inside sh:or lists or as qualified value shapes (no own message), with
    the property shapes of those members (their results are reported as the sh:or's)."""
    nested = set(sg.objects(None, SH.qualifiedValueShape))
    for lst in sg.objects(None, SH["or"]):
        for member in Collection(sg, lst):
            nested.add(member)
            nested.update(sg.objects(member, SH.property))
    return nested


def constraint_shapes() -> set:
    """Every shape that reports results: node shapes and property shapes, named or not."""
    sg = shapes_graph()
    shapes = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(SH.path, None))
    return shapes - nested_shapes(sg)


def reports_own_results(shape) -> bool:
    """A node shape whose only content is sh:property reports nothing under its own name."""
    sg = shapes_graph()
    own = {p for p in sg.predicates(shape, None)} - {
        RDF.type,
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.property,
        SH.message,
        SH.severity,
        SH.path,
    }
    return bool(own) or (shape, SH.path, None) in sg


# --------------------------------------------------------------------------- the bundled data


# Warnings the bundled data raises on purpose: the article names no party to the Indo-Pacific
# space supply chain agreement and no actor of its negotiation ("ensuring that the US benefits"
# is not taking part), so the recommendation cannot be met without inventing one.
EXPECTED_DATA_WARNINGS: set[Result] = {
    (
        SKGID["indo-pacific-space-supply-chain-agreement"],
        SKG.hasParty,
        SH.MinCountConstraintComponent,
        SH.Warning,
    ),
    (SKGID["indo-pacific-supply-chain-negotiation"], None, SH.OrConstraintComponent, SH.Warning),
}


def test_bundled_data_conforms_with_only_the_known_warnings() -> None:
    conforms, report = validate(bundled_data_graph())
    found = result_tuples(report)
    violations = {r for r in found if r[3] != SH.Warning}
    assert violations == set(), sorted(
        str(report.value(r, SH.resultMessage))
        for r in results(report)
        if report.value(r, SH.resultSeverity) != SH.Warning
    )
    assert found == EXPECTED_DATA_WARNINGS
    assert conforms is False  # pySHACL counts warnings unless allow_warnings is set


def test_bundled_data_conforms_when_warnings_are_allowed() -> None:
    import pyshacl

    conforms, _, _ = pyshacl.validate(
        bundled_data_graph(),
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=False,
        allow_warnings=True,
    )
    assert conforms


def test_every_class_used_in_the_data_is_targeted_directly() -> None:
    sg = shapes_graph()
    targeted = set(sg.objects(None, SH.targetClass))
    data = Graph()
    for path in sorted(data_dir().glob("*.ttl")):
        data.parse(path)
    used = set(data.objects(None, RDF.type))
    assert used, "the data types no node"
    assert used - targeted == set()


def test_every_constraint_has_an_english_message() -> None:
    sg = shapes_graph()
    missing = []
    for shape in constraint_shapes():
        if not reports_own_results(shape):
            continue
        msgs = [m for m in sg.objects(shape, SH.message) if isinstance(m, Literal)]
        if not any(m.language == "en" for m in msgs):
            missing.append(shape)
    assert missing == []


def test_shapes_use_only_shacl_core() -> None:
    sg = shapes_graph()
    advanced = [SH.rule, SH.target, SH.sparql, SH.condition, SH.expression]
    assert [p for p in advanced if (None, p, None) in sg] == []


# --------------------------------------------------------------------------- fixtures


def test_fixture_files_are_all_recognised() -> None:
    names = {p.name for p in FIXTURES.glob("*.ttl")} - {"_base.ttl"}
    recognised = {f.path.name for f in fixtures()}
    assert names == recognised, "fixture names must be <ShapeLocalName>.pass|fail[-what].ttl"
    shapes = set(named_node_shapes())
    assert {f.shape for f in fixtures()} <= shapes, "a fixture is named after no shape"


@pytest.mark.parametrize("shape", named_node_shapes(), ids=lambda s: s.split("#")[-1])
def test_every_node_shape_has_pass_and_fail_fixtures(shape: URIRef) -> None:
    kinds = {f.kind for f in fixtures() if f.shape == shape}
    assert kinds == {"pass", "fail"}, f"{shape} needs a .pass.ttl and a .fail.ttl fixture"


def test_base_fixture_conforms() -> None:
    data = Graph()
    data += ontology_graph()
    data.parse(FIXTURES / "_base.ttl")
    conforms, report = validate(data)
    assert conforms, result_tuples(report)


@pytest.mark.parametrize("fx", [f for f in fixtures() if f.kind == "pass"], ids=lambda f: f.id)
def test_pass_fixture_conforms(fx: Fixture) -> None:
    _, expected, _ = parse_fixture(fx)
    assert expected == set(), "a pass fixture expects no result"
    conforms, report = run_fixture(fx.path)
    assert result_tuples(report) == set()
    assert conforms


@pytest.mark.parametrize("fx", [f for f in fixtures() if f.kind == "fail"], ids=lambda f: f.id)
def test_fail_fixture_gives_exactly_the_expected_results(fx: Fixture) -> None:
    _, expected, _ = parse_fixture(fx)
    assert expected, "a fail fixture must list its expected results"
    conforms, report = run_fixture(fx.path)
    assert result_tuples(report) == expected
    violations = [r for r in results(report) if report.value(r, SH.resultSeverity) == SH.Violation]
    assert conforms is False
    assert bool(violations) == any(sev == SH.Violation for *_, sev in expected)
    for r in results(report):
        msg = report.value(r, SH.resultMessage)
        assert isinstance(msg, Literal) and msg.language == "en" and len(msg) > 20


def test_every_shape_fires_in_some_fail_fixture() -> None:
    """Not just the node shapes: every property shape, named or anonymous, is tripped by a fixture.

    pySHACL reports the shapes graph's own nodes (blank ones too) as sh:sourceShape."""
    fired = set()
    for fx in fixtures():
        if fx.kind == "fail":
            _, report = run_fixture(fx.path)
            fired.update(report.value(r, SH.sourceShape) for r in results(report))
    expected = {s for s in constraint_shapes() if reports_own_results(s)}
    never = expected - fired
    described = sorted(
        f"{shapes_graph().value(s, SH.path)} in {next(shapes_graph().subjects(SH.property, s), s)}"
        for s in never
    )
    assert not never, f"{len(never)} shapes never fire in a fail fixture: {described}"


# --------------------------------------------------------------------------- inference decision


def test_wrongly_typed_stance_is_caught_without_inference_and_hidden_by_rdfs() -> None:
    """The reason validation runs with inference "none": under RDFS inference the range axiom of
    skg:hasStance retypes the actor as a skg:Stance and the sh:class violation disappears."""
    fx = FIXTURES / "AuthorClaimShape.fail-stance-is-actor.ttl"
    g, _, _ = parse_fixture(next(f for f in fixtures() if f.path == fx))
    claim = SKGID["fx-claim-stance-actor"]
    data = Graph()
    data += ontology_graph()
    data.parse(FIXTURES / "_base.ttl")
    data += g

    _, plain = validate(data)
    plain_components = {
        c for f, p, c, _ in result_tuples(plain) if f == claim and p == SKG.hasStance
    }
    assert SH.ClassConstraintComponent in plain_components

    _, rdfs = validate(data, inference="rdfs")
    rdfs_components = {c for f, p, c, _ in result_tuples(rdfs) if f == claim and p == SKG.hasStance}
    assert SH.ClassConstraintComponent not in rdfs_components
    # the closed list still catches it, whatever the inference
    assert SH.InConstraintComponent in plain_components & rdfs_components


def test_ont_graph_inoculation_alone_would_miss_the_ontology_annotations() -> None:
    """Why the ontology is merged into the data graph instead of passed as pySHACL's ont_graph:
    inoculation copies class and property axioms but not skos:definition or the header, so the
    ontology shapes would report every term as undefined."""
    import pyshacl

    data = Graph()
    for path in sorted(data_dir().glob("*.ttl")):
        data.parse(path)
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none"
    )
    term_results = {
        report.value(r, SH.focusNode)
        for r in results(report)
        if report.value(r, SH.sourceShape) == SKGSH.ClassTermShape
    }
    assert SKG.Actor in term_results  # seen as undocumented: its skos:definition was not copied
    _, merged = validate(bundled_data_graph())  # merged: the known warnings only
    assert result_tuples(merged) == EXPECTED_DATA_WARNINGS
