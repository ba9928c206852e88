"""Shared fixtures: the bundles tests run on, their caches, and real servers (tests/servers.py)."""

import os as _os
import shutil as _shutil
from pathlib import Path as _Path

import pytest as _pytest


def pytest_configure(config: _pytest.Config) -> None:
    """Slow tests are deselected by pyproject's ``-m 'not slow'``, except in CI (``CI=true``)
    or when ``SPACEKG_SLOW=1``: there every test runs."""
    option = config.option
    if option.markexpr == "not slow" and (_os.environ.get("CI") or _os.environ.get("SPACEKG_SLOW")):
        option.markexpr = ""


CLI_BUNDLE = _Path(__file__).parent / "fixtures" / "cli" / "bundle"


@_pytest.fixture(scope="session")
def spacekg_cache_dir(tmp_path_factory: _pytest.TempPathFactory) -> _Path:
    """One cache folder for the whole session (the materialised graph is built once)."""
    return tmp_path_factory.mktemp("spacekg-cache")


@_pytest.fixture(autouse=True)
def _private_home_and_cache(
    monkeypatch: _pytest.MonkeyPatch,
    tmp_path_factory: _pytest.TempPathFactory,
    spacekg_cache_dir: _Path,
) -> None:
    """No test reads or writes the user's real cache or home: both point into the session's tmp."""
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(spacekg_cache_dir / "default"))


@_pytest.fixture
def real_bundle(monkeypatch: _pytest.MonkeyPatch, spacekg_cache_dir: _Path) -> None:
    """The repository's bundled graph, with the cache in a temporary folder."""
    monkeypatch.delenv("SPACEKG_HOME", raising=False)
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(spacekg_cache_dir / "real"))


@_pytest.fixture
def cli_bundle(tmp_path: _Path, monkeypatch: _pytest.MonkeyPatch) -> _Path:
    """A writable copy of tests/fixtures/cli/bundle as SPACEKG_HOME, with its own cache."""
    root = tmp_path / "bundle"
    _shutil.copytree(CLI_BUNDLE, root)
    monkeypatch.setenv("SPACEKG_HOME", str(root))
    monkeypatch.setenv("SPACEKG_CACHE_DIR", str(tmp_path / "cache"))
    return root


# real servers and a failing proxy, started on 127.0.0.1
from servers import oxigraph_server, proxy, virtuoso_server  # noqa: E402, F401
