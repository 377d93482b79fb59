"""Headless Chromium for the try-out's browser tests: Debian's package (`make test` installs
it), driven by Playwright's Python API. `playwright install` is never run: no downloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output"  # for people to look at
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
WAIT_MS = 20_000


def headless_chromium() -> Iterator[Browser]:
    """One browser for a test, closed after it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
