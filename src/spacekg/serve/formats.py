"""Content negotiation: from an Accept header (or a format name) to a format of
:mod:`spacekg.query.render`, and the media type each format is sent as."""

from __future__ import annotations

from spacekg.errors import InputError

#: render format -> media type sent
MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
}
SELECT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
}
#: short names accepted in ``?format=`` (Fuseki and SPARQLWrapper send these) and as suffixes
NAMES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
}
DEFAULT = {"select": "json", "ask": "json", "graph": "turtle"}


class NotAcceptable(InputError):
    """No format the client accepts fits the result (HTTP 406)."""


def _accepted(header: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header, best first (stable for equal q)."""
    out = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            out.append((media, q, i))
    out.sort(key=lambda m: (-m[1], m[2]))
    return [(m, q) for m, q, _ in out]


def choose(form: str, accept: str | None, name: str | None = None) -> str:
    """The render format for a result of ``form`` (select/ask/graph)."""
    table = GRAPH_MEDIA if form == "graph" else SELECT_MEDIA
    if name:
        fmt = NAMES.get(name.lower()) or table.get(name.lower())
        if fmt is None or (fmt in ("turtle", "ntriples", "jsonld")) != (form == "graph"):
            kinds = "turtle, ntriples, jsonld" if form == "graph" else "json, xml, csv, tsv"
            raise NotAcceptable(f"format {name!r} does not fit a {form} result (use {kinds})")
        return fmt
    if not accept:
        return DEFAULT[form]
    for media, _q in _accepted(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*") or media.endswith("/*"):
            major = media.split("/")[0]
            if major == "*":
                return DEFAULT[form]
            for m, fmt in table.items():
                if m.startswith(major + "/"):
                    return fmt
    wanted = ", ".join(m for m, _ in _accepted(accept)) or accept
    offers = ", ".join(dict.fromkeys(MEDIA[f] for f in table.values()))
    raise NotAcceptable(f"cannot send a {form} result as {wanted} (offered: {offers})")


def wants_html(accept: str | None) -> bool:
    """Does the client prefer a page (a browser) over data?"""
    for media, _q in _accepted(accept or ""):
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media in SELECT_MEDIA or media in GRAPH_MEDIA or media == "*/*":
            return False
    return False
