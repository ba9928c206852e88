"""Evidence spans against the seed: offsets, digests, sentence coverage, quote search."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from spacekg.errors import InputError
from spacekg.evidence import (
    EVIDENCE_SPAN,
    HAS_EVIDENCE,
    SHA256,
    Seed,
    entity_sentences,
    find_quote,
    load_seeds,
    read_spans,
    split_sentences,
    uncovered_sentences,
    verify_spans,
)
from spacekg.project import data_dir, queries_dir, seeds_dir

if TYPE_CHECKING:
    from servers import VirtuosoServer

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"
OA = Namespace("http://www.w3.org/ns/oa#")
SKGID = Namespace("https://w3id.org/spacekg/id/")
SENTENCE = URIRef("https://w3id.org/spacekg/ontology#Sentence")
NON_NEGATIVE_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
MODEL_DOC = Path(__file__).parents[1] / "docs" / "model.md"
DATA_FILES = sorted(data_dir().glob("*.ttl"))


@pytest.fixture(scope="module")
def seed() -> Seed:
    seeds = load_seeds()
    assert len(seeds) == 1, "the bundle has exactly one seed article"
    return seeds[0]


@pytest.fixture(scope="module")
def data_graph() -> Graph:
    assert DATA_FILES, "no data/*.ttl yet"
    g = Graph()
    for path in DATA_FILES:
        g.parse(path, format="turtle")
    return g


def fixture_graph(name: str) -> Graph:
    return Graph().parse(FIXTURES / name, format="turtle")


# --------------------------------------------------------------------- the bundled data


def test_seed_is_the_article(seed: Seed) -> None:
    raw = (seeds_dir() / seed.path.name).read_bytes()
    assert seed.sha256 == hashlib.sha256(raw).hexdigest()
    assert seed.text.encode("utf-8") == raw
    assert seed.text.isascii()


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_spans_in_each_file_match_the_seed(path: Path, data_graph: Graph) -> None:
    """Every span written in this file: quote == seed[start:end], both selectors, known source.

    The file's spans are checked with the whole data as context (the source node may live in
    another file)."""
    own = Graph().parse(path, format="turtle")
    own_spans = {s.node for s in read_spans(own)}
    problems = [p for p in verify_spans(data_graph) if p.node in own_spans]
    assert problems == [], "\n".join(p.message for p in problems)


def test_all_spans_sound(data_graph: Graph, seed: Seed) -> None:
    spans = read_spans(data_graph)
    assert len(spans) >= len(split_sentences(seed.text))
    problems = verify_spans(data_graph)
    assert problems == [], "\n".join(p.message for p in problems)
    for span in spans:  # belt and braces, independently of verify_spans
        assert span.start is not None and span.end is not None
        assert seed.text[span.start : span.end] == span.exact, span.node


def test_source_nodes_record_the_seed_digest(data_graph: Graph, seed: Seed) -> None:
    sources = set(data_graph.objects(None, URIRef("http://www.w3.org/ns/oa#hasSource")))
    assert sources, "spans point at a source node"
    for source in sources:
        assert str(data_graph.value(source, URIRef(SHA256))) == seed.sha256


def without_sentences(graph: Graph) -> Graph:
    """``graph`` minus the skg:Sentence nodes and their selectors (data/sentences.ttl)."""
    out = Graph()
    out += graph
    for node in set(out.subjects(RDF.type, SENTENCE)):
        for sel in list(out.objects(node, OA.hasSelector)):
            out.remove((sel, None, None))
        out.remove((node, None, None))
    return out


def test_every_sentence_is_covered(data_graph: Graph, seed: Seed) -> None:
    # the evidence spans alone, without the sentence nodes (which overlap every sentence)
    missing = uncovered_sentences(without_sentences(data_graph), seed)
    assert missing == [], "\n".join(f"line {s.line}: {s.text[:70]}" for s in missing)


def test_every_sentence_naming_a_node_is_in_its_evidence(data_graph: Graph, seed: Seed) -> None:
    """Competency question 11 is complete: for every node with evidence, each sentence that
    contains its label or an alternative label (as a whole word) is among its sentences."""
    sentences = split_sentences(seed.text)
    nodes = set(data_graph.subjects(URIRef(HAS_EVIDENCE), None))
    assert len(nodes) > 20
    gaps = []
    for node in sorted(nodes):
        names = {str(o) for p in (RDFS.label, SKOS.altLabel) for o in data_graph.objects(node, p)}
        have = {s.index for s in entity_sentences(data_graph, str(node), seed)}
        for name in names:
            pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
            gaps += [
                f"{node}: {name!r} in sentence {s.index}"
                for s in sentences
                if pattern.search(s.text) and s.index not in have
            ]
    assert gaps == []


def test_entity_sentences_japan(data_graph: Graph, seed: Seed) -> None:
    found = entity_sentences(data_graph, "https://w3id.org/spacekg/id/japan", seed)
    assert [s.text for s in found] == [
        s.text for s in split_sentences(seed.text) if "Japan" in s.text
    ]
    assert len(found) == 3


def test_quoted_text_lies_in_the_statement_span(data_graph: Graph, seed: Seed) -> None:
    """skg:quotedText is the speaker's words copied exactly: inside one of its spans."""
    query = """
        PREFIX skg: <https://w3id.org/spacekg/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?st ?q ?start ?end WHERE {
          ?st skg:quotedText ?q ; skg:hasEvidence/oa:hasSelector ?sel .
          ?sel oa:start ?start ; oa:end ?end .
        }"""
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for st, q, start, end in data_graph.query(query):
        spans.setdefault(str(st), []).append((str(q), int(start), int(end)))
    assert len(spans) >= 5
    for st, rows in spans.items():
        assert any(q in seed.text[a:b] for q, a, b in rows), st


# --------------------------------------------------------------------- sentence nodes


def sentence_nodes(graph: Graph) -> list[tuple[URIRef, int, int, str]]:
    """(node, start, end, exact) of every skg:Sentence, in text order."""
    out = []
    for node in graph.subjects(RDF.type, SENTENCE):
        sels = list(graph.objects(node, OA.hasSelector))
        (exact,) = [graph.value(s, OA.exact) for s in sels if (s, OA.exact, None) in graph]
        (start,) = [graph.value(s, OA.start) for s in sels if (s, OA.start, None) in graph]
        (end,) = [graph.value(s, OA.end) for s in sels if (s, OA.end, None) in graph]
        for offset in (start, end):
            assert isinstance(offset, Literal) and offset.datatype == NON_NEGATIVE_INTEGER
        out.append((node, int(start), int(end), str(exact)))
    return sorted(out, key=lambda row: (row[1], row[2]))


def test_sentence_nodes_are_the_split_sentences(seed: Seed) -> None:
    """data/sentences.ttl holds one node per sentence of split_sentences(seed), in text order:
    the same count, offsets and text, named sentence-NN with the label "sentence NN"."""
    g = Graph().parse(data_dir() / "sentences.ttl", format="turtle")
    nodes = sentence_nodes(g)
    expected = split_sentences(seed.text)
    assert len(nodes) == len(expected) == 19
    assert [(s, e, x) for _, s, e, x in nodes] == [(s.start, s.end, s.text) for s in expected]
    for i, (node, *_rest) in enumerate(nodes, start=1):
        assert node == SKGID[f"sentence-{i:02d}"]
        assert list(g.objects(node, RDFS.label)) == [Literal(f"sentence {i:02d}", lang="en")]
        assert list(g.objects(node, OA.hasSource)) == [SKGID["article-small-cliques"]]
        assert len(list(g.objects(node, OA.hasSelector))) == 2
    # the sentence nodes are sound spans by verify_spans' rules too
    with_source = g + Graph().parse(data_dir() / "source.ttl")
    own = {str(n) for n, *_ in nodes}
    assert [p for p in verify_spans(with_source, [seed]) if p.node in own] == []


def test_sentences_are_not_evidence(data_graph: Graph) -> None:
    sentences = set(data_graph.subjects(RDF.type, SENTENCE))
    assert len(sentences) == 19
    assert set(data_graph.objects(None, URIRef(HAS_EVIDENCE))) & sentences == set()
    assert {s for s in sentences if (s, RDF.type, URIRef(EVIDENCE_SPAN)) in data_graph} == set()


def test_sentence_nodes_do_not_count_as_coverage(data_graph: Graph, seed: Seed) -> None:
    """Regression: sentence nodes have selectors like spans, but are not evidence; they cover
    no sentence and are not counted as spans, yet verify_spans checks their offsets."""
    only_sentences = Graph()
    for name in ("sentences.ttl", "source.ttl"):
        only_sentences.parse(data_dir() / name, format="turtle")
    assert len(uncovered_sentences(only_sentences, seed)) == 19
    sentences = {str(s) for s in data_graph.subjects(RDF.type, SENTENCE)}
    assert {s.node for s in read_spans(data_graph)} & sentences == set()
    assert {s.node for s in read_spans(data_graph, sentences=True)} >= sentences
    broken = Graph()
    broken += only_sentences
    position = next(
        sel
        for sel in broken.objects(SKGID["sentence-02"], OA.hasSelector)
        if (sel, OA.start, None) in broken
    )
    broken.set((position, OA.start, Literal(35, datatype=NON_NEGATIVE_INTEGER)))
    problems = [p for p in verify_spans(broken, [seed]) if p.node in sentences]
    assert [(p.node, p.kind) for p in problems] == [(str(SKGID["sentence-02"]), "quote-mismatch")]


def query_sentences(entity: str) -> list[tuple[int, int, str]]:
    from spacekg.query.engine import run_query

    result = run_query("entity-sentences", {"entity": entity})
    col = {v: i for i, v in enumerate(result.variables)}
    return [
        (int(row[col["start"]].value), int(row[col["end"]].value), row[col["exact"]].value)
        for row in result.rows
    ]


def test_stored_query_matches_entity_sentences_for_the_us(data_graph: Graph, seed: Seed) -> None:
    us = str(SKGID["united-states"])
    expected = [(s.start, s.end, s.text) for s in entity_sentences(data_graph, us, seed)]
    assert len(expected) == 16  # all but the byline, the Tokyo summit and the Five Eyes course
    assert query_sentences(us) == expected


def test_stored_query_matches_entity_sentences_for_every_node(
    data_graph: Graph, seed: Seed
) -> None:
    """For every node with evidence, the SPARQL answer (spans overlapping, or the name as a whole
    word) equals the Python one (spans overlapping): names never add a sentence the evidence
    lacks, as test_every_sentence_naming_a_node_is_in_its_evidence requires."""
    nodes = sorted(set(data_graph.subjects(URIRef(HAS_EVIDENCE), None)))
    assert len(nodes) > 20
    differ = {}
    for node in nodes:
        expected = [(s.start, s.end, s.text) for s in entity_sentences(data_graph, str(node), seed)]
        got = query_sentences(str(node))
        if got != expected:
            differ[str(node)] = (got, expected)
    assert differ == {}


def test_stored_query_runs_on_virtuoso(
    virtuoso_server: VirtuosoServer, real_bundle: None, tmp_path: Path
) -> None:
    """Regression: the first version (BIND of EXISTS) made Virtuoso fail with "SQ156: Internal
    Optimized compiler error"; the UNION + GROUP BY form gives the golden there too."""
    from golden_utils import assert_matches_golden
    from store_utils import cli

    from spacekg.query.engine import run_query
    from spacekg.stores import endpoint as gsp

    env = {
        "SPACEKG_USER": virtuoso_server.user,
        "SPACEKG_PASSWORD": virtuoso_server.password,
        "NETRC": str(tmp_path / "none"),
    }
    url = virtuoso_server.url
    code, _out, err = cli("load", "--endpoint", url, "--server", "virtuoso", "--inferred", env=env)
    assert code == 0, err
    backend = gsp.EndpointStore(gsp.endpoint(url, server="virtuoso"))
    assert_matches_golden(run_query("entity-sentences", backend=backend), "entity-sentences")
    us = run_query("entity-sentences", {"entity": str(SKGID["united-states"])}, backend=backend)
    starts = [int(row[us.variables.index("start")].value) for row in us.rows]
    assert starts == [start for start, _end, _text in query_sentences(str(SKGID["united-states"]))]


def test_stored_query_finds_sentences_by_name_alone(tmp_path: Path, seed: Seed) -> None:
    """An entity with no evidence is found by its label or alternative label as a whole word,
    on both engines (oxigraph's and rdflib's regular expressions)."""
    from spacekg.query.engine import OxigraphMemoryBackend, RdflibBackend, run_query

    text = (data_dir() / "sentences.ttl").read_text(encoding="utf-8")
    extra = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://example.org/x> rdfs:label "Black Skies"@en ; skos:altLabel "ROK" , "Tok" .\n'
    )
    sparql = (queries_dir() / "entity-sentences.rq").read_text(encoding="utf-8")
    g = Graph().parse(data=text + extra, format="turtle")
    g.parse(data_dir() / "source.ttl")
    data = g.serialize(format="nt", encoding="utf-8")
    bound = sparql.replace("?_entity_iri", "<https://example.org/x>")
    for backend in (OxigraphMemoryBackend(data, use_cache=False), RdflibBackend(data)):
        result = run_query(bound, backend=backend)
        col = result.variables.index("sentence")
        found = [row[col].value.rsplit("-", 1)[-1] for row in result.rows]
        assert found == ["13", "16"], backend  # "Tok" is no whole word of "Tokyo"
        assert {row[result.variables.index("foundBy")].value for row in result.rows} == {"label"}


# --------------------------------------------------------------------- the sentence rule


def test_sentence_rule_on_the_article(seed: Seed) -> None:
    sentences = split_sentences(seed.text)
    lines = seed.text.split("\n")
    assert sentences[0].text == lines[0]  # the byline is one sentence
    assert {s.line for s in sentences} == set(range(1, len(lines) + 1))
    for s in sentences:
        assert seed.text[s.start : s.end] == s.text
        assert s.text[-1] in ".?!" or s.index == 0
    # every non-space character belongs to exactly one sentence
    covered = sorted(i for s in sentences for i in range(s.start, s.end))
    assert covered == sorted(set(covered))
    assert {i for i, ch in enumerate(seed.text) if not ch.isspace()} <= set(covered)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A b. C d.", ["A b.", "C d."]),
        ('He said "x y". The end.', ['He said "x y".', "The end."]),
        ("The U.S. Senate met. Mr. Smith spoke.", ["The U.S. Senate met.", "Mr. Smith spoke."]),
        ("Ask J. Doe. Why? Because!", ["Ask J. Doe.", "Why?", "Because!"]),
        (
            "Version 2.0 is out. the lower case stays.",
            ["Version 2.0 is out. the lower case stays."],
        ),
        ('It ended." Then "Quote" began.', ['It ended."', 'Then "Quote" began.']),
        ("Line one\nLine two. Three.", ["Line one", "Line two.", "Three."]),
        ("The US and the ROK met. DOS spoke.", ["The US and the ROK met.", "DOS spoke."]),
    ],
)
def test_sentence_rule_cases(text: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text)] == expected


# --------------------------------------------------------------------- broken fixtures


def test_good_fixture_is_clean(seed: Seed) -> None:
    g = fixture_graph("good.ttl")
    assert verify_spans(g, [seed]) == []
    uncovered = uncovered_sentences(g, seed)
    # the one span covers sentence 5 only (the QUAD summit), so 18 of 19 are uncovered
    assert len(uncovered) == len(split_sentences(seed.text)) - 1
    assert all("QUAD summit was held" not in s.text for s in uncovered)


def test_wrong_offset_is_reported_with_the_real_position(seed: Seed) -> None:
    problems = verify_spans(fixture_graph("wrong-offset.ttl"), [seed])
    assert [p.kind for p in problems] == ["quote-mismatch"]
    assert problems[0].node == "https://w3id.org/spacekg/id/span-quad-tokyo"
    real = seed.text.index("the US-led QUAD summit was held in Tokyo")
    assert f"occurs at {real}-{real + 40}" in problems[0].message
    assert "[759:799]" in problems[0].message


def test_wrong_sha_is_reported(seed: Seed) -> None:
    problems = verify_spans(fixture_graph("wrong-sha.ttl"), [seed])
    assert [p.kind for p in problems] == ["sha256-mismatch"]
    assert problems[0].node == "https://w3id.org/spacekg/id/article"
    assert seed.path.name in problems[0].message
    # a span whose source matches no seed covers nothing
    assert len(uncovered_sentences(fixture_graph("wrong-sha.ttl"), seed)) == 19


def test_start_after_end_is_reported(seed: Seed) -> None:
    problems = verify_spans(fixture_graph("start-after-end.ttl"), [seed])
    assert [p.kind for p in problems] == ["bad-offsets"]
    assert "start 795" in problems[0].message


def test_absent_quote_names_the_closest_passage(seed: Seed) -> None:
    problems = verify_spans(fixture_graph("quote-absent.ttl"), [seed])
    assert [p.kind for p in problems] == ["quote-mismatch"]
    assert "'the US-led QUAD summit was held in Tokyo'" in problems[0].message
    assert "closest passage at 755-795" in problems[0].message


def test_missing_selector_and_digest_are_reported(seed: Seed) -> None:
    problems = verify_spans(fixture_graph("missing-selector.ttl"), [seed])
    assert sorted(p.kind for p in problems) == ["missing-position-selector", "unknown-source"]


def test_seed_directory_argument(tmp_path: Path, seed: Seed) -> None:
    """A changed seed file is caught: the digest no longer matches."""
    (tmp_path / seed.path.name).write_text(seed.text + " ", encoding="utf-8")
    problems = verify_spans(fixture_graph("good.ttl"), tmp_path)
    assert [p.kind for p in problems] == ["sha256-mismatch"]


# --------------------------------------------------------------------- find_quote


def test_find_quote_unique(seed: Seed) -> None:
    r = find_quote(seed.text, "Vandenberg Space Force Base")
    assert r.found and r.unique and r.total == 1
    m = r.matches[0]
    assert seed.text[m.start : m.end] == "Vandenberg Space Force Base"
    assert (m.line, seed.text.split("\n")[m.line - 1][m.column - 1 :].startswith("Vandenberg")) == (
        6,
        True,
    )
    assert m.before.endswith("held at ") and m.after.startswith(", aiming")


def test_find_quote_several_and_occurrence(seed: Seed) -> None:
    quote = "small cliques"
    r = find_quote(seed.text, quote)
    assert r.total == seed.text.count(quote) == 2
    assert [m.occurrence for m in r.matches] == [1, 2]
    second = find_quote(seed.text, quote, occurrence=2)
    assert second.matches == (r.matches[1],) and second.total == 2
    with pytest.raises(InputError, match="occurs 2 time"):
        find_quote(seed.text, quote, occurrence=3)


def test_find_quote_absent_gives_closest(seed: Seed) -> None:
    r = find_quote(
        seed.text, "first tactical course for the Five Eye alliance was held at Vandenburg"
    )
    assert not r.found and r.total == 0
    assert r.closest is not None
    assert r.closest.text.startswith("first tactical course for the Five Eyes alliance")
    assert r.closest.similarity > 0.9
    assert seed.text[r.closest.start : r.closest.end] == r.closest.text


@pytest.mark.parametrize(
    ("typo", "real"),
    [
        ("Artemis Acords", "Artemis Accords"),  # regression: no trailing comma in the passage
        ("Tokio", "Tokyo"),  # regression: a short quote sharing no word is still found
        ("the US-led Quad summit was held in Tokio", "the US-led QUAD summit was held in Tokyo"),
        ("Department of Comerce proclaimed", "Department of Commerce proclaimed"),
    ],
)
def test_find_quote_closest_is_the_real_words(seed: Seed, typo: str, real: str) -> None:
    closest = find_quote(seed.text, typo).closest
    assert closest is not None and closest.text == real
    assert closest.start == seed.text.index(real)


def test_find_quote_closest_in_a_long_text(seed: Seed) -> None:
    text = seed.text.replace("Artemis", "Apollo") * 20 + "\n" + seed.text
    closest = find_quote(text, "endorse the Artemis Acords").closest
    assert closest is not None and closest.text == "endorse the Artemis Accords"
    assert closest.start == text.index("endorse the Artemis Accords")  # the only real copy
    assert closest.line == text.count("\n", 0, closest.start) + 1


def test_find_quote_empty() -> None:
    with pytest.raises(InputError):
        find_quote("abc", "")


# --------------------------------------------------------------------- docs/model.md


def test_model_doc_examples_are_real(seed: Seed) -> None:
    """Every Turtle block of docs/model.md is copied verbatim from data/, and its spans are
    sound against the seed (with the data's prefixes and source node as context)."""
    blocks = re.findall(r"```turtle\n(.*?)```", MODEL_DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6
    data_text = {p.name: p.read_text(encoding="utf-8") for p in DATA_FILES}
    prefixes = "".join(
        line + "\n"
        for text in data_text.values()
        for line in text.splitlines()
        if line.startswith("@prefix")
    )
    source = (data_dir() / "source.ttl").read_text(encoding="utf-8")
    kinds = set()
    checked = 0
    for block in blocks:
        assert any(block in text for text in data_text.values()), block[:80]
        g = Graph().parse(data=prefixes + block + source, format="turtle")
        spans = read_spans(Graph().parse(data=prefixes + block, format="turtle"))
        own = {s.node for s in spans if s.quote_selectors + s.position_selectors}
        assert [p for p in verify_spans(g, [seed]) if p.node in own] == []
        checked += len(own)
        kinds |= {str(t).rsplit("#", 1)[-1] for t in g.objects(None, RDF.type)}
    assert {"AuthorClaim", "ReportedStatement", "EvidenceSpan"} <= kinds
    assert checked >= 3
    assert kinds & {"TrainingCourse", "Summit", "Exercise", "Announcement", "Event"}
