"""Hostile input, continued: shapes files pySHACL refuses, and a `load --replace` to a server
killed between its staging upload and its swap. Each case runs the real command in a subprocess
(the helper of :mod:`test_hostile`: no traceback, no "internal error", no death by signal)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from servers import Proxy, Seen, VirtuosoServer
from test_hostile import HANG_GUARD, spacekg

from spacekg.namespaces import GRAPH_NS
from spacekg.stores.base import STAGING_NS
from spacekg.stores.server_staging import STALE_AFTER, host_key, staging_iri

FIXTURES = Path(__file__).parent / "fixtures"
BAD_SHAPES = sorted((FIXTURES / "bad-shapes").glob("*.ttl"))
BAD_SHAPES_DATA = FIXTURES / "bad-shapes-data.ttl"


def _expected(shapes: Path) -> tuple[str, str]:
    """(what pySHACL does with the file, the words our message must hold), from its comment."""
    m = re.search(r"^# pySHACL: (.*); expect: (.*)$", shapes.read_text(), re.MULTILINE)
    assert m, f"{shapes.name} has no '# pySHACL: ...; expect: ...' comment"
    return m.group(1), m.group(2)


# --- a shapes file pySHACL refuses ----------------------------------------------------------------


def test_there_are_bad_shapes_fixtures() -> None:
    assert len(BAD_SHAPES) >= 7


@pytest.mark.parametrize("shapes", BAD_SHAPES, ids=lambda p: p.stem)
@pytest.mark.parametrize("engine", ["auto", "fast", "pyshacl"])
def test_a_malformed_shapes_file_is_exit_3_naming_it(shapes: Path, engine: str) -> None:
    _, words = _expected(shapes)
    code, out, err = spacekg(
        "validate", str(BAD_SHAPES_DATA), "--shapes", str(shapes), "--engine", engine
    )
    assert code == 3, err
    assert err.strip().count("\n") == 0, err
    assert str(shapes) in err and words in err, err
    assert out == ""


#: the fixtures pySHACL itself refuses (the others it reads as something else)
REFUSED = [p for p in BAD_SHAPES if not _expected(p)[0].startswith("reads it")]


@pytest.mark.parametrize("shapes", REFUSED, ids=lambda p: p.stem)
def test_pyshacl_itself_refuses_the_fixture(shapes: Path) -> None:
    """The fixtures are what they claim: pySHACL, given them directly, raises."""
    import pyshacl
    from rdflib import Graph

    data = Graph().parse(BAD_SHAPES_DATA)
    with pytest.raises(Exception) as refused:  # its classes differ per case
        pyshacl.validate(data, shacl_graph=Graph().parse(shapes), advanced=False)
    name = type(refused.value).__name__
    assert name in ("ShapeLoadError", "ConstraintLoadError", "ReportableRuntimeError", "error")
    assert name in _expected(shapes)[0]  # the comment names the class pySHACL raises


@pytest.mark.parametrize("shapes", REFUSED, ids=lambda p: p.stem)
def test_pyshacls_own_refusal_is_caught_too(shapes: Path) -> None:
    """The pySHACL engine turns pySHACL's load errors into ShapesRefused even for a graph our
    own check would have let through (it is called here without that check)."""
    from spacekg.shacl import api
    from spacekg.shacl.wellformed import ShapesRefused

    g, quads = api.shapes_index(shapes)
    store = api.build_store([BAD_SHAPES_DATA], None)
    with pytest.raises(ShapesRefused, match="pySHACL refuses it"):
        api._validate_pyshacl(store, g, quads, "none", None)


# --- a replace to a server killed between its staging upload and its MOVE ------------------------


def _select(url: str, query: str, path: str = "/query") -> list[dict[str, dict[str, str]]]:
    body = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(
        url + path, data=body, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["results"]["bindings"]


def _graph_counts(url: str, path: str = "/query") -> dict[str, int]:
    rows = _select(
        url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", path
    )
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def _write_nt(path: Path, n: int, start: int = 0) -> Path:
    path.write_text(
        "".join(f'<urn:ex:s{i}> <urn:ex:p> "v{i}" .\n' for i in range(start, start + n))
    )
    return path


def _plant(url: str, iri: str) -> None:
    """A staging graph of one triple, as another loader's upload leaves it."""
    body = urllib.parse.urlencode(
        {"update": f"INSERT DATA {{ GRAPH <{iri}> {{ <urn:ex:x> <urn:ex:p> <urn:ex:y> }} }}"}
    ).encode()
    with urllib.request.urlopen(urllib.request.Request(url + "/update", data=body), timeout=60):
        pass


@pytest.mark.server
@pytest.mark.parametrize("graph", ["urn:ex:user-graph", GRAPH_NS + "data/killed"])
def test_a_replace_killed_before_its_move_leaves_an_orphan_no_query_sees_and_the_next_load_removes(
    proxy: Proxy, tmp_path: Path, graph: str
) -> None:
    """A real SIGKILL of `spacekg load --replace --swap move` while the server holds its MOVE
    (the proxy keeps the request until the loader is dead, then fails it): the staging graph
    stays on the server with every new triple, as a crash leaves it. The next load removes the
    staging graphs whose loader is gone, and keeps a running loader's and one from another
    machine (server_staging's rule)."""
    env = {"NETRC": str(tmp_path / "no-netrc")}  # no credentials: the proxy asks for none
    old, new = _write_nt(tmp_path / "old.nt", 3), _write_nt(tmp_path / "new.nt", 50, start=100)
    upstream = proxy.upstream
    assert spacekg("load", str(old), "--endpoint", upstream, "--graph", graph, env=env)[0] == 0

    at_move, release = threading.Event(), threading.Event()

    def hold_the_move(_n: int, seen: Seen) -> str | None:
        if b"MOVE" in seen.body:
            at_move.set()
            release.wait(HANG_GUARD)
            return "500"  # the loader is dead by now: nobody reads this
        return None

    proxy.rule = hold_the_move
    loader = subprocess.Popen(
        [sys.executable, "-m", "spacekg", "load", str(new), "--endpoint", proxy.url,
         "--graph", graph, "--replace", "--swap", "move"],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert at_move.wait(HANG_GUARD), "the loader never sent its MOVE"
        os.kill(loader.pid, signal.SIGKILL)
        assert loader.wait(HANG_GUARD) == -signal.SIGKILL
    finally:
        release.set()
        if loader.poll() is None:
            loader.kill()
            loader.wait()
        assert loader.stderr is not None
        loader.stderr.close()

    counts = _graph_counts(upstream)
    staged = [g for g in counts if g.startswith(STAGING_NS)]
    assert len(staged) == 1 and counts[staged[0]] == 50, counts  # the orphan, all new triples
    orphan = staged[0]
    named = rf"\d{{8}}T\d{{6}}Z:{host_key()}:{loader.pid}:[0-9a-f-]{{36}}"  # start, machine, pid
    assert re.fullmatch(re.escape(STAGING_NS) + named, orphan), orphan
    assert counts[graph] == 3  # the target was never touched

    # spacekg's own queries on that server never see it
    for text in (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    ):
        q = tmp_path / "count.rq"
        q.write_text(text + "\n")
        code, out, err = spacekg(
            "query", "run", str(q), "--endpoint", upstream, "-f", "csv", env=env
        )
        assert code == 0, err
        assert out.splitlines()[1] == "3", (text, out)

    # load --status reports it
    code, out, err = spacekg("load", "--status", "--endpoint", upstream, env=env)
    assert code == 0, err
    assert f"<{graph}>\t3 triples" in out
    assert f"staging graph <{orphan}> (50 triples) was left by an interrupted replace" in err

    # the next load removes it, and only what is an orphan by the documented rule
    now = datetime.now(UTC)
    live = staging_iri(now)  # a running loader's (this process)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    elsewhere = f"{STAGING_NS}{stamp}:000000000000:1:0b9e4f0c-7a43-4c1b-9a57-1f0c1d7b2e10"
    stale = staging_iri(now - STALE_AFTER - timedelta(minutes=1))  # running, but for a day
    legacy = STAGING_NS + "0b9e4f0c-7a43-4c1b-9a57-1f0c1d7b2e11"  # no start time: an old spacekg's
    for iri in (live, elsewhere, stale, legacy):
        _plant(upstream, iri)
    code, _, err = spacekg(
        "load", str(new), "--endpoint", upstream, "--graph", graph, "--replace", "--swap", "move",
        env=env,
    )  # fmt: skip
    assert code == 0, err
    counts = _graph_counts(upstream)
    assert sorted(g for g in counts if g.startswith(STAGING_NS)) == sorted([live, elsewhere])
    assert counts[graph] == 50
    code, out, err = spacekg("load", "--status", "--endpoint", upstream, env=env)
    assert code == 0 and orphan not in err and live in err


@pytest.mark.server
def test_an_orphan_on_virtuoso_is_invisible_reported_and_removed(
    virtuoso_server: VirtuosoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Virtuoso swaps by staging graph + MOVE too (its PUT is not atomic); its default graph is
    every graph it holds, so the scoping of spacekg's queries is what keeps the orphan out."""
    env = {
        "SPACEKG_USER": virtuoso_server.user,
        "SPACEKG_PASSWORD": virtuoso_server.password,
        "NETRC": str(tmp_path / "none"),
    }
    url, graph = virtuoso_server.url, GRAPH_NS + "data/virtuoso-orphan"
    old, new = _write_nt(tmp_path / "old.nt", 3), _write_nt(tmp_path / "new.nt", 7, start=100)
    load = ("load", "--endpoint", url, "--server", "virtuoso", "--graph", graph, "--replace")
    assert spacekg(*load[:-1], str(old), env=env)[0] == 0
    ended = subprocess.Popen(["true"])  # a process that no longer runs
    ended.wait()
    orphan = staging_iri(datetime.now(UTC), pid=ended.pid)  # as a killed loader names it
    from spacekg.stores.endpoint import _Client, endpoint

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    client = _Client(endpoint(url, server="virtuoso"))
    client.update(f"INSERT DATA {{ GRAPH <{orphan}> {{ <urn:ex:x> <urn:ex:p> <urn:ex:y> }} }}", "")
    assert _graph_counts(url, "/sparql").get(orphan) == 1
    q = tmp_path / "count.rq"  # the orphan's triple has this predicate too; the session's
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:ex:p> ?o }\n")  # other graphs not
    code, out, err = spacekg(
        "query",
        "run",
        str(q),
        "--endpoint",
        url,
        "-f",
        "csv",
        env={**env, "SPACEKG_SERVER": "virtuoso"},
    )
    assert code == 0 and out.splitlines()[1] == "3", (out, err)
    code, out, err = spacekg("load", "--status", "--endpoint", url, "--server", "virtuoso", env=env)
    assert code == 0 and f"staging graph <{orphan}> (1 triples)" in err, err
    assert spacekg(*load, str(new), env=env)[0] == 0
    counts = _graph_counts(url, "/sparql")
    assert orphan not in counts and counts[graph] == 7
