"""Run SPARQL over the knowledge graph and return plain :class:`~spacekg.terms.QueryResult`.

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

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from spacekg.errors import InputError, StoreError
from spacekg.namespaces import ID_NS, ONTOLOGY_NS, PREFIXES, TERM_PREFIXES, XSD_STRING
from spacekg.project import cache_dir
from spacekg.query import sparqltext
from spacekg.query.cache import (  # noqa: F401 - re-exported
    CACHE_FOLDER,
    CACHE_SCHEMA,
    build_nquads,
    cache_header,
    cache_key,
    cache_slot,
    materialised_nquads,
    verified_cache,
)
from spacekg.query.catalogue import (
    Parameter,
    ParameterError,
    StoredQuery,
    bind,
    from_text,
    get_query,
    known_prefixes,
)
from spacekg.terms import QueryResult, Term, short

if TYPE_CHECKING:
    import pyoxigraph

ENGINES = ("oxigraph", "rdflib")


@runtime_checkable
class Backend(Protocol):
    """Anything that can answer SPARQL over the spacekg graph."""

    def execute(self, sparql: str) -> QueryResult:
        """Run ``sparql``; raise ``SyntaxError`` for a syntax error, StoreError for failures."""
        ...


# --- backends --------------------------------------------------------------------------------


def _ox_converter() -> Callable[[Any], Term | None]:
    """A pyoxigraph term -> Term function that converts each distinct term once (a result
    repeats its labels, classes and properties on many rows)."""
    import pyoxigraph as ox

    named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
    memo: dict[Any, Term] = {}

    def convert(node: Any) -> Term | None:
        if node is None:
            return None
        hit = memo.get(node)
        if hit is not None:
            return hit
        kind = type(node)
        if kind is named:
            term = Term("uri", node.value)
        elif kind is literal:
            if node.language:
                term = Term("literal", node.value, None, node.language)
            else:
                datatype = node.datatype.value
                term = Term("literal", node.value, None if datatype == XSD_STRING else datatype)
        elif kind is blank:
            term = Term("bnode", node.value)
        else:
            raise StoreError(f"unsupported RDF term in a result: {node!r}")
        memo[node] = term
        return term

    return convert


def _ox_result(result: Any) -> QueryResult:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    convert = _ox_converter()
    if isinstance(result, ox.QuerySolutions):
        names = tuple(v.value for v in result.variables)
        rows = tuple(tuple(map(convert, solution)) for solution in result)
        return QueryResult("select", variables=names, rows=rows)
    triples = tuple((convert(t.subject), convert(t.predicate), convert(t.object)) for t in result)
    return QueryResult("graph", triples=triples)  # type: ignore[arg-type]


#: public names for the pyoxigraph -> QueryResult converters (stores and endpoints use them)
ox_converter = _ox_converter
ox_result = _ox_result


class OxigraphMemoryBackend:
    """The default: an in-memory pyoxigraph store loaded from the materialised N-Quads."""

    def __init__(self, nquads: bytes | None = None, *, use_cache: bool = True) -> None:
        import pyoxigraph as ox

        from spacekg.query.written import scan

        self.store: pyoxigraph.Store = ox.Store()
        data = nquads if nquads is not None else materialised_nquads(use_cache=use_cache)
        try:
            self.store.load(data, ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError) as err:
            raise StoreError(
                f"cannot load the cached graph: {err} (delete {cache_dir()} and retry)"
            ) from None
        self.forms = scan(data)  # the literals as written, where the store changes them

    def execute(self, sparql: str) -> QueryResult:
        from spacekg.query.written import correct, prepare

        text, options = prepare(sparql, self.forms)
        try:
            result = self.store.query(text, use_default_graph_as_union=True, **options)
            return correct(_ox_result(result), sparql, self.forms)
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

        import rdflib.plugins.sparql as rdflib_sparql

        from spacekg.netguard import NetworkRefused, network_allowed

        # FROM / FROM NAMED name graphs of the dataset; rdflib would fetch them from the web
        rdflib_sparql.SPARQL_LOAD_GRAPHS = network_allowed()
        try:
            result = self.dataset.query(sparql)
        except NetworkRefused:
            raise
        except Exception as err:  # rdflib raises pyparsing's ParseException for syntax errors
            if type(err).__name__ == "ParseException":
                line, col = getattr(err, "lineno", 0), getattr(err, "col", 0)
                raise SyntaxError(f"error at {line}:{col}: {getattr(err, 'msg', err)}") from None
            if "Unknown namespace prefix" in str(err):  # rdflib's word for an undeclared prefix
                raise SyntaxError(str(err)) from None
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


def refuse_unreadable(query: StoredQuery) -> None:
    """Raise InputError for an empty query or a SPARQL Update (``query run`` is read-only)."""
    if sparqltext.is_empty(query.text):
        raise InputError(
            f"{query.source}: the query is empty (write a SELECT, ASK, CONSTRUCT or DESCRIBE query)"
        )
    update = sparqltext.update_keyword(query.text)
    if update:
        line, keyword = update
        raise InputError(
            f"{query.source}:{line}: {keyword} is a SPARQL Update; updates are not supported "
            "by 'query run', which is read-only (use SELECT, ASK, CONSTRUCT or DESCRIBE; "
            "to change a store use 'spacekg load')"
        )


def _unknown_prefix(query: StoredQuery, sparql: str, line: int, prefix: str) -> str:

    if prefix in PREFIXES:
        hint = f"declare it: PREFIX {prefix}: <{PREFIXES[prefix]}>"
    else:
        declared = list(sparqltext.prefixes(sparql)) or list(TERM_PREFIXES)
        hint = f"declare it with PREFIX or use one of: {', '.join(declared)}"
    return f"{query.source}:{line}: unknown prefix {prefix!r} ({hint})"


def run_query(
    query: StoredQuery | str,
    params: dict[str, str] | None = None,
    *,
    backend: Backend | None = None,
    allow_network: bool = False,
    engine: str = "oxigraph",
    timeout: float | None = None,
) -> QueryResult:
    """Run a stored query (a :class:`StoredQuery`, a name, a path) or SPARQL text.

    ``params`` are bound as RDF terms (see :func:`spacekg.query.catalogue.bind`). ``SERVICE`` is
    refused unless ``allow_network`` (and the network rule of :mod:`spacekg.netguard` holds for
    everything else). A syntax error raises InputError naming the file and line. The query runs
    at most ``timeout`` seconds (see :func:`spacekg.query.limits.run_bounded`).
    """
    from spacekg.netguard import allowing, armed

    with armed(), allowing(allow_network):
        return _run_query(query, params, backend, allow_network, engine, timeout)


def _run_query(
    query: StoredQuery | str,
    params: dict[str, str] | None,
    backend: Backend | None,
    allow_network: bool,
    engine: str,
    timeout: float | None,
) -> QueryResult:
    from spacekg.query.limits import check_query_limits, run_bounded

    stored = _resolve(query)
    refuse_unreadable(stored)
    check_query_limits(stored.text, stored.source)
    try:
        sparql = bind(stored, params)
    except ParameterError as err:
        if err.param.kind != "iri" or ":" in err.value:
            raise
        backend = backend if backend is not None else default_backend(engine)
        close = suggest_values(stored, err.param, err.value, backend)
        example = close or parameter_values(stored, err.param, backend)[:3]
        if not example:
            raise
        hint = f"did you mean {' or '.join(close)}?" if close else f"e.g. {', '.join(example)}"
        raise InputError(f"{err} ({hint})") from None
    if not allow_network:
        refuse_service(stored, sparql)
    backend = backend if backend is not None else default_backend(engine)
    try:
        result = run_bounded(lambda: backend.execute(sparql), timeout)
    except SyntaxError as err:
        undeclared = sparqltext.undeclared_prefixes(sparql)
        if undeclared:
            raise InputError(_unknown_prefix(stored, sparql, *undeclared[0])) from None
        message = str(err.args[0]) if err.args else str(err)
        line, col = _error_position(sparql, message)
        where = f"{stored.source}:{line}:{col}" if line else stored.source
        detail = re.sub(r"^(?:error|Parser error) at [^:]*:\d+:\s*", "", message)
        raise InputError(f"{where}: SPARQL syntax error: {detail} (fix the query)") from None
    if result.form == "select" and sparqltext.select_star(sparql):
        result = in_query_order(result, sparqltext.variables(sparql))
    return result


def in_query_order(result: QueryResult, order: list[str]) -> QueryResult:
    """``result`` with its columns in ``order`` (the variables' first appearance in the query,
    what a reader of ``SELECT *`` expects; engines sort them their own way), others after."""
    names = [v for v in order if v in result.variables]
    names += [v for v in result.variables if v not in names]
    if tuple(names) == result.variables:
        return result
    index = [result.variables.index(v) for v in names]
    rows = tuple(tuple(row[i] for i in index) for row in result.rows)
    return QueryResult("select", variables=tuple(names), rows=rows)


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


# --- what a parameter can take -----------------------------------------------------------------


def parameter_values(
    query: StoredQuery, param: Parameter, backend: Backend | None = None, limit: int = 50
) -> tuple[str, ...]:
    """The values an IRI parameter can take, as prefixed names, when the graph says so.

    A parameter named like a class of the ontology (``stance`` -> ``skg:Stance``, ``topic`` ->
    ``skg:Topic``, ``actor`` -> ``skg:Actor``) takes that class's instances (entailments
    included). Other parameters: no list (empty).
    """
    if param.kind != "iri":
        return ()
    cls = ONTOLOGY_NS + "".join(part[:1].upper() + part[1:] for part in param.name.split("_"))
    backend = backend if backend is not None else default_backend()
    return tuple(
        _first_column_names(
            backend,
            f"SELECT DISTINCT ?x WHERE {{ ?x a <{cls}> FILTER(isIRI(?x)) }} ORDER BY ?x "
            f"LIMIT {int(limit)}",
            query,
        )
    )


def _first_column_names(backend: Backend, sparql: str, query: StoredQuery) -> list[str]:
    """The IRIs in the first column of ``sparql``'s rows, as prefixed names if ``query`` knows
    the prefix; none if the backend fails (these only feed hints)."""
    try:
        result = backend.execute(sparql)
    except (SyntaxError, StoreError):
        return []
    prefixes = known_prefixes(query)
    return [short(row[0].value, prefixes) for row in result.rows if row and row[0]]


def suggest_values(
    query: StoredQuery, param: Parameter, word: str, backend: Backend | None = None
) -> tuple[str, ...]:
    """Up to three ``skgid:`` names containing ``word`` (``critical`` -> ``skgid:stance-critical``),
    the parameter's own values (see :func:`parameter_values`) first."""
    word = word.strip().lower()
    if not word or not re.fullmatch(r"[\w\-.]+", word):
        return ()
    backend = backend if backend is not None else default_backend()
    values = parameter_values(query, param, backend, limit=1000)
    close = [v for v in values if word in v.split(":", 1)[-1].lower()]
    if not close:
        needle = word.replace("\\", "").replace('"', "")
        close = _first_column_names(
            backend,
            f'SELECT DISTINCT ?x WHERE {{ ?x ?p ?o FILTER(STRSTARTS(STR(?x), "{ID_NS}") '
            f'&& CONTAINS(LCASE(STRAFTER(STR(?x), "{ID_NS}")), "{needle}")) }}',
            query,
        )
    return tuple(sorted(close, key=lambda v: (len(v), v))[:3])


def syntax_error(sparql: str) -> str | None:
    """pyoxigraph's SPARQL parser's message for ``sparql``, or None when it parses (the query is
    prepared against an empty store, never run over data; the nesting limits are checked first,
    so a query that would overflow the parser's stack is an error, not a crash)."""
    import pyoxigraph as ox

    from spacekg.query.limits import check_query_limits

    try:
        check_query_limits(sparql, "query")
    except InputError as err:
        return str(err).split(": ", 1)[-1]
    try:
        ox.Store().query(sparql)
    except SyntaxError as err:
        return str(err.args[0] if err.args else err)
    return None


def unknown_values(
    query: StoredQuery | str, params: dict[str, str] | None, backend: Backend | None = None
) -> list[str]:
    """One line per IRI parameter value that is in no triple of the graph (a typo such as
    ``skgid:japn`` otherwise just gives no rows), with the closest values the parameter takes."""
    import difflib

    from spacekg.query.catalogue import iri_term

    stored = _resolve(query)
    by_name = {p.name: p for p in stored.parameters}
    backend = backend if backend is not None else default_backend()
    out = []
    for name, value in (params or {}).items():
        param = by_name.get(name)
        if param is None or param.kind != "iri":
            continue
        iri = iri_term(param, value, stored)
        if backend.execute(f"ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} }}").boolean:
            continue
        values = parameter_values(stored, param, backend, limit=1000)
        locals_ = {v.split(":", 1)[-1]: v for v in values}
        local = short(iri[1:-1]).split(":", 1)[-1]
        close = [
            locals_[m] for m in difflib.get_close_matches(local, list(locals_), n=2, cutoff=0.7)
        ]
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        out.append(f"-p {name}={value}: {short(iri[1:-1])} is in no triple of the graph{hint}")
    return out
