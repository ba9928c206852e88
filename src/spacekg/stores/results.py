"""A SPARQL server's answer as a :class:`~spacekg.terms.QueryResult`: SPARQL 1.1 Query Results
JSON, or an RDF graph (N-Triples, Turtle, RDF/XML) for CONSTRUCT and DESCRIBE."""

from __future__ import annotations

import json

from spacekg.errors import StoreError
from spacekg.namespaces import RDF_LANGSTRING, XSD_STRING
from spacekg.terms import QueryResult, Term

#: what spacekg asks a server for, best first
ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "text/plain;q=0.5"
)


def _json_term(obj: dict[str, str]) -> Term:
    kind = obj.get("type", "") if isinstance(obj, dict) else ""
    if kind == "typed-literal":
        kind = "literal"
    if not isinstance(obj, dict) or not isinstance(obj.get("value"), str):
        raise StoreError(f"the server sent a binding without a value: {str(obj)[:80]}")
    if kind == "uri":
        return Term("uri", obj["value"])
    if kind == "bnode":
        return Term("bnode", obj["value"])
    if kind != "literal":
        raise StoreError(f"the server sent an RDF term of unknown type {kind!r}")
    lang = obj.get("xml:lang")
    datatype = obj.get("datatype")
    if lang or datatype in (XSD_STRING, RDF_LANGSTRING):
        datatype = None
    return Term("literal", obj["value"], datatype, lang)


def _json_results(doc: dict) -> QueryResult:  # type: ignore[type-arg]
    if "boolean" in doc:
        return QueryResult("ask", boolean=bool(doc["boolean"]))
    names = tuple(str(v) for v in doc["head"]["vars"])
    rows = tuple(
        tuple(_json_term(b[v]) if v in b else None for v in names)
        for b in doc["results"]["bindings"]
    )
    return QueryResult("select", variables=names, rows=rows)


def parse_results(ctype: str, data: bytes) -> QueryResult:
    """A server's answer (SPARQL JSON results, or an RDF graph) as a QueryResult."""
    media = ctype.split(";", 1)[0].strip().lower()
    if media in ("application/sparql-results+json", "application/json"):
        try:
            doc = json.loads(data)
        except ValueError:
            raise StoreError("the server's answer is not valid JSON") from None
        try:
            return _json_results(doc)
        except (KeyError, TypeError, AttributeError, ValueError) as err:  # a lying server
            raise StoreError(
                f"the server's answer is not SPARQL JSON results (missing or malformed {err})"
            ) from None
    import pyoxigraph as ox

    from spacekg.query.engine import ox_converter

    formats = {
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "text/plain": ox.RdfFormat.N_TRIPLES,
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
    }
    if media not in formats:
        raise StoreError(f"the server answered with {media or 'no content type'}, not results")
    convert = ox_converter()
    try:
        triples = tuple(
            (convert(q.subject), convert(q.predicate), convert(q.object))
            for q in ox.parse(data, formats[media])
        )
    except (SyntaxError, ValueError, MemoryError) as err:
        raise StoreError(f"the server's graph answer does not parse: {err}") from None
    return QueryResult("graph", triples=triples)  # type: ignore[arg-type]
