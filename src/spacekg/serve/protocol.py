"""The SPARQL 1.1 Protocol endpoint (``/sparql``), read-only: SPARQL Update is refused."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from spacekg.errors import SpacekgError
from spacekg.serve import formats
from spacekg.serve.web import result_response, run, text_error

MAX_QUERY_BYTES = 1 << 20
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

_READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted\n"


async def _post_body(request: Request) -> tuple[str | None, list[tuple[str, str]]] | Response:
    """A POST's query text (a sparql-query body) or form fields, or the response refusing it."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        return PlainTextResponse(_READ_ONLY, 403)
    if ctype == "application/sparql-query":
        body = await request.body()
        if len(body) > MAX_QUERY_BYTES:
            return PlainTextResponse("the query is larger than 1 MiB\n", 413)
        try:
            return body.decode("utf-8"), []
        except UnicodeDecodeError:
            return PlainTextResponse("the query is not UTF-8\n", 400)
    if ctype in FORM_TYPES:
        form = await request.form(max_part_size=MAX_QUERY_BYTES)
        if "update" in form:
            return PlainTextResponse(_READ_ONLY, 403)
        return None, [(k, str(v)) for k, v in form.multi_items()]
    return PlainTextResponse(
        "POST a query as application/sparql-query or as a form with query=...\n", 415
    )


async def sparql(request: Request) -> Response:
    query_text, extra = None, list(request.query_params.multi_items())
    if request.method == "POST":
        posted = await _post_body(request)
        if isinstance(posted, Response):
            return posted
        query_text, fields = posted
        extra += fields
    values = dict(extra)
    if query_text is None:
        query_text = values.get("query")
    if query_text is None:
        if formats.wants_html(request.headers.get("accept")):
            return RedirectResponse("/query", status_code=303)
        return PlainTextResponse(
            "give a SPARQL query as ?query=..., a form field or an application/sparql-query body\n",
            400,
        )
    if values.get("default-graph-uri") or values.get("named-graph-uri"):
        return PlainTextResponse(
            "default-graph-uri and named-graph-uri are not supported: the default graph is "
            "the union of the named graphs; use GRAPH in the query\n",
            400,
        )
    try:
        result = await run(request, query_text, {})
        name = values.get("format") or values.get("output")
        fmt = formats.choose(result.form, request.headers.get("accept"), name)
    except SpacekgError as err:
        return text_error(err)
    return result_response(result, fmt)
