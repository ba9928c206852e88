"""Bad input to `spacekg validate`: one clear line on stderr and the documented exit code.

Exit codes: 3 bad input (empty, not UTF-8, syntax error, unknown format, remote JSON-LD context,
an XML external entity), 1 not conformant, 0 conformant. Nothing ever reaches the network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from spacekg.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
SHAPES = str(FIXTURES / "shapes.ttl")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("spacekg: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record (and refuse) every attempt to open a network connection."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object, *args: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    def refuse_create(address: object, *args: object, **kwargs: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse_create)
    return attempts


def test_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "empty.ttl"
    f.write_text("")
    code, out, err = run("validate", str(f))
    assert code == 3
    assert out == ""
    line = one_error_line(err)
    assert str(f) in line
    assert "empty" in line


def test_not_utf8(tmp_path: Path) -> None:
    f = tmp_path / "latin1.ttl"
    f.write_bytes(b'@prefix ex: <http://example.org/> .\nex:a ex:p "caf\xe9" .\n')
    code, _, err = run("validate", str(f))
    assert code == 3
    line = one_error_line(err)
    assert f"{f}:2:" in line
    assert "UTF-8" in line


def test_turtle_syntax_error_names_file_line_col(tmp_path: Path) -> None:
    f = tmp_path / "syntax.ttl"
    f.write_text('@prefix ex: <http://example.org/> .\nex:a ex:p "x" ;\n   ex:q ex:b ex:c .\n')
    code, _, err = run("validate", str(f))
    assert code == 3
    line = one_error_line(err)
    assert f"{f}:3:14:" in line  # where `ex:c` starts
    assert "syntax error" in line


@pytest.mark.parametrize("name", ["state.nt", "state.jsonld", "state.rdf"])
def test_other_rdf_formats_are_accepted_and_located(name: str) -> None:
    """Regression (state.rdf): an RDF/XML file declaring encoding="utf-8" once crashed the
    parser's encoding check (bytes compared with str), an internal error instead of a result."""
    f = FIXTURES / "formats" / name
    code, out, err = run("validate", str(f), "--shapes", SHAPES)
    assert code == 1, err  # parsed and validated: the state has no evidence
    first = out.splitlines()[0]
    lines = f.read_text().splitlines()
    expected = next(
        i for i, t in enumerate(lines, 1) if "https://w3id.org/spacekg/id/example-land" in t
    )
    assert first.startswith(f"{f}:{expected}: violation: skgid:example-land: skg:hasEvidence:")


@pytest.mark.parametrize("suffix", [".csv", ".yaml", ".n3x", ""])
def test_other_formats_are_refused_by_name(tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"data{suffix}"
    f.write_text("a,b\n")
    code, _, err = run("validate", str(f))
    assert code == 3
    line = one_error_line(err)
    assert str(f) in line
    assert (suffix or "extension-less") in line


XXE_CASES = {
    # name: (the DOCTYPE, the declaration as the message quotes it)
    "system": ('<!DOCTYPE rdf:RDF [\n  <!ENTITY secret SYSTEM "{uri}">\n]>',
               "an external entity 'secret' (SYSTEM \"{uri}\")"),
    "public": ('<!DOCTYPE rdf:RDF [\n  <!ENTITY secret PUBLIC "-//X//Secret//EN" "{uri}">\n]>',
               "an external entity 'secret' (PUBLIC \"-//X//Secret//EN\" \"{uri}\")"),
    "parameter": ('<!DOCTYPE rdf:RDF [\n  <!ENTITY % secret SYSTEM "{uri}">\n  %secret;\n]>',
                  "an external parameter entity 'secret' (SYSTEM \"{uri}\")"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(XXE_CASES))
def test_rdfxml_external_entity_is_refused_not_resolved(
    tmp_path: Path, no_network: list, case: str
) -> None:
    """Regression: this said ``RDF/XML syntax error: <!ENTITY values should be enclosed in double
    quotes (fix the file)``, which sends the user to fix the wrong thing."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-CONTENT-42")
    doctype, declared = (t.format(uri=secret.as_uri()) for t in XXE_CASES[case])
    f = tmp_path / "xxe.rdf"
    f.write_text(
        '<?xml version="1.0"?>\n'
        f"{doctype}\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '  <rdf:Description rdf:about="https://w3id.org/spacekg/id/xxe-test">\n'
        '    <rdfs:label xml:lang="en">&secret;</rdfs:label>\n'
        "  </rdf:Description>\n</rdf:RDF>\n"
    )
    expected = (
        f"spacekg: error: {f}:3: RDF/XML declares {declared}; spacekg never resolves external "
        "entities \u2014 inline the value or remove the declaration"
    )
    for args in (("validate", str(f), "--format", fmt) for fmt in ("text", "json", "turtle")):
        code, out, err = run(*args)
        assert "TOPSECRET" not in out + err
        assert code == 3, out + err
        assert one_error_line(err) == expected
        assert out == ""
    # the diff command parses RDF/XML the same way
    code, out, err = run("diff", str(f), str(f))
    assert code == 3 and "TOPSECRET" not in out + err
    assert one_error_line(err) == expected
    assert no_network == []


def test_rdfxml_external_dtd_is_refused(tmp_path: Path, no_network: list) -> None:
    f = tmp_path / "dtd.rdf"
    f.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "http://example.org/rdf.dtd">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    )
    code, _, err = run("validate", str(f))
    assert code == 3
    assert one_error_line(err) == (
        f'spacekg: error: {f}:2: RDF/XML names an external DTD (SYSTEM "http://example.org/rdf.dtd")'
        "; spacekg never fetches it \u2014 inline the declarations or remove the reference"
    )
    assert no_network == []


def test_rdfxml_internal_entities_are_fine(tmp_path: Path) -> None:
    """Only external entities are refused: RDF/XML often abbreviates namespaces with internal
    ones, and a `<!ENTITY` written in a comment is no declaration."""
    f = tmp_path / "internal.rdf"
    f.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        '  <!ENTITY skgid "https://w3id.org/spacekg/id/">\n'
        '  <!ENTITY skg "https://w3id.org/spacekg/ontology#">\n]>\n'
        "<!-- <!ENTITY not-one SYSTEM 'file:///etc/passwd'> -->\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '  <rdf:Description rdf:about="&skgid;entity-test">\n'
        '    <rdf:type rdf:resource="&skg;State"/>\n'
        '    <rdfs:label xml:lang="en">entity test (example)</rdfs:label>\n'
        "  </rdf:Description>\n</rdf:RDF>\n"
    )
    code, out, err = run("validate", str(f), "--shapes", SHAPES)
    assert code == 1, err  # parsed and validated: the state has no evidence
    # located where the entity-abbreviated IRI is written (not `?`)
    line = next(i for i, t in enumerate(f.read_text().splitlines(), 1) if "&skgid;" in t)
    assert f"{f}:{line}: violation: skgid:entity-test: skg:hasEvidence:" in out, out


def test_jsonld_remote_context_is_not_fetched(tmp_path: Path, no_network: list) -> None:
    f = tmp_path / "remote.jsonld"
    f.write_text(
        '{"@context": "http://example.org/context.jsonld",'
        ' "@id": "https://w3id.org/spacekg/id/x", "label": "x"}'
    )
    code, _, err = run("validate", str(f))
    assert code == 3
    line = one_error_line(err)
    assert "http://example.org/context.jsonld" in line
    assert "not fetched" in line
    assert no_network == []


def test_owl_imports_is_not_fetched_but_reported(tmp_path: Path, no_network: list) -> None:
    f = tmp_path / "imports.ttl"
    f.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/spacekg/id/extension> a owl:Ontology ;\n"
        '    rdfs:label "an extension (example)"@en ;\n'
        "    owl:imports <http://example.org/remote-ontology.owl> .\n"
    )
    code, out, err = run("validate", str(f), "--shapes", SHAPES)
    assert code == 0, out + err  # a warning only
    warn = [t for t in out.splitlines() if "owl:imports" in t]
    assert len(warn) == 1
    assert warn[0].startswith(f"{f}:5: warning: ")
    assert "<http://example.org/remote-ontology.owl> is not fetched" in warn[0]
    assert run("validate", str(f), "--shapes", SHAPES, "--fail-on", "warning")[0] == 1
    assert no_network == []


def write_synthetic_ntriples(path: Path, triples: int, every: int = 100) -> int:
    """States with label, type, Wikidata link and evidence; every ``every``-th lacks evidence.

    Returns how many states lack evidence (the violations the shapes must find)."""
    states = triples // 4
    missing = 0
    t = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    match = "<http://www.w3.org/2004/02/skos/core#exactMatch>"
    ev = "<https://w3id.org/spacekg/ontology#hasEvidence>"
    note = "<http://www.w3.org/2004/02/skos/core#note>"
    with path.open("w") as fh:
        for i in range(states):
            s = f"<https://w3id.org/spacekg/id/generated-state-{i}>"
            fh.write(f"{s} {t} <https://w3id.org/spacekg/ontology#State> .\n")
            fh.write(f'{s} {label} "generated state {i}"@en .\n')
            fh.write(f"{s} {match} <http://www.wikidata.org/entity/Q{10_000_000 + i}> .\n")
            if i % every:
                fh.write(f"{s} {ev} <https://w3id.org/spacekg/id/span-byline> .\n")
            else:
                fh.write(f'{s} {note} "no evidence" .\n')
                missing += 1
    return missing


@pytest.mark.slow
def test_a_million_triples_in_bounded_memory(tmp_path: Path) -> None:
    """No crash, every seeded violation found, peak RSS under 2 GB (measured with wait4).

    SPACEKG_BIG_TRIPLES=40000 makes it quick; the default is a million triples."""
    triples = int(os.environ.get("SPACEKG_BIG_TRIPLES", "1000000"))
    big = tmp_path / "big.nt"
    missing = write_synthetic_ntriples(big, triples)
    # the bundled shapes: the generated states conform to them except the seeded violations
    cmd = [sys.executable, "-m", "spacekg", "validate", str(big), "--format", "json"]
    started = time.perf_counter()
    out_path = tmp_path / "out.json"
    with out_path.open("w") as out, (tmp_path / "err.txt").open("w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024
    print(f"{triples} triples: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB")
    assert code == 1, (tmp_path / "err.txt").read_text()
    import json

    doc = json.loads(out_path.read_text())
    no_evidence = {r["focus"] for r in doc["results"] if r["path"] == "skg:hasEvidence"}
    assert len(no_evidence) == missing
    assert peak_mb < 2048
