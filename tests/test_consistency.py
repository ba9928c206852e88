"""The OWL RL closure of ontology + data is consistent, and the kept inferences are clean.

Disjointness is checked explicitly by SPARQL over the closure (owl:disjointWith pairs and every
pair of owl:AllDisjointClasses members), besides owlrl's own inconsistency messages and
membership of owl:Nothing. A fixture made inconsistent on purpose proves the checks fire.
"""

from __future__ import annotations

import re
from pathlib import Path

import owlrl
import pytest
from rdflib import OWL, RDF, Graph, Literal, URIRef

from spacekg.project import graph_sources, ontology_path
from spacekg.reasoning import W3C_VOCABS, Inference, inconsistencies, infer, reason

FIXTURE = Path(__file__).parent / "fixtures" / "checks" / "consistency" / "disjoint.ttl"

DISJOINT = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?x ?a ?b WHERE {
  {
    ?a owl:disjointWith ?b .
  } UNION {
    ?all a owl:AllDisjointClasses ; owl:members ?list .
    ?list rdf:rest*/rdf:first ?a .
    ?list rdf:rest*/rdf:first ?b .
    FILTER (?a != ?b)
  }
  ?x a ?a , ?b .
}
"""


def load(*paths: Path) -> Graph:
    g = Graph()
    for path in paths:
        g.parse(path, format="turtle")
    return g


def closure(graph: Graph) -> Graph:
    full = Graph()
    for triple in graph:
        full.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(full)
    return full


@pytest.fixture(scope="module")
def bundled() -> Graph:
    return load(*(s.path for s in graph_sources()))


@pytest.fixture(scope="module")
def bundled_closure(bundled: Graph) -> Graph:
    return closure(bundled)


@pytest.fixture(scope="module")
def reasoned(bundled: Graph) -> Inference:
    return reason(bundled, "owlrl")


def test_the_ontology_declares_disjointness(bundled: Graph) -> None:
    pairs = list(bundled.query(DISJOINT.replace("?x a ?a , ?b .", "")))
    assert len(pairs) >= 20  # the check below is not vacuous


def test_no_disjointness_violated(bundled_closure: Graph) -> None:
    rows = [(str(x), str(a), str(b)) for x, a, b in bundled_closure.query(DISJOINT)]
    assert rows == []


def test_nobody_is_nothing(bundled_closure: Graph) -> None:
    assert list(bundled_closure.subjects(RDF.type, OWL.Nothing)) == []


def test_owlrl_reports_no_inconsistency(bundled: Graph, reasoned: Inference) -> None:
    assert inconsistencies(bundled, reasoned) == []


def test_the_closure_adds_what_the_queries_rely_on(reasoned: Inference) -> None:
    """Sanity: the closure really entails (states are agents, participants are actors)."""
    inferred = reasoned.inferred
    skgid = "https://w3id.org/spacekg/id/"
    assert (URIRef(skgid + "japan"), RDF.type, URIRef("http://www.w3.org/ns/prov#Agent")) in (
        inferred
    )
    assert (
        URIRef(skgid + "exercise-black-skies"),
        URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/hasActor"),
        URIRef(skgid + "japan"),
    ) in inferred


def test_kept_inferences_have_no_junk(
    bundled: Graph, bundled_closure: Graph, reasoned: Inference
) -> None:
    result = reasoned
    assert len(result.inferred) > 0
    assert result.closure_size > len(bundled)
    for s, p, o in result.inferred:
        assert not isinstance(s, Literal), (s, p, o)
        assert not (isinstance(s, URIRef) and str(s).startswith(W3C_VOCABS)), (s, p, o)
        assert not (p == OWL.sameAs and s == o), (s, p, o)
        assert (s, p, o) not in bundled  # inferred only
        assert isinstance(p, URIRef)
    # the raw closure does have such junk, so the filter is doing work
    assert any(p == OWL.sameAs and s == o for s, p, o in bundled_closure)
    assert infer(load(ontology_path()), "rdfs")  # the rdfs profile runs too


def test_inconsistent_fixture_is_caught() -> None:
    expected = set(re.findall(r"^# expect: <([^>]+)>", FIXTURE.read_text(), re.M))
    graph = load(ontology_path(), FIXTURE)
    rows = closure(graph).query(DISJOINT)
    assert {str(x) for x, _, _ in rows} == expected
    messages = inconsistencies(graph)
    assert messages, "owlrl must report the disjointness clash too"
    for node in expected:
        assert any(node in m for m in messages), (node, messages)
