"""Argument checks that several nn modules make, written once."""

from __future__ import annotations

import numbers
from typing import Any, List

from autograd_lite import Value

__all__ = ["positive_int", "value_list"]


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


def value_list(where: str, name: str, values: Any) -> List[Value]:
    """``values`` as a new list of Values, or a TypeError naming the first that is not one.

    Args:
        where: the function or class checking, e.g. "SGD".
        name: the argument, e.g. "params".
        values: an iterable of Values, such as ``model.parameters()``.

    Returns:
        The Values, in order (possibly none).

    Example:
        >>> len(value_list("SGD", "params", (Value(1.0), Value(2.0))))
        2
        >>> value_list("SGD", "params", [Value(1.0), 2.0])
        Traceback (most recent call last):
        ...
        TypeError: SGD: params[1] must be a Value, got float; pass model.parameters()
    """
    try:
        values = list(values)
    except TypeError:
        raise TypeError(f"{where}: {name} must be an iterable of Values (e.g. "
                        f"model.parameters()), got {type(values).__name__}") from None
    if not set(map(type, values)) <= {Value}:     # in C: cheap on every step
        for i, v in enumerate(values):
            if type(v) is not Value:
                raise TypeError(f"{where}: {name}[{i}] must be a Value, got "
                                f"{type(v).__name__}; pass model.parameters()")
    return values
