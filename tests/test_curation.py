"""`spacekg source add` and `spacekg excerpt`: seeds copied, source nodes written, spans cut.

Every test works in a temporary copy of the bundle (``--root``), never in the repository.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from spacekg.cli import main
from spacekg.curation.sources import add_source, excerpt, slugify
from spacekg.errors import InputError
from spacekg.evidence import verify_spans
from spacekg.namespaces import ID_NS, ONTOLOGY_NS
from spacekg.project import bundle_root

EXAMPLE = Path(__file__).parent / "fixtures" / "curation" / "example-note.txt"
SKG = Namespace(ONTOLOGY_NS)
DCT = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("http://schema.org/")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
URL = "https://example.org/news/lunar-data"


def copy_bundle(dest: Path) -> Path:
    """A throw-away copy of the bundled graph (ontology/, data/, seeds/)."""
    src = bundle_root()
    for name in ("ontology", "data", "seeds"):
        if (src / name).is_dir():
            shutil.copytree(src / name, dest / name)
        else:
            (dest / name).mkdir(parents=True)
    return dest


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_bundle(tmp_path / "kg")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- source add


def test_source_add_copies_the_text_and_writes_the_source_node(root: Path) -> None:
    code, out, err = run(
        "source", "add", str(EXAMPLE), "--url", URL, "--author", "Ada Example",
        "--publisher", "Example Wire", "--root", str(root),
    )  # fmt: skip
    assert code == 0, err
    seed = root / "seeds" / EXAMPLE.name
    assert seed.read_bytes() == EXAMPLE.read_bytes()
    data_file = root / "data" / "source-example-note.ttl"
    g = Graph().parse(data_file, format="turtle")
    node = URIRef(ID_NS + "source-example-note")
    assert f"<{node}>" in out
    assert (node, RDF.type, SKG.SourceDocument) in g
    sha = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert g.value(node, SKG.sha256) == Literal(sha)
    assert str(g.value(node, SCHEMA.url)) == URL
    creators = [str(g.value(c, RDFS_LABEL)) for c in g.objects(node, DCT.creator)]
    assert creators == ["Ada Example"]
    assert str(g.value(g.value(node, DCT.publisher), RDFS_LABEL)) == "Example Wire"
    # nothing invented: no title, no date
    assert g.value(node, DCT.title) is None
    assert g.value(node, DCT.issued) is None
    # every node has an English label
    for s in set(g.subjects()):
        assert any(lbl.language == "en" for lbl in g.objects(s, RDFS_LABEL)), s


def test_source_add_without_publisher_validates_with_a_warning(root: Path) -> None:
    """Regression: --publisher is optional, yet the source node it wrote failed the bundled
    shapes (dcterms:publisher minCount 1 was a violation). Now: one warning, exit 0."""
    code, _, err = run(
        "source", "add", str(EXAMPLE), "--url", URL, "--author", "Ada Example",
        "--root", str(root),
    )  # fmt: skip
    assert code == 0, err
    written = root / "data" / "source-example-note.ttl"
    g = Graph().parse(written, format="turtle")
    assert g.value(URIRef(ID_NS + "source-example-note"), DCT.publisher) is None
    code, out, err = run("validate", str(written), "--root", str(root), "--format", "json")
    assert code == 0, out + err
    results = json.loads(out)["results"]
    assert not [r for r in results if r["severity"] == "Violation"], results
    publisher = [r for r in results if r["path"] == "dcterms:publisher"]
    assert len(publisher) == 1, results
    assert publisher[0]["severity"] == "Warning"
    assert publisher[0]["focus"] == "skgid:source-example-note"
    assert publisher[0]["file"] == str(written)
    assert publisher[0]["line"] == next(
        i
        for i, t in enumerate(written.read_text().splitlines(), 1)
        if t.startswith("skgid:source-example-note ")
    )
    assert "--publisher" in publisher[0]["message"]
    # with --fail-on warning the same file fails: the warning is a real finding
    assert run("validate", str(written), "--root", str(root), "--fail-on", "warning")[0] == 1


def test_source_add_is_deterministic_and_idempotent(root: Path, tmp_path: Path) -> None:
    first = add_source(EXAMPLE, url=URL, authors=["Ada Example", "Bo Sample"], root=root)
    assert set(first.changed) == {first.seed_path, first.data_path}
    written = first.data_path.read_bytes()
    again = add_source(EXAMPLE, url=URL, authors=["Bo Sample", "Ada Example"], root=root)
    assert again.changed == ()  # same bytes: a no-op
    other = add_source(
        EXAMPLE, url=URL, authors=["Ada Example", "Bo Sample"], root=copy_bundle(tmp_path / "b")
    )
    assert other.data_path.read_bytes() == written  # same input, same bytes
    assert not list((root / "data").glob(".*"))  # no temporary file left behind


def test_source_add_refuses_a_different_file_of_the_same_name(root: Path, tmp_path: Path) -> None:
    add_source(EXAMPLE, url=URL, authors=["Ada Example"], root=root)
    changed = tmp_path / EXAMPLE.name
    changed.write_text(EXAMPLE.read_text() + " One more sentence.")
    before = (root / "seeds" / EXAMPLE.name).read_bytes()
    code, _, err = run(
        "source", "add", str(changed), "--url", URL, "--author", "A", "--root", str(root)
    )
    assert code == 3
    assert "different file of that name" in err
    assert err.count("\n") == 1  # one line
    assert (root / "seeds" / EXAMPLE.name).read_bytes() == before


def test_source_add_rejects_non_utf8(root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\u00e9 diplomacy\nsecond line".encode("latin-1"))
    code, _, err = run(
        "source", "add", str(bad), "--url", URL, "--author", "A", "--root", str(root)
    )
    assert code == 3
    assert "latin1.txt:1:4: not UTF-8" in err
    assert not (root / "seeds" / "latin1.txt").exists()


def test_source_add_rejects_empty_text_and_bad_url(root: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="empty"):
        add_source(empty, url=URL, authors=["A"], root=root)
    with pytest.raises(InputError, match="not an absolute URL"):
        add_source(EXAMPLE, url="example.org/x", authors=["A"], root=root)


def test_source_add_reuses_people_already_in_the_graph(root: Path) -> None:
    (root / "data" / "zz-people.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/spacekg/id/ada> rdfs:label "Ada Example"@en .\n'
    )
    done = add_source(EXAMPLE, url=URL, authors=["ada example"], root=root)
    g = Graph().parse(done.data_path, format="turtle")
    assert list(g.objects(URIRef(done.source_iri), DCT.creator)) == [URIRef(ID_NS + "ada")]
    assert (URIRef(ID_NS + "ada"), None, None) not in g  # not described twice


# --------------------------------------------------------------------------- excerpt


@pytest.mark.parametrize(
    "quote",
    ["Republic of Nowhere", "opens a new chapter", "By Ada Example", "club for the few."],
)
def test_excerpt_offsets_match_the_text(root: Path, quote: str) -> None:
    done = add_source(EXAMPLE, url=URL, authors=["Ada Example"], root=root)
    span = excerpt("skgid:source-example-note", quote, root=root)
    text = EXAMPLE.read_text()
    assert text[span.start : span.end] == quote
    assert span.span_iri == f"{ID_NS}span-example-note-{slugify(quote)}"
    g = Graph().parse(data=span.turtle, format="turtle")
    g.parse(done.data_path, format="turtle")
    assert verify_spans(g, [root / "seeds" / EXAMPLE.name]) == []


def test_excerpt_cli_by_seed_path_prints_turtle(root: Path) -> None:
    add_source(EXAMPLE, url=URL, authors=["Ada Example"], root=root)
    code, out, err = run("excerpt", str(EXAMPLE), "signed a lunar", "--root", str(root))
    assert code == 0, err
    g = Graph().parse(data=out, format="turtle")
    start = EXAMPLE.read_text().index("signed a lunar")
    oa = Namespace("http://www.w3.org/ns/oa#")
    assert {int(o) for o in g.objects(None, oa.start)} == {start}
    assert {int(o) for o in g.objects(None, oa.end)} == {start + len("signed a lunar")}
    assert set(g.objects(None, oa.hasSource)) == {URIRef(ID_NS + "source-example-note")}


def test_excerpt_not_found_gives_the_closest_passage(root: Path) -> None:
    code, out, err = run("excerpt", str(EXAMPLE), "opened a new chapter", "--root", str(root))
    assert code == 3
    assert out == ""
    assert "quote not found" in err
    assert "'opens a new chapter'" in err or "opens a new chapter" in err
    assert err.count("\n") == 1


def test_excerpt_several_occurrences_need_a_choice(root: Path) -> None:
    code, _, err = run("excerpt", str(EXAMPLE), "the agreement", "--root", str(root))
    text = EXAMPLE.read_text()
    n = text.count("the agreement")
    assert n >= 2
    assert code == 3
    assert f"found {n} times" in err
    for i in range(1, n + 1):
        assert f"#{i} at " in err
    code, out, _ = run(
        "excerpt", str(EXAMPLE), "the agreement", "--occurrence", "2", "--root", str(root)
    )
    assert code == 0
    second = text.index("the agreement", text.index("the agreement") + 1)
    assert f'"{second}"^^xsd:nonNegativeInteger' in out
    assert "-the-agreement-2 a" in out
    code, _, err = run(
        "excerpt", str(EXAMPLE), "the agreement", "--occurrence", str(n + 1), "--root", str(root)
    )
    assert code == 3
    assert f"occurs {n} time" in err


# --------------------------------------------------------------------------- documented workflow

EXAMPLE_TTL = EXAMPLE.with_suffix(".ttl")


def test_the_example_note_step_by_step(root: Path, tmp_path: Path) -> None:
    """The curator's steps on the example note, in a copy of the bundle (docs/curating.md is
    run as written by tests/test_walkthrough.py)."""
    before = tmp_path / "data-before"
    shutil.copytree(root / "data", before)
    # 1. source add
    code, out, err = run(
        "source", "add", str(EXAMPLE), "--url", "https://example.org/news/lunar-data-sharing",
        "--author", "Ada Example", "--publisher", "Example Wire", "--root", str(root),
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("source node: <https://w3id.org/spacekg/id/source-example-note>")
    # 2. excerpt: every span of the curator's file is exactly what `spacekg excerpt` prints
    fixture_text = EXAMPLE_TTL.read_text()
    g = Graph().parse(EXAMPLE_TTL, format="turtle")
    oa = Namespace("http://www.w3.org/ns/oa#")
    spans = sorted(g.subjects(oa.hasSource, None))
    assert len(spans) >= 5
    for span in spans:
        (exact,) = [
            str(o) for sel in g.objects(span, oa.hasSelector) for o in g.objects(sel, oa.exact)
        ]
        code, out, err = run("excerpt", "skgid:source-example-note", exact, "--root", str(root))
        assert code == 0, err
        body = out.split("\n\n", 1)[1]
        assert body in fixture_text, body
        assert f"skgid:{span[len(ID_NS) :]} a" in body
    for quote in ("the agreement", "a lunar data sharing agreement"):
        code, _, err = run("excerpt", "skgid:source-example-note", quote, "--root", str(root))
        assert code == 3
        assert err.count("\n") == 1 and "seeds/example-note.txt: quote " in err
    # 3.-4. the curator's Turtle validates in context (warnings only)
    shutil.copy(EXAMPLE_TTL, root / "data" / "example-note.ttl")
    code, out, err = run("validate", str(root / "data" / "example-note.ttl"), "--root", str(root))
    assert code == 0, out + err
    assert out.splitlines()[-1].startswith("conforms, with 2 warnings in 1 file ")
    # the documented draft with two typos fails with the documented messages
    draft = fixture_text.replace("skg:hasParty skgid:republic", "skg:hasParti skgid:republic")
    draft = draft.replace("sem:hasPlace skgid:geneva", "sem:hasPlace skgid:genva")
    (root / "data" / "example-note.ttl").write_text(draft)
    code, out, _ = run("validate", str(root / "data" / "example-note.ttl"), "--root", str(root))
    assert code == 1
    assert "unknown property skg:hasParti" in out and "did you mean skgid:geneva?" in out
    shutil.copy(EXAMPLE_TTL, root / "data" / "example-note.ttl")
    # the whole graph, new source included, still has no violation
    code, out, err = run("validate", "--root", str(root))
    assert code == 0, out + err
    # 5. diff: exactly the new triples are added
    code, out, _ = run("diff", str(before), str(root / "data"))
    assert code == 1
    added = Graph().parse(EXAMPLE_TTL, format="turtle")
    added.parse(root / "data" / "source-example-note.ttl", format="turtle")
    assert "# removed: 0 triple(s)" in out
    assert f"# added: {len(added)} triple(s)" in out


def test_source_add_refuses_a_text_already_in_the_graph(root: Path, tmp_path: Path) -> None:
    seed = next((root / "seeds").glob("*.txt"))
    copy = tmp_path / "same-article-again.txt"
    copy.write_bytes(seed.read_bytes())
    code, _, err = run(
        "source", "add", str(copy), "--url", URL, "--author", "A", "--root", str(root)
    )
    assert code == 3
    assert "already in the graph as skgid:" in err
    assert not (root / "seeds" / copy.name).exists()
