"""The HTML pages: the catalogue, a stored query's form and results, the SPARQL box, the page
of a node (its facts and the article with their words lit) and the ontology."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from spacekg.errors import SpacekgError
from spacekg.namespaces import ID_NS as SKGID
from spacekg.namespaces import RDF
from spacekg.serve.diagram import diagram
from spacekg.serve.web import (
    api_message,
    call,
    entity_href,
    error_page,
    error_status,
    page,
    params,
    run,
    shorten,
    state,
)
from spacekg.terms import Term


async def home(request: Request) -> Response:
    try:
        queries = state(request).catalogue.all()
    except SpacekgError as err:
        return error_page(err)
    return page("catalogue.html", title="Stored queries", queries=queries, nav="catalogue")


async def query_page(request: Request) -> Response:
    try:
        q = state(request).catalogue.stored(request.path_params["name"])
        suggestions = await call(request, "values", q)
    except SpacekgError as err:
        return error_page(err)
    items = list(request.query_params.multi_items())
    given = dict(items)
    result = error = None
    ran = "run" in given or any(k in given for k in (p.name for p in q.parameters))
    status = 200
    if ran:
        try:
            result = await run(request, q, params(items, ("run",)))
        except SpacekgError as err:
            error, status = str(api_message(err)), error_status(err)
    downloads = []
    if result is not None:
        exts = ("ttl", "nt", "jsonld") if result.form == "graph" else ("json", "csv", "tsv")
        query_string = urlencode([(k, v) for k, v in items if k != "run" and v.strip()])
        for ext in exts:
            url = f"/api/{quote(q.name)}.{ext}" + (f"?{query_string}" if query_string else "")
            downloads.append((ext, url))
    return page(
        "query.html",
        status,
        title=q.summary or q.name,
        q=q,
        given=given,
        suggestions=suggestions,
        result=result,
        error=error,
        downloads=downloads,
        nav="catalogue",
    )


async def box(request: Request) -> Response:
    text = request.query_params.get("query")
    result = error = None
    status = 200
    if text:
        try:
            result = await run(request, text, {})
        except SpacekgError as err:
            error, status = str(err), error_status(err)
    return page(
        "box.html",
        status,
        title="SPARQL",
        text=text or _EXAMPLE,
        result=result,
        error=error,
        nav="sparql",
    )


async def entity_page(request: Request) -> Response:
    if "local" in request.path_params:
        target = "<" + SKGID + request.path_params["local"] + ">"
    else:
        iri = request.query_params.get("iri") or request.query_params.get("term")
        if not iri:
            return page("error.html", 400, title="Error", message="give the node as ?iri=IRI")
        target = iri if iri.startswith("<") or ":" not in iri else f"<{iri}>"
        if iri.startswith(SKGID):
            return RedirectResponse(entity_href(Term("uri", iri)) or "/", status_code=301)
    try:
        view = await call(request, "entity", target)
    except SpacekgError as err:
        status = error_status(err)
        if "says nothing about" in str(err) or "no node is labelled" in str(err):
            status = 404
        return error_page(err, status, "Not found")
    d = view.description
    return page(
        "entity.html",
        title=d.label or shorten(d.term),
        v=view,
        d=d,
        facts=_facts(view),
        nav="",
    )


async def ontology_page(request: Request) -> Response:
    try:
        onto = await call(request, "ontology")
    except SpacekgError as err:
        return error_page(err)
    return page(
        "ontology.html",
        title="Ontology",
        o=onto,
        diagram=diagram(onto),
        nav="ontology",
    )


_EXAMPLE = """PREFIX skg: <https://w3id.org/spacekg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?claim ?label WHERE {
  ?claim a skg:AuthorClaim ; rdfs:label ?label .
}
ORDER BY ?claim
"""


@dataclass(frozen=True)
class FactRow:
    """A fact on the entity page: the triple, how it holds, and the highlights of its words."""

    subject: Term
    predicate: Term
    object: Term
    direction: str  # "out" | "in"
    how: str  # "stated" | "read" | "asserted" | "entailed"
    reason: str | None
    words: tuple[str, ...]  # highlight ids


_REIFICATION = {RDF + "subject", RDF + "predicate", RDF + "object"}


def _facts(view: Any) -> list[FactRow]:
    """describe's facts, with the reified statement's marker and spans where the graph has one
    for the triple, else the node-level spans describe found."""
    shown = {h.id for h in view.highlights}
    by_triple = {(r.subject, r.predicate, r.object): r for r in view.reified}
    rows = []
    d = view.description
    for direction, facts in (("out", d.outgoing), ("in", d.incoming)):
        for f in facts:
            if f.predicate.value in _REIFICATION:
                continue  # the statement nodes' own links: shown as the fact's marker instead
            r = by_triple.get((f.subject, f.predicate, f.object))
            if r is not None and r.mode:
                how, reason, words = r.mode, r.reason, tuple(i for i in r.spans if i in shown)
            else:
                how = "entailed" if f.inferred else "asserted"
                reason = None
                words = tuple(
                    dict.fromkeys(w.span.split(":", 1)[-1] for w in f.words)
                    if not f.inferred
                    else ()
                )
                words = tuple(i for i in words if i in shown)
            rows.append(FactRow(f.subject, f.predicate, f.object, direction, how, reason, words))
    return rows
