"""A second article, curated end to end with spacekg's own commands, validates clean.

``tests/fixtures/second-article/`` holds an invented report of ten sentences (byline included)
written to exercise what the first article never needed: a body of the United Nations (COPUOS),
a command under a department, a named official as speaker, a resolution adopted by a vote with its
counts, a joint statement of a space agency and a company, a treaty negotiated then signed, a
statement answering a statement, a claim about a statement, and time given in words ("Two days
later", "Soon after the vote", "the next day"). The test repeats the curation in a copy of the
bundle: ``source add`` writes the committed source node, ``excerpt`` prints every committed span,
``validate`` finds no violation, and ``check`` passes with the new source in the graph.

``support-orbital-affairs-lunar-vote.ttl`` reifies every content triple (RDF 1.1 reification with
the supporting spans, stated or read with a reason), as ``data/support.ttl`` does for the first
article; ``check`` finds no unreified triple, and a test here checks the file triple by triple.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

from spacekg.cli import main
from spacekg.evidence import load_seeds, uncovered_sentences, verify_spans
from spacekg.namespaces import ID_NS, ONTOLOGY_NS
from spacekg.project import bundle_root

FIXTURES = Path(__file__).parent / "fixtures" / "second-article"
TEXT = FIXTURES / "orbital-affairs-lunar-vote.txt"
CONTENT = FIXTURES / "orbital-affairs-lunar-vote.ttl"
SOURCE = FIXTURES / "source-orbital-affairs-lunar-vote.ttl"
SUPPORT = FIXTURES / "support-orbital-affairs-lunar-vote.ttl"
URL = "https://example.org/orbital-affairs/lunar-traffic-vote"

SKG = Namespace(ONTOLOGY_NS)
SKGID = Namespace(ID_NS)
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")

pytestmark = pytest.mark.slow


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundle with the second article curated into it, as a curator would."""
    dest = tmp_path_factory.mktemp("kg")
    src = bundle_root()
    for name in ("ontology", "data", "seeds", "queries"):
        shutil.copytree(src / name, dest / name)
    code, _, err = run(
        "source", "add", str(TEXT), "--url", URL, "--author", "Mara Quill",
        "--publisher", "Orbital Affairs Review", "--root", str(dest),
    )  # fmt: skip
    assert code == 0, err
    shutil.copy(CONTENT, dest / "data" / CONTENT.name)
    shutil.copy(SUPPORT, dest / "data" / SUPPORT.name)
    return dest


def content() -> Graph:
    return Graph().parse(CONTENT, format="turtle")


def test_source_add_writes_the_committed_source_node(root: Path) -> None:
    written = root / "data" / SOURCE.name
    assert written.read_text(encoding="utf-8") == SOURCE.read_text(encoding="utf-8")
    assert (root / "seeds" / TEXT.name).read_bytes() == TEXT.read_bytes()


def test_every_span_is_what_excerpt_prints(root: Path) -> None:
    text = CONTENT.read_text(encoding="utf-8")
    g = content()
    spans = sorted(g.subjects(OA.hasSource, SKGID["source-orbital-affairs-lunar-vote"]))
    assert len(spans) == 13
    for span in spans:
        (exact,) = [
            str(o) for sel in g.objects(span, OA.hasSelector) for o in g.objects(sel, OA.exact)
        ]
        code, out, err = run("excerpt", TEXT.name, exact, "--root", str(root))
        assert code == 0, err
        body = out.split("\n\n", 1)[1]
        assert body in text, body
        assert f"skgid:{span[len(ID_NS) :]} a" in body


def test_spans_match_and_every_sentence_is_covered(root: Path) -> None:
    g = content()
    g.parse(SOURCE, format="turtle")
    seeds = [s for s in load_seeds(root / "seeds") if s.path.name == TEXT.name]
    assert len(seeds) == 1
    assert verify_spans(g, seeds) == []
    assert uncovered_sentences(g, seeds[0]) == []


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_the_curated_article_validates_without_violation(root: Path, engine: str) -> None:
    files = [str(root / "data" / CONTENT.name), str(root / "data" / SOURCE.name)]
    code, out, err = run("validate", *files, "--root", str(root), "--engine", engine)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[-1].startswith("conforms, with 2 warnings in 2 files"), out
    # the only warnings: the two invented states have no Wikidata identifier
    warnings = sorted(line.split(": ", 2)[2] for line in lines[:-1])
    assert warnings == [
        "skgid:norland: skos:exactMatch: A state should have one verified Wikidata identifier "
        "(skos:exactMatch).",
        "skgid:republic-of-sud: skos:exactMatch: A state should have one verified Wikidata "
        "identifier (skos:exactMatch).",
    ]


def test_the_quality_gate_passes_with_the_second_article(root: Path, tmp_path: Path) -> None:
    env = dict(os.environ, SPACEKG_HOME=str(root), SPACEKG_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "spacekg", "check"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "every sentence covered (29 sentences)" in proc.stdout
    assert "OWL RL closure consistent" in proc.stdout


# Each case the shapes refused before the second-article model, as the fixture models it.
def test_copuos_is_a_body_of_the_united_nations() -> None:
    g = content()
    assert (SKGID.copuos, RDF.type, SKG.IntergovernmentalBody) in g
    assert (SKGID.copuos, ORG.unitOf, SKGID["united-nations"]) in g
    session = SKGID["copuos-session-sixty-eighth"]
    assert (session, SKG.sessionOf, SKGID.copuos) in g


def test_us_space_command_is_under_the_department_of_defense() -> None:
    g = content()
    dod = SKGID["us-department-of-defense"]
    assert (SKGID["us-space-command"], ORG.subOrganizationOf, dod) in g
    assert (dod, ORG.subOrganizationOf, SKGID["united-states"]) in g


def test_a_named_official_speaks() -> None:
    g = content()
    varga = SKGID["ilse-varga"]
    assert (varga, RDF.type, SKG.Person) in g
    stmt = SKGID["stmt-varga-resolution-ignores-smaller-states"]
    assert (stmt, PROV.wasAttributedTo, varga) in g
    o = Graph().parse(bundle_root() / "ontology" / "spacekg.ttl")
    assert {SKG.Actor, FOAF.Person, PROV.Person} <= set(o.objects(SKG.Person, RDFS.subClassOf))


def test_the_treaty_is_negotiated_then_signed() -> None:
    g = content()
    treaty = SKGID["treaty-norland-sud-space-debris"]
    events = {
        e: g.value(e, SKG.resultingStatus)
        for e in g.subjects(SKG.concernsDocument, treaty)
        if (e, SKG.resultingStatus, None) in g
    }
    negotiation = SKGID["negotiation-treaty-norland-sud-space-debris"]
    signing = SKGID["signing-treaty-norland-sud-space-debris"]
    assert events == {
        negotiation: SKGID["status-under-negotiation"],
        signing: SKGID["status-signed"],
    }
    assert (negotiation, SKG.happenedBefore, signing) in g
    assert g.value(treaty, SKG.hasStatus) == SKGID["status-signed"]


def test_a_statement_about_a_statement_and_a_claim_about_it() -> None:
    g = content()
    reply = SKGID["stmt-norland-ministry-needs-no-endorsement"]
    assert (reply, SKG.concernsStatement, SKGID["stmt-space-command-welcomes-treaty"]) in g
    claim = SKGID["claim-reply-is-bid-for-leverage"]
    assert (claim, SKG.hasTarget, reply) in g
    assert (claim, PROV.wasAttributedTo, SKGID["mara-quill"]) in g


def test_the_vote_and_the_words_for_time() -> None:
    g = content()
    vote = SKGID["vote-resolution-lunar-traffic-coordination"]
    assert g.value(vote, SKG.hasVoteResult) == SKGID["vote-result-adopted"]
    counts = [
        int(g.value(vote, p)) for p in (SKG.numberInFavour, SKG.numberAgainst, SKG.numberAbstaining)
    ]
    assert counts == [45, 3, 8]
    assert (vote, SEM.subEventOf, SKGID["copuos-session-sixty-eighth"]) in g
    text = TEXT.read_text(encoding="utf-8")
    words = {str(o) for o in g.objects(None, SKG.timeAsGiven)}
    assert words == {"Two days later", "Soon after the vote", "for two years", "the next day"}
    assert all(w in text for w in words)


# What is not article content (as the evidence model counts it): types, labels, SKOS scheme links,
# identifiers, node-level mentions; and the triples of spans, the source, its authors, publisher.
NOT_CONTENT_PREDICATES = {
    RDF.type, RDFS.label, RDFS.comment, SKOS.prefLabel, SKOS.altLabel, SKOS.definition,
    SKOS.exactMatch, SKOS.inScheme, SKOS.topConceptOf, SKOS.hasTopConcept, SKOS.broader,
    OWL.sameAs, SKG.hasEvidence,
}  # fmt: skip
NOT_CONTENT_CLASSES = {
    SKG.EvidenceSpan, OA.SpecificResource, SKG.SourceDocument, FOAF.Person, FOAF.Organization,
    SKOS.ConceptScheme, SKG.Topic, SKG.Stance, SKG.DocumentStatus,
}  # fmt: skip


def content_triples() -> set[tuple]:
    g = content()
    g.parse(SOURCE, format="turtle")
    out = set()
    for s, p, o in g:
        if not (isinstance(s, URIRef) and s.startswith(ID_NS)) or p in NOT_CONTENT_PREDICATES:
            continue
        if any((s, RDF.type, c) in g for c in NOT_CONTENT_CLASSES):
            continue
        out.add((s, p, o))
    return out


def test_every_content_triple_is_reified_once_with_its_spans() -> None:
    support = Graph().parse(SUPPORT, format="turtle")
    spans = set(content().subjects(OA.hasSource, SKGID["source-orbital-affairs-lunar-vote"]))
    reified = {}
    for st in support.subjects(RDF.type, RDF.Statement):
        s, p, o = (support.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        digest = hashlib.sha256(f"{s.n3()} {p.n3()} {o.n3()}".encode()).hexdigest()[:12]
        assert st == SKGID[f"st-{digest}"], st
        assert (s, p, o) not in reified, st
        reified[(s, p, o)] = st
        derived = set(support.objects(st, PROV.wasDerivedFrom))
        assert derived and derived <= spans, st
        kind = support.value(st, SKG.support)
        reason = support.value(st, SKG.readingReason)
        assert kind in (SKG.Stated, SKG.Read), st
        assert (reason is not None) == (kind == SKG.Read), st
    triples = content_triples()
    assert len(triples) == 72
    assert set(reified) == triples  # every content triple, and no reification of anything else
