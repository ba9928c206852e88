"""Baseline: rdflib's own SPARQL engine on an in-memory Graph.

    python rdflib_queries.py --data F1.ttl F2.nt ... --query Q1.rq ... [--repeat N]

Parses every data file into one Graph (the union of the named graphs), then runs each query
``repeat`` times. Prints JSON: parse time, and per query the median time and the row count.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.sparql_text import load


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", nargs="+", type=Path, required=True)
    ap.add_argument("--query", nargs="+", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    import rdflib

    t0 = time.perf_counter()
    g = rdflib.Graph()
    for f in args.data:
        g.parse(f, format="nt" if f.suffix == ".nt" else "turtle")
    parse_s = time.perf_counter() - t0
    out: dict[str, object] = {"parse_s": parse_s, "triples": len(g), "queries": {}}
    for qpath in args.query:
        q = load(qpath)
        times, rows = [], -1
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = g.query(q.text)
            rows = int(bool(res.askAnswer)) if res.type == "ASK" else sum(1 for _ in res)
            times.append(time.perf_counter() - t)
        out["queries"][q.name] = {"median_s": statistics.median(times), "rows": rows}  # type: ignore[index]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
