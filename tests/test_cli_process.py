"""The spacekg command as a real process: exit codes, one-line errors, --debug tracebacks,
``python -m spacekg``, and the stored queries of the bundled graph."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from spacekg.query.catalogue import list_queries
from spacekg.query.engine import run_query
from spacekg.query.render import render

SPACEKG = [sys.executable, "-m", "spacekg"]


def spacekg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SPACEKG, *args], capture_output=True, text=True, env=os.environ.copy(), cwd=cwd
    )


def test_python_m_spacekg_help(cli_bundle: Path) -> None:
    out = spacekg("--help")
    assert out.returncode == 0
    for command in ("query", "export", "reason", "describe", "check"):
        assert command in out.stdout


def test_bad_turtle_one_line_no_traceback_then_debug(cli_bundle: Path) -> None:
    data = cli_bundle / "data" / "article.ttl"
    data.write_text(data.read_text() + "skgid:x skgid:y .\n")
    line = len(data.read_text().splitlines())
    plain = spacekg("query", "run", "agents")
    assert plain.returncode == 3
    assert plain.stdout == ""
    assert plain.stderr.startswith(f"spacekg: error: {data}:{line}:")
    assert len(plain.stderr.strip().splitlines()) == 1 and "Traceback" not in plain.stderr
    debug = spacekg("--debug", "query", "run", "agents")
    assert debug.returncode == 3 and "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1] == plain.stderr.strip()


def test_exit_codes_as_a_process(cli_bundle: Path) -> None:
    assert spacekg("query", "run", "agents").returncode == 0
    assert spacekg("query", "run", "nope").returncode == 3
    assert spacekg("query", "run").returncode == 2  # Click's usage error
    assert spacekg("query", "run", "label_lookup").returncode == 3
    assert spacekg("check").returncode == 1


def test_runs_from_another_folder(cli_bundle: Path, tmp_path: Path) -> None:
    out = spacekg("query", "run", "summits", "-f", "csv", cwd=tmp_path)
    assert out.returncode == 0 and "Japan" in out.stdout


BUNDLED = [q.name for q in list_queries()] if os.environ.get("SPACEKG_HOME") is None else []


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_query_runs_as_a_process(real_bundle: None, name: str) -> None:
    """Each stored query of the real graph, with its defaults: the process prints what the
    library returns (JSON results, compared whole)."""
    query = next(q for q in list_queries() if q.name == name)
    if any(p.needed for p in query.parameters):
        pytest.skip(f"{name} needs a parameter without a default")
    out = spacekg("query", "run", name, "-f", "json")
    assert out.returncode == 0, out.stderr
    assert out.stdout == render(run_query(name), "json")


def test_a_closed_pipe_is_not_an_error(real_bundle: None) -> None:
    """`spacekg export | head -c 10`: the reader leaves early; no 'internal error', exit 0."""
    proc = subprocess.Popen(
        [*SPACEKG, "export", "--format", "nquads", "--inferred"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10) == b"<https://w"
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 0, err
    assert "error" not in err


def test_python_m_spacekg_version(cli_bundle: Path) -> None:
    from spacekg import __version__

    out = spacekg("--version")
    assert out.returncode == 0 and out.stdout == f"spacekg, version {__version__}\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args", [["query", "run", "summits"], ["query", "list"], ["export"], ["check"]]
)
def test_a_failed_write_to_stdout_is_a_clean_error(cli_bundle: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        out = subprocess.run(
            [*SPACEKG, *args], stdout=full, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
        )
    assert out.returncode == 3, out.stderr
    # the first query may say on stderr that it builds its cache; the error is the last line
    assert out.stderr.splitlines()[-1] == (
        "spacekg: error: cannot write the output to stdout: No space left on device "
        "(free some space or send the output elsewhere)"
    )
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_construct_with_blank_nodes_gives_the_same_bytes_each_run(
    cli_bundle: Path, tmp_path: Path, fmt: str
) -> None:
    q = tmp_path / "selectors.rq"
    q.write_text(
        "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
        "CONSTRUCT { ?span oa:hasSelector [ oa:exact ?e ] ; oa:copy [ oa:exact ?e ] }\n"
        "WHERE { ?span oa:hasSelector/oa:exact ?e }\n"
    )
    first = spacekg("query", "run", str(q), "-f", fmt)
    second = spacekg("query", "run", str(q), "-f", fmt)
    assert first.returncode == 0, first.stderr
    assert "_:" in first.stdout or fmt == "jsonld"
    assert first.stdout == second.stdout
