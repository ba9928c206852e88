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


def test_rdfxml_external_entity_is_not_resolved(tmp_path: Path, no_network: list) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-CONTENT-42")
    f = tmp_path / "xxe.rdf"
    f.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "{secret.as_uri()}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '  <rdf:Description rdf:about="https://w3id.org/spacekg/id/xxe-test">\n'
        '    <rdfs:label xml:lang="en">&secret;</rdfs:label>\n'
        "  </rdf:Description>\n</rdf:RDF>\n"
    )
    for fmt in ("text", "json", "turtle"):
        code, out, err = run("validate", str(f), "--format", fmt)
        assert "TOPSECRET" not in out + err
        assert code in (0, 1, 3)
        if code == 3:
            one_error_line(err)
    assert no_network == []


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
