"""run_query: entailments visible, same rows on both engines, cache keyed by the sources,
SERVICE refused, syntax errors located, and the query path free of rdflib."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import spacekg.query.cache as cache
import spacekg.query.engine as engine
from spacekg.errors import InputError
from spacekg.query.catalogue import get_query
from spacekg.query.engine import (
    Backend,
    OxigraphMemoryBackend,
    RdflibBackend,
    cache_dir,
    cache_key,
    materialised_nquads,
    run_query,
    verified_cache,
)
from spacekg.terms import QueryResult, Term

ID = "https://w3id.org/spacekg/id/"


def column(result: QueryResult, name: str) -> list[str]:
    i = result.variables.index(name)
    return [row[i].value for row in result.rows if row[i] is not None]


def test_entailments_are_visible(cli_bundle: Path) -> None:
    """The data never says prov:Agent: states are found through State ⊑ Actor ⊑ prov:Agent."""
    assert "prov:Agent" not in (cli_bundle / "data" / "article.ttl").read_text()
    result = run_query("agents")
    assert column(result, "agent") == [ID + "japan", ID + "united-states"]


@pytest.mark.parametrize("name", ["summits", "agents", "events_of_actor", "ask_summit"])
def test_oxigraph_and_rdflib_agree(cli_bundle: Path, name: str) -> None:
    data = materialised_nquads()
    ox = run_query(name, backend=OxigraphMemoryBackend(data))
    rd = run_query(name, backend=RdflibBackend(data))
    assert ox.form == rd.form
    assert ox.variables == rd.variables
    assert sorted(ox.rows, key=repr) == sorted(rd.rows, key=repr)
    assert ox.boolean == rd.boolean


def test_result_terms(cli_bundle: Path) -> None:
    result = run_query("summits")
    assert result.variables == ("summit", "participant", "place")
    assert result.rows[0] == (
        Term("uri", ID + "quad-summit-tokyo"),
        Term("literal", "Japan", None, "en"),
        Term("literal", "Tokyo", None, "en"),
    )
    assert run_query("ask_summit").boolean is True
    graph = run_query("summit_graph")
    assert graph.form == "graph" and len(graph.triples) >= 7


def test_parameters_and_defaults(cli_bundle: Path) -> None:
    assert column(run_query("events_of_actor"), "event") == [ID + "quad-summit-tokyo"]  # default
    assert column(run_query("events_of_actor", {"actor": "skgid:tokyo"}), "event") == []
    assert column(run_query("label_lookup", {"label": "Japan"}), "node") == [ID + "japan"]
    assert column(run_query("label_lookup", {"label": 'Ja"pan'}), "node") == []


def test_sparql_text_and_files(cli_bundle: Path, tmp_path: Path) -> None:
    assert run_query("ASK { ?s a <https://w3id.org/spacekg/ontology#Summit> }").boolean
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", encoding="utf-8")
    assert int(run_query(str(path)).rows[0][0].value) > 50


def test_service_is_refused_unless_allowed(cli_bundle: Path, tmp_path: Path) -> None:
    path = tmp_path / "remote.rq"
    path.write_text(
        "# SERVICE in a comment is fine\nSELECT * WHERE {\n"
        '  FILTER("SERVICE" != "x")\n  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n}\n',
        encoding="utf-8",
    )
    with pytest.raises(
        InputError,
        match=rf"{path}:4: SERVICE <http://127.0.0.1:9/sparql> .*"
        r"--allow-network",
    ):
        run_query(str(path))

    class Recorder:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def execute(self, sparql: str) -> QueryResult:
            self.seen.append(sparql)
            return QueryResult("select")

    recorder = Recorder()
    assert isinstance(recorder, Backend)
    run_query(str(path), backend=recorder, allow_network=True)
    assert "SERVICE" in recorder.seen[0]


def test_syntax_error_names_query_file_and_line(cli_bundle: Path) -> None:
    path = cli_bundle / "queries" / "broken.rq"
    path.write_text("#+ summary: broken\nSELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n}\n")
    with pytest.raises(
        InputError, match=rf"^{path}:4:\d+: SPARQL syntax error: .*\(fix the query\)"
    ):
        run_query("broken")


def test_syntax_error_on_rdflib_engine_too(cli_bundle: Path) -> None:
    path = cli_bundle / "queries" / "broken.rq"
    path.write_text("#+ summary: broken\nSELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n}\n")
    with pytest.raises(InputError, match=rf"^{path}:4:\d+: SPARQL syntax error"):
        run_query("broken", engine="rdflib")


def test_cache_is_written_reused_and_rebuilt(
    cli_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = materialised_nquads()
    files = list((cache_dir() / "graphs").glob("graph-*.nq"))
    assert len(files) == 1 and verified_cache(files[0].read_bytes()) == first
    assert not list((cache_dir() / "graphs").glob(".*tmp"))

    calls: list[int] = []
    real_build = engine.build_nquads

    def counting(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "build_nquads", counting)
    assert materialised_nquads() == first
    assert calls == []  # reused

    key = cache_key()
    data_file = cli_bundle / "data" / "article.ttl"
    data_file.write_text(
        data_file.read_text() + '\nskgid:india a skg:State ; rdfs:label "India"@en .\n'
    )
    assert cache_key() != key
    second = materialised_nquads()
    assert calls == [1]  # rebuilt once
    assert b"/india>" in second
    assert len(list((cache_dir() / "graphs").glob("graph-*.nq"))) == 1  # the stale one is gone
    assert column(run_query("agents"), "label") == ["India", "Japan", "United States"]


def test_unwritable_cache_falls_back(
    cli_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(blocker / "cache"))
    assert column(run_query("agents"), "label") == ["Japan", "United States"]


def test_cache_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(tmp_path / "a"))
    assert cache_dir() == tmp_path / "a"
    monkeypatch.delenv("SPACEKG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "spacekg"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "spacekg"


def test_query_path_imports_no_rdflib(cli_bundle: Path) -> None:
    materialised_nquads()  # warm the cache, as any second run would find it
    code = (
        "import sys\n"
        "from spacekg.cli import main\n"
        "try:\n"
        "    main(['query', 'run', 'summits', '-f', 'csv'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = sorted(m for m in ('rdflib', 'owlrl', 'pyshacl') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    assert out.returncode == 0, out.stderr
    assert "Japan" in out.stdout


def test_unknown_engine(cli_bundle: Path) -> None:
    with pytest.raises(InputError, match="unknown engine 'jena'"):
        run_query("agents", engine="jena")


def test_query_object_or_name(cli_bundle: Path) -> None:
    assert run_query(get_query("agents")).rows == run_query("agents").rows


# --- review fixes: a damaged cache, unreadable queries, SELECT * order, parameter typos ---------


@pytest.mark.parametrize(
    "damage",
    ["empty", "truncated", "garbage", "edited", "no-header"],
)
def test_a_damaged_cache_is_rebuilt(
    cli_bundle: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    good = materialised_nquads()
    (path,) = (cache_dir() / "graphs").glob("graph-*.nq")
    raw = path.read_bytes()
    broken = {
        "empty": b"",
        "truncated": raw[: len(raw) // 2],
        "garbage": b"\x00garbage <not n-quads\n",
        "edited": raw.replace(b"/japan>", b"/jpan>", 1),
        "no-header": good,  # a cache from before the integrity line: not trusted
    }[damage]
    path.write_bytes(broken)
    calls: list[int] = []
    real_build = engine.build_nquads
    monkeypatch.setattr(cache, "build_nquads", lambda *a, **k: calls.append(1) or real_build())
    assert column(run_query("agents"), "label") == ["Japan", "United States"]
    assert calls == [1]  # rebuilt, not trusted
    assert path.read_bytes() == raw  # and repaired
    assert materialised_nquads() == good and calls == [1]  # then reused


def test_the_cache_integrity_line() -> None:
    body = b"<a:s> <a:p> <a:o> <a:g> .\n<a:s> <a:p> <a:o2> <a:g> .\n"
    raw = engine.cache_header(body) + body
    assert raw.startswith(b"# spacekg-cache quads=2 sha256=")
    assert verified_cache(raw) == body
    assert verified_cache(raw + b"<a:s> <a:p> <a:o3> <a:g> .\n") is None
    assert verified_cache(raw[:-1]) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"q\.rq: the query is empty"),
        ("# only a comment\n\n", r"q\.rq: the query is empty"),
        (
            "PREFIX ex: <http://ex/>\nINSERT DATA { ex:a ex:b ex:c }\n",
            r"q\.rq:2: INSERT is a SPARQL Update; updates are not supported by 'query run'",
        ),
        ("LOAD <http://example.org/x>\n", r"q\.rq:1: LOAD is a SPARQL Update"),
        ("DELETE WHERE { ?s ?p ?o }", r"q\.rq:1: DELETE is a SPARQL Update"),
        (
            "SELECT * WHERE {\n  ?s undefinedpfx:x ?o }\n",
            r"q\.rq:2: unknown prefix 'undefinedpfx' \(declare it with PREFIX or use one of: "
            r"skg, skgid, ",
        ),
        (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "SELECT * WHERE {\n ?s rdfs:label ?l .\n ?s a skg:State }\n",
            r"q\.rq:4: unknown prefix 'skg' \(declare it: PREFIX skg: "
            r"<https://w3id.org/spacekg/ontology#>\)",
        ),
    ],
)
@pytest.mark.parametrize("which", ["oxigraph", "rdflib"])
def test_unreadable_queries_say_why_in_one_line(
    cli_bundle: Path, tmp_path: Path, text: str, message: str, which: str
) -> None:
    path = tmp_path / "q.rq"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        run_query(str(path), engine=which)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("which", ["oxigraph", "rdflib"])
def test_select_star_columns_in_query_order(cli_bundle: Path, which: str) -> None:
    text = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT * WHERE { ?zeta rdfs:label ?alpha . ?zeta a ?middle } LIMIT 1"
    )
    assert run_query(text, engine=which).variables == ("zeta", "alpha", "middle")
    distinct = text.replace("SELECT *", "SELECT DISTINCT *")
    assert run_query(distinct, engine=which).variables == ("zeta", "alpha", "middle")
    explicit = text.replace("SELECT *", "SELECT ?middle ?zeta")
    assert run_query(explicit, engine=which).variables == ("middle", "zeta")


@pytest.mark.parametrize(
    ("value", "rows"),
    [
        ("skgid:japan", 1),
        ("https://w3id.org/spacekg/id/japan", 1),
        ("<https://w3id.org/spacekg/id/japan>", 1),
        ("urn:example:japan", 0),
        ("mailto:someone@example.org", 0),
        ("<foo:bar>", 0),  # any scheme, when written in <...>
    ],
)
def test_iri_parameters_accept_real_iris(cli_bundle: Path, value: str, rows: int) -> None:
    assert len(run_query("events_of_actor", {"actor": value}).rows) == rows


def test_an_unknown_prefix_in_a_parameter_is_refused(cli_bundle: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"unknown prefix 'skgidd' in 'skgidd:japan' "
        r"\(did you mean skgid:japan\? known prefixes: skg, skgid, ",
    ):
        run_query("events_of_actor", {"actor": "skgidd:japan"})


def test_a_bare_word_parameter_suggests_the_iri(cli_bundle: Path) -> None:
    with pytest.raises(InputError, match=r"got 'japan' \(did you mean skgid:japan\?\)$"):
        run_query("events_of_actor", {"actor": "japan"})
    with pytest.raises(InputError, match=r"got 'zzz' \(e\.g\. skgid:"):
        run_query("events_of_actor", {"actor": "zzz"})


def test_parameter_values_from_the_class_named_like_it(cli_bundle: Path) -> None:
    from spacekg.query.catalogue import Parameter, from_text

    q = from_text("SELECT * WHERE { ?s ?p ?_state_iri . ?s ?p ?_thing_iri }")
    state = Parameter("state", "_state_iri", True, "iri")
    assert engine.parameter_values(q, state) == ("skgid:japan", "skgid:united-states")
    thing = Parameter("thing", "_thing_iri", True, "iri")
    assert engine.parameter_values(q, thing) == ()
