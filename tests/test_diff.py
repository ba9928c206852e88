"""`spacekg diff OLD NEW`: added and removed triples as Turtle; blank nodes matched like rdflib."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from spacekg.cli import main

EX = "http://example.org/"
HEAD = "@prefix ex: <http://example.org/> .\n"
BASE = HEAD + 'ex:a ex:p ex:b ; ex:q [ ex:r "x" ; ex:s [ ex:t 1 ] ] .\nex:c ex:p "old" .\n'


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def blocks(out: str) -> tuple[Graph, Graph, int, int]:
    """The removed and added blocks parsed back, with the counts the report states."""
    removed_text, added_text = out.split("# added:", 1)
    removed_text = removed_text.split("# removed:", 1)[1]
    n_removed = int(re.match(r" (\d+) triple", removed_text).group(1))  # type: ignore[union-attr]
    n_added = int(re.match(r" (\d+) triple", added_text).group(1))  # type: ignore[union-attr]
    removed = Graph().parse(data=removed_text.split("\n", 1)[1], format="turtle")
    added = Graph().parse(data=added_text.split("\n", 1)[1], format="turtle")
    return removed, added, n_removed, n_added


def test_same_graph_written_differently_is_no_difference(tmp_path: Path) -> None:
    old = write(tmp_path / "old.ttl", BASE)
    # reordered, blank nodes labelled instead of nested, other prefix name
    new = write(
        tmp_path / "new.nt",
        f'<{EX}c> <{EX}p> "old" .\n_:z <{EX}t> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        f'_:y <{EX}r> "x" .\n_:y <{EX}s> _:z .\n<{EX}a> <{EX}q> _:y .\n<{EX}a> <{EX}p> <{EX}b> .\n',
    )
    code, out, err = run("diff", str(old), str(new))
    assert code == 0, err
    assert out.startswith("# no difference")


def test_changed_literal_is_removed_and_added(tmp_path: Path) -> None:
    old = write(tmp_path / "old.ttl", BASE)
    new = write(tmp_path / "new.ttl", BASE.replace('"old"', '"new"') + "ex:d ex:p ex:e .\n")
    code, out, _ = run("diff", str(old), str(new))
    assert code == 1
    removed, added, n_removed, n_added = blocks(out)
    assert (n_removed, n_added) == (len(removed), len(added)) == (1, 2)
    assert (URIRef(EX + "c"), URIRef(EX + "p"), Literal("old")) in removed
    assert (URIRef(EX + "c"), URIRef(EX + "p"), Literal("new")) in added
    assert (URIRef(EX + "d"), URIRef(EX + "p"), URIRef(EX + "e")) in added
    assert "ex:c ex:p" in out  # readable: the input's prefixes
    assert run("diff", str(old), str(new))[1] == out  # deterministic


def test_changed_blank_node_shows_as_graph_diff_does(tmp_path: Path) -> None:
    from rdflib.compare import graph_diff, to_isomorphic

    old = write(tmp_path / "old.ttl", BASE)
    new = write(tmp_path / "new.ttl", BASE.replace("ex:t 1", "ex:t 2"))
    code, out, _ = run("diff", str(old), str(new))
    assert code == 1
    removed, added, n_removed, n_added = blocks(out)
    g_old = Graph().parse(old)
    g_new = Graph().parse(new)
    _, only_old, only_new = graph_diff(to_isomorphic(g_old), to_isomorphic(g_new))
    assert (n_removed, n_added) == (len(only_old), len(only_new))
    assert isomorphic(removed, only_old)
    assert isomorphic(added, only_new)


def test_folders_are_merged(tmp_path: Path) -> None:
    write(tmp_path / "old" / "all.ttl", BASE)
    write(
        tmp_path / "new" / "a.ttl",
        HEAD + 'ex:a ex:p ex:b ; ex:q [ ex:r "x" ; ex:s [ ex:t 1 ] ] .\n',
    )
    write(tmp_path / "new" / "sub" / "c.ttl", HEAD + 'ex:c ex:p "old" .\n')
    write(tmp_path / "new" / "README.md", "not RDF, ignored\n")
    code, out, _ = run("diff", str(tmp_path / "old"), str(tmp_path / "new"))
    assert code == 0, out
    write(tmp_path / "new" / "sub" / "more.ttl", HEAD + "ex:z ex:p ex:y .\n")
    code, out, _ = run("diff", str(tmp_path / "old"), str(tmp_path / "new"))
    assert code == 1
    assert blocks(out)[3] == 1


@pytest.mark.parametrize("text", ["", "@prefix ex: <http://example.org/> .\nex:a ex:p .\n"])
def test_bad_input_is_exit_3(tmp_path: Path, text: str) -> None:
    old = write(tmp_path / "old.ttl", BASE)
    bad = write(tmp_path / "bad.ttl", text)
    code, _, err = run("diff", str(old), str(bad))
    assert code == 3
    assert err.startswith("spacekg: error: ") and str(bad) in err
    assert len(err.splitlines()) == 1
