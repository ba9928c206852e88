"""Rendering: the W3C result formats, read back with rdflib's own parsers; tables; graphs."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result

from spacekg.errors import InputError
from spacekg.query.engine import run_query
from spacekg.query.render import render, short, table, to_xml
from spacekg.terms import QueryResult, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://w3id.org/spacekg/id/"

TRICKY = QueryResult(
    "select",
    variables=("node", "text", "n"),
    rows=(
        (
            Term("uri", ID + "japan"),
            Term("literal", "Japan", None, "en"),
            Term("literal", "42", XSD + "integer"),
        ),
        (Term("bnode", "b0"), Term("literal", 'a, "quoted"\nline\ttab <&> é 東京'), None),
        (None, Term("literal", "2021", XSD + "gYear"), Term("literal", "")),
    ),
)


def to_rdflib(t: Term | None) -> object:
    if t is None:
        return None
    if t.kind == "uri":
        return URIRef(t.value)
    if t.kind == "bnode":
        return BNode(t.value)
    return Literal(t.value, lang=t.lang, datatype=URIRef(t.datatype) if t.datatype else None)


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_full_fidelity_formats_read_back(fmt: str) -> None:
    text = render(TRICKY, fmt)
    parsed = Result.parse(io.StringIO(text), format=fmt)
    assert [str(v) for v in parsed.vars] == list(TRICKY.variables)
    rows = [tuple(row) for row in parsed]
    assert len(rows) == len(TRICKY.rows)
    for got, want in zip(rows, TRICKY.rows, strict=True):
        for g, w in zip(got, want, strict=True):
            if w is not None and w.kind == "bnode":
                assert isinstance(g, BNode)
            else:
                assert g == to_rdflib(w), (fmt, g, w)


def test_csv_reads_back_as_lexical_values() -> None:
    text = render(TRICKY, "csv")
    assert text.endswith("\r\n") and "\r\n" in text.split("\n")[0] + "\n"
    parsed = Result.parse(io.StringIO(text), format="csv")
    rows = [tuple(None if v is None else str(v) for v in row) for row in parsed]
    assert rows[0] == (ID + "japan", "Japan", "42")
    assert rows[1][1] == 'a, "quoted"\nline\ttab <&> é 東京'
    assert rows[1][0].startswith("_:") or rows[1][0] is not None
    assert rows[2][1] == "2021"


def test_json_is_the_w3c_shape() -> None:
    doc = json.loads(render(TRICKY, "json"))
    assert doc["head"]["vars"] == ["node", "text", "n"]
    first = doc["results"]["bindings"][0]
    assert first["text"] == {"type": "literal", "value": "Japan", "xml:lang": "en"}
    assert first["n"] == {"type": "literal", "value": "42", "datatype": XSD + "integer"}
    assert "node" not in doc["results"]["bindings"][2]  # unbound: absent


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("value", [True, False])
def test_ask_formats_read_back(fmt: str, value: bool) -> None:
    result = QueryResult("ask", boolean=value)
    assert Result.parse(io.StringIO(render(result, fmt)), format=fmt).askAnswer is value


def test_ask_plain() -> None:
    assert render(QueryResult("ask", boolean=True)) == "true\n"
    assert render(QueryResult("ask", boolean=False), "table") == "false\n"


def test_table_is_aligned_with_prefixed_names_and_plain_literals() -> None:
    text = table(TRICKY)
    lines = text.splitlines()
    assert lines[0].split() == ["node", "text", "n"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].startswith("skgid:japan  Japan")
    assert "@en" not in text and "^^" not in text  # literals plain
    assert lines[-1] == "(3 rows)"
    widths = [len(x) for x in lines[1].split("  ")]
    assert lines[2].index("Japan") == widths[0] + 2  # columns line up under the header


def test_table_clips_long_cells_only_when_asked() -> None:
    long = QueryResult("select", ("x",), ((Term("literal", "y" * 200),),))
    assert "y" * 200 in table(long)
    clipped = table(long, max_cell=30)
    assert "y" * 200 not in clipped and "…" in clipped


@pytest.mark.parametrize(
    ("iri", "shown"),
    [
        (ID + "japan", "skgid:japan"),
        ("https://w3id.org/spacekg/ontology#State", "skg:State"),
        ("http://www.wikidata.org/entity/Q17", "wd:Q17"),
        ("http://example.org/x", "<http://example.org/x>"),
        (ID + "odd/slash", "<https://w3id.org/spacekg/id/odd/slash>"),
        (ID + "ends.", "<https://w3id.org/spacekg/id/ends.>"),
    ],
)
def test_short_names(iri: str, shown: str) -> None:
    from spacekg.query.render import default_prefixes

    assert short(Term("uri", iri), default_prefixes()) == shown


GRAPH = QueryResult(
    "graph",
    triples=(
        (
            Term("uri", ID + "b"),
            Term("uri", "http://www.w3.org/2000/01/rdf-schema#label"),
            Term("literal", 'B "two"\nlines', None, "en"),
        ),
        (
            Term("uri", ID + "a"),
            Term("uri", "http://www.w3.org/2000/01/rdf-schema#label"),
            Term("literal", "A"),
        ),
        (Term("uri", ID + "a"), Term("uri", ID + "p"), Term("literal", "1", XSD + "integer")),
    ),
)


@pytest.mark.parametrize(
    ("fmt", "rdflib_fmt"), [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")]
)
def test_graph_formats_read_back_and_are_sorted(fmt: str, rdflib_fmt: str) -> None:
    text = render(GRAPH, fmt)
    g = Graph().parse(data=text, format=rdflib_fmt)
    assert len(g) == 3
    assert (
        URIRef(ID + "b"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal('B "two"\nlines', lang="en"),
    ) in g
    shuffled = QueryResult("graph", triples=tuple(reversed(GRAPH.triples)))
    assert render(shuffled, fmt) == text  # order of the input does not matter


def test_wrong_format_for_the_form() -> None:
    with pytest.raises(InputError, match="gives triples"):
        render(GRAPH, "csv")
    with pytest.raises(InputError, match="gives no triples"):
        render(TRICKY, "turtle")
    with pytest.raises(InputError, match="unknown result format"):
        render(TRICKY, "yaml")


def test_default_formats() -> None:
    assert render(GRAPH).startswith("@prefix")
    assert render(TRICKY).splitlines()[-1] == "(3 rows)"


def test_real_results_round_trip(cli_bundle: Path) -> None:
    result = run_query("summits")
    parsed = Result.parse(io.StringIO(render(result, "json")), format="json")
    assert [tuple(r) for r in parsed] == [tuple(to_rdflib(t) for t in row) for row in result.rows]


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_blank_nodes_are_labelled_from_their_content(fmt: str) -> None:
    """Engines label blank nodes at random: the same graph under other labels, same bytes."""

    def graph(a: str, b: str) -> QueryResult:
        sel = ID + "span"
        exact = "http://www.w3.org/ns/oa#exact"
        has = "http://www.w3.org/ns/oa#hasSelector"
        return QueryResult(
            "graph",
            triples=(
                (Term("uri", sel), Term("uri", has), Term("bnode", a)),
                (Term("bnode", a), Term("uri", exact), Term("literal", "first words")),
                (Term("uri", sel), Term("uri", has), Term("bnode", b)),
                (Term("bnode", b), Term("uri", exact), Term("literal", "other words")),
            ),
        )

    one = render(graph("f0e1d2c3", "a9b8c7"), fmt)
    assert one == render(graph("x1", "x2"), fmt) == render(graph("x2", "x1"), fmt)
    assert "f0e1d2c3" not in one and "x1" not in one
    assert len(Graph().parse(data=one, format="json-ld" if fmt == "jsonld" else fmt)) == 4


def test_ask_is_an_ask_query() -> None:
    with pytest.raises(InputError, match=r"^an ASK query gives no triples"):
        render(QueryResult("ask", boolean=True), "turtle")
    with pytest.raises(InputError, match=r"^a SELECT query gives no triples"):
        render(TRICKY, "ntriples")


# --- XML results: every character back, or a refusal -------------------------------------------


def _xml_rows(text: str) -> list[dict[str, tuple[str, str | None]]]:
    """The bindings of an XML results document, read by expat (an independent parser)."""
    from xml.dom import minidom

    doc = minidom.parseString(text.encode("utf-8"))
    rows = []
    for result in doc.getElementsByTagName("result"):
        row = {}
        for binding in result.getElementsByTagName("binding"):
            node = binding.firstChild
            value = "".join(c.data for c in node.childNodes)  # type: ignore[union-attr]
            row[binding.getAttribute("name")] = (value, node.getAttribute("xml:lang") or None)  # type: ignore[union-attr]
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    "value",
    ["line one\r\nline two", "cr\ronly", "tab\there", "a & b < c > d", "\u00e9\u4e2d\U0001f680"],
)
def test_xml_results_round_trip_every_character(value: str) -> None:
    result = QueryResult(
        "select",
        variables=("text",),
        rows=((Term("literal", value, None, "en-GB"),),),
    )
    text = to_xml(result)
    assert "\r" not in text
    assert _xml_rows(text) == [{"text": (value, "en-GB")}]


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_xml_results_refuse_what_xml_cannot_carry(char: str) -> None:
    result = QueryResult("select", variables=("text",), rows=((Term("literal", f"a{char}b"),),))
    with pytest.raises(InputError, match=r"\?text in result row 1 .*U\+00"):
        to_xml(result)
    assert render(result, "json")  # the other formats can carry it


def test_xml_control_character_is_exit_3(tmp_path: Path) -> None:
    import subprocess
    import sys

    query = tmp_path / "ctl.rq"
    query.write_text('SELECT ?x WHERE { BIND ("a\\u0001b" AS ?x) }\n', encoding="utf-8")
    env = {**os.environ, "SPACEKG_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "spacekg", "query", "run", str(query), "--format", "xml"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "U+0001" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


# --------------------------------------------------------------------------- fitted tables

WIDE = QueryResult(
    "select",
    ("event", "eventLabel", "kind", "actor", "actorLabel"),
    tuple(
        (
            Term("uri", ID + f"a-rather-long-event-name-number-{i}"),
            Term("literal", f"a long event label that goes on and on, number {i}"),
            Term("literal", "exercise"),
            Term("uri", ID + f"some-actor-with-a-long-name-{i}"),
            Term("literal", f"Actor {i}"),
        )
        for i in range(3)
    ),
)


def test_a_fitted_table_puts_labels_first_and_drops_labelled_iri_columns() -> None:
    plain = table(WIDE)
    assert max(map(len, plain.splitlines())) > 110  # too wide for 110 columns as it is
    fitted = table(WIDE, width=110)
    lines = fitted.splitlines()
    assert lines[0].split() == ["eventLabel", "kind", "actorLabel", "actor"]
    assert all(len(line) <= 110 for line in lines[:-1])
    assert "skgid:some-actor-with-a-long-name-0" in lines[2]  # kept: it fits
    assert lines[-1] == "(3 rows; IRI column event hidden: --wide shows all)"


def test_a_narrow_terminal_clips_the_widest_cells_evenly() -> None:
    fitted = table(WIDE, width=60).splitlines()
    assert all(len(line) <= 60 for line in fitted[:-1]), fitted
    assert fitted[0].split() == ["eventLabel", "kind", "actorLabel"]
    assert "…" in fitted[2]
    assert fitted[-1] == (
        "(3 rows; IRI columns event, actor hidden and long cells clipped: --wide shows all)"
    )


def test_without_a_width_the_table_keeps_every_column_in_query_order() -> None:
    assert table(WIDE).splitlines()[0].split() == list(WIDE.variables)
    assert render(WIDE, "table") == table(WIDE)
    assert table(TRICKY, width=1000) == table(TRICKY)  # fits: nothing dropped or moved


@pytest.mark.parametrize(
    "values",
    [
        ["plain", "also plain"],
        ["a,b", "c"],
        ['say "x"', ""],
        ["line\nbreak", "cr\rhere"],
        [",", ","],
        ["", ""],
    ],
)
def test_csv_quotes_exactly_the_fields_that_need_it(values: list[str]) -> None:
    # a row is joined first and quoted field by field only when it needs it
    terms = [Term("literal", v) if v else None for v in values]
    rows = (tuple(terms), (Term("bnode", "b0"), Term("uri", "urn:x")))
    result = QueryResult("select", variables=("a", "b"), rows=rows)

    def field(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v

    expected = "a,b\r\n" + ",".join(field(v) for v in values) + "\r\n_:b0,urn:x\r\n"
    assert render(result, "csv") == expected
