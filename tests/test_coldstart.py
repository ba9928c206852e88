"""What `spacekg query run NAME --store DIR` imports: only what that path needs.

A cold start is mostly imports, so the modules the path must not load are named here and checked
in a fresh process (``sys.modules`` after the command ran). Adding an import at the top of a
module on the path (``hashlib`` in the cache keys, the load model in the store module, every
command's module in the CLI group) makes this fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from spacekg.cli import main
from spacekg.cli.app import _LAZY_COMMANDS

#: modules that running a stored query on an embedded store has no use for
NOT_ON_THE_STORE_QUERY_PATH = (
    # RDF libraries of other commands and engines
    "rdflib",
    "owlrl",
    "pyshacl",
    # other stages of spacekg
    "spacekg.dataset",
    "spacekg.dataset.export",
    "spacekg.reasoning",
    "spacekg.shacl",
    "spacekg.validate",
    "spacekg.serve",
    "spacekg.query.portability",
    "spacekg.stores.base",
    "spacekg.stores.endpoint",
    # the other commands' modules
    "spacekg.cli.curate",
    "spacekg.cli.graph",
    "spacekg.cli.load",
    "spacekg.cli.serve",
    "spacekg.cli.workspace",
    # standard modules used only off this path (hashing caches, temporary files, the network
    # rule's lookups, spelling hints, the package version, rdflib's log filter)
    "hashlib",
    "tempfile",
    "socket",
    "difflib",
    "importlib.metadata",
    "logging",
)

_RUN = """
import json, sys
from spacekg.cli import main
main(sys.argv[2:], prog_name="spacekg", standalone_mode=False)
sys.stdout.flush()
with open(sys.argv[1], "w") as f:
    json.dump(sorted(sys.modules), f)
"""


def _spacekg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spacekg", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("coldstart") / "store"
    done = _spacekg("load", "--store", str(folder), "--inferred")
    assert done.returncode == 0, done.stderr
    return folder


def _modules_after(tmp_path: Path, *args: str) -> tuple[str, set[str]]:
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(out), *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, set(json.loads(out.read_text()))


@pytest.mark.parametrize("name", ["claims", "artemis-accords-un", "timeline-relative"])
def test_a_stored_query_on_a_store_imports_only_its_path(
    store: Path, tmp_path: Path, name: str
) -> None:
    stdout, modules = _modules_after(
        tmp_path, "query", "run", name, "--store", str(store), "--format", "csv"
    )
    assert stdout.count("\n") > 1, stdout  # the header and at least one row
    assert "spacekg.stores.embedded" in modules and "spacekg.cli.query" in modules
    loaded = [m for m in NOT_ON_THE_STORE_QUERY_PATH if m in modules]
    assert loaded == [], f"loaded by `spacekg query run {name} --store`: {loaded}"


def test_every_command_resolves_by_its_name() -> None:
    group = main
    ctx = group.make_context("spacekg", ["status"], resilient_parsing=True)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None and command.name == name
    assert set(group.list_commands(ctx)) == set(_LAZY_COMMANDS)


def test_a_misspelt_command_still_gets_a_suggestion() -> None:
    result = CliRunner().invoke(main, ["qury"])
    assert result.exit_code == 2
    assert "No such command 'qury'. Did you mean 'query'?" in result.stderr


def test_the_lexer_reads_the_same_variable_letters_as_the_sparql_grammar_range() -> None:
    """A variable's letters: A-Z a-z 0-9 _ U+00B7 and U+00C0..U+FFFF (the lexer writes the last
    range as a complement, which compiles faster); every code point is checked."""
    import re

    from spacekg.query import sparqltext

    letters = re.compile(r"[A-Za-z0-9_\u00B7\u00C0-\uFFFF]")
    for code in range(0x110000):
        char = chr(code)
        first = next(sparqltext.tokens(f"?{char}"))
        assert (first.kind == "var" and first.text == f"?{char}") == bool(
            letters.fullmatch(char)
        ), hex(code)


def test_a_lazily_loaded_command_still_runs_inside_the_error_ladder() -> None:
    result = CliRunner().invoke(main, ["query", "run", "no-such-query"])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("spacekg: error: "), result.stderr
    assert "Traceback" not in result.stderr
