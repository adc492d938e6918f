"""Doctests that import an optional package (torch, safetensors) are skipped
when it is not installed, as the tests using it are (pytest.importorskip);
in CI nothing may skip (see NO_SKIPS)."""

import importlib.util
import os

import pytest

OPTIONAL = ("torch", "safetensors")


def pytest_collection_modifyitems(items):
    missing = [name for name in OPTIONAL if importlib.util.find_spec(name) is None]
    for item in items:
        test = getattr(item, "dtest", None)        # a doctest item's parsed examples
        if test is None:
            continue
        sources = [example.source for example in test.examples]
        for name in missing:
            if any(f"import {name}" in source for source in sources):
                item.add_marker(pytest.mark.skip(
                    reason=f"{name} is not installed (pip install -e \".[torch]\")"))


# CI sets AUTOGRAD_LITE_NO_SKIPS=1 after installing every reference (torch,
# safetensors, micrograd, Chromium): there a comparison that skips, because a
# reference is missing, is a failure, not a quiet pass. A doctest line marked
# +SKIP is not a comparison and stays a skip.
NO_SKIPS = os.environ.get("AUTOGRAD_LITE_NO_SKIPS") == "1"


def _fail_a_skip(report) -> None:
    if NO_SKIPS and report.skipped and "+SKIP option" not in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = (f"skipped with AUTOGRAD_LITE_NO_SKIPS=1 (CI installs every "
                           f"reference, so nothing may skip): {report.longrepr}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_a_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # a module-level pytest.importorskip skips the whole file while collecting it
    outcome = yield
    _fail_a_skip(outcome.get_result())
