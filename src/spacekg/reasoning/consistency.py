"""OWL 2 RL inconsistencies, found by SPARQL over the closure (asserted + inferred triples).

These are the OWL 2 RL/RDF rules whose head is ``false`` (W3C OWL 2 Profiles, section 4.3):
each check below is one rule, run by pyoxigraph over the graph plus its filtered entailments
(:func:`spacekg.reasoning.infer` keeps every triple these patterns need: typing with non-W3C
classes and owl:Nothing, property assertions, ``owl:sameAs``/``owl:differentFrom`` between
different terms; the schema triples are asserted). owlrl reports the same rules; reasonable
reports none, which is why spacekg checks them itself. ``eq-diff1`` with one term on both
sides (``x owl:differentFrom x``) is checked directly, since the filter drops ``x owl:sameAs x``.
"""

from __future__ import annotations

from dataclasses import dataclass

_PREFIXES = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@dataclass(frozen=True)
class Rule:
    """One OWL 2 RL rule that detects an inconsistency: its name, SPARQL and message."""

    name: str
    sparql: str
    message: str  # str.format over the query's variables (N-Triples forms)


RULES: tuple[Rule, ...] = (
    Rule(
        "cls-nothing2",
        "SELECT ?x WHERE { ?x a owl:Nothing }",
        "{x} is an instance of owl:Nothing",
    ),
    Rule(
        "cax-dw",
        "SELECT DISTINCT ?x ?a ?b WHERE { ?a owl:disjointWith ?b . ?x a ?a , ?b }",
        "{x} is an instance of the disjoint classes {a} and {b}",
    ),
    Rule(
        "cax-adc",
        """SELECT DISTINCT ?x ?a ?b WHERE {
          ?all a owl:AllDisjointClasses ; owl:members ?list .
          ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b .
          FILTER (STR(?a) < STR(?b)) ?x a ?a , ?b }""",
        "{x} is an instance of the disjoint classes {a} and {b} (owl:AllDisjointClasses)",
    ),
    Rule(
        "cls-com",
        "SELECT DISTINCT ?x ?a ?b WHERE { ?a owl:complementOf ?b . ?x a ?a , ?b }",
        "{x} is an instance of {a} and of its complement {b}",
    ),
    Rule(
        "prp-irp",
        "SELECT DISTINCT ?x ?p WHERE { ?p a owl:IrreflexiveProperty . ?x ?p ?x }",
        "{x} is related to itself by the irreflexive property {p}",
    ),
    Rule(
        "prp-asyp",
        """SELECT DISTINCT ?x ?y ?p WHERE { ?p a owl:AsymmetricProperty .
          ?x ?p ?y . ?y ?p ?x FILTER (STR(?x) <= STR(?y)) }""",
        "{x} and {y} are related both ways by the asymmetric property {p}",
    ),
    Rule(
        "prp-pdw",
        """SELECT DISTINCT ?x ?y ?p ?q WHERE { ?p owl:propertyDisjointWith ?q .
          ?x ?p ?y . ?x ?q ?y }""",
        "{x} is related to {y} by the disjoint properties {p} and {q}",
    ),
    Rule(
        "prp-adp",
        """SELECT DISTINCT ?x ?y ?p ?q WHERE {
          ?all a owl:AllDisjointProperties ; owl:members ?list .
          ?list rdf:rest*/rdf:first ?p . ?list rdf:rest*/rdf:first ?q .
          FILTER (STR(?p) < STR(?q)) ?x ?p ?y . ?x ?q ?y }""",
        "{x} is related to {y} by the disjoint properties {p} and {q} (owl:AllDisjointProperties)",
    ),
    Rule(
        "prp-npa1",
        """SELECT DISTINCT ?x ?p ?y WHERE { ?n owl:sourceIndividual ?x ;
          owl:assertionProperty ?p ; owl:targetIndividual ?y . ?x ?p ?y }""",
        "{x} {p} {y} contradicts a negative property assertion",
    ),
    Rule(
        "prp-npa2",
        """SELECT DISTINCT ?x ?p ?y WHERE { ?n owl:sourceIndividual ?x ;
          owl:assertionProperty ?p ; owl:targetValue ?y . ?x ?p ?y }""",
        "{x} {p} {y} contradicts a negative property assertion",
    ),
    Rule(
        "eq-diff1",
        """SELECT DISTINCT ?x ?y WHERE {
          { ?x owl:sameAs ?y . ?x owl:differentFrom ?y FILTER (STR(?x) < STR(?y)) }
          UNION { ?x owl:differentFrom ?x BIND (?x AS ?y) } }""",
        "{x} and {y} are both the same and different",
    ),
    Rule(
        "eq-diff2",
        """SELECT DISTINCT ?x ?y WHERE { ?all a owl:AllDifferent ;
          owl:members|owl:distinctMembers ?list .
          ?list rdf:rest*/rdf:first ?x . ?list rdf:rest*/rdf:first ?y .
          FILTER (?x != ?y) ?x owl:sameAs ?y FILTER (STR(?x) < STR(?y)) }""",
        "{x} and {y} are both the same and different (owl:AllDifferent)",
    ),
    Rule(
        "cls-maxc1",
        """SELECT DISTINCT ?u ?p WHERE { ?c owl:maxCardinality ?n ; owl:onProperty ?p .
          FILTER (STR(?n) = "0") ?u a ?c ; ?p ?y }""",
        "{u} has a value for {p}, which its class allows none of",
    ),
    Rule(
        "cls-maxqc1",
        """SELECT DISTINCT ?u ?p WHERE { ?c owl:maxQualifiedCardinality ?n ;
          owl:onProperty ?p ; owl:onClass ?k . FILTER (STR(?n) = "0")
          ?u a ?c ; ?p ?y . { ?y a ?k } UNION { FILTER (?k = owl:Thing) } }""",
        "{u} has a value for {p}, which its class allows none of",
    ),
)


def check(ntriples: bytes) -> list[str]:
    """One message per inconsistency in the graph given as N-Triples (closure included),
    each prefixed by its rule's name, in a stable order."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES)
    return check_store(store)


def check_store(store: object) -> list[str]:
    """:func:`check` over a pyoxigraph store already holding the closure (any graphs)."""
    messages: list[str] = []
    for rule in RULES:
        solutions = store.query(  # type: ignore[attr-defined]
            _PREFIXES + rule.sparql, use_default_graph_as_union=True
        )
        names = [v.value for v in solutions.variables]
        found = sorted(
            {
                rule.message.format(**{n: str(sol[n]) for n in names if sol[n] is not None})
                for sol in solutions
            }
        )
        messages.extend(f"{rule.name}: {m}" for m in found)
    return messages
