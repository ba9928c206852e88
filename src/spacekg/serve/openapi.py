"""The OpenAPI 3 document of the stored-query API, built from the queries' ``#+`` headers.

Paths, parameter names and defaults follow grlc: one operation per query file at ``/{name}``,
each grlc parameter (``?_actor_iri`` -> ``actor``) a query parameter, required unless it starts
with ``__`` or has a default.
"""

from __future__ import annotations

import re
from typing import Any

from spacekg.query.catalogue import Parameter, StoredQuery
from spacekg.serve.formats import MEDIA

_SELECT_MEDIA = ("json", "xml", "csv", "tsv")
_GRAPH_MEDIA = ("turtle", "ntriples", "jsonld")


def _schema(p: Parameter) -> dict[str, Any]:
    if p.kind == "integer":
        schema: dict[str, Any] = {"type": "integer"}
    elif p.kind == "number":
        schema = {"type": "number"}
    else:
        schema = {"type": "string"}
        fmt = {"iri": "iri", "typed": p.datatype, "lang": f"literal@{p.lang}"}.get(p.kind)
        if fmt:
            schema["format"] = fmt
    if p.default is not None:
        default: Any = p.default
        if p.kind == "integer" and re.fullmatch(r"[+-]?\d+", p.default.strip()):
            default = int(p.default)
        elif p.kind == "number":
            try:
                default = float(p.default)
            except ValueError:
                default = p.default
        schema["default"] = default
    return schema


def _parameter(p: Parameter) -> dict[str, Any]:
    return {
        "name": p.name,
        "in": "query",
        "required": p.needed,
        "description": f"{p.describe()}; replaces ?{p.variable} in the query",
        "schema": _schema(p),
    }


def _operation_id(name: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", name)
    return parts[0] + "".join(x[:1].upper() + x[1:] for x in parts[1:])


def operation(q: StoredQuery) -> dict[str, Any]:
    graph = q.form in ("construct", "describe")
    media = _GRAPH_MEDIA if graph else _SELECT_MEDIA
    text = q.description or q.summary
    description = f"{text}\n\n```sparql\n{q.text.strip()}\n```" if text else q.text
    error = {"text/plain": {"schema": {"type": "string"}}}
    return {
        "operationId": _operation_id(q.name),
        "summary": q.summary or q.name,
        "description": description,
        "tags": list(q.tags),
        "parameters": [_parameter(p) for p in q.parameters],
        "responses": {
            "200": {
                "description": "The query's result in the negotiated W3C format",
                "content": {MEDIA[f]: {"schema": _result_schema(f)} for f in media},
            },
            "400": {"description": "A missing, unknown or malformed parameter", "content": error},
            "406": {"description": "No acceptable result format", "content": error},
            "503": {"description": "The query ran past the server's timeout", "content": error},
        },
    }


def _result_schema(fmt: str) -> dict[str, Any]:
    if fmt == "json":
        return {
            "type": "object",
            "properties": {
                "head": {"type": "object"},
                "results": {"type": "object"},
                "boolean": {"type": "boolean"},
            },
        }
    if fmt == "jsonld":
        return {"type": "array", "items": {"type": "object"}}
    return {"type": "string"}


def document(queries: list[StoredQuery], version: str, base: str = "/api") -> dict[str, Any]:
    """The OpenAPI 3.0 document listing every stored query."""
    tags = sorted({t for q in queries for t in q.tags})
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "spacekg stored queries",
            "version": version,
            "description": (
                "The stored SPARQL queries of spacekg (queries/*.rq), one operation each, with "
                "the parameters grlc derives from their headers. Results come in the W3C "
                "SPARQL 1.1 result formats (SELECT, ASK) or RDF (CONSTRUCT, DESCRIBE), chosen "
                "by the Accept header."
            ),
        },
        "servers": [{"url": base}],
        "tags": [{"name": t} for t in tags],
        "paths": {f"/{q.name}": {"get": operation(q)} for q in queries},
    }
