"""The conformance suite's cases and comparison (used by tests/test_conformance.py).

A case is a stored query run with its defaults (golden ``tests/golden/NAME.srj``), a declared
parameter variant (``tests/golden/variants/variants.json``, golden beside it), or the datatype
probe (expected: the number of ``oa:start`` values typed ``xsd:nonNegativeInteger`` in the
export, counted from its N-Triples text). Results are compared as multisets of solutions, term
by term: IRIs, lexical forms, datatypes and language tags exactly (a plain literal is an
``xsd:string``); blank nodes by structure.

Jena runs through ``tests/jena/RunQueries.java`` (one JVM per engine for all cases), over
``spacekg export``: ARQ with the merged N-Triples as its default graph, TDB2 with the N-Quads and
its union default graph.

Print a variant's result from rdflib over the OWL RL closure (to write its golden after reading
it against the article): ``.venv/bin/python tests/conformance.py NAME``; ``--write NAME ...``
writes the goldens.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from golden_utils import GOLDEN_DIR, load_golden, query_names

from spacekg.query.catalogue import bind, get_query
from spacekg.terms import QueryResult, Term

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = GOLDEN_DIR / "variants" / "variants.json"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PROBE = (
    "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    "SELECT (COUNT(*) AS ?n) { ?s oa:start ?v FILTER(DATATYPE(?v) = xsd:nonNegativeInteger) }\n"
)
PROBE_NAME = "datatype-probe"


@dataclass(frozen=True)
class Case:
    name: str
    query: str | None  # the stored query, None for the probe
    params: dict[str, str] = field(default_factory=dict)

    @property
    def sparql(self) -> str:
        if self.query is None:
            return PROBE
        return bind(get_query(self.query), self.params or None)


def variants() -> list[Case]:
    doc = json.loads(VARIANTS.read_text(encoding="utf-8"))
    return [Case(v["name"], v["query"], dict(v["params"])) for v in doc["variants"]]


def cases() -> list[Case]:
    """Every stored query with its defaults, every declared variant, and the probe."""
    return [Case(n, n) for n in query_names()] + variants() + [Case(PROBE_NAME, None)]


def probe_expected(ntriples: bytes) -> QueryResult:
    """The probe's answer, counted in the export's N-Triples text (not by a SPARQL engine)."""
    pattern = re.compile(
        rb'^\S+ <http://www\.w3\.org/ns/oa#start> "[^"]*"\^\^'
        rb"<http://www\.w3\.org/2001/XMLSchema#nonNegativeInteger> \.$",
        re.M,
    )
    n = len(pattern.findall(ntriples))
    return QueryResult(
        "select", variables=("n",), rows=((Term("literal", str(n), XSD + "integer"),),)
    )


def expected(case: Case, ntriples: bytes) -> QueryResult:
    if case.query is None:
        return probe_expected(ntriples)
    folder = GOLDEN_DIR if case.name == case.query else GOLDEN_DIR / "variants"
    return load_golden(folder / f"{case.name}.srj")


# --------------------------------------------------------------------------- comparison


def _key(t: Term | None) -> tuple[str, ...]:
    if t is None:
        return ("unbound",)
    if t.kind != "literal":
        return (t.kind, t.value)
    datatype = t.datatype or XSD + "string"
    if t.lang:
        datatype = RDF_LANGSTRING
    return ("literal", t.value, datatype, t.lang or "")


def solutions(result: QueryResult) -> Counter[tuple[tuple[str, ...], ...]]:
    """The multiset of solutions, blank nodes relabelled in order of appearance after sorting
    the rows on their other terms."""
    rows = [tuple(_key(t) for t in row) for row in result.rows]
    rows.sort(key=lambda r: tuple(("bnode",) if k[0] == "bnode" else k for k in r))
    labels: dict[str, str] = {}
    out: Counter[tuple[tuple[str, ...], ...]] = Counter()
    for row in rows:
        out[
            tuple(
                ("bnode", labels.setdefault(k[1], f"b{len(labels)}")) if k[0] == "bnode" else k
                for k in row
            )
        ] += 1
    return out


def differences(actual: QueryResult, wanted: QueryResult) -> list[str]:
    """What differs between two results as multisets of solutions (empty: equal)."""
    if list(actual.variables) != list(wanted.variables):
        return [f"variables: expected {list(wanted.variables)}, got {list(actual.variables)}"]
    a, e = solutions(actual), solutions(wanted)
    out = [f"missing ({n}x): {row}" for row, n in (e - a).items()]
    return out + [f"unexpected ({n}x): {row}" for row, n in (a - e).items()]


# --------------------------------------------------------------------------- Jena


def jena_classpath(folder: Path) -> str | None:
    """The class path for Debian's Jena (see scripts/jena-classpath.sh), None if not installed."""
    if shutil.which("java") is None or not Path("/usr/share/java/jena-arq.jar").is_file():
        return None
    done = subprocess.run(
        [str(ROOT / "scripts" / "jena-classpath.sh"), str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def run_jena(
    mode: str, classpath: str, data: Path, all_cases: list[Case], work: Path
) -> dict[str, QueryResult | str]:
    """Run every case with Jena (``arq`` over N-Triples, ``tdb2`` over N-Quads): name -> result,
    or the error Jena gave."""
    qdir, out = work / f"{mode}-queries", work / f"{mode}-results"
    qdir.mkdir(parents=True, exist_ok=True)
    for case in all_cases:
        (qdir / f"{case.name}.rq").write_text(case.sparql, encoding="utf-8")
    tdb = work / "tdb2" if mode == "tdb2" else "-"
    done = subprocess.run(
        [
            "java",
            "-cp",
            classpath,
            str(ROOT / "tests" / "jena" / "RunQueries.java"),
            mode,
            str(data),
            str(tdb),
            str(qdir),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Jena {mode} failed ({done.returncode}): {done.stderr[-2000:]}")
    results: dict[str, QueryResult | str] = {}
    for case in all_cases:
        srj, err = out / f"{case.name}.srj", out / f"{case.name}.err"
        if srj.is_file():
            results[case.name] = load_golden(srj)
        else:
            results[case.name] = err.read_text(encoding="utf-8") if err.is_file() else "no output"
    return results


def run_jena_rset(classpath: str, documents: dict[str, str], work: Path) -> dict[str, QueryResult]:
    """Read each W3C XML results document (name -> text) with Jena's reader: name -> result."""
    xml, out = work / "srx", work / "srj"
    xml.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (xml / f"{name}.srx").write_bytes(text.encode("utf-8"))
    done = subprocess.run(
        [
            "java",
            "-cp",
            classpath,
            str(ROOT / "tests" / "jena" / "RunQueries.java"),
            "rset",
            str(xml),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Jena rset failed ({done.returncode}): {done.stderr[-2000:]}")
    return {name: load_golden(out / f"{name}.srj") for name in documents}


def main(argv: list[str]) -> int:
    """``NAME ...``: print each variant's result from rdflib over the OWL RL closure (SRJ);
    ``--write NAME ...`` writes it as the variant's golden instead. Read the rows against the
    article before committing a golden."""
    from golden_utils import reference_result, result_to_srj

    write = "--write" in argv
    by_name = {c.name: c for c in variants()}
    for arg in [a for a in argv if a != "--write"]:
        case = by_name[arg]
        text = result_to_srj(reference_result(case.query or "", case.params))
        if write:
            (VARIANTS.parent / f"{arg}.srj").write_text(text, encoding="utf-8")
            print(f"wrote {VARIANTS.parent / arg}.srj", file=sys.stderr)
        else:
            print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
