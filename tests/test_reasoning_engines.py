"""reasonable (the default OWL RL engine) against owlrl (the reference): equal closures under
spacekg's filter, the schema rules reasonable lacks completed, and every inconsistency owlrl
reports found by spacekg's own checks (:mod:`spacekg.reasoning.consistency`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from spacekg.dataset import load_union
from spacekg.project import ontology_path
from spacekg.reasoning import inconsistencies, keep, reason
from spacekg.reasoning.closure import needs_owlrl, plain, reasonable_closure

FIXTURES = Path(__file__).parent / "fixtures"
REASONING = FIXTURES / "reasoning"
INCONSISTENT = sorted((REASONING / "inconsistent").glob("*.ttl"))
#: every Turtle fixture that parses on its own (some are broken on purpose)
DATA_FIXTURES = sorted(p for p in FIXTURES.rglob("*.ttl") if "inconsistent" not in p.parts)


def parse(*paths: Path) -> Graph | None:
    graph = Graph()
    try:
        for path in paths:
            graph.parse(path, format="turtle")
    except Exception:  # a fixture that is broken on purpose
        return None
    return graph


def both(graph: Graph) -> tuple[set[object], set[object]]:
    fast = set(reason(graph, "owlrl", "reasonable").inferred)
    ref = set(reason(graph, "owlrl", "owlrl").inferred)
    return fast, ref


def test_bundled_graph_equal_closures() -> None:
    fast, ref = both(load_union())
    assert len(ref) > 100
    assert fast == ref


@pytest.mark.slow
@pytest.mark.parametrize("fixture", DATA_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_with_the_ontology_equal_closures(fixture: Path) -> None:
    graph = parse(ontology_path(), fixture)
    if graph is None:
        pytest.skip(f"{fixture.name} does not parse (broken on purpose)")
    fast, ref = both(graph)
    assert fast == ref


def test_deep_hierarchy_needs_the_schema_rules_and_gets_them() -> None:
    graph = parse(REASONING / "deep-hierarchy.ttl")
    assert graph is not None
    fast, ref = both(graph)
    assert fast == ref
    raw = {(s, p, plain(o)) for s, p, o in reasonable_closure(list(graph))}
    raw = {t for t in raw if keep(t) and t not in graph}
    missing = ref - raw
    assert len(missing) >= 10, "the fixture no longer needs the schema rules"


def test_an_axiom_reasonable_lacks_falls_back_to_owlrl() -> None:
    graph = parse(REASONING / "property-chain.ttl")
    assert graph is not None
    assert needs_owlrl({str(p) for p in graph.predicates()}) == ["prp-spo2 (property chains)"]
    fast, ref = both(graph)
    assert fast == ref
    uncle = "https://example.org/uncleOf"
    assert any(str(p) == uncle for _s, p, _o in fast)


@pytest.mark.slow
def test_synthetic_data_equal_closures(tmp_path: Path) -> None:
    from benchmarks import generate

    folder = generate.ensure(10_000, tmp_path)
    graph = load_union()
    graph.parse(folder / "synthetic.ttl", format="turtle")
    fast, ref = both(graph)
    assert len(ref) > 2000
    assert fast == ref


@pytest.mark.parametrize("fixture", INCONSISTENT, ids=lambda p: p.stem)
def test_each_inconsistency_is_found_by_spacekg_own_check(fixture: Path) -> None:
    graph = parse(fixture)
    assert graph is not None
    rule = fixture.stem
    messages = inconsistencies(graph, engine="reasonable")
    assert any(m.startswith(rule + ": ") for m in messages), messages


@pytest.mark.parametrize("fixture", INCONSISTENT, ids=lambda p: p.stem)
def test_whatever_owlrl_reports_spacekg_reports(fixture: Path) -> None:
    graph = parse(fixture)
    assert graph is not None
    owlrl_says = inconsistencies(graph, engine="owlrl")
    ours = inconsistencies(graph, engine="reasonable")
    assert bool(ours) >= bool(owlrl_says)


def test_the_bundled_graph_is_consistent_for_both() -> None:
    graph = load_union()
    assert inconsistencies(graph, engine="reasonable") == []
    assert inconsistencies(graph, engine="owlrl") == []


@pytest.mark.parametrize("fixture", ["prp-pdw", "cls-nothing2", "cax-adc"])
def test_spacekg_check_fails_on_each(
    fixture: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacekg.project import bundle_root
    from spacekg.qc import run_checks

    monkeypatch.delenv("SPACEKG_HOME", raising=False)
    source = bundle_root()
    root = tmp_path / "bundle"
    for folder in ("ontology", "data", "queries", "seeds"):
        shutil.copytree(source / folder, root / folder)
    shutil.copy(REASONING / "inconsistent" / f"{fixture}.ttl", root / "data" / "zz-broken.ttl")
    monkeypatch.setenv("SPACEKG_HOME", str(root))
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(tmp_path / "cache"))
    report = run_checks()
    (outcome,) = [c for c in report.checks if c.name == "consistency"]
    assert not outcome.ok
    assert any(d.startswith(fixture + ": ") for d in outcome.details), outcome.details


def test_an_asserted_xsd_string_literal_is_not_reported_as_inferred() -> None:
    """reasonable returns "x"^^xsd:string, rdflib keeps it apart from "x": the same RDF term."""
    from rdflib import XSD, Literal, Namespace

    ex = Namespace("https://example.org/")
    graph = Graph()
    graph.add((ex.e, ex.stamp, Literal("2022-06", datatype=XSD.string)))
    graph.add((ex.e, ex.plain, Literal("words")))
    graph.add((ex.stamp, ex.note, Literal("a", lang="en")))
    fast, ref = both(graph)
    assert fast == ref == set()
