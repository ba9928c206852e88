"""Statement-level evidence: every content triple reified with its spans or its citation.

The content triples of the data are counted here, independently of the SPARQL check
queries/checks/unreified-triple.rq: every one must have a reification (data/support.ttl for the
article, data/public-record.ttl for the public record) derived from an evidence span whose
quote is in the seed at its offsets, or from a citation. The count is written in docs/model.md.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from spacekg.project import GRAPH_NS, data_dir, graph_sources, seeds_dir
from spacekg.terms import Term

SKG = Namespace("https://w3id.org/spacekg/ontology#")
SKGID = Namespace("https://w3id.org/spacekg/id/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("http://schema.org/")
MODEL_DOC = Path(__file__).parents[1] / "docs" / "model.md"
PUBLIC_RECORD = "public-record"

NOT_CONTENT_PREDICATES = {
    RDF.type, RDFS.label, RDFS.comment, SKOS.prefLabel, SKOS.altLabel, SKOS.definition,
    SKOS.exactMatch, SKOS.inScheme, SKOS.topConceptOf, SKOS.hasTopConcept, SKOS.broader,
    OWL.sameAs, SKG.hasEvidence,
}  # fmt: skip
NOT_CONTENT_CLASSES = {
    RDF.Statement, SKG.RecordFact, SKG.Citation, SKG.Tension, SKG.Corroboration,
    SKG.EvidenceSpan, SKG.Sentence, OA.SpecificResource, SKG.SourceDocument, FOAF.Person,
    SCHEMA.NewsMediaOrganization, SKOS.ConceptScheme, SKG.Topic, SKG.Stance, SKG.DocumentStatus,
}  # fmt: skip


def parse(stems: set[str] | None = None, exclude: set[str] = frozenset()) -> Graph:  # type: ignore[assignment]
    g = Graph()
    for path in sorted(data_dir().glob("*.ttl")):
        if (stems is None or path.stem in stems) and path.stem not in exclude:
            g.parse(path)
    return g


@functools.cache
def everything() -> Graph:
    return parse()


def source_metadata_nodes(g: Graph) -> set[URIRef]:
    """The authors and publishers of the sources: `spacekg source add` describes them."""
    sources = set(g.subjects(RDF.type, SKG.SourceDocument))
    return {
        o  # type: ignore[misc]
        for p in (DCTERMS.creator, DCTERMS.publisher)
        for s, o in g.subject_objects(p)
        if s in sources and isinstance(o, URIRef)
    }


def content_triples(g: Graph) -> set[tuple]:
    out = set()
    metadata = source_metadata_nodes(g)
    for s, p, o in g:
        if not (isinstance(s, URIRef) and s.startswith(str(SKGID))):
            continue
        if p in NOT_CONTENT_PREDICATES:
            continue
        if s in metadata or any((s, RDF.type, c) in g for c in NOT_CONTENT_CLASSES):
            continue
        out.add((s, p, o))
    return out


def reifications(g: Graph) -> dict[tuple, list[URIRef]]:
    out: dict[tuple, list[URIRef]] = {}
    for st in g.subjects(RDF.type, RDF.Statement):
        key = (g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
        out.setdefault(key, []).append(st)  # type: ignore[arg-type]
    return out


def seed_text() -> str:
    (seed,) = sorted(seeds_dir().glob("*.txt"))
    return seed.read_text(encoding="utf-8")


def valid_span(g: Graph, span: URIRef, text: str) -> bool:
    if (span, RDF.type, SKG.EvidenceSpan) not in g:
        return False
    exact = start = end = None
    for sel in g.objects(span, OA.hasSelector):
        if (sel, RDF.type, OA.TextQuoteSelector) in g:
            exact = str(g.value(sel, OA.exact))
        if (sel, RDF.type, OA.TextPositionSelector) in g:
            start, end = int(g.value(sel, OA.start)), int(g.value(sel, OA.end))  # type: ignore[arg-type]
    return exact is not None and start is not None and text[start:end] == exact


def valid_citation(g: Graph, cite: URIRef) -> bool:
    return (cite, RDF.type, SKG.Citation) in g and isinstance(g.value(cite, SCHEMA.url), URIRef)


def test_every_content_triple_is_reified_with_a_valid_span_or_citation() -> None:
    g = everything()
    text = seed_text()
    reified = reifications(g)
    content = content_triples(g)
    assert len(content) > 200
    gaps = []
    for triple in sorted(content):
        sources = [
            src for st in reified.get(triple, []) for src in g.objects(st, PROV.wasDerivedFrom)
        ]
        if not any(valid_span(g, s, text) or valid_citation(g, s) for s in sources):
            gaps.append(triple)
    assert gaps == [], f"{len(gaps)} content triples without a valid reification: {gaps[:5]}"


def test_the_count_is_in_the_model_doc() -> None:
    g = everything()
    article = content_triples(parse(exclude={PUBLIC_RECORD}))
    record = content_triples(parse({PUBLIC_RECORD}))
    stated = sum(1 for _ in g.subjects(SKG.support, SKG.Stated))
    read = sum(1 for _ in g.subjects(SKG.support, SKG.Read))
    assert stated + read == len(article)
    doc = MODEL_DOC.read_text(encoding="utf-8")
    expected = (
        f"{len(article)} content triples of the article are reified ({stated} stated, {read} "
        f"read), and {len(record)} facts of the public record"
    )
    assert expected in " ".join(doc.split()), expected


def test_article_triples_are_supported_by_spans_and_record_facts_by_citations() -> None:
    g = everything()
    text = seed_text()
    for st in g.subjects(RDF.type, RDF.Statement):
        sources = list(g.objects(st, PROV.wasDerivedFrom))
        assert sources, st
        if (st, RDF.type, SKG.RecordFact) in g:
            assert all(valid_citation(g, s) for s in sources), st
            assert g.value(st, SKG.support) is None, st
        else:
            assert all(valid_span(g, s, text) for s in sources), st
            support = g.value(st, SKG.support)
            assert support in (SKG.Stated, SKG.Read), st
            reason = g.value(st, SKG.readingReason)
            if support == SKG.Read:
                assert isinstance(reason, Literal) and reason.language == "en", st
                assert len(str(reason).split()) >= 5, st
            else:
                assert reason is None, st


def test_reification_iris_are_the_hash_of_their_triple() -> None:
    g = everything()
    for st in g.subjects(RDF.type, RDF.Statement):
        s, p, o = (g.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        digest = hashlib.sha256(f"{s.n3()} {p.n3()} {o.n3()}".encode()).hexdigest()[:12]
        assert st == SKGID[f"st-{digest}"], st


def test_no_reification_is_redundant() -> None:
    assert all(len(v) == 1 for v in reifications(everything()).values())


def test_the_public_record_is_its_own_graph_and_never_in_the_article() -> None:
    sources = {s.name: s for s in graph_sources()}
    assert sources["data/public-record"].iri == GRAPH_NS + "data/public-record"
    article = parse(exclude={PUBLIC_RECORD})
    record = parse({PUBLIC_RECORD})
    assert not list(article.subjects(RDF.type, SKG.RecordFact))
    assert not list(article.subjects(RDF.type, SKG.Citation))
    # the article's data never states the membership of the Quad; the record does
    assert not list(article.triples((None, URIRef("http://www.w3.org/ns/org#hasMember"), None)))
    assert len(list(record.objects(SKGID.quad, URIRef("http://www.w3.org/ns/org#hasMember")))) == 4
    for st in record.subjects(RDF.type, RDF.Statement):
        assert (st, RDF.type, SKG.RecordFact) in record, st
    # record nodes are typed with SEM only, never with the article's classes
    for s in {s for s, _, _ in record if isinstance(s, URIRef) and "/pr-" in s}:
        for t in record.objects(s, RDF.type):
            assert not str(t).startswith(str(SKG)), (s, t)


def test_unverified_rows_are_not_asserted() -> None:
    """R11 (the Tokyo statement's commercial-space wording) and R12 (Space Command's intention)
    are unverified in the public record: nothing in it is about the proposal or the intention."""
    record = parse({PUBLIC_RECORD})
    for node in ("stmt-tokyo-summit-proposal", "intention-space-command-expand-training"):
        assert not list(record.triples((SKGID[node], None, None)))
        assert not list(record.triples((None, RDF.subject, SKGID[node])))


def test_tensions_link_the_article_words_to_cited_facts() -> None:
    g = everything()
    tensions = set(g.subjects(RDF.type, SKG.Tension))
    assert {
        SKGID["tension-quad-summit-tokyo"],
        SKGID["tension-space-supply-chain-agreement"],
    } <= tensions
    for t in tensions | set(g.subjects(RDF.type, SKG.Corroboration)):
        assert list(g.objects(t, SKG.articleSays)) and list(g.objects(t, SKG.recordShows)), t
        for st in g.objects(t, SKG.articleSays):
            assert (st, SKG.support, None) in g, st
        for rf in g.objects(t, SKG.recordShows):
            assert (rf, RDF.type, SKG.RecordFact) in g, rf


def test_the_readings_of_the_issue_are_marked_read() -> None:
    g = everything()

    def support(s: str, p: URIRef, o: str) -> URIRef | None:
        (st,) = reifications(g)[(SKGID[s], p, SKGID[o])]
        return g.value(st, SKG.support)  # type: ignore[return-value]

    for ex in ("exercise-space-thunder", "exercise-black-skies"):
        for c in ("japan", "india", "australia", "other-countries-in-exercises"):
            assert support(ex, SKG.hasParticipant, c) == SKG.Read
    assert support("us-space-priorities-framework", SKG.issuedBy, "united-states") == SKG.Read
    assert support("stmt-tokyo-summit-proposal", PROV.wasAttributedTo, "japan") == SKG.Read
    assert support("stmt-quad-aerospace-plans", PROV.wasAttributedTo, "japan") == SKG.Stated
    assert (
        support("stmt-us-politicians-groundbreaking", SKG.hasStance, "stance-supportive")
        == SKG.Read
    )
    assert (
        support(
            "claim-cooperation-aims-at-wooing-allies", SKG.hasTarget, "stmt-dos-rules-based-order"
        )
        == SKG.Read
    )
    assert (SKGID["artemis-accords"], SKG.hasTopic, None) not in g
    assert not re.search(
        r"subPropertyOf\s+prov:wasAttributedTo",
        (data_dir().parent / "ontology" / "spacekg.ttl").read_text(),
    )


def test_describe_shows_each_fact_with_its_own_evidence(real_bundle: None) -> None:
    from spacekg.describe import describe, render_text

    us = describe("skgid:united-states")
    (match,) = [f for f in us.outgoing if f.predicate.value == str(SKOS.exactMatch)]
    assert match.support == "identifier" and match.words == ()
    members = [f for f in us.incoming if f.predicate.value.endswith("#hasMember")]
    assert [(f.support, f.words) for f in members] == [("public record", ())]
    assert [c.url for c in members[0].citations] == [
        "https://japan.kantei.go.jp/101_kishida/diplomatic/202205/_00014.html"
    ]
    text = render_text(us)
    # no words under the identifier: the next line is the next section
    assert "skos:exactMatch wd:Q30  (identifier)\nfacts pointing to it" in text

    japan = describe("skgid:japan")
    thunder = [f for f in japan.incoming if f.subject == node("exercise-space-thunder")]
    assert [f.support for f in thunder if not f.inferred] == ["read"]
    assert all("exercises such as" in w.exact for f in thunder for w in f.words)
    proposal = [f for f in japan.incoming if f.subject == node("stmt-tokyo-summit-proposal")]
    assert [f.support for f in proposal] == ["read"]
    assert proposal[0].reason and "Tokyo summit proposed" in proposal[0].reason


def node(local: str) -> Term:
    return Term("uri", str(SKGID) + local)


def test_the_support_helper_writes_the_blocks_of_support_ttl() -> None:
    """`spacekg support` (spacekg.curation.support) gives exactly the Turtle data/support.ttl holds,
    for a stated and for a read triple."""
    from spacekg.curation.support import support_turtle

    text = (data_dir() / "support.ttl").read_text(encoding="utf-8")
    stated = support_turtle(
        "skgid:quad-summit-tokyo", "sem:hasPlace", "skgid:tokyo", ["skgid:span-quad-summit-tokyo"]
    )
    assert stated.turtle in text
    reason = str(
        everything().value(SKGID["st-a4924e96eb51"], SKG.readingReason)  # Japan in Space Thunder
    )
    read = support_turtle(
        "skgid:exercise-space-thunder",
        "skg:hasParticipant",
        "skgid:japan",
        ["skgid:span-exercises"],
        reason,
    )
    assert read.iri == str(SKGID["st-a4924e96eb51"]) and read.turtle in text
    literal = support_turtle("skgid:x", "skg:timeAsGiven", '"recently"@en', ["skgid:span-a"])
    assert 'rdf:object "recently"@en ;' in literal.turtle


def test_the_support_helper_refuses_bad_input() -> None:
    import pytest

    from spacekg.curation.support import support_turtle
    from spacekg.errors import InputError

    with pytest.raises(InputError, match="not a triple in Turtle"):
        support_turtle("skgid:x", "bad term", "skgid:y", ["skgid:s"])
    with pytest.raises(InputError, match="at least one span"):
        support_turtle("skgid:x", "skg:relativeTo", "skgid:y", [])
    with pytest.raises(InputError, match="five words"):
        support_turtle("skgid:x", "skg:relativeTo", "skgid:y", ["skgid:s"], "because")


def test_support_command(real_bundle: None) -> None:
    from click.testing import CliRunner

    from spacekg.cli.app import main

    runner = CliRunner()
    ok = runner.invoke(
        main, ["support", "skgid:a-b", "skg:relativeTo", "skgid:c-d", "--span", "skgid:s-t"]
    )
    assert ok.exit_code == 0 and "skg:support skg:Stated ;" in ok.stdout
    bad = runner.invoke(main, ["support", "skgid:a", "no good", "skgid:c", "--span", "skgid:s"])
    assert bad.exit_code == 3 and "not a triple in Turtle" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_statements_by_a_speaker_find_the_proposal_and_the_announcement(real_bundle: None) -> None:
    from spacekg.query.engine import run_query

    result = run_query("statements", {"speaker": "skgid:japan"})
    i, j = result.variables.index("statement"), result.variables.index("support")
    rows = {(row[i].value.rsplit("/", 1)[-1], row[j].value) for row in result.rows}  # type: ignore[union-attr]
    assert rows == {("stmt-quad-aerospace-plans", "stated"), ("stmt-tokyo-summit-proposal", "read")}


def test_source_metadata_is_not_content() -> None:
    """The nodes `spacekg source add` writes (the source, its authors, its publisher as a
    foaf:Organization) need no reification; a triple of the text does, in the test's count and
    in the check query alike."""
    from spacekg.project import ontology_path, queries_dir

    fixture = Path(__file__).parent / "fixtures" / "support" / "source-metadata.ttl"
    g = Graph().parse(fixture)
    assert content_triples(g) == {(SKGID.agreement, SKG.hasParty, SKGID.nowhere)}
    g.parse(ontology_path())
    check = (queries_dir() / "checks" / "unreified-triple.rq").read_text(encoding="utf-8")
    rows = [(str(focus), str(detail)) for focus, detail in g.query(check)]  # type: ignore[misc]
    assert [focus for focus, _ in rows] == [str(SKGID.agreement)]
    assert "hasParty" in rows[0][1]
