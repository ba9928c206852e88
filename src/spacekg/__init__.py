"""spacekg: a knowledge graph of space diplomacy in RDF, and the tools to use it.

The library's front door: what each command does, as a function with a typed result.

>>> import spacekg
>>> result = spacekg.run_query("events")  # a stored query over the bundled graph
>>> print(spacekg.render(result, "csv"))  # doctest: +SKIP

Names are imported on first use, so ``import spacekg`` stays cheap (no RDF library loaded);
``__version__`` comes from the package metadata.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # querying
    "run_query": "spacekg.query.engine",
    "render": "spacekg.query.render",
    "list_queries": "spacekg.query.catalogue",
    "get_query": "spacekg.query.catalogue",
    "StoredQuery": "spacekg.query.catalogue",
    "QueryResult": "spacekg.terms",
    "Term": "spacekg.terms",
    # validating
    "validate": "spacekg.validate.api",
    "ValidationReport": "spacekg.validate.model",
    "Finding": "spacekg.validate.model",
    "Severity": "spacekg.validate.model",
    "validate_graph": "spacekg.shacl.api",
    "ShaclReport": "spacekg.shacl.model",
    # the graph
    "export": "spacekg.dataset.export",
    "describe": "spacekg.describe",
    "run_checks": "spacekg.qc",
    # stores
    "load": "spacekg.stores",
    "open_backend": "spacekg.stores",
    "LoadReport": "spacekg.stores.base",
    # errors
    "SpacekgError": "spacekg.errors",
    "InputError": "spacekg.errors",
    "StoreError": "spacekg.errors",
}

__all__ = [
    "Finding",
    "InputError",
    "LoadReport",
    "QueryResult",
    "Severity",
    "ShaclReport",
    "SpacekgError",
    "StoreError",
    "StoredQuery",
    "Term",
    "ValidationReport",
    "__version__",
    "describe",
    "export",
    "get_query",
    "list_queries",
    "load",
    "open_backend",
    "render",
    "run_checks",
    "run_query",
    "validate",
    "validate_graph",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # from the package metadata, read on first use (importlib.metadata
        from spacekg.project import package_version  # costs ~50 ms to import)

        return package_version()
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'spacekg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from spacekg.dataset.export import export
    from spacekg.describe import describe
    from spacekg.errors import InputError, SpacekgError, StoreError
    from spacekg.qc import run_checks
    from spacekg.query.catalogue import StoredQuery, get_query, list_queries
    from spacekg.query.engine import run_query
    from spacekg.query.render import render
    from spacekg.shacl.api import validate_graph
    from spacekg.shacl.model import ShaclReport
    from spacekg.stores import load, open_backend
    from spacekg.stores.base import LoadReport
    from spacekg.terms import QueryResult, Term
    from spacekg.validate.api import validate
    from spacekg.validate.model import Finding, Severity, ValidationReport
