"""The ontology is inside OWL 2 DL and OWL 2 RL by the OWL API's own profile checkers (Debian
``libowlapi-java``, OWL API 5.1), run by ``scripts/owl-profile/owl-profile.sh``.

owlrl reasons over anything and never says that an ontology leaves the profile; the OWL API does
(undeclared entities, punning, class expressions outside RL). Without Java or the OWL API these
tests skip with the reason; with ``SPACEKG_REQUIRE_OWLAPI=1`` (CI installs both) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from spacekg.project import bundle_root, ontology_path

SCRIPT = bundle_root() / "scripts" / "owl-profile" / "owl-profile.sh"
OWLAPI_JAR = Path("/usr/share/java/owlapi-distribution.jar")

pytestmark = pytest.mark.slow  # one JVM start (about 3 s) per run


def _require_owlapi() -> None:
    missing = []
    if shutil.which("java") is None:
        missing.append("java (Debian: default-jdk-headless)")
    if not OWLAPI_JAR.is_file():
        missing.append(f"{OWLAPI_JAR} (Debian: libowlapi-java)")
    if shutil.which("dpkg") is None or shutil.which("apt-cache") is None:
        missing.append("dpkg and apt-cache (the class path is built from the package lists)")
    if not missing:
        return
    reason = "OWL API profile check needs " + ", ".join(missing)
    if os.environ.get("SPACEKG_REQUIRE_OWLAPI"):
        pytest.fail(f"SPACEKG_REQUIRE_OWLAPI is set but: {reason}")
    pytest.skip(reason)


def check(*paths: Path) -> subprocess.CompletedProcess[str]:
    _require_owlapi()
    return subprocess.run(
        [str(SCRIPT), *map(str, paths)], capture_output=True, text=True, timeout=300, check=False
    )


def violations(out: str) -> list[str]:
    return [line for line in out.splitlines() if not line.endswith(" violation(s)")]


def test_the_ontology_is_in_owl2_dl_and_owl2_rl() -> None:
    path = ontology_path()
    run = check(path)
    assert violations(run.stdout) == [], run.stdout
    assert run.stdout.splitlines() == [
        f"{path}: OWL2_DL: 0 violation(s)",
        f"{path}: OWL2_RL: 0 violation(s)",
    ], run.stderr
    assert run.returncode == 0, run.stderr


# What the checker caught in the ontology before its external terms were declared: a pun on
# dcterms:creator (the header's annotation and the parent of skg:issuedBy) and undeclared terms.
BROKEN = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ex: <http://example.org/onto#> .

<http://example.org/onto> a owl:Ontology ;
    dcterms:creator "someone" .

ex:Actor a owl:Class ;
    rdfs:subClassOf prov:Agent .

ex:issuedBy a owl:ObjectProperty ;
    rdfs:subPropertyOf dcterms:creator .
"""

# Outside RL but inside DL: an existential restriction as a superclass.
NOT_RL = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/onto#> .

<http://example.org/onto> a owl:Ontology .
ex:Treaty a owl:Class ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:hasParty ;
        owl:someValuesFrom ex:State ] .
ex:State a owl:Class .
ex:hasParty a owl:ObjectProperty .
"""


def test_the_checker_reports_puns_and_undeclared_terms(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(BROKEN, encoding="utf-8")
    run = check(path)
    assert run.returncode == 1, run.stderr
    found = violations(run.stdout)
    kinds = {line.split(": ")[2] for line in found}
    assert {"IllegalPunning", "UseOfUndeclaredClass"} <= kinds, found
    assert any("prov#Agent" in line for line in found)
    assert f"{path}: OWL2_RL: 0 violation(s)" not in run.stdout


def test_the_checker_tells_rl_from_dl(tmp_path: Path) -> None:
    path = tmp_path / "not-rl.ttl"
    path.write_text(NOT_RL, encoding="utf-8")
    run = check(path)
    assert run.returncode == 1, run.stderr
    assert f"{path}: OWL2_DL: 0 violation(s)" in run.stdout.splitlines()
    rl = [line for line in violations(run.stdout) if ": OWL2_RL: " in line]
    assert rl and all("someValuesFrom" in line or "ObjectSomeValuesFrom" in line for line in rl), rl


def test_an_unreadable_file_is_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b", encoding="utf-8")
    run = check(path)
    assert run.returncode == 3, (run.stdout, run.stderr)
    assert run.stderr.startswith(f"{path}:2:9: cannot load: "), run.stderr
    assert len(run.stderr.splitlines()) == 1
