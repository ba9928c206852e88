"""`spacekg validate` loads the new files into its store in another thread while it parses them
for the shapes (spacekg.shacl.loading.Twin): the report is the one reading the store gives, the
parse is used only where it gives the store's terms, and errors are the store's own."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from beside_utils import record_starts

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


# --------------------------------------------------------------------------- forked early

EARLY = sorted(
    p.name for p in FIXTURES.glob("*.ttl") if p.name != "shapes.ttl" and "[" not in p.read_text()
)


@pytest.fixture
def loads_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The new files this process loads into its store (a forked process's loads are its own)."""
    import os

    me, seen = os.getpid(), []
    real = api.load_source

    def spy(store: object, src: object) -> None:
        if os.getpid() == me and src.new:  # type: ignore[attr-defined]
            seen.append(src.path.name)  # type: ignore[attr-defined]
        real(store, src)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "load_source", spy)
    return seen


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Per checking process started: whether it started early (before the store was full)."""
    return record_starts(monkeypatch, lambda b: b._early if b._proc is not None else None)


def test_there_are_fixtures_for_the_early_process() -> None:
    assert len(EARLY) >= 4


@pytest.mark.parametrize("name", EARLY)
def test_the_early_process_loads_the_new_files_and_this_one_never_does(
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    loads_here: list[str],
    processes: list[bool],
    parsed: list[bool],
) -> None:
    monkeypatch.setattr(beside, "FORK", True)
    files = [FIXTURES / name]
    got = findings(files)
    assert processes == [True] and parsed == [True] and loads_here == []
    monkeypatch.setattr(beside, "FORK", False)  # checks in a thread, store loaded here
    assert findings(files) == got
    assert loads_here == [name]


def test_a_collection_stops_the_parse_and_this_store_is_checked(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    loads_here: list[str],
    processes: list[bool],
    parsed: list[bool],
) -> None:
    """No ``[`` nor ``_:`` in the file, so the process starts early; the list's blank nodes
    stop the parse, this process loads the file, and a second process checks its store."""
    monkeypatch.setattr(beside, "FORK", True)
    f = tmp_path / "list.ttl"
    f.write_text(
        PREFIXES + 'skgid:p1 a skg:Person ; rdfs:label "One" ; rdfs:seeAlso ( skgid:p2 ) .\n'
    )
    got = findings([f])
    assert parsed == [False] and processes == [True, False] and loads_here == ["list.ttl"]
    assert got and got == without_twin([f], monkeypatch)


def test_an_early_process_that_dies_leaves_the_checks_and_the_load_to_this_one(
    monkeypatch: pytest.MonkeyPatch, loads_here: list[str], processes: list[bool]
) -> None:
    import os

    files = [FIXTURES / "clash.ttl"]
    monkeypatch.setattr(beside, "FORK", False)
    expected = findings(files)
    loads_here.clear()
    monkeypatch.setattr(beside, "FORK", True)
    monkeypatch.setattr(beside, "_serve", lambda *args: os._exit(3))
    assert findings(files) == expected
    assert processes == [True] and loads_here == ["clash.ttl"]


def test_forks_early_only_where_no_blank_node_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(beside, "FORK", True)
    plain, labelled, anonymous = tmp_path / "a.ttl", tmp_path / "b.ttl", tmp_path / "c.ttl"
    plain.write_text(PREFIXES + "skgid:a a skg:Person .\n")
    labelled.write_text(PREFIXES + "_:x a skg:Person .\n")
    anonymous.write_text(PREFIXES + "skgid:a skg:hasEvidence [ a skg:EvidenceSpan ] .\n")
    assert beside.forks_early([plain], None) and beside.forks_early([plain], 2)
    assert not beside.forks_early([plain], 1)
    assert not beside.forks_early([plain, labelled], None)
    assert not beside.forks_early([anonymous], None)
    monkeypatch.setattr(beside, "FORK", False)  # not Linux
    assert not beside.forks_early([plain], 2)


def test_the_locator_answers_from_the_parse_as_from_the_store(tmp_path: Path) -> None:
    """Literals of the wrapped datatypes are in the store under a surrogate datatype: the
    locator looks them up there so, and finds them as the parse does."""
    import pyoxigraph as ox

    from spacekg.shacl.loading import load_into
    from spacekg.terms import Term
    from spacekg.validate import locate

    f = tmp_path / "x.ttl"
    f.write_text(PREFIXES + 'skgid:a skg:p skgid:b , "5"^^xsd:int , "7"^^xsd:integer , "t"@en .\n')
    store = ox.Store()
    load_into(store, f)
    quads = list(ox.parse(path=str(f)))
    parsed = locate.NewTerms({q.subject for q in quads}, {q.object for q in quads})
    src = locate.Source(f, str(f), locate.NEW_GRAPH + "0", new=True)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    terms = [
        Term("uri", SKGID + "a"),
        Term("uri", SKGID + "b"),
        Term("uri", SKGID + "c"),
        Term("literal", "5", xsd + "int"),
        Term("literal", "7", xsd + "integer"),
        Term("literal", "t", None, "en"),
        Term("bnode", "z"),
    ]
    by_store = locate.Locator([src], store)
    by_parse = locate.Locator([src], ox.Store(), new_terms=parsed)
    for term in terms:
        for loc in (by_store, by_parse):
            assert loc.mentions(term, src) == by_store.mentions(term, src), term
            assert loc.described_by_new(term) == by_store.described_by_new(term), term
            assert loc.anchor(term, src) == by_store.anchor(term, src), term
    assert by_store.mentions(terms[3], src) and by_store.mentions(terms[4], src)


def test_validate_leaves_nothing_frozen_from_the_collector(tmp_path: Path) -> None:
    """The engine's objects are frozen from the cyclic collector while validate runs (a server
    validating in a thread must not keep them, or anything else, frozen afterwards)."""
    import gc

    f = tmp_path / "plain.ttl"
    f.write_text(PREFIXES + 'skgid:p1 a skg:Person ; rdfs:label "One" .\n')
    seen: list[int] = []
    real = api._report

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_freeze_count())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    api._report = spy  # type: ignore[assignment]
    try:
        api.validate([f])
    finally:
        api._report = real  # type: ignore[assignment]
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0


# --------------------------------------------------------------------------- literals as written

OA = "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
SELECTOR = (
    PREFIXES
    + OA
    + "skgid:sel a oa:TextPositionSelector ;\n"
    + '    oa:start "01"^^xsd:integer ;\n'
    + '    oa:end "5"^^xsd:nonNegativeInteger .\n'
)


def test_a_stopped_parse_leaves_no_triple_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[bool]
) -> None:
    """The parse gives the selector's start, then stops at the list: the data graph is the
    store's alone, not the parse's triples and the store's (which were two starts, "01" and
    a store's "1", so a maxCount result besides)."""
    f = tmp_path / "stops.ttl"
    f.write_text(SELECTOR + "skgid:sel rdfs:seeAlso ( skgid:p2 ) .\n")
    got = findings([f])
    assert parsed == [False]
    on_sel = [x for x in got if x[3] == "skgid:sel"]
    assert on_sel and not [x for x in on_sel if "MaxCount" in str(x[8])]
    assert got == without_twin([f], monkeypatch)


@pytest.mark.parametrize("blank", [False, True], ids=["parsed", "stopped-at-a-list"])
def test_literals_keep_their_written_form_on_every_path(
    blank: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store keeps "01"^^xsd:integer as "1"; every path reports the value as written."""
    f = tmp_path / "written.ttl"
    f.write_text(SELECTOR + ("skgid:sel rdfs:seeAlso ( skgid:p2 ) .\n" if blank else ""))

    def values(**kwargs: object) -> set[object]:
        report = api.validate([f], **kwargs)  # type: ignore[arg-type]
        return {x.value for x in report.findings if x.focus == "skgid:sel" and x.value}

    monkeypatch.setattr(beside, "FORK", True)
    early = values()
    assert any('"01"' in str(v) for v in early) and not any('"1"' in str(v) for v in early)
    monkeypatch.setattr(beside, "FORK", False)
    assert values() == early
    assert values(engine="pyshacl") == early
    assert values(inference="rdfs") == early
    with monkeypatch.context() as m:
        m.setattr(loading.Twin, "applies", staticmethod(lambda files: False))
        assert values() == early


@pytest.mark.parametrize("twin", [True, False], ids=["twin", "store"])
def test_text_holding_the_surrogate_namespace_is_refused_on_every_path(
    twin: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacekg.shacl.model import SURROGATE_NS

    f = tmp_path / "text.ttl"
    f.write_text(PREFIXES + f'skgid:p1 a skg:Person ; rdfs:label "{SURROGATE_NS}int" .\n')
    if not twin:
        monkeypatch.setattr(loading.Twin, "applies", staticmethod(lambda files: False))
    with pytest.raises(InputError, match="datatype written as text"):
        api.validate([f])


def test_a_parse_that_fails_stops_the_early_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: list[bool]
) -> None:
    cancelled: list[bool] = []
    real = beside.Beside.cancel

    def spy(self: beside.Beside) -> None:
        cancelled.append(self._early)
        real(self)

    monkeypatch.setattr(beside.Beside, "cancel", spy)
    monkeypatch.setattr(beside, "FORK", True)
    f = tmp_path / "broken.ttl"
    f.write_text(PREFIXES + "skgid:p1 a a a .\n")
    with pytest.raises(InputError, match=r"broken\.ttl:5:"):
        api.validate([f])
    assert processes == [True] and cancelled == [True]


def test_forks_early_sees_a_blank_node_label_cut_between_two_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(beside, "FORK", True)
    f = tmp_path / "cut.nt"
    head = b"#" + b"x" * ((1 << 20) - 3) + b"\n"  # "_" is the last byte of the first read
    f.write_bytes(head + b"_:b <http://example.org/p> <http://example.org/o> .\n")
    assert len(head) == (1 << 20) - 1
    assert not beside.forks_early([f], None)
