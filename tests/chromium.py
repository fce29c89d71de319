"""Debian's Chromium driven by Playwright: shared by the report tests and scripts/report_*.

Playwright's own browser builds are never downloaded (no ``playwright install``): the
browser is the system's ``/usr/bin/chromium``, which ``make test`` installs when missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
# headless, no sandbox (root in CI), nothing that phones home or updates itself
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> Path:
    """The system Chromium; raises RuntimeError saying how to get it when it is missing."""
    if CHROMIUM.is_file():
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return Path(found)
    raise RuntimeError(
        "Chromium is not installed: run `make test` (it installs it) or "
        "`apt-get install --no-install-recommends chromium`"
    )


def launch(playwright: Playwright) -> Browser:
    """A headless Chromium from the system, with the arguments above."""
    return playwright.chromium.launch(
        executable_path=str(chromium_path()), headless=True, args=CHROMIUM_ARGS
    )
