"""The ASGI application: the SPARQL 1.1 Protocol endpoint, the stored-query API and the pages.

Every query runs in a worker of :class:`~spacekg.serve.pool.QueryPool` through the library
(``run_query``, ``describe``); the handlers (:mod:`~spacekg.serve.protocol`,
:mod:`~spacekg.serve.api`, :mod:`~spacekg.serve.pages`) only parse requests, negotiate formats
and render. Read-only: SPARQL Update is refused, and SERVICE is refused unless the server was
started with ``--allow-network`` (the CLI's rule).
"""

from __future__ import annotations

from importlib.resources import files

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from spacekg.serve import api, pages
from spacekg.serve.pool import QueryPool
from spacekg.serve.protocol import sparql
from spacekg.serve.web import Catalogue, Settings, State

__all__ = ["Settings", "create_app"]


def create_app(pool: QueryPool, settings: Settings) -> Starlette:
    """The application over a started pool (the caller starts and closes it)."""
    static = StaticFiles(directory=str(files("spacekg.serve") / "static"))
    routes = [
        Route("/", pages.home),
        Route("/queries/{name}", pages.query_page),
        Route("/query", pages.box),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/api", api.api_root),
        Route("/api/openapi.json", api.openapi_json),
        Route("/api/{name}", api.api_query),
        Route("/id/{local:path}", pages.entity_page),
        Route("/entity", pages.entity_page),
        Route("/ontology", pages.ontology_page),
        Mount("/static", static, name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.spacekg = State(pool, settings, Catalogue())
    return app
