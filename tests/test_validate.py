"""`spacekg validate`: results in context, located as file:line, explained, summarised.

The located-result tests use small, stable shapes (tests/fixtures/validate/shapes.ttl) with the
real ontology and bundled data as context; the expected results are written in the fixtures
themselves as ``# expect:`` comments on the line each result must be located at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Namespace

from spacekg.cli import main
from spacekg.project import bundle_root, shapes_path
from spacekg.validate.api import Finding, Severity, ValidationReport, render_text, validate

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
SHAPES = FIXTURES / "shapes.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+|\?): (?P<sev>violation|warning|info): (.+?): (.+?): (.+)$"
)
EXPECT = re.compile(r'^\s*(violation|warning|info)\s+(\S+)\s*(?:~"([^"]*)")?\s*$')


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def expectations(path: Path) -> set[tuple[int, str, str, str]]:
    """(line, severity, path, words) from the fixture's ``# expect:`` comments."""
    out = set()
    for n, text in enumerate(path.read_text().splitlines(), 1):
        if "# expect:" not in text:
            continue
        for item in text.split("# expect:", 1)[1].split(" | "):
            m = EXPECT.match(item)
            assert m, f"{path.name}:{n}: malformed expectation {item!r}"
            out.add((n, m.group(1).capitalize(), m.group(2), m.group(3) or ""))
    return out


def matches(f: Finding, exp: tuple[int, str, str, str]) -> bool:
    line, severity, path, words = exp
    text = f"{f.message} ({f.hint})" if f.hint else f.message
    return (f.line, f.severity, f.path or "-") == (line, severity, path) and words in text


EXPECTING = sorted(p for p in FIXTURES.glob("*.ttl") if "# expect:" in p.read_text())


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
@pytest.mark.parametrize("fixture", EXPECTING, ids=lambda p: p.stem)
def test_results_are_located_and_explained(fixture: Path, engine: str) -> None:
    expected = expectations(fixture)
    report = validate([fixture], shapes=SHAPES, engine=engine)
    assert {f.file for f in report.findings} == {str(fixture)}
    unmatched = [e for e in expected if not any(matches(f, e) for f in report.findings)]
    assert not unmatched, "\n" + render_text(report, limit=0)
    extra = [f for f in report.findings if not any(matches(f, e) for e in expected)]
    assert not extra, extra


def test_the_expectation_fixtures_cover_every_check() -> None:
    assert len(EXPECTING) >= 2
    report = validate(EXPECTING, shapes=SHAPES)
    checks = {f.shape for f in report.findings if f.shape.startswith("skgsh:")}
    for check in ("UnknownTerm", "TermTypo", "ForeignTerm", "NamespaceTypo", "DuplicateLabel",
                  "EvidenceSpan", "DisjointClasses"):  # fmt: skip
        assert f"skgsh:{check}Check" in checks, check
    assert report.fails("violation")


def test_both_engines_agree_on_the_fixture() -> None:
    fixture = FIXTURES / "new-errors.ttl"
    a = validate([fixture], shapes=SHAPES, engine="auto")
    b = validate([fixture], shapes=SHAPES, engine="pyshacl")

    def key(r: validate) -> set[tuple[str, int, str, str | None, str]]:  # type: ignore[valid-type]
        return {(f.file, f.line, f.severity, f.path, f.component) for f in r.findings}

    assert key(a) == key(b)


def test_links_to_existing_entities_resolve() -> None:
    report = validate([FIXTURES / "links-existing.ttl"], shapes=SHAPES)
    assert report.findings == (), render_text(report)


def test_existing_problems_are_not_blamed_on_new_files() -> None:
    """The bundle alone has results (states without skos:definition, in these shapes)."""
    whole = validate([], shapes=SHAPES)
    assert any(f.file == "data/actors.ttl" for f in whole.findings)
    new = validate([FIXTURES / "links-existing.ttl"], shapes=SHAPES)
    assert not any(f.file.startswith("data/") for f in new.findings)


def test_new_data_breaking_an_existing_node_is_reported_there() -> None:
    report = validate([FIXTURES / "breaks-existing.ttl"], shapes=SHAPES)
    broken = [f for f in report.findings if f.focus == "skgid:quad"]
    assert len(broken) == 1, render_text(report)
    actors = (bundle_root() / "data" / "actors.ttl").read_text().splitlines()
    first = next(i for i, t in enumerate(actors, 1) if re.search(r"skgid:quad(?![\w-])", t))
    assert (broken[0].file, broken[0].line) == ("data/actors.ttl", first)
    assert "cannot be a place" in broken[0].message


@pytest.mark.parametrize(
    ("engine", "inference"),
    [("auto", "none"), ("auto", "rdfs"), ("auto", "owlrl"), ("pyshacl", "none"),
     ("fast", "none"), ("pyshacl", "owlrl")],
)  # fmt: skip
def test_a_clash_with_an_existing_entity_is_seen_with_the_bundled_shapes(
    engine: str, inference: str
) -> None:
    """Regression: `skgid:japan a skg:Place` (japan is a skg:State in data/actors.ttl, and
    skg:Place and skg:Actor are disjoint) conformed with the bundled shapes, with every engine and
    inference. The disjointness check is validate's own, so every engine reports it."""
    fixture = FIXTURES / "breaks-existing.ttl"
    code, out, err = run(
        "validate", str(fixture), "--engine", engine, "--inference", inference, "--limit", "0"
    )
    assert code == 1, out + err
    clash = [t for t in out.splitlines() if ": rdf:type: " in t]
    assert len(clash) == 1, out
    here = next(i for i, t in enumerate(fixture.read_text().splitlines(), 1) if "skg:Place" in t)
    actors = (bundle_root() / "data" / "actors.ttl").read_text().splitlines()
    there = next(i for i, t in enumerate(actors, 1) if t.startswith("skgid:japan a skg:State"))
    assert clash[0].startswith(f"{fixture}:{here}: violation: skgid:japan: rdf:type: ")
    assert f"typed skg:Place here but skg:State in data/actors.ttl:{there}" in clash[0]
    assert "skg:Place and skg:Actor (a superclass of skg:State) are disjoint" in clash[0]
    # the Turtle report carries it as a result of our own check
    code, ttl, _ = run("validate", str(fixture), "--engine", engine, "--format", "turtle")
    g = Graph().parse(data=ttl, format="turtle")
    components = set(g.objects(None, SH.sourceConstraintComponent))
    assert any(str(c).endswith("DisjointClassesCheck") for c in components)


def test_disjointness_is_read_from_the_ontology_generically(tmp_path: Path) -> None:
    """owl:disjointWith and owl:AllDisjointClasses of whatever ontology is in context, with the
    rdfs:subClassOf closure (also of classes the new file declares); a clash within the
    context alone is not blamed on the new file."""
    root = tmp_path / "kg"
    (root / "ontology").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "seeds").mkdir()
    head = (
        "@prefix ex: <http://example.org/pets#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    (root / "ontology" / "spacekg.ttl").write_text(
        head + "ex:Cat a owl:Class . ex:Dog a owl:Class . ex:Bird a owl:Class .\n"
        "ex:Cat owl:disjointWith ex:Dog .\n"
        "ex:Kitten rdfs:subClassOf ex:Cat .\n"
        "[] a owl:AllDisjointClasses ; owl:members ( ex:Bird ex:Fish ) .\n"
    )
    (root / "ontology" / "shapes.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n")
    (root / "data" / "pets.ttl").write_text(
        head + "ex:rex a ex:Dog .\nex:tweety a ex:Bird .\nex:odd a ex:Cat , ex:Dog .\n"
    )
    new = tmp_path / "new.ttl"
    new.write_text(
        head + "ex:Puppy rdfs:subClassOf ex:Dog .\n"
        "ex:rex a ex:Kitten .\n"  # line 5: Kitten < Cat, disjoint with Dog (in pets.ttl)
        "ex:tweety a ex:Fish .\n"  # line 6
        "ex:tom a ex:Kitten , ex:Puppy .\n"  # line 7: both in the new file
        "ex:odd rdfs:label 'already odd' .\n"  # the context's own clash: not reported
    )
    report = validate([new], root=root)
    clashes = sorted(
        (f.line, f.focus, f.message)
        for f in report.findings
        if f.shape.endswith("DisjointClassesCheck")
    )
    assert [(line, focus) for line, focus, _ in clashes] == [
        (5, "<http://example.org/pets#rex>"),
        (6, "<http://example.org/pets#tweety>"),
        (7, "<http://example.org/pets#tom>"),
    ], render_text(report)
    assert "Kitten> here but <http://example.org/pets#Dog> in data/pets.ttl:4" in clashes[0][2]
    assert "(a superclass of <http://example.org/pets#Kitten>)" in clashes[0][2]
    assert "Fish> here but <http://example.org/pets#Bird> in data/pets.ttl:5" in clashes[1][2]
    assert "typed both" in clashes[2][2]
    assert all(f.severity == "Violation" for f in report.findings if "Disjoint" in f.shape)
    assert report.fails()
    # the bundle alone (the data files are what is validated): the context's clash is reported
    alone = validate([], root=root)
    odd = [f for f in alone.findings if f.shape.endswith("DisjointClassesCheck")]
    assert [(f.file, f.line) for f in odd] == [("data/pets.ttl", 6)], render_text(alone)


def test_text_format_one_line_per_result_then_summary() -> None:
    fixture = FIXTURES / "new-errors.ttl"
    code, out, err = run("validate", str(fixture), "--shapes", str(SHAPES))
    assert code == 1, err
    lines = out.splitlines()
    report = validate([fixture], shapes=SHAPES)
    assert len(lines) == len(report.findings) + 1
    for text in lines[:-1]:
        m = LINE.match(text)
        assert m, text
        assert m.group("file") == str(fixture)
    c = report.counts()
    assert lines[-1].startswith(
        f"does not conform: {c['Violation']} violations, {c['Warning']} warnings, "
        f"{c['Info']} info in 1 file "
    )


def test_json_and_turtle_formats_carry_the_same_results() -> None:
    fixture = FIXTURES / "new-errors.ttl"
    report = validate([fixture], shapes=SHAPES)
    code, out, _ = run("validate", str(fixture), "--shapes", str(SHAPES), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["conforms"] is False
    assert len(doc["results"]) == len(report.findings)
    assert doc["counts"] == report.counts()
    assert {(r["line"], r["severity"]) for r in doc["results"]} == {
        (f.line, f.severity) for f in report.findings
    }
    code, out, _ = run("validate", str(fixture), "--shapes", str(SHAPES), "--format", "turtle")
    assert code == 1
    g = Graph().parse(data=out, format="turtle")
    (rep,) = list(g.subjects(RDF.type, SH.ValidationReport))
    assert not g.value(rep, SH.conforms).toPython()
    results = list(g.objects(rep, SH.result))
    assert len(results) == len(report.findings)
    for r in results:
        for p in (SH.focusNode, SH.resultSeverity, SH.sourceConstraintComponent, SH.sourceShape):
            assert g.value(r, p) is not None, p
    # deterministic
    assert run("validate", str(fixture), "--shapes", str(SHAPES), "--format", "turtle")[1] == out


def test_fail_on_levels() -> None:
    warn = str(FIXTURES / "warnings-only.ttl")
    assert run("validate", warn, "--shapes", str(SHAPES))[0] == 0
    assert run("validate", warn, "--shapes", str(SHAPES), "--fail-on", "warning")[0] == 1
    assert run("validate", warn, "--shapes", str(SHAPES), "--fail-on", "info")[0] == 1
    ok = str(FIXTURES / "links-existing.ttl")
    assert run("validate", ok, "--shapes", str(SHAPES), "--fail-on", "info")[0] == 0


def test_huge_reports_are_summarised_per_shape(tmp_path: Path) -> None:
    lines = [
        "@prefix skg: <https://w3id.org/spacekg/ontology#> .",
        "@prefix skgid: <https://w3id.org/spacekg/id/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    n = 30
    for i in range(n):
        lines.append(f'skgid:state-{i} a skg:State ; rdfs:label "state number {i}"@en .')
    big = tmp_path / "many.ttl"
    big.write_text("\n".join(lines) + "\n")
    code, out, _ = run("validate", str(big), "--shapes", str(SHAPES), "--limit", "5")
    assert code == 1
    head = out.splitlines()[0]
    assert head == f"{2 * n} results in 2 groups (shape, constraint):"
    assert f"first 5 of {n}" in out
    assert f"{n - 5} more" in out
    located = [m for m in map(LINE.match, out.splitlines()) if m]
    assert len(located) == 10
    # each state is located on its own line (line 4 + i)
    for m in located:
        i = int(re.search(r"skgid:state-(\d+)", m.group(0)).group(1))  # type: ignore[union-attr]
        assert int(m.group("line")) == 4 + i
    code, out, _ = run("validate", str(big), "--shapes", str(SHAPES), "--limit", "0")
    assert sum(1 for t in out.splitlines() if LINE.match(t)) == 2 * n


def test_inference_option_is_passed_and_reported() -> None:
    fixture = str(FIXTURES / "links-existing.ttl")
    code, out, err = run("validate", fixture, "--shapes", str(SHAPES), "--inference", "rdfs")
    assert code == 0, out + err
    assert "inference rdfs" in out.splitlines()[-1]


def test_the_bundled_graph_validates_with_its_own_shapes() -> None:
    code, out, err = run("validate")
    assert code == 0, out + err
    assert out.splitlines()[-1].startswith("conforms")


def test_several_files_each_result_in_its_own_file(tmp_path: Path) -> None:
    head = (
        "@prefix skg: <https://w3id.org/spacekg/ontology#> .\n"
        "@prefix skgid: <https://w3id.org/spacekg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    a = tmp_path / "a.ttl"
    a.write_text(head + '\n\nskgid:state-a a skg:State ; rdfs:label "A (example)"@en .\n')
    b = tmp_path / "b.ttl"
    b.write_text(head + 'skgid:state-b a skg:State ; rdfs:label "B (example)"@en .\n')
    report = validate([a, b], shapes=SHAPES)
    where = {(f.focus, f.file, f.line) for f in report.findings if f.path == "skg:hasEvidence"}
    assert where == {("skgid:state-a", str(a), 6), ("skgid:state-b", str(b), 4)}


def test_our_own_iris_are_no_namespace_typo() -> None:
    """Regression: the ontology IRI's namespace (https://w3id.org/spacekg/) once made skg:
    terms look like typos of skgid:."""
    from spacekg.project import ontology_path

    for path in (ontology_path(), shapes_path()):
        report = validate([path])
        typos = [f for f in report.findings if "NamespaceTypo" in f.shape]
        assert typos == [], render_text(report)


def test_a_folder_means_every_rdf_file_below_it() -> None:
    folder = FIXTURES / "formats"
    report = validate([folder], shapes=SHAPES)
    files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".nt", ".jsonld", ".rdf"))
    assert sorted(report.files) == files
    located = {f.file for f in report.findings if f.path == "skg:hasEvidence"}
    assert located  # the one state is described in all three files: located in the first
    assert located <= set(files)


# --------------------------------------------------------------------------- review fixes


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_the_bundled_graph_validates_with_inference(engine: str, inference: str) -> None:
    """Regression: `--inference owlrl` failed with 10 violations on owl:Thing / owl:Nothing
    (owlrl's axioms about the OWL vocabulary), each printed at ``?:?``."""
    code, out, err = run("validate", "--inference", inference, "--engine", engine)
    assert code == 0, out + err
    assert "owl:Thing" not in out and "owl:Nothing" not in out
    assert not [t for t in out.splitlines() if t.startswith("?")]
    assert out.splitlines()[-1].startswith("conforms")
    assert f"inference {inference}" in out.splitlines()[-1]


def test_a_result_in_no_file_says_where_it_came_from() -> None:
    """Regression: a focus node written in no file printed ``?:?``."""
    common = {
        "severity": Severity.VIOLATION,
        "focus": "owl:Thing",
        "path": "rdfs:label",
        "message": "needs a label",
    }
    inferred = Finding(file="(inferred)", line=0, **common)
    located = Finding(file="data/x.ttl", line=0, **common)
    text = render_text(
        ValidationReport(("data/x.ttl",), (inferred, located), "fast", "owlrl"), limit=0
    )
    lines = text.splitlines()
    assert lines[0] == "(inferred): violation: owl:Thing: rdfs:label: needs a label"
    assert lines[1].startswith("data/x.ttl:?: violation:")
    assert "?:?" not in text


def test_validate_reports_a_syntax_error_like_every_other_command(cli_bundle: Path) -> None:
    """Regression: validate said ``places.ttl:20:20: syntax error: Parser error between line 20
    column 20 and line 21 column 1: Unexpected end of file`` where the other commands say
    ``places.ttl:20:29: Turtle syntax error: newline found in string literal (fix the file)``."""
    data = cli_bundle / "data" / "article.ttl"
    lines = data.read_text().split("\n")
    n = next(i for i, t in enumerate(lines) if '"@en' in t)  # an unterminated string literal
    lines[n] = lines[n].replace('"@en', "", 1)
    data.write_text("\n".join(lines))
    errors = {}
    for args in (("export",), ("validate",), ("validate", str(data))):
        code, out, err = run(*args)
        assert code == 3, (args, out, err)
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        errors[args] = err.strip()
    first = errors[("export",)]
    assert re.search(rf"{re.escape(str(data))}:{n + 1}:\d+: Turtle syntax error: ", first), first
    assert set(errors.values()) == {first}, errors


def test_context_results_are_cached_per_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The context's own results are computed once (speed fix) and reused; a corrupt cache is
    recomputed; the cached answer is the computed one."""
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(tmp_path / "cache"))
    fixture = FIXTURES / "links-existing.ttl"
    first = validate([fixture], shapes=SHAPES)
    cached = list((tmp_path / "cache" / "validate").glob("validate-context-*.json"))
    assert len(cached) == 1
    assert json.loads(cached[0].read_text())  # the bundle alone has results in these shapes
    assert validate([fixture], shapes=SHAPES).findings == first.findings
    cached[0].write_text("{not json")
    assert validate([fixture], shapes=SHAPES).findings == first.findings
    assert json.loads(cached[0].read_text())
    validate([fixture], shapes=SHAPES, inference="rdfs")  # another key: another file
    assert len(list((tmp_path / "cache" / "validate").glob("validate-context-*.json"))) == 2


def test_lines_are_counted_across_chunks_and_long_strings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression guard for the chunked locator (speed fix): a triple-quoted string spanning
    lines, and chunk cuts, keep the line numbers right."""
    from spacekg.validate import locate as locating

    monkeypatch.setattr(locating, "_CHUNK", 64)
    head = (
        "@prefix skgid: <https://w3id.org/spacekg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    body = ['skgid:a rdfs:comment """one\nskgid:b in a string\n""" .']
    body += [f'skgid:n{i} rdfs:label "n{i}" .' for i in range(30)]
    body.append("skgid:b rdfs:label 'b' .")
    f = tmp_path / "long.ttl"
    f.write_text(head + "\n".join(body) + "\n")
    src = locating.Source(f, str(f), "urn:g", new=True)
    loc = locating.Locator([src], None)  # type: ignore[arg-type]
    iri = "https://w3id.org/spacekg/id/"
    assert loc.line_of(src, iri + "a") == 3
    assert loc.line_of(src, iri + "n29") == 35
    assert loc.line_of(src, iri + "b") == 36  # not line 4, inside the string
    assert loc.line_of(src, iri + "missing") == 0
