"""IRIs as people read them: the namespaces spacekg knows, prefixed names, short displays."""

from __future__ import annotations

import functools
import re

from spacekg.project import ID_NS, ONTOLOGY_NS, SHAPES_NS
from spacekg.terms import Term

SH = "http://www.w3.org/ns/shacl#"
OA = "http://www.w3.org/ns/oa#"

#: prefix -> namespace: ours and the vocabularies spacekg reuses (REFERENCE.md)
KNOWN_PREFIXES: dict[str, str] = {
    "skg": ONTOLOGY_NS,
    "skgid": ID_NS,
    "skgsh": SHAPES_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": SH,
    "prov": "http://www.w3.org/ns/prov#",
    "oa": OA,
    "dcterms": "http://purl.org/dc/terms/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "schema": "http://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "time": "http://www.w3.org/2006/time#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
}
REUSED_NAMESPACES = frozenset(v for k, v in KNOWN_PREFIXES.items() if k not in ("skgid",))


def short(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """``skg:hasMember`` for a known namespace, else ``<iri>``."""
    if prefixes is None:
        return _short_known(iri)
    return _short(iri, prefixes)


@functools.lru_cache(maxsize=200_000)
def _short_known(iri: str) -> str:
    return _short(iri, KNOWN_PREFIXES)


def _short(iri: str, prefixes: dict[str, str]) -> str:
    best = ""
    best_prefix = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, best_prefix = ns, prefix
    if best:
        local = iri[len(best) :]
        if re.fullmatch(r"[A-Za-z0-9_][\w.-]*", local) and not local.endswith("."):
            return f"{best_prefix}:{local}"
    return f"<{iri}>"


def split_iri(iri: str) -> tuple[str, str]:
    """(namespace, local name): split after the last ``#``, ``/`` or ``:``."""
    m = re.match(r"^(.*[#/:])([^#/:]*)$", iri)
    return (m.group(1), m.group(2)) if m else (iri, "")


@functools.lru_cache(maxsize=10_000)
def shorten_path(path: str | None) -> str | None:
    if path is None:
        return None
    return re.sub(r"<([^<>]*)>", lambda m: short(m.group(1)), path)


def show_term(term: Term | None) -> str | None:
    if term is None:
        return None
    if term.kind == "uri":
        return short(term.value)
    if term.kind == "bnode":
        return "[]"
    text = term.value if len(term.value) <= 60 else term.value[:57] + "..."
    shown = Term("literal", text, term.datatype, term.lang).n3()
    if term.datatype:
        shown = shown.replace(f"<{term.datatype}>", short(term.datatype))
    return shown
