"""The SPARQL checks in queries/checks/: silent on the bundled graph, firing on broken fixtures.

Each check ``queries/checks/NAME.rq`` has a fixture ``tests/fixtures/checks/NAME.ttl`` made to
break it; the fixture's ``# expect: <IRI>`` lines list exactly the focus nodes the check must
report. Fixtures are loaded together with the ontology (and nothing else). Every check runs on
rdflib and on pyoxigraph (the default engine's store) and both must agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from golden_utils import reference_graph
from rdflib import Graph

from spacekg.project import graph_sources, ontology_path, queries_dir
from spacekg.query.catalogue import load_query
from spacekg.query.engine import default_backend, run_query

CHECKS = sorted((queries_dir() / "checks").glob("*.rq"))
FIXTURES = Path(__file__).parent / "fixtures" / "checks"
HEADER_KEYS = ("summary", "description", "tags")


def focus_rdflib(graph: Graph, sparql: str) -> set[str]:
    return {str(row[0]) for row in graph.query(sparql)}


def focus_oxigraph(paths: list[Path], sparql: str) -> set[str]:
    store = ox.Store()
    for path in paths:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return {sol[0].value for sol in store.query(sparql)}


def expected_focus(fixture: Path) -> set[str]:
    return set(re.findall(r"^# expect: <([^>]+)>", fixture.read_text(encoding="utf-8"), re.M))


@pytest.fixture(scope="module")
def backend():  # type: ignore[no-untyped-def]
    return default_backend()


@pytest.fixture(scope="module")
def asserted() -> Graph:
    g = Graph()
    for source in graph_sources():
        g.parse(source.path, format="turtle")
    return g


def test_there_are_checks() -> None:
    names = {p.stem for p in CHECKS}
    for required in (
        "claim-proposition-leak",
        "duplicate-labels",
        "node-without-evidence",
        "span-selectors",
        "undefined-terms",
    ):
        assert required in names


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_header(check: Path) -> None:
    text = check.read_text(encoding="utf-8")
    header = [line[3:] for line in text.splitlines() if line.startswith("#+ ")]
    keys = {line.split(":", 1)[0] for line in header if not line.startswith(" ")}
    assert set(HEADER_KEYS) <= keys
    assert "  - check" in header
    for line in header:  # YAML plain scalars: no ': ' or ' #' inside a value
        value = line.split(": ", 1)[1] if ": " in line else ""
        assert ": " not in value and " #" not in value, line
    assert re.search(r"SELECT\s+(DISTINCT\s+)?\?focus\b", text), "first column is ?focus"


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_is_silent_on_the_bundled_graph(check: Path, asserted: Graph) -> None:
    sparql = check.read_text(encoding="utf-8")
    rows = [tuple(str(t) for t in r) for r in asserted.query(sparql)]
    assert rows == [], f"{check.stem} fires on the bundled data:\n" + "\n".join(map(str, rows))
    paths = [s.path for s in graph_sources()]
    assert focus_oxigraph(paths, sparql) == set()


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_is_silent_on_the_closure(check: Path) -> None:
    """Queries see the OWL RL entailments: the checks must not fire on inferred triples."""
    rows = focus_rdflib(reference_graph(), check.read_text(encoding="utf-8"))
    assert rows == set(), f"{check.stem} fires on the OWL RL closure: {sorted(rows)}"


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_is_silent_on_the_default_engine(check: Path, backend) -> None:  # type: ignore[no-untyped-def]
    """The way `spacekg check` runs them: pyoxigraph over ontology + data + kept inferences."""
    result = run_query(load_query(check), backend=backend)
    assert result.rows == ()


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_fires_on_its_fixture(check: Path) -> None:
    fixture = FIXTURES / f"{check.stem}.ttl"
    assert fixture.is_file(), f"no fixture {fixture.name} made to break {check.name}"
    expected = expected_focus(fixture)
    assert expected, f"{fixture.name} lists no '# expect: <IRI>' lines"
    sparql = check.read_text(encoding="utf-8")
    g = Graph()
    g.parse(ontology_path(), format="turtle")
    g.parse(fixture, format="turtle")
    assert focus_rdflib(g, sparql) == expected
    assert focus_oxigraph([ontology_path(), fixture], sparql) == expected


def test_every_fixture_has_a_check() -> None:
    assert {p.stem for p in FIXTURES.glob("*.ttl")} == {p.stem for p in CHECKS}
