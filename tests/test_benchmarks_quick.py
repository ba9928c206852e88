"""The benchmark harness cannot rot: its generator, its measurements and its quick run."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import generate as gen  # noqa: E402
from benchmarks.measure import Side, pair_ratios, run_alternating, run_once  # noqa: E402
from benchmarks.sparql_text import header_defaults, load  # noqa: E402

STATUSES = {"ok", "not-available", "failed", "timeout", "partial"}

pytestmark = pytest.mark.slow  # runs the whole harness on 1k triples


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "2k"
    gen.generate(2_000, out)
    return out


def _triples(path: Path, fmt: str) -> set[tuple[str, str, str]]:
    import pyoxigraph

    return {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in pyoxigraph.parse(path=str(path), format=fmt)
    }


def test_generator_is_deterministic(small: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    gen.generate(2_000, again)
    for name in ("synthetic.nt", "synthetic.ttl", "violations.json", "manifest.json"):
        assert (small / name).read_bytes() == (again / name).read_bytes(), name
    other = tmp_path / "other-seed"
    gen.generate(2_000, other, seed=7)
    assert (other / "synthetic.nt").read_bytes() != (small / "synthetic.nt").read_bytes()


def test_turtle_and_ntriples_hold_the_same_triples(small: Path) -> None:
    import pyoxigraph

    nt = _triples(small / "synthetic.nt", pyoxigraph.RdfFormat.N_TRIPLES)
    ttl = _triples(small / "synthetic.ttl", pyoxigraph.RdfFormat.TURTLE)
    manifest = json.loads((small / "manifest.json").read_text())
    assert nt == ttl
    assert len(nt) == manifest["triples"]
    assert 2_000 <= manifest["triples"] < 2_600


def test_spans_quote_their_source_text(small: Path) -> None:
    """Every quote equals the text at its offsets, unless the span is a seeded violation."""
    import rdflib

    g = rdflib.Graph().parse(small / "synthetic.nt", format="nt")
    oa = rdflib.Namespace(gen.OA)
    skg = rdflib.Namespace(gen.SKG)
    broken = {
        v["focus"]
        for v in json.loads((small / "violations.json").read_text())
        if v["kind"] == "span-start-not-before-end"
    }
    texts: dict[str, str] = {}
    checked = 0
    for span in g.subjects(rdflib.RDF.type, skg.EvidenceSpan):
        source = str(g.value(span, oa.hasSource))
        if source not in texts:
            name = source.rsplit("/", 1)[1] + ".txt"
            texts[source] = (small / "sources" / name).read_text(encoding="ascii")
            sha = g.value(rdflib.URIRef(source), skg.sha256)
            assert str(sha) == hashlib.sha256(texts[source].encode()).hexdigest()
        sels = list(g.objects(span, oa.hasSelector))
        quote = next(str(g.value(s, oa.exact)) for s in sels if g.value(s, oa.exact))
        pos = next(s for s in sels if g.value(s, oa.start) is not None)
        start, end = int(g.value(pos, oa.start)), int(g.value(pos, oa.end))
        if str(pos) in broken:
            assert start >= end
            start, end = end, start
        assert texts[source][start:end] == quote
        checked += 1
    assert checked > 50


def test_about_one_percent_of_nodes_are_violated(tmp_path: Path) -> None:
    m = gen.generate(20_000, tmp_path / "20k")
    nodes = sum(m["nodes"].values())
    assert 0.005 * nodes <= m["violations"] <= 0.02 * nodes
    assert all(n > 0 for n in m["violation_kinds"].values()), m["violation_kinds"]


def test_ground_truth_is_what_pyshacl_finds_with_the_reference_shapes(small: Path) -> None:
    import pyshacl
    import rdflib

    shapes = REPO / "benchmarks" / "reference_shapes.ttl"
    data = rdflib.Graph().parse(small / "synthetic.ttl", format="turtle")
    sg = rdflib.Graph().parse(shapes, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=sg, ont_graph=sg, inference="none")
    assert not conforms
    path = small / "report.ttl"
    report.serialize(path, format="turtle")
    from benchmarks.cases import violation_set

    truth = {
        (v["focus"], v["path"], v["component"])
        for v in json.loads((small / "violations.json").read_text())
    }
    assert truth and violation_set(path) == truth


def test_measure_alternates_and_reads_peak_rss(tmp_path: Path) -> None:
    order = tmp_path / "order.txt"
    big = "import sys; b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); "
    mark = "open(sys.argv[1], 'a').write(sys.argv[2])"
    sides = [
        Side("big", [sys.executable, "-c", big + mark, str(order), "A"]),
        Side("small", [sys.executable, "-c", "import sys; " + mark, str(order), "B"]),
    ]
    res = run_alternating(
        sides, repeat=2, warmup=1, timeout_s=60, work=tmp_path / "w", log=lambda m: None
    )
    assert order.read_text() == "ABABAB"
    assert [len(r.samples) for r in res] == [2, 2]
    assert [len(r.warmup) for r in res] == [1, 1]
    big_rss, small_rss = res[0].peak_rss_mib, res[1].peak_rss_mib
    assert big_rss is not None and small_rss is not None
    assert big_rss - small_rss > 150, (big_rss, small_rss)
    if res[1].samples[0].rss_source == "gnu-time":  # not inflated by the harness's own size
        assert small_rss < 40, small_rss
    ratios = pair_ratios(res[0], res[1])
    assert len(ratios) == 2 and all(r > 0 for r in ratios)


def test_measure_reports_timeout_and_failure(tmp_path: Path) -> None:
    s = run_once([sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=0.5)
    assert s.timed_out and s.wall_s < 10
    assert s.rss_source in ("unknown", "wait4")  # a killed command's peak is not invented
    res = run_alternating(
        [Side("fails", [sys.executable, "-c", "import sys; sys.exit(3)"])],
        repeat=2,
        warmup=1,
        timeout_s=30,
        work=tmp_path,
        log=lambda m: None,
    )
    assert res[0].status == "failed" and "exit 3" in res[0].error and not res[0].samples


def test_stored_query_defaults_are_substituted(tmp_path: Path) -> None:
    q = tmp_path / "q.rq"
    q.write_text(
        "#+ summary: s\n#+ tags:\n#+   - events\n#+ defaults:\n"
        "#+   - actor: https://w3id.org/spacekg/id/united-states\n#+   - n: 3\n"
        "SELECT ?e ?_actor_iri WHERE { ?e <p> ?_actor_iri ; <q> ?_n_integer ; <r> ?_other }"
    )
    assert header_defaults(q.read_text()) == {
        "actor": "https://w3id.org/spacekg/id/united-states",
        "n": "3",
    }
    sq = load(q)
    assert "<https://w3id.org/spacekg/id/united-states>" in sq.text
    assert "<q> 3" in sq.text and "SELECT ?e ?_actor_iri" in sq.text
    assert sq.unbound == ("other",)


def test_quick_run_writes_well_formed_results(tmp_path: Path) -> None:
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "run",
            "--quick",
            "--out",
            str(tmp_path),
            "--work",
            str(tmp_path / "work"),
            "--data",
            str(tmp_path / "data"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert p.returncode in (0, 1), p.stderr[-2000:]
    data = json.loads((tmp_path / "results.json").read_text())
    env = data["environment"]
    assert env["cpu_count"] >= 1 and env["python"] and env["packages"]["rdflib"]
    names = {c["case"] for c in data["cases"]}
    assert names == {
        "query-cold",
        "validate",
        "load-store",
        "load-endpoint",
        "query-store",
        "reason",
        "against",
        "serve-load",
    }
    for case in data["cases"]:
        assert case["status"] in STATUSES, case
        if case["status"] == "not-available":
            assert case["reason"]
            continue
        first = case["sides"][0]
        assert first["label"].startswith("spacekg")
        for side in case["sides"]:
            if side["status"] == "ok":
                assert side["repeats"] == 1 and side["median_s"] > 0 and side["peak_rss_mib"] > 1
        for ratio in case["ratios"]:
            if ratio["median"] is not None:
                assert ratio["median"] > 0 and len(ratio["pairs"]) == 1
    md = (tmp_path / "results.md").read_text()
    assert f"{env['cpu_count']} CPUs" in md and "| case | size |" in md
    assert f"rdflib {env['packages']['rdflib']}" in md
    assert (p.returncode == 1) == any(
        c["status"] in ("failed", "timeout", "partial") for c in data["cases"]
    )
