"""Stored queries: grlc headers, grlc parameters, binding as escaped RDF terms, names."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

from spacekg.errors import InputError
from spacekg.query.catalogue import (
    bind,
    from_text,
    get_query,
    header_lines,
    list_checks,
    list_queries,
    parameters_of,
    parse_header,
)

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_header_subset_of_yaml() -> None:
    text = (
        "#+ summary: Events with actors\n"
        "#+ description: 'Competency question 2: quoted, with a colon'\n"
        "#+ tags:\n#+   - events\n#+   - actors\n"
        "#+ defaults:\n#+   - actor: https://w3id.org/spacekg/id/japan\n#+   - limit: 5\n"
        "#+ endpoint: http://127.0.0.1:7878/query\n"
        "#+ method: GET\n#+ pagination: 100\n#+ enumerate:\n#+   - actor\n"
        "#+ transform: {\n"  # an unknown, odd key is kept, not fatal
        "#+ custom_key: [a, b]\n"
        "SELECT * WHERE { ?s ?p ?o }\n"
    )
    header = parse_header(header_lines(text))
    assert header["summary"] == "Events with actors"
    assert header["description"] == "Competency question 2: quoted, with a colon"
    assert header["tags"] == ["events", "actors"]
    assert header["defaults"] == [{"actor": "https://w3id.org/spacekg/id/japan"}, {"limit": 5}]
    assert header["endpoint"] == "http://127.0.0.1:7878/query"
    assert header["method"] == "GET" and header["pagination"] == 100
    assert header["enumerate"] == ["actor"]
    assert header["custom_key"] == ["a", "b"]
    assert "transform" in header


def test_header_stops_at_the_query() -> None:
    text = "#+ summary: a\nPREFIX x: <http://x/>\n#+ summary: not a header\nASK {}\n"
    assert header_lines(text) == ["summary: a"]


def test_header_line_without_key_is_an_error() -> None:
    with pytest.raises(InputError, match="header line 1"):
        parse_header(["just words"], "q.rq")


@pytest.mark.parametrize(
    ("variable", "name", "kind", "required", "extra"),
    [
        ("?_actor", "actor", "literal", True, None),
        ("?__actor", "actor", "literal", False, None),
        ("?_actor_iri", "actor", "iri", True, None),
        ("?__actor_iri", "actor", "iri", False, None),
        ("?_since_xsd_date", "since", "typed", True, XSD + "date"),
        ("?_n_integer", "n", "integer", True, None),
        ("?_n_number", "n", "number", True, None),
        ("?_label_en", "label", "lang", True, "en"),
        ("?_kind_ex_Thing", "kind", "typed", True, "http://example.org/Thing"),
    ],
)
def test_grlc_parameter_names(
    variable: str, name: str, kind: str, required: bool, extra: str | None
) -> None:
    text = f"PREFIX ex: <http://example.org/>\nSELECT ?x WHERE {{ ?x ?p {variable} }}"
    (param,) = parameters_of(text)
    assert (param.name, param.kind, param.required) == (name, kind, required)
    assert param.variable == variable[1:]
    if kind == "typed":
        assert param.datatype == extra
    if kind == "lang":
        assert param.lang == extra


def test_plain_variables_are_not_parameters() -> None:
    assert parameters_of("SELECT ?x ?y_z WHERE { ?x ?p ?y_z }") == ()


Q = from_text(
    "#+ defaults:\n#+   - place: https://w3id.org/spacekg/id/tokyo\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?_name ?x WHERE {\n"
    "  ?x rdfs:label ?_name ; ?p ?_place_iri .\n"
    "  OPTIONAL { ?x ?q ?__note }\n"
    '  FILTER(?x != <http://example.org/?_name> && STR(?x) != "?_name")  # ?_name in a comment\n'
    "}\n",
    "q",
)


def test_bind_substitutes_terms_keeps_lines_and_projection() -> None:
    text = bind(Q, {"name": 'Say "hi"\nnow \\ ok'})
    assert text.count("\n") == Q.text.count("\n")
    assert '("Say \\"hi\\"\\nnow \\\\ ok" AS ?_name)' in text  # projection keeps its column
    assert 'rdfs:label "Say \\"hi\\"\\nnow \\\\ ok"' in text
    assert "<https://w3id.org/spacekg/id/tokyo>" in text  # the default
    assert "?__note" in text  # optional, not given: stays a variable
    assert "<http://example.org/?_name>" in text and '"?_name")' in text  # not in IRIs/strings
    assert "# ?_name in a comment" in text
    prepareQuery(text)  # still valid SPARQL


def test_missing_required_parameter_names_it() -> None:
    with pytest.raises(InputError, match=r"missing parameter 'name' \(give it with -p name=VALUE"):
        bind(Q)


def test_unknown_parameter_lists_the_real_ones() -> None:
    with pytest.raises(InputError, match=r"no parameter named 'nmae'.*name, place, note"):
        bind(Q, {"name": "x", "nmae": "y"})


@pytest.mark.parametrize(
    ("query", "params", "error"),
    [
        ("SELECT * WHERE { ?s ?p ?_o_iri }", {"o": "not an iri"}, "needs an IRI"),
        ("SELECT * WHERE { ?s ?p ?_o_iri }", {"o": "nope:x y"}, "needs an IRI"),
        ("SELECT * WHERE { ?s ?p ?_n_integer }", {"n": "4.5"}, "needs an integer"),
        ("SELECT * WHERE { ?s ?p ?_d_xsd_date }", {"d": "2021-13-45"}, "not a real date"),
        ("SELECT * WHERE { ?s ?p ?_d_xsd_date }", {"d": "May 2021"}, "needs a date"),
        ("SELECT * WHERE { ?s ?p ?_y_xsd_gYear }", {"y": "21"}, "needs a year"),
        ("SELECT * WHERE { ?s ?p ?_b_xsd_boolean }", {"b": "yes"}, "needs true or false"),
    ],
)
def test_malformed_values_are_refused(query: str, params: dict[str, str], error: str) -> None:
    with pytest.raises(InputError, match=error):
        bind(from_text(query), params)


@pytest.mark.parametrize(
    ("query", "params", "term"),
    [
        (
            "SELECT * WHERE { ?s ?p ?_o_iri }",
            {"o": "skgid:japan"},
            "<https://w3id.org/spacekg/id/japan>",
        ),
        ("SELECT * WHERE { ?s ?p ?_o_iri }", {"o": "<http://x.org/a>"}, "<http://x.org/a>"),
        ("SELECT * WHERE { ?s ?p ?_n_integer }", {"n": "42"}, f'"42"^^<{XSD}integer>'),
        (
            "SELECT * WHERE { ?s ?p ?_d_xsd_date }",
            {"d": "2021-05-24"},
            f'"2021-05-24"^^<{XSD}date>',
        ),
        ("SELECT * WHERE { ?s ?p ?_l_en }", {"l": "Tokyo"}, '"Tokyo"@en'),
        ("SELECT * WHERE { ?s ?p ?_o_iri }", {"?_o_iri": "http://x.org/b"}, "<http://x.org/b>"),
    ],
)
def test_values_become_rdf_terms(query: str, params: dict[str, str], term: str) -> None:
    text = bind(from_text(query), params)
    assert term in text
    prepareQuery(text)


def test_list_queries_and_checks(cli_bundle: Path) -> None:
    names = [q.name for q in list_queries()]
    assert names == sorted(p.stem for p in (cli_bundle / "queries").glob("*.rq"))
    assert "unlabelled" not in names
    assert [q.name for q in list_checks()] == ["unlabelled"]
    summits = get_query("summits")
    assert summits.summary.startswith("Summits") and summits.tags == ("events", "actors")
    assert summits.form == "select"
    assert get_query("ask_summit").form == "ask"
    assert get_query("summit_graph").form == "construct"


def test_get_query_by_path_and_case(
    cli_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("#+ summary: mine\nASK {}\n", encoding="utf-8")
    assert get_query(str(path)).name == "mine"
    assert get_query("SUMMITS").name == "summits"
    monkeypatch.chdir(tmp_path)
    assert get_query("mine.rq").summary == "mine"


def test_unknown_name_suggests_the_closest(cli_bundle: Path) -> None:
    with pytest.raises(InputError, match=r"no stored query named 'sumits' \(did you mean: summits"):
        get_query("sumits")
    with pytest.raises(InputError, match="spacekg query list"):
        get_query("zzzzqqq")


def test_missing_query_file() -> None:
    with pytest.raises(InputError, match="no such query file"):
        get_query("does/not/exist.rq")


def test_unknown_header_key_is_warned_with_the_closest_key(cli_bundle: Path) -> None:
    """Regression: `#+ sumary:` was parsed and silently ignored."""
    from click.testing import CliRunner

    from spacekg.cli import main
    from spacekg.qc import check_parse

    q = from_text("#+ sumary: typo\nSELECT * WHERE { ?s ?p ?o }\n", "typo.rq")
    assert q.header_warnings() == [
        "<query>: unknown #+ header key 'sumary' (did you mean 'summary'?)"
    ]
    assert from_text("#+ summary: fine\n#+ method: GET\nASK {}\n").header_warnings() == []
    (cli_bundle / "queries" / "typo.rq").write_text("#+ sumary: typo\nASK {}\n")
    result = CliRunner().invoke(main, ["query", "list"])
    assert result.exit_code == 0
    assert "unknown #+ header key 'sumary' (did you mean 'summary'?)" in result.stderr
    outcome = check_parse({})
    assert outcome.ok and any("'sumary'" in d for d in outcome.details)
