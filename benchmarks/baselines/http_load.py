"""A bounded HTTP load: N requests from C concurrent keep-alive clients; stats as JSON on stdout.

    python http_load.py URL --requests N --concurrency C [--accept MEDIA] [--body FILE]

With ``--body`` each request is a POST of the file as ``application/sparql-query`` (the SPARQL
1.1 Protocol), else a GET. Prints requests/s and latency percentiles (ms); exits 1 if any
request failed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--accept", default="application/sparql-results+json")
    ap.add_argument("--body", default=None)
    ap.add_argument("--append", default=None, help="also append the stats as one JSON line")
    args = ap.parse_args()
    body = Path(args.body).read_bytes() if args.body else None
    headers = {"Accept": args.accept}
    if body is not None:
        headers["Content-Type"] = "application/sparql-query"
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(args.requests))

    def client() -> None:
        with httpx.Client(timeout=120) as c:
            while True:
                with lock:
                    if next(counter, None) is None:
                        return
                t0 = time.perf_counter()
                try:
                    if body is None:
                        r = c.get(args.url, headers=headers)
                    else:
                        r = c.post(args.url, content=body, headers=headers)
                    ok = r.status_code == 200 and len(r.content) > 0
                    why = f"HTTP {r.status_code}"
                except httpx.HTTPError as err:
                    ok, why = False, str(err)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    if not ok:
                        failures.append(why)

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ms = [x * 1000 for x in latencies]
    doc = {
        "requests": len(latencies),
        "concurrency": args.concurrency,
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "wall_s": round(wall, 4),
        "requests_per_s": round(len(latencies) / wall, 1) if wall > 0 else None,
        "p50_ms": round(statistics.median(ms), 2) if ms else None,
        "p90_ms": round(percentile(ms, 90), 2) if ms else None,
        "p99_ms": round(percentile(ms, 99), 2) if ms else None,
        "max_ms": round(max(ms), 2) if ms else None,
    }
    json.dump(doc, sys.stdout)
    if args.append:
        with Path(args.append).open("a") as out:
            out.write(json.dumps(doc) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
