"""Our own checks and the line index run beside SHACL in a forked process (validate/beside.py):
the findings are the same as when they run in this process, and a process that dies is
replaced by the same work done here."""

from __future__ import annotations

from pathlib import Path

import pytest
from beside_utils import record_starts
from hypothesis import given, settings
from hypothesis import strategies as st

from spacekg.validate import api, beside, locate

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
CASES = sorted(p.name for p in FIXTURES.glob("*.ttl") if p.name != "shapes.ttl")


def findings(files: list[Path]) -> list[tuple[object, ...]]:
    report = api.validate(files)
    return [
        (f.file, f.line, f.severity, f.focus, f.path, f.message, f.hint, f.value)
        for f in report.findings
    ]


def findings_in_one_process(files: list[Path], monkeypatch: pytest.MonkeyPatch) -> object:
    """The findings with the checks in this process; FORK is on again afterwards."""
    monkeypatch.setattr(beside, "FORK", False)
    expected = findings(files)
    monkeypatch.setattr(beside, "FORK", True)
    return expected


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records, per validate, whether a checking process was started."""
    return record_starts(monkeypatch, lambda b: b._proc is not None)


@pytest.mark.parametrize("name", CASES)
def test_the_forked_checks_find_what_the_threaded_ones_find(
    name: str, monkeypatch: pytest.MonkeyPatch, started: list[bool]
) -> None:
    files = [FIXTURES / name]
    monkeypatch.setattr(beside, "FORK", True)
    forked = findings(files)
    assert started == [True]
    monkeypatch.setattr(beside, "FORK", False)
    assert findings(files) == forked
    assert started == [True]  # no process the second time
    assert forked or name == "links-existing.ttl"  # the one fixture with nothing to report


def test_a_checking_process_that_dies_is_replaced_by_the_same_work_here(
    monkeypatch: pytest.MonkeyPatch, started: list[bool]
) -> None:
    import os

    files = [FIXTURES / "new-errors.ttl"]
    expected = findings_in_one_process(files, monkeypatch)
    parent, real = os.getpid(), locate.first_lines

    def crash(src: locate.Source) -> dict[bytes, int]:
        if os.getpid() == parent:
            return real(src)
        raise MemoryError  # in the child, after it sent the issues

    monkeypatch.setattr(locate, "first_lines", crash)
    # the child indexes the files (else this process would, having finished first)
    monkeypatch.setattr(beside.Beside, "checks_done", lambda self: True)
    assert findings(files) == expected
    assert started == [True]


def test_first_lines_agrees_with_the_locator_for_every_form(tmp_path: Path) -> None:
    f = tmp_path / "x.ttl"
    f.write_text(
        "@prefix ex: <https://example.org/> .\n"
        'ex:a ex:p """a long\nstring with ex:b in it""" ;\n'
        "  ex:q <https://example.org/c> . # ex:d in a comment\n"
        "ex:d ex:p \"https://example.org/e\", 'ex:f' .\n"
        "ex:b ex:p ex:c .\n"
        '<rdf:Description rdf:about="&skgid;x">\n'
    )
    src = locate.Source(f, str(f), "urn:g", new=True)
    index = locate.first_lines(src)
    forms = ["ex:a", "ex:b", "<https://example.org/c>", "ex:c", "ex:d", '"https://example.org/e"']
    forms += ["'ex:f'", "ex:nowhere", '"&skgid;x"']
    loc = locate.Locator([src], None)  # type: ignore[arg-type]
    loc.index(src, set(forms))
    assert src._index is not None
    assert {f: index.get(f.encode(), 0) for f in forms} == {f: src._index[f] for f in forms}
    assert index[b"ex:b"] == 6 and index[b"ex:d"] == 5  # not in the string, not in the comment


def test_a_baseline_that_fails_in_the_checking_process_is_computed_here(
    monkeypatch: pytest.MonkeyPatch, started: list[bool]
) -> None:
    import os

    from spacekg.validate import baseline

    files = [FIXTURES / "breaks-existing.ttl"]
    expected = findings_in_one_process(files, monkeypatch)
    parent, real = os.getpid(), baseline.context_results

    def only_here(*args: object) -> object:
        if os.getpid() != parent:
            raise OSError("the cache is unreadable in the child")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(baseline, "context_results", only_here)
    assert findings(files) == expected
    assert started == [True]


def test_jobs_chooses_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(beside, "FORK", True)
    sources = [locate.Source(FIXTURES / "new-errors.ttl", "x", "urn:g", new=True)]
    assert beside.forks(sources, 2) and not beside.forks(sources, 1)
    assert beside.forks(sources, None)  # a small file
    monkeypatch.setattr(beside, "AUTO_FORK_BYTES", 10)
    assert not beside.forks(sources, None) and beside.forks(sources, 2)
    monkeypatch.setattr(beside, "FORK", False)  # not Linux
    assert not beside.forks(sources, 2)


def test_the_jobs_option_changes_nothing_in_the_report() -> None:
    from click.testing import CliRunner

    from spacekg.cli import main

    args = ["validate", str(FIXTURES / "new-errors.ttl"), "--format", "json"]
    outputs = {jobs: CliRunner().invoke(main, [*args, "--jobs", jobs]) for jobs in ("1", "2")}
    assert outputs["1"].exit_code == outputs["2"].exit_code == 1
    assert outputs["1"].stdout == outputs["2"].stdout
    bad = CliRunner().invoke(main, [*args, "--jobs", "3"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("done", [True, False], ids=["checks-done-first", "shapes-done-first"])
def test_whichever_process_is_idle_indexes_the_files_and_the_lines_are_the_same(
    done: bool, monkeypatch: pytest.MonkeyPatch, started: list[bool]
) -> None:
    """After the shapes: if the checks are still running, this process indexes the new files
    itself (and tells the other one not to); else the other one does, as it then has time."""
    import os

    files = [FIXTURES / "new-errors.ttl"]
    expected = findings_in_one_process(files, monkeypatch)
    here, real = os.getpid(), beside.line_index
    indexed_here: list[bool] = []

    def spy(sources: list[locate.Source]) -> object:
        if os.getpid() == here:
            indexed_here.append(True)
        return real(sources)

    monkeypatch.setattr(beside, "line_index", spy)
    monkeypatch.setattr(beside.Beside, "checks_done", lambda self: done)
    assert findings(files) == expected
    assert started == [True] and indexed_here == ([] if done else [True])


_PIECES = [
    "_:b1", "ex:a", ":x", "a", "<http://x/y>", '"s:t"', "'q'", '"""long\nstring"""', "'''l'''",
    "# note", "\n", " ", ".", ";", "-", "%", "&", '"', "'", "<", ">", "\\", "é", "0", "[", "(",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_the_token_guard_skips_only_where_no_token_starts(pieces: list[str]) -> None:
    import re

    data = "".join(pieces).encode()
    assert locate._TOKEN_NL.findall(data) == re.compile(locate._UNGUARDED_NL).findall(data)
