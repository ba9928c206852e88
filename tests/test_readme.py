"""The README's promises: its test command is what CI runs, and its library example runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_the_readme_has_exactly_two_commands_under_two_commands() -> None:
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(commands) == 2
    main_job, tests = (c.strip() for c in commands)
    assert "\n" not in main_job and "\n" not in tests
    assert "spacekg query run" in main_job
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    test_command = re.findall(r"```sh\n(.*?)```", section, flags=re.S)[1].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_the_library_example_runs(tmp_path: Path) -> None:
    (example,) = _blocks("python")
    shutil.copy(REPO / "tests/fixtures/validate/new-errors.ttl", tmp_path / "new-article.ttl")
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "'Violation': 8" in done.stdout
    assert "exercise-space-thunder" in done.stdout
    assert "\n8\n" in done.stdout  # findings carry a Severity


@pytest.mark.parametrize("doc", sorted(set(re.findall(r"\]\((docs/[\w.-]+\.md)\)", README))))
def test_linked_docs_exist(doc: str) -> None:
    assert (REPO / doc).is_file()


def test_no_placeholder_is_left() -> None:
    for placeholder in ("EXAMPLE_OUTPUT", "\nPERFORMANCE\n", "under construction"):
        assert placeholder not in README


def test_the_validate_example_is_real_output(tmp_path: Path) -> None:
    shown = README.split("$ spacekg validate new-article.ttl\n", 1)[1].split("\n$ echo $?", 1)[0]
    shutil.copy(REPO / "tests/fixtures/validate/new-errors.ttl", tmp_path / "new-article.ttl")
    done = subprocess.run(
        [sys.executable, "-m", "spacekg", "validate", "new-article.ttl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert (done.stdout + done.stderr).rstrip("\n") == shown
