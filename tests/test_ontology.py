"""The ontology (ontology/spacekg.ttl) and the article data (data/*.ttl): they parse, the
ontology is documented and stays in OWL 2 RL, the OWL RL closure with the data is consistent,
and the data follows the modelling rules of REFERENCE.md (source metadata, dates, attribution,
intentions)."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from spacekg.namespaces import ONTOLOGY_IRI, ONTOLOGY_NS
from spacekg.project import bundle_root, data_dir, ontology_path, seeds_dir, shapes_path

SKG = Namespace(ONTOLOGY_NS)
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain: pytest probes module attributes
SKGID = Namespace("https://w3id.org/spacekg/id/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("http://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY = URIRef(ONTOLOGY_IRI)
SEED = "000_79e2981d098d05f9.txt"
ARTICLE = SKGID["article-small-cliques"]

# The vocabulary contract every part of spacekg codes against: these names must not change.
CONTRACT_CLASSES = [
    "Actor",
    "State",
    "InternationalOrganization",
    "GovernmentDepartment",
    "MilitaryCommand",
    "Alliance",
    "GroupOfPeople",
    "PolicyDocument",
    "Framework",
    "Accord",
    "Agreement",
    "Event",
    "DocumentRelease",
    "Summit",
    "Announcement",
    "Negotiation",
    "Exercise",
    "TrainingCourse",
    "Place",
    "City",
    "MilitaryBase",
    "Region",
    "Topic",
    "Stance",
    "ReportedStatement",
    "AuthorClaim",
    "EvidenceSpan",
    "Sentence",
    "SourceDocument",
]
CONTRACT_PROPERTIES = [
    "hasEvidence",
    "sha256",
    "issuedBy",
    "hasParticipant",
    "concernsDocument",
    "hasPurpose",
    "happenedBefore",
    "happenedAfter",
    "hasTopic",
    "quotedText",
    "hasStance",
    "hasTarget",
]


@functools.cache
def ontology() -> Graph:
    return Graph().parse(ontology_path())


def data() -> Graph:
    g = Graph()
    for path in sorted(data_dir().glob("*.ttl")):
        g.parse(path)
    return g


def ontology_and_data() -> Graph:
    g = data()
    g += ontology()
    return g


def our_terms() -> set[URIRef]:
    g = ontology()
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.NamedIndividual,
    )
    return {s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, URIRef)}


def turtle_files() -> list[Path]:
    root = bundle_root()
    files = [*sorted((root / "ontology").glob("*.ttl")), *sorted((root / "data").glob("*.ttl"))]
    fixtures = Path(__file__).parent / "fixtures" / "shapes"
    return files + sorted(fixtures.glob("*.ttl"))


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("path", turtle_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_turtle_file_parses(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    assert len(g) > 0


def test_data_files_are_split_by_concern() -> None:
    names = {p.stem for p in data_dir().glob("*.ttl")}
    assert {"source", "actors", "documents", "events", "statements", "claims", "spans"} <= names


# --------------------------------------------------------------------------- header and terms


def test_ontology_header() -> None:
    g = ontology()
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY, OWL.versionIRI) == URIRef(ONTOLOGY_IRI + "/0.1.0")
    assert str(g.value(ONTOLOGY, OWL.versionInfo)) == "0.1.0"
    for p in (DCTERMS.title, DCTERMS.description):
        values = list(g.objects(ONTOLOGY, p))
        assert len(values) == 1 and values[0].language == "en", p
    assert isinstance(g.value(ONTOLOGY, DCTERMS.license), URIRef)
    assert g.value(ONTOLOGY, DCTERMS.creator) is not None
    assert g.value(ONTOLOGY, DCTERMS.created).datatype == XSD.date
    assert str(g.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "skg"
    assert str(g.value(ONTOLOGY, VANN.preferredNamespaceUri)) == ONTOLOGY_NS


def test_every_term_has_one_english_label_definition_and_is_defined_by() -> None:
    g = ontology()
    terms = our_terms()
    assert len(terms) > 40
    problems = []
    for t in sorted(terms):
        labels = list(g.objects(t, RDFS.label))
        defs = list(g.objects(t, SKOS.definition))
        if len(labels) != 1 or labels[0].language != "en":
            problems.append(f"{t}: rdfs:label {labels}")
        if len(defs) != 1 or defs[0].language != "en":
            problems.append(f"{t}: skos:definition {defs}")
        if list(g.objects(t, RDFS.isDefinedBy)) != [ONTOLOGY]:
            problems.append(f"{t}: rdfs:isDefinedBy")
    assert problems == []


def test_term_names_follow_the_conventions() -> None:
    g = ontology()
    for t in our_terms():
        assert str(t).startswith(ONTOLOGY_NS), f"{t} is not ours to declare"
        local = str(t)[len(ONTOLOGY_NS) :]
        if (t, RDF.type, OWL.Class) in g or (t, RDF.type, OWL.NamedIndividual) in g:
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", local), t
        else:
            assert re.fullmatch(r"[a-z][A-Za-z0-9]*", local), t


def test_contract_terms_exist() -> None:
    g = ontology()
    for name in CONTRACT_CLASSES:
        assert (SKG[name], RDF.type, OWL.Class) in g, name
    for name in CONTRACT_PROPERTIES:
        assert (SKG[name], RDF.type, OWL.ObjectProperty) in g or (
            SKG[name],
            RDF.type,
            OWL.DatatypeProperty,
        ) in g, name


def test_every_skg_term_used_anywhere_is_defined() -> None:
    terms = our_terms()
    used: set[URIRef] = set()
    for g in (data(), Graph().parse(shapes_path())):
        for triple in g:
            used.update(t for t in triple if isinstance(t, URIRef) and t.startswith(ONTOLOGY_NS))
    assert used - terms == set()


def test_ontology_stays_in_owl2_rl_and_says_nothing_about_others_terms() -> None:
    g = ontology()
    banned = [
        OWL.unionOf,
        OWL.someValuesFrom,
        OWL.minCardinality,
        OWL.cardinality,
        OWL.minQualifiedCardinality,
        OWL.qualifiedCardinality,
        OWL.oneOf,
        OWL.complementOf,
        OWL.hasSelf,
    ]
    assert [p for p in banned if (None, p, None) in g] == []
    terms = our_terms()
    for s in set(g.subjects()):
        if isinstance(s, URIRef):
            assert s in terms or s == ONTOLOGY, f"axiom about a term that is not ours: {s}"
    # ranges and domains are named classes (no anonymous class expressions)
    for p in (RDFS.domain, RDFS.range):
        assert all(isinstance(o, URIRef) for o in g.objects(None, p))
    # the pitfall of the brief: hasEvidence must not be a sub-property of a PROV relation
    assert list(g.objects(SKG.hasEvidence, RDFS.subPropertyOf)) == []


def test_contract_alignment() -> None:
    g = ontology()
    expected = {
        (SKG.Actor, PROV.Agent),
        (SKG.Alliance, ORG.OrganizationalCollaboration),
        (SKG.PolicyDocument, PROV.Entity),
        (SKG.Event, SEM.Event),
        (SKG.Place, SEM.Place),
        (SKG.Topic, SKOS.Concept),
        (SKG.Stance, SKOS.Concept),
        (SKG.ReportedStatement, PROV.Entity),
        (SKG.AuthorClaim, PROV.Entity),
        (SKG.EvidenceSpan, OA.SpecificResource),
        (SKG.SourceDocument, PROV.Entity),
    }
    assert {pair for pair in expected if (pair[0], RDFS.subClassOf, pair[1]) in g} == expected
    assert (SKG.issuedBy, RDFS.subPropertyOf, DCTERMS.creator) in g
    assert (SKG.hasParticipant, RDFS.subPropertyOf, SEM.hasActor) in g
    assert (SKG.hasTopic, RDFS.subPropertyOf, DCTERMS.subject) in g
    assert (SKG.happenedBefore, OWL.inverseOf, SKG.happenedAfter) in g


# --------------------------------------------------------------------------- OWL RL reasoning


def rl_closure(g: Graph) -> Graph:
    import owlrl

    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(g)
    return g


def rl_errors(g: Graph) -> list[str]:
    from owlrl.Namespaces import ERRNS

    return sorted(str(m) for m in g.objects(None, ERRNS.error))


@pytest.fixture(scope="module")
def closure() -> Graph:
    return rl_closure(ontology_and_data())


def test_owl_rl_closure_is_consistent(closure: Graph) -> None:
    assert rl_errors(closure) == []
    assert list(closure.subjects(RDF.type, OWL.Nothing)) == []


def test_owl_rl_closure_derives_sense(closure: Graph) -> None:
    # subclass reasoning works ...
    assert (SKGID["quad-summit-tokyo"], RDF.type, SEM.Event) in closure
    assert (SKGID["united-states"], RDF.type, PROV.Agent) in closure
    assert (SKGID["quad-summit-tokyo"], SEM.hasActor, SKGID["japan"]) in closure
    # ... and derives no nonsense: nothing is both an agent-like actor and an entity, and no
    # event, actor or place becomes a claim or a document
    for actor in closure.subjects(RDF.type, SKG.Actor):
        assert (actor, RDF.type, PROV.Entity) not in closure, actor
    for cls in (SKG.Event, SKG.Actor, SKG.Place):
        for node in closure.subjects(RDF.type, cls):
            for other in (SKG.AuthorClaim, SKG.ReportedStatement, SKG.PolicyDocument):
                assert (node, RDF.type, other) not in closure


def test_happened_before_and_after_are_inverses() -> None:
    g = Graph()
    g += ontology()
    g.add((SKGID["fx-first"], SKG.happenedBefore, SKGID["fx-second"]))
    g.add((SKGID["fx-third"], SKG.happenedAfter, SKGID["fx-second"]))
    rl_closure(g)
    assert (SKGID["fx-second"], SKG.happenedAfter, SKGID["fx-first"]) in g
    assert (SKGID["fx-second"], SKG.happenedBefore, SKGID["fx-third"]) in g
    assert (SKGID["fx-first"], RDF.type, SKG.Event) in g  # the domain


def test_disjointness_catches_a_claim_modelled_as_an_event() -> None:
    g = ontology_and_data()
    g.add((SKGID["claim-us-obsessed-with-hegemony"], RDF.type, SKG.Summit))
    errors = rl_errors(rl_closure(g))
    assert any("claim-us-obsessed-with-hegemony" in e for e in errors), errors


def test_disjointness_catches_an_actor_used_as_a_stance() -> None:
    """The wrongly typed link of test_shapes, seen by the reasoner: the range of skg:hasStance
    makes the actor a skg:Stance, and Actor and Stance are disjoint."""
    g = ontology_and_data()
    g.add((SKGID["claim-us-obsessed-with-hegemony"], SKG.hasStance, SKGID["japan"]))
    errors = rl_errors(rl_closure(g))
    assert any("japan" in e for e in errors), errors


def test_sentence_is_a_specific_resource_but_not_an_evidence_span(closure: Graph) -> None:
    g = ontology()
    assert (SKG.Sentence, RDFS.subClassOf, OA.SpecificResource) in g
    sentences = set(closure.subjects(RDF.type, SKG.Sentence))
    assert len(sentences) == 19
    for node in sentences:
        assert (node, RDF.type, OA.SpecificResource) in closure
        assert (node, RDF.type, SKG.EvidenceSpan) not in closure  # not one by any entailment


def test_disjointness_catches_a_sentence_used_as_evidence() -> None:
    """skg:hasEvidence has the range skg:EvidenceSpan, disjoint with skg:Sentence: evidence
    must be a span with the supporting words, not a whole sentence node."""
    g = ontology_and_data()
    g.add((SKGID["japan"], SKG.hasEvidence, SKGID["sentence-06"]))
    errors = rl_errors(rl_closure(g))
    assert any("sentence-06" in e for e in errors), errors


def test_disjointness_catches_an_agent_used_as_a_document() -> None:
    g = ontology_and_data()
    # issuedBy's domain makes the actor a PolicyDocument: Actor and PolicyDocument are disjoint
    g.add((SKGID["united-states"], SKG.issuedBy, SKGID["united-nations"]))
    errors = rl_errors(rl_closure(g))
    assert any("united-states" in e for e in errors), errors


# --------------------------------------------------------------------------- the source


def test_seed_sha256_matches_the_source_node() -> None:
    seed = seeds_dir() / SEED
    digest = hashlib.sha256(seed.read_bytes()).hexdigest()
    assert str(data().value(ARTICLE, SKG.sha256)) == digest


def test_source_node_metadata_and_nothing_invented() -> None:
    g = data()
    assert (ARTICLE, RDF.type, SKG.SourceDocument) in g
    assert (ARTICLE, RDF.type, SCHEMA.OpinionNewsArticle) in g
    authors = set(g.objects(ARTICLE, DCTERMS.creator))
    assert {str(g.value(a, RDFS.label)) for a in authors} == {"Yu Shuizhou", "Feng Songjiang"}
    assert str(g.value(g.value(ARTICLE, DCTERMS.publisher), RDFS.label)) == "China Military Online"
    assert g.value(ARTICLE, SCHEMA.url) == URIRef(
        "http://eng.chinamil.com.cn/OPINIONS_209196/Opinions_209197/16233477.html"
    )
    # the stored copy has no title and no date
    for p in (DCTERMS.title, DCTERMS.issued, DCTERMS.date, DCTERMS.created, SCHEMA.datePublished):
        assert g.value(ARTICLE, p) is None, p


# --------------------------------------------------------------------------- modelling rules


def test_every_node_has_an_english_label() -> None:
    g = data()
    unlabelled = []
    for s in set(g.subjects()):
        if isinstance(s, BNode):
            continue  # selectors
        if (s, RDF.type, RDF.Statement) in g:
            continue  # a reification is named by its triple (test_support.py)
        labels = [lbl for lbl in g.objects(s, RDFS.label) if isinstance(lbl, Literal)]
        if not any(lbl.language == "en" for lbl in labels):
            unlabelled.append(s)
    assert unlabelled == []


def test_iris_are_readable() -> None:
    g = data()
    for s in set(g.subjects()):
        if (s, RDF.type, RDF.Statement) in g:
            continue  # named by the hash of its triple (test_support.py)
        if isinstance(s, URIRef) and s.startswith(str(SKGID)):
            local = s[len(str(SKGID)) :]
            assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)+|[a-z]+", local), s
            assert re.search(r"[a-z]{3}", local), f"{s}: a name, not a counter"


def test_dates_only_as_precise_as_the_text() -> None:
    g = Graph()  # the article's data, without the public record's dates
    for path in sorted(data_dir().glob("*.ttl")):
        if path.stem != "public-record":
            g.parse(path)
    dated = {
        (s, str(o), o.datatype)
        for p in (SEM.hasTimeStamp, DCTERMS.issued)
        for s, o in g.subject_objects(p)
    }
    assert dated == {
        (SKGID["release-us-space-priorities-framework"], "2021", XSD.gYear),
        (SKGID["us-space-priorities-framework"], "2021", XSD.gYear),
        (SKGID["five-eyes-tactical-course-2022-06"], "2022-06", XSD.gYearMonth),
    }
    # "recently released": no date, the words as given and the relative order
    release = SKGID["release-strategic-framework-for-space-diplomacy"]
    assert g.value(release, SEM.hasTimeStamp) is None
    assert g.value(release, SKG.timeAsGiven) == Literal("recently", lang="en")
    assert (SKGID["quad-summit-tokyo"], SKG.happenedBefore, release) in g


def test_the_summit_is_where_the_article_puts_it() -> None:
    g = data()
    assert g.value(SKGID["quad-summit-tokyo"], SEM.hasPlace) == SKGID["tokyo"]


def test_claims_are_attributed_to_both_authors_with_one_stance() -> None:
    g = data()
    authors = set(g.objects(ARTICLE, DCTERMS.creator))
    claims = list(g.subjects(RDF.type, SKG.AuthorClaim))
    assert len(claims) >= 8
    stances = set(g.subjects(SKOS.inScheme, SKGID["stances"]))
    for c in claims:
        assert set(g.objects(c, PROV.wasAttributedTo)) == authors, c
        assert len(list(g.objects(c, SKG.hasStance))) == 1, c
        assert g.value(c, SKG.hasStance) in stances, c
        assert list(g.objects(c, SKG.hasTarget)), c
        assert list(g.objects(c, SKG.hasTopic)), c


def test_statements_carry_the_exact_words_of_the_article() -> None:
    g = data()
    seed = (seeds_dir() / SEED).read_text(encoding="ascii")
    statements = list(g.subjects(RDF.type, SKG.ReportedStatement))
    assert len(statements) >= 5
    for s in statements:
        speaker = g.value(s, PROV.wasAttributedTo)
        assert (speaker, RDF.type, FOAF.Person) not in g, "the authors are not reported speakers"
        quoted = str(g.value(s, SKG.quotedText))
        assert quoted in seed, s


def test_an_intention_is_not_participation() -> None:
    """Germany and the ROK are only intended participants of US Space Command's training."""
    g = data()
    for country in (SKGID["germany"], SKGID["south-korea"]):
        assert (None, SKG.hasIntendedParticipant, country) in g
        assert (None, SKG.hasParticipant, country) not in g
        assert (None, SEM.hasActor, country) not in g
    intention = SKGID["intention-space-command-expand-training"]
    assert g.value(intention, SKG.intendedBy) == SKGID["us-space-command"]


def test_departments_and_commands_are_part_of_their_state() -> None:
    g = data()
    for cls in (SKG.GovernmentDepartment, SKG.MilitaryCommand):
        for node in g.subjects(RDF.type, cls):
            assert g.value(node, ORG.subOrganizationOf) == SKGID["united-states"], node


def test_wikidata_links_are_the_verified_ones_only() -> None:
    verified = {
        "united-states": "Q30",
        "japan": "Q17",
        "india": "Q668",
        "australia": "Q408",
        "germany": "Q183",
        "south-korea": "Q884",
        "united-nations": "Q1065",
        "us-department-of-state": "Q789915",
        "us-department-of-commerce": "Q503577",
        "tokyo": "Q1490",
    }
    g = data()
    links = {
        (str(s)[len(str(SKGID)) :], str(o).rsplit("/", 1)[-1])
        for s, o in g.subject_objects(SKOS.exactMatch)
    }
    assert links == set(verified.items())


# --------------------------------------------------------------------------- fidelity review
# Regression tests for the review of the data against the article: nothing beyond what the
# words say.


def _evidence_text(g: Graph, node: URIRef) -> str:
    exacts = [
        str(o)
        for span in g.objects(node, SKG.hasEvidence)
        for sel in g.objects(span, OA.hasSelector)
        for o in g.objects(sel, OA.exact)
    ]
    return "\n".join(exacts)


def test_the_us_drew_countries_into_the_exercises_without_leading_them(closure: Graph) -> None:
    """ "has also drawn Japan, India, Australia and other countries to participate in exercises
    such as Space Thunder and Black Skies": the US neither led nor took part."""
    g = data()
    us = SKGID["united-states"]
    for exercise in (SKGID["exercise-space-thunder"], SKGID["exercise-black-skies"]):
        assert (exercise, SKG.ledBy, None) not in g, exercise
        assert list(g.objects(exercise, SKG.participationSoughtBy)) == [us]
        assert (exercise, SKG.hasParticipant, us) not in g
        assert (exercise, SEM.hasActor, us) not in closure, "participationSoughtBy is no actor role"
        participants = set(g.objects(exercise, SKG.hasParticipant))
        assert {SKGID["japan"], SKGID["india"], SKGID["australia"]} <= participants
    o = ontology()
    assert (SKG.participationSoughtBy, RDFS.domain, SKG.Event) in o
    assert (SKG.participationSoughtBy, RDFS.range, SKG.Actor) in o
    assert list(o.objects(SKG.participationSoughtBy, RDFS.subPropertyOf)) == []
    definition = str(o.value(SKG.participationSoughtBy, SKOS.definition))
    assert "neither" in definition and "led" in definition and "took part" in definition
    assert "drawn" not in str(o.value(SKG.ledBy, SKOS.definition))


def test_benefiting_from_an_agreement_is_not_being_a_party() -> None:
    g = data()
    us = SKGID["united-states"]
    agreement = SKGID["indo-pacific-space-supply-chain-agreement"]
    negotiation = SKGID["indo-pacific-supply-chain-negotiation"]
    assert (agreement, SKG.hasParty, us) not in g
    assert (negotiation, SKG.hasParticipant, us) not in g
    assert list(g.objects(negotiation, SEM.hasActor)) == []
    statement = SKGID["stmt-commerce-milestone-progress"]
    assert (statement, SKG.concernsEvent, negotiation) in g


def test_the_training_intention_is_not_about_the_finished_course() -> None:
    g = data()
    intention = SKGID["intention-space-command-expand-training"]
    assert (intention, SKG.concernsEvent, SKGID["five-eyes-tactical-course-2022-06"]) not in g


@pytest.mark.parametrize(
    ("node", "words"),
    [
        ("quad", "the US-led QUAD summit was held in Tokyo"),
        ("quad", "the US, Japan, India and Australia announced plans for aerospace cooperation"),
        ("us-space-priorities-framework", "The United States Space Priorities Framework"),
        ("stmt-tokyo-summit-proposal", "The Tokyo summit proposed"),
        ("stmt-tokyo-summit-proposal", "the US-led QUAD summit"),
    ],
)
def test_lead_decisions_rest_on_spans_holding_their_words(node: str, words: str) -> None:
    """The Quad's members, the Space Priorities Framework's issuer and the Tokyo proposal's
    speaker are readings of the text: each node's evidence holds the words they rest on."""
    assert words in _evidence_text(data(), SKGID[node])


def test_accord_definition_and_topic_hierarchy_stay_within_the_text() -> None:
    assert "binding" not in str(ontology().value(SKG.Accord, SKOS.definition))
    g = data()
    for topic in ("topic-space-intelligence-sharing", "topic-space-control"):
        assert list(g.objects(SKGID[topic], SKOS.broader)) == [], topic
        assert (SKGID[topic], SKOS.topConceptOf, SKGID["topics"]) in g
        assert (SKGID[topic], SKOS.inScheme, SKGID["topics"]) in g


@pytest.mark.parametrize(
    ("claim", "clauses"),
    [
        (
            "claim-us-ssa-foundation-of-space-control",
            ["all space activities", "an indispensable combat force", "attaches great importance"],
        ),
        (
            "claim-us-dominates-space-rule-making",
            [
                "ensure that other countries conduct space activities in accordance with its "
                "standards and rules"
            ],
        ),
        (
            "claim-us-runs-counter-to-win-win",
            ["does not accord with the interests of most countries in the world"],
        ),
        ("claim-small-cliques-serve-hegemony", ["for selfish interests"]),
        (
            "claim-cooperation-aims-at-wooing-allies",
            ["strategic competitors", "by exploiting diplomatic means"],
        ),
        ("claim-us-plot-space-hegemony", ["small-multilateral space diplomatic mechanism"]),
    ],
)
def test_claim_labels_leave_out_no_clause(claim: str, clauses: list[str]) -> None:
    g = data()
    label = g.value(SKGID[claim], RDFS.label)
    assert isinstance(label, Literal) and label.language == "en"
    evidence = _evidence_text(g, SKGID[claim])
    for clause in clauses:
        assert clause in str(label), (claim, clause)
        assert clause in evidence, (claim, clause)  # and the words are the article's
