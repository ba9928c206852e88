"""Same answers on every store: every stored query, every declared parameter variant and the
datatype probe, on every backend there is, against the goldens (see tests/conformance.py).

Backends: spacekg's default engine (in-memory Oxigraph), an embedded store (``load --store``),
``oxigraph serve`` (PyPI), Virtuoso (Debian; ``SPACEKG_REQUIRE_VIRTUOSO``) and Apache Jena's ARQ
and TDB2 (Debian's libapache-jena-java; ``SPACEKG_REQUIRE_JENA``) over ``spacekg export``.
Servers and stores get the bundle with its entailments (``spacekg load --inferred``). A backend
that is installed runs; one that is not is skipped with the reason, unless CI requires it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conformance import Case, cases, differences, expected, jena_classpath, run_jena
from servers import VirtuosoServer, free_port, oxigraph_binary, wait_until_answers

from spacekg.dataset.export import export, iter_graphs, serialize
from spacekg.errors import SpacekgError
from spacekg.query.engine import Backend, default_backend, run_query
from spacekg.stores import load
from spacekg.stores.embedded import EmbeddedStore
from spacekg.terms import QueryResult

CASES = cases()
IDS = [c.name for c in CASES]
#: runs a case (or SPARQL text): its result, or the error message
Runner = Callable[[Case], QueryResult | str]
TextRunner = Callable[[Case | str], QueryResult | str]


@pytest.fixture(scope="module")
def bundle_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository's bundle with a cache of this module's own."""
    folder = tmp_path_factory.mktemp("conformance")
    saved = {k: os.environ.get(k) for k in ("SPACEKG_CACHE_DIR", "SPACEKG_HOME")}
    os.environ["SPACEKG_CACHE_DIR"] = str(folder / "cache")
    os.environ.pop("SPACEKG_HOME", None)
    try:
        yield folder
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def graphs(bundle_env: Path) -> list[tuple[str, list[str]]]:
    """The export's graphs with the entailments, computed once (reasoning takes seconds)."""
    return list(iter_graphs(inferred=True))


@pytest.fixture(scope="module")
def ntriples(graphs: list[tuple[str, list[str]]]) -> bytes:
    return serialize(graphs, "ntriples")


def _runner(backend: Backend) -> TextRunner:
    def run(case: Case | str) -> QueryResult | str:
        try:
            if isinstance(case, str):  # SPARQL text
                return run_query(case, backend=backend)
            target = case.sparql if case.query is None else case.query
            return run_query(target, case.params or None, backend=backend)
        except SpacekgError as err:
            return f"{type(err).__name__}: {err}"

    return run


@pytest.fixture(scope="module")
def embedded(bundle_env: Path) -> Runner:
    return _runner(default_backend())


@pytest.fixture(scope="module")
def store(bundle_env: Path) -> Runner:
    path = bundle_env / "store"
    load(store=path, inferred=True)
    return _runner(EmbeddedStore(path))


@pytest.fixture(scope="module")
def oxigraph_serve(bundle_env: Path) -> Iterator[Runner]:
    from spacekg.stores.endpoint import EndpointStore

    port = free_port()
    log = open(bundle_env / "oxigraph.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            oxigraph_binary(),
            "serve",
            "--location",
            str(bundle_env / "oxigraph"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(url + "/query?query=ASK%7B%7D", proc=proc)
        load(endpoint=url, inferred=True, server="oxigraph")
        yield _runner(EndpointStore(url, server="oxigraph"))
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture(scope="module")
def virtuoso(bundle_env: Path, virtuoso_server: VirtuosoServer) -> Iterator[Runner]:
    from spacekg.stores.endpoint import EndpointStore

    saved = {k: os.environ.get(k) for k in ("SPACEKG_USER", "SPACEKG_PASSWORD")}
    os.environ["SPACEKG_USER"] = virtuoso_server.user
    os.environ["SPACEKG_PASSWORD"] = virtuoso_server.password
    try:
        load(endpoint=virtuoso_server.url, inferred=True, server="virtuoso")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    yield _runner(EndpointStore(virtuoso_server.url, server="virtuoso"))


def _jena(mode: str, folder: Path, graphs: list[tuple[str, list[str]]]) -> Runner:
    classpath = jena_classpath(folder / "jena-cp")
    if classpath is None:
        if os.environ.get("SPACEKG_REQUIRE_JENA"):
            pytest.fail(
                "SPACEKG_REQUIRE_JENA is set but Jena (libapache-jena-java + java) is missing"
            )
        pytest.skip(
            "Apache Jena is not installed (apt-get install libapache-jena-java "
            "default-jdk-headless); its conformance tests are skipped"
        )
    fmt = "ntriples" if mode == "arq" else "nquads"
    data = folder / f"export.{'nt' if mode == 'arq' else 'nq'}"
    data.write_bytes(serialize(graphs, fmt))
    results = run_jena(mode, classpath, data, CASES, folder / "jena")
    return lambda case: results[case.name]


@pytest.fixture(scope="module")
def jena_arq(bundle_env: Path, graphs: list[tuple[str, list[str]]]) -> Runner:
    return _jena("arq", bundle_env, graphs)


@pytest.fixture(scope="module")
def jena_tdb2(bundle_env: Path, graphs: list[tuple[str, list[str]]]) -> Runner:
    return _jena("tdb2", bundle_env, graphs)


def _check(runner: Runner, case: Case, ntriples: bytes) -> None:
    got = runner(case)
    assert not isinstance(got, str), f"{case.name}: the backend failed: {got}"
    problems = differences(got, expected(case, ntriples))
    assert not problems, f"{case.name}: differs from the golden:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_embedded(case: Case, embedded: Runner, ntriples: bytes) -> None:
    _check(embedded, case, ntriples)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_embedded_store(case: Case, store: Runner, ntriples: bytes) -> None:
    _check(store, case, ntriples)


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_oxigraph_server(case: Case, oxigraph_serve: Runner, ntriples: bytes) -> None:
    _check(oxigraph_serve, case, ntriples)


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_virtuoso(case: Case, virtuoso: Runner, ntriples: bytes) -> None:
    _check(virtuoso, case, ntriples)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jena_arq(case: Case, jena_arq: Runner, ntriples: bytes) -> None:
    _check(jena_arq, case, ntriples)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jena_tdb2(case: Case, jena_tdb2: Runner, ntriples: bytes) -> None:
    _check(jena_tdb2, case, ntriples)


def test_the_probe_counts_something(ntriples: bytes) -> None:
    """The probe's expectation is not vacuous: the data has typed offsets to find."""
    from conformance import probe_expected

    assert int(probe_expected(ntriples).rows[0][0].value) >= 40  # type: ignore[union-attr]


def test_every_variant_names_a_stored_query_and_has_a_golden() -> None:
    from conformance import variants
    from golden_utils import GOLDEN_DIR, query_names

    for case in variants():
        assert case.query in query_names(), case.name
        assert (GOLDEN_DIR / "variants" / f"{case.name}.srj").is_file(), case.name
        assert case.params, case.name


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))


SCOPE_QUERIES = {
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "graphs": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
}


def _scope(runner: TextRunner) -> tuple[int, set[str]]:
    count = runner(SCOPE_QUERIES["count"])
    graphs = runner(SCOPE_QUERIES["graphs"])
    assert not isinstance(count, str) and not isinstance(graphs, str), (count, graphs)
    return int(count.rows[0][0].value), {r[0].value for r in graphs.rows}  # type: ignore[union-attr]


@pytest.mark.server
@pytest.mark.slow
def test_servers_show_only_spacekg_graphs(
    bundle_env: Path, virtuoso: TextRunner, oxigraph_serve: TextRunner
) -> None:
    """Virtuoso's system graphs (thousands of triples) never show: the default graph is the
    union of spacekg's graphs, and GRAPH ?g sees only them."""
    dump = export("nquads", inferred=True)
    for runner in (virtuoso, oxigraph_serve):
        count, graphs = _scope(runner)
        assert count == dump.quads
        assert graphs == set(dump.graphs)


@pytest.mark.slow
def test_jena_reads_our_xml_results_back_exactly(
    bundle_env: Path, embedded: Runner, ntriples: bytes
) -> None:
    """Every case's answer, written as W3C XML results by spacekg and read by Jena's reader
    (independent of ours), is the same answer; so are carriage returns, tabs and language tags."""
    from conformance import jena_classpath, run_jena_rset

    from spacekg.query.render import to_xml
    from spacekg.terms import Term

    classpath = jena_classpath(bundle_env / "jena-cp")
    if classpath is None:
        if os.environ.get("SPACEKG_REQUIRE_JENA"):
            pytest.fail("SPACEKG_REQUIRE_JENA is set but Jena is missing")
        pytest.skip("Apache Jena is not installed; the XML read-back test is skipped")
    answers: dict[str, QueryResult] = {}
    for case in CASES:
        got = embedded(case)
        assert not isinstance(got, str), got
        answers[case.name] = got
    answers["characters"] = QueryResult(
        "select",
        variables=("text",),
        rows=(
            (Term("literal", "one\r\ntwo\rthree\tfour & <five>", None, "en-GB"),),
            (Term("literal", "\u00e9 \u4e2d \U0001f680 \u0085 \u2028"),),
        ),
    )
    read = run_jena_rset(classpath, {n: to_xml(r) for n, r in answers.items()}, bundle_env / "xml")
    for name, result in answers.items():
        assert differences(read[name], result) == [], name


def _graph(triples: Any) -> Any:
    from rdflib import Graph

    text = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples)
    return Graph().parse(data=text, format="nt")


@pytest.mark.server
@pytest.mark.slow
def test_graphs_read_back_are_the_export(
    ntriples: bytes, store: TextRunner, oxigraph_serve: TextRunner, virtuoso: TextRunner
) -> None:
    """``CONSTRUCT WHERE { ?s ?p ?o }`` from each store after ``load`` is the exported graph,
    isomorphic, literal for literal (the offsets keep xsd:nonNegativeInteger)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    expected_graph = Graph().parse(data=ntriples.decode("utf-8"), format="nt")
    for name, runner in (("store", store), ("oxigraph", oxigraph_serve), ("virtuoso", virtuoso)):
        got = runner("CONSTRUCT WHERE { ?s ?p ?o }")
        assert not isinstance(got, str), got
        graph = _graph(got.triples)
        assert len(graph) == len(expected_graph), name
        assert isomorphic(graph, expected_graph), name
