"""Argument checks that several nn modules make, written once."""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Collection, List, Tuple, Type

from autograd_lite import Value

from ._activations import ACTIVATIONS

__all__ = ["positive_int", "finite_number", "non_negative", "value_list", "check_keys",
           "activation_name"]


def _prefix(where: str) -> str:
    # No prefix for a check whose caller names the context itself (a file's
    # architecture record: "... records an invalid architecture: nin must be").
    return f"{where}: " if where else ""


def positive_int(where: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1, or a ValueError naming the function and the argument.

    Args:
        where: the function or class checking, e.g. "Layer" ("" for none: the
            caller's message names the context).
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
        raise ValueError(f"{_prefix(where)}{name} must be a positive int, got {value!r:.80}")
    return int(value)


def finite_number(where: str, name: str, value: Any) -> float:
    """``value`` as a finite float: a TypeError if it is not a real number (a
    bool is not), a ValueError if it is nan or infinite.

    Args:
        where: the function or class checking, e.g. "SGD".
        name: the argument, e.g. "dampening".
        value: what was passed.

    Returns:
        ``float(value)``.

    Example:
        >>> finite_number("SGD", "dampening", 1)
        1.0
        >>> finite_number("StepLR", "gamma", "0.5")
        Traceback (most recent call last):
        ...
        TypeError: StepLR: gamma must be a number, got str '0.5'
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_prefix(where)}{name} must be a number, got "
                        f"{type(value).__name__} {value!r:.80}")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{_prefix(where)}{name} must be finite, got {value!r}")
    return value


def non_negative(where: str, name: str, value: Any, hint: str = "") -> float:
    """``value`` as a finite float >= 0 (see :func:`finite_number`), or an
    error naming the function and the argument, ending with ``hint``.

    Example:
        >>> non_negative("SGD", "momentum", 0.9)
        0.9
        >>> non_negative("StepLR", "gamma", -0.5, hint="the lr would be negative")
        Traceback (most recent call last):
        ...
        ValueError: StepLR: gamma must be >= 0, got -0.5; the lr would be negative
    """
    value = finite_number(where, name, value)
    if value < 0:
        raise ValueError(f"{_prefix(where)}{name} must be >= 0, got {value!r}"
                         + (f"; {hint}" if hint else ""))
    return value


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


def check_keys(given: Collection[Any], expected: Collection[Any],
               message: Callable[[List[Any], List[Any]], str], *,
               optional: Collection[Any] = (), error: Type[Exception] = ValueError,
               strict: bool = True) -> Tuple[List[Any], List[Any]]:
    """Compare the keys of a loaded state with those expected; raise
    ``error(message(missing, unexpected))`` if they differ (and ``strict``).

    Each place that loads a state words its own message (a module's names, an
    optimizer's settings, a scheduler's attributes); the comparison is this one.

    Args:
        given: the keys found, e.g. the state dict (tested with ``in``: for
            many keys pass a mapping or a set).
        expected: the keys wanted, in the order to report them.
        message: builds the error's text from the missing and unexpected keys.
        optional: keys that may be absent, and are not unexpected when present.
        error: the exception class to raise.
        strict: False returns the differences without raising.

    Returns:
        ``(missing, unexpected)``: the expected keys not given, in the order of
        ``expected``, and the given keys not expected, in the order of ``given``.

    Example:
        >>> check_keys({"a": 1, "c": 3}, ["a", "b"], lambda m, u: f"missing {m}, extra {u}")
        Traceback (most recent call last):
        ...
        ValueError: missing ['b'], extra ['c']
        >>> check_keys({"a": 1}, ["a", "b"], str, optional={"b"})
        ([], [])
    """
    missing = [key for key in expected if key not in given and key not in optional]
    unexpected = [key for key in given if key not in expected and key not in optional]
    if strict and (missing or unexpected):
        raise error(message(missing, unexpected))
    return missing, unexpected


def activation_name(where: str, name: str, value: Any) -> str:
    """``value`` if it names an activation (a key of ``ACTIVATIONS``, the
    table the neurons apply), or a ValueError listing them.

    Args:
        where: the function or class checking, e.g. "MLP" ("" for none: the
            caller's message names the context).
        name: the argument, e.g. "output_activation".
        value: what was passed or read.

    Example:
        >>> activation_name("MLP", "activation", "tanh")
        'tanh'
        >>> activation_name("MLP", "activation", "swish")     # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: MLP: activation must be one of ['relu', 'tanh', ..., 'linear'], got 'swish'
    """
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise ValueError(f"{_prefix(where)}{name} must be one of {list(ACTIVATIONS)}, "
                         f"got {value!r:.80}")
    return value
