"""``spacekg serve`` over HTTP, as programs use it: a real server process on 127.0.0.1 and real
clients (httpx, SPARQLWrapper, Jena's ARQ remote query), the stored-query API against
``spacekg query run``, the OpenAPI document validated, timeouts and Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serve_utils import Server, running_server, start_server

from spacekg.query.catalogue import list_queries
from spacekg.query.engine import default_backend, run_query
from spacekg.query.render import to_json

pytestmark = [pytest.mark.server, pytest.mark.slow]

COUNT_CLAIMS = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/spacekg/ontology#AuthorClaim> }"
)
JAPAN = "https://w3id.org/spacekg/id/japan"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from running_server(tmp_path_factory, "--timeout", "4")


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def backend(server: Server):  # type: ignore[no-untyped-def]
    return default_backend()


def _bindings(doc: dict) -> list[dict]:  # type: ignore[type-arg]
    return doc["results"]["bindings"]


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_stored_query_answers_as_query_run(name: str, client: httpx.Client, backend) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads(to_json(run_query(name, {}, backend=backend)))
    response = client.get(f"/api/{name}", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.json() == expected


def test_a_parameter_is_bound_like_the_cli(client: httpx.Client, backend) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads(to_json(run_query("events", {"actor": "skgid:japan"}, backend=backend)))
    got = client.get("/api/events", params={"actor": "skgid:japan"}).json()
    assert got == expected
    actors = {b["actor"]["value"] for b in _bindings(got)}
    assert actors == {JAPAN}
    everyone = client.get("/api/events").json()
    assert len(_bindings(everyone)) > len(_bindings(got))


def test_bad_parameters_are_400_with_one_line(client: httpx.Client) -> None:
    typo = client.get("/api/events", params={"actr": "skgid:japan"})
    assert typo.status_code == 400
    assert "no parameter named 'actr'" in typo.text and "actor" in typo.text
    bad = client.get("/api/events", params={"actor": "skgidd:japan"})
    assert bad.status_code == 400 and "unknown prefix" in bad.text
    assert "Traceback" not in typo.text + bad.text
    assert client.get("/api/no-such-query").status_code == 404


@pytest.mark.parametrize(
    ("accept", "media", "start"),
    [
        ("text/csv", "text/csv", "event,eventLabel"),
        ("text/tab-separated-values", "text/tab-separated-values", "?event\t?eventLabel"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "<?xml"),
        ("application/json", "application/sparql-results+json", "{"),
        ("*/*", "application/sparql-results+json", "{"),
    ],
)
def test_api_negotiates_w3c_formats(
    client: httpx.Client, accept: str, media: str, start: str
) -> None:
    r = client.get("/api/events", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert r.text.startswith(start)


def test_api_refuses_an_unacceptable_format(client: httpx.Client) -> None:
    r = client.get("/api/events", headers={"Accept": "text/turtle"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text


def test_openapi_validates_and_lists_every_query(client: httpx.Client) -> None:
    from openapi_spec_validator import validate

    doc = client.get("/api/openapi.json").json()
    validate(doc)
    queries = list_queries()
    assert set(doc["paths"]) == {f"/{q.name}" for q in queries}
    for q in queries:
        op = doc["paths"][f"/{q.name}"]["get"]
        assert op["summary"] == q.summary
        assert op["tags"] == list(q.tags)
        assert q.text.strip() in op["description"]
        params = {p["name"]: p for p in op["parameters"]}
        assert set(params) == {p.name for p in q.parameters}
        for p in q.parameters:
            assert params[p.name]["required"] == p.needed
            if p.default is not None:
                assert str(params[p.name]["schema"]["default"]) == p.default
    entity = {p["name"]: p for p in doc["paths"]["/entity-sentences"]["get"]["parameters"]}
    # grlc's name for ?_entity_iri is "entity", an IRI, with the header's default
    assert entity["entity"]["schema"] == {"type": "string", "format": "iri", "default": JAPAN}


# --- the SPARQL 1.1 Protocol endpoint ---------------------------------------------------------

SELECT_JAPAN = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    f"SELECT ?label WHERE {{ <{JAPAN}> rdfs:label ?label }}"
)


def test_sparql_get_post_and_body(client: httpx.Client) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    get = client.get("/sparql", params={"query": SELECT_JAPAN}, headers=accept)
    form = client.post("/sparql", data={"query": SELECT_JAPAN}, headers=accept)
    body = client.post(
        "/sparql",
        content=SELECT_JAPAN.encode(),
        headers={**accept, "Content-Type": "application/sparql-query"},
    )
    for r in (get, form, body):
        assert r.status_code == 200, r.text
        assert [b["label"]["value"] for b in _bindings(r.json())] == ["Japan"]


def test_sparql_graph_results_in_rdf_formats(client: httpx.Client) -> None:
    construct = f"CONSTRUCT {{ <{JAPAN}> ?p ?o }} WHERE {{ <{JAPAN}> ?p ?o }}"
    turtle = client.get("/sparql", params={"query": construct}, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    import pyoxigraph as ox

    triples = list(ox.parse(turtle.content, ox.RdfFormat.TURTLE))
    assert any(str(t.object) == '"Japan"@en' for t in triples)
    nt = client.get(
        "/sparql", params={"query": construct}, headers={"Accept": "application/n-triples"}
    )
    assert len(list(ox.parse(nt.content, ox.RdfFormat.N_TRIPLES))) == len(triples)
    ld = client.get(
        "/sparql", params={"query": construct}, headers={"Accept": "application/ld+json"}
    )
    assert ld.headers["content-type"].startswith("application/ld+json") and ld.json()


def test_sparql_is_read_only_and_keeps_the_network_rule(client: httpx.Client) -> None:
    update = client.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert update.status_code == 403
    as_query = client.get("/sparql", params={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert as_query.status_code == 400 and "read-only" in as_query.text
    service = client.get(
        "/sparql",
        params={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
    )
    assert service.status_code == 400 and "would reach the network" in service.text
    syntax = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert syntax.status_code == 400 and "syntax error" in syntax.text


def test_sparqlwrapper_reads_the_endpoint(server: Server) -> None:
    from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(SELECT_JAPAN)
    sw.setReturnFormat(JSON)
    doc = sw.query().convert()
    assert [b["label"]["value"] for b in doc["results"]["bindings"]] == ["Japan"]
    sw.setReturnFormat(XML)
    xml = sw.query().convert()
    assert [n.firstChild.nodeValue for n in xml.getElementsByTagName("literal")] == ["Japan"]
    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().splitlines() == ["label", "Japan"]
    sw.setMethod("POST")
    sw.setReturnFormat(JSON)
    sw.setQuery("ASK { ?s a <https://w3id.org/spacekg/ontology#AuthorClaim> }")
    assert sw.query().convert()["boolean"] is True


def _jena_classpath() -> str | None:
    """Jena's jars from Debian's libapache-jena-java (see /work/shared/JENA.md), or None."""
    java = Path("/usr/share/java")
    if not (java / "jena-arq.jar").is_file() or not shutil.which("java"):
        return None
    names = [
        "jena-cmds", "jena-arq", "jena-core", "jena-base", "jena-iri", "jena-shacl", "jena-shex",
        "jena-dboe-base", "jena-tdb", "jena-tdb2", "jena-dboe-index", "jena-dboe-storage",
        "jena-dboe-trans-data", "jena-dboe-transaction", "jena-rdfconnection",
    ]  # fmt: skip
    jars = [str(java / f"{n}.jar") for n in names if (java / f"{n}.jar").is_file()]
    deps = subprocess.run(
        ["apt-cache", "depends", "libapache-jena-java"], capture_output=True, text=True
    ).stdout
    for line in deps.splitlines():
        if "Depends:" not in line or "slf4j" in line:
            continue
        package = line.split()[-1]
        listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True).stdout
        for f in listed.splitlines():
            p = Path(f)
            if p.parent == java and p.suffix == ".jar" and not _versioned(p.name):
                jars.append(f)
    jars += [str(java / "slf4j-api.jar"), str(java / "slf4j-simple.jar")]
    return ":".join(jars)


def _versioned(name: str) -> bool:
    import re

    return re.search(r"-[0-9][0-9.]*\.jar$", name) is not None


@pytest.fixture(scope="module")
def jena_cp(tmp_path_factory: pytest.TempPathFactory) -> str:
    cp = _jena_classpath()
    if cp is None:
        if os.environ.get("SPACEKG_REQUIRE_JENA"):
            pytest.fail("SPACEKG_REQUIRE_JENA is set but Jena (libapache-jena-java) is missing")
        pytest.skip("Jena is not installed (apt-get install libapache-jena-java)")
    # Debian's jena-core keeps the shaded Xerces message bundles under the unshaded package
    # name; copied to where the classes look for them (see JENA.md)
    import zipfile

    fix = tmp_path_factory.mktemp("jena-fix")
    prefix = "org/apache/jena/ext/"
    with zipfile.ZipFile("/usr/share/java/jena-core.jar") as jar:
        for entry in jar.namelist():
            if entry.startswith(prefix + "xerces/impl/") and entry.endswith(".properties"):
                target = fix / entry[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(entry))
    return f"{fix}:{cp}"


def test_jena_rsparql_reads_the_endpoint(server: Server, jena_cp: str) -> None:
    """Jena's remote query (``rsparql``, class arq.rsparql) against /sparql."""
    run = subprocess.run(
        ["java", "-cp", jena_cp, "arq.rsparql", "--service", server.url + "/sparql",
         "--query", "/dev/stdin", "--results", "csv"],
        input=SELECT_JAPAN, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["label", "Japan"]
    count = subprocess.run(
        ["java", "-cp", jena_cp, "arq.rsparql", "--service", server.url + "/sparql",
         "--query", "/dev/stdin", "--results", "json"],
        input=COUNT_CLAIMS,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert count.returncode == 0, count.stderr
    expected = run_query(COUNT_CLAIMS).rows[0][0]
    assert json.loads(count.stdout)["results"]["bindings"][0]["n"]["value"] == expected.value


# --- faults -----------------------------------------------------------------------------------


def test_a_runaway_query_times_out_without_stalling_others(
    server: Server, client: httpx.Client
) -> None:
    order: list[str] = []
    outcome: dict[str, httpx.Response] = {}

    def runaway() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            outcome["runaway"] = c.get("/sparql", params={"query": RUNAWAY})
        order.append("runaway")

    thread = threading.Thread(target=runaway)
    thread.start()
    for _ in range(10):  # while the runaway query holds one worker, the others answer
        r = client.get("/api/five-eyes-course")
        assert r.status_code == 200
        order.append("quick")
    thread.join(120)
    assert order.index("runaway") == len(order) - 1, order
    slow = outcome["runaway"]
    assert slow.status_code == 503
    assert "timeout of 4 s" in slow.text
    again = client.get("/api/five-eyes-course")  # the stopped worker was replaced
    assert again.status_code == 200
    for _ in range(3):
        assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path, server: Server) -> None:
    import psutil

    mine = start_server(tmp_path, "--workers", "2", cache=None)
    children = psutil.Process(mine.process.pid).children(recursive=True)
    assert len(children) >= 2  # the query workers
    with httpx.Client(base_url=mine.url, timeout=60) as c:
        assert c.get("/api/timeline").status_code == 200
    os.killpg(mine.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    assert mine.process.wait(60) == 130
    log = mine.log()
    assert "Traceback" not in log
    assert "interrupted" in log
    # the workers and multiprocessing's resource tracker end with the server (the tracker on
    # the end of its pipe, a moment after the server's exit)
    _gone, alive = psutil.wait_procs(children, timeout=20)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    with pytest.raises(httpx.ConnectError):
        httpx.get(mine.url + "/", timeout=5)


def test_a_busy_port_is_one_line_exit_4(tmp_path: Path, server: Server) -> None:
    port = server.url.rsplit(":", 1)[1]
    env = {**os.environ, "SPACEKG_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run(
        [str(Path(sys.executable).with_name("spacekg")), "serve", "--port", port],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 4
    assert run.stderr.strip() == (
        f"spacekg: error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(choose another --port)"
    )  # one line, said before any other work


# --- statement-level evidence and the public record on the entity page ------------------------

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKG_NS = "https://w3id.org/spacekg/ontology#"


@pytest.fixture(scope="module")
def graph():  # type: ignore[no-untyped-def]
    """The data files read with rdflib, independently of the server."""
    from rdflib import Graph

    from spacekg.project import data_dir

    g = Graph()
    for path in sorted(data_dir().glob("*.ttl")):
        g.parse(path)
    return g


def _n3(node) -> str:  # type: ignore[no-untyped-def]
    from rdflib import Literal

    from spacekg.terms import Term

    if isinstance(node, Literal):
        dt = str(node.datatype) if node.datatype else None
        return Term("literal", str(node), None if node.language else dt, node.language).n3()
    return Term("uri", str(node)).n3()


def _facts_on_page(html: str) -> dict[str, str]:
    import html as htmllib
    import re

    items = re.findall(r'(<li class="fact how-[a-z]+" data-triple="([^"]*)">.*?</li>)', html, re.S)
    return {htmllib.unescape(triple): item for item, triple in items}


@pytest.mark.parametrize("local", ["quad-summit-tokyo", "japan", "united-states"])
def test_entity_page_shows_stated_and_read_from_reification(
    local: str,
    client: httpx.Client,
    graph,  # type: ignore[no-untyped-def]
) -> None:
    from rdflib import RDF, Namespace, URIRef

    skg, prov = Namespace(SKG_NS), Namespace("http://www.w3.org/ns/prov#")
    node = URIRef("https://w3id.org/spacekg/id/" + local)
    facts = _facts_on_page(client.get(f"/id/{local}").text)
    checked = {"stated": 0, "read": 0}
    for st in set(graph.subjects(RDF.type, RDF.Statement)):
        if (st, RDF.type, skg.RecordFact) in graph:
            continue
        s, p, o = (graph.value(st, RDF[x]) for x in ("subject", "predicate", "object"))
        if node not in (s, o):
            continue
        triple = f"{_n3(s)} {_n3(p)} {_n3(o)}"
        item = facts.get(triple)
        if item is None:  # describe leaves out rdf:type and skg:hasEvidence facts
            continue
        mode = {skg.Stated: "stated", skg.Read: "read"}[graph.value(st, skg.support)]
        assert f'class="fact how-{mode}"' in item, triple
        reason = graph.value(st, skg.readingReason)
        if reason is not None:
            import html as htmllib

            assert str(reason) in htmllib.unescape(item), triple
        for span in graph.objects(st, prov.wasDerivedFrom):
            assert f'href="#w-{str(span).rsplit("/", 1)[1]}"' in item, (triple, span)
        checked[mode] += 1
    assert checked["stated"] + checked["read"] > 0
    if local == "quad-summit-tokyo":
        assert checked["read"] > 0 and checked["stated"] > 0
    # the statement nodes' own links are not listed as facts
    assert not [t for t in facts if f"<{RDF_NS}subject>" in t]


def test_tensions_and_record_facts_with_citations(client: httpx.Client, graph) -> None:  # type: ignore[no-untyped-def]
    import html as htmllib

    from rdflib import RDF, RDFS, Namespace, URIRef

    skg = Namespace(SKG_NS)
    prov = Namespace("http://www.w3.org/ns/prov#")
    dcterms = Namespace("http://purl.org/dc/terms/")
    tensions = sorted(graph.subjects(RDF.type, skg.Tension))
    assert tensions
    for tension in tensions:
        said = next(iter(graph.objects(tension, skg.articleSays)))
        subject = graph.value(said, RDF.subject)
        assert isinstance(subject, URIRef)
        page = htmllib.unescape(client.get(f"/id/{str(subject).rsplit('/', 1)[1]}").text)
        assert 'class="comparison tension"' in page
        assert str(graph.value(tension, RDFS.label)) in page
        assert str(graph.value(tension, RDFS.comment)) in page
        for fact in graph.objects(tension, skg.recordShows):
            for cite in graph.objects(fact, prov.wasDerivedFrom):
                publisher = graph.value(cite, dcterms.publisher)
                assert publisher is not None and str(publisher) in page
    # a node of the public record: its record facts and their citations
    fact = sorted(graph.subjects(RDF.type, skg.RecordFact))[0]
    subject = graph.value(fact, RDF.subject)
    page = htmllib.unescape(client.get(f"/id/{str(subject).rsplit('/', 1)[1]}").text)
    assert "Public record" in page
    for cite in graph.objects(fact, prov.wasDerivedFrom):
        assert str(graph.value(cite, RDFS.label)) in page


def test_listening_socket_is_tcp_with_nodelay() -> None:
    """Regression: a socket made with proto 0 made asyncio skip TCP_NODELAY on accepted
    connections, and every response on a kept-alive connection waited ~40 ms (delayed ACK)."""
    import socket

    from spacekg.serve.server import _bind

    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        accepted_side = socket.create_connection(sock.getsockname()[:2])
        conn, _ = sock.accept()
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1  # inherited
        conn.close()
        accepted_side.close()
    finally:
        sock.close()


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_stored_query_runs_from_its_page(name: str, client: httpx.Client, backend) -> None:  # type: ignore[no-untyped-def]
    """What the form submits (GET /queries/NAME?run=1): the same rows as query run, each cell
    the term's short form, every IRI of our own a link to its page."""
    import html as htmllib
    import re

    from spacekg.query.render import default_prefixes, short

    expected = run_query(name, {}, backend=backend)
    page = client.get(f"/queries/{name}", params={"run": "1"})
    assert page.status_code == 200
    body = page.text[page.text.index('<table class="results">') :]
    body = body[: body.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], flags=re.S)
    assert len(rows) == len(expected.rows) > 0 or expected.form != "select"
    prefixes = default_prefixes()
    for row, want in zip(rows, expected.rows, strict=True):
        cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
        markup = r"<span class=\"tag\">.*?</span>|<[^>]+>"
        texts = [htmllib.unescape(re.sub(markup, "", c)).strip() for c in cells]
        assert texts == [short(t, prefixes) if t is not None else "–" for t in want]
        for cell, term in zip(cells, want, strict=True):
            if term is not None and term.kind == "uri" and term.value.startswith(JAPAN[:-5]):
                assert f'href="/id/{term.value.rsplit("/", 1)[1]}"' in cell
