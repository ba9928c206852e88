"""`spacekg load --store DIR` and `spacekg query run --store DIR`: the embedded Oxigraph store.

Real stores on disk in temporary folders; the stored queries' goldens must hold on the store
exactly as in memory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from golden_utils import assert_matches_golden, query_names
from store_utils import EX, G, cli, write_nt

from spacekg.dataset.export import iter_graphs
from spacekg.errors import InputError, StoreError
from spacekg.namespaces import INFERRED_GRAPH
from spacekg.project import graph_sources
from spacekg.query.engine import run_query
from spacekg.stores import base, load
from spacekg.stores import embedded as stores


def counts(path: Path) -> dict[str, int]:
    return {g: n for g, n in stores.graph_counts(path).items() if n}


def graph_triples(path: Path, graph: str) -> set[str]:
    store = ox.Store.read_only(str(path))
    node = ox.NamedNode(graph)
    return {
        f"{q.subject} {q.predicate} {q.object}"
        for q in store.quads_for_pattern(None, None, None, node)
    }


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled graph with its inferred triples, loaded once through the CLI."""
    path = tmp_path_factory.mktemp("stores") / "kg"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SPACEKG_HOME", raising=False)
        mp.setenv("SPACEKG_CACHE_DIR", str(path.parent / "cache"))
        code, out, err = cli("load", "--store", str(path), "--inferred")
    assert code == 0, err
    assert len(out.strip().splitlines()) == len(graph_sources()) + 1
    return path


def test_one_named_graph_per_source_file_as_in_export(loaded_store: Path) -> None:
    expected = {iri: len(lines) for iri, lines in iter_graphs(inferred=True)}
    assert set(expected) == {s.iri for s in graph_sources()} | {INFERRED_GRAPH}
    assert counts(loaded_store) == expected  # nothing in the default graph, no staging left


@pytest.mark.parametrize("name", query_names())
def test_stored_query_on_the_store_matches_golden(loaded_store: Path, name: str) -> None:
    assert_matches_golden(run_query(name, backend=stores.EmbeddedStore(loaded_store)), name)


def test_reloading_replaces_instead_of_adding(tmp_path: Path, real_bundle: None) -> None:
    path = tmp_path / "kg"
    assert cli("load", "--store", str(path))[0] == 0
    first = counts(path)
    code, _, err = cli("load", "--store", str(path))
    assert code == 0, err
    assert counts(path) == first  # blank nodes not duplicated, no staging graph left


def test_query_run_on_the_store_through_the_cli(loaded_store: Path) -> None:
    code, out, err = cli("query", "run", "events", "--store", str(loaded_store), "-f", "csv")
    assert code == 0, err
    assert out.count("\n") > 1


def test_missing_store_is_a_store_error(tmp_path: Path) -> None:
    code, _out, err = cli("query", "run", "events", "--store", str(tmp_path / "nowhere"))
    assert code == 4
    assert err.startswith("spacekg: error:") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "nowhere").exists()


# --- user files -----------------------------------------------------------------------------------


def test_user_file_into_a_graph_then_replace(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    a = write_nt(tmp_path / "a.nt", 50)
    b = write_nt(tmp_path / "b.nt", 30, start=1000)
    assert cli("load", "--store", str(path), str(a), "--graph", G)[0] == 0
    assert counts(path) == {G: 50}
    assert cli("load", "--store", str(path), str(b), "--graph", G)[0] == 0  # adds
    assert counts(path) == {G: 80}
    code, out, err = cli("load", "--store", str(path), str(b), "--graph", G, "--replace")
    assert code == 0, err
    assert out == f"<{G}>\t30 triples\ttransaction+move\n"
    assert len(err.splitlines()) == 1  # the summary; no progress bar when not on a terminal
    assert counts(path) == {G: 30}
    assert graph_triples(path, G) == {f'<{EX}s{i}> <{EX}p> "value {i}"' for i in range(1000, 1030)}


def test_duplicate_lines_count_once(tmp_path: Path) -> None:
    a = write_nt(tmp_path / "a.nt", 10)
    a.write_text(a.read_text() * 2)
    code, _out, err = cli("load", "--store", str(tmp_path / "kg"), str(a), "--graph", G)
    assert code == 0, err
    assert counts(tmp_path / "kg") == {G: 10}


def test_large_file_goes_through_the_bulk_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stores, "BULK_BYTES", 1000)
    path = tmp_path / "kg"
    big = write_nt(tmp_path / "big.nt", 2000)
    seen: list[tuple[int, int]] = []
    items = base.file_items([big], graph=G, parse=False)
    report = stores.load_store(path, items, progress=lambda d, t: seen.append((d, t)))
    assert [g.method for g in report.graphs] == ["bulk"]
    assert report.graphs[0].stored == 2000
    assert seen and seen[-1] == (big.stat().st_size, big.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # replacing a non-empty graph: staged by the bulk loader, swapped in one MOVE
    other = write_nt(tmp_path / "other.nt", 1500, start=5000, bnodes=True)
    items = base.file_items([other], graph=G, replace=True, parse=False)
    report = stores.load_store(path, items)
    assert [g.method for g in report.graphs] == ["bulk+move"]
    assert counts(path) == {G: 1500}


@pytest.mark.parametrize("bulk", [False, True])
@pytest.mark.parametrize("replace", [False, True])
def test_malformed_file_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool, replace: bool
) -> None:
    if bulk:
        monkeypatch.setattr(stores, "BULK_BYTES", 100)
    path = tmp_path / "kg"
    good = write_nt(tmp_path / "good.nt", 40)
    assert cli("load", "--store", str(path), str(good), "--graph", G)[0] == 0
    before = graph_triples(path, G)
    bad = write_nt(tmp_path / "bad.nt", 300, start=100)
    with bad.open("a") as handle:  # the error is at the very end
        handle.write(f'<{EX}x> <{EX}p> "no end\n')
    args = ["load", "--store", str(path), str(bad), "--graph", G] + (["--replace"] * replace)
    code, _out, err = cli(*args)
    assert code == 3
    assert "bad.nt:301:" in err
    assert len(err.strip().splitlines()) == 1
    assert graph_triples(path, G) == before
    assert counts(path) == {G: 40}


def test_blank_nodes_in_user_files(tmp_path: Path) -> None:
    f = write_nt(tmp_path / "b.nt", 20, bnodes=True)
    path = tmp_path / "kg"
    assert cli("load", "--store", str(path), str(f), "--graph", G, "--replace")[0] == 0
    assert cli("load", "--store", str(path), str(f), "--graph", G, "--replace")[0] == 0
    assert counts(path) == {G: 20}


def test_default_graph_without_graph_option(tmp_path: Path) -> None:
    f = write_nt(tmp_path / "a.ttl", 5)
    path = tmp_path / "kg"
    assert cli("load", "--store", str(path), str(f))[0] == 0
    assert counts(path) == {"": 5}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--graph", "not an iri"], "absolute IRI"),
        (["--format", "ntriples", "--inferred"], "--inferred"),
    ],
)
def test_bad_options_are_input_errors(tmp_path: Path, args: list[str], message: str) -> None:
    f = write_nt(tmp_path / "a.nt", 5)
    code, _out, err = cli("load", "--store", str(tmp_path / "kg"), str(f), *args)
    assert code == 3 and message in err
    assert not (tmp_path / "kg").exists()


def test_dataset_files_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "x.nq"
    f.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{G}> .\n")
    with pytest.raises(InputError, match="dataset file"):
        base.file_items([f])


def test_store_and_endpoint_are_exclusive(tmp_path: Path) -> None:
    code, _, _err = cli("load", "--store", str(tmp_path), "--endpoint", "http://127.0.0.1:1")
    assert code == 2
    with pytest.raises(InputError):
        load(store=tmp_path, endpoint="http://127.0.0.1:1")


def test_count_check_catches_a_short_graph() -> None:
    item = base.LoadItem(G, "x.nt", "ntriples", 10, 10, False, data=b"", replace=True)
    base.check_count(item, 10, 0, "g")
    with pytest.raises(StoreError, match=r"holds 9 triples .* expected 10"):
        base.check_count(item, 9, 0, "g")
    appended = base.LoadItem(G, "x.nt", "ntriples", 10, None, False, data=b"", replace=False)
    base.check_count(appended, 25, 20, "g")
    with pytest.raises(StoreError, match="expected 20 to 30"):
        base.check_count(appended, 31, 20, "g")


def test_a_store_in_use_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    f = write_nt(tmp_path / "a.nt", 5)
    holder = ox.Store(str(path))  # holds the folder's write lock
    try:
        code, out, err = cli("load", "--store", str(path), str(f), "--graph", G)
    finally:
        del holder
    assert code == 4 and "cannot open the store" in err and out == ""


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal (stderr attached to a pseudo-terminal), loading a file big enough for the
    bulk loader draws click's progress bar; stdout (a pipe) gets only the per-graph line."""
    import os
    import select
    import subprocess
    import sys
    import time

    big = write_nt(tmp_path / "big.nt", 150_000)
    assert big.stat().st_size > stores.BULK_BYTES  # takes the bulk path
    primary, secondary = os.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    command = [sys.executable, "-m", "spacekg", "load", "--store", str(tmp_path / "kg")]
    proc = subprocess.Popen(
        [*command, str(big), "--graph", G],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    terminal = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(primary, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                terminal += chunk
            elif proc.poll() is not None:
                break
        out = proc.communicate(timeout=60)[0].decode()
    finally:
        os.close(primary)
        if proc.poll() is None:
            proc.kill()
    text = terminal.decode(errors="replace")
    assert proc.returncode == 0, text
    assert re.fullmatch(rf"<{re.escape(G)}>\t150000 triples\tbulk(-\d+-parts)?\n", out), out
    assert "loading" in text and "100%" in text, text
    assert "[" in text and "#" in text, text  # the bar itself, not just the label
    assert "loaded 150000 triples" in text  # the summary goes to the same terminal


def test_an_error_body_may_be_text() -> None:
    """Regression: with Debian's Python 3.11, urllib's "digest auth failed" HTTPError has an
    empty str body, and a wrong Virtuoso password was exit 5 instead of 4."""
    from spacekg.stores.endpoint import _first_line

    assert _first_line("") == "(no message)"
    assert _first_line(b"Bad password\nmore") == "Bad password"
