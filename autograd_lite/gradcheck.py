"""Numerical gradient checks: reverse mode against central differences.

``gradcheck`` and ``gradgradcheck`` check any function of Values, so users can
check their own models; ``check_op`` checks one entry of the op table at points
sampled from its domain, and the test suite runs it over the whole table.
"""

from __future__ import annotations

import random
from typing import Callable, List, Optional, Sequence

from .coerce import as_float, is_real_number
from .core import Value
from .fused import apply_op
from .grad_mode import no_grad
from .ops import DOT, NARY, OPS, Op  # noqa: F401 (OPS: the doctests use it)

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "check_op",
           "sample_inputs", "op_as_function"]


class GradcheckError(AssertionError):
    """An analytic derivative disagrees with central differences."""


def _points(f, inputs: Sequence, where: str) -> List[float]:
    """The point to check at, as floats (a Value counts as its data)."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of Values, got "
                        f"{type(f).__name__}; call it as {where}(f, [x0, x1, ...])")
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        example = f"[{inputs!r}]" if is_real_number(inputs) else "[0.5, -1.0]"
        raise TypeError(f"{where}: inputs must be a sequence with one number per "
                        f"argument of f, got {type(inputs).__name__}; write "
                        f"{where}(f, {example})")
    return [as_float(x.data if type(x) is Value else x, f"{where}: input {i}")
            for i, x in enumerate(inputs)]


def _output(out, where: str) -> Value:
    if type(out) is not Value:
        raise TypeError(f"{where}: f must return one Value, got "
                        f"{type(out).__name__}; for several outputs use jacobian")
    return out


def _gradient(f: Callable[..., Value], xs: Sequence[float], seed: float = 1.0,
              where: str = "gradcheck") -> List[float]:
    leaves = [Value(x) for x in xs]
    _output(f(*leaves), where).backward(seed)
    return [leaf.grad for leaf in leaves]


def _shifted(xs: Sequence[float], j: int, h: float) -> List[float]:
    moved = list(xs)
    moved[j] += h
    return moved


def _describe(xs: Sequence[float], names: Optional[Sequence[str]]) -> str:
    if names:
        return ", ".join(f"{n}={x!r}" for n, x in zip(names, xs))
    return f"inputs=({', '.join(repr(x) for x in xs)})"


def _compare(analytic: float, numeric: float, atol: float, rtol: float,
             headline: str) -> None:
    if not abs(analytic - numeric) <= atol + rtol * abs(numeric):
        raise GradcheckError(f"{headline}\n"
                             f"  analytic: {analytic!r}\n"
                             f"  numeric:  {numeric!r}   (atol={atol!r}, rtol={rtol!r})")


def gradcheck(f: Callable[..., Value], inputs: Sequence[float], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, *, name: str = "f",
              input_names: Optional[Sequence[str]] = None) -> bool:
    """Check ``backward()`` of ``f`` against central differences at ``inputs``.

    Also checks that the gradients scale with the seed: ``backward(s)`` must
    give ``s`` times the gradients of ``backward()``.

    Args:
        f: takes one Value per input and returns one Value.
        inputs: the point, one number per argument of ``f``.
        eps: the step of the central difference (f(x+eps) - f(x-eps)) / 2eps.
        atol, rtol: pass when |analytic - numeric| <= atol + rtol * |numeric|.
        name, input_names: used in the error message.

    Returns:
        True, or raises :class:`GradcheckError` naming the input and both numbers.

    Example:
        >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.5, -1.0])
        True
    """
    xs = _points(f, inputs, "gradcheck")
    analytic = _gradient(f, xs)
    with no_grad():
        for i in range(len(xs)):
            numeric = (f(*map(Value, _shifted(xs, i, eps))).data
                       - f(*map(Value, _shifted(xs, i, -eps))).data) / (2 * eps)
            _compare(analytic[i], numeric, atol, rtol,
                     f"gradient mismatch for {name}, input {i}, at {_describe(xs, input_names)}")
    scale = 2.5
    scaled = _gradient(f, xs, seed=scale)
    for i in range(len(xs)):
        _compare(scaled[i], scale * analytic[i], atol, rtol,
                 f"gradient of {name} does not scale with the seed gradient {scale}, "
                 f"input {i}, at {_describe(xs, input_names)}")
    return True


def gradgradcheck(f: Callable[..., Value], inputs: Sequence[float], eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, *, name: str = "f",
                  input_names: Optional[Sequence[str]] = None) -> bool:
    """Check second derivatives: ``backward(create_graph=True)`` differentiated
    again, against central differences of the first-order gradient.

    Example:
        >>> gradgradcheck(lambda x, y: x ** 3 * y.sin(), [1.5, 0.3])
        True
    """
    xs = _points(f, inputs, "gradgradcheck")
    n = len(xs)
    leaves = [Value(x) for x in xs]
    _output(f(*leaves), "gradgradcheck").backward(create_graph=True)
    grads = [leaf.grad for leaf in leaves]
    for i, gi in enumerate(grads):
        for leaf in leaves:
            leaf.grad = 0.0
        if type(gi) is Value:
            gi.backward()
            row = [leaf.grad for leaf in leaves]
        else:
            row = [0.0] * n            # a constant first derivative
        for j in range(n):
            numeric = (_gradient(f, _shifted(xs, j, eps))[i]
                       - _gradient(f, _shifted(xs, j, -eps))[i]) / (2 * eps)
            _compare(row[j], numeric, atol, rtol,
                     f"second derivative mismatch for {name}, d2/d(input {i}) "
                     f"d(input {j}), at {_describe(xs, input_names)}")
    return True


# ---------------------------------------------------------------------------
# Checking the op table
# ---------------------------------------------------------------------------

VECTOR_LENGTH = 3  # inputs of n-ary ops (sum, dot) are checked as 3-vectors


def sample_inputs(op: Op, n_points: int = 4, seed: int = 0) -> List[List[float]]:
    """Points inside ``op.domain``, one list of scalars per point (vector inputs
    of n-ary ops flattened). Each point draws from the next interval in turn,
    so both sides of a kink or a pole are sampled."""
    rng = random.Random(f"{op.name}:{seed}")
    width = VECTOR_LENGTH if op.layout in (NARY, DOT) else 1
    points = []
    for k in range(n_points):
        point = []
        for intervals in op.domain:
            for w in range(width):
                lo, hi = intervals[(k + w) % len(intervals)]
                point.append(rng.uniform(lo, hi))
        points.append(point)
    return points


def op_as_function(op: Op, param: Optional[float] = None) -> Callable[..., Value]:
    """One entry of the op table as a function of scalar Values.

    The points of :func:`sample_inputs` are its arguments: the vector inputs
    of n-ary ops come flattened (``sum`` takes 3 scalars, ``dot`` takes 6:
    the first vector, then the second).

    Args:
        op: the table entry.
        param: the value of the op's constant parameter (``op.param``, e.g.
            the exponent of ``pow``); ignored by ops without one.

    Returns:
        A function of Values (or floats) returning one Value.

    Example:
        >>> op_as_function(OPS["mul"])(Value(2.0), Value(3.0)).data
        6.0
        >>> op_as_function(OPS["dot"])(1.0, 2.0, 3.0, 4.0, 5.0, 6.0).data
        32.0
    """
    if op.layout == NARY:
        return lambda *xs: apply_op(op, xs)
    if op.layout == DOT:
        return lambda *xs: apply_op(op, xs[:VECTOR_LENGTH], xs[VECTOR_LENGTH:])
    if op.param:
        return lambda x: apply_op(op, x, param)
    return lambda *xs: apply_op(op, *xs)


def _input_names(op: Op) -> List[str]:
    if op.layout in (NARY, DOT):
        return [f"{name}[{w}]" for name in op.inputs for w in range(VECTOR_LENGTH)]
    return list(op.inputs)


def check_op(op: Op, order: int = 1, n_points: int = 4, seed: int = 0, **tolerances) -> bool:
    """Gradient-check one table entry (``order=2``: second derivatives too) at
    ``n_points`` points of its domain, for each of its parameter samples.

    >>> check_op(OPS["tanh"], order=2)
    True
    """
    for param in (op.param_samples or (None,)):
        f = op_as_function(op, param)
        name = f"op {op.name!r}" + (f" ({op.param}={param!r})" if op.param else "")
        for point in sample_inputs(op, n_points, seed):
            gradcheck(f, point, name=name, input_names=_input_names(op), **tolerances)
            if order >= 2:
                gradgradcheck(f, point, name=name, input_names=_input_names(op),
                              **tolerances)
    return True
