"""`spacekg load --endpoint URL` and `spacekg query run --endpoint URL` against real servers.

An ``oxigraph serve`` per test (tests/servers.py), a proxy in front of it that fails on purpose,
and a private Virtuoso when it is installed. No mocks of a store.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from golden_utils import assert_matches_golden, query_names
from servers import OxigraphServer, Proxy, VirtuosoServer
from store_utils import EX, G, cli, write_nt

from spacekg.dataset.export import iter_graphs
from spacekg.errors import InputError, StoreError
from spacekg.namespaces import INFERRED_GRAPH
from spacekg.project import graph_sources
from spacekg.query.engine import run_query
from spacekg.stores import base, load
from spacekg.stores import endpoint as gsp

pytestmark = pytest.mark.server

ONTOLOGY = graph_sources()[0].iri


def sparql(url: str, query: str, *, path: str = "/query") -> list[dict[str, dict[str, str]]]:
    body = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(
        url + path, data=body, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["results"]["bindings"]


def server_counts(url: str, path: str = "/query") -> dict[str, int]:
    rows = sparql(
        url,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        path=path,
    )
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def graph_rows(url: str, graph: str) -> set[tuple[str, str, str]]:
    rows = sparql(url, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {(r["s"]["value"], r["p"]["value"], r["o"]["value"]) for r in rows}


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SPACEKG_USER", raising=False)
    monkeypatch.delenv("SPACEKG_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


# --- Oxigraph ------------------------------------------------------------------------------------


def test_bundle_to_oxigraph_and_goldens_on_the_server(
    oxigraph_server: OxigraphServer, real_bundle: None, no_credentials: None
) -> None:
    code, out, err = cli("load", "--endpoint", oxigraph_server.url, "--inferred")
    assert code == 0, err
    expected = {iri: len(lines) for iri, lines in iter_graphs(inferred=True)}
    assert set(expected) >= {INFERRED_GRAPH, ONTOLOGY}
    assert server_counts(oxigraph_server.url) == expected
    assert len(out.strip().splitlines()) == len(expected)
    backend = gsp.EndpointStore(oxigraph_server.url)
    failures = []
    for name in query_names():
        try:
            assert_matches_golden(run_query(name, backend=backend), name)
        except AssertionError as err:
            failures.append(str(err))
    assert not failures, "\n".join(failures)
    # and through the CLI
    code, out, err = cli("query", "run", "events", "--endpoint", oxigraph_server.url, "-f", "csv")
    assert code == 0, err
    assert out.count("\n") > 1
    # graph and boolean answers, and a syntax error the server reports (exit 3)
    graph = backend.execute(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}"
    )
    assert graph.form == "graph" and len(graph.triples) == expected[ONTOLOGY]
    assert backend.execute("ASK { ?s ?p ?o }").boolean is True
    with pytest.raises(InputError, match="SPARQL syntax error"):
        run_query("SELECT * WHERE { ?s ?p }", backend=backend)


def test_reload_replaces_each_graph(
    oxigraph_server: OxigraphServer, real_bundle: None, no_credentials: None
) -> None:
    assert cli("load", "--endpoint", oxigraph_server.url)[0] == 0
    first = server_counts(oxigraph_server.url)
    for swap in ("put", "move"):
        code, out, err = cli("load", "--endpoint", oxigraph_server.url, "--swap", swap)
        assert code == 0, err
        assert f"gsp-put{'+move' if swap == 'move' else ''}" in out
        assert server_counts(oxigraph_server.url) == first  # no staging graph left behind


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_user_file_add_then_replace(
    oxigraph_server: OxigraphServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_credentials: None,
    protocol: str,
) -> None:
    monkeypatch.setattr(gsp, "CHUNK_TRIPLES", 7)  # several INSERT DATA requests
    url = oxigraph_server.url
    a = write_nt(tmp_path / "a.nt", 50)
    b = write_nt(tmp_path / "b.ttl", 30, start=1000)
    base = ["load", "--endpoint", url, "--graph", G, "--protocol", protocol]
    assert cli(*base, str(a))[0] == 0
    assert server_counts(url) == {G: 50}
    assert cli(*base, str(b))[0] == 0
    assert server_counts(url) == {G: 80}
    code, _out, err = cli(*base, str(b), "--replace")
    assert code == 0, err
    assert server_counts(url) == {G: 30}
    assert graph_rows(url, G) == {(f"{EX}s{i}", f"{EX}p", f"value {i}") for i in range(1000, 1030)}


def test_update_fallback_keeps_blank_nodes_whole(
    oxigraph_server: OxigraphServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gsp, "CHUNK_TRIPLES", 5)
    f = tmp_path / "b.nt"
    f.write_text("".join(f'_:x <{EX}p> "v{i}" .\n' for i in range(20)))
    assert (
        cli(
            "load", "--endpoint", oxigraph_server.url, f"{f}", "--graph", G, "--protocol", "update"
        )[0]
        == 0
    )
    rows = sparql(
        oxigraph_server.url, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"
    )
    assert rows[0]["n"]["value"] == "1"  # one blank node, not one per chunk


def test_large_file_uses_the_bulk_loader_of_oxigraph(
    oxigraph_server: OxigraphServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gsp, "SERVER_BULK_BYTES", 1000)
    f = write_nt(tmp_path / "big.nt", 3000)
    seen: list[int] = []
    ep = gsp.endpoint(oxigraph_server.url)
    items = base.file_items([f], graph=G)
    report = gsp.load_endpoint(ep, items, progress=lambda d, t: seen.append(d))
    assert report.graphs[0].method == "gsp-post-bulk"
    assert server_counts(oxigraph_server.url) == {G: 3000}
    assert seen[-1] == f.stat().st_size and seen == sorted(seen)


def default_count(url: str) -> int:
    return int(sparql(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]["value"])


def test_one_large_file_goes_unparsed_to_the_bulk_loader_of_oxigraph(
    oxigraph_server: OxigraphServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One N-Triples file into an empty graph: its lines are counted, the server parses it."""
    monkeypatch.setattr(gsp, "SERVER_BULK_BYTES", 1000)
    scans: list[str] = []
    real_scan = base.scan
    monkeypatch.setattr(base, "scan", lambda *a, **k: scans.append(a[2]) or real_scan(*a, **k))
    f = write_nt(tmp_path / "big.nt", 3000)
    report = load([f], endpoint=oxigraph_server.url, graph=G)
    assert report.graphs[0].method == "gsp-post-bulk"
    assert (report.graphs[0].sent, report.graphs[0].stored) == (3000, 3000)
    assert server_counts(oxigraph_server.url) == {G: 3000}
    assert scans == []  # read once, by the server


@pytest.mark.parametrize("graph", [G, None], ids=["named-graph", "default-graph"])
def test_a_syntax_error_the_server_finds_leaves_the_graph_empty_and_names_the_line(
    oxigraph_server: OxigraphServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    graph: str | None,
) -> None:
    monkeypatch.setattr(gsp, "SERVER_BULK_BYTES", 1000)
    bad = write_nt(tmp_path / "big.nt", 3000)
    with bad.open("a") as handle:
        handle.write(f"<{EX}x> <{EX}p> .\n")
    with pytest.raises(InputError, match=r"big\.nt:3001:\d+: N-Triples syntax error"):
        load([bad], endpoint=oxigraph_server.url, graph=graph)
    assert server_counts(oxigraph_server.url) == {}
    assert default_count(oxigraph_server.url) == 0


def test_one_large_file_into_a_graph_with_triples_is_parsed_before_it_is_sent(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> None:
    """Not the bulk path (the graph is not empty), so the file is parsed first: nothing sent."""
    monkeypatch.setattr(gsp, "SERVER_BULK_BYTES", 1000)
    load([write_nt(tmp_path / "a.nt", 10)], endpoint=proxy.upstream, graph=G)
    bad = write_nt(tmp_path / "big.nt", 3000, start=10)
    with bad.open("a") as handle:
        handle.write(f"<{EX}x> <{EX}p> .\n")
    with pytest.raises(InputError, match=r"big\.nt:3001:"):
        load([bad], endpoint=proxy.url, graph=G)
    assert [s.method for s in proxy.seen if b"value" in s.body] == []
    assert server_counts(proxy.upstream) == {G: 10}


def test_several_files_are_all_parsed_before_the_first_is_sent(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> None:
    monkeypatch.setattr(gsp, "SERVER_BULK_BYTES", 1000)
    good = write_nt(tmp_path / "good.nt", 3000)
    bad = write_nt(tmp_path / "bad.nt", 3000, start=3000)
    with bad.open("a") as handle:
        handle.write(f"<{EX}x> <{EX}p> .\n")
    with pytest.raises(InputError, match=r"bad\.nt:3001:"):
        load([good, bad], endpoint=proxy.url, graph=G)
    assert proxy.seen == []
    assert server_counts(proxy.upstream) == {}


def _malformed_nt(path: Path, n: int) -> Path:
    write_nt(path, n)
    with path.open("a") as handle:
        handle.write(f"<{EX}x> <{EX}p> .\n")
    return path


def _uploads_in(seen: object) -> bool:
    """Whether a request the proxy sees is the upload of data (not a query or an update)."""
    return getattr(seen, "method", "") == "POST" and b"value" in getattr(seen, "body", b"")


@pytest.mark.parametrize("graph", [G, None], ids=["named-graph", "default-graph"])
def test_a_server_keeping_part_of_an_unparsed_file_leaves_the_graph_empty(
    proxy: Proxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_credentials: None,
    graph: str | None,
) -> None:
    """The server took half the lines of a malformed file: the file is parsed for the exact
    figures, its syntax error reported, and the half the server holds dropped again."""
    monkeypatch.setattr(gsp, "SERVER_BULK_BYTES", 1000)
    bad = _malformed_nt(tmp_path / "big.nt", 3000)
    proxy.rule = lambda n, seen: "half-lines" if _uploads_in(seen) else None
    with pytest.raises(InputError, match=r"big\.nt:3001:.*is empty again"):
        load([bad], endpoint=proxy.url, graph=graph)
    assert server_counts(proxy.upstream) == {}
    assert default_count(proxy.upstream) == 0


def test_a_server_keeping_part_of_a_good_unparsed_file_is_exit_4_and_emptied(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> None:
    monkeypatch.setattr(gsp, "SERVER_BULK_BYTES", 1000)
    f = write_nt(tmp_path / "big.nt", 3000)
    proxy.rule = lambda n, seen: "half-lines" if _uploads_in(seen) else None
    with pytest.raises(StoreError, match=r"holds 1500 triples.*the default graph is empty again"):
        load([f], endpoint=proxy.url)
    assert default_count(proxy.upstream) == 0


def test_a_timeout_on_an_unparsed_file_does_not_claim_the_graph_is_empty(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> None:
    """No answer in time: the server may still be loading, so the graph is left alone and the
    message says so."""
    monkeypatch.setattr(gsp, "SERVER_BULK_BYTES", 1000)
    monkeypatch.setenv(gsp.TIMEOUT_ENV, "1")
    f = write_nt(tmp_path / "big.nt", 3000)
    proxy.rule = lambda n, seen: "slow" if _uploads_in(seen) else None
    with pytest.raises(StoreError, match="may still be loading it") as caught:
        load([f], endpoint=proxy.url, graph=G)
    assert "empty again" not in str(caught.value)
    assert server_counts(proxy.upstream) == {G: 3000}


def test_one_small_malformed_file_is_parsed_before_the_server_is_asked_anything(
    proxy: Proxy, tmp_path: Path, no_credentials: None
) -> None:
    from servers import free_port

    bad = _malformed_nt(tmp_path / "small.nt", 10)
    code, _out, err = cli("load", "--endpoint", f"http://127.0.0.1:{free_port()}", str(bad))
    assert code == 3 and "small.nt:11:" in err  # the syntax error, not "cannot reach"
    with pytest.raises(InputError, match=r"small\.nt:11:"):
        load([bad], endpoint=proxy.url)
    assert proxy.seen == []


def test_a_line_too_long_to_parse_is_refused_while_counting_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_LINE_BYTES", 100)
    f = tmp_path / "long.nt"
    f.write_text(f'<{EX}s> <{EX}p> "{"x" * 500}" .\n<{EX}s> <{EX}p> "y" .\n')
    with pytest.raises(InputError, match="a line is over 100 bytes"):
        base.ntriples_lines(f, block_size=10)
    f.write_text(f'<{EX}s> <{EX}p> "{"x" * 50}" .\n<{EX}s> <{EX}p> "y" .\n')
    assert base.ntriples_lines(f, block_size=10) == (2, False)


# --- failures ------------------------------------------------------------------------------------


def test_server_down_is_one_line_exit_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from servers import free_port

    monkeypatch.chdir(tmp_path)
    f = write_nt(tmp_path / "a.nt", 5)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = cli("load", "--endpoint", f"http://127.0.0.1:{free_port()}", str(f))
    assert code == 4
    assert out == ""
    assert err.startswith("spacekg: error:") and "cannot reach" in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written locally


def _old_graph(proxy: Proxy, tmp_path: Path) -> set[tuple[str, str, str]]:
    old = write_nt(tmp_path / "old.nt", 400)
    assert cli("load", "--endpoint", proxy.upstream, str(old), "--graph", G)[0] == 0
    return graph_rows(proxy.upstream, G)


def test_upload_cut_midway_through_a_put_leaves_the_old_graph(
    proxy: Proxy, tmp_path: Path, no_credentials: None
) -> None:
    before = _old_graph(proxy, tmp_path)
    new = write_nt(tmp_path / "new.nt", 5000, start=10_000)
    proxy.rule = lambda n, seen: "cut" if seen.method == "PUT" else None
    code, _out, err = cli(
        "load", "--endpoint", proxy.url, str(new), "--graph", G, "--replace", "--swap", "put"
    )
    assert code == 4, err
    assert "HTTP 502" in err and len(err.strip().splitlines()) == 1
    assert f"graph <{G}> was left as it was (400 triples)" in err
    assert any(s.method == "PUT" for s in proxy.seen)
    assert graph_rows(proxy.upstream, G) == before
    assert server_counts(proxy.upstream) == {G: 400}


@pytest.mark.parametrize("fail", ["cut-staging", "500-on-move"])
def test_failure_midway_through_a_staged_replace_leaves_the_old_graph(
    proxy: Proxy, tmp_path: Path, no_credentials: None, fail: str
) -> None:
    before = _old_graph(proxy, tmp_path)
    new = write_nt(tmp_path / "new.nt", 5000, start=10_000)

    def rule(n: int, seen: object) -> str | None:
        body = getattr(seen, "body", b"")
        if fail == "cut-staging" and getattr(seen, "method", "") == "PUT":
            return "cut"
        if fail == "500-on-move" and b"MOVE" in body:
            return "500"
        return None

    proxy.rule = rule
    code, _out, err = cli(
        "load", "--endpoint", proxy.url, str(new), "--graph", G, "--replace", "--swap", "move"
    )
    assert code == 4, err
    assert "left as it was" in err and len(err.strip().splitlines()) == 1
    assert graph_rows(proxy.upstream, G) == before
    assert server_counts(proxy.upstream) == {G: 400}  # the staging graph was dropped


def test_wrong_credentials_exit_4_and_never_show_the_password(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy.user, proxy.password = "loader", "right-horse-battery"
    secret = "wrong-staple-9f3c"
    f = write_nt(tmp_path / "a.nt", 5)
    env = {"SPACEKG_USER": "loader", "SPACEKG_PASSWORD": secret, "NETRC": str(tmp_path / "none")}
    code, out, err = cli("load", "--endpoint", proxy.url, str(f), "--graph", G, env=env)
    assert code == 4
    assert "HTTP 401" in err and "SPACEKG_PASSWORD" in err
    assert secret not in out + err
    assert len(err.strip().splitlines()) == 1
    assert server_counts(proxy.upstream) == {}
    # the right ones from ~/.netrc work, and are not shown either
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login loader password right-horse-battery\n")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc)}
    monkeypatch.delenv("SPACEKG_USER", raising=False)
    monkeypatch.delenv("SPACEKG_PASSWORD", raising=False)
    code, out, err = cli("load", "--endpoint", proxy.url, str(f), "--graph", G, env=env)
    assert code == 0, err
    assert "right-horse-battery" not in out + err
    assert server_counts(proxy.upstream) == {G: 5}


def test_credentials_in_the_url_are_refused(no_credentials: None) -> None:
    code, out, err = cli("load", "--endpoint", "http://u:hunter22@127.0.0.1:1")
    assert code == 3
    assert "hunter22" not in out + err


def test_malformed_file_sends_nothing(proxy: Proxy, tmp_path: Path, no_credentials: None) -> None:
    bad = write_nt(tmp_path / "bad.ttl", 200)
    with bad.open("a") as handle:
        handle.write(f"<{EX}x> <{EX}p> .\n")
    code, _out, err = cli("load", "--endpoint", proxy.url, str(bad), "--graph", G)
    assert code == 3
    assert "bad.ttl:201:" in err and "syntax error" in err
    assert proxy.seen == []


def test_short_graph_on_the_server_is_exit_4(
    proxy: Proxy, tmp_path: Path, no_credentials: None
) -> None:
    """A server that answers 2xx but keeps fewer triples is caught by the count."""
    f = write_nt(tmp_path / "a.nt", 100)

    def rule(n: int, seen: object) -> str | None:
        sent = getattr(seen, "method", "") == "POST" and b"value" in getattr(seen, "body", b"")
        return "half-lines" if sent else None

    proxy.rule = rule
    code, _out, err = cli("load", "--endpoint", proxy.url, str(f), "--graph", G)
    assert code == 4, err
    assert "holds 50 triples after the load, expected 100" in err
    assert server_counts(proxy.upstream) == {}  # the partial graph was dropped again


def test_upload_cut_midway_into_an_empty_graph_leaves_it_empty(
    proxy: Proxy, tmp_path: Path, no_credentials: None
) -> None:
    f = write_nt(tmp_path / "a.nt", 3000)
    proxy.rule = lambda n, seen: "cut" if seen.method == "POST" and b"value" in seen.body else None
    code, _out, err = cli("load", "--endpoint", proxy.url, str(f), "--graph", G)
    assert code == 4 and "empty again" in err
    assert server_counts(proxy.upstream) == {}


# --- Virtuoso ------------------------------------------------------------------------------------


def virtuoso_env(server: VirtuosoServer, tmp_path: Path) -> dict[str, str]:
    """The private Virtuoso's credentials in the environment, and no ~/.netrc."""
    return {
        "SPACEKG_USER": server.user,
        "SPACEKG_PASSWORD": server.password,
        "NETRC": str(tmp_path / "none"),
    }


def test_bundle_to_virtuoso_load_replace_query(
    virtuoso_server: VirtuosoServer, real_bundle: None, tmp_path: Path
) -> None:
    env = virtuoso_env(virtuoso_server, tmp_path)
    url = virtuoso_server.url
    for _ in range(2):  # load, then replace (staging graph + MOVE)
        code, out, err = cli(
            "load", "--endpoint", url, "--server", "virtuoso", "--inferred", env=env
        )
        assert code == 0, err
        assert virtuoso_server.password not in out + err
    expected = {iri: len(lines) for iri, lines in iter_graphs(inferred=True)}
    counts = {g: n for g, n in server_counts(url, "/sparql").items() if g in expected}
    assert counts == expected
    assert not [g for g in server_counts(url, "/sparql") if g.startswith(base.STAGING_NS)]
    backend = gsp.EndpointStore(gsp.endpoint(url, server="virtuoso"))
    result = backend.execute(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}"
    )
    assert result.rows[0][0] is not None and int(result.rows[0][0].value) == expected[ONTOLOGY]


def test_virtuoso_wrong_password_exit_4(virtuoso_server: VirtuosoServer, tmp_path: Path) -> None:
    f = write_nt(tmp_path / "a.nt", 5)
    env = {"SPACEKG_USER": "dba", "SPACEKG_PASSWORD": "not-the-password-71", "NETRC": ""}
    code, out, err = cli(
        "load",
        "--endpoint",
        virtuoso_server.url,
        "--server",
        "virtuoso",
        str(f),
        "--graph",
        G,
        env=env,
    )
    assert code == 4
    assert "not-the-password-71" not in out + err
    assert len(err.strip().splitlines()) == 1


def test_virtuoso_replace_a_user_file_with_digest_auth(
    virtuoso_server: VirtuosoServer, tmp_path: Path
) -> None:
    """Regression: Virtuoso hung up with 'Broken pipe' when a large upload met its Digest
    challenge; spacekg now fetches the challenge before sending the body."""
    env = virtuoso_env(virtuoso_server, tmp_path)
    f = write_nt(tmp_path / "a.nt", 6000)
    g = G + "/virtuoso"
    for expected_method in ("gsp-post", "gsp-put+move"):
        code, out, err = cli(
            "load",
            "--endpoint",
            virtuoso_server.url,
            "--server",
            "virtuoso",
            str(f),
            "--graph",
            g,
            "--replace",
            env=env,
        )
        assert code == 0, err
        assert out == f"<{g}>\t6000 triples\t{expected_method}\n"
    assert server_counts(virtuoso_server.url, "/sparql")[g] == 6000


def test_virtuoso_update_fallback_in_chunks_it_accepts(
    virtuoso_server: VirtuosoServer, tmp_path: Path
) -> None:
    """Regression: 10,000-triple INSERT DATA requests exceed Virtuoso's SQL size limit (SP031);
    the virtuoso preset sends 1,000 at a time."""
    env = virtuoso_env(virtuoso_server, tmp_path)
    f = write_nt(tmp_path / "a.nt", 2500)
    g = G + "/virtuoso-update"
    for _ in range(2):
        code, out, err = cli(
            "load",
            "--endpoint",
            virtuoso_server.url,
            "--server",
            "virtuoso",
            "--protocol",
            "update",
            str(f),
            "--graph",
            g,
            "--replace",
            env=env,
        )
        assert code == 0, err
        assert out == f"<{g}>\t2500 triples\tupdate-chunks+move\n"
    assert server_counts(virtuoso_server.url, "/sparql")[g] == 2500
