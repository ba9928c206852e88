"""A large N-Triples file loaded into the embedded store in parallel parts (stores/bulk.py).

Real stores on disk. The part size is lowered so that small files are split; the number of
usable CPUs is set so that the split happens on any machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from store_utils import EX, G, cli, write_nt

from spacekg.errors import InputError
from spacekg.stores import base, bulk
from spacekg.stores import embedded as stores


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stores, "BULK_BYTES", 1000)
    monkeypatch.setattr(bulk, "MIN_PART_BYTES", 1000)
    monkeypatch.setattr(bulk, "usable_cpus", lambda: 3)


def counts(path: Path) -> dict[str, int]:
    return {g: n for g, n in stores.graph_counts(path).items() if n}


def quads(path: Path) -> set[str]:
    store = ox.Store.read_only(str(path))
    return {str(q) for q in store}


def test_parts_load_the_same_triples_as_one_loader(
    tmp_path: Path, split: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = write_nt(tmp_path / "big.nt", 3000)
    seen: list[int] = []
    report = stores.load_store(
        tmp_path / "parts",
        base.file_items([big], graph=G, parse=False),
        progress=lambda d, t: seen.append(d),
    )
    assert report.graphs[0].method == "bulk-3-parts"
    assert report.graphs[0].stored == 3000
    assert seen[-1] == big.stat().st_size and seen == sorted(seen)
    monkeypatch.setattr(bulk, "usable_cpus", lambda: 1)
    one = stores.load_store(tmp_path / "one", base.file_items([big], graph=G, parse=False))
    assert one.graphs[0].method == "bulk"
    assert quads(tmp_path / "parts") == quads(tmp_path / "one")  # and no marker is left


def test_a_replace_stages_in_parts_and_moves(tmp_path: Path, split: None) -> None:
    path = tmp_path / "kg"
    stores.load_store(path, base.file_items([write_nt(tmp_path / "a.nt", 2000)], graph=G))
    b = write_nt(tmp_path / "b.nt", 25000, start=9000)  # larger than the store: split
    report = stores.load_store(path, base.file_items([b], graph=G, replace=True, parse=False))
    assert report.graphs[0].method == "bulk-3-parts+move"
    assert counts(path) == {G: 25000}


def test_a_file_smaller_than_the_store_is_loaded_by_one_loader(tmp_path: Path, split: None) -> None:
    # after parts the whole store is compacted: only worth it when the file is most of it
    path = tmp_path / "kg"
    stores.load_store(path, base.file_items([write_nt(tmp_path / "a.nt", 30000)], graph=G))
    b = write_nt(tmp_path / "b.nt", 3000, start=90000)
    report = stores.load_store(path, base.file_items([b], graph=G + "2", parse=False))
    assert report.graphs[0].method == "bulk"
    assert counts(path) == {G: 30000, G + "2": 3000}


def test_a_file_with_blank_nodes_is_loaded_by_one_loader(tmp_path: Path, split: None) -> None:
    # a label in two parts would become two nodes: the loaders name blank nodes afresh
    f = tmp_path / "b.nt"
    lines = [f'<{EX}s{i}> <{EX}p> "value {i}" .' for i in range(3000)]
    lines[0] = lines[-1] = f'_:shared <{EX}p> "x{len(lines)}" .'
    lines[-1] = f'_:shared <{EX}q> "last" .'
    f.write_text("\n".join(lines) + "\n")
    code, out, err = cli("load", str(f), "--store", str(tmp_path / "kg"), "--graph", G)
    assert code == 0, err
    assert out.strip().split("\t")[-1] == "bulk"
    store = ox.Store.read_only(str(tmp_path / "kg"))
    blanks = {str(q.subject) for q in store if isinstance(q.subject, ox.BlankNode)}
    assert len(blanks) == 1


def test_a_syntax_error_in_a_later_part_names_its_line_and_leaves_the_graph_empty(
    tmp_path: Path, split: None
) -> None:
    f = write_nt(tmp_path / "bad.nt", 3000)
    lines = f.read_text().splitlines()
    lines[2700] = f'<{EX}bad> <{EX}p> "no end .'
    f.write_text("\n".join(lines) + "\n")
    code, _out, err = cli("load", str(f), "--store", str(tmp_path / "kg"), "--graph", G)
    assert code == 3
    assert f"{f}:2701:" in err and "N-Triples syntax error" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert counts(tmp_path / "kg") == {}  # empty again, no marker left


@pytest.mark.parametrize("parts", [1, 3])
def test_a_failed_load_closes_the_store_at_once(
    tmp_path: Path, split: None, monkeypatch: pytest.MonkeyPatch, parts: int
) -> None:
    # an open writer would lock the folder and delete files under a reader opening it
    import gc

    monkeypatch.setattr(bulk, "usable_cpus", lambda: parts)
    f = write_nt(tmp_path / "bad.nt", 3000)
    f.write_text(f.read_text() + f'<{EX}bad> <{EX}p> "no end .\n')
    gc.disable()
    try:
        with pytest.raises(InputError):
            stores.load_store(tmp_path / "kg", base.file_items([f], graph=G, parse=False))
        ox.Store(str(tmp_path / "kg"))  # a second writer: refused while the first is open
    finally:
        gc.enable()


def test_a_killed_load_in_parts_is_invisible_reported_and_emptied_by_the_next_load(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kg"
    keep = write_nt(tmp_path / "keep.nt", 5)
    assert cli("load", str(keep), "--store", str(path), "--graph", "urn:keep")[0] == 0
    store = ox.Store(str(path))  # what a kill between the commit of two parts leaves
    marker = bulk._marker_graph(store, G)
    store.bulk_load(
        input=write_nt(tmp_path / "half.nt", 40).read_bytes(),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode(G),
    )
    del store
    q = tmp_path / "count.rq"
    q.write_text(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }\n"
        "GROUP BY ?g ORDER BY ?g\n"
    )
    code, out, err = cli("query", "run", str(q), "--store", str(path), "-f", "csv")
    assert code == 0, err
    assert out.splitlines()[1:] == [",5", "urn:keep,5"]  # the half-filled graph is not there
    code, out, err = cli("load", "--status", "--store", str(path))
    assert code == 0 and marker in out + err
    assert cli("load", str(keep), "--store", str(path), "--graph", "urn:other")[0] == 0
    assert counts(path) == {"urn:keep": 5, "urn:other": 5}


def test_a_killed_load_in_parts_is_all_or_nothing_to_queries(tmp_path: Path) -> None:
    """SIGKILL at several moments of a real load: a query sees the whole graph or none of it,
    and after the next load the graph is whole or absent."""
    big = write_nt(tmp_path / "big.nt", 400_000)  # about 25 MB: two parts
    q = tmp_path / "count.rq"
    q.write_text(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}\n")
    env = {**os.environ, "SPACEKG_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "spacekg"]
    seen = set()
    for delay in (0.3, 0.8, 1.5, 3.0):
        path = tmp_path / f"kg-{delay}"
        loader = subprocess.Popen(
            [*cmd, "load", str(big), "--store", str(path), "--graph", G],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        loader.send_signal(signal.SIGKILL)
        loader.wait(30)
        run = [*cmd, "query", "run", str(q), "--store", str(path), "-f", "csv"]
        done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode == 4 and not path.exists():
            seen.add("no store yet")
            continue
        assert done.returncode == 0, done.stderr
        n = int(done.stdout.splitlines()[1])
        assert n in (0, 400_000), n
        seen.add(n)
        other = write_nt(tmp_path / "other.nt", 3)
        again = [*cmd, "load", str(other), "--store", str(path), "--graph", "urn:other"]
        assert subprocess.run(again, env=env, capture_output=True, timeout=120).returncode == 0
        found = counts(path)
        assert found.get(G, 0) in (0, 400_000) and found["urn:other"] == 3
        assert not [g for g in found if g.startswith(base.STAGING_NS)]
    assert seen  # at least one case checked


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<urn:a> <urn:p> <urn:o> .\n",
        "<urn:a> <urn:p> <urn:o> .",
        "# a comment\n<urn:a> <urn:p> <urn:o> .\n\n   \n\t# indented\n<urn:b> <urn:p> <urn:o> .\n",
        "<urn:a> <urn:p> <urn:o> . # a trailing comment\r\n<urn:b> <urn:p> <urn:o> .\r\n",
        ' <urn:a> <urn:p> "x" .\n<urn:b> <urn:p> _:b0 .\n',
        '<urn:a> <urn:p> "a_:b" .\n',
    ],
)
@pytest.mark.parametrize("block", [1, 7, 8 << 20])
def test_counting_lines_agrees_with_reading_them_one_by_one(
    tmp_path: Path, text: str, block: int
) -> None:
    f = tmp_path / "x.nt"
    f.write_bytes(text.encode() * 3)
    expected = sum(
        1
        for line in f.read_bytes().split(b"\n")
        if line.strip() and not line.strip().startswith(b"#")
    )
    count, bnodes = base.ntriples_lines(f, block)
    assert count == expected
    assert bnodes == ("_:" in text)
