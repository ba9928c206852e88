"""Every namespace spacekg knows, and the one prefix table (REFERENCE.md's vocabularies).

The kernel's lowest layer: constants only, no imports. :data:`PREFIXES` is what every graph
spacekg writes binds, what stored-query parameters may use, and what tables and messages print;
:data:`TERM_PREFIXES` leaves out ``skgg`` (graph IRIs are shown whole).
"""

from __future__ import annotations

ONTOLOGY_NS = "https://w3id.org/spacekg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/spacekg/ontology"
ID_NS = "https://w3id.org/spacekg/id/"
SHAPES_NS = "https://w3id.org/spacekg/shapes#"
GRAPH_NS = "https://w3id.org/spacekg/graph/"
INFERRED_GRAPH = GRAPH_NS + "inferred"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"
RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"

#: prefix -> namespace, in the order graphs are written
PREFIXES: dict[str, str] = {
    "skg": ONTOLOGY_NS,
    "skgid": ID_NS,
    "skgsh": SHAPES_NS,
    "skgg": GRAPH_NS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "oa": OA,
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "sh": SH,
    "wd": "http://www.wikidata.org/entity/",
    "dc": "http://purl.org/dc/elements/1.1/",
}

#: the prefixes for terms (not graphs)
TERM_PREFIXES: dict[str, str] = {k: v for k, v in PREFIXES.items() if k != "skgg"}

#: the vocabularies spacekg reuses and its own term namespaces (not its instance data)
REUSED_NAMESPACES = frozenset(v for k, v in TERM_PREFIXES.items() if k != "skgid")


def sparql_prologue(*names: str) -> str:
    """``PREFIX`` lines for ``names`` (all of :data:`TERM_PREFIXES` when none are given)."""
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in names or TERM_PREFIXES)


def turtle_prefixes(names: set[str] | list[str]) -> str:
    """``@prefix`` lines for ``names``, sorted, then a blank line."""
    return "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(names)) + "\n"
