"""Hostile input: no leak, no crash, no hang, nothing lost, whatever a file, a query or a server
does. Every case runs the real command in a subprocess and checks its exit code, that stderr
has no traceback, and what must not have happened (a request, a replaced file, a crash)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_server import LEAKED, CountingServer

HANG_GUARD = 120  # seconds: a subprocess still running then is a hang (never a timing claim)


def spacekg(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            stdin: bytes | None = None,
            prefix: tuple[str, ...] = ()) -> tuple[int, str, str]:  # fmt: skip
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "spacekg", *args],
        capture_output=True,
        input=stdin,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=HANG_GUARD,
    )
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}: {err}"
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    return proc.returncode, out, err


@pytest.fixture
def server() -> CountingServer:
    with CountingServer() as srv:
        yield srv  # type: ignore[misc]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_bundle: Path) -> Path:
    """The small CLI bundle as SPACEKG_HOME, with a cache of its own."""
    return tmp_path / "cache"


# --- one network rule ------------------------------------------------------------------------


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_is_never_fetched_by_the_rdflib_engine(
    tmp_path: Path, cache: Path, server: CountingServer, clause: str
) -> None:
    q = tmp_path / "from.rq"
    q.write_text(f"SELECT * {clause} <{server.url}/x.ttl> WHERE {{ ?s ?p ?o }}\n")
    code, out, err = spacekg("query", "run", str(q), "--engine", "rdflib", "-f", "csv")
    assert code == 0, err
    assert server.requests == []
    assert LEAKED not in out


def test_from_is_fetched_with_allow_network(
    tmp_path: Path, cache: Path, server: CountingServer
) -> None:
    q = tmp_path / "from.rq"
    q.write_text(f"SELECT * FROM <{server.url}/x.ttl> WHERE {{ ?s ?p ?o }}\n")
    code, out, err = spacekg(
        "query", "run", str(q), "--engine", "rdflib", "-f", "csv", "--allow-network"
    )
    assert code == 0, err
    assert len(server.requests) == 1  # the counter works: a fetch would be seen
    assert LEAKED in out


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_service_is_refused(
    tmp_path: Path, cache: Path, server: CountingServer, engine: str
) -> None:
    q = tmp_path / "service.rq"
    q.write_text(f"SELECT * WHERE {{ SERVICE <{server.url}/sparql> {{ ?s ?p ?o }} }}\n")
    code, _, err = spacekg("query", "run", str(q), "--engine", engine)
    assert code == 3 and "SERVICE" in err
    assert server.requests == []


def test_load_update_is_refused(tmp_path: Path, cache: Path, server: CountingServer) -> None:
    q = tmp_path / "load.rq"
    q.write_text(f"LOAD <{server.url}/x.ttl>\n")
    code, _, err = spacekg("query", "run", str(q), "--engine", "rdflib")
    assert code == 3 and "LOAD" in err
    assert server.requests == []


def test_owl_imports_are_never_followed(tmp_path: Path, server: CountingServer) -> None:
    f = tmp_path / "imports.ttl"
    f.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<urn:o> a owl:Ontology ; owl:imports <{server.url}/onto.ttl> .\n"
    )
    for args in (("validate", str(f)), ("diff", str(f), str(f))):
        code, out, err = spacekg(*args)
        assert code in (0, 1), err
        assert LEAKED not in out
    assert server.requests == []


def test_jsonld_remote_context_is_refused(tmp_path: Path, server: CountingServer) -> None:
    f = tmp_path / "ctx.jsonld"
    f.write_text(f'{{"@context": "{server.url}/ctx.jsonld", "@id": "urn:a", "p": "v"}}')
    for args in (("validate", str(f)), ("diff", str(f), str(f))):
        code, _, err = spacekg(*args)
        assert code == 3 and "remote context" in err
    assert server.requests == []


@pytest.mark.parametrize("kind", ["entity", "dtd"])
def test_xml_external_entity_and_dtd_are_refused(
    tmp_path: Path, server: CountingServer, kind: str
) -> None:
    doctype = (
        f'<!DOCTYPE rdf:RDF [ <!ENTITY e SYSTEM "{server.url}/e"> ]>'
        if kind == "entity"
        else f'<!DOCTYPE rdf:RDF SYSTEM "{server.url}/rdf.dtd">'
    )
    f = tmp_path / "x.rdf"
    f.write_text(
        f'<?xml version="1.0"?>\n{doctype}\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    )
    for args in (("validate", str(f)), ("diff", str(f), str(f))):
        code, _, err = spacekg(*args)
        assert code == 3, err
    assert server.requests == []


def test_the_guard_refuses_what_no_check_foresaw(server: CountingServer) -> None:
    """The audit hook is the one rule: any connection inside a command is refused."""
    import urllib.request

    from spacekg.netguard import NetworkRefused, armed, forget_permits

    forget_permits()  # an --endpoint on 127.0.0.1 named by an earlier test in this process

    with armed(), pytest.raises(NetworkRefused):
        urllib.request.urlopen(server.url + "/x", timeout=5)
    assert server.requests == []
    with urllib.request.urlopen(server.url + "/x", timeout=5):  # disarmed outside a command
        pass
    assert len(server.requests) == 1


# --- one output rule -------------------------------------------------------------------------


def test_output_follows_a_symlink_and_keeps_it(tmp_path: Path, cache: Path) -> None:
    target = tmp_path / "target.nt"
    link = tmp_path / "link.nt"
    link.symlink_to(target.name)
    code, _, err = spacekg("export", "-f", "ntriples", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and target.stat().st_size > 0


def test_output_to_a_fifo_nobody_reads_is_refused_and_the_fifo_stays(
    tmp_path: Path, cache: Path
) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    code, _, err = spacekg("export", "-f", "ntriples", "-o", str(fifo))
    assert code == 3 and "FIFO" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_to_a_device_is_written_not_replaced(tmp_path: Path, cache: Path) -> None:
    code, _, err = spacekg("export", "-f", "ntriples", "-o", os.devnull)
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_output_mode_follows_the_umask_and_the_replaced_file(tmp_path: Path, cache: Path) -> None:
    new = tmp_path / "new.nt"
    subprocess.run(
        ["sh", "-c", f'umask 077 && "{sys.executable}" -m spacekg export -f ntriples -o "{new}"'],
        check=True,
        capture_output=True,
        timeout=HANG_GUARD,
    )
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    old = tmp_path / "old.nt"
    old.write_text("x")
    old.chmod(0o640)
    assert spacekg("export", "-f", "ntriples", "-o", str(old))[0] == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args",
    [("export", "-f", "ntriples"), ("validate", "DATA"), ("query", "run", "summits")],
)
def test_output_errors_exit_3_everywhere(cache: Path, cli_bundle: Path, args: tuple) -> None:
    args = tuple(str(cli_bundle / "data" / "article.ttl") if a == "DATA" else a for a in args)
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "spacekg", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=HANG_GUARD,
        )
    err = proc.stderr.decode()
    assert proc.returncode == 3, err
    assert "Traceback" not in err and "cannot write" in err


# --- a cache that owns nothing but its own files ---------------------------------------------


def test_cache_never_deletes_the_users_files(tmp_path: Path, cli_bundle: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "graph-mine.nq").write_text("my data")
    (folder / "notes.txt").write_text("my notes")
    code, _, err = spacekg("query", "run", "summits", env={"SPACEKG_CACHE_DIR": str(folder)})
    assert code == 0, err
    assert (folder / "graph-mine.nq").read_text() == "my data"
    assert (folder / "notes.txt").read_text() == "my notes"
    assert list((folder / "graphs").glob("graph-*.nq"))  # its own subfolder


def test_cache_never_writes_through_a_symlink(tmp_path: Path, cli_bundle: Path) -> None:
    folder = tmp_path / "cache"
    env = {"SPACEKG_CACHE_DIR": str(folder)}
    assert spacekg("query", "run", "summits", env=env)[0] == 0
    (cached,) = (folder / "graphs").glob("graph-*.nq")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    cached.unlink()
    cached.symlink_to(victim)
    code, _, err = spacekg("query", "run", "summits", env=env)
    assert code == 0, err
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("kind", ["fifo", "file"])
def test_a_cache_path_that_is_not_a_folder_is_bypassed_with_one_warning(
    tmp_path: Path, cli_bundle: Path, kind: str
) -> None:
    path = tmp_path / "cache"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.write_text("not a folder")
    code, out, err = spacekg("query", "run", "summits", env={"SPACEKG_CACHE_DIR": str(path)})
    assert code == 0, err
    assert out
    assert err.count("warning: cache path") == 1


# --- values checked before they are written ----------------------------------------------------


def _source_add(root: Path, text: Path, url: str = "https://example.org/a", *more: str):  # type: ignore[no-untyped-def]
    return spacekg("source", "add", str(text), "--url", url, "--author", "A. Writer",
                   "--root", str(root), *more)  # fmt: skip


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "data").mkdir(parents=True)
    (root / "seeds").mkdir()
    return root


def test_source_add_refuses_a_newline_in_the_file_name(tmp_path: Path, checkout: Path) -> None:
    text = tmp_path / "evil\n<urn:evil> <urn:p> <urn:o> .\n#.txt"
    text.write_text("some words\n")
    code, _, err = _source_add(checkout, text)
    assert code == 3 and "control character" in err
    assert list((checkout / "data").iterdir()) == []


@pytest.mark.parametrize("url", ["https://example.org/a\n", "https://example.org/a b", "nope"])
def test_source_add_refuses_a_bad_url(tmp_path: Path, checkout: Path, url: str) -> None:
    text = tmp_path / "t.txt"
    text.write_text("some words\n")
    code, _, err = _source_add(checkout, text, url)
    assert code == 3 and "--url" in err
    assert list((checkout / "data").iterdir()) == []


def test_source_add_refuses_a_newline_in_an_author(tmp_path: Path, checkout: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("some words\n")
    code, _, err = spacekg("source", "add", str(text), "--url", "https://e.org/a", "--author",
                           'X" . <urn:evil> <urn:p> "o', "--author", "B\nC",
                           "--root", str(checkout))  # fmt: skip
    assert code == 3 and "--author" in err
    assert list((checkout / "data").iterdir()) == []


def test_source_add_quotes_escape_through_the_serialiser(tmp_path: Path, checkout: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("some words\n")
    code, _, err = spacekg("source", "add", str(text), "--url", "https://e.org/a", "--author",
                           'X" . <urn:evil> <urn:p> "o', "--root", str(checkout))  # fmt: skip
    assert code == 0, err
    import pyoxigraph as ox

    (data,) = (checkout / "data").glob("*.ttl")
    subjects = {q.subject.value for q in ox.parse(path=str(data), format=ox.RdfFormat.TURTLE)}
    assert "urn:evil" not in subjects


def test_source_add_refuses_a_missing_root(tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("some words\n")
    code, _, err = _source_add(Path("/nonexistent/spacekg-root"), text)
    assert code == 3 and "--root" in err
    assert not Path("/nonexistent").exists()


def test_source_add_of_a_fifo_is_refused_not_blocked(tmp_path: Path, checkout: Path) -> None:
    fifo = tmp_path / "t.txt"
    os.mkfifo(fifo)
    code, _, err = _source_add(checkout, fifo)
    assert code == 3 and "FIFO" in err


# --- bounded work ----------------------------------------------------------------------------

DEEP_QUERIES = {
    "groups": "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
    "parens": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 20000 + "1" + ")" * 20000 + ") }",
    "union": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 20000) + " }",
}


@pytest.mark.parametrize("name", sorted(DEEP_QUERIES))
def test_pathological_queries_are_refused_not_crashed(
    tmp_path: Path, cache: Path, name: str
) -> None:
    q = tmp_path / f"{name}.rq"
    q.write_text(DEEP_QUERIES[name] + "\n")
    for engine in ("oxigraph", "rdflib"):
        code, _, err = spacekg("query", "run", str(q), "--engine", engine)
        assert code == 3 and "limit" in err, err


def test_pathological_check_query_does_not_crash_check(cli_bundle: Path, cache: Path) -> None:
    (cli_bundle / "queries" / "checks" / "deep.rq").write_text(DEEP_QUERIES["groups"] + "\n")
    code, _, err = spacekg("check")
    assert code == 1, err
    assert "deep" in err or "deep" in spacekg("check")[1]


def test_query_timeout_exits_4(tmp_path: Path, cache: Path) -> None:
    q = tmp_path / "cartesian.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }\n")
    code, _, err = spacekg("query", "run", str(q), "--timeout", "1")
    assert code == 4 and "timeout" in err


def test_query_timeout_exits_4_on_the_rdflib_engine(tmp_path: Path, cache: Path) -> None:
    q = tmp_path / "cartesian.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }\n")
    code, _, err = spacekg("query", "run", str(q), "--engine", "rdflib", "--timeout", "1")
    assert code == 4 and "timeout" in err


@pytest.mark.server
@pytest.mark.slow
def test_query_timeout_exits_4_on_an_endpoint(tmp_path: Path, cache: Path, oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    assert spacekg("load", "--endpoint", oxigraph_server.url)[0] == 0
    q = tmp_path / "cartesian.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }\n")
    code, _, err = spacekg(
        "query", "run", str(q), "--endpoint", oxigraph_server.url, "--timeout", "1"
    )
    assert code == 4 and "timeout" in err, err


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "soon"])
def test_bad_timeouts_are_bad_input(cache: Path, value: str) -> None:
    assert spacekg("query", "run", "summits", "--timeout", value)[0] == 3
    assert spacekg("query", "run", "summits", env={"SPACEKG_TIMEOUT": value})[0] == 3


def test_ctrl_c_ends_a_query_with_130(tmp_path: Path, cache: Path) -> None:
    q = tmp_path / "cartesian.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }\n")
    assert spacekg("query", "run", "summits")[0] == 0  # the cache is built
    proc = subprocess.Popen(
        [sys.executable, "-m", "spacekg", "query", "run", str(q)], stderr=subprocess.PIPE
    )
    time.sleep(2)  # let it start the query (not a timing claim: any moment must work)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=HANG_GUARD)
    assert proc.returncode == 130
    assert b"interrupted" in err and b"Traceback" not in err


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "load", "rdflib-query"])
def test_ctrl_c_ends_other_long_commands_with_130(
    tmp_path: Path, cache: Path, command: str
) -> None:
    """Ctrl-C in the middle of a long validate, a bulk load and an rdflib query: exit 130 with
    one line, soon after the signal (the communicate timeout), whatever the command is doing."""
    big = tmp_path / "big.nt"
    with big.open("w") as handle:
        for i in range(400_000):
            handle.write(f'<urn:s{i}> <urn:p{i % 7}> "v{i}" .\n')
    q = tmp_path / "cartesian.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }\n")
    args = {
        "validate": ["validate", str(big)],
        "load": ["load", str(big), "--store", str(tmp_path / "store"), "--graph", "urn:g"],
        "rdflib-query": ["query", "run", str(q), "--engine", "rdflib"],
    }[command]
    proc = subprocess.Popen([sys.executable, "-m", "spacekg", *args], stderr=subprocess.PIPE)
    time.sleep(1.5)  # under way (not a timing claim: any moment must work)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err, err


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY a "lol">\n'
    + "".join(f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="http://example.org/">\n <rdf:Description rdf:about="http://example.org/a">'
    "<ex:p>&j;</ex:p></rdf:Description>\n</rdf:RDF>\n"
)


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "lol.rdf"
    f.write_text(BILLION_LAUGHS)
    for args in (
        ("validate", str(f)),
        ("diff", str(f), str(f)),
        ("load", str(f), "--store", str(tmp_path / "store"), "--graph", "urn:g"),
    ):
        code, _, err = spacekg(*args)
        assert code == 3 and "entit" in err, err


def test_a_literal_over_the_parser_limit_is_bad_input(tmp_path: Path) -> None:
    f = tmp_path / "big.nt"
    f.write_bytes(b'<urn:a> <urn:p> "' + b"a" * (17 << 20) + b'" .\n')
    store = str(tmp_path / "store")
    for args in (
        ("validate", str(f)),
        ("diff", str(f), str(f)),
        ("load", str(f), "--store", store, "--graph", "urn:g"),
    ):
        code, _, err = spacekg(*args)
        assert code == 3 and "limit" in err, err


def test_long_line_error_is_short_and_located(tmp_path: Path) -> None:
    f = tmp_path / "line.nt"
    f.write_text(" ".join(f"<urn:s> <urn:p> <urn:o{i}> ." for i in range(40000)) + "\n")
    for args in (("validate", str(f)), ("diff", str(f), str(f))):
        code, _, err = spacekg(*args)
        assert code == 3, err
        assert len(err) < 600 and f"{f}:1:" in err


def test_excerpt_of_a_long_missing_quote_is_bad_input(cli_bundle: Path) -> None:
    seed = next((cli_bundle / "seeds").glob("*.txt"))
    quote = " ".join(f"zz{i} space" for i in range(120))[:1000]
    code, _, err = spacekg("excerpt", str(seed), quote)
    assert code == 3 and "not found" in err


# --- one parser's verdict ----------------------------------------------------------------------

VERDICTS = {
    # name: (file body, accepted?)
    "bom": (b"\xef\xbb\xbf<urn:a> <urn:p> <urn:o> .\n", False),
    "iri-space": (b"<urn:a> <urn:p> <http://e.org/a b> .\n", False),
    "deep": (
        b"<urn:a> <urn:p> " + b"[ <urn:p> " * 3000 + b'"x"' + b" ]" * 3000 + b" .\n",
        True,
    ),
    "ill-typed": (b'<urn:a> <urn:p> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', True),
}


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_every_command_gives_the_same_verdict(tmp_path: Path, name: str) -> None:
    body, accepted = VERDICTS[name]
    f = tmp_path / "case.ttl"
    f.write_bytes(body)
    codes = {
        "validate": spacekg("validate", str(f))[0],
        "diff": spacekg("diff", str(f), str(f))[0],
        "load": spacekg("load", str(f), "--store", str(tmp_path / "s"), "--graph", "urn:g")[0],
    }
    if accepted:
        assert codes["diff"] == 0 and codes["load"] == 0 and codes["validate"] in (0, 1), codes
    else:
        assert set(codes.values()) == {3}, codes


@pytest.mark.parametrize("name", ["bom", "iri-space"])
def test_bundle_commands_agree_on_a_bad_data_file(cli_bundle: Path, cache: Path, name: str) -> None:
    (cli_bundle / "data" / "bad.ttl").write_bytes(VERDICTS[name][0])
    for args in (("query", "run", "summits"), ("export",), ("reason",)):
        code, _, err = spacekg(*args)
        assert code == 3 and "bad.ttl" in err, (args, err)
    code, out, err = spacekg("check")
    assert code == 1 and "bad.ttl" in out + err


@pytest.mark.slow
@pytest.mark.parametrize("name", ["deep", "ill-typed"])
def test_bundle_commands_accept_an_odd_but_valid_data_file(
    cli_bundle: Path, cache: Path, tmp_path: Path, name: str
) -> None:
    """Valid 3,000-deep Turtle and an ill-typed literal (a warning, not an error) in the graph:
    every command that reads the bundle accepts them, none with a traceback (the helper fails
    on one), and `check`'s parse step agrees."""
    (cli_bundle / "data" / "odd.ttl").write_bytes(VERDICTS[name][0])
    for args in (("query", "run", "summits"), ("export",), ("reason",)):
        code, _, err = spacekg(*args)
        assert code == 0, (args, err)
    code, out, err = spacekg("check")
    assert code in (0, 1), err
    assert "every file parses" in out, out
    f = tmp_path / "case.ttl"
    f.write_bytes(VERDICTS[name][0])
    code, _, err = spacekg("validate", str(f), "--engine", "pyshacl")
    assert code in (0, 1), err


def test_every_extension_of_the_table_is_read_by_validate(tmp_path: Path) -> None:
    from spacekg.rdfio import BY_EXTENSION

    for ext in (".ntriples", ".nt", ".turtle", ".nquads"):
        assert ext in BY_EXTENSION
        f = tmp_path / f"x{ext}"
        f.write_text(
            "<urn:a> <urn:p> <urn:o> .\n"
            if "q" not in ext
            else "<urn:a> <urn:p> <urn:o> <urn:g> .\n"
        )
        assert spacekg("validate", str(f))[0] in (0, 1)


# --- a replace that cleans up ------------------------------------------------------------------


def test_an_orphan_staging_graph_is_invisible_reported_and_removed(tmp_path: Path) -> None:
    import pyoxigraph as ox

    data = tmp_path / "d.nt"
    data.write_text("<urn:a> <urn:p> <urn:o> .\n")
    store = tmp_path / "store"
    assert spacekg("load", str(data), "--store", str(store), "--graph", "urn:g")[0] == 0
    s = ox.Store(str(store))  # what a kill -9 between staging and MOVE leaves
    staging = ox.NamedNode("urn:spacekg:staging:0000-orphan")
    s.add(ox.Quad(ox.NamedNode("urn:b"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o"), staging))
    s.flush()
    del s
    q = tmp_path / "count.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    code, out, _ = spacekg("query", "run", str(q), "--store", str(store), "-f", "csv")
    assert code == 0 and out.splitlines()[1] == "1"
    code, out, err = spacekg("load", "--status", "--store", str(store))
    assert code == 0 and "urn:spacekg:staging:0000-orphan" in err
    assert spacekg("load", str(data), "--store", str(store), "--graph", "urn:g2")[0] == 0
    code, out, err = spacekg("load", "--status", "--store", str(store))
    assert "staging" not in out + err


# --- exit 5 only for bugs ----------------------------------------------------------------------


def test_symlink_loops_are_bad_input(tmp_path: Path, checkout: Path) -> None:
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.symlink_to(b)
    b.symlink_to(a)
    for args in (("validate", str(a)), ("diff", str(a), str(a)), ("excerpt", str(a), "x")):
        assert spacekg(*args)[0] == 3
    assert _source_add(checkout, a)[0] == 3


def test_a_corrupt_store_is_exit_4(tmp_path: Path, cache: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "CURRENT").write_text("garbage\n")
    assert spacekg("query", "run", "summits", "--store", str(store))[0] == 4


@pytest.mark.parametrize(
    "body",
    [b"{}", b"[]", b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri"}}]}}'],
)
def test_a_lying_server_is_exit_4(cache: Path, server: CountingServer, body: bytes) -> None:
    server.answer = ("application/sparql-results+json", body)
    code, _, err = spacekg("query", "run", "summits", "--endpoint", server.url)
    assert code == 4, err


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:notaport", "ftp://x"])
def test_malformed_endpoint_urls_are_bad_input(cache: Path, url: str) -> None:
    assert spacekg("query", "run", "summits", "--endpoint", url)[0] == 3


def test_non_utf8_arguments_are_bad_input(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xfe.ttl")
    (tmp_path / name).write_text("<urn:a> <urn:p> <urn:o> .\n")
    proc = subprocess.run(
        [sys.executable, "-m", "spacekg", "validate", name],
        capture_output=True,
        cwd=tmp_path,
        timeout=HANG_GUARD,
    )
    assert proc.returncode == 3 and b"UTF-8" in proc.stderr
    assert b"Traceback" not in proc.stderr and proc.stderr.count(b"\n") == 1, proc.stderr


def without_dac_override() -> tuple[str, ...]:
    """A command prefix under which even root cannot read a mode-000 file: setpriv drops the
    capabilities that let root ignore file permissions (nothing for anyone else)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is missing: root reads every file")
    caps = "-dac_override,-dac_read_search"
    return (setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--")


def test_unreadable_files_are_exit_3_not_click_2(tmp_path: Path, checkout: Path) -> None:
    f = tmp_path / "secret.ttl"
    f.write_text("<urn:a> <urn:p> <urn:o> .\n")
    f.chmod(0)
    readable = tmp_path / "data.ttl"
    readable.write_text("<urn:a> <urn:p> <urn:o> .\n")
    prefix = without_dac_override()
    probe = subprocess.run([*prefix, "cat", str(f)], capture_output=True, timeout=HANG_GUARD)
    assert probe.returncode != 0, "the file is readable: the test would prove nothing"
    source_add = ("source", "add", str(f), "--url", "https://example.org/a", "--author", "A")
    for args in (
        ("validate", str(f)),
        ("diff", str(f), str(f)),
        ("excerpt", str(f), "x"),
        (*source_add, "--root", str(checkout)),
        ("load", str(f), "--store", str(tmp_path / "store")),
        ("validate", str(readable), "--shapes", str(f)),
    ):
        code, _, err = spacekg(*args, prefix=prefix)
        assert code == 3, (args, err)
        assert err.strip().count("\n") == 0 and str(f) in err and "permission denied" in err.lower()


def test_a_read_that_fails_with_eio_is_exit_3(checkout: Path) -> None:
    """/proc/self/mem is a regular file of size 0 whose read at offset 0 fails with EIO, for
    root too: the commands get past their checks and meet the read error itself."""
    mem = Path("/proc/self/mem")
    if not mem.exists():
        pytest.skip("no /proc/self/mem (not Linux): no real EIO source")
    with pytest.raises(OSError) as probe, open(mem, "rb") as handle:
        handle.read(10)
    assert probe.value.errno == errno.EIO
    for code, _, err in (spacekg("excerpt", str(mem), "x"), _source_add(checkout, mem)):
        assert code == 3, err
        assert err.strip().count("\n") == 0 and str(mem) in err and "Input/output error" in err
    assert list((checkout / "data").iterdir()) == [] and list((checkout / "seeds").iterdir()) == []


def test_missing_files_in_diff_are_exit_3(tmp_path: Path) -> None:
    assert spacekg("diff", str(tmp_path / "nope.ttl"), str(tmp_path / "nope2.ttl"))[0] == 3


# --- scrubbing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "echo",
    [
        "s3cr/et!",
        "S3CR/ET!",
        "s3cr%2Fet%21",
        "s3cr%2fet!",
        "dXNlcjpzM2NyL2V0IQ==",
        "dXNlcjpzM2NyL2V0IQ",
    ],
)
def test_scrubbing_covers_encodings(echo: str) -> None:
    from spacekg.stores.scrub import scrub

    assert scrub(f"server said: {echo}.", "user", "s3cr/et!") == "server said: ***."


def test_a_short_password_is_never_searched_inside_words() -> None:
    from spacekg.stores.scrub import scrub

    assert scrub("a banana for pw a", "u", "a") == "*** banana for pw ***"


def test_a_server_may_look_up_the_address_it_binds_and_nothing_else() -> None:
    """Regression: the network rule refused `spacekg serve`'s own bind (a lookup of 127.0.0.1)."""
    import socket

    from spacekg.netguard import NetworkRefused, armed, listening

    with armed():
        with listening():
            assert socket.getaddrinfo("127.0.0.1", 0, flags=socket.AI_PASSIVE)
        with pytest.raises(NetworkRefused):
            socket.getaddrinfo("127.0.0.1", 80)
