"""The ASGI application: the SPARQL 1.1 Protocol endpoint, the stored-query API and the pages.

Every query runs in a worker of :class:`~spacekg.serve.pool.QueryPool` through the library
(``run_query``, ``describe``); this module only parses requests, negotiates formats and renders.
Read-only: SPARQL Update is refused, and SERVICE is refused unless the server was started with
``--allow-network`` (the CLI's rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from spacekg.errors import InputError, SpacekgError
from spacekg.namespaces import ID_NS as SKGID
from spacekg.namespaces import ONTOLOGY_NS as SKG
from spacekg.namespaces import RDF
from spacekg.query.render import default_prefixes, render, short
from spacekg.serve import formats
from spacekg.serve.pool import Busy, QueryPool, QueryTimeout
from spacekg.terms import QueryResult, Term

if TYPE_CHECKING:
    from spacekg.query.catalogue import StoredQuery

MAX_QUERY_BYTES = 1 << 20
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Settings:
    timeout: float
    allow_network: bool
    version: str


# --- helpers shared by the templates ---------------------------------------------------------


def entity_href(term: Term | None) -> str | None:
    """The page of a node: ``/id/NAME`` for spacekg's own, the ontology page for its terms."""
    if term is None or term.kind != "uri":
        return None
    if term.value.startswith(SKGID) and "/" not in term.value[len(SKGID) :]:
        return "/id/" + quote(term.value[len(SKGID) :])
    if term.value.startswith(SKG):
        return "/ontology#" + quote(term.value[len(SKG) :])
    return "/entity?" + urlencode({"iri": term.value})


def shorten(term: Term | None) -> str:
    return short(term, _PREFIXES)


_PREFIXES = default_prefixes()


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


_env = Environment(
    loader=PackageLoader("spacekg.serve", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(
    href=entity_href,
    short=shorten,
    short_iri=lambda iri: shorten(Term("uri", iri)),
    local=_local,
    SKG=SKG,
)
_env.filters["local"] = _local


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(name).render(**context), status_code=status)


def error_status(err: SpacekgError) -> int:
    if isinstance(err, formats.NotAcceptable):
        return 406
    if isinstance(err, QueryTimeout | Busy):
        return 503
    if isinstance(err, InputError):
        return 404 if "no stored query named" in str(err) else 400
    return 500


def _text_error(err: SpacekgError) -> PlainTextResponse:
    return PlainTextResponse(f"{err}\n", status_code=error_status(err))


def _params(items: list[tuple[str, str]], skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Query parameters as a dict: empty values dropped (an optional form field left blank),
    a name given twice refused."""
    out: dict[str, str] = {}
    for name, value in items:
        if name in skip or value.strip() == "":
            continue
        if name in out and out[name] != value:
            raise InputError(f"parameter {name!r} is given twice; a parameter takes one value")
        out[name] = value
    return out


def _api_message(err: SpacekgError) -> SpacekgError:
    """The CLI's ``-p NAME=VALUE`` hint, said the HTTP way."""
    text = str(err).replace("give it with -p ", "give it as ?").replace("=VALUE;", "=VALUE;")
    return type(err)(text) if text != str(err) else err


# --- the app ---------------------------------------------------------------------------------


def create_app(pool: QueryPool, settings: Settings) -> Starlette:
    """The application over a started pool (the caller starts and closes it)."""

    async def call(job: str, *args: Any) -> Any:
        return await run_in_threadpool(pool.call, job, *args)

    from spacekg.project import queries_dir
    from spacekg.query.catalogue import get_query, load_query, query_paths

    parsed: dict[Path, tuple[tuple[int, int], StoredQuery]] = {}

    def load(path: Path) -> StoredQuery:
        """A query file, parsed again only when it changed (size or mtime)."""
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        hit = parsed.get(path)
        if hit is None or hit[0] != key:
            hit = (key, load_query(path))
            parsed[path] = hit
        return hit[1]

    def catalogue() -> list[StoredQuery]:
        return [load(path) for path in query_paths()]

    def stored(name: str) -> StoredQuery:
        if "/" in name or name.endswith(".rq"):
            raise InputError(f"no stored query named {name!r} (see /api/openapi.json)")
        path = queries_dir() / f"{name}.rq"
        try:
            return load(path) if path.is_file() else get_query(name)
        except OSError:
            return get_query(name)

    # --- SPARQL 1.1 Protocol ---

    async def sparql(request: Request) -> Response:
        query_text, extra = None, list(request.query_params.multi_items())
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return PlainTextResponse(
                    "this endpoint is read-only: SPARQL Update is not accepted\n", 403
                )
            if ctype == "application/sparql-query":
                body = await request.body()
                if len(body) > MAX_QUERY_BYTES:
                    return PlainTextResponse("the query is larger than 1 MiB\n", 413)
                try:
                    query_text = body.decode("utf-8")
                except UnicodeDecodeError:
                    return PlainTextResponse("the query is not UTF-8\n", 400)
            elif ctype in FORM_TYPES:
                form = await request.form(max_part_size=MAX_QUERY_BYTES)
                if "update" in form:
                    return PlainTextResponse(
                        "this endpoint is read-only: SPARQL Update is not accepted\n", 403
                    )
                extra += [(k, str(v)) for k, v in form.multi_items()]
            else:
                return PlainTextResponse(
                    "POST a query as application/sparql-query or as a form with query=...\n", 415
                )
        values = dict(extra)
        if query_text is None:
            query_text = values.get("query")
        if query_text is None:
            if formats.wants_html(request.headers.get("accept")):
                return RedirectResponse("/query", status_code=303)
            return PlainTextResponse(
                "give a SPARQL query as ?query=..., a form field or an "
                "application/sparql-query body\n",
                400,
            )
        if values.get("default-graph-uri") or values.get("named-graph-uri"):
            return PlainTextResponse(
                "default-graph-uri and named-graph-uri are not supported: the default graph is "
                "the union of the named graphs; use GRAPH in the query\n",
                400,
            )
        try:
            result: QueryResult = await call("query", query_text, {}, settings.allow_network)
            name = values.get("format") or values.get("output")
            fmt = formats.choose(result.form, request.headers.get("accept"), name)
        except SpacekgError as err:
            return _text_error(err)
        return _result_response(result, fmt)

    # --- stored queries as an API (grlc) ---

    async def api_query(request: Request) -> Response:
        name = request.path_params["name"]
        suffix = None
        if "." in name:
            base, _, ext = name.rpartition(".")
            if ext in formats.NAMES:
                name, suffix = base, ext
        try:
            q = stored(name)
        except SpacekgError as err:
            return _text_error(err)
        accept = request.headers.get("accept")
        if suffix is None and formats.wants_html(accept):
            target = f"/queries/{quote(q.name)}"
            if request.url.query:
                target += "?" + request.url.query
            return RedirectResponse(target, status_code=303)
        try:
            params = _params(list(request.query_params.multi_items()))
            result = await call("query", q, params, settings.allow_network)
            fmt = formats.choose(result.form, None if suffix else accept, suffix)
        except SpacekgError as err:
            return _text_error(_api_message(err))
        return _result_response(result, fmt)

    async def openapi_json(request: Request) -> Response:
        from spacekg.serve.openapi import document

        try:
            doc = document(catalogue(), settings.version)
        except SpacekgError as err:
            return _text_error(err)
        return JSONResponse(doc)

    # --- pages ---

    async def home(request: Request) -> Response:
        try:
            queries = catalogue()
        except SpacekgError as err:
            return page("error.html", error_status(err), title="Error", message=str(err))
        return page("catalogue.html", title="Stored queries", queries=queries, nav="catalogue")

    async def query_page(request: Request) -> Response:
        try:
            q = stored(request.path_params["name"])
            suggestions = await call("values", q)
        except SpacekgError as err:
            return page("error.html", error_status(err), title="Error", message=str(err))
        items = list(request.query_params.multi_items())
        given = dict(items)
        result = error = None
        ran = "run" in given or any(k in given for k in (p.name for p in q.parameters))
        status = 200
        if ran:
            try:
                result = await call("query", q, _params(items, ("run",)), settings.allow_network)
            except SpacekgError as err:
                error, status = str(_api_message(err)), error_status(err)
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
                result = await call("query", text, {}, settings.allow_network)
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
            view = await call("entity", target)
        except SpacekgError as err:
            status = error_status(err)
            if "says nothing about" in str(err) or "no node is labelled" in str(err):
                status = 404
            return page("error.html", status, title="Not found", message=str(err))
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
            onto = await call("ontology")
        except SpacekgError as err:
            return page("error.html", error_status(err), title="Error", message=str(err))
        return page(
            "ontology.html",
            title="Ontology",
            o=onto,
            diagram=diagram(onto),
            nav="ontology",
        )

    from importlib.resources import files

    static = StaticFiles(directory=str(files("spacekg.serve") / "static"))
    routes = [
        Route("/", home),
        Route("/queries/{name}", query_page),
        Route("/query", box),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/api", lambda r: RedirectResponse("/api/openapi.json", status_code=307)),
        Route("/api/openapi.json", openapi_json),
        Route("/api/{name}", api_query),
        Route("/id/{local:path}", entity_page),
        Route("/entity", entity_page),
        Route("/ontology", ontology_page),
        Mount("/static", static, name="static"),
    ]
    return Starlette(routes=routes)


_EXAMPLE = """PREFIX skg: <https://w3id.org/spacekg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?claim ?label WHERE {
  ?claim a skg:AuthorClaim ; rdfs:label ?label .
}
ORDER BY ?claim
"""


def _result_response(result: QueryResult, fmt: str) -> Response:
    body = render(result, fmt)
    media = formats.MEDIA[fmt]
    return Response(body.encode("utf-8"), media_type=f"{media}; charset=utf-8")


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


# --- the ontology diagram: inline SVG, laid out here ------------------------------------------


def diagram(onto: Any) -> str:
    """An SVG of the top classes (boxes on an ellipse) and the object properties between them."""
    from spacekg.query.render import escape, quoteattr

    labels = {c.iri: c.label for c in onto.classes}
    nodes = [c.iri for c in onto.classes if c.top == c.iri]
    if any("*" in (a, b) for a, b, _ in onto.edges):
        nodes.append("*")
    labels["*"] = "any node"
    ring = [n for n in nodes if n != "*"]
    order = _circle_order(ring, [e for e in onto.edges if "*" not in e[:2]])
    # room for every box on the ellipse: about 80 px of width per class
    width, height = max(1100, 80 * len(ring)), 820 + max(0, 12 * (len(ring) - 12))
    cx, cy, rx, ry = width / 2, height / 2, width / 2 - 110, height / 2 - 60
    pos = {"*": (cx, cy)} if "*" in nodes else {}
    for i, n in enumerate(order):
        angle = -math.pi / 2 + 2 * math.pi * i / len(order)
        pos[n] = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
    order = [*order, "*"] if "*" in nodes else order
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="diagram-title diagram-desc" class="diagram">',
        '<title id="diagram-title">How the main classes connect</title>',
        '<desc id="diagram-desc">Boxes are the top classes of the ontology; an arrow from A to B '
        "is an object property whose domain falls under A and range under B.</desc>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#3d4f66"/></marker></defs>',
    ]
    box_w, box_h = 170, 38
    for a, b, props in onto.edges:
        if a not in pos or b not in pos:
            continue
        (x1, y1), (x2, y2) = pos[a], pos[b]
        text = ", ".join(props)
        if a == b:
            path = (
                f"M{x1 - 30:.0f},{y1 - box_h / 2:.0f} C{x1 - 60:.0f},{y1 - 90:.0f} "
                f"{x1 + 60:.0f},{y1 - 90:.0f} {x1 + 30:.0f},{y1 - box_h / 2:.0f}"
            )
            lx, ly = x1, y1 - 78
        else:
            sx, sy = _border(x1, y1, x2, y2, box_w, box_h)
            ex, ey = _border(x2, y2, x1, y1, box_w, box_h)
            mx, my = (sx + ex) / 2, (sy + ey) / 2
            # ring to ring: bend away from the centre (where the hub is); hub edges: straight
            bend = 0.0 if "*" in (a, b) else -0.22
            bx, by = mx + (cx - mx) * bend, my + (cy - my) * bend
            path = f"M{sx:.0f},{sy:.0f} Q{bx:.0f},{by:.0f} {ex:.0f},{ey:.0f}"
            lx, ly = (sx + 2 * bx + ex) / 4, (sy + 2 * by + ey) / 4
        out.append(
            f'<path d="{path}" fill="none" stroke="#3d4f66" stroke-width="1.4" '
            'marker-end="url(#arrow)"/>'
        )
        tw = 6.4 * len(text) + 10
        out.append(
            f'<rect x="{lx - tw / 2:.0f}" y="{ly - 10:.0f}" width="{tw:.0f}" height="18" rx="3" '
            'fill="#ffffff" fill-opacity="0.92"/>'
        )
        out.append(
            f'<text x="{lx:.0f}" y="{ly + 3:.0f}" text-anchor="middle" class="edge">'
            f"{escape(text)}</text>"
        )
    for n in order:
        x, y = pos[n]
        label = labels.get(n, _local(n))
        link = f"#{_local(n)}" if n != "*" else None
        box = (
            f'<rect x="{x - box_w / 2:.0f}" y="{y - box_h / 2:.0f}" width="{box_w}" '
            f'height="{box_h}" rx="6" class="node{" any" if n == "*" else ""}"/>'
            f'<text x="{x:.0f}" y="{y + 5:.0f}" text-anchor="middle" class="label">'
            f"{escape(label)}</text>"
        )
        out.append(f"<a href={quoteattr(link)}>{box}</a>" if link else box)
    out.append("</svg>")
    return "\n".join(out)


def _border(x1: float, y1: float, x2: float, y2: float, w: float, h: float) -> tuple[float, float]:
    """Where the line from the centre of a w x h box at (x1, y1) towards (x2, y2) leaves it."""
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return x1, y1
    scale = min((w / 2) / abs(dx) if dx else math.inf, (h / 2) / abs(dy) if dy else math.inf)
    return x1 + dx * scale, y1 + dy * scale


def _circle_order(nodes: list[str], edges: Any) -> list[str]:
    """Nodes in an order around the ellipse that keeps connected ones near each other: a walk
    that always goes to the most connected unplaced neighbour."""
    weight: dict[tuple[str, str], int] = {}
    for a, b, props in edges:
        if a != b:
            key = (min(a, b), max(a, b))
            weight[key] = weight.get(key, 0) + len(props)
    degree = {n: sum(w for k, w in weight.items() if n in k) for n in nodes}
    remaining = sorted(nodes, key=lambda n: (-degree[n], n))
    order = [remaining.pop(0)] if remaining else []
    while remaining:
        last = order[-1]
        best = max(
            remaining,
            key=lambda n: (weight.get((min(last, n), max(last, n)), 0), degree[n], n),
        )
        remaining.remove(best)
        order.append(best)
    return order
