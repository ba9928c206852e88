"""What the store tests share: the test IRIs, the CLI runner and a generated N-Triples file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from spacekg.cli import main

G = "https://example.org/graph/user"
EX = "https://example.org/id/"


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def write_nt(path: Path, n: int, *, start: int = 0, bnodes: bool = False) -> Path:
    lines = []
    for i in range(start, start + n):
        subject = f"_:b{i}" if bnodes else f"<{EX}s{i}>"
        lines.append(f'{subject} <{EX}p> "value {i}" .')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
