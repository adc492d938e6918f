"""Doctests that import an optional package (torch, safetensors) are skipped
when it is not installed, as the tests using it are (pytest.importorskip)."""

import importlib.util

import pytest
from _pytest.doctest import DoctestItem

OPTIONAL = ("torch", "safetensors")


def pytest_collection_modifyitems(items):
    missing = [name for name in OPTIONAL if importlib.util.find_spec(name) is None]
    for item in items:
        if not isinstance(item, DoctestItem) or item.dtest is None:
            continue
        sources = [example.source for example in item.dtest.examples]
        for name in missing:
            if any(f"import {name}" in source for source in sources):
                item.add_marker(pytest.mark.skip(
                    reason=f"{name} is not installed (pip install -e \".[torch]\")"))
