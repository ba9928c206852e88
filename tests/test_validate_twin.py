"""`spacekg validate` loads the new files into its store in another thread while it parses them
for the shapes (spacekg.shacl.loading.Twin): the report is the one reading the store gives, the
parse is used only where it gives the store's terms, and errors are the store's own."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from spacekg.errors import InputError
from spacekg.shacl import loading
from spacekg.validate import api, beside

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
CASES = sorted(p.name for p in FIXTURES.glob("*.ttl") if p.name != "shapes.ttl")
SKGID = "https://w3id.org/spacekg/id/"
PREFIXES = (
    "@prefix skg: <https://w3id.org/spacekg/ontology#> .\n"
    f"@prefix skgid: <{SKGID}> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


def findings(files: list[Path]) -> list[tuple[object, ...]]:
    report = api.validate(files)
    return [
        (f.file, f.line, f.severity, f.focus, f.path, f.message, f.hint, f.value, f.component)
        for f in report.findings
    ]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per twin: True when its parse gave the data graph, False when it stopped."""
    seen: list[bool] = []
    original = loading.Twin._parsed

    def spy(self: loading.Twin):  # type: ignore[no-untyped-def]
        try:
            yield from original(self)
        except loading._Differs:
            seen.append(False)
            raise
        seen.append(True)

    monkeypatch.setattr(loading.Twin, "_parsed", spy)
    return seen


def without_twin(files: list[Path], monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as m:
        m.setattr(loading.Twin, "applies", staticmethod(lambda files: False))
        return findings(files)


@pytest.mark.parametrize("fork", [True, False], ids=["forked-checks", "threaded-checks"])
@pytest.mark.parametrize("name", CASES)
def test_the_twin_reports_what_reading_the_store_reports(
    name: str, fork: bool, monkeypatch: pytest.MonkeyPatch, parsed: list[bool]
) -> None:
    monkeypatch.setattr(beside, "FORK", fork)
    files = [FIXTURES / name]
    with_twin = findings(files)
    assert len(parsed) == 1  # a twin ran, and either used its parse or stopped it
    assert with_twin == without_twin(files, monkeypatch)


def test_a_file_without_blank_nodes_is_validated_from_its_parse(
    tmp_path: Path, parsed: list[bool]
) -> None:
    f = tmp_path / "plain.ttl"
    f.write_text(PREFIXES + 'skgid:p1 a skg:Person ; rdfs:label "One" .\n')
    assert findings([f]) and parsed == [True]


def test_blank_nodes_are_validated_from_the_store_and_located_at_their_anchor(
    tmp_path: Path, parsed: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "blank.ttl"
    f.write_text(
        PREFIXES
        + 'skgid:p1 a skg:Person ; rdfs:label "One" .\n'
        + "skgid:p2 a skg:Person ;\n"
        + '    rdfs:label "Two" ;\n'
        + "    skg:hasEvidence [ a skg:EvidenceSpan ] .\n"
    )
    got = findings([f])
    assert parsed == [False]  # a store renames blank nodes: the parse's would not match
    blank = [x for x in got if str(x[3]).startswith("[] (a blank node of skgid:p2)")]
    assert blank and all(x[1] == 6 for x in blank)  # the line of skgid:p2, the anchor
    assert got == without_twin([f], monkeypatch)


def test_datatype_text_in_a_string_is_still_refused(tmp_path: Path, parsed: list[bool]) -> None:
    """The store holds such a literal rewritten (see load_into): the twin stops its parse, so
    validate says what reading the store says, not a report over another graph."""
    f = tmp_path / "text.ttl"
    f.write_text(PREFIXES + 'skgid:p1 a skg:Person ; rdfs:label "^^xsd:byte" .\n')
    with pytest.raises(InputError, match="datatype written as text"):
        api.validate([f])
    assert parsed == [False]


def test_a_syntax_error_is_the_stores_and_no_load_is_left_running(tmp_path: Path) -> None:
    f = tmp_path / "broken.ttl"
    f.write_text(PREFIXES + 'skgid:p1 a skg:Person ;\n    rdfs:label "One" .\nskgid:p2 a a a .\n')
    with pytest.raises(InputError, match=r"broken\.ttl:7:"):
        api.validate([f])
    assert not [t for t in threading.enumerate() if t.name == "spacekg-load"]


def test_the_fast_engines_index_keeps_one_object_per_term() -> None:
    """A parse gives a new object for every occurrence of a term; the index keeps the first."""
    import pyoxigraph as ox

    from spacekg.shacl.fast import Data

    def node(x: str) -> ox.NamedNode:
        return ox.NamedNode("http://example.org/" + x)

    triples = [(node("s"), node("p"), node("o")), (node("s"), node("q"), node("o"))]
    data = Data(triples)
    s_p = next(iter(data.out_index(node("p"))))
    s_q = next(iter(data.out_index(node("q"))))
    assert s_p is s_q
    assert data.out_index(node("p"))[s_p][0] is data.out_index(node("q"))[s_q][0]
