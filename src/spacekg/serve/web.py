"""What the handlers share: the settings, the stored-query catalogue, running a job in the pool,
the templates and their helpers, error statuses and result responses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from spacekg.errors import InputError, SpacekgError
from spacekg.namespaces import ID_NS as SKGID
from spacekg.namespaces import ONTOLOGY_NS as SKG
from spacekg.query.render import default_prefixes, render, short
from spacekg.serve import formats
from spacekg.serve.pool import Busy, QueryPool, QueryTimeout
from spacekg.terms import QueryResult, Term

if TYPE_CHECKING:
    from spacekg.query.catalogue import StoredQuery


@dataclass(frozen=True)
class Settings:
    timeout: float
    allow_network: bool
    version: str


class Catalogue:
    """The stored queries of the workspace, each file parsed again only when it changed."""

    def __init__(self) -> None:
        self._parsed: dict[Path, tuple[tuple[int, int], StoredQuery]] = {}

    def load(self, path: Path) -> StoredQuery:
        """A query file, parsed again only when it changed (size or mtime)."""
        from spacekg.query.catalogue import load_query

        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        hit = self._parsed.get(path)
        if hit is None or hit[0] != key:
            hit = (key, load_query(path))
            self._parsed[path] = hit
        return hit[1]

    def all(self) -> list[StoredQuery]:
        from spacekg.query.catalogue import query_paths

        return [self.load(path) for path in query_paths()]

    def stored(self, name: str) -> StoredQuery:
        from spacekg.project import queries_dir
        from spacekg.query.catalogue import get_query

        if "/" in name or name.endswith(".rq"):
            raise InputError(f"no stored query named {name!r} (see /api/openapi.json)")
        path = queries_dir() / f"{name}.rq"
        try:
            return self.load(path) if path.is_file() else get_query(name)
        except OSError:
            return get_query(name)


@dataclass(frozen=True)
class State:
    """What the app holds for its handlers (``request.app.state.spacekg``)."""

    pool: QueryPool
    settings: Settings
    catalogue: Catalogue


def state(request: Request) -> State:
    return request.app.state.spacekg  # type: ignore[no-any-return]


async def call(request: Request, job: str, *args: Any) -> Any:
    """``jobs.<job>(backend, *args)`` in a worker of the pool, off the event loop."""
    return await run_in_threadpool(state(request).pool.call, job, *args)


async def run(request: Request, query: StoredQuery | str, params: dict[str, str]) -> QueryResult:
    """A query run by the pool under the server's network rule."""
    return await call(request, "query", query, params, state(request).settings.allow_network)  # type: ignore[no-any-return]


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


def local(iri: str) -> str:
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
    local=local,
    SKG=SKG,
)
_env.filters["local"] = local


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(name).render(**context), status_code=status)


def error_page(err: SpacekgError, status: int | None = None, title: str = "Error") -> HTMLResponse:
    return page("error.html", status or error_status(err), title=title, message=str(err))


# --- errors and results ----------------------------------------------------------------------


def error_status(err: SpacekgError) -> int:
    if isinstance(err, formats.NotAcceptable):
        return 406
    if isinstance(err, QueryTimeout | Busy):
        return 503
    if isinstance(err, InputError):
        return 404 if "no stored query named" in str(err) else 400
    return 500


def text_error(err: SpacekgError) -> PlainTextResponse:
    return PlainTextResponse(f"{err}\n", status_code=error_status(err))


def params(items: list[tuple[str, str]], skip: tuple[str, ...] = ()) -> dict[str, str]:
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


def api_message(err: SpacekgError) -> SpacekgError:
    """The CLI's ``-p NAME=VALUE`` hint, said the HTTP way."""
    text = str(err).replace("give it with -p ", "give it as ?").replace("=VALUE;", "=VALUE;")
    return type(err)(text) if text != str(err) else err


def result_response(result: QueryResult, fmt: str) -> Response:
    body = render(result, fmt)
    media = formats.MEDIA[fmt]
    return Response(body.encode("utf-8"), media_type=f"{media}; charset=utf-8")
