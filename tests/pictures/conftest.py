"""The headless Chromium the page's browser tests share (one per test module),
or a skip that names what to install."""

import pytest

from demos import _browser


@pytest.fixture(scope="module")
def browser():
    problem = _browser.missing()
    if problem:
        pytest.skip(f"the page's browser tests: {problem}")
    with _browser.chromium() as driver:
        yield driver
