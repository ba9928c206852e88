"""Literals as the data wrote them, from spacekg's Oxigraph stores (spacekg.query.written).

Oxigraph canonicalises on storage (``xsd:nonNegativeInteger`` -> ``xsd:integer``, ``1.50`` ->
``1.5``) and lower-cases language tags when parsing; these tests show the raw store doing so,
and spacekg's backends giving the written forms back, in results and inside queries, while
values still compare and sort as numbers.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from spacekg.query.engine import OxigraphMemoryBackend
from spacekg.query.written import WrittenForms, computed_variables, rewrite, scan
from spacekg.stores import load
from spacekg.stores.embedded import EmbeddedStore
from spacekg.terms import Term

XSD = "http://www.w3.org/2001/XMLSchema#"
NNI = XSD + "nonNegativeInteger"
DATA = f"""<http://ex.org/a> <http://ex.org/start> "33"^^<{NNI}> <http://ex.org/g> .
<http://ex.org/b> <http://ex.org/start> "7"^^<{XSD}nonNegativeInteger> <http://ex.org/g> .
<http://ex.org/a> <http://ex.org/price> "1.50"^^<{XSD}decimal> <http://ex.org/g> .
<http://ex.org/a> <http://ex.org/label> "colour"@en-GB <http://ex.org/g> .
<http://ex.org/a> <http://ex.org/at> "2020-01-01T00:00:00.000Z"^^<{XSD}dateTime> <http://ex.org/g> .
<http://ex.org/c> <http://ex.org/n> "5"^^<{XSD}int> <http://ex.org/g> .
<http://ex.org/d> <http://ex.org/n> "5"^^<{XSD}long> <http://ex.org/g> .
<http://ex.org/e> <http://ex.org/n> "9"^^<{XSD}integer> <http://ex.org/g> .
<http://ex.org/f> <http://ex.org/n> "09"^^<{XSD}integer> <http://ex.org/g> .
"""
WRITTEN = {
    ("33", XSD + "nonNegativeInteger", None),
    ("7", XSD + "nonNegativeInteger", None),
    ("1.50", XSD + "decimal", None),
    ("colour", None, "en-GB"),
    ("2020-01-01T00:00:00.000Z", XSD + "dateTime", None),
}


def test_the_raw_store_changes_the_literals() -> None:
    """What spacekg corrects for: if Oxigraph ever keeps them, this fails and can go."""
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.N_QUADS)
    values = {str(q.object) for q in store}
    assert f'"33"^^<{XSD}integer>' in values
    assert f'"1.5"^^<{XSD}decimal>' in values
    assert '"colour"@en-gb' in values


def test_scan_keeps_what_changes_and_only_unambiguous_forms() -> None:
    forms = scan(DATA.encode())
    kept = {(v.value, v.datatype, v.lang) for v in forms.forms.values() if v.value}
    assert kept == WRITTEN
    # "5"^^xsd:int and "5"^^xsd:long are one canonical "5"^^xsd:integer: ambiguous, not guessed
    five = Term("literal", "5", XSD + "integer")
    assert forms.written(five) == five
    # "09" and "9" as xsd:integer: "9" is also written canonically, so it stays
    nine = Term("literal", "9", XSD + "integer")
    assert forms.written(nine) == nine
    assert forms.functions_needed == {"DATATYPE", "STR", "LANG"}
    assert WrittenForms.from_json(forms.to_json()) == forms


@pytest.fixture(scope="module")
def memory() -> OxigraphMemoryBackend:
    return OxigraphMemoryBackend(DATA.encode())


def test_results_are_as_written(memory: OxigraphMemoryBackend) -> None:
    result = memory.execute("SELECT ?o WHERE { <http://ex.org/a> ?p ?o }")
    got = {(t.value, t.datatype, t.lang) for (t,) in result.rows if t is not None}
    assert got == {w for w in WRITTEN if w[0] != "7"}


def test_datatype_str_and_lang_inside_queries_see_the_written_form(
    memory: OxigraphMemoryBackend,
) -> None:
    probe = memory.execute(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <http://ex.org/start> ?v "
        f"FILTER (DATATYPE(?v) = <{XSD}nonNegativeInteger>) }}"
    )
    assert probe.rows[0][0].value == "2"  # type: ignore[union-attr]
    texts = memory.execute("SELECT (STR(?v) AS ?s) WHERE { ?x <http://ex.org/price> ?v }")
    assert texts.rows[0][0].value == "1.50"  # type: ignore[union-attr]
    tags = memory.execute("SELECT (LANG(?v) AS ?l) WHERE { ?x <http://ex.org/label> ?v }")
    assert tags.rows[0][0].value == "en-GB"  # type: ignore[union-attr]


def test_values_still_compute_and_computed_values_are_not_relabelled(
    memory: OxigraphMemoryBackend,
) -> None:
    result = memory.execute(
        "SELECT ?v ?i (DATATYPE(?i) AS ?d) WHERE { ?s <http://ex.org/start> ?v "
        f"FILTER (?v > 5) BIND (<{XSD}integer>(?v) AS ?i) }} ORDER BY ?v"
    )
    assert [r[0].value for r in result.rows] == ["7", "33"]  # type: ignore[union-attr]
    assert {r[0].datatype for r in result.rows} == {XSD + "nonNegativeInteger"}  # type: ignore[union-attr]
    assert {r[1].datatype for r in result.rows} == {XSD + "integer"}  # type: ignore[union-attr]
    assert {r[2].value for r in result.rows} == {XSD + "integer"}  # type: ignore[union-attr]


def test_rewrite_leaves_computed_variables_alone() -> None:
    forms = scan(DATA.encode())
    text = (
        "SELECT ?v WHERE { ?s ?p ?v BIND (STR(?v) AS ?w) FILTER (LANG(?w) = '' && DATATYPE(?v)) }"
    )
    assert computed_variables(text) == {"w"}
    out = rewrite(text, forms)
    assert "<urn:spacekg:fn:str>(?v)" in out and "<urn:spacekg:fn:datatype>(?v)" in out
    assert "LANG(?w)" in out
    assert rewrite(text, WrittenForms()) == text


@pytest.mark.parametrize("suffix", [".nt", ".ttl"])
def test_a_graph_read_back_from_the_store_is_the_file(tmp_path: Path, suffix: str) -> None:
    triples = "".join(
        line.rsplit(" <http://ex.org/g>", 1)[0] + " .\n" for line in DATA.splitlines()
    )
    path = tmp_path / f"data{suffix}"
    path.write_text(triples, encoding="utf-8")
    load([path], store=tmp_path / "kg", graph="http://ex.org/g")
    back = EmbeddedStore(tmp_path / "kg").execute("CONSTRUCT WHERE { ?s ?p ?o }")
    got = {o.n3() for _s, _p, o in back.triples}
    written = {line.split(" ", 2)[2].rsplit(" .", 1)[0] for line in triples.splitlines()}
    if suffix == ".ttl":  # the Turtle parser lower-cases the tag before spacekg sees it
        written = {w.replace("@en-GB", "@en-gb") for w in written}
    # two forms of one value (5 as xsd:int and xsd:long; 09 beside 9) come back canonical
    ambiguous = {f'"5"^^<{XSD}int>', f'"5"^^<{XSD}long>', f'"09"^^<{XSD}integer>'}
    assert got == (written - ambiguous) | {f'"5"^^<{XSD}integer>'}


def test_inline_lookups_run_on_a_plain_oxigraph_store() -> None:
    """The form sent to `oxigraph serve` (no custom functions there)."""
    from spacekg.query.written import inline

    forms = scan(DATA.encode())
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.N_QUADS)
    sparql = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://ex.org/start> ?v "
        f"FILTER (DATATYPE(?v) = <{NNI}>) }}"
    )
    assert next(iter(store.query(sparql, use_default_graph_as_union=True)))[0].value == "0"
    text = inline(sparql, forms)
    assert "sameTerm(?v, " in text
    assert next(iter(store.query(text, use_default_graph_as_union=True)))[0].value == "2"
    lang = inline("SELECT (LANG(?v) AS ?l) WHERE { ?s <http://ex.org/label> ?v }", forms)
    assert next(iter(store.query(lang, use_default_graph_as_union=True)))[0].value == "en-GB"


def test_a_file_scanned_in_parts_gives_the_map_of_the_whole(tmp_path: Path) -> None:
    """Parts of one file merge as the whole: a value written canonically in one part and
    otherwise in another is ambiguous, whichever part comes first."""
    from spacekg.stores.base import LoadItem
    from spacekg.stores.embedded import _literal_parts, scan_items

    lines = [f'<http://ex.org/s{i}> <http://ex.org/n> "{i}"^^<{NNI}> .\n' for i in range(3000)]
    lines.append(f'<http://ex.org/t> <http://ex.org/n> "5"^^<{XSD}integer> .\n')
    lines.append(f'<http://ex.org/u> <http://ex.org/n> "3"^^<{XSD}integer> .\n')
    lines.insert(0, f'<http://ex.org/v> <http://ex.org/n> "2999"^^<{XSD}integer> .\n')
    path = tmp_path / "big.nt"
    path.write_text("".join(lines), encoding="utf-8")
    item = LoadItem("", str(path), "ntriples", len(lines), None, False, path=path)
    assert item.size < 8 << 20  # bigger files are bulk-loaded and not scanned
    assert len(list(_literal_parts(item, ox, size=4096))) > 10
    whole = scan(path.read_bytes())
    assert scan_items([item], part_bytes=4096) == whole
    for value in ("5", "3", "2999"):
        assert whole.written(Term("literal", value, XSD + "integer")).datatype == XSD + "integer"  # type: ignore[union-attr]
    assert whole.written(Term("literal", "7", XSD + "integer")).datatype == NNI  # type: ignore[union-attr]
