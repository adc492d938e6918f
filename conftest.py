"""Doctests that import an optional package (torch, safetensors) are skipped
when it is not installed, as the tests using it are (pytest.importorskip)."""

import importlib.util

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
