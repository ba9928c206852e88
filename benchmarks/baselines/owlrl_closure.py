"""Baseline: owlrl's DeductiveClosure(OWLRL_Semantics) over the given files in one Graph.

    python owlrl_closure.py F1.ttl F2.ttl ...

Prints JSON: parse time, closure time, asserted and closed triple counts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    import owlrl
    import rdflib

    t0 = time.perf_counter()
    g = rdflib.Graph()
    for f in map(Path, sys.argv[1:]):
        g.parse(f, format="nt" if f.suffix == ".nt" else "turtle")
    parse_s = time.perf_counter() - t0
    asserted = len(g)
    t = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    json.dump(
        {
            "parse_s": parse_s,
            "closure_s": time.perf_counter() - t,
            "asserted": asserted,
            "closed": len(g),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
