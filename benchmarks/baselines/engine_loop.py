"""The embedded engine's own time for a stored query: ``run_query`` N times in one process over
one in-memory store (what a request costs the server's worker, without HTTP); stats as JSON.

    python engine_loop.py NAME --runs N
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--append", default=None, help="also append the stats as one JSON line")
    args = ap.parse_args()
    from spacekg.query.catalogue import get_query
    from spacekg.query.engine import OxigraphMemoryBackend, run_query
    from spacekg.query.render import render

    backend = OxigraphMemoryBackend()
    query = get_query(args.name)
    run_query(query, backend=backend)  # warm
    engine, rendered = [], []
    start = time.perf_counter()
    rows = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = run_query(query, backend=backend)
        t1 = time.perf_counter()
        render(result, "json")
        t2 = time.perf_counter()
        engine.append((t1 - t0) * 1000)
        rendered.append((t2 - t0) * 1000)
        rows = len(result.rows)
    wall = time.perf_counter() - start
    doc = {
        "runs": args.runs,
        "rows": rows,
        "wall_s": round(wall, 4),
        "queries_per_s": round(args.runs / wall, 1),
        "run_query_p50_ms": round(statistics.median(engine), 3),
        "run_query_p99_ms": round(percentile(engine, 99), 3),
        "with_json_p50_ms": round(statistics.median(rendered), 3),
        "with_json_p99_ms": round(percentile(rendered, 99), 3),
    }
    json.dump(doc, sys.stdout)
    if args.append:
        with open(args.append, "a") as out:
            out.write(json.dumps(doc) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
