"""Run commands as whole processes, alternately, and measure wall time and peak RSS.

Peak RSS comes from the operating system, as ``ru_maxrss`` (KiB on Linux) of the child's own
``rusage`` from ``wait4``. ``resource.getrusage(RUSAGE_CHILDREN)`` is not used: its maximum is
over all children so far, so a small process after a big one would inherit the big one's peak.

One trap, measured here: Linux seeds a new process's ``maxrss`` at ``exec`` with the resident
set of the process it was forked from, so a child forked by this (Python, tens of MiB) process
would report at least the harness's own size (a bare ``python -c pass`` showed 68 MiB under
pytest instead of 13). So when GNU time is installed, each command runs under
``/usr/bin/time -f %M``: the small ``time`` process forks the command and reports the command's
own ``wait4`` peak. Without it, the harness falls back to its own ``os.wait4`` (``rss_source``
says which), whose numbers have that floor.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    wall_s: float
    peak_rss_kib: int
    returncode: int
    timed_out: bool = False
    # "gnu-time" (the command's own wait4, via /usr/bin/time) | "wait4" | "unknown" (killed)
    rss_source: str = "wait4"


@dataclass
class Side:
    """One contender in a case: a command line, how to set it up, which exit codes are fine.

    ``setup`` runs before every run (not timed) and may return a teardown callable, which runs
    after it (not timed either): e.g. empty a store directory, start and stop a server.
    """

    label: str
    argv: list[str]
    env: dict[str, str] | None = None
    cwd: Path | None = None
    ok_codes: tuple[int, ...] = (0,)
    stdout_path: Path | None = None
    setup: Callable[[], Callable[[], None] | None] | None = None
    argv_fn: Callable[[], list[str]] | None = None  # the command line, built after setup
    note: str = ""


@dataclass
class SideResult:
    label: str
    argv: list[str]
    samples: list[Sample] = field(default_factory=list)
    warmup: list[Sample] = field(default_factory=list)
    status: str = "ok"  # ok | timeout | failed
    error: str = ""
    note: str = ""

    @property
    def median_s(self) -> float | None:
        good = [s.wall_s for s in self.samples]
        return statistics.median(good) if good else None

    @property
    def peak_rss_mib(self) -> float | None:
        runs = self.samples + self.warmup
        return max(s.peak_rss_kib for s in runs) / 1024 if runs else None


GNU_TIME = Path("/usr/bin/time")


def _has_gnu_time() -> bool:
    if not hasattr(_has_gnu_time, "cached"):
        ok = False
        if GNU_TIME.exists():
            try:
                p = subprocess.run(
                    [str(GNU_TIME), "--version"], capture_output=True, text=True, timeout=10
                )
                ok = "GNU" in (p.stdout + p.stderr)
            except (OSError, subprocess.TimeoutExpired):
                ok = False
        _has_gnu_time.cached = ok  # type: ignore[attr-defined]
    return bool(_has_gnu_time.cached)  # type: ignore[attr-defined]


def _read_time_file(path: Path) -> int | None:
    try:
        lines = path.read_text().split()
    except OSError:
        return None
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def run_once(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout_s: float = 1800.0,
    stdout_path: Path | None = None,
    stderr_path: Path | None = None,
) -> Sample:
    """Run ``argv`` to completion (or kill its process group after ``timeout_s``)."""
    argv = list(argv)
    time_file: Path | None = None
    if _has_gnu_time():
        fd, name = tempfile.mkstemp(prefix="bench-rss-", suffix=".txt")
        os.close(fd)
        time_file = Path(name)
        argv = [str(GNU_TIME), "-f", "%M", "-o", name, *argv]
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    out = stdout_path.open("wb") if stdout_path else subprocess.DEVNULL
    err = stderr_path.open("wb") if stderr_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            env=full_env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout_s, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        rss, source = int(usage.ru_maxrss), "wait4"
        if time_file is not None:
            measured = _read_time_file(time_file)
            if measured is not None:
                rss, source = measured, "gnu-time"
            else:  # killed with GNU time: the command's own peak was never written
                rss, source = 0, "unknown"
        return Sample(wall, rss, proc.returncode, killed.is_set(), source)
    finally:
        if time_file is not None:
            time_file.unlink(missing_ok=True)
        for f in (out, err):
            if hasattr(f, "close"):
                f.close()  # type: ignore[union-attr]


def _tail(path: Path, n: int = 400) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return " | ".join(text[-n:].splitlines()[-4:])


def run_alternating(
    sides: list[Side],
    *,
    repeat: int,
    warmup: int,
    timeout_s: float,
    work: Path,
    slow_s: float = 300.0,
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
) -> list[SideResult]:
    """Warm up each side, then run them A B A B ... ``repeat`` times.

    A side that fails (exit code not in ``ok_codes``) or times out is dropped from the later
    rounds, with its status and the tail of its stderr. If a warm-up took longer than
    ``slow_s``, one timed round is run instead of ``repeat`` (the JSON says how many ran).
    """
    work.mkdir(parents=True, exist_ok=True)
    results = [SideResult(s.label, list(s.argv), note=s.note) for s in sides]

    def one(i: int, tag: str) -> Sample | None:
        side, res = sides[i], results[i]
        try:
            teardown = side.setup() if side.setup else None
        except Exception as e:  # a server that would not start: the side failed, not the run
            res.status, res.error = "failed", f"setup: {type(e).__name__}: {e}"
            log(f"    {res.label:<28} {tag:<8} setup failed: {e}")
            return None
        err_path = work / f"{i}-{tag}.stderr"
        try:
            sample = run_once(
                side.argv_fn() if side.argv_fn else side.argv,
                env=side.env,
                cwd=side.cwd,
                timeout_s=timeout_s,
                stdout_path=side.stdout_path,
                stderr_path=err_path,
            )
        finally:
            if teardown:
                teardown()
        log(
            f"    {res.label:<28} {tag:<8} {sample.wall_s:9.3f} s  "
            f"{sample.peak_rss_kib / 1024:8.1f} MiB  exit {sample.returncode}"
        )
        if sample.timed_out:
            res.status, res.error = "timeout", f"did not finish in {timeout_s:.0f} s"
            return None
        if sample.returncode not in side.ok_codes:
            res.status = "failed"
            res.error = f"exit {sample.returncode}: {_tail(err_path)}"
            return None
        return sample

    longest = 0.0
    for w in range(warmup):
        for i in range(len(sides)):
            if results[i].status == "ok":
                s = one(i, f"warmup{w + 1}")
                if s:
                    results[i].warmup.append(s)
                    longest = max(longest, s.wall_s)
    rounds = 1 if longest > slow_s else repeat
    for r in range(rounds):
        for i in range(len(sides)):
            if results[i].status == "ok":
                s = one(i, f"run{r + 1}")
                if s:
                    results[i].samples.append(s)
    return results


def pair_ratios(a: SideResult, b: SideResult) -> list[float]:
    """a/b wall time, round by round (only rounds where both ran)."""
    return [x.wall_s / y.wall_s for x, y in zip(a.samples, b.samples, strict=False) if y.wall_s > 0]
