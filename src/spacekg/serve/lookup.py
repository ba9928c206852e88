"""SPARQL look-ups shared by the worker jobs: the prologue they run under and IRI local names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacekg.namespaces import sparql_prologue

if TYPE_CHECKING:
    from spacekg.query.engine import Backend
    from spacekg.terms import Term

PROLOGUE = sparql_prologue("skg", "rdf", "rdfs", "owl", "skos", "oa")


def rows(backend: Backend, sparql: str) -> tuple[tuple[Term | None, ...], ...]:
    """The rows of a SELECT run under :data:`PROLOGUE`."""
    return backend.execute(PROLOGUE + sparql).rows


def local(iri: str) -> str:
    """The last segment of an IRI (after its last ``/`` or ``#``)."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]
