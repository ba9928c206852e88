"""parse_file: formats by extension, located syntax errors, and never the network."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from spacekg.errors import InputError
from spacekg.rdfio import FORMATS, line_col, parse_file

EX = "http://example.org/"
TRIPLE_TTL = f"@prefix ex: <{EX}> .\nex:a ex:b ex:c .\n"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to open a connection fails the test (and is recorded)."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    return attempts


SAMPLES = {
    ".ttl": TRIPLE_TTL,
    ".nt": f"<{EX}a> <{EX}b> <{EX}c> .\n",
    ".nq": f"<{EX}a> <{EX}b> <{EX}c> <{EX}g> .\n",
    ".trig": f"<{EX}g> {{ <{EX}a> <{EX}b> <{EX}c> . }}\n",
    ".jsonld": json.dumps({"@id": f"{EX}a", f"{EX}b": {"@id": f"{EX}c"}}),
    ".rdf": (
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:ex="{EX}">\n'
        f'  <rdf:Description rdf:about="{EX}a"><ex:b rdf:resource="{EX}c"/></rdf:Description>\n'
        "</rdf:RDF>\n"
    ),
}
SAMPLES[".owl"] = SAMPLES[".xml"] = SAMPLES[".rdf"]
SAMPLES[".turtle"], SAMPLES[".ntriples"] = SAMPLES[".ttl"], SAMPLES[".nt"]
SAMPLES[".nquads"] = SAMPLES[".nq"]


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_every_extension_parses_the_same_triple(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sample{suffix}"
    path.write_text(SAMPLES[suffix], encoding="utf-8")
    graph = parse_file(path, Graph())
    assert set(graph) == {(URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c"))}


def test_quad_formats_keep_their_graphs_in_a_dataset(tmp_path: Path) -> None:
    path = tmp_path / "q.nq"
    path.write_text(SAMPLES[".nq"], encoding="utf-8")
    ds = parse_file(path)
    assert isinstance(ds, Dataset)
    assert len(ds.graph(URIRef(EX + "g"))) == 1


def test_unknown_extension_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "data.n3x"
    path.write_text(TRIPLE_TTL, encoding="utf-8")
    with pytest.raises(InputError, match=r"data\.n3x.*\.n3x file.*\.ttl"):
        parse_file(path)


def test_explicit_format_overrides_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text(TRIPLE_TTL, encoding="utf-8")
    assert len(parse_file(path, fmt="turtle")) == 1


def test_turtle_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    text = TRIPLE_TTL + 'ex:a ex:b "unterminated\nex:d ex:e ex:f .\n'
    path = tmp_path / "broken.ttl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        parse_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:3:")
    assert "Turtle syntax error" in message and "(fix the file)" in message
    column = int(message.split(":")[2])
    assert 10 <= column <= len('ex:a ex:b "unterminated') + 1  # at the broken literal
    assert "\n" not in message


def test_turtle_error_on_a_later_line_after_multibyte_text(tmp_path: Path) -> None:
    text = TRIPLE_TTL + 'ex:a ex:label "Zürich – 東京" .\n\nex:a ex:b ex:c ;; ex:d .\nex:x ex:y .\n'
    path = tmp_path / "broken.ttl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.ttl:(5|6):\d+: Turtle syntax error"):
        parse_file(path)


def test_ntriples_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.nt"
    bad_line = f"<{EX}a> <{EX}b> c ."
    path.write_text(f"<{EX}a> <{EX}b> <{EX}c> .\n{bad_line}\n", encoding="utf-8")
    column = bad_line.index(" c ") + 2  # 1-based column of the bare 'c'
    with pytest.raises(InputError, match=rf"broken\.nt:2:{column}: N-Triples syntax error"):
        parse_file(path)


def test_rdfxml_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.rdf"
    path.write_text(SAMPLES[".rdf"].replace("</rdf:RDF>", "</rdf:RDFX>"), encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.rdf:4:\d+: RDF/XML syntax error"):
        parse_file(path)


def test_jsonld_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonld"
    path.write_text('{\n  "@id": "http://example.org/a",\n  "x": }\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.jsonld:3:\d+: JSON-LD syntax error"):
        parse_file(path)


@pytest.mark.parametrize("content", [b"", b"  \n\n\t"])
def test_empty_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.ttl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"empty\.ttl: the file is empty"):
        parse_file(path)


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes((TRIPLE_TTL + 'ex:a ex:label "Zürich" .\n').encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.ttl:3:\d+: not valid UTF-8 \(byte 0xFC\)"):
        parse_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        parse_file(tmp_path / "nope.ttl")


def test_owl_imports_is_not_followed(tmp_path: Path, no_network: list[object]) -> None:
    path = tmp_path / "imports.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<http://example.org/o> a owl:Ontology ;\n"
        "    owl:imports <http://127.0.0.1:9/never.ttl> , <http://www.w3.org/ns/prov-o> .\n",
        encoding="utf-8",
    )
    graph = parse_file(path)
    assert len(graph) == 3  # only what the file says
    assert no_network == []


@pytest.mark.parametrize(
    "context",
    [
        "http://127.0.0.1:9/context.jsonld",
        ["https://schema.org/", {"ex": EX}],
        {"@import": "http://127.0.0.1:9/context.jsonld"},
    ],
)
def test_jsonld_remote_context_is_refused_not_fetched(
    tmp_path: Path, no_network: list[object], context: object
) -> None:
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": context, "@id": EX + "a"}), encoding="utf-8")
    with pytest.raises(InputError, match=r"remote\.jsonld: JSON-LD .* not fetched"):
        parse_file(path)
    assert no_network == []


def test_jsonld_nested_remote_context_is_refused(tmp_path: Path, no_network: list[object]) -> None:
    doc = {"@context": {"ex": EX}, "@graph": [{"@context": "http://127.0.0.1:9/c", "@id": "ex:a"}]}
    path = tmp_path / "nested.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match="not fetched"):
        parse_file(path)


def test_jsonld_inline_context_works(tmp_path: Path, no_network: list[object]) -> None:
    doc = {"@context": {"ex": EX, "b": {"@id": "ex:b", "@type": "@id"}}, "@id": "ex:a", "b": "ex:c"}
    path = tmp_path / "inline.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert set(parse_file(path)) == {(URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c"))}


def test_rdfxml_external_entity_is_not_resolved(tmp_path: Path, no_network: list[object]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    remote = "http://127.0.0.1:9/entity.txt"
    path = tmp_path / "xxe.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [ <!ENTITY local SYSTEM "{secret.as_uri()}">'
        f' <!ENTITY remote SYSTEM "{remote}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:ex="{EX}">\n'
        f'  <rdf:Description rdf:about="{EX}a"><ex:b>[&local;][&remote;]</ex:b>'
        "</rdf:Description>\n</rdf:RDF>\n",
        encoding="utf-8",
    )
    try:
        graph = parse_file(path)
    except InputError:
        return  # refusing the document is fine too
    values = [str(o) for o in graph.objects()]
    assert not any("TOP-SECRET" in v for v in values)
    assert no_network == []
    assert values  # the document itself was read


def test_internal_entities_still_work(tmp_path: Path) -> None:
    path = tmp_path / "entities.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "{EX}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:ex="{EX}">\n'
        '  <rdf:Description rdf:about="&ex;a"><ex:b>v</ex:b></rdf:Description>\n</rdf:RDF>\n',
        encoding="utf-8",
    )
    assert set(parse_file(path)) == {(URIRef(EX + "a"), URIRef(EX + "b"), Literal("v"))}


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [("abc", 0, (1, 1)), ("ab\ncd", 3, (2, 1)), ("ab\ncd", 4, (2, 2)), ("a\n\nb", 3, (3, 1))],
)
def test_line_col(text: str, index: int, expected: tuple[int, int]) -> None:
    assert line_col(text, index) == expected
