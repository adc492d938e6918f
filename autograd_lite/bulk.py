"""Reading and writing the numbers of many Values at once, as numpy arrays.

This module is the one place that reads or writes ``data`` or ``grad`` of a
whole list of Values in one pass: optimizers read every parameter and its
gradient into arrays, update the arrays with numpy, and write the parameters
back; ``zero_grad`` resets every gradient. Everything else reads and writes
one Value at a time, through its attributes.

Each function is one pass over the list, in the list's order, without a
Python function call per Value. On CPython 3.11+ a comprehension or a
``for`` loop reads and writes a slot about twice as fast as ``map`` over
``operator.attrgetter`` or ``setattr`` (its attribute access is specialized
for slots; ``map`` goes through the generic lookup), so that is how these
passes are written. They read and write ``data``, the public name, so a
tracer's view of it holds here too; ``nn`` and ``compile`` read and write
many Values through this file alone.

What is read and written is exactly the Values' numbers: a Value's ``data``
is a float, and an array's float64 is the same IEEE number, so
``write_data(values, read_data(values))`` changes nothing.

>>> from autograd_lite import Value
>>> w = [Value(1.0), Value(-2.0)]
>>> read_data(w)
array([ 1., -2.])
>>> write_data(w, read_data(w) * 3); [p.data for p in w]
[3.0, -6.0]
>>> add_grads(w, np.array([0.5, 0.25])); add_grads(w, np.array([0.5, 0.25])); read_grads(w)
array([1. , 0.5])
>>> zero_grads(w); [p.grad for p in w]
[0.0, 0.0]
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .core import Value

__all__ = ["read_data", "write_data", "read_grads", "add_grads", "zero_grads"]


def read_data(values: Sequence[Value]) -> np.ndarray:
    """Every Value's ``data``, as a new float64 array.

    Args:
        values: a list or tuple of Values.

    Returns:
        A 1-d float64 array, ``len(values)`` long; it shares nothing with
        the Values.

    Example:
        >>> read_data([Value(0.5), Value(2.0)])
        array([0.5, 2. ])
    """
    return np.fromiter([v.data for v in values], np.float64, len(values))


def write_data(values: Sequence[Value], array: np.ndarray, *, where: str = "write_data") -> None:
    """Set every Value's ``data`` to the number at its position in ``array``.

    Args:
        values: a list or tuple of Values.
        array: a 1-d float64 array as long as ``values`` (e.g. what
            :func:`read_data` returned, updated).
        where: the caller, for the error message.

    Raises:
        ValueError: ``array`` is not a 1-d float64 array of ``len(values)``
            numbers (nothing is written).

    Example:
        >>> w = [Value(0.0), Value(0.0)]
        >>> write_data(w, np.array([1.5, -1.0])); [p.data for p in w]
        [1.5, -1.0]
    """
    numbers = _floats(values, array, where)
    for v, x in zip(values, numbers):
        v.data = x


def read_grads(values: Sequence[Value], *, where: str = "read_grads") -> np.ndarray:
    """Every Value's ``grad``, as a new float64 array.

    A gradient is a float, or a Value after ``backward(create_graph=True)``,
    whose ``data`` is read; anything else set by hand (an int, a numpy
    number) is read as ``float(grad)``.

    Args:
        values: a list or tuple of Values.
        where: the caller, for the error message.

    Returns:
        A 1-d float64 array, ``len(values)`` long.

    Raises:
        TypeError: a gradient that ``float()`` refuses and is not a Value
            (None, a list; the message names its position).

    Example:
        >>> x = Value(3.0); (x * x).backward(create_graph=True)
        >>> read_grads([x, Value(1.0)])             # x.grad is the Value 2 x
        array([6., 0.])
    """
    grads = [v.grad for v in values]
    try:
        array = np.fromiter(grads, np.float64, len(grads))
    except (TypeError, ValueError):     # a Value (its float() refuses), a list, ...
        array = None
    # numpy reads None as nan: a nan is looked at again, to tell None from nan
    if array is None or np.isnan(array).any():
        array = np.fromiter([_number(g, i, where) for i, g in enumerate(grads)],
                            np.float64, len(grads))
    return array


def add_grads(values: Sequence[Value], array: np.ndarray, *, where: str = "add_grads") -> None:
    """Add each number of ``array`` into its Value's ``grad``, as backward
    accumulates: ``v.grad = v.grad + x``, the same IEEE addition.

    Args:
        values: a list or tuple of Values.
        array: a 1-d float64 array as long as ``values``.
        where: the caller, for the error message.

    Raises:
        ValueError: ``array`` is not a 1-d float64 array of ``len(values)``
            numbers (nothing is changed).

    Example:
        >>> w = [Value(0.0), Value(0.0)]; w[0].grad = 1.0
        >>> add_grads(w, np.array([0.5, 2.0])); [p.grad for p in w]
        [1.5, 2.0]
    """
    numbers = _floats(values, array, where)
    for v, x in zip(values, numbers):
        v.grad += x


def zero_grads(values: Sequence[Value]) -> None:
    """Set every Value's ``grad`` to 0.0 (a Value listed twice is zeroed twice,
    which is harmless).

    Example:
        >>> w = [Value(1.0)]; w[0].grad = 4.0; zero_grads(w); w[0].grad
        0.0
    """
    for v in values:
        v.grad = 0.0


def _floats(values: Sequence[Value], array: Any, where: str) -> list:
    """``array`` as a list of Python floats, one per Value, or a ValueError."""
    if not isinstance(array, np.ndarray) or array.dtype != np.float64 or array.ndim != 1:
        got = (f"an array of shape {array.shape} and dtype {array.dtype}"
               if isinstance(array, np.ndarray) else type(array).__name__)
        raise ValueError(f"{where}: expected a 1-d float64 array of {len(values)} numbers, "
                         f"got {got}")
    if len(array) != len(values):
        raise ValueError(f"{where}: expected {len(values)} numbers, one per Value, got "
                         f"{len(array)}")
    return array.tolist()


def _number(grad: Any, index: int, where: str) -> float:
    """One gradient as a float (see :func:`read_grads`)."""
    if type(grad) is Value:
        return grad.data
    try:
        return float(grad)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: the grad of Value {index} must be a number (or a Value, "
                        f"after backward(create_graph=True)), got {type(grad).__name__} "
                        f"{grad!r:.60}; set it with p.grad = 0.0 or backward()") from None
