"""infer(): only inferred triples, only those a user cares about; inconsistencies found."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

from spacekg.dataset import load_union
from spacekg.errors import InputError
from spacekg.reasoning import W3C_VOCABS, inconsistencies, infer, keep, reason

SKG = Namespace("https://w3id.org/spacekg/ontology#")
ID = Namespace("https://w3id.org/spacekg/id/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")


@pytest.fixture
def asserted(cli_bundle: Path) -> Graph:
    return load_union()


@pytest.mark.parametrize("profile", ["rdfs", "owlrl"])
def test_inferred_triples_only_and_no_noise(asserted: Graph, profile: str) -> None:
    inferred = infer(asserted, profile)
    assert len(inferred) > 0
    for s, p, o in inferred:
        assert (s, p, o) not in asserted, "an asserted triple came back"
        assert not isinstance(s, Literal), "literal subject"
        assert not (p == OWL.sameAs and s == o), "x owl:sameAs x"
        assert not str(s).startswith(W3C_VOCABS), f"axiomatic noise about {s}"
        if p == RDF.type:
            assert not str(o).startswith(W3C_VOCABS) or o == OWL.Nothing, f"meta-typing {o}"
        if p in (RDFS.subClassOf, RDFS.subPropertyOf):
            assert s != o, "reflexive subclass/subproperty"


@pytest.mark.parametrize("profile", ["rdfs", "owlrl"])
def test_the_entailments_users_need_are_there(asserted: Graph, profile: str) -> None:
    inferred = infer(asserted, profile)
    assert (ID["japan"], RDF.type, PROV.Agent) in inferred  # State ⊑ Actor ⊑ prov:Agent
    assert (ID["quad-summit-tokyo"], SEM.hasActor, ID["japan"]) in inferred  # subproperty
    assert (ID["span-quad-tokyo"], RDF.type, SKG.EvidenceSpan) in inferred  # range
    assert (SKG.State, RDFS.subClassOf, PROV.Agent) in inferred  # transitive subclass


def test_owlrl_adds_inverses_rdfs_does_not(asserted: Graph) -> None:
    after = (ID["framework-release"], SKG.happenedAfter, ID["quad-summit-tokyo"])
    assert after in infer(asserted, "owlrl")
    assert after not in infer(asserted, "rdfs")


def test_input_graph_is_not_changed(asserted: Graph) -> None:
    before = set(asserted)
    infer(asserted, "owlrl")
    assert set(asserted) == before


def test_unknown_profile(asserted: Graph) -> None:
    with pytest.raises(InputError, match="unknown reasoning profile 'owl2'"):
        infer(asserted, "owl2")


@pytest.mark.parametrize(
    ("triple", "kept"),
    [
        ((Literal("x"), RDF.type, RDFS.Literal), False),
        ((ID.a, OWL.sameAs, ID.a), False),
        ((ID.a, OWL.sameAs, ID.b), True),
        ((ID.a, RDF.type, OWL.Thing), False),
        ((ID.a, RDF.type, RDFS.Resource), False),
        ((ID.a, RDF.type, OWL.Nothing), True),
        ((SKG.State, RDF.type, OWL.Class), False),
        ((SKG.State, RDFS.subClassOf, SKG.State), False),
        ((SKG.State, RDFS.subClassOf, OWL.Thing), False),
        ((OWL.Thing, RDFS.subClassOf, OWL.Thing), False),
        ((RDF.type, RDFS.domain, RDFS.Resource), False),
        ((ID.a, SKG.happenedAfter, ID.b), True),
        ((BNode("x"), RDF.type, SKG.Event), True),
        ((ID.a, RDFS.label, Literal("a")), False),
    ],
)
def test_filter(triple: tuple[object, object, object], kept: bool) -> None:
    assert keep(triple) is kept


def test_consistent_fixture(asserted: Graph) -> None:
    assert inconsistencies(asserted) == []


def test_disjoint_classes_sharing_an_instance_are_found(asserted: Graph) -> None:
    broken = Graph()
    for t in asserted:
        broken.add(t)
    broken.add((ID["japan"], RDF.type, SKG.City))  # Actor and Place are disjoint
    messages = inconsistencies(broken)
    assert messages and any("japan" in m for m in messages)


def test_an_instance_of_nothing_is_found(asserted: Graph) -> None:
    broken = Graph()
    for t in asserted:
        broken.add(t)
    broken.add((ID["ghost"], RDF.type, OWL.Nothing))
    assert any("ghost" in m for m in inconsistencies(broken))


def test_reason_reports_the_closure_size(asserted: Graph) -> None:
    result = reason(asserted, "owlrl")
    assert result.closure_size >= len(asserted) + len(result.inferred)
    assert result.errors == ()
    assert isinstance(next(iter(result.inferred))[0], URIRef | BNode)


@pytest.mark.parametrize("profile", ["rdfs", "owlrl"])
def test_a_plain_literal_does_not_entail_its_language_tagged_twin(profile: str) -> None:
    """owlrl's RDFS closure took "A" and "A"@en (both the str 'A') for one value."""
    foaf_name = URIRef("http://xmlns.com/foaf/0.1/name")
    g = Graph()
    g.add((ID["yu"], foaf_name, Literal("Yu Shuizhou")))
    g.add((ID["yu"], RDFS.label, Literal("Yu Shuizhou", lang="en")))
    g.add((ID["x"], SKG["flag"], Literal(True)))
    g.add((ID["y"], SKG["count"], Literal(1)))
    g.add((ID["z"], SKG["text"], Literal("A", lang="fr")))
    g.add((ID["z"], SKG["other"], Literal("A", lang="de")))
    inferred = set(infer(g, profile))
    assert (ID["yu"], foaf_name, Literal("Yu Shuizhou", lang="en")) not in inferred
    assert (ID["yu"], RDFS.label, Literal("Yu Shuizhou")) not in inferred
    assert not [t for t in inferred if isinstance(t[2], Literal)], inferred


def test_same_value() -> None:
    from rdflib import XSD

    from spacekg.reasoning import same_value

    assert same_value(Literal("A"), Literal("A"))
    assert not same_value(Literal("A"), Literal("A", lang="en"))
    assert not same_value(Literal("A", lang="en"), Literal("A", lang="fr"))
    assert not same_value(Literal(True), Literal(1))
    assert not same_value(Literal("1", datatype=XSD.integer), Literal("1", datatype=XSD.double))
    assert same_value(Literal("01", datatype=XSD.integer), Literal("1", datatype=XSD.integer))
    assert same_value(Literal("1", datatype=XSD.integer), Literal("1.0", datatype=XSD.decimal))


def test_rdfs_still_copies_equal_values_along_subproperties() -> None:
    g = Graph()
    g.add((SKG["sub"], RDFS.subPropertyOf, SKG["super"]))
    g.add((ID["a"], SKG["sub"], Literal("x", lang="en")))
    assert (ID["a"], SKG["super"], Literal("x", lang="en")) in set(infer(g, "rdfs"))
