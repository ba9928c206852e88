"""spacekg check (qc.run_checks): passes on the bundled graph, and each check fails when its
own kind of damage is done to a copy of the bundle."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from spacekg.project import bundle_root
from spacekg.qc import QcReport, run_checks

NAMES = ["parse", "spans", "coverage", "consistency", "shapes", "checks", "portability"]


@pytest.fixture
def bundle_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the repository's bundled graph."""
    monkeypatch.delenv("SPACEKG_HOME", raising=False)
    source = bundle_root()
    root = tmp_path / "bundle"
    for folder in ("ontology", "data", "queries", "seeds"):
        shutil.copytree(source / folder, root / folder)
    monkeypatch.setenv("SPACEKG_HOME", str(root))
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(tmp_path / "cache"))
    return root


def outcome(report: QcReport, name: str) -> tuple[bool, str, tuple[str, ...]]:
    (c,) = [c for c in report.checks if c.name == name]
    return c.ok, c.summary, c.details


def test_the_bundled_graph_passes(bundle_copy: Path) -> None:
    lines: list[str] = []
    report = run_checks(progress=lines.append)
    assert [c.name for c in report.checks] == NAMES
    failed = [line for line in lines if not line.startswith("ok")]
    assert report.ok, "\n".join(failed)
    assert len(lines) == len(NAMES)  # one line per check when all pass
    spans = len(re.findall(r"oa:exact", (bundle_copy / "data" / "spans.ttl").read_text()))
    assert f"spans match the seed ({spans} spans)" in lines[1]


def test_a_turtle_error_fails_parse_and_names_the_place(bundle_copy: Path) -> None:
    target = bundle_copy / "data" / "places.ttl"
    lines = target.read_text().splitlines()
    lines.append('skgid:broken rdfs:label "unterminated .')
    target.write_text("\n".join(lines) + "\n")
    report = run_checks()
    ok, summary, details = outcome(report, "parse")
    assert not ok and summary == "1 file does not parse"  # singular: not "1 file do"
    assert any(re.search(rf"places\.ttl:{len(lines)}:\d+: Turtle syntax error", d) for d in details)
    for name in ("spans", "coverage", "consistency", "shapes", "checks"):
        ok, summary, _ = outcome(report, name)
        assert not ok and "not checked" in summary
    assert not report.ok


def test_a_moved_span_fails_the_span_check(bundle_copy: Path) -> None:
    spans = bundle_copy / "data" / "spans.ttl"
    text = spans.read_text()
    first_start = re.search(r'oa:start "(\d+)"', text)
    assert first_start
    moved = text.replace(first_start.group(0), f'oa:start "{int(first_start.group(1)) + 1}"', 1)
    spans.write_text(moved)
    report = run_checks()
    ok, summary, details = outcome(report, "spans")
    assert not ok and "span problem" in summary
    assert details
    assert outcome(report, "parse")[0]


def test_an_inconsistency_fails_consistency(bundle_copy: Path) -> None:
    data = bundle_copy / "data" / "places.ttl"
    data.write_text(
        data.read_text()
        + "\n<https://w3id.org/spacekg/id/japan> a <https://w3id.org/spacekg/ontology#Place> .\n"
    )
    ok, summary, details = outcome(run_checks(), "consistency")
    assert not ok and "inconsistent" in summary
    assert any("japan" in d for d in details)


def test_a_check_query_with_rows_fails(bundle_copy: Path) -> None:
    check = bundle_copy / "queries" / "checks" / "zz-always.rq"
    check.write_text(
        "#+ summary: fires on every state\n#+ tags:\n#+   - check\n"
        "SELECT ?focus WHERE { ?focus a <https://w3id.org/spacekg/ontology#State> }\n"
    )
    ok, summary, details = outcome(run_checks(), "checks")
    assert not ok and "returned rows" in summary
    assert details[0].startswith("zz-always: ")
    assert any("skgid:japan" in d for d in details)


def test_a_shape_violation_fails_shapes(bundle_copy: Path) -> None:
    data = bundle_copy / "data" / "places.ttl"
    data.write_text(
        data.read_text() + "\n<https://w3id.org/spacekg/id/unlabelled-person>"
        " a <http://xmlns.com/foaf/0.1/Person> .\n"
    )
    ok, summary, _details = outcome(run_checks(), "shapes")
    assert not ok and "does not conform" in summary


def test_a_non_portable_stored_query_fails_portability(bundle_copy: Path) -> None:
    query = bundle_copy / "queries" / "events.rq"
    text = query.read_text(encoding="utf-8")
    query.write_text(text.replace("?event a ?class ;", "?event a/rdfs:subClassOf* ?class ;"))
    line = text[: text.index("?event a ?class ;")].count("\n") + 1
    report = run_checks()
    outcome = next(c for c in report.checks if c.name == "portability")
    assert not outcome.ok
    assert outcome.details and f"events.rq:{line}: transitive-path" in outcome.details[0]
