"""Workspaces: `spacekg init`, discovery of spacekg.toml, --root, the read-only bundled graph."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from spacekg.cli import main
from spacekg.curation.workspace import init_workspace, record_source
from spacekg.project import (
    WORKSPACE_FILE,
    find_workspace,
    graph_sources,
    packaged_bundle,
    resolve_workspace,
    use_workspace,
)

REPO = Path(__file__).resolve().parents[1]
NOTE = REPO / "tests" / "fixtures" / "curation" / "example-note.txt"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder outside any workspace, as the current folder; SPACEKG_HOME unset."""
    monkeypatch.delenv("SPACEKG_HOME", raising=False)
    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    assert find_workspace(here) is None
    return here


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts
    }


def test_init_copies_the_bundled_graph_and_writes_the_marker(outside: Path) -> None:
    code, _, err = run("init", "kg")
    assert code == 0, err
    kg = outside / "kg"
    config = (kg / WORKSPACE_FILE).read_text(encoding="utf-8")
    assert 'name = "kg"' in config and '"000_79e2981d098d05f9.txt",' in config
    bundle = packaged_bundle()
    for folder in ("ontology", "data", "queries", "seeds"):
        assert (kg / folder).is_dir()
        for path in (bundle / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                copy = kg / path.relative_to(bundle)
                assert copy.read_bytes() == path.read_bytes(), copy
    assert not list(outside.glob(".kg.*"))  # the build folder is gone


@pytest.mark.parametrize("content", ["file", "folder"])
def test_init_refuses_a_folder_that_is_not_empty(outside: Path, content: str) -> None:
    target = outside / "kg"
    target.mkdir()
    (target / "mine").mkdir() if content == "folder" else (target / "mine.txt").write_text("x")
    before = tree_digest(target)
    code, _, err = run("init", "kg")
    assert code == 3
    assert err.startswith("spacekg: error: kg: the folder is not empty")
    assert tree_digest(target) == before and sorted(p.name for p in target.iterdir()) == [
        "mine" + (".txt" if content == "file" else "")
    ]


def test_init_into_an_empty_folder_and_a_new_nested_one(outside: Path) -> None:
    (outside / "empty").mkdir()
    assert run("init", "--empty", "empty")[0] == 0
    assert run("init", "--empty", "a/b/c")[0] == 0
    for kg in (outside / "empty", outside / "a/b/c"):
        assert not list((kg / "data").iterdir()) and not list((kg / "seeds").iterdir())
        assert (kg / "ontology" / "shapes.ttl").is_file()
        assert list((kg / "queries" / "checks").glob("*.rq"))


def test_an_empty_workspace_checks_green(outside: Path) -> None:
    init_workspace(outside / "e", empty=True)
    code, out, err = run("--root", "e", "check")
    assert code == 0, out + err
    assert "all 7 checks passed" in err
    assert "data conforms to the shapes (fast)" in out


def test_commands_act_on_the_workspace_they_stand_in(
    outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_workspace(outside / "kg")
    deep = outside / "kg" / "notes" / "deeper"
    deep.mkdir(parents=True)
    for where in (outside / "kg", deep):
        monkeypatch.chdir(where)
        ws = resolve_workspace()
        assert ws.root == outside / "kg" and ws.origin == "spacekg.toml" and not ws.read_only
        code, out, _ = run("status")
        assert code == 0 and f"root:     {outside / 'kg'}\n" in out
    monkeypatch.chdir(outside)
    ws = resolve_workspace()
    assert ws.origin == "bundled" and ws.read_only and ws.root == packaged_bundle()
    assert run("--root", "kg", "status")[1].splitlines()[1] == f"root:     {outside / 'kg'}"
    code, out, _ = run("status")
    assert "(read-only)" in out and "spacekg init DIR" in out


def test_root_beats_the_workspace_one_stands_in_and_spacekg_home_is_reported(
    outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_workspace(outside / "a", empty=True)
    init_workspace(outside / "b")
    monkeypatch.chdir(outside / "a")
    assert resolve_workspace("../b").root == Path("../b")
    monkeypatch.setenv("SPACEKG_HOME", str(outside / "b"))
    ws = resolve_workspace()
    assert ws.root == outside / "b" and ws.shadowed == outside / "a"
    out = run("status")[1]
    assert "chosen:   named by SPACEKG_HOME" in out
    assert f"note:     the workspace at {outside / 'a'} is not in use" in out


def test_a_missing_root_is_an_error_not_a_fall_back(outside: Path) -> None:
    code, _, err = run("--root", "nowhere", "status")
    assert code == 3 and err.startswith("spacekg: error: --root nowhere: no such folder")


def test_the_command_root_option_is_the_global_one(outside: Path) -> None:
    init_workspace(outside / "kg")
    code, out, err = run("excerpt", "--root", "kg", "000_79e2981d098d05f9.txt", "Black Skies")
    assert code == 0, err
    assert run("--root", "kg", "excerpt", "000_79e2981d098d05f9.txt", "Black Skies")[1] == out
    init_workspace(outside / "other", empty=True)
    code, _, err = run("--root", "other", "validate", "--root", "kg")
    assert code == 2 and "--root is given twice" in err


def test_writing_into_the_bundled_graph_is_refused(outside: Path) -> None:
    before = tree_digest(packaged_bundle())
    code, out, err = run(
        "source", "add", str(NOTE), "--url", "https://example.org/n", "--author", "A"
    )
    assert code == 3, out + err
    assert "is the graph bundled with spacekg and is never written to" in err
    assert "run `spacekg init DIR` first" in err
    assert tree_digest(packaged_bundle()) == before


def test_source_add_lists_the_new_text_in_spacekg_toml(outside: Path) -> None:
    init_workspace(outside / "kg", empty=True)
    args = ("--root", "kg", "source", "add", str(NOTE), "--url", "https://example.org/n")
    code, _, err = run(*args, "--author", "A. Writer")
    assert code == 0, err
    assert f"wrote kg/{WORKSPACE_FILE}" in err
    config = (outside / "kg" / WORKSPACE_FILE).read_text(encoding="utf-8")
    assert 'sources = [\n    "example-note.txt",\n]\n' in config
    assert "# the source texts in seeds/" in config  # the comments are kept
    assert not record_source(outside / "kg", "example-note.txt")  # listed once
    out = run("--root", "kg", "status")[1]
    assert "sources:  1 text(s) in seeds/: example-note.txt" in out and "warning" not in out


def test_each_workspace_has_its_own_cache_key_and_answers(
    outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacekg.query import cache, engine
    from spacekg.query.engine import cache_key, run_query

    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(tmp_path / "cache"))
    builds: list[int] = []
    real_build = engine.build_nquads

    def counting(*args: object, **kwargs: object) -> bytes:
        builds.append(1)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "build_nquads", counting)

    init_workspace(outside / "a", empty=True)
    init_workspace(outside / "b", empty=True)
    extra = (
        "@prefix skgid: <https://w3id.org/spacekg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'skgid:only-in-b rdfs:label "only in b"@en .\n'
    )
    (outside / "b" / "data" / "extra.ttl").write_text(extra, encoding="utf-8")
    ask = "ASK { <https://w3id.org/spacekg/id/only-in-b> ?p ?o }"
    answers = {}
    keys = {}
    for name in ("a", "b", "a"):
        with use_workspace(resolve_workspace(outside / name)):
            keys[name] = cache_key(graph_sources())
            answers[name] = run_query(ask).boolean
    assert keys["a"] != keys["b"]
    assert answers == {"a": False, "b": True}
    assert len(builds) == 2  # back in a: its cache is still there
    assert len(list((tmp_path / "cache" / cache.CACHE_FOLDER).glob("graph-*.nq"))) == 2
    (outside / "b" / "data" / "extra.ttl").write_text(extra + "# changed\n", encoding="utf-8")
    with use_workspace(resolve_workspace(outside / "b")):
        assert run_query(ask).boolean
    assert len(builds) == 3
    assert (
        len(list((tmp_path / "cache" / cache.CACHE_FOLDER).glob("graph-*.nq"))) == 2
    )  # b's stale one is gone


def test_validate_and_check_give_one_verdict(real_bundle: None) -> None:
    code, out, _ = run("validate")
    assert code == 0
    summary = out.splitlines()[-1]
    assert summary.startswith("conforms, with 2 warnings in ")
    code, out, _ = run("check")
    assert code == 0
    assert "ok    data conforms to the shapes, with 2 warnings (fast)\n" in out


def test_a_slow_cache_build_is_said_on_stderr(
    cli_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacekg.query import cache

    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(tmp_path / "fresh-cache"))
    monkeypatch.setattr(cache, "SLOW_BUILD_SECONDS", 0.0)
    code, _, err = run("query", "run", "agents")
    assert code == 0
    assert "spacekg: building the query cache (once after install or a change" in err
    assert "spacekg: query cache built in " in err
    code, _, err = run("query", "run", "agents")  # cached now: nothing to say
    assert code == 0 and "cache" not in err


@pytest.mark.parametrize(
    "command",
    [("describe",), ("diff",), ("reason",), ("check",), ("init",), ("status",), ("validate",),
     ("excerpt",), ("source", "add"), ("export",), ("query", "run")],
)  # fmt: skip
def test_help_says_what_a_command_is_for_with_an_example(command: tuple[str, ...]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert re.search(r"\n  Examples?:\n    spacekg ", out), out


def test_reason_help_says_what_each_profile_does() -> None:
    out = run("reason", "--help")[1]
    assert "rdfs: subclass, subproperty, domain and" in out and "owlrl: the OWL 2 RL" in out


def test_diff_compares_with_the_data_of_the_graph_in_use(outside: Path) -> None:
    init_workspace(outside / "kg", empty=True)
    before = outside / "before"
    before.mkdir()
    assert run("--root", "kg", "diff", str(before))[0] == 0  # both empty
    (outside / "kg" / "data" / "new.ttl").write_text(
        '<https://w3id.org/spacekg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
    )
    code, out, _ = run("--root", "kg", "diff", str(before))
    assert code == 1 and "# added: 1 triple(s)" in out


def test_load_says_the_wall_time_of_the_whole_command(cli_bundle: Path, tmp_path: Path) -> None:
    """Regression: `load` printed the store-write time only (0.7 s for a command of 8.7 s)."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "spacekg", "load", "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    m = re.search(r" in (\d+\.\d) s \(of which writing the store (\d+\.\d) s\)\n$", proc.stderr)
    assert m, proc.stderr
    assert float(m.group(1)) >= float(m.group(2))
    assert float(m.group(1)) > 0  # start-up and imports alone take more than 0.05 s
