"""Property-based fuzzing (hypothesis) of what hostile input reaches: the RDF parsers, the query
lexer and its limits, the query binder, the Turtle writers and the credential scrubber.

The properties: bad input is an :class:`~spacekg.errors.InputError` (exit 3) and nothing else;
a bound parameter never changes the query's shape; what the writers write parses back to the
same value. Profiles: ``ci`` (the default; a fixed seed, a few dozen examples per property, a few
seconds in all) and ``long`` (``SPACEKG_FUZZ=long``: a thousand examples per property, a random
seed). Every crash found becomes a regression test in :data:`REGRESSIONS` (or in
tests/test_hostile.py).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from spacekg.errors import InputError

settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,  # a fixed seed: the same examples on every run
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("long" if os.environ.get("SPACEKG_FUZZ") == "long" else "ci")

#: pieces hostile files are built from: syntax that parsers treat specially
RDF_PIECES = [
    "<urn:a>", "<urn:p>", "<http://e.org/a b>", '"x"', '"""x"""', "'y'", "@en", "^^", "_:b",
    "[", "]", "(", ")", ".", ";", ",", "@prefix", "ex:", "<", ">", "\\u0000", "\\", "\n", "#",
    "\ufeff", "\x00", "&", "<!ENTITY", "<!DOCTYPE", "{", "}", '"@context"', ":", "true", "1.5e3",
    '"abc"^^<http://www.w3.org/2001/XMLSchema#integer>', "GRAPH", "a",
]  # fmt: skip
rdf_texts = st.lists(st.sampled_from(RDF_PIECES) | st.text(max_size=8), max_size=40).map(" ".join)

SPARQL_PIECES = [
    "SELECT", "*", "WHERE", "{", "}", "(", ")", "[", "]", "?s", "?p", "?o", "UNION", "FILTER",
    "SERVICE", "<urn:x>", '"lit"', "'''", '"""', "#", "\n", ".", ";", "PREFIX", "ex:", "LOAD",
    "INSERT", "DATA", "OPTIONAL", "GRAPH", "BIND", "AS", "VALUES", "$x", "<", ">", "\\",
]  # fmt: skip
sparql_texts = st.lists(st.sampled_from(SPARQL_PIECES) | st.text(max_size=6), max_size=60).map(
    " ".join
)


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig", ".rdf", ".jsonld"])
@given(body=rdf_texts)
@example(body="<urn:a> <urn:p> " + "[ <urn:p> " * 500 + '"x"' + " ]" * 500 + " .")
def test_parse_file_accepts_or_refuses_cleanly(tmp_path: Path, suffix: str, body: str) -> None:
    from spacekg.rdfio import parse_file

    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(body.encode("utf-8", "surrogatepass"))
    try:
        parse_file(path)
    except InputError as err:
        assert "\n" not in str(err).strip() or str(path) in str(err)


@given(body=rdf_texts)
def test_pyoxigraph_loader_of_validate_refuses_cleanly(tmp_path: Path, body: str) -> None:
    import pyoxigraph as ox

    from spacekg.shacl.loading import load_into

    path = tmp_path / "fuzz.ttl"
    path.write_bytes(body.encode("utf-8", "surrogatepass"))
    with contextlib.suppress(InputError):
        load_into(ox.Store(), path)


@given(text=sparql_texts)
def test_lexer_round_trips_and_limits_refuse_cleanly(text: str) -> None:
    from spacekg.query import sparqltext
    from spacekg.query.limits import check_query_limits

    assert "".join(t.text for t in sparqltext.tokens(text)) == text
    with contextlib.suppress(InputError):
        check_query_limits(text, "fuzz.rq")


@given(depth=st.integers(min_value=0, max_value=400), kind=st.sampled_from(["{", "(", "["]))
def test_nesting_past_the_limit_never_reaches_the_parser(depth: int, kind: str) -> None:
    from spacekg.query.engine import syntax_error

    close = {"{": "}", "(": ")", "[": "]"}[kind]
    inner = "?s ?p ?o" if kind == "{" else "?s ?p " + kind * depth + "1" + close * depth
    body = kind * depth + inner + close * depth if kind == "{" else inner
    sparql = f"SELECT * WHERE {{ {body} }}"
    syntax_error(sparql)  # a message or None; never a crash of the process


BINDABLE = """PREFIX ex: <http://example.org/>
SELECT ?s WHERE {{ ?s ex:p ?_{name}{kind} . ?s ex:q ?o }}
"""


@pytest.mark.parametrize(
    ("kind", "suffix"),
    [("literal", ""), ("iri", "_iri"), ("integer", "_integer"), ("lang", "_en")],
)
@given(value=st.text(max_size=40))
@example(value='x" } SERVICE <http://evil/> { ?a ?b ?c } #')
@example(value="x> . ?s ?p ?o } #")
@example(value="ex:a> ; <urn:evil")
def test_a_bound_parameter_never_changes_the_query(kind: str, suffix: str, value: str) -> None:
    import pyoxigraph as ox

    from spacekg.query import sparqltext
    from spacekg.query.catalogue import bind, from_text

    query = from_text(BINDABLE.format(name="v", kind=suffix))
    try:
        sparql = bind(query, {"v": value})
    except InputError:
        return
    assert not sparqltext.service_clauses(sparql)
    assert sparqltext.update_keyword(sparql) is None
    ox.Store().query(sparql)  # it parses: the value stayed one term
    words = [t.upper for t in sparqltext.code_tokens(sparql) if t.kind == "word"]
    original = [t.upper for t in sparqltext.code_tokens(query.text) if t.kind == "word"]
    assert [w for w in words if w in ("SELECT", "WHERE", "UNION", "FILTER", "OPTIONAL")] == [
        w for w in original if w in ("SELECT", "WHERE", "UNION", "FILTER", "OPTIONAL")
    ]


@given(value=st.text())
def test_turtle_literals_round_trip(value: str) -> None:
    import pyoxigraph as ox

    from spacekg.curation.sources import turtle_string

    data = f"<urn:a> <urn:p> {turtle_string(value)} .".encode("utf-8", "surrogatepass")
    try:
        (quad,) = ox.parse(data, ox.RdfFormat.TURTLE)
    except (SyntaxError, UnicodeEncodeError):
        assert any("\ud800" <= c <= "\udfff" for c in value)  # lone surrogates: not Unicode
        return
    assert quad.object.value == value


@given(iri=st.text(max_size=30).map(lambda s: "https://e.org/" + s))
def test_turtle_iris_are_valid_or_refused(iri: str) -> None:
    import pyoxigraph as ox

    from spacekg.curation.sources import turtle_iri

    try:
        written = turtle_iri(iri, "--url")
    except InputError:
        return
    (quad,) = ox.parse(f"<urn:a> <urn:p> {written} .".encode(), ox.RdfFormat.TURTLE)
    assert quad.object.value == iri


@given(quote=st.text(min_size=1, max_size=30))
def test_span_turtle_parses_back(quote: str) -> None:
    import pyoxigraph as ox

    from spacekg.curation.sources import span_turtle

    if any("\ud800" <= c <= "\udfff" for c in quote):
        return
    turtle = span_turtle("https://w3id.org/spacekg/id/span-x", "https://w3id.org/spacekg/id/s",
                         quote, 0, len(quote))  # fmt: skip
    values = {q.object.value for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)}
    assert quote in values


@given(value=st.text())
def test_export_literals_round_trip(value: str) -> None:
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    from spacekg.dataset.export import nt_term

    if any("\ud800" <= c <= "\udfff" for c in value):
        return
    line = f"<urn:a> <urn:p> {nt_term(Literal(value), {})} .\n"
    (quad,) = ox.parse(line.encode(), ox.RdfFormat.N_TRIPLES)
    assert quad.object.value == value
    assert nt_term(URIRef("urn:a"), {}) == "<urn:a>"


@given(password=st.text(min_size=1, max_size=12), user=st.text(max_size=6), pad=st.text(max_size=6))
def test_scrubbed_text_never_holds_the_password(password: str, user: str, pad: str) -> None:
    import base64
    import urllib.parse

    from spacekg.stores.scrub import MIN_INSIDE_WORDS, scrub

    if any("\ud800" <= c <= "\udfff" for c in password + user):
        return
    echoes = [password, urllib.parse.quote(password, safe=""), password.upper()]
    echoes.append(base64.b64encode(f"{user}:{password}".encode()).decode())
    for echo in echoes:
        text = f"{pad} said: [{echo}] {pad}"
        out = scrub(text, user, password)
        if len(password) >= MIN_INSIDE_WORDS or password.isalnum():
            assert f"[{echo}]" not in out or echo == "***"


#: inputs that once broke something, kept as plain regression tests
REGRESSIONS = [
    ("bom.ttl", b"\xef\xbb\xbf<urn:a> <urn:p> <urn:o> .\n"),
    ("space.ttl", b"<urn:a> <urn:p> <http://e.org/a b> .\n"),
    ("long.nt", b"<urn:a> <urn:p> <urn:o> . " * 5000 + b'<urn:a> <urn:p> "oops .\n'),
    ("nested.rdf", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r/>'),
]


@pytest.mark.parametrize(("name", "body"), REGRESSIONS)
def test_regressions_are_clean_input_errors(tmp_path: Path, name: str, body: bytes) -> None:
    from spacekg.rdfio import parse_file

    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(InputError) as info:
        parse_file(path)
    assert len(str(info.value)) < 400
