"""``spacekg check``: the quality gate, one line per check.

1. every file parses (ontology, shapes, each data file, each stored and check query);
2. every evidence span matches the seed (:func:`spacekg.evidence.verify_spans`);
3. every sentence of the seed is covered by a span
   (:func:`spacekg.evidence.uncovered_sentences`);
4. the OWL RL closure is consistent (:func:`spacekg.reasoning.inconsistencies`: one SPARQL
   check per OWL 2 RL rule with head ``false``, see :mod:`spacekg.reasoning.consistency`);
5. the data conforms to the shapes (:func:`spacekg.validate.api.validate`, no inference: the
   ontology is merged into the data graph);
6. every check query in ``queries/checks/`` returns no rows (over the asserted graph, as the
   checks are written);
7. the stored queries use no non-portable or slow idiom (:mod:`spacekg.query.portability`).

A check that cannot run because an earlier one failed (the graph does not parse) fails too,
saying why. :func:`run_checks` returns a :class:`QcReport`; the CLI prints and sets exit 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spacekg.errors import SpacekgError
from spacekg.project import graph_sources, queries_dir, shapes_path

if TYPE_CHECKING:
    from rdflib import Graph

MAX_DETAILS = 10


@dataclass(frozen=True)
class CheckOutcome:
    """One check: its name, whether it passed, a summary, and what went wrong."""

    name: str
    ok: bool
    summary: str
    details: tuple[str, ...] = ()

    def lines(self, max_details: int = MAX_DETAILS) -> list[str]:
        out = [f"{'ok  ' if self.ok else 'FAIL'}  {self.summary}"]
        out += [f"      {d}" for d in self.details[:max_details]]
        if len(self.details) > max_details:
            out.append(f"      ... and {len(self.details) - max_details} more")
        return out


@dataclass(frozen=True)
class QcReport:
    checks: tuple[CheckOutcome, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def check_parse(state: dict[str, Any]) -> CheckOutcome:
    from spacekg.dataset import load_dataset
    from spacekg.query.catalogue import list_checks, list_queries
    from spacekg.query.engine import syntax_error
    from spacekg.rdfio import parse_file

    problems: list[str] = []
    files = 0
    try:
        state["dataset"] = load_dataset()
        files += len(graph_sources())
    except SpacekgError as err:
        problems.append(str(err))
        # go on file by file to report every broken file, not only the first
        for source in graph_sources():
            try:
                parse_file(source.path)
            except SpacekgError as each:
                if str(each) not in problems:
                    problems.append(str(each))
    if shapes_path().is_file():
        files += 1
        try:
            parse_file(shapes_path())
        except SpacekgError as err:
            problems.append(str(err))
    queries = 0
    try:
        stored = list_queries() + list_checks()
    except SpacekgError as err:
        problems.append(str(err))
        stored = []
    warnings = [w for q in stored for w in q.header_warnings()]
    for q in stored:
        queries += 1
        try:
            from spacekg.query.sparqltext import service_clauses

            if service_clauses(q.text):
                problems.append(f"{q.source}: uses SERVICE (stored queries must stay offline)")
                continue
            error = syntax_error(_unbound(q))
        except SpacekgError as err:
            error = str(err)
        if error:
            problems.append(f"{q.source}: SPARQL syntax error: {error}")
    summary = f"every file parses ({_plural(files, 'RDF file')}, {_plural(queries, 'query')})"
    if warnings and not problems:
        summary += f", {_plural(len(warnings), 'warning')}"
        return CheckOutcome("parse", True, summary, tuple(warnings))
    if problems:
        verb = "does" if len(problems) == 1 else "do"
        summary = f"{_plural(len(problems), 'file')} {verb} not parse"
    return CheckOutcome("parse", not problems, summary, tuple(problems))


def _unbound(q: Any) -> str:
    """The query text, parameters left as variables (grlc names are valid SPARQL variables)."""
    return str(q.text)


def _graph(state: dict[str, Any]) -> Graph | None:
    if "union" not in state and state.get("dataset") is not None:
        from spacekg.dataset import union_graph

        state["union"] = union_graph(state["dataset"])
    return state.get("union")


def _skipped(name: str, what: str) -> CheckOutcome:
    return CheckOutcome(name, False, f"{what}: not checked, the graph does not parse")


def check_spans(state: dict[str, Any]) -> CheckOutcome:
    graph = _graph(state)
    if graph is None:
        return _skipped("spans", "spans match the seed")
    from spacekg.evidence import read_spans, verify_spans

    problems = verify_spans(graph)
    count = len(read_spans(graph))
    if problems:
        return CheckOutcome(
            "spans",
            False,
            f"{_plural(len(problems), 'span problem')} ({count} spans)",
            tuple(p.message for p in problems),
        )
    return CheckOutcome("spans", True, f"spans match the seed ({_plural(count, 'span')})")


def check_coverage(state: dict[str, Any]) -> CheckOutcome:
    graph = _graph(state)
    if graph is None:
        return _skipped("coverage", "every sentence covered")
    from spacekg.evidence import load_seeds, split_sentences, uncovered_sentences

    seeds = load_seeds()
    total = sum(len(split_sentences(s.text)) for s in seeds)
    missing = []
    for seed in seeds:
        for sent in uncovered_sentences(graph, seed):
            text = sent.text if len(sent.text) <= 80 else sent.text[:77] + "..."
            missing.append(f"{seed.path.name}:{sent.line}: [{sent.start}:{sent.end}] {text!r}")
    if missing:
        return CheckOutcome(
            "coverage",
            False,
            f"{_plural(len(missing), 'sentence')} of {total} not covered by a span",
            tuple(missing),
        )
    return CheckOutcome("coverage", True, f"every sentence covered ({_plural(total, 'sentence')})")


def check_consistency(state: dict[str, Any]) -> CheckOutcome:
    graph = _graph(state)
    if graph is None:
        return _skipped("consistency", "OWL RL closure consistent")
    from spacekg.reasoning import inconsistencies, reason

    inference = reason(graph, "owlrl")
    messages = inconsistencies(graph, inference)
    state["inferred_count"] = len(inference.inferred)
    if messages:
        return CheckOutcome(
            "consistency",
            False,
            f"OWL RL closure inconsistent ({_plural(len(messages), 'problem')})",
            tuple(messages),
        )
    return CheckOutcome(
        "consistency",
        True,
        f"OWL RL closure consistent ({state['inferred_count']} inferred triples)",
    )


def check_shapes(state: dict[str, Any]) -> CheckOutcome:
    if _graph(state) is None:
        return _skipped("shapes", "data conforms to the shapes")
    if not shapes_path().is_file():
        return CheckOutcome("shapes", False, f"no shapes file at {shapes_path()}")
    from spacekg.validate.api import render_text, validate
    from spacekg.validate.report import verdict

    report = validate()
    said = verdict(report)  # the words `spacekg validate` prints for the same data
    if report.fails("violation"):
        details = [line for line in render_text(report, limit=0).splitlines() if line.strip()]
        return CheckOutcome(
            "shapes",
            False,
            f"data {said.replace('does not conform', 'does not conform to the shapes', 1)} "
            f"({report.engine})",
            tuple(details),
        )
    said = said.replace("conforms", "conforms to the shapes", 1)
    return CheckOutcome("shapes", True, f"data {said} ({report.engine})")


def check_queries(state: dict[str, Any]) -> CheckOutcome:
    if state.get("dataset") is None:
        return _skipped("checks", "check queries return no rows")
    from spacekg.dataset.export import graph_lines, nquads_bytes
    from spacekg.query.catalogue import list_checks
    from spacekg.query.engine import OxigraphMemoryBackend, run_query
    from spacekg.query.render import default_prefixes, short

    checks = list_checks(queries_dir() / "checks")
    backend = OxigraphMemoryBackend(nquads_bytes(graph_lines(state["dataset"]).items()))
    failures: list[str] = []
    fired = 0
    for q in checks:
        try:
            result = run_query(q, backend=backend)
        except SpacekgError as err:
            failures.append(str(err))
            fired += 1
            continue
        if result.form == "ask" and result.boolean:
            failures.append(f"{q.name}: true ({q.summary})")
            fired += 1
        elif result.rows:
            fired += 1
            failures.append(f"{q.name}: {_plural(len(result.rows), 'row')} ({q.summary})")
            prefixes = default_prefixes()
            for row in result.rows[:3]:
                failures.append("  " + "  ".join(short(t, prefixes) for t in row))
    if fired:
        return CheckOutcome(
            "checks",
            False,
            f"{fired} of {_plural(len(checks), 'check query')} returned rows",
            tuple(failures),
        )
    return CheckOutcome(
        "checks", True, f"check queries return no rows ({_plural(len(checks), 'query')})"
    )


def check_portability(state: dict[str, Any]) -> CheckOutcome:
    """The stored queries use no idiom that answers differently on other stores, or that is
    slow on a large one (:mod:`spacekg.query.portability`)."""
    from spacekg.query.catalogue import query_paths
    from spacekg.query.portability import lint_queries

    findings = lint_queries()
    count = _plural(len(query_paths()), "query")
    if findings:
        return CheckOutcome(
            "portability",
            False,
            f"{_plural(len(findings), 'non-portable or slow idiom')} in the stored queries",
            tuple(f.message for f in findings),
        )
    return CheckOutcome("portability", True, f"stored queries are portable ({count})")


CHECKS: tuple[Callable[[dict[str, Any]], CheckOutcome], ...] = (
    check_parse,
    check_spans,
    check_coverage,
    check_consistency,
    check_shapes,
    check_queries,
    check_portability,
)


def run_checks(progress: Callable[[str], None] | None = None) -> QcReport:
    """Run every check in order; ``progress`` gets each printed line as soon as it is known."""
    state: dict[str, Any] = {}
    outcomes = []
    for check in CHECKS:
        try:
            outcome = check(state)
        except SpacekgError as err:
            name = check.__name__.removeprefix("check_")
            outcome = CheckOutcome(name, False, f"{name}: could not run: {err}")
        outcomes.append(outcome)
        if progress:
            for line in outcome.lines():
                progress(line)
    return QcReport(tuple(outcomes))
