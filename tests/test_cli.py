"""The issue-3 commands through Click: output, formats and every exit code."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.query import Result

import spacekg.query.engine
from spacekg.cli import main

ID = "https://w3id.org/spacekg/id/"


@pytest.fixture
def run(cli_bundle: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr  # raw CRLF

    return invoke


def test_query_list(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("query", "list")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(line.split()[0] for line in lines)
    assert any(line.startswith("summits ") and "Summits, with" in line for line in lines)
    assert any(line.startswith("label_lookup") and "-p label=…" in line for line in lines)
    assert any(line.startswith("events_of_actor") and "[-p actor=…]" in line for line in lines)
    assert "6 queries" in err
    code, out, _ = run("query", "list", "--format", "json")
    doc = json.loads(out)
    assert {q["name"] for q in doc} >= {"summits", "agents"}


def test_query_show(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("query", "show", "events_of_actor")
    assert code == 0
    assert "summary:     Events an actor took part in" in out
    assert "parameter:   actor: an IRI or prefixed name, default" in out
    assert "?_actor_iri" in out and "SELECT ?event ?label" in out


def test_query_run_table(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("query", "run", "summits")
    assert code == 0
    assert out.splitlines()[0].split() == ["summit", "participant", "place"]
    assert "skgid:quad-summit-tokyo  Japan" in out
    assert out.splitlines()[-1] == "(2 rows)"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_query_run_w3c_formats(run, fmt: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("query", "run", "summits", "--format", fmt)
    assert code == 0
    parsed = Result.parse(io.StringIO(out), format=fmt)
    assert len(list(parsed)) == 2


@pytest.mark.parametrize(
    ("fmt", "rdflib_fmt"), [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")]
)
def test_query_run_graph_formats(run, fmt: str, rdflib_fmt: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("query", "run", "summit_graph", "-f", fmt)
    assert code == 0
    assert len(Graph().parse(data=out, format=rdflib_fmt)) >= 7


def test_query_run_ask(run) -> None:  # type: ignore[no-untyped-def]
    assert run("query", "run", "ask_summit")[:2] == (0, "true\n")


def test_parameters(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("query", "run", "label_lookup", "-p", "label=Japan", "-f", "csv")
    assert (code, out) == (0, f"node\r\n{ID}japan\r\n")
    code, out, _ = run("query", "run", "events_of_actor", "-p", "actor=skgid:united-states")
    assert code == 0 and "skgid:quad-summit-tokyo" in out


def test_missing_parameter_exit_3(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("query", "run", "label_lookup")
    assert code == 3 and out == ""
    assert err.startswith("spacekg: error: ") and "missing parameter 'label'" in err
    assert len(err.strip().splitlines()) == 1


def test_malformed_parameter_exit_3(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("query", "run", "events_of_actor", "-p", "actor=not an iri")
    assert code == 3 and "needs an IRI" in err and "not an iri" in err


def test_parameter_without_equals_is_usage_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("query", "run", "label_lookup", "-p", "label")
    assert code == 2 and "NAME=VALUE" in err


def test_unknown_query_suggests_exit_3(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("query", "run", "sumits")
    assert code == 3
    assert "no stored query named 'sumits' (did you mean: summits" in err


def test_sparql_syntax_error_exit_3(run, cli_bundle: Path) -> None:  # type: ignore[no-untyped-def]
    path = cli_bundle / "queries" / "bad.rq"
    path.write_text("#+ summary: bad\nSELECT ?x WHERE {\n  ?x ?y \n}\n")
    code, _, err = run("query", "run", "bad")
    assert code == 3
    assert f"{path}:" in err and "SPARQL syntax error" in err


def test_service_refused_exit_3(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "svc.rq"
    path.write_text("SELECT * WHERE {\n  SERVICE <http://127.0.0.1:9/q> { ?s ?p ?o }\n}\n")
    code, _, err = run("query", "run", str(path))
    assert code == 3 and f"{path}:2: SERVICE" in err and "--allow-network" in err


def test_service_allowed_reaches_the_endpoint_and_fails_exit_4(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as sock:  # a port on 127.0.0.1 where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = tmp_path / "svc.rq"
    path.write_text(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/q> {{ ?s ?p ?o }} }}\n")
    code, _, err = run("query", "run", str(path), "--allow-network")
    assert code == 4 and "the query failed in the store" in err


def test_turtle_error_in_the_graph_exit_3(run, cli_bundle: Path) -> None:  # type: ignore[no-untyped-def]
    data = cli_bundle / "data" / "article.ttl"
    data.write_text(data.read_text() + "skgid:x rdfs:label 'oops .\n")
    line = len(data.read_text().splitlines())
    code, _, err = run("query", "run", "agents")
    assert code == 3
    assert f"{data}:{line}:" in err and "Turtle syntax error" in err


def test_store_and_endpoint_together_is_usage(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(
        "query", "run", "agents", "--store", "x", "--endpoint", "http://127.0.0.1:1/"
    )
    assert code == 2 and "not both" in err


def test_engine_rdflib_gives_the_same_rows(run) -> None:  # type: ignore[no-untyped-def]
    a = run("query", "run", "summits", "-f", "csv")
    b = run("query", "run", "summits", "-f", "csv", "--engine", "rdflib")
    assert a == b and a[0] == 0


def test_output_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.json"
    code, out, _ = run("query", "run", "summits", "-f", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert len(json.loads(target.read_text())["results"]["bindings"]) == 2


def test_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("export")
    assert code == 0
    ds = Dataset()
    ds.parse(data=out, format="trig")
    assert len({str(g.identifier) for g in ds.graphs() if len(g)}) == 2
    target = tmp_path / "all.nq"
    code, _, err = run("export", "--format", "nquads", "--inferred", "-o", str(target))
    assert code == 0 and "wrote" in err and "in 3 graphs" in err
    first = target.read_bytes()
    run("export", "--format", "nquads", "--inferred", "-o", str(target))
    assert target.read_bytes() == first


def test_reason(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("reason")
    assert code == 0 and "inferred triples (profile owlrl, engine reasonable)" in err
    g = Graph().parse(data=out, format="turtle")
    assert len(g) == int(err.split()[0])
    code, out_rdfs, _ = run("reason", "--profile", "rdfs", "-f", "ntriples")
    assert code == 0 and "happenedAfter" not in out_rdfs and "happenedAfter" in out


def test_describe(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("describe", "japan")
    assert code == 0 and out.startswith("skgid:japan  'Japan'")
    code, _, err = run("describe", "harbour")
    assert code == 3 and "skgid:harbour-a" in err and "skgid:harbour-b" in err
    code, out, _ = run("describe", "skgid:japan", "--format", "json")
    assert json.loads(out)["term"] == ID + "japan"


def test_check_reports_one_line_per_check_and_exit_1(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("check")
    assert code == 1  # the small fixture covers one sentence of the article
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(heads) == 7
    assert all(re.match(r"^(ok  |FAIL)  \S", line) for line in heads)
    assert any(line.startswith("ok    spans match the seed (1 span)") for line in heads)
    assert any(line.startswith("FAIL  ") and "not covered" in line for line in heads)
    assert "checks failed" in err


def test_internal_error_exit_5_without_traceback(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(spacekg.query.engine, "run_query", broken)
    code, _, err = run("query", "run", "agents")
    assert code == 5
    assert "internal error: ZeroDivisionError: a bug" in err and "Traceback" not in err
    code, _, err = run("--debug", "query", "run", "agents")
    assert code == 5 and "Traceback" in err


# --- review fixes -------------------------------------------------------------------------------


def test_a_parameter_given_twice_is_refused(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        "query", "run", "events_of_actor", "-p", "actor=skgid:japan", "-p", "actor=skgid:x"
    )
    assert code == 3 and out == ""
    assert err == (
        "spacekg: error: parameter 'actor' is given twice ('skgid:japan' and 'skgid:x'); "
        "a parameter takes one value: give it once\n"
    )


def test_a_typo_in_a_prefix_is_refused(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("query", "run", "events_of_actor", "-p", "actor=skgidd:japan")
    assert code == 3 and out == ""
    assert "unknown prefix 'skgidd'" in err and "did you mean skgid:japan?" in err
    assert len(err.splitlines()) == 1


def test_query_show_lists_the_values_of_a_class_named_parameter(run, cli_bundle: Path) -> None:  # type: ignore[no-untyped-def]
    q = cli_bundle / "queries" / "state_events.rq"
    q.write_text(
        "#+ summary: events of a state\nPREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>\n"
        "SELECT ?e WHERE { ?e sem:hasActor ?_state_iri }\n"
    )
    code, out, _ = run("query", "show", "state_events")
    assert code == 0
    assert "  values:    skgid:japan, skgid:united-states\n" in out
    assert "  example:   -p state=skgid:japan\n" in out
    code, out, _ = run("query", "show", "events_of_actor")  # states are actors (entailed)
    assert code == 0 and "  values:    skgid:japan, skgid:united-states\n" in out
    code, out, _ = run("query", "show", "label_lookup")  # a literal parameter: no list
    assert code == 0 and "values:" not in out


@pytest.mark.parametrize(
    "args", [["describe", "skgid:japan", "-f", "json"], ["query", "list", "-f", "json"]]
)
def test_short_format_options(run, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(*args)
    assert code == 0 and json.loads(out)


def test_an_iri_value_in_no_triple_is_warned_about(run, cli_bundle: Path) -> None:  # type: ignore[no-untyped-def]
    """Regression: `-p actor=skgid:japn` gave 0 rows and exit 0 with no word about the typo."""
    code, out, err = run("query", "run", "events_of_actor", "-p", "actor=skgid:japn")
    assert code == 0 and "(0 rows)" in out
    assert (
        "spacekg: warning: -p actor=skgid:japn: skgid:japn is in no triple of the graph; "
        "did you mean skgid:japan?"
    ) in err
    code, out, err = run("query", "run", "events_of_actor", "-p", "actor=skgid:japan")
    assert code == 0 and "warning" not in err
