"""The stored competency queries (queries/*.rq) against their goldens (tests/golden/*.srj).

Each query runs on spacekg's default engine (pyoxigraph over ontology + data + inferred triples)
and, as an independent cross-check, on rdflib over ontology + data + owlrl's full OWL RL closure;
both must equal the golden. Goldens were checked row by row against the article; the tests at the
end re-check what can be checked mechanically (quotes, offsets, dates) against the seed itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from golden_utils import (
    GOLDEN_DIR,
    assert_matches_golden,
    diff_results,
    golden_names,
    golden_problems,
    is_ordered,
    load_golden,
    query_names,
    reference_result,
    result_to_srj,
)

from spacekg.evidence import load_seeds
from spacekg.namespaces import ID_NS
from spacekg.project import queries_dir
from spacekg.query.catalogue import get_query
from spacekg.query.engine import default_backend, run_query
from spacekg.terms import QueryResult, Term

QUERIES = query_names()
SKG = ID_NS
CQ_COUNT = 14


@pytest.fixture(scope="module")
def backend():  # type: ignore[no-untyped-def]
    return default_backend()


@pytest.fixture(scope="module")
def seed_text() -> str:
    return load_seeds()[0].text


def column(result: QueryResult, name: str) -> list[str | None]:
    i = result.variables.index(name)
    return [None if row[i] is None else row[i].value for row in result.rows]


def test_every_query_has_a_golden_and_every_golden_a_query() -> None:
    assert QUERIES, "no stored queries"
    assert set(QUERIES) == set(golden_names()), (
        f"queries without golden: {sorted(set(QUERIES) - set(golden_names()))}; "
        f"goldens without query: {sorted(set(golden_names()) - set(QUERIES))}"
    )


def test_model_doc_lists_every_query() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    for name in QUERIES:
        assert f"`{name}`" in doc, f"docs/model.md does not mention {name}"
    for check in sorted((queries_dir() / "checks").glob("*.rq")):
        assert f"`{check.stem}`" in doc, f"docs/model.md does not mention check {check.stem}"


def test_every_competency_question_has_a_query() -> None:
    covered: set[int] = set()
    for name in QUERIES:
        description = str(get_query(name).header.get("description", ""))
        match = re.match(r"Competency question (\d+)", description)
        assert match, f"{name}: the description must start with 'Competency question N'"
        covered.add(int(match.group(1)))
    assert covered == set(range(1, CQ_COUNT + 1))


@pytest.mark.parametrize("name", QUERIES)
def test_header(name: str) -> None:
    query = get_query(name)
    assert query.summary and len(query.summary) < 100
    tags = query.header.get("tags")
    assert isinstance(tags, list) and "competency-question" in tags
    text = (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#+ ") and ": " in line:  # YAML plain scalars
            value = line.split(": ", 1)[1]
            assert ": " not in value and " #" not in value, line
    for param in query.parameters:  # a required parameter has a default, so goldens are runnable
        assert not param.needed, f"{name}: parameter {param.name} has no default"


@pytest.mark.parametrize("name", QUERIES)
def test_engine_matches_golden(name: str, backend) -> None:  # type: ignore[no-untyped-def]
    assert_matches_golden(run_query(name, backend=backend), name)


@pytest.mark.parametrize("name", QUERIES)
def test_rdflib_closure_matches_golden(name: str) -> None:
    assert_matches_golden(reference_result(name), name)


@pytest.mark.parametrize(
    ("name", "param", "value", "col"),
    [
        ("documents", "kind", "https://w3id.org/spacekg/ontology#Agreement", "kind"),
        ("events", "actor", SKG + "japan", "actor"),
        ("alliance-members", "alliance", SKG + "quad", "alliance"),
        ("statements", "speaker", SKG + "us-department-of-commerce", "speaker"),
        ("claims", "target", SKG + "artemis-accords", "target"),
        ("claims", "stance", SKG + "stance-skeptical", "stance"),
        ("topics", "topic", SKG + "topic-space-situational-awareness", "topic"),
        ("entity-sentences", "entity", SKG + "germany", "span"),
        ("exercise-participants", "actor", SKG + "japan", "exercise"),
    ],
)
def test_parameters_narrow_the_golden(
    name: str,
    param: str,
    value: str,
    col: str,
    backend,  # type: ignore[no-untyped-def]
) -> None:
    """With a parameter, the rows are exactly the golden rows that match it."""
    full = load_golden(GOLDEN_DIR / f"{name}.srj")
    narrowed = run_query(name, {param: value}, backend=backend)
    assert narrowed.variables == full.variables
    assert set(narrowed.rows) <= set(full.rows) or name in (
        "entity-sentences",
        "exercise-participants",
    )
    if name == "documents":
        assert set(column(narrowed, col)) == {"agreement"}
        assert len(narrowed.rows) == 2
    elif name == "claims" and param == "stance":
        assert set(column(narrowed, col)) == {"skeptical"}
    elif name == "entity-sentences":
        assert len(narrowed.rows) == 1 and "Germany" in column(narrowed, "exact")[0]
    elif name == "exercise-participants":
        assert narrowed.rows == ()  # Japan drew nobody into an exercise
    else:
        assert narrowed.rows and set(column(narrowed, col)) == {value}
        expected = [r for r, v in zip(full.rows, column(full, col), strict=True) if v == value]
        assert list(narrowed.rows) == expected


# ------------------------------------------------------------ goldens against the article text


def test_golden_quotes_are_the_seed_text(seed_text: str) -> None:
    for name in ("claims", "entity-sentences"):
        golden = load_golden(GOLDEN_DIR / f"{name}.srj")
        for start, end, exact in zip(
            column(golden, "start"), column(golden, "end"), column(golden, "exact"), strict=True
        ):
            assert start is not None and end is not None
            assert seed_text[int(start) : int(end)] == exact


def test_golden_quoted_statements_occur_in_the_seed(seed_text: str) -> None:
    golden = load_golden(GOLDEN_DIR / "statements.srj")
    for quoted, start in zip(column(golden, "quotedText"), column(golden, "start"), strict=True):
        assert quoted and quoted in seed_text
        assert seed_text.index(quoted) >= int(start or 0)


def test_golden_exact_words_occur_in_the_seed(seed_text: str) -> None:
    for name in ("five-eyes-course", "space-command-training-intent", "artemis-accords-un"):
        for exact in column(load_golden(GOLDEN_DIR / f"{name}.srj"), "exact"):
            assert exact and exact in seed_text, (name, exact)


def test_golden_dates_are_as_precise_as_the_text(seed_text: str) -> None:
    spelled = {"2021": "in 2021", "2022-06": "In June 2022"}
    golden = load_golden(GOLDEN_DIR / "timeline.srj")
    dates = column(golden, "date")
    assert dates == sorted(dates)  # str order of ISO dates is time order
    for date in dates:
        assert date in spelled and spelled[date] in seed_text
    assert column(golden, "precision") == ["year", "month"]


def test_golden_entity_sentences_mention_the_entity() -> None:
    for exact in column(load_golden(GOLDEN_DIR / "entity-sentences.srj"), "exact"):
        assert exact and "Japan" in exact


# ------------------------------------------------------------ the golden comparison itself


def test_is_ordered_sees_only_the_outer_order_by() -> None:
    assert is_ordered("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    assert is_ordered("SELECT ?s WHERE { ?s ?p ?o }\norder  by desc(?s) LIMIT 3")
    assert not is_ordered("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s } }")
    assert not is_ordered('SELECT ?s WHERE { ?s ?p "x } ORDER BY ?s" }')
    assert not is_ordered("SELECT ?s WHERE { ?s ?p ?o } # ORDER BY ?s")


def _select(*rows: tuple[Term | None, ...]) -> QueryResult:
    return QueryResult("select", variables=("a", "b"), rows=tuple(rows))


def test_comparison_rules() -> None:
    x, y = Term("uri", "http://x"), Term("uri", "http://y")
    plain = Term("literal", "v")
    typed = Term("literal", "v", "http://www.w3.org/2001/XMLSchema#string")
    one = Term("literal", "1", "http://www.w3.org/2001/XMLSchema#integer")
    assert diff_results(_select((x, plain)), _select((x, typed)), ordered=True) == []
    assert diff_results(_select((x, one)), _select((x, plain)), ordered=False)  # type counts
    swapped = diff_results(_select((x, None), (y, None)), _select((y, None), (x, None)), True)
    assert swapped and swapped[0].startswith("same rows, different order")
    assert diff_results(_select((x, None), (y, None)), _select((y, None), (x, None)), False) == []
    # blank nodes match by structure, not by label
    b1, b2, c1 = Term("bnode", "b1"), Term("bnode", "b2"), Term("bnode", "zz")
    assert diff_results(_select((x, b1), (y, b2)), _select((x, c1), (y, b1)), False) == []
    assert diff_results(_select((x, b1), (y, b1)), _select((x, b1), (y, b2)), False)
    missing = diff_results(_select((x, plain)), _select((x, plain), (y, plain)), False)
    assert missing == ['missing: <http://y> | "v"']


def test_goldens_round_trip() -> None:
    for name in golden_names():
        golden = load_golden(GOLDEN_DIR / f"{name}.srj")
        assert result_to_srj(golden) == (GOLDEN_DIR / f"{name}.srj").read_text(encoding="utf-8")
        assert golden_problems(golden, name) == []
