"""Argument checks that several nn modules make, written once."""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["positive_int"]


def positive_int(where: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1, or a ValueError naming the function and the argument.

    Args:
        where: the function or class checking, e.g. "Layer".
        name: the argument, e.g. "nout".
        value: what was passed.

    Returns:
        ``int(value)``.

    Example:
        >>> positive_int("Layer", "nout", 3)
        3
        >>> positive_int("Layer", "nout", 0)
        Traceback (most recent call last):
        ...
        ValueError: Layer: nout must be a positive int, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive int, got {value!r}")
    return int(value)
