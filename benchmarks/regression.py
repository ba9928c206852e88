"""Case `against`: spacekg now against spacekg at an earlier commit, side by side.

Set ``SPACEKG_BENCH_AGAINST=REV`` (a commit, tag or branch of this repository). The earlier
code is unpacked once with ``git archive`` into ``benchmarks/work/against-REV/`` and run from
there with this venv's Python (``PYTHONPATH`` pointing at its ``src/``, its own bundle beside it),
so both sides use the same interpreter and libraries and differ only in spacekg's code and data.
Each side has its own cache folder, warmed by the warm-up round. Two commands, each cold:
``spacekg query run NAME`` over the bundled graph, and ``spacekg validate`` of the synthetic data
(default 100k). Target: ratio <= 1.0 within noise (reported, not enforced).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks import generate as gen
from benchmarks.cases import CaseResult, Context, NotAvailable, _measure, dataset
from benchmarks.measure import Side

ENV = "SPACEKG_BENCH_AGAINST"


def _unpack(ctx: Context, rev: str) -> Path:
    sha = subprocess.run(
        ["git", "-C", str(ctx.root), "rev-parse", "--short=12", rev],
        capture_output=True,
        text=True,
    )
    if sha.returncode != 0:
        raise NotAvailable(f"{ENV}={rev}: not a revision of this repository")
    out = ctx.work / f"against-{sha.stdout.strip()}"
    if not (out / "src" / "spacekg").is_dir():
        out.mkdir(parents=True, exist_ok=True)
        archive = subprocess.Popen(
            ["git", "-C", str(ctx.root), "archive", rev], stdout=subprocess.PIPE
        )
        subprocess.run(["tar", "-x", "-C", str(out)], stdin=archive.stdout, check=True)
        archive.wait()
    return out


def _sides(ctx: Context, old: Path, rev: str, argv: list[str], **kw: object) -> list[Side]:
    base = {k: v for k, v in os.environ.items() if k not in ("SPACEKG_HOME", "PYTHONPATH")}
    now_env = {**base, "SPACEKG_CACHE_DIR": str(ctx.work / "against-cache-now")}
    old_env = {
        **base,
        "SPACEKG_CACHE_DIR": str(ctx.work / "against-cache-old"),
        "PYTHONPATH": str(old / "src"),
    }
    return [
        Side("spacekg (now)", [*ctx.spacekg, *argv], env=now_env, **kw),  # type: ignore[arg-type]
        Side(f"earlier commit {rev}", [sys.executable, "-m", "spacekg", *argv], env=old_env, **kw),  # type: ignore[arg-type]
    ]


def case_against(ctx: Context) -> list[CaseResult]:
    """spacekg now vs spacekg at ``$SPACEKG_BENCH_AGAINST``: cold query, validate."""
    rev = os.environ.get(ENV, "")
    res = CaseResult("against", f"spacekg now vs spacekg at {rev or '?'}")
    try:
        if not rev:
            raise NotAvailable(f"set {ENV}=REV to compare with an earlier commit")
        old = _unpack(ctx, rev)
    except NotAvailable as e:
        res.status, res.reason = "not-available", str(e)
        return [res]
    query = ctx.query or "events"
    q = CaseResult("against", f"spacekg query run {query}, cold: now vs {rev}")
    q.notes.append("each side over its own bundled graph, its cache warmed by the warm-up run")
    results = [_measure(ctx, q, _sides(ctx, old, rev, ["query", "run", query]), (1.0, "<= 1.0"))]
    for size in ctx.sizes or [100_000]:
        new = dataset(ctx, size) / "synthetic.ttl"
        v = CaseResult("against", f"spacekg validate, cold: now vs {rev}", gen.size_name(size))
        v.notes.append("each side with its own bundled shapes, ontology and data as context")
        argv = ["validate", str(new), "--format", "turtle"]
        results.append(
            _measure(ctx, v, _sides(ctx, old, rev, argv, ok_codes=(0, 1)), (1.0, "<= 1.0"))
        )
    return results
