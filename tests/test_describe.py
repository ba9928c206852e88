"""describe: a node by prefixed name, IRI or label, its facts, each with the article's words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spacekg.describe import describe, render_json, render_text
from spacekg.errors import InputError

ID = "https://w3id.org/spacekg/id/"
SEED_QUOTE = "QUAD summit was held in Tokyo"


@pytest.mark.parametrize(
    "term",
    [
        "skgid:quad-summit-tokyo",
        f"<{ID}quad-summit-tokyo>",
        f"{ID}quad-summit-tokyo",
        "QUAD summit in Tokyo",
        "quad SUMMIT in tokyo",
    ],
)
def test_resolves_names_iris_and_labels(cli_bundle: Path, term: str) -> None:
    d = describe(term)
    assert d.term.value == ID + "quad-summit-tokyo"
    assert d.label == "QUAD summit in Tokyo"


def test_facts_carry_the_article_words(cli_bundle: Path) -> None:
    seed = next((cli_bundle / "seeds").glob("*.txt")).read_text()
    d = describe("skgid:quad-summit-tokyo")
    assert [w.exact for w in d.words] == [SEED_QUOTE]
    w = d.words[0]
    assert seed[w.start : w.end] == w.exact  # the offsets point at the words
    predicates = {f.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for f in d.outgoing}
    assert {"hasParticipant", "hasPlace", "happenedBefore", "label"} <= predicates
    content = [f for f in d.outgoing if f.support in ("stated", "read")]
    assert len(content) == 4  # the reified triples, each with the words of its reification
    assert all(f.words == d.words for f in content)
    read = [f for f in content if f.support == "read"]
    assert [f.object.value for f in read] == [ID + "united-states"]
    assert read[0].reason == "The participants are read from the place of the summit."
    # labels and entailed triples have no words of their own
    assert all(f.words == () for f in d.outgoing if f not in content)
    inferred = [f for f in d.outgoing if f.inferred]
    assert {f.predicate.value for f in inferred} == {
        "http://semanticweb.cs.vu.nl/2009/11/sem/hasActor"
    }
    assert any(t.value.endswith("#Summit") for t in d.types)
    assert any(t.value.endswith("/sem/Event") for t in d.types)  # entailed type


def test_incoming_facts_use_the_other_nodes_words(cli_bundle: Path) -> None:
    d = describe("skgid:japan")
    participants = [f for f in d.incoming if f.predicate.value.endswith("hasParticipant")]
    assert [f.subject.value for f in participants] == [ID + "quad-summit-tokyo"]
    assert [w.exact for w in participants[0].words] == [SEED_QUOTE]
    assert d.words == ()  # the fixture gives Japan no span of its own


def test_identifiers_carry_no_article_words(cli_bundle: Path) -> None:
    d = describe("skgid:united-states")
    (match,) = [f for f in d.outgoing if f.predicate.value.endswith("#exactMatch")]
    assert match.support == "identifier" and match.words == () and match.citations == ()
    assert "skos:exactMatch wd:Q30  (identifier)\n" in render_text(d)


def test_public_record_facts_show_their_citation_not_article_words(cli_bundle: Path) -> None:
    data = cli_bundle / "data" / "public-record.ttl"
    data.write_text(
        "@prefix skg: <https://w3id.org/spacekg/ontology#> .\n"
        "@prefix skgid: <https://w3id.org/spacekg/id/> .\n"
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix schema: <http://schema.org/> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        'skgid:alliance a skg:Alliance ; rdfs:label "alliance"@en ; org:hasMember skgid:japan .\n'
        'skgid:cite a skg:Citation ; rdfs:label "a page"@en ;\n'
        "    schema:url <https://example.org/p> ;\n"
        '    dcterms:publisher "Example"@en .\n'
        "skgid:st-member a rdf:Statement , skg:RecordFact ; rdf:subject skgid:alliance ;\n"
        "    rdf:predicate org:hasMember ; rdf:object skgid:japan ;\n"
        "    prov:wasDerivedFrom skgid:cite .\n"
    )
    d = describe("skgid:japan")
    (member,) = [f for f in d.incoming if f.predicate.value.endswith("#hasMember")]
    assert member.support == "public record" and member.words == ()
    assert [(c.url, c.publisher) for c in member.citations] == [
        ("https://example.org/p", "Example")
    ]
    assert "cited: <https://example.org/p> (Example)" in render_text(d)
    assert not any(f.subject.value == ID + "st-member" for f in d.incoming)  # reification hidden


def test_ambiguous_label_lists_candidates(cli_bundle: Path) -> None:
    with pytest.raises(InputError) as info:
        describe("HARBOUR")
    message = str(info.value)
    assert "is the label of 2 nodes" in message
    assert "skgid:harbour-a" in message and "skgid:harbour-b" in message


def test_unknown_label_suggests(cli_bundle: Path) -> None:
    with pytest.raises(InputError, match=r"no node is labelled 'Japn' \(did you mean: 'Japan'"):
        describe("Japn")


def test_unknown_iri(cli_bundle: Path) -> None:
    with pytest.raises(InputError, match="the graph says nothing about"):
        describe("skgid:atlantis")


def test_renderings(cli_bundle: Path) -> None:
    d = describe("skgid:quad-summit-tokyo")
    text = render_text(d)
    assert text.startswith("skgid:quad-summit-tokyo  'QUAD summit in Tokyo'")
    assert f'"{SEED_QUOTE}" [766:795]' in text
    assert "skg:hasParticipant skgid:japan" in text
    assert "(inferred)" in text
    doc = json.loads(render_json(d))
    assert doc["term"] == ID + "quad-summit-tokyo"
    assert doc["words"] == [
        {"span": "skgid:span-quad-tokyo", "exact": SEED_QUOTE, "start": 766, "end": 795}
    ]


def test_statements_and_claims_about_a_node(cli_bundle: Path) -> None:
    data = cli_bundle / "data" / "article.ttl"
    data.write_text(
        data.read_text() + "\n@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        'skgid:claim-x a skg:AuthorClaim ; rdfs:label "claim: about Japan"@en ;\n'
        "    prov:wasAttributedTo skgid:united-states ; skg:hasTarget skgid:japan ;\n"
        "    skg:hasEvidence skgid:span-quad-tokyo .\n"
    )
    d = describe("Japan")
    assert [(m.kind, m.label, m.by) for m in d.mentions] == [
        ("claim", "claim: about Japan", ("United States",))
    ]
    assert [w.exact for w in d.mentions[0].words] == [SEED_QUOTE]


@pytest.mark.parametrize(
    "term", ["<https://w3id.org/x> } DROP ALL {>", "skgid:a>b", 'https://x.org/"']
)
def test_malformed_iris_are_bad_input_not_a_crash(cli_bundle: Path, term: str) -> None:
    with pytest.raises(InputError, match="not a valid IRI"):
        describe(term)


@pytest.mark.parametrize(("spans", "tail"), [(3, "(and 1 more span)"), (4, "(and 2 more spans)")])
def test_more_spans_singular_and_plural(spans: int, tail: str) -> None:
    from spacekg.describe import MAX_WORDS, Description, Fact, Words
    from spacekg.terms import Term

    words = tuple(Words(f"span{i}", f"words {i}", i, i + 1) for i in range(spans))
    node = Term("uri", "https://w3id.org/spacekg/id/x")
    label = Term("uri", "http://www.w3.org/2000/01/rdf-schema#label")
    fact = Fact(node, label, Term("literal", "x"), False, words)
    d = Description(node, "x", (), (), (fact,), (), ())
    text = render_text(d)
    assert spans > MAX_WORDS and text.rstrip().splitlines()[-1].strip() == tail
