"""Numbers in, and errors for what is not a number.

What an operand, a constant or a sequence of them may be, converted for the
engine, and the TypeError text for everything else: what was expected, what
was got, and what to write instead. Nothing here knows a graph; a Value is
recognised by its ``backward`` method, since this module sits below
:mod:`autograd_lite.core`.
"""

from __future__ import annotations

import numbers
from typing import Any, Optional, Union

__all__ = ["GRAD_IS_NONE", "Number", "is_real_number", "is_value", "as_float", "constant",
           "as_tuple", "as_floats", "unsupported_operand"]

Number = Union[int, float]

GRAD_IS_NONE = (
    "backward: a leaf's grad is None ({node!r}); gradients accumulate into numbers, "
    "so zero them with p.grad = 0.0 (or model.zero_grad()) instead of p.grad = None")
"""backward's error for ``p.grad = None`` (PyTorch's idiom for zeroing)."""


def is_real_number(x) -> bool:
    """An int, float, bool, or numpy scalar of those kinds (not a Value).

    >>> is_real_number(2), is_real_number(True), is_real_number("2")
    (True, True, False)
    """
    return isinstance(x, numbers.Real) or (
        type(x).__module__ == "numpy" and getattr(x, "shape", None) == ()
        and getattr(getattr(x, "dtype", None), "kind", "") in "biuf")


def is_value(x) -> bool:
    """Whether ``x`` is a Value (of autograd_lite.Value or a subclass of it)."""
    return callable(getattr(type(x), "backward", None)) and hasattr(type(x), "_prev")


def as_float(x, where: str) -> float:
    """``x`` as a Python float, or a TypeError saying what was expected.

    Args:
        x: the number.
        where: who asks, named first in the error.

    >>> as_float(2, "here")
    2.0
    >>> as_float("2", "here")
    Traceback (most recent call last):
    ...
    TypeError: here: expected an int, float, bool or numpy scalar, got str; convert it with float(x)
    """
    tp = type(x)
    if tp is float:
        return x
    if is_real_number(x):
        return float(x)
    hint = ("use x.data for its number, or x.detach() for a copy without history"
            if is_value(x) else "convert it with float(x)")
    raise TypeError(f"{where}: expected an int, float, bool or numpy scalar, "
                    f"got {tp.__name__}; {hint}")


def constant(x) -> Optional[Number]:
    """A number operand kept as given (ints stay ints: ``x ** 2``), or None
    for anything that is not a number (a Value included)."""
    tp = type(x)
    if tp is float or tp is int:
        return x
    return float(x) if is_real_number(x) else None


def as_tuple(items, where: str = "dot") -> tuple:
    """``items`` (any iterable but a string; a numpy array by ``tolist``) as a
    tuple, or a TypeError naming ``where``."""
    if isinstance(items, tuple):
        return items
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{where}: expected a sequence of Values or numbers, got "
                        f"{type(items).__name__}")
    return tuple(items.tolist() if hasattr(items, "tolist") else items)


def as_floats(items, where: str) -> tuple:
    """``items`` as a tuple of floats, or a TypeError naming ``where`` and the
    position of the first element that is not a number."""
    return tuple(v if type(v) is float else as_float(v, f"{where}: element {i}")
                 for i, v in enumerate(items))


# The reflected method the other operand may have, by op: ``x + y`` with y
# not a number is left to ``type(y).__radd__`` when it exists.
_REFLECTED = {"add": "__radd__", "sub": "__rsub__", "mul": "__rmul__",
              "div": "__rtruediv__", "pow": "__rpow__", "pow_value": "__rpow__"}
# Built-in types whose reflected operators (set's ``__rsub__``) never take a Value.
_NEVER_NUMBERS = (str, bytes, list, tuple, dict, set, frozenset, complex, type(None))
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**",
           "pow_value": "**"}


def unsupported_operand(name: str, other: Any, value_first: bool):
    """``value (op) other`` (or ``other (op) value``) where ``other`` is not a
    number: NotImplemented when ``other``'s type may still handle the op (its
    reflected method), otherwise a TypeError that says what was expected and
    how to fix it. ``name`` is the op table's name (``"add"``)."""
    if (value_first and not isinstance(other, _NEVER_NUMBERS)
            and hasattr(type(other), _REFLECTED.get(name, " "))):
        return NotImplemented
    symbol = _SYMBOL.get(name, name)
    if isinstance(other, (str, bytes)):
        hint = f"convert it first: float({other!r})"
    elif isinstance(other, (list, tuple, set, dict)):
        hint = f"operators take one number; apply it to each element: [v {symbol} y for y in ys]"
    else:
        hint = "convert it with float(y)"
    raise TypeError(f"unsupported operand for {symbol}: a Value and a "
                    f"{type(other).__name__}; expected a Value or a number (int, float, "
                    f"bool or numpy scalar); {hint}")
