"""``spacekg serve``: the graph over HTTP and in a browser.

A SPARQL 1.1 Protocol endpoint (``/sparql``), the stored queries as a grlc-compatible API
(``/api/{name}``, ``/api/openapi.json``) and server-rendered pages (the catalogue, results,
entity pages with the article's words highlighted, the ontology, a SPARQL box). Needs the
``serve`` extra (starlette, uvicorn, jinja2); the rest of spacekg does not.
"""
