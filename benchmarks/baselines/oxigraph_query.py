"""Baseline: pyoxigraph directly, on an existing store, the default graph as union of all graphs.

    python oxigraph_query.py --store DIR --query Q.rq

Prints JSON: open time, query time, row count.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.sparql_text import load


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--query", type=Path, required=True)
    args = ap.parse_args()
    import pyoxigraph

    t0 = time.perf_counter()
    store = pyoxigraph.Store.read_only(str(args.store))
    open_s = time.perf_counter() - t0
    q = load(args.query)
    t = time.perf_counter()
    res = store.query(q.text, use_default_graph_as_union=True)
    rows = int(bool(res)) if isinstance(res, pyoxigraph.QueryBoolean) else sum(1 for _ in res)
    json.dump({"open_s": open_s, "query_s": time.perf_counter() - t, "rows": rows}, sys.stdout)


if __name__ == "__main__":
    main()
