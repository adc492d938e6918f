"""Headless Chromium for the interactive page: its tests and its screenshot.

Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``,
``/usr/bin/chromedriver``) driven by ``selenium`` from PyPI. Nothing is
downloaded: where a piece is missing, :func:`missing` says what to install.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Iterator, Optional, Tuple

__all__ = ["missing", "chromium", "file_url", "INSTALL_HINT"]

INSTALL_HINT = ("sudo apt-get install chromium chromium-driver   and   "
                "pip install selenium")

# Flags for a quiet, sandbox-free browser in a container or CI: no GPU, no
# /dev/shm limits, no first-run pages, and no network of its own (updates,
# sync, background fetches).
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--hide-scrollbars")


def _programs() -> Tuple[Optional[str], Optional[str]]:
    browser = next(filter(None, (shutil.which(name) for name in
                                 ("chromium", "chromium-browser", "google-chrome"))), None)
    return browser, shutil.which("chromedriver")


def missing() -> Optional[str]:
    """None when Chromium, chromedriver and selenium are all there; otherwise
    what is missing and the command that installs it."""
    browser, driver = _programs()
    parts = []
    if browser is None:
        parts.append("Chromium (sudo apt-get install chromium)")
    if driver is None:
        parts.append("chromedriver (sudo apt-get install chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        parts.append("selenium (pip install selenium)")
    if not parts:
        return None
    return "needs " + ", ".join(parts) + f"; install with: {INSTALL_HINT}"


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 900) -> Iterator[object]:
    """A headless Chromium WebDriver with a fresh profile, its browser log on.

    Raises RuntimeError (saying what to install) when a piece is missing.
    """
    problem = missing()
    if problem:
        raise RuntimeError(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = _programs()
    profile = tempfile.mkdtemp(prefix="autograd-lite-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def file_url(path: str) -> str:
    """The file:// URL of a local file."""
    from pathlib import Path
    return Path(os.path.abspath(path)).as_uri()
