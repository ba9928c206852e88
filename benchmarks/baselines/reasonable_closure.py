"""Baseline: the reasonable library as a user would call it: rdflib parses the files into one
Graph, ``PyReasoner.from_graph(g)`` then ``reason()``.

    python reasonable_closure.py F1.ttl F2.ttl ...

Prints JSON: parse time, closure time, asserted and closed triple counts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    import rdflib
    import reasonable

    t0 = time.perf_counter()
    g = rdflib.Graph()
    for f in map(Path, sys.argv[1:]):
        g.parse(f, format="nt" if f.suffix == ".nt" else "turtle")
    parse_s = time.perf_counter() - t0
    t = time.perf_counter()
    r = reasonable.PyReasoner()
    r.from_graph(g)
    closed = r.reason()
    json.dump(
        {
            "parse_s": parse_s,
            "closure_s": time.perf_counter() - t,
            "asserted": len(g),
            "closed": len(closed),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
