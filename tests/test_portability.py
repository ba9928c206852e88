"""The portability check (spacekg.query.portability) on fixtures that say what it must find, on
the stored queries (none), and in `spacekg check` and `spacekg query lint`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from spacekg.cli import main
from spacekg.query.portability import HINTS, lint_file, lint_queries, lint_text

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "portability").glob("*.rq"))


def _expected(path: Path) -> list[str]:
    match = re.search(r"^# expect:(.*)$", path.read_text(encoding="utf-8"), re.M)
    assert match, f"{path}: no '# expect:' line"
    return sorted(c.strip() for c in match.group(1).split(",") if c.strip())


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture(path: Path) -> None:
    found = lint_file(path)
    assert sorted(f.code for f in found) == _expected(path)
    for finding in found:
        assert finding.message.startswith(f"{path}:{finding.line}: {finding.code}: ")


def test_every_idiom_has_a_failing_fixture() -> None:
    covered = {code for path in FIXTURES for code in _expected(path)}
    assert covered == set(HINTS)


def test_the_stored_queries_are_portable() -> None:
    assert [f.message for f in lint_queries()] == []


def test_lines_are_the_query_lines() -> None:
    text = "SELECT DISTINCT ?x WHERE {\n  ?x a ?c .\n  ?c <http://x/p>* <http://x/C> .\n}\n"
    assert [(f.line, f.code) for f in lint_text(text, "q.rq")] == [(3, "transitive-path")]


def test_query_lint_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE { ?s <http://x/p>+ ?o }\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["query", "lint", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1: transitive-path" in result.output
    assert f"{bad}:1: select-without-distinct" in result.output
    clean = runner.invoke(main, ["query", "lint"])
    assert clean.exit_code == 0, clean.output


def test_query_list_notes_a_non_portable_query(cli_bundle: Path) -> None:
    (cli_bundle / "queries" / "bare.rq").write_text(
        "#+ summary: every subject\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["query", "list"])
    assert result.exit_code == 0
    assert "note: bare uses select-without-distinct" in result.output
