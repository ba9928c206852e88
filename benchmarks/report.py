"""results.json and results.md: the machine, the versions, and one row per case and baseline."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.cases import CASES, CaseResult

CASE_ORDER = tuple(CASES)

PACKAGES = (
    "spacekg",
    "rdflib",
    "pyshacl",
    "owlrl",
    "reasonable",
    "pyoxigraph",
    "oxigraph",
    "click",
    "psutil",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _oxigraph_cli() -> str | None:
    exe = Path(sys.executable).parent / "oxigraph"
    try:
        p = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=30)
        return p.stdout.strip() or None
    except OSError:
        return None


def _git_commit(root: Path) -> str | None:
    try:
        p = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return p.stdout.strip() or None
    except OSError:
        return None


def _jena_version() -> str | None:
    """The Debian package version of Jena (the validate case's baseline), if installed."""
    try:
        p = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "libapache-jena-java"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.strip() or None if p.returncode == 0 else None


def environment(root: Path) -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        affinity = None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "cpu_model": _cpu_model(),
        "memory_gib": _mem_total_gib(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "oxigraph_cli": _oxigraph_cli(),
        "jena": _jena_version(),
        "git_commit": _git_commit(root),
    }


def _num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def case_dict(r: CaseResult) -> dict[str, Any]:
    d = asdict(r)
    for side, raw in zip(d["sides"], r.sides, strict=True):
        side["median_s"] = raw.median_s
        side["peak_rss_mib"] = raw.peak_rss_mib
        side["repeats"] = len(raw.samples)
    return d


def _key(d: dict[str, Any]) -> tuple[str, str, str]:
    return (d["case"], d.get("size") or "", d["title"] if d["case"] == "query-store" else "")


def merged(new: list[dict[str, Any]], old_json: Path) -> list[dict[str, Any]]:
    """The cases of ``old_json`` with those in ``new`` replaced (same case, size, query)."""
    try:
        old = json.loads(old_json.read_text())["cases"]
    except (OSError, ValueError, KeyError):
        return new
    fresh = {_key(d) for d in new}
    order = list(CASE_ORDER)
    out = [d for d in old if _key(d) not in fresh] + new
    return sorted(
        out, key=lambda d: (order.index(d["case"]) if d["case"] in order else 99, _size(d))
    )


def _size(d: dict[str, Any]) -> int:
    from benchmarks.generate import parse_size

    try:
        return parse_size(d.get("size") or "0") if d.get("size") else 0
    except ValueError:
        return 0


def to_markdown(cases: list[dict[str, Any]], env: dict[str, Any], options: dict[str, Any]) -> str:
    pk = env["packages"]
    whens = [c["when"] for c in cases if c.get("when")]
    lines = [
        "# spacekg benchmark results",
        "",
        f"- date: {env['date']}; git commit: {env['git_commit']}"
        + (f"; the cases ran between {min(whens)} and {max(whens)}" if whens else ""),
        f"- machine: {env['cpu_count']} CPUs ({env['cpus_usable']} usable), {env['cpu_model']}, "
        f"{env['memory_gib']} GiB RAM; load average at start {env['load_average']} "
        "(1-minute, 5-minute, 15-minute)",
        "- other jobs on the machine change the seconds more than the ratios: read the "
        "pair-by-pair ratios of the alternating runs first",
        f"- Python {env['python']} on {env['platform']}",
        "- packages: "
        + ", ".join(f"{k} {v}" for k, v in pk.items() if v)
        + (f"; CLI {env['oxigraph_cli']}" if env.get("oxigraph_cli") else "")
        + (f"; Jena (libapache-jena-java) {env['jena']}" if env.get("jena") else ""),
        f"- options: {json.dumps(options)}",
        "",
        "Wall time is the median over the timed runs (each side run as a whole process, "
        "alternately A B A B after a warm-up); ratio = spacekg / baseline, the median of the "
        "pair-by-pair ratios (< 1 means spacekg is faster); peak RSS from `wait4` of each child "
        "(max over all its runs).",
        "",
        "| case | size | spacekg | time (s) | baseline | time (s) | ratio | target | met | "
        "spacekg RSS (MiB) | baseline RSS (MiB) | runs | status |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    details: list[str] = []
    for r in cases:
        size = r.get("size") or "bundled"
        name = r["title"] if r["case"] == "query-store" else r["case"]
        if r["status"] == "not-available" or not r["sides"]:
            lines.append(
                f"| {name} | {size} | | | | | | {r['target']} | | | | | "
                f"{r['status']}: {r['reason']} |"
            )
            continue
        by_label = {side["label"]: side for side in r["sides"]}
        for k, ratio in enumerate(r["ratios"]):
            first, other = by_label[ratio["spacekg"]], by_label[ratio["baseline"]]
            met = ""
            if k == 0 and r["target_met"] is not None:
                met = "yes" if r["target_met"] else "**no**"
            status = r["status"] if r["status"] == "ok" else f"{r['status']}: {r['reason']}"
            lines.append(
                f"| {name} | {size} | {first['label']} | {_num(first['median_s'])} | "
                f"{other['label']} | "
                f"{_num(other['median_s'])} | {_num(ratio['median'])} | "
                f"{r['target'] if k == 0 else ''} | {met} | "
                f"{_num(first['peak_rss_mib'], 1)} | {_num(other['peak_rss_mib'], 1)} | "
                f"{first['repeats']}/{other['repeats']} | {status} |"
            )
        details.append(f"### {r['case']} {size}: {r['title']}")
        details.append(f"- ran {r.get('when', '')}, {r.get('settings', '')}")
        details.extend(f"- {n}" for n in r["notes"])
        for k2, v in r["checks"].items():
            details.append(f"- {k2}: `{json.dumps(v)[:1500]}`")
        details.append("")
    heads = headlines(cases)
    if heads:
        lines += ["", "## Headlines", "", *heads]
    if details:
        lines += ["", "## Details", "", *details]
    return "\n".join(lines) + "\n"


def headlines(cases: list[dict[str, Any]]) -> list[str]:
    """One line per case: the largest size every side finished, and what did not finish."""
    out: list[str] = []
    for name in CASE_ORDER:
        runs = [c for c in cases if c["case"] == name and c["sides"]]
        if not runs:
            continue
        if name == "query-store":
            for size in sorted({c["size"] for c in runs}, key=lambda s: _size({"size": s})):
                group = [c for c in runs if c["size"] == size]
                by_pair: dict[tuple[str, str], list[float]] = {}
                for c in group:
                    for r in c["ratios"]:
                        if r["median"] is not None:
                            by_pair.setdefault((r["spacekg"], r["baseline"]), []).append(
                                r["median"]
                            )
                same = sum(1 for c in group if c["checks"].get("rows_equal"))
                parts = [
                    f"{a} / {b}: median {statistics.median(v):.2f} "
                    f"(range {min(v):.2f}-{max(v):.2f})"
                    for (a, b), v in by_pair.items()
                ]
                out.append(
                    f"- **query-store {size}**, {len(group)} stored queries: "
                    + "; ".join(parts)
                    + f"; same row count on every engine for {same} of {len(group)} queries"
                )
            continue
        done = [c for c in runs if all(s["status"] == "ok" for s in c["sides"])]
        for c in runs:
            for s in c["sides"]:
                if s["status"] != "ok":
                    out.append(f"- **{name} {c['size'] or ''}**: {s['label']} {s['status']}: "
                               f"{s['error'][:200]}")  # fmt: skip
        if done:
            c = max(done, key=_size)
            r = c["ratios"][0] if c["ratios"] else None
            if r and r["median"] is not None:
                side = {x["label"]: x for x in c["sides"]}
                met = ""
                if c["target"]:
                    met = f"; target {c['target']}: {'met' if c['target_met'] else 'NOT met'}"
                sets = ""
                if name == "validate":
                    eq = {
                        k: v["equal"] for k, v in c["checks"].items() if isinstance(v, dict)
                        and "equal" in v
                    }  # fmt: skip
                    sets = "; violation sets " + ", ".join(
                        f"{k.replace('_vs_', ' = ')}: {'yes' if v else 'NO'}" for k, v in eq.items()
                    )
                out.append(
                    f"- **{name}** (largest size all sides finished: {c['size'] or 'bundled'}): "
                    f"{r['spacekg']} {side[r['spacekg']]['median_s']:.3f} s vs {r['baseline']} "
                    f"{side[r['baseline']]['median_s']:.3f} s, ratio {r['median']:.3f}{met}{sets}"
                )
    return out


def write(
    results: list[CaseResult],
    out_dir: Path,
    root: Path,
    options: dict[str, Any],
    merge: bool = False,
) -> tuple[Path, Path]:
    env = environment(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    j, m = out_dir / "results.json", out_dir / "results.md"
    cases = [case_dict(r) for r in results]
    if merge:
        cases = merged(cases, j)
    j.write_text(json.dumps({"environment": env, "options": options, "cases": cases}, indent=1))
    m.write_text(to_markdown(cases, env, options))
    return j, m
