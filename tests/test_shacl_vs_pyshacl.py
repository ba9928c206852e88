"""pySHACL is the reference: the fast engines must report what it reports.

Compared per result: focus node, path, constraint component, severity and source shape (blank
focus nodes as "_", their labels differ between parsers), as a multiset. Inputs: every fixture of
tests/fixtures/shapes/ (added to its _base.ttl and the ontology, with the bundled shapes), every
fixture of tests/fixtures/shacl/ (shapes and data in one file), the bundled graph, and synthetic
data from the benchmark generator (also checked against its ground truth).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from spacekg.errors import InputError
from spacekg.project import data_dir, ontology_path, shapes_path
from spacekg.shacl.api import ShaclReport, report_to_turtle, validate_graph

HERE = Path(__file__).parent
SHAPES_FIXTURES = HERE / "fixtures" / "shapes"
SHACL_FIXTURES = HERE / "fixtures" / "shacl"
REPO = HERE.parent


def _key(report: ShaclReport) -> Counter[Any]:
    return Counter(
        (
            r.focus if r.focus.kind != "bnode" else "_",
            r.path,
            r.component,
            r.severity,
            r.source_shape,
        )
        for r in report.results
    )


def _assert_same(fast: ShaclReport, ref: ShaclReport) -> None:
    assert ref.engine == "pyshacl"
    a, b = _key(fast), _key(ref)
    assert a == b, (
        f"fast reports extra {sorted(map(repr, (a - b).elements()))}\n"
        f"fast misses {sorted(map(repr, (b - a).elements()))}"
    )
    assert fast.conforms == ref.conforms


def _data_files() -> list[Path]:
    return sorted(data_dir().glob("*.ttl"))


@pytest.mark.parametrize(
    "fixture",
    sorted(p for p in SHAPES_FIXTURES.glob("*.ttl") if p.name != "_base.ttl"),
    ids=lambda p: p.name,
)
def test_shapes_fixture_fast_equals_pyshacl(fixture: Path) -> None:
    data = [SHAPES_FIXTURES / "_base.ttl", fixture]
    fast = validate_graph(data, shapes_path(), ontology=ontology_path(), engine="fast")
    assert fast.engine == "fast"
    ref = validate_graph(data, shapes_path(), ontology=ontology_path(), engine="pyshacl")
    _assert_same(fast, ref)


@pytest.mark.parametrize("engine", ["fast", "auto"])
@pytest.mark.parametrize("fixture", sorted(SHACL_FIXTURES.glob("*.ttl")), ids=lambda p: p.name)
def test_shacl_fixture_engines_equal_pyshacl(fixture: Path, engine: str) -> None:
    fast = validate_graph(fixture, fixture, engine=engine)  # type: ignore[arg-type]
    ref = validate_graph(fixture, fixture, engine="pyshacl")
    assert ref.results, "each fixture is built to fail in several ways"
    _assert_same(fast, ref)


def test_bundled_graph_fast_equals_pyshacl() -> None:
    fast = validate_graph(_data_files(), shapes_path(), ontology=ontology_path())
    ref = validate_graph(_data_files(), shapes_path(), ontology=ontology_path(), engine="pyshacl")
    assert fast.engine == "fast"
    _assert_same(fast, ref)


def _generate(tmp_path: Path, size: int) -> Path:
    sys.path.insert(0, str(REPO))
    try:
        from benchmarks import generate as gen
    except ImportError as err:  # pragma: no cover - the harness is part of the repository
        pytest.skip(f"benchmarks.generate not importable: {err}")
    finally:
        sys.path.remove(str(REPO))
    out = tmp_path / "synthetic"
    gen.generate(size, out)
    return out


@pytest.mark.parametrize(("engine", "inference"), [("fast", "none"), ("fast", "rdfs")])
def test_synthetic_data_matches_pyshacl_and_ground_truth(
    tmp_path: Path, engine: str, inference: str
) -> None:
    out = _generate(tmp_path, 3_000)
    data = [out / "synthetic.nt", *_data_files()]
    kw: Any = {"ontology": ontology_path(), "inference": inference}
    fast = validate_graph(data, shapes_path(), engine=engine, **kw)  # type: ignore[arg-type]
    ref = validate_graph(data, shapes_path(), engine="pyshacl", **kw)
    _assert_same(fast, ref)
    truth = {
        (v["focus"], v["path"], v["component"])
        for v in json.loads((out / "violations.json").read_text())
    }
    assert truth, "the generator seeds violations"
    found = {
        (r.focus.value, r.path.strip("<>") if r.path else None, r.component)
        for r in fast.results
        if r.severity == "Violation"
    }
    assert found == truth


def test_turtle_input_equals_ntriples_input(tmp_path: Path) -> None:
    out = _generate(tmp_path, 1_000)
    a = validate_graph([out / "synthetic.ttl"], shapes_path(), ontology=ontology_path())
    b = validate_graph([out / "synthetic.nt"], shapes_path(), ontology=ontology_path())
    assert a.results == b.results and a.results


# --------------------------------------------------------------------------- fallback


SPARQL_SHAPES = """\
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:sparql [ sh:select
        "SELECT $this WHERE { $this <http://example.org/p> ?o FILTER(?o > 1) }" ] .
ex:a a ex:C ; ex:p 2 .
ex:b a ex:C ; ex:p 1 .
"""


def test_unsupported_shapes_fall_back_to_pyshacl(tmp_path: Path) -> None:
    f = tmp_path / "sparql.ttl"
    f.write_text(SPARQL_SHAPES)
    report = validate_graph(f, f, engine="auto")
    assert report.engine == "pyshacl"
    assert report.fallback_reason and "sh:sparql" in report.fallback_reason
    assert [r.focus.value for r in report.results] == ["http://example.org/a"]
    with pytest.raises(InputError, match="does not support"):
        validate_graph(f, f, engine="fast")


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_inference_is_the_same_for_every_engine(inference: str) -> None:
    """Regression: OWL RL used to be delegated to pySHACL's own inference (engine "auto")."""
    f = SHACL_FIXTURES / "logic.ttl"
    reports = {
        e: validate_graph(f, f, inference=inference, engine=e)  # type: ignore[arg-type]
        for e in ("auto", "fast", "pyshacl")
    }
    assert reports["auto"].engine == "fast" and reports["auto"].fallback_reason is None
    for e in ("auto", "fast"):
        _assert_same(reports[e], reports["pyshacl"])


@pytest.mark.parametrize("engine", ["auto", "fast", "pyshacl"])
@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_inference_never_validates_the_owl_vocabulary(engine: str, inference: str) -> None:
    """Regression: with OWL RL, owlrl's axioms typed owl:Thing / owl:Nothing as owl:Class, so
    the ontology shapes reported them (10 violations on the bundled graph)."""
    report = validate_graph(
        _data_files(), shapes_path(), ontology=ontology_path(), inference=inference, engine=engine
    )  # type: ignore[arg-type]
    w3c = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#")
    assert not [r for r in report.results if r.focus.value.startswith(w3c)]
    assert report.violations == 0, [r.focus.value for r in report.results]


def test_rdfs_entailments_match_pyshacl_own_rdfs_inference() -> None:
    """pySHACL stays the reference for inference too: on a fixture whose shapes target only
    its own classes, its built-in RDFS inference finds what our filtered entailments find."""
    import pyshacl
    from rdflib import Graph, URIRef

    f = SHACL_FIXTURES / "logic.ttl"
    ours = validate_graph(f, f, inference="rdfs", engine="fast")
    _conforms, report, _ = pyshacl.validate(
        Graph().parse(f), shacl_graph=Graph().parse(f), inference="rdfs"
    )
    sh = "http://www.w3.org/ns/shacl#"
    theirs: Counter[Any] = Counter()
    for r in report.objects(None, URIRef(sh + "result")):
        focus = report.value(r, URIRef(sh + "focusNode"))
        comp = report.value(r, URIRef(sh + "sourceConstraintComponent"))
        theirs[(str(focus) if isinstance(focus, URIRef) else "_", str(comp))] += 1
    mine = Counter(
        (r.focus.value if r.focus.kind == "uri" else "_", r.component) for r in ours.results
    )
    assert mine and mine == theirs


# --------------------------------------------------------------------------- regressions

RANGE = """\
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:placeOf rdfs:range ex:Place .
ex:S a sh:NodeShape ; sh:targetClass ex:Event ;
    sh:property [ sh:path ex:placeOf ; sh:class ex:Place ] ;
    sh:property [ sh:path ex:start ; sh:datatype xsd:nonNegativeInteger ] .
ex:e a ex:Event ; ex:placeOf ex:usa ; ex:start "01"^^xsd:nonNegativeInteger .
ex:usa a ex:State .
"""


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_wrongly_typed_link_is_caught_without_inference(tmp_path: Path, engine: str) -> None:
    """The REFERENCE pitfall: a range axiom must not retype a wrong link (inference none)."""
    f = tmp_path / "range.ttl"
    f.write_text(RANGE)
    report = validate_graph(f, f, engine=engine)  # type: ignore[arg-type]
    assert [(r.focus.value, r.component.rsplit("#")[1]) for r in report.results] == [
        ("http://example.org/e", "ClassConstraintComponent")
    ]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_derived_integer_datatype_survives_loading(tmp_path: Path, engine: str) -> None:
    """Regression: oxigraph's store turns xsd:nonNegativeInteger into xsd:integer."""
    f = tmp_path / "range.ttl"
    f.write_text(RANGE)
    report = validate_graph(f, f, engine=engine)  # type: ignore[arg-type]
    assert not [r for r in report.results if "Datatype" in r.component]


def test_load_into_keeps_derived_datatypes_of_every_spelling(tmp_path: Path) -> None:
    """Regression: prefixed names (@prefix and PREFIX, any prefix) and full IRIs all survive."""
    import pyoxigraph as ox

    from spacekg.shacl.api import load_into, read_triples

    f = tmp_path / "spell.ttl"
    f.write_text(
        "@prefix x: <http://www.w3.org/2001/XMLSchema#> .\n"
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        '<http://a> <http://p> "1"^^x:byte, "2"^^xsd:nonNegativeInteger,\n'
        '  "3"^^<http://www.w3.org/2001/XMLSchema#int>, "4"^^x:integer, "5"^^x:int.\n'
    )
    store = ox.Store()
    load_into(store, f)
    got = sorted(
        (o.value, o.datatype.value.rsplit("#")[1]) for _s, _p, o in read_triples(store, None)
    )
    assert got == [
        ("1", "byte"),
        ("2", "nonNegativeInteger"),
        ("3", "int"),
        ("4", "integer"),
        ("5", "int"),
    ]


def test_datatype_text_inside_a_string_is_refused_not_corrupted(tmp_path: Path) -> None:
    import pyoxigraph as ox

    from spacekg.shacl.api import load_into, read_triples

    f = tmp_path / "text.ttl"
    f.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://a> <http://q> "^^xsd:byte" , "7"^^xsd:byte .\n'
    )
    store = ox.Store()
    load_into(store, f)
    with pytest.raises(InputError, match="datatype written as text"):
        list(read_triples(store, None))
    # from the file itself the fast engine parses without a store: intact
    assert any(o.value == "^^xsd:byte" for _s, _p, o in read_triples(f, None))


def test_ill_formed_gyear_is_a_datatype_violation(tmp_path: Path) -> None:
    """A known, deliberate difference: pySHACL (rdflib) does not check xsd:gYear lexically."""
    f = tmp_path / "gyear.ttl"
    f.write_text(
        "@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ;"
        " sh:property [ sh:path ex:y ; sh:datatype xsd:gYear ] .\n"
        'ex:a ex:y "2021"^^xsd:gYear , "twenty"^^xsd:gYear .\n'
    )
    report = validate_graph(f, f, engine="fast")
    assert [r.value.value for r in report.results if r.value] == ["twenty"]


# --------------------------------------------------------------------------- report and errors


def test_report_to_turtle_is_a_deterministic_shacl_report() -> None:
    from rdflib import Graph, Namespace

    f = SHACL_FIXTURES / "logic.ttl"
    report = validate_graph(f, f)
    text = report_to_turtle(report)
    assert text == report_to_turtle(validate_graph(f, f))
    g = Graph().parse(data=text, format="turtle")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    assert len(set(g.objects(None, sh.result))) == len(report.results)
    assert (None, sh.conforms, None) in g
    paths = {str(p) for p in g.objects(None, sh.resultPath)}
    assert "http://example.org/member" in paths


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("", "empty.ttl", "empty"),
        (
            "@prefix ex: <http://e/> .\nex:a ex:b .\n",
            "bad.ttl",
            r"bad\.ttl:2:\d+: Turtle syntax error: .* \(fix the file\)",
        ),
        ("<http://e/a> <http://e/b> <http://e/c> .", "data.csv", "cannot tell the RDF format"),
    ],
)
def test_bad_data_is_one_clear_input_error(
    tmp_path: Path, content: str, name: str, message: str
) -> None:
    f = tmp_path / name
    f.write_text(content)
    for engine in ("fast", "pyshacl"):
        with pytest.raises(InputError, match=message):
            validate_graph(f, SHACL_FIXTURES / "paths.ttl", engine=engine)  # type: ignore[arg-type]


def test_non_utf8_data_is_an_input_error(tmp_path: Path) -> None:
    f = tmp_path / "latin1.ttl"
    f.write_bytes('<http://e/a> <http://e/b> "caf\u00e9" .\n'.encode("latin-1"))
    with pytest.raises(InputError):
        validate_graph(f, SHACL_FIXTURES / "paths.ttl")
