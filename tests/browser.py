"""A real server and a real browser for the tests that need them: `dimos-search serve` on a free loopback
port, and pages of Debian's headless Chromium driven through Playwright.

One place for the browser's binary, flags and viewports and the server's start-up, shared by the walk
through the site (test_browser), the phone checks of the document and entity pages, search-as-you-type
(test_complete), the hostile documents (test_security) and the access log (test_cli).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from benchmarks.common import free_port
from tests.conftest import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHROMIUM_ABSENT = f"{CHROMIUM} is absent: apt-get install chromium (scripts/test does it as root)"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# An iPhone 12-15's viewport in CSS pixels: the "first screen" a citizen sees on a phone.
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Deadlines only, for a loaded 2-core CI machine (a start takes 1-2 s, an action milliseconds): they
# stop a hung run, they time nothing.
STARTUP_SECONDS = 60
ACTION_TIMEOUT_MS = 30_000


@contextmanager
def running_server(index_dir: Path, *options: str) -> Iterator[str]:
    """`dimos-search serve` over `index_dir` with `options`, as the README runs it, on its own port, once its
    /health answers 200; yields its base URL.  Its output goes to a file, shown if it does not start (a pipe
    nobody reads would stop a server that writes more than the pipe holds)."""
    port = free_port()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--index", str(index_dir), *options],
            cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT, text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(process, base, output)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_healthy(process: subprocess.Popen, base: str, output) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                output.seek(0)
                pytest.fail(f"the server did not start:\n{output.read()}")
            time.sleep(0.1)


@contextmanager
def browser_page(viewport: dict[str, int], locale: str = "el-GR", javascript: bool = True) -> Iterator[Any]:
    """A page of headless Chromium at `viewport` (PHONE, DESKTOP) as a browser set to `locale` shows it,
    with or without `javascript`; every action on it waits up to ACTION_TIMEOUT_MS.  Closed on leaving.
    Skips the test where Chromium is absent."""
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_ABSENT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport, locale=locale, java_script_enabled=javascript)
            page.set_default_timeout(ACTION_TIMEOUT_MS)
            yield page
        finally:
            browser.close()


@contextmanager
def phone_page(index_dir: Path) -> Iterator[tuple[str, Any]]:
    """A Chromium page at the phone's viewport (Greek locale) on `dimos-search serve` over `index_dir`:
    yields (base URL, page).  Skips the test where Chromium is absent, before a server starts."""
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_ABSENT)
    with running_server(index_dir) as base, browser_page(PHONE) as page:
        yield base, page
