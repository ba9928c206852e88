"""A graph of one's own, from an installed wheel, outside any checkout.

``docs/curating.md`` is run as written: every ``$ `` line of its ``console`` blocks, in order, in
an empty temporary folder, with the ``spacekg`` of a freshly installed wheel first on PATH. Each
command's exit code must be the documented one (0, or the number under a following
``$ echo $?``) and every output line the page shows must appear in the command's output (``...``
matches anything). Around it, the installed package's files are hashed: they must be
byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_wheel import clean_env, installed, wheel  # noqa: F401  (module fixtures)

from spacekg.project import find_workspace

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "curating.md"


@dataclass
class Step:
    command: str
    shown: list[str] = field(default_factory=list)  # the output lines the page shows
    code: int = 0


def doc_steps(text: str) -> list[Step]:
    """The commands of every ``console`` block, with the output and exit code shown."""
    steps: list[Step] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if not line.startswith("$ "):
                if steps:
                    steps[-1].shown.append(line)
                continue
            command = line[2:]
            while command.endswith("\\") and i < len(lines):  # continued on the next line
                command += "\n" + lines[i]
                i += 1
            here = re.search(r"<<'(\w+)'$", command)
            if here:  # a here-document: the lines up to its delimiter
                while i < len(lines):
                    command += "\n" + lines[i]
                    i += 1
                    if lines[i - 1] == here.group(1):
                        break
            if command == "echo $?":
                assert steps and i < len(lines), "`$ echo $?` must follow a command"
                steps[-1].code = int(lines[i])
                i += 1
                continue
            steps.append(Step(command))
    return steps


def matches(shown: str, actual: list[str]) -> bool:
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return any(re.fullmatch(pattern, line) for line in actual)


def run_steps(steps: list[Step], cwd: Path, env: dict[str, str]) -> list[tuple[Step, str]]:
    done = []
    for step in steps:
        cd = re.fullmatch(r"cd (\S+)", step.command)
        if cd:
            cwd = (cwd / cd.group(1)).resolve()
            assert cwd.is_dir(), step.command
            done.append((step, ""))
            continue
        proc = subprocess.run(
            ["bash", "-c", step.command], cwd=cwd, env=env, capture_output=True, text=True
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == step.code, f"$ {step.command}\n-> {proc.returncode}\n{output}"
        actual = output.splitlines()
        for line in step.shown:
            if line.strip():
                assert matches(line, actual), f"$ {step.command}\nnot in output: {line}\n{output}"
        done.append((step, output))
    return done


def package_digest(env_dir: Path) -> dict[str, str]:
    """sha256 of every file of the installed spacekg package and its metadata."""
    site = next(env_dir.glob("lib/python*/site-packages"))
    paths = [*site.glob("spacekg/**/*"), *site.glob("spacekg-*.dist-info/**/*")]
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(paths)
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def user(installed: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:  # noqa: F811
    """An empty folder outside any checkout, and an environment running the installed wheel."""
    home = tmp_path / "home"
    home.mkdir()
    here = tmp_path / "work"
    here.mkdir()
    assert find_workspace(here) is None
    env = clean_env(tmp_path)
    env["HOME"] = str(home)
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return here, env


def test_the_doc_is_a_walkthrough() -> None:
    steps = doc_steps(DOC.read_text(encoding="utf-8"))
    commands = [s.command for s in steps]
    assert commands[0] == "spacekg init kg" and commands[1] == "cd kg"
    assert any(c.startswith("spacekg source add ") for c in commands)
    assert any(c.startswith("spacekg excerpt ") for c in commands)
    check = steps[commands.index("spacekg check")]
    assert check.code == 0 and "all 6 checks passed" in check.shown
    assert [s.code for s in steps if s.command.startswith("spacekg validate")] == [1, 0]
    query = commands.index("spacekg query run statements -p speaker=skgid:example-critics")
    assert query > commands.index("spacekg check")


def test_the_curating_walkthrough_runs_as_written(
    installed: Path,  # noqa: F811
    user: tuple[Path, dict[str, str]],
) -> None:
    here, env = user
    before = package_digest(installed)
    assert before
    steps = doc_steps(DOC.read_text(encoding="utf-8"))
    done = run_steps(steps, here, env)
    out: dict[str, str] = {}
    for step, output in done:
        out.setdefault(step.command, output)  # the first run of each command
    assert "all 6 checks passed" in out["spacekg check"]
    assert (
        "a club for the few" in out["spacekg query run statements -p speaker=skgid:example-critics"]
    )
    assert (here / "kg" / "seeds" / "example-note.txt").is_file()
    assert package_digest(installed) == before


def test_a_workspace_is_seen_inside_it_and_through_root_never_outside(
    installed: Path,  # noqa: F811
    user: tuple[Path, dict[str, str]],
) -> None:
    here, env = user
    before = package_digest(installed)

    def spacekg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(installed / "bin" / "spacekg"), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )

    made = subprocess.run(
        "spacekg init kg && cd kg && spacekg check", shell=True, cwd=here, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    assert "all 6 checks passed" in made.stderr
    kg = here / "kg"
    (kg / "notes" / "deeper").mkdir(parents=True)
    ask = here / "ask.rq"
    ask.write_text("ASK { <https://w3id.org/spacekg/id/only-in-kg> ?p ?o }\n", encoding="utf-8")
    (kg / "data" / "mine.ttl").write_text(
        "@prefix skgid: <https://w3id.org/spacekg/id/> .\n"
        "@prefix skg: <https://w3id.org/spacekg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'skgid:only-in-kg a skg:State ; rdfs:label "only in kg"@en .\n',
        encoding="utf-8",
    )
    for where in (kg, kg / "notes", kg / "notes" / "deeper"):
        assert spacekg("query", "run", str(ask), cwd=where).stdout == "true\n", where
        assert spacekg("status", cwd=where).stdout.splitlines()[1] == f"root:     {kg}"
    assert spacekg("--root", "kg", "query", "run", str(ask), cwd=here).stdout == "true\n"
    assert spacekg("query", "run", str(ask), cwd=here).stdout == "false\n"  # outside: not seen
    outside = spacekg("status", cwd=here).stdout
    assert "(read-only)" in outside and "spacekg/_bundle" in outside
    # validate and check judge the change (a state with no evidence) in kg/ only
    for args, cwd in ((("validate",), kg / "notes"), (("--root", "kg", "validate"), here)):
        judged = spacekg(*args, cwd=cwd)
        assert judged.returncode == 1, judged.stdout + judged.stderr
        assert "data/mine.ttl:4: violation: skgid:only-in-kg: skg:hasEvidence" in judged.stdout
    assert spacekg("validate", cwd=here).returncode == 0
    checked = spacekg("check", cwd=kg / "notes" / "deeper")
    assert checked.returncode == 1 and "only-in-kg" in checked.stdout
    assert spacekg("check", cwd=here).returncode == 0
    refused = spacekg(
        "source", "add", str(ask), "--url", "https://example.org/x", "--author", "A", cwd=here
    )
    assert refused.returncode == 3 and "run `spacekg init DIR` first" in refused.stderr
    assert package_digest(installed) == before
