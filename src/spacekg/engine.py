"""Run SPARQL over the knowledge graph and return plain :class:`~spacekg.results.QueryResult`.

The default backend is an in-memory pyoxigraph store holding the ontology, every data file and
the OWL RL entailments, each in its named graph; queries see the union of the named graphs as
their default graph. Computing the entailments needs rdflib and owlrl (slow to import), so the
materialised dataset is cached as N-Quads, keyed by a hash of the source files: the query path
reads the cache and never imports rdflib, owlrl or pyshacl.

Cache folder: ``$SPACEKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/spacekg``, else
``~/.cache/spacekg``. If it cannot be written the dataset is rebuilt in memory on every call.

Other backends (an embedded on-disk store, a remote endpoint) implement :class:`Backend`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from spacekg import __version__, sparqltext
from spacekg.bundle import GraphSource, fingerprint, graph_sources
from spacekg.catalogue import StoredQuery, bind, from_text, get_query
from spacekg.errors import InputError, StoreError
from spacekg.results import QueryResult, Term

if TYPE_CHECKING:
    import pyoxigraph

#: bump when what goes into the cache changes (reasoning filter, export format)
CACHE_SCHEMA = "1"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
ENGINES = ("oxigraph", "rdflib")
#: modules whose code shapes the cached dataset
_BUILDERS = ("parsing", "graph", "reasoning", "export")


@runtime_checkable
class Backend(Protocol):
    """Anything that can answer SPARQL over the spacekg graph."""

    def execute(self, sparql: str) -> QueryResult:
        """Run ``sparql``; raise ``SyntaxError`` for a syntax error, StoreError for failures."""
        ...


# --- the materialised dataset and its cache -------------------------------------------------


def cache_dir() -> Path:
    """Where derived files are cached (see the module doc)."""
    env = os.environ.get("SPACEKG_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "spacekg" if xdg else Path.home() / ".cache" / "spacekg"


def cache_key(sources: list[GraphSource] | None = None) -> str:
    """The hash of the source files, the spacekg version and the cache schema."""
    sources = sources if sources is not None else graph_sources()
    h = hashlib.sha256(fingerprint([s.path for s in sources]).encode())
    h.update(f"\0{__version__}\0{CACHE_SCHEMA}\0".encode())
    here = Path(__file__).parent  # the code that builds the cache is part of its key
    h.update(
        fingerprint([here / f"{m}.py" for m in _BUILDERS if (here / f"{m}.py").is_file()]).encode()
    )
    h.update("\0".join(f"{s.iri}={s.path.name}" for s in sources).encode())
    return h.hexdigest()


def build_nquads(sources: list[GraphSource] | None = None) -> bytes:
    """Ontology + data + OWL RL entailments as N-Quads (imports rdflib and owlrl: slow)."""
    from spacekg.export import iter_graphs, nquads_bytes

    return nquads_bytes(iter_graphs(inferred=True, sources=sources))


def materialised_nquads(
    sources: list[GraphSource] | None = None, *, use_cache: bool = True
) -> bytes:
    """The materialised dataset as N-Quads, from the cache when the sources have not changed."""
    sources = sources if sources is not None else graph_sources()
    missing = [s.path for s in sources if not s.path.is_file()]
    if missing:
        raise InputError(f"{missing[0]}: missing source file of the graph (restore it)")
    if not use_cache:
        return build_nquads(sources)
    key = cache_key(sources)
    path = cache_dir() / f"graph-{key[:32]}.nq"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = build_nquads(sources)
    _store_cache(path, data)
    return data


def _store_cache(path: Path, data: bytes) -> None:
    """Write the cache atomically; on any failure just go on without a cache."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
        for old in path.parent.glob("graph-*.nq"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


# --- backends --------------------------------------------------------------------------------


def _ox_term(node: Any) -> Term | None:
    import pyoxigraph as ox

    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        if node.language:
            return Term("literal", node.value, None, node.language)
        datatype = node.datatype.value
        return Term("literal", node.value, None if datatype == XSD_STRING else datatype)
    raise StoreError(f"unsupported RDF term in a result: {node!r}")


def _ox_result(result: Any) -> QueryResult:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = tuple(v.value for v in result.variables)
        rows = tuple(tuple(_ox_term(sol[i]) for i in range(len(names))) for sol in result)
        return QueryResult("select", variables=names, rows=rows)
    triples = tuple(
        (_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object)) for t in result
    )
    return QueryResult("graph", triples=triples)  # type: ignore[arg-type]


#: public names for the pyoxigraph -> QueryResult converters (stores and endpoints use them)
ox_term = _ox_term
ox_result = _ox_result


class OxigraphMemoryBackend:
    """The default: an in-memory pyoxigraph store loaded from the materialised N-Quads."""

    def __init__(self, nquads: bytes | None = None, *, use_cache: bool = True) -> None:
        import pyoxigraph as ox

        self.store: pyoxigraph.Store = ox.Store()
        data = nquads if nquads is not None else materialised_nquads(use_cache=use_cache)
        try:
            self.store.load(data, ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError) as err:
            raise StoreError(
                f"cannot load the cached graph: {err} (delete {cache_dir()} and retry)"
            ) from None

    def execute(self, sparql: str) -> QueryResult:
        try:
            result = self.store.query(sparql, use_default_graph_as_union=True)
            return _ox_result(result)
        except SyntaxError:
            raise
        except OSError as err:
            raise StoreError(f"the query failed in the store: {err}") from None


class RdflibBackend:
    """rdflib's SPARQL engine over the same dataset (slow; for cross-checking)."""

    def __init__(self, nquads: bytes | None = None) -> None:
        from rdflib import Dataset

        self.dataset = Dataset(default_union=True)
        data = nquads if nquads is not None else materialised_nquads()
        self.dataset.parse(data=data.decode("utf-8"), format="nquads")

    def execute(self, sparql: str) -> QueryResult:
        from rdflib import BNode, Literal, URIRef

        def term(node: Any) -> Term | None:
            if node is None:
                return None
            if isinstance(node, URIRef):
                return Term("uri", str(node))
            if isinstance(node, BNode):
                return Term("bnode", str(node))
            if isinstance(node, Literal):
                if node.language:
                    return Term("literal", str(node), None, node.language)
                dtype = str(node.datatype) if node.datatype else None
                return Term("literal", str(node), None if dtype == XSD_STRING else dtype)
            raise StoreError(f"unsupported RDF term in a result: {node!r}")

        try:
            result = self.dataset.query(sparql)
        except Exception as err:  # rdflib raises pyparsing's ParseException for syntax errors
            if type(err).__name__ == "ParseException":
                line, col = getattr(err, "lineno", 0), getattr(err, "col", 0)
                raise SyntaxError(f"error at {line}:{col}: {getattr(err, 'msg', err)}") from None
            raise StoreError(f"rdflib could not run the query: {err}") from None
        if result.type == "ASK":
            return QueryResult("ask", boolean=bool(result.askAnswer))
        if result.type == "SELECT":
            names = tuple(str(v) for v in result.vars or ())
            rows = tuple(tuple(term(row[i]) for i in range(len(names))) for row in result)
            return QueryResult("select", variables=names, rows=rows)
        triples = tuple((term(s), term(p), term(o)) for s, p, o in result)
        return QueryResult("graph", triples=triples)  # type: ignore[arg-type]


def default_backend(engine: str = "oxigraph") -> Backend:
    """The in-memory backend of ``engine`` (``oxigraph`` or ``rdflib``)."""
    if engine == "oxigraph":
        return OxigraphMemoryBackend()
    if engine == "rdflib":
        return RdflibBackend()
    raise InputError(f"unknown engine {engine!r} (use one of: {', '.join(ENGINES)})")


# --- running a query -------------------------------------------------------------------------

_POSITION = re.compile(r"(?:at|line)\s+(\d+)[:, ]\s*(?:column\s+)?(\d+)")


def _resolve(query: StoredQuery | str) -> StoredQuery:
    if isinstance(query, StoredQuery):
        return query
    if "{" in query:
        return from_text(query)
    return get_query(query)


def refuse_service(query: StoredQuery, sparql: str) -> None:
    """Raise InputError if ``sparql`` has a SERVICE clause (it would reach the network)."""
    clauses = sparqltext.service_clauses(sparql)
    if clauses:
        line, target = clauses[0]
        raise InputError(
            f"{query.source}:{line}: SERVICE {target} would reach the network; refused "
            "(pass --allow-network to allow it)"
        )


def run_query(
    query: StoredQuery | str,
    params: dict[str, str] | None = None,
    *,
    backend: Backend | None = None,
    allow_network: bool = False,
    engine: str = "oxigraph",
) -> QueryResult:
    """Run a stored query (a :class:`StoredQuery`, a name, a path) or SPARQL text.

    ``params`` are bound as RDF terms (see :func:`spacekg.catalogue.bind`). ``SERVICE`` is
    refused unless ``allow_network``. A syntax error raises InputError naming the file and line.
    """
    stored = _resolve(query)
    sparql = bind(stored, params)
    if not allow_network:
        refuse_service(stored, sparql)
    backend = backend if backend is not None else default_backend(engine)
    try:
        return backend.execute(sparql)
    except SyntaxError as err:
        message = str(err.args[0]) if err.args else str(err)
        line, col = _error_position(sparql, message)
        where = f"{stored.source}:{line}:{col}" if line else stored.source
        detail = re.sub(r"^(?:error|Parser error) at [^:]*:\d+:\s*", "", message)
        raise InputError(f"{where}: SPARQL syntax error: {detail} (fix the query)") from None


def _error_position(sparql: str, message: str) -> tuple[int | None, int | None]:
    """Line and column of a SPARQL syntax error.

    pyoxigraph names the furthest point its parser reached, which for some errors is the end of
    the text; then rdflib's parser (imported only on this error path) is asked instead: it names
    the start of the clause it could not read.
    """
    match = _POSITION.search(message)
    line, col = (int(match.group(1)), int(match.group(2))) if match else (None, None)
    if line is not None and col is not None:
        lines = sparql.split("\n")
        offset = sum(len(x) + 1 for x in lines[: line - 1]) + col - 1
        if offset < len(sparql.rstrip()):
            return line, col
    try:
        from rdflib.plugins.sparql import prepareQuery

        prepareQuery(sparql)
    except Exception as err:  # pyparsing's ParseException and friends
        if getattr(err, "lineno", None):
            return int(err.lineno), int(getattr(err, "col", 1))  # type: ignore[attr-defined]
    return line, col
