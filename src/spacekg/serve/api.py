"""The stored queries as an API (grlc style): ``/api/NAME[.EXT]`` and its OpenAPI document."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from spacekg.errors import SpacekgError
from spacekg.serve import formats
from spacekg.serve.web import api_message, params, result_response, run, state, text_error


async def api_root(request: Request) -> Response:
    return RedirectResponse("/api/openapi.json", status_code=307)


async def api_query(request: Request) -> Response:
    name = request.path_params["name"]
    suffix = None
    if "." in name:
        base, _, ext = name.rpartition(".")
        if ext in formats.NAMES:
            name, suffix = base, ext
    try:
        q = state(request).catalogue.stored(name)
    except SpacekgError as err:
        return text_error(err)
    accept = request.headers.get("accept")
    if suffix is None and formats.wants_html(accept):
        target = f"/queries/{quote(q.name)}"
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(target, status_code=303)
    try:
        result = await run(request, q, params(list(request.query_params.multi_items())))
        fmt = formats.choose(result.form, None if suffix else accept, suffix)
    except SpacekgError as err:
        return text_error(api_message(err))
    return result_response(result, fmt)


async def openapi_json(request: Request) -> Response:
    from spacekg.serve.openapi import document

    app = state(request)
    try:
        doc = document(app.catalogue.all(), app.settings.version)
    except SpacekgError as err:
        return text_error(err)
    return JSONResponse(doc)
