"""The wheel carries the bundled graph and works outside the repository.

Offline recipe: build the wheel with ``python -m build --wheel --no-isolation`` (hatchling is in
the test environment), make a fresh virtual environment, install the wheel with ``--no-index
--no-deps``, and make the runtime dependencies (rdflib, owlrl, pyshacl, click, pyoxigraph)
visible through a ``.pth`` line naming this environment's site-packages. A ``.pth`` line only adds
the folder: the development (editable) install of spacekg is not activated, and the fresh
environment's own site-packages come first, so the installed wheel is what runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from spacekg.project import bundle_root
from spacekg.query.catalogue import list_queries
from spacekg.query.engine import run_query
from spacekg.query.render import render

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (path,) = out.glob("spacekg-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]  # this environment: rdflib, owlrl, pyshacl, ...
    Path(purelib, "spacekg-test-deps.pth").write_text(deps + "\n")
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return env_dir


def clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPACEKG_", "PYTHON"))}
    env["SPACEKG_CACHE_DIR"] = str(tmp / "cache")
    return env


def test_wheel_holds_the_bundle(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    root = bundle_root()
    expected = [
        p.relative_to(root).as_posix()
        for folder in ("ontology", "data", "queries", "seeds")
        for p in (root / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert expected
    missing = [e for e in expected if f"spacekg/_bundle/{e}" not in names]
    assert missing == []
    assert "spacekg/cli/__init__.py" in names and "spacekg/py.typed" in names
    metadata = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "spacekg = spacekg.cli:main" in zipfile.ZipFile(wheel).read(metadata).decode()


def test_installed_wheel_runs_a_stored_query_from_another_folder(
    installed: Path, tmp_path: Path, real_bundle: None
) -> None:
    queries = [
        q for q in list_queries() if q.form == "select" and not any(p.needed for p in q.parameters)
    ]
    assert queries, "no stored SELECT query without required parameters"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(tmp_path)
    where = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import spacekg, spacekg.project as b; print(spacekg.__file__); print(b.bundle_root())",
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    module_file, root = where.stdout.split()
    assert module_file.startswith(str(installed)), module_file  # the wheel, not the checkout
    assert root.endswith("spacekg/_bundle")

    checked = 0
    for query in queries:
        expected = run_query(query)  # the checkout's answer
        if not expected.rows:
            continue
        out = subprocess.run(
            [str(installed / "bin" / "spacekg"), "query", "run", query.name, "-f", "json"],
            capture_output=True,
            text=True,
            cwd=elsewhere,
            env=env,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout == render(expected, "json"), query.name
        assert len(json.loads(out.stdout)["results"]["bindings"]) == len(expected.rows) > 0
        checked += 1
        if checked == 2:
            break
    assert checked >= 1
    table = subprocess.run(
        [str(installed / "bin" / "spacekg"), "query", "run", queries[0].name],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert table.returncode == 0 and re.search(r"\(\d+ rows?\)$", table.stdout.rstrip())
