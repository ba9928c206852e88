"""Golden results of the stored queries: read, write, normalise, compare.

A golden is ``tests/golden/NAME.srj``: W3C SPARQL 1.1 Query Results JSON for the stored query
``queries/NAME.rq`` run with its ``#+ defaults:``. Comparison is order-insensitive unless the
query has a top-level ``ORDER BY``. Blank nodes are compared by structure: each blank node label
is replaced by the order of its first appearance (after sorting rows on their other terms), so
``_:b0`` and ``_:x`` match. A plain literal and an ``xsd:string`` literal are the same.

Any backend (the default engine, an embedded store, a server) can be checked with
:func:`assert_matches_golden`; :func:`reference_result` runs a query with rdflib over the
ontology + data + their OWL RL closure, independently of spacekg's engine, for cross-checks.

Regenerate a golden ONLY after reading every row against the article:
``.venv/bin/python tests/golden_utils.py NAME`` prints the result as SRJ (it writes nothing).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

from spacekg.project import graph_sources, queries_dir
from spacekg.terms import QueryResult, Term

GOLDEN_DIR = Path(__file__).parent / "golden"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# --------------------------------------------------------------------------- SRJ <-> QueryResult


def term_from_json(obj: dict[str, str]) -> Term:
    kind = obj["type"]
    if kind == "typed-literal":  # SPARQL JSON from old endpoints
        kind = "literal"
    if kind not in ("uri", "literal", "bnode"):
        raise ValueError(f"unknown SPARQL JSON term type {kind!r}")
    return Term(kind, obj["value"], obj.get("datatype"), obj.get("xml:lang"))  # type: ignore[arg-type]


def term_to_json(term: Term) -> dict[str, str]:
    out: dict[str, str] = {"type": term.kind, "value": term.value}
    if term.lang:
        out["xml:lang"] = term.lang
    elif term.datatype and term.datatype != XSD_STRING:
        out["datatype"] = term.datatype
    return out


def load_golden(path: Path) -> QueryResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    if "boolean" in data:
        return QueryResult("ask", boolean=bool(data["boolean"]))
    variables = tuple(data["head"]["vars"])
    rows = tuple(
        tuple(term_from_json(binding[v]) if v in binding else None for v in variables)
        for binding in data["results"]["bindings"]
    )
    return QueryResult("select", variables=variables, rows=rows)


def result_to_srj(result: QueryResult) -> str:
    """A QueryResult as pretty, stable SPARQL JSON (the golden file format)."""
    if result.form == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2) + "\n"
    if result.form != "select":
        raise ValueError("goldens hold SELECT or ASK results only")
    bindings = [
        {v: term_to_json(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    doc = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- normalising


def _norm_term(t: Term | None) -> Term | None:
    if t is None:
        return None
    if t.kind == "literal":
        dt = None if t.datatype in (XSD_STRING, RDF_LANGSTRING) or t.lang else t.datatype
        return Term("literal", t.value, dt, t.lang.lower() if t.lang else None)
    return t


def _sort_key(row: tuple[Term | None, ...]) -> tuple[Any, ...]:
    return tuple(
        ("", "", "", "")
        if t is None
        else (
            "~" if t.kind == "bnode" else t.kind,
            t.value if t.kind != "bnode" else "",
            t.datatype or "",
            t.lang or "",
        )
        for t in row
    )


def normalise(result: QueryResult, ordered: bool) -> list[tuple[Term | None, ...]]:
    """Rows in a comparable form: literals normalised, blank nodes relabelled by structure,
    and (unless ``ordered``) sorted."""
    rows = [tuple(_norm_term(t) for t in row) for row in result.rows]
    if not ordered:
        rows.sort(key=_sort_key)
    labels: dict[str, str] = {}
    out = []
    for row in rows:
        new = []
        for t in row:
            if t is not None and t.kind == "bnode":
                t = Term("bnode", labels.setdefault(t.value, f"b{len(labels)}"))
            new.append(t)
        out.append(tuple(new))
    if not ordered:
        out.sort()
    return out


def is_ordered(sparql: str) -> bool:
    """True if the query's outermost SELECT has an ORDER BY (comments and strings ignored)."""
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', sparql)
    text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    depth = 0
    last_close = -1
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                last_close = i
    return bool(re.search(r"\bORDER\s+BY\b", text[last_close + 1 :], re.IGNORECASE))


def diff_results(actual: QueryResult, expected: QueryResult, ordered: bool) -> list[str]:
    """Human-readable differences; empty when the results match."""
    if expected.form == "ask":
        if actual.boolean != expected.boolean:
            return [f"ASK: expected {expected.boolean}, got {actual.boolean}"]
        return []
    if list(actual.variables) != list(expected.variables):
        return [f"variables: expected {list(expected.variables)}, got {list(actual.variables)}"]
    a, e = normalise(actual, ordered), normalise(expected, ordered)
    if a == e:
        return []

    def show(row: tuple[Term | None, ...]) -> str:
        return " | ".join("-" if t is None else t.n3() for t in row)

    problems = []
    if ordered and sorted(a, key=str) == sorted(e, key=str):
        problems.append("same rows, different order:")
        problems += [
            f"  expected {show(x)}\n  got      {show(y)}"
            for x, y in zip(e, a, strict=True)
            if x != y
        ]
        return problems
    missing = [r for r in e if r not in a]
    extra = [r for r in a if r not in e]
    problems += [f"missing: {show(r)}" for r in missing]
    problems += [f"unexpected: {show(r)}" for r in extra]
    if not missing and not extra:
        problems.append(f"row counts differ: expected {len(e)}, got {len(a)}")
    return problems


def golden_problems(result: QueryResult, name: str, sparql: str | None = None) -> list[str]:
    """How ``result`` differs from ``tests/golden/NAME.srj`` (empty: it matches). The order
    counts only if the stored query (or ``sparql``) has a top-level ORDER BY."""
    if sparql is None:
        sparql = (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    expected = load_golden(GOLDEN_DIR / f"{name}.srj")
    return diff_results(result, expected, is_ordered(sparql))


def assert_matches_golden(result: QueryResult, name: str, sparql: str | None = None) -> None:
    """Assert ``result`` equals ``tests/golden/NAME.srj`` (order-insensitive unless ordered)."""
    problems = golden_problems(result, name, sparql)
    assert not problems, f"{name}: result differs from its golden:\n" + "\n".join(problems)


def golden_names() -> list[str]:
    return sorted(p.stem for p in GOLDEN_DIR.glob("*.srj"))


def query_names() -> list[str]:
    return sorted(p.stem for p in queries_dir().glob("*.rq"))


# --------------------------------------------------------------------------- reference runner


@functools.lru_cache(maxsize=1)
def reference_graph() -> Any:
    """ontology + data + their full owlrl OWL RL closure, in one rdflib Graph (cached)."""
    import owlrl
    from rdflib import Graph

    g = Graph()
    for source in graph_sources():
        g.parse(source.path, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


def _term(node: Any) -> Term | None:
    from rdflib import BNode, Literal, URIRef

    if node is None:
        return None
    if isinstance(node, URIRef):
        return Term("uri", str(node))
    if isinstance(node, BNode):
        return Term("bnode", str(node))
    assert isinstance(node, Literal)
    return Term("literal", str(node), str(node.datatype) if node.datatype else None, node.language)


def reference_result(name: str, params: dict[str, str] | None = None) -> QueryResult:
    """Run stored query NAME (bound by spacekg.query.catalogue, with its defaults) with rdflib over
    the reference graph: independent of spacekg.query.engine's store and reasoning filter."""
    from spacekg.query.catalogue import bind, get_query

    res = reference_graph().query(bind(get_query(name), params))
    if res.type == "ASK":
        return QueryResult("ask", boolean=bool(res.askAnswer))
    variables = tuple(str(v) for v in res.vars)
    rows = tuple(tuple(_term(r[v]) for v in res.vars) for r in res)
    return QueryResult("select", variables=variables, rows=rows)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"# {arg}")
        print(result_to_srj(reference_result(arg)), end="")
