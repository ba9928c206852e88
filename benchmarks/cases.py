"""The benchmark cases: spacekg against the tool a user would otherwise run.

Each case builds command lines (``Side``) and hands them to ``measure.run_alternating``. A case
whose spacekg command (or bundled input) does not exist yet is reported as ``not-available``
with the reason, never as a crash.
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import generate as gen
from benchmarks.measure import Side, SideResult, pair_ratios, run_alternating
from benchmarks.sparql_text import stored_queries

HERE = Path(__file__).resolve().parent
BASELINES = HERE / "baselines"
SH = "http://www.w3.org/ns/shacl#"
SYNTHETIC_GRAPH = "https://w3id.org/spacekg/graph/bench/synthetic"


@dataclass
class Context:
    root: Path  # the bundle (repository checkout)
    work: Path  # scratch space (git-ignored)
    data: Path  # generated data sets (git-ignored)
    repeat: int = 3
    warmup: int = 1
    timeout_s: float = 1800.0
    case_timeouts: dict[str, float] = field(default_factory=dict)
    slow_s: float = 300.0
    sizes: list[int] | None = None  # overrides every case's default sizes
    query: str | None = None  # the stored query of case 1
    quick: bool = False
    shapes: str = "auto"  # auto | bundled | reference | a path
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True)

    @property
    def python(self) -> str:
        return sys.executable

    @property
    def spacekg(self) -> list[str]:
        script = Path(sys.executable).parent / "spacekg"
        return [str(script)] if script.exists() else [sys.executable, "-m", "spacekg"]

    def tool(self, name: str) -> str | None:
        local = Path(sys.executable).parent / name
        return str(local) if local.exists() else shutil.which(name)

    def timeout(self, case: str) -> float:
        return self.case_timeouts.get(case, self.timeout_s)


@dataclass
class Ratio:
    spacekg: str
    baseline: str
    median: float | None
    pairs: list[float]


@dataclass
class CaseResult:
    case: str
    title: str
    size: str | None = None
    status: str = "ok"  # ok | not-available | failed | timeout | partial
    reason: str = ""
    sides: list[SideResult] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    target: str = ""
    target_met: bool | None = None
    checks: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    when: str = ""  # UTC time the case ran
    settings: str = ""  # repeat / warm-up / timeout it ran with


class NotAvailable(Exception):
    pass


# --- helpers ----------------------------------------------------------------------------------

_help_cache: dict[tuple[str, ...], str | None] = {}


def help_text(ctx: Context, *words: str) -> str | None:
    """``spacekg WORDS --help`` if that command exists, else None."""
    if words not in _help_cache:
        try:
            p = subprocess.run(
                [*ctx.spacekg, *words, "--help"], capture_output=True, text=True, timeout=120
            )
            _help_cache[words] = p.stdout if p.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            _help_cache[words] = None
    return _help_cache[words]


def require(ctx: Context, *words: str) -> str:
    text = help_text(ctx, *words)
    if text is None:
        raise NotAvailable(f"`spacekg {' '.join(words)}` does not exist yet")
    return text


def bundle_files(ctx: Context) -> tuple[Path, list[Path]]:
    onto = ctx.root / "ontology" / "spacekg.ttl"
    if not onto.is_file():
        raise NotAvailable(f"{onto} does not exist yet")
    return onto, sorted((ctx.root / "data").glob("*.ttl"))


def dataset(ctx: Context, size: int) -> Path:
    t = time.perf_counter()
    out = gen.ensure(size, ctx.data)
    ctx.log(f"  data {gen.size_name(size)}: {out} ({time.perf_counter() - t:.1f} s)")
    return out


def synthetic_bundle(ctx: Context, size: int, data_dir: Path) -> Path:
    """A SPACEKG_HOME that is the bundled graph plus the synthetic data as one more data file."""
    b = ctx.work / f"bundle-{gen.size_name(size)}"
    if b.exists():
        shutil.rmtree(b)
    (b / "data").mkdir(parents=True)
    for name in ("ontology", "queries", "seeds"):
        if (ctx.root / name).exists():
            (b / name).symlink_to((ctx.root / name).resolve())
    for f in sorted((ctx.root / "data").glob("*.ttl")):
        (b / "data" / f.name).symlink_to(f.resolve())
    (b / "data" / "zz-bench-synthetic.ttl").symlink_to((data_dir / "synthetic.ttl").resolve())
    return b


def fresh_dir(path: Path) -> Callable[[], Callable[[], None] | None]:
    def setup() -> None:
        if path.exists():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)

    return setup  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _measure(
    ctx: Context,
    res: CaseResult,
    sides: list[Side],
    target: tuple[float, str] | None = None,
) -> CaseResult:
    """Run the sides alternately; ratios of the first side against each other side."""
    ctx.log(f"== {res.case} {res.size or ''}: {res.title}")
    res.sides = run_alternating(
        sides,
        repeat=ctx.repeat,
        warmup=ctx.warmup,
        timeout_s=ctx.timeout(res.case),
        work=ctx.work / "logs" / f"{res.case}-{res.size or 'bundled'}",
        slow_s=ctx.slow_s,
        log=ctx.log,
    )
    first = res.sides[0]
    primaries = [s for s in res.sides if s.label.startswith("spacekg")]
    for a in primaries:
        for other in res.sides:
            if other.label.startswith("spacekg"):
                continue
            pairs = pair_ratios(a, other)
            med = statistics.median(pairs) if pairs else None
            res.ratios.append(Ratio(a.label, other.label, med, pairs))
    statuses = {s.status for s in res.sides}
    if statuses != {"ok"}:
        res.status = "timeout" if "timeout" in statuses else "failed"
        if first.status == "ok":
            res.status = "partial"
        res.reason = "; ".join(f"{s.label}: {s.status} ({s.error})" for s in res.sides if s.error)
    if target and res.ratios and res.ratios[0].median is not None:
        limit, text = target
        res.target = text
        res.target_met = res.ratios[0].median <= limit
    elif target:
        res.target = target[1]
    return res


# --- case 1: cold query -----------------------------------------------------------------------


def case_query_cold(ctx: Context) -> list[CaseResult]:
    """1. `spacekg query run` of a stored query, cold, vs `python -c 'import rdflib'`."""
    res = CaseResult("query-cold", "spacekg query run <stored query>, cold process")
    try:
        require(ctx, "query", "run")
        queries = stored_queries(ctx.root / "queries")
        if not queries:
            raise NotAvailable("no stored query in queries/ yet")
        name = ctx.query or queries[0].name
    except NotAvailable as e:
        res.status, res.reason = "not-available", str(e)
        return [res]
    res.title = f"spacekg query run {name}, cold process"
    res.notes.append(
        "cold = a new process each run; the OS file cache and any spacekg cache are warm "
        "after the warm-up run (the first-ever run is the warm-up sample)"
    )
    sides = [
        Side("spacekg", [*ctx.spacekg, "query", "run", name]),
        Side("python -c 'import rdflib'", [ctx.python, "-c", "import rdflib"]),
    ]
    return [_measure(ctx, res, sides, (2.0, "ratio <= 2.0"))]


# --- case 2: validate -------------------------------------------------------------------------


def violation_set(report: Path) -> set[tuple[str, str, str]]:
    """(focus, path, component) of every sh:Violation in a SHACL validation report (Turtle)."""
    import rdflib

    g = rdflib.Graph()
    g.parse(report, format="turtle")
    sh = rdflib.Namespace(SH)
    out: set[tuple[str, str, str]] = set()
    for r in g.subjects(rdflib.RDF.type, sh.ValidationResult):
        if g.value(r, sh.resultSeverity) != sh.Violation:
            continue
        focus, path, comp = (
            g.value(r, sh.focusNode),
            g.value(r, sh.resultPath),
            g.value(r, sh.sourceConstraintComponent),
        )
        out.add(
            (
                str(focus) if isinstance(focus, rdflib.URIRef) else "_:blank",
                str(path) if isinstance(path, rdflib.URIRef) else "_:complex-path",
                str(comp),
            )
        )
    return out


REFERENCE_SHAPES = HERE / "reference_shapes.ttl"


def shapes_file(ctx: Context) -> Path:
    """The shapes of case 2: the bundled ones, or the reference shapes of the generator."""
    bundled = ctx.root / "ontology" / "shapes.ttl"
    if ctx.shapes == "reference" or (ctx.shapes == "auto" and not bundled.is_file()):
        return REFERENCE_SHAPES
    path = bundled if ctx.shapes in ("auto", "bundled") else Path(ctx.shapes)
    if not path.is_file():
        raise NotAvailable(f"{path} does not exist yet")
    return path


def _compare(name_a: str, a: set[Any], name_b: str, b: set[Any]) -> dict[str, Any]:
    return {
        "equal": a == b,
        f"only_in_{name_a}": sorted(map(list, a - b))[:10],
        f"only_in_{name_b}": sorted(map(list, b - a))[:10],
        f"only_in_{name_a}_count": len(a - b),
        f"only_in_{name_b}_count": len(b - a),
    }


def case_validate(ctx: Context) -> list[CaseResult]:
    """2. `spacekg validate` of synthetic data vs the pyshacl CLI; violation sets compared."""
    results = []
    for size in ctx.sizes or [100_000, 1_000_000]:
        res = CaseResult(
            "validate", "spacekg validate vs pyshacl CLI and Jena shacl", gen.size_name(size)
        )
        try:
            require(ctx, "validate")
            onto, data_files = bundle_files(ctx)
            shapes = shapes_file(ctx)
            pyshacl = ctx.tool("pyshacl")
            if not pyshacl:
                raise NotAvailable("the pyshacl command is not installed")
        except NotAvailable as e:
            res.status, res.reason = "not-available", str(e)
            results.append(res)
            continue
        d = dataset(ctx, size)
        out = ctx.work / f"validate-{gen.size_name(size)}"
        out.mkdir(parents=True, exist_ok=True)
        new = d / "synthetic.ttl"
        res.notes.append(
            f"both: shapes {shapes}, no inference, the new file validated together with the "
            "ontology and the bundled data (merged into one data graph, as the shapes file "
            "prescribes); pyshacl: -s SHAPES -i none -f turtle NEW.ttl ontology/spacekg.ttl "
            "data/*.ttl. Not `-e ontology`: pyshacl 0.40 only inoculates the RDFS/OWL axioms "
            "from an ont-graph, so the ontology's own labels and header are missing and the "
            "ontology shapes report spurious violations (61 at 10k)"
        )
        sides = [
            Side(
                "spacekg validate",
                [*ctx.spacekg, "validate", str(new), "--shapes", str(shapes), "--format", "turtle"],
                ok_codes=(0, 1),
                stdout_path=out / "spacekg-report.ttl",
            ),
            Side(
                "pyshacl CLI",
                [
                    pyshacl,
                    "-s",
                    str(shapes),
                    "-i",
                    "none",
                    "-f",
                    "turtle",
                    str(new),
                    str(onto),
                    *map(str, data_files),
                ],
                ok_codes=(0, 1),
                stdout_path=out / "pyshacl-report.ttl",
            ),
        ]
        from benchmarks import jena

        cp = jena.classpath(ctx.work)
        if cp is None:
            res.notes.append("Jena left out: java or libapache-jena-java is not installed")
        else:
            merged = out / "jena-data.nt"
            _merge_ntriples([onto, *data_files, new], merged)
            sides.append(
                Side(
                    "Jena shacl validate",
                    [
                        "java",
                        "-cp",
                        cp,
                        "shacl.shacl",
                        "validate",
                        "--shapes",
                        str(shapes),
                        "--data",
                        str(merged),
                    ],
                    ok_codes=(0, 1),
                    stdout_path=out / "jena-report.ttl",
                )
            )
            res.notes.append(
                "Jena 4.5 (Debian) `shacl validate --shapes SHAPES --data DATA.nt`: the same "
                "three inputs merged into one N-Triples file beforehand (untimed)"
            )
        _measure(ctx, res, sides, (0.05, "ratio to pyshacl <= 0.05 (20x faster)"))
        for r in res.ratios:
            if r.baseline.startswith("Jena") and r.median is not None:
                res.checks["jena_target"] = {"ratio": r.median, "met": r.median <= 0.5}
        truth = {
            (v["focus"], v["path"], v["component"])
            for v in json.loads((d / "violations.json").read_text())
        }
        sets: dict[str, set[tuple[str, str, str]]] = {"truth": truth}
        for side in sides:
            key = side.label.split()[0].lower()  # spacekg, pyshacl, jena
            try:
                if side.stdout_path and side.stdout_path.stat().st_size:
                    sets[key] = violation_set(side.stdout_path)
            except Exception as e:  # a report that is not Turtle is a finding, not a crash
                res.checks[f"{key}_report_error"] = f"{type(e).__name__}: {e}"[:300]
        res.checks["counts"] = {k: len(v) for k, v in sets.items()}
        pairs = [("spacekg", "pyshacl"), ("spacekg", "truth"), ("pyshacl", "truth")]
        pairs += [("spacekg", "jena"), ("jena", "truth")]
        for a, b in pairs:
            if a in sets and b in sets:
                res.checks[f"{a}_vs_{b}"] = _compare(a, sets[a], b, sets[b])
        results.append(res)
    return results


def _merge_ntriples(files: list[Path], out: Path) -> None:
    """The triples of ``files`` (Turtle) as one N-Triples file (for Jena's single --data)."""
    import pyoxigraph

    tmp = out.with_suffix(".tmp")
    with tmp.open("wb") as f:
        for path in files:
            pyoxigraph.serialize(
                pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE),
                f,
                pyoxigraph.RdfFormat.N_TRIPLES,
            )
    tmp.replace(out)


# --- cases 3 and 4: load ----------------------------------------------------------------------


def _load_inputs(ctx: Context, size: int) -> tuple[Path, list[Path], dict[str, str]]:
    """(data set dir, the files spacekg loads, env) for loading the bundle plus synthetic data."""
    onto, data_files = bundle_files(ctx)
    d = dataset(ctx, size)
    bundle = synthetic_bundle(ctx, size, d)
    return d, [onto, *data_files, d / "synthetic.ttl"], {"SPACEKG_HOME": str(bundle)}


def _load_plan(ctx: Context, size: int) -> tuple[list[str], list[Path], dict[str, str], str]:
    """(spacekg's FILE arguments, the baseline's files, env, a note) for cases 3 and 4.

    When `spacekg load` takes FILES, both load the same synthetic N-Triples file; otherwise
    spacekg loads the bundle plus the synthetic Turtle (SPACEKG_HOME) and the baseline the same
    files.
    """
    text = require(ctx, "load")
    if "FILES" in text:
        nt = dataset(ctx, size) / "synthetic.nt"
        return [str(nt)], [nt], {}, "both load the same synthetic N-Triples file"
    _d, files, env = _load_inputs(ctx, size)
    note = (
        "spacekg loads the bundled graph plus the synthetic Turtle (SPACEKG_HOME), one named "
        "graph per file; oxigraph load gets the same files"
    )
    return [], files, env, note


def _oxigraph_load_side(ctx: Context, files: list[Path], store: Path) -> Side:
    oxi = ctx.tool("oxigraph")
    if not oxi:
        raise NotAvailable("the oxigraph command is not installed (pip install oxigraph)")
    return Side(
        "oxigraph load",
        [oxi, "load", "--location", str(store), "--file", *map(str, files)],
        setup=fresh_dir(store),
    )


def case_load_store(ctx: Context) -> list[CaseResult]:
    """3. `spacekg load --store` vs `oxigraph load` (bulk loader), same files."""
    results = []
    for size in ctx.sizes or [100_000, 1_000_000]:
        res = CaseResult("load-store", "spacekg load --store vs oxigraph load", gen.size_name(size))
        try:
            args, files, env, note = _load_plan(ctx, size)
            base = ctx.work / f"load-store-{gen.size_name(size)}"
            sides = [
                Side(
                    "spacekg load --store",
                    [*ctx.spacekg, "load", *args, "--store", str(base / "spacekg")],
                    env=env,
                    setup=fresh_dir(base / "spacekg"),
                ),
                _oxigraph_load_side(ctx, files, base / "oxigraph"),
            ]
        except NotAvailable as e:
            res.status, res.reason = "not-available", str(e)
            results.append(res)
            continue
        res.notes.append(f"{note}; each run into an empty store; throughput ratio = 1/ratio")
        _measure(ctx, res, sides, (1.0, "time ratio <= 1.0 (>= its throughput)"))
        results.append(res)
    return results


class _Server:
    """A fresh `oxigraph serve` on 127.0.0.1 (new folder, new port) for each run."""

    def __init__(self, ctx: Context, location: Path) -> None:
        self.ctx, self.location, self.url = ctx, location, ""

    def setup(self) -> Callable[[], None]:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        return _start_server(self.ctx, self.location, port)


def _start_server(ctx: Context, location: Path, port: int) -> Callable[[], None]:
    oxi = ctx.tool("oxigraph")
    assert oxi
    if location.exists():
        shutil.rmtree(location)
    location.parent.mkdir(parents=True, exist_ok=True)
    log = (location.parent / "server.log").open("ab")
    proc = subprocess.Popen(
        [oxi, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"oxigraph serve exited with {proc.returncode} "
                    f"(see {location.parent}/server.log)"
                ) from None
            time.sleep(0.05)
    else:
        proc.kill()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    return stop


def case_load_endpoint(ctx: Context) -> list[CaseResult]:
    """4. `spacekg load --endpoint` into `oxigraph serve` vs `oxigraph load`."""
    results = []
    for size in ctx.sizes or [1_000_000]:
        res = CaseResult(
            "load-endpoint",
            "spacekg load --endpoint (oxigraph serve) vs oxigraph load",
            gen.size_name(size),
        )
        try:
            if "--endpoint" not in require(ctx, "load"):
                raise NotAvailable("`spacekg load --endpoint` does not exist yet")
            args, files, env, note = _load_plan(ctx, size)
            base = ctx.work / f"load-endpoint-{gen.size_name(size)}"
            server = _Server(ctx, base / "server")
            cmd = [*ctx.spacekg, "load", *args, "--endpoint"]
            sides = [
                Side(
                    "spacekg load --endpoint",
                    [*cmd, "http://127.0.0.1:PORT"],
                    env=env,
                    setup=server.setup,
                    argv_fn=lambda: [*cmd, server.url],  # noqa: B023 (called in this iteration)
                ),
                _oxigraph_load_side(ctx, files, base / "oxigraph"),
            ]
        except NotAvailable as e:
            res.status, res.reason = "not-available", str(e)
            results.append(res)
            continue
        res.notes.append(
            f"{note}; a fresh `oxigraph serve` on 127.0.0.1 per run (start/stop not timed); "
            "peak RSS is the spacekg client's only, the server's is not counted"
        )
        _measure(ctx, res, sides, (1 / 0.9, "time ratio <= 1.11 (>= 0.9 of throughput)"))
        results.append(res)
    return results


# --- case 5: stored queries over bundle + synthetic -------------------------------------------


def _prepare_store(ctx: Context, store: Path, files: list[Path], nt: Path) -> str:
    """Fill ``store`` once with the bundle plus the synthetic data; returns how.

    With `spacekg load FILES`: the bundled graph with its entailments (`spacekg load --store
    --inferred`, as a user loads a store for the stored queries: without them `topics` and
    `timeline` have no rows), then the synthetic N-Triples into its own named graph. (Loading
    the bundle with the synthetic Turtle as one more bundled data file was tried: killed after
    430 s at 4.7 GB RSS, so not this way.)
    Without `spacekg load`: pyoxigraph's bulk loader, every file into the default graph.
    """
    if store.exists():
        shutil.rmtree(store)
    text = help_text(ctx, "load")
    if text is not None and "FILES" in text:
        steps = [
            [*ctx.spacekg, "load", "--store", str(store), "--inferred"],
            [*ctx.spacekg, "load", str(nt), "--store", str(store), "--graph", SYNTHETIC_GRAPH],
        ]
        ok = True
        for argv in steps:
            try:
                p = subprocess.run(
                    argv, capture_output=True, text=True, timeout=ctx.timeout("query-store")
                )
            except subprocess.TimeoutExpired:
                ok = False
                break
            if p.returncode != 0:
                ctx.log(f"  {' '.join(argv[-4:])} failed ({p.returncode}): {p.stderr[-300:]}")
                ok = False
                break
        if ok:
            return (
                "spacekg load --store --inferred (bundle) + spacekg load synthetic.nt --graph ..."
            )
        ctx.log("  spacekg load did not fill the store; loading with pyoxigraph")
        if store.exists():
            shutil.rmtree(store)
    import pyoxigraph

    st = pyoxigraph.Store(str(store))
    for f in files:
        st.bulk_load(
            path=str(f), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.DefaultGraph()
        )
    st.flush()
    del st
    return "pyoxigraph bulk_load (spacekg load unavailable or failed)"


def _csv_rows(path: Path) -> int | None:
    import csv

    try:
        with path.open(newline="") as f:
            return max(sum(1 for _ in csv.reader(f)) - 1, 0)
    except OSError:
        return None


def case_query_store(ctx: Context) -> list[CaseResult]:
    """5. each stored query over bundle + synthetic: spacekg vs pyoxigraph vs rdflib."""
    results: list[CaseResult] = []
    for size in ctx.sizes or [1_000_000]:
        sname = gen.size_name(size)
        try:
            qtext = require(ctx, "query", "run")
            queries = [q for q in stored_queries(ctx.root / "queries") if not q.unbound]
            if ctx.quick:  # three are enough to keep the harness honest
                queries = queries[:3]
            if not queries:
                raise NotAvailable("no stored query in queries/ yet")
            _d, files, env = _load_inputs(ctx, size)
        except NotAvailable as e:
            results.append(
                CaseResult("query-store", "stored queries", sname, "not-available", str(e))
            )
            continue
        base = ctx.work / f"query-store-{sname}"
        base.mkdir(parents=True, exist_ok=True)
        store = base / "store"
        # --store needs `spacekg load` to fill and read the store
        with_store = "--store" in qtext and help_text(ctx, "load") is not None
        how = _prepare_store(ctx, store, files, dataset(ctx, size) / "synthetic.nt")
        # spacekg's in-memory engine materialises the entailments once and caches them: build
        # that cache here (timed, reported), so every timed run of every query reads it
        cache = base / "cache"
        if cache.exists():
            shutil.rmtree(cache)
        env = {**env, "SPACEKG_CACHE_DIR": str(cache)}
        from benchmarks.measure import run_once

        ctx.log("  spacekg: first query, builds the materialised cache")
        first = run_once(
            [*ctx.spacekg, "query", "run", queries[0].name, "--format", "csv"],
            env=env,
            timeout_s=ctx.case_timeouts.get("query-store-cache", 300.0),
            stderr_path=base / "cache-build.stderr",
        )
        memory_ok = not first.timed_out and first.returncode == 0
        build = {
            "wall_s": first.wall_s,
            "peak_rss_mib": first.peak_rss_kib / 1024 if first.rss_source != "unknown" else None,
            "status": "timeout" if first.timed_out else f"exit {first.returncode}",
        }
        ctx.log(f"    cache build: {build}")
        # rdflib: one process parses everything once and times each query in-process
        rd_out = base / "rdflib.json"
        rd = run_rdflib(ctx, files, [q.path for q in queries], rd_out)
        for q in queries:
            res = CaseResult("query-store", f"stored query {q.name}", sname)
            run = [*ctx.spacekg, "query", "run", q.name, "--format", "csv"]
            sides = []
            if with_store:
                sides.append(
                    Side(
                        "spacekg --store",
                        [*run, "--store", str(store)],
                        env=env,
                        stdout_path=base / f"{q.name}.spacekg-store.csv",
                    )
                )
            if memory_ok:
                sides.append(
                    Side(
                        "spacekg (in memory)",
                        run,
                        env=env,
                        stdout_path=base / f"{q.name}.spacekg-memory.csv",
                    )
                )
            sides.append(
                Side(
                    "pyoxigraph",
                    [
                        ctx.python,
                        str(BASELINES / "oxigraph_query.py"),
                        "--store",
                        str(store),
                        "--query",
                        str(q.path),
                    ],
                    stdout_path=base / f"{q.name}.oxigraph.json",
                )
            )
            if not with_store and not memory_ok:
                res.status = "not-available"
                res.reason = f"spacekg in memory did not run ({build['status']}) and no --store"
                results.append(res)
                continue
            res.notes.append(f"store filled by {how}")
            res.checks["spacekg_first_run_builds_cache"] = build
            if not memory_ok:
                res.notes.append("spacekg in memory left out: building its cache did not finish")
            _measure(ctx, res, sides)
            rows: dict[str, Any] = {
                "spacekg --store": _csv_rows(base / f"{q.name}.spacekg-store.csv")
                if with_store
                else None,
                "spacekg (in memory)": _csv_rows(base / f"{q.name}.spacekg-memory.csv")
                if memory_ok
                else None,
            }
            try:
                rows["pyoxigraph"] = json.loads((base / f"{q.name}.oxigraph.json").read_text())[
                    "rows"
                ]
            except (OSError, ValueError, KeyError):
                rows["pyoxigraph"] = None
            rq = (rd.get("queries") or {}).get(q.name) if rd else None
            if rq:
                rows["rdflib"] = rq["rows"]
                med = res.sides[0].median_s
                one_off = rd["parse_s"] + rq["median_s"]
                res.checks["rdflib"] = {
                    "parse_s": rd["parse_s"],
                    "query_s": rq["median_s"],
                    "one_off_s": one_off,
                    "peak_rss_mib": rd.get("peak_rss_mib"),
                    "spacekg_over_one_off": (med / one_off) if med else None,
                }
            if rd and "error" in rd:
                res.checks["rdflib"] = {
                    "status": rd["error"],
                    "wall_s": rd.get("wall_s"),
                    "note": "one process parsing every file then running every query",
                }
            res.checks["rows"] = rows
            res.checks["rows_equal"] = len({v for v in rows.values() if v is not None}) <= 1
            results.append(res)
    return results


def run_rdflib(ctx: Context, files: list[Path], queries: list[Path], out: Path) -> dict[str, Any]:
    from benchmarks.measure import run_once

    limit = ctx.case_timeouts.get("query-store-rdflib", ctx.timeout("query-store"))
    if limit <= 0:
        return {"error": "skipped (--timeout-case query-store-rdflib=0)", "wall_s": None}
    ctx.log("  rdflib: parse once, run each stored query in-process")
    s = run_once(
        [
            ctx.python,
            str(BASELINES / "rdflib_queries.py"),
            "--data",
            *map(str, files),
            "--query",
            *map(str, queries),
            "--repeat",
            str(max(ctx.repeat, 1)),
        ],
        timeout_s=limit,
        stdout_path=out,
        stderr_path=out.with_suffix(".stderr"),
    )
    if s.timed_out or s.returncode != 0:
        return {"error": "timeout" if s.timed_out else f"exit {s.returncode}", "wall_s": s.wall_s}
    data: dict[str, Any] = json.loads(out.read_text())
    data["wall_s"] = s.wall_s
    data["peak_rss_mib"] = s.peak_rss_kib / 1024
    return data


# --- case 6: reason ---------------------------------------------------------------------------


def _ground_lines(path: Path) -> tuple[set[str], int]:
    """The triples of a Turtle file without blank nodes (N-Triples), and how many in all."""
    import pyoxigraph

    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    blank = pyoxigraph.BlankNode
    lines = {
        str(q.triple)
        for q in quads
        if not isinstance(q.subject, blank) and not isinstance(q.object, blank)
    }
    return lines, len(quads)


def case_reason(ctx: Context) -> list[CaseResult]:
    """6. `spacekg reason --profile owlrl` vs owlrl DeductiveClosure(OWLRL_Semantics) and the
    reasonable library; spacekg's output compared with `spacekg reason --engine owlrl`'s."""
    results = []
    for size in ctx.sizes or [100_000]:
        res = CaseResult(
            "reason", "spacekg reason --profile owlrl vs owlrl and reasonable", gen.size_name(size)
        )
        try:
            require(ctx, "reason")
            _d, files, env = _load_inputs(ctx, size)
        except NotAvailable as e:
            res.status, res.reason = "not-available", str(e)
            results.append(res)
            continue
        base = ctx.work / f"reason-{gen.size_name(size)}"
        cache = base / "cache"
        env = {**env, "XDG_CACHE_HOME": str(cache), "SPACEKG_CACHE_DIR": str(cache)}
        sides = [
            Side(
                "spacekg reason",
                [*ctx.spacekg, "reason", "--profile", "owlrl", "-o", str(base / "inferred.ttl")],
                env=env,
                setup=fresh_dir(cache),
            ),
            Side(
                "owlrl DeductiveClosure",
                [ctx.python, str(BASELINES / "owlrl_closure.py"), *map(str, files)],
                stdout_path=base / "owlrl.json",
            ),
            Side(
                "reasonable (rdflib parse + PyReasoner)",
                [ctx.python, str(BASELINES / "reasonable_closure.py"), *map(str, files)],
                stdout_path=base / "reasonable.json",
            ),
        ]
        res.notes.append(
            "same files (ontology, bundled data, synthetic); spacekg's cache emptied before "
            "each run; owlrl = parse + DeductiveClosure(OWLRL_Semantics).expand; reasonable = "
            "rdflib parse + PyReasoner.from_graph + reason (its raw closure, unfiltered)"
        )
        _measure(ctx, res, sides, (0.067, "ratio to owlrl <= 0.067 (15x faster)"))
        # the reference: the same filter over owlrl's closure (untimed, once)
        from benchmarks.measure import run_once

        ref = base / "inferred-owlrl.ttl"
        ctx.log("  reference: spacekg reason --engine owlrl (untimed)")
        once = run_once(
            [*ctx.spacekg, "reason", "--profile", "owlrl", "--engine", "owlrl", "-o", str(ref)],
            env=env,
            timeout_s=ctx.timeout("reason"),
            stderr_path=base / "reference.stderr",
        )
        if once.timed_out or once.returncode != 0 or not (base / "inferred.ttl").is_file():
            res.checks["filtered_closure_vs_owlrl"] = {
                "status": "timeout" if once.timed_out else f"exit {once.returncode}"
            }
        else:
            got, got_n = _ground_lines(base / "inferred.ttl")
            want, want_n = _ground_lines(ref)
            res.checks["filtered_closure_vs_owlrl"] = {
                "equal": got == want and got_n == want_n,
                "spacekg_triples": got_n,
                "owlrl_triples": want_n,
                "only_spacekg": sorted(got - want)[:5],
                "only_owlrl": sorted(want - got)[:5],
                "reference_wall_s": once.wall_s,
            }
        results.append(res)
    return results


# --- case 7: spacekg serve under a bounded load ------------------------------------------------


def _start_spacekg_serve(ctx: Context, base: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """`spacekg serve --port 0` on 127.0.0.1; its URL once it says where it listens."""
    import re

    base.mkdir(parents=True, exist_ok=True)
    err = base / "serve.err"
    env = {**__import__("os").environ, "SPACEKG_CACHE_DIR": str(base / "cache")}
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [*ctx.spacekg, "serve", "--port", "0", "--workers", "2"],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env=env,
            start_new_session=True,
        )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        found = re.search(r"serving the graph at (http://\S+?)/ ", err.read_text(errors="replace"))
        if found:
            return found.group(1), proc
        if proc.poll() is not None:
            raise NotAvailable(f"spacekg serve exited {proc.returncode}: {err.read_text()[-300:]}")
        time.sleep(0.1)
    proc.kill()
    raise NotAvailable("spacekg serve did not start within 300 s")


def _tree_rss_mib(pid: int) -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        return round(sum(p.memory_info().rss for p in procs) / 2**20, 1)
    except psutil.Error:
        return None


_STATS = ("_ms", "_per_s")


def case_serve_load(ctx: Context) -> list[CaseResult]:
    """7. `spacekg serve` under a bounded load: a stored query via /api and /sparql, with the
    embedded engine's own time for the same query."""
    import os
    import signal

    name = ctx.query or "events"
    requests = 50 if ctx.quick else 1000
    concurrency = 4
    res = CaseResult(
        "serve-load",
        f"spacekg serve: {requests} requests of stored query {name}, {concurrency} clients",
    )
    try:
        require(ctx, "serve")
        try:
            import httpx  # noqa: F401
        except ImportError:
            raise NotAvailable("httpx is not installed (pip install 'spacekg[test]')") from None
        from spacekg.query.catalogue import bind, get_query

        query_file = ctx.work / "serve-load" / f"{name}.rq"
        query_file.parent.mkdir(parents=True, exist_ok=True)
        query_file.write_text(bind(get_query(name), {}))
        for old in query_file.parent.glob("*.jsonl"):
            old.unlink()
        url, proc = _start_spacekg_serve(ctx, ctx.work / "serve-load")
    except NotAvailable as e:
        res.status, res.reason = "not-available", str(e)
        return [res]
    base = ctx.work / "serve-load"
    load = [ctx.python, str(BASELINES / "http_load.py")]
    counts = ["--requests", str(requests), "--concurrency", str(concurrency)]
    sides = [
        Side(
            f"spacekg serve GET /api/{name}",
            [*load, f"{url}/api/{name}", *counts, "--append", str(base / "api.jsonl")],
            stdout_path=base / "api.json",
        ),
        Side(
            "spacekg serve POST /sparql",
            [
                *load,
                f"{url}/sparql",
                *counts,
                "--body",
                str(query_file),
                "--append",
                str(base / "sparql.jsonl"),
            ],
            stdout_path=base / "sparql.json",
        ),
        Side(
            "embedded engine run_query",
            [
                ctx.python,
                str(BASELINES / "engine_loop.py"),
                name,
                "--runs",
                str(requests),
                "--append",
                str(base / "engine.jsonl"),
            ],
            env={**os.environ, "SPACEKG_CACHE_DIR": str(base / "cache")},
            stdout_path=base / "engine.json",
        ),
    ]
    res.notes.append(
        f"one `spacekg serve --workers 2` on 127.0.0.1 for the whole case; each HTTP side is a "
        f"client process sending {requests} requests over {concurrency} keep-alive connections "
        "(JSON results); the engine side runs run_query (and the JSON rendering) the same number "
        "of times in one process over one in-memory store; ratio = wall time of the HTTP side / "
        "the engine's; the clients share the 2 CPUs with the server"
    )
    try:
        _measure(ctx, res, sides)
        res.checks["server_rss_mib_after"] = _tree_rss_mib(proc.pid)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    stats: dict[str, dict[str, Any] | None] = {}
    for key in ("api", "sparql", "engine"):
        try:
            lines = (base / f"{key}.jsonl").read_text().splitlines()
            runs = [json.loads(line) for line in lines]
        except (OSError, ValueError):
            runs = []
        timed = runs[ctx.warmup :] or runs  # the warm-up rounds come first
        res.checks[f"{key}_runs"] = timed
        stats[key] = (
            {k: statistics.median(r[k] for r in timed) for k in timed[0] if k.endswith(_STATS)}
            if timed
            else None
        )
        res.checks[key] = stats[key]
    api, sparql, engine = stats["api"], stats["sparql"], stats["engine"]
    if api and sparql and engine:
        res.checks["summary"] = (
            f"medians over {len(res.checks['api_runs'])} rounds: /api/{name} "
            f"{api['requests_per_s']:.0f} req/s, p50 {api['p50_ms']:.1f} ms, p99 "
            f"{api['p99_ms']:.1f} ms; /sparql {sparql['requests_per_s']:.0f} req/s, p50 "
            f"{sparql['p50_ms']:.1f} ms, p99 {sparql['p99_ms']:.1f} ms; embedded engine "
            f"run_query {engine['queries_per_s']:.0f} queries/s, p50 "
            f"{engine['run_query_p50_ms']:.2f} ms, p99 {engine['run_query_p99_ms']:.2f} ms "
            f"(with the JSON rendering p50 {engine['with_json_p50_ms']:.2f} ms)"
        )
        res.notes.append(res.checks["summary"])
    return [res]


CASES: dict[str, Callable[[Context], list[CaseResult]]] = {
    "query-cold": case_query_cold,
    "validate": case_validate,
    "load-store": case_load_store,
    "load-endpoint": case_load_endpoint,
    "query-store": case_query_store,
    "reason": case_reason,
    "serve-load": case_serve_load,
}


def _register_against() -> None:
    from benchmarks.regression import case_against

    CASES["against"] = case_against


_register_against()
