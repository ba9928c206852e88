"""``pip install spacekg[serve] && spacekg serve`` from the wheel, outside the repository: the
templates and static assets ship inside the wheel and the catalogue loads in the browser."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from serve_utils import LISTEN
from test_wheel import clean_env, installed, wheel  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.server]
SERVE_DIR = Path(__file__).resolve().parents[1] / "src" / "spacekg" / "serve"


def test_wheel_holds_the_serve_assets(wheel: Path) -> None:  # noqa: F811
    names = set(zipfile.ZipFile(wheel).namelist())
    assets = [
        "spacekg/serve/" + p.relative_to(SERVE_DIR).as_posix()
        for p in SERVE_DIR.rglob("*")
        if p.is_file() and p.suffix in (".html", ".css", ".js")
    ]
    assert len(assets) >= 8
    assert [a for a in assets if a not in names] == []


def test_installed_wheel_serves_the_catalogue(installed: Path, tmp_path: Path) -> None:  # noqa: F811
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    err = tmp_path / "serve.err"
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [str(installed / "bin" / "spacekg"), "serve", "--port", "0"],
            cwd=elsewhere,
            env=clean_env(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 300
        url = None
        while url is None and time.monotonic() < deadline:
            match = LISTEN.search(err.read_text())
            if match:
                url = match.group(1).rstrip("/")
            elif proc.poll() is not None:
                pytest.fail(err.read_text())
            else:
                time.sleep(0.2)
        assert url, err.read_text()
        page = httpx.get(url + "/", timeout=60)
        assert page.status_code == 200 and "Stored queries" in page.text
        css = httpx.get(url + "/static/spacekg.css", timeout=60)
        assert css.text == (SERVE_DIR / "static" / "spacekg.css").read_text()
        assert httpx.get(url + "/api/timeline", timeout=60).json()["results"]["bindings"]
        chromium = Path("/usr/bin/chromium")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            sync_playwright = None  # type: ignore[assignment]
        if chromium.is_file() and sync_playwright is not None:
            from test_serve_browser import ARGS, SHOTS

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(chromium), args=ARGS)
                tab = browser.new_page()
                tab.goto(url + "/")
                assert tab.locator("li.card").count() >= 10
                SHOTS.mkdir(parents=True, exist_ok=True)
                tab.screenshot(path=str(SHOTS / "wheel-catalogue.png"))
                browser.close()
        elif os.environ.get("SPACEKG_REQUIRE_BROWSER"):
            pytest.fail("SPACEKG_REQUIRE_BROWSER is set but Chromium or Playwright is missing")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(60)
