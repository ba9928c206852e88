"""The benchmark harness. From the repository root:

    .venv/bin/python -m benchmarks run [--quick] [--cases query-cold,validate,...]
                                       [--sizes 10k,100k,1m] [--repeat N] [--warmup N]
                                       [--timeout S] [--timeout-case validate=3600,...]
                                       [--out DIR]
    .venv/bin/python -m benchmarks generate --sizes 10k,100k,1m [--data DIR] [--seed N]
    .venv/bin/python -m benchmarks list
    .venv/bin/python -m benchmarks report [--out DIR]   # results.md again from results.json

``run`` writes ``results.md`` and ``results.json`` into ``--out`` (default ``benchmarks/``, or
``benchmarks/work/quick/`` with ``--quick``). Exit status: 0 when every case ran (whatever the
numbers), 1 when a case failed or timed out, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import generate as gen

HERE = Path(__file__).resolve().parent


def _compile_bytecode() -> None:
    """Write the bytecode of spacekg and of the baselines' helpers before anything is timed.

    An installed wheel has it (pip compiles at install). An editable install run with
    ``PYTHONDONTWRITEBYTECODE`` set has none and never writes it, so every spacekg process
    would compile each module it imports (50-70 ms of a cold ``query run``) while a baseline
    script compiles only itself: a cost no installed spacekg pays, so it is left out.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("spacekg")
    folders = [Path(__file__).resolve().parent]
    if spec is not None and spec.origin:
        folders.append(Path(spec.origin).parent)
    for folder in folders:
        compileall.compile_dir(str(folder), quiet=1)


def _root() -> Path:
    try:
        from spacekg.project import bundle_root

        return bundle_root()
    except Exception:
        return HERE.parent


def _sizes(text: str | None) -> list[int] | None:
    if not text:
        return None
    return [gen.parse_size(t) for t in text.split(",") if t.strip()]


def _case_timeouts(text: str | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in (text or "").split(","):
        if item.strip():
            name, _, value = item.partition("=")
            out[name.strip()] = float(value)
    return out


def main(argv: list[str] | None = None) -> int:
    from benchmarks.cases import CASES

    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run the cases and write results.md / results.json")
    run.add_argument("--quick", action="store_true", help="tiny data, 1 run, no warm-up")
    run.add_argument("--cases", help=f"comma-separated, from: {', '.join(CASES)}")
    run.add_argument("--sizes", help="override every case's sizes, e.g. 10k,100k")
    run.add_argument("--repeat", type=int, default=3, help="timed rounds (default 3)")
    run.add_argument("--warmup", type=int, default=1, help="warm-up rounds (default 1)")
    run.add_argument("--timeout", type=float, default=1800.0, help="per run, s (default 1800)")
    run.add_argument("--timeout-case", help="per-case timeouts, e.g. validate=3600,reason=900")
    run.add_argument(
        "--slow", type=float, default=300.0, help="one timed round if a warm-up run exceeds it"
    )
    run.add_argument(
        "--shapes",
        default="auto",
        help="case validate: bundled, reference (benchmarks/reference_shapes.ttl), a path, or "
        "auto = bundled if present else reference",
    )
    run.add_argument("--query", help="the stored query of case query-cold (default: first)")
    run.add_argument("--out", type=Path, help="where results.md and results.json go")
    run.add_argument(
        "--merge",
        action="store_true",
        help="keep the other cases/sizes of an existing results.json, replace those run now",
    )
    run.add_argument("--work", type=Path, default=HERE / "work")
    run.add_argument("--data", type=Path, default=HERE / "data")
    g = sub.add_parser("generate", help="write synthetic data sets")
    g.add_argument("--sizes", default="10k,100k,1m")
    g.add_argument("--data", type=Path, default=HERE / "data")
    g.add_argument("--seed", type=int, default=20260101)
    sub.add_parser("list", help="list the cases")
    rep = sub.add_parser("report", help="re-render results.md from results.json")
    rep.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)

    if args.cmd == "list":
        for name, fn in CASES.items():
            print(f"{name:<14} {(fn.__doc__ or '').strip()}")
        return 0
    if args.cmd == "report":
        import json

        from benchmarks.report import to_markdown

        data = json.loads((args.out / "results.json").read_text())
        md = to_markdown(data["cases"], data["environment"], data["options"])
        (args.out / "results.md").write_text(md)
        print(f"wrote {args.out / 'results.md'}")
        return 0
    if args.cmd == "generate":
        for size in _sizes(args.sizes) or []:
            m = gen.generate(size, args.data / gen.size_name(size), seed=args.seed,
                             stances=gen.bundled_stances())  # fmt: skip
            print(f"{gen.size_name(size)}: {m['triples']} triples, {m['violations']} violations")
        return 0

    from benchmarks.cases import Context
    from benchmarks.report import write

    names = [c.strip() for c in (args.cases or ",".join(CASES)).split(",") if c.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        ap.error(f"unknown case(s): {', '.join(unknown)} (choose from {', '.join(CASES)})")
    quick = args.quick
    work = args.work / "quick" if quick and args.work == HERE / "work" else args.work
    ctx = Context(
        root=_root(),
        work=work,
        data=args.data,
        repeat=1 if quick else args.repeat,
        warmup=0 if quick else args.warmup,
        timeout_s=min(args.timeout, 300.0) if quick else args.timeout,
        case_timeouts=_case_timeouts(args.timeout_case),
        slow_s=args.slow,
        sizes=_sizes(args.sizes) or ([1_000] if quick else None),
        query=args.query,
        shapes=args.shapes,
        quick=quick,
    )
    out = args.out or (HERE / "work" / "quick" if quick else HERE)
    _compile_bytecode()
    results = []
    for name in names:
        t0 = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        for r in CASES[name](ctx):
            r.when = t0
            r.settings = (
                f"repeat {ctx.repeat}, warm-up {ctx.warmup}, timeout {ctx.timeout(name):.0f} s"
            )
            results.append(r)
    options = {
        "cases": names,
        "quick": quick,
        "repeat": ctx.repeat,
        "warmup": ctx.warmup,
        "timeout_s": ctx.timeout_s,
        "case_timeouts": ctx.case_timeouts,
        "shapes": args.shapes,
        "sizes": [gen.size_name(s) for s in ctx.sizes] if ctx.sizes else "per case",
    }
    j, m = write(results, out, ctx.root, options, merge=args.merge)
    print(f"wrote {m} and {j}")
    for r in results:
        print(
            f"  {r.case:<14} {r.size or '':<6} {r.status}" + (f": {r.reason}" if r.reason else "")
        )
    return 1 if any(r.status in ("failed", "timeout", "partial") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
