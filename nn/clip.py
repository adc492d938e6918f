"""Gradient clipping, as ``torch.nn.utils``: rescale or cap ``p.grad`` in place.

>>> from autograd_lite import Value
>>> a, b = Value(0.0), Value(0.0)
>>> a.grad, b.grad = 3.0, 4.0
>>> clip_grad_norm_([a, b], max_norm=1.0)      # returns the norm before clipping
5.0
>>> round(a.grad, 6), round(b.grad, 6)         # now of norm 1 (to 1e-6)
(0.6, 0.8)
"""

from __future__ import annotations

import math
import numbers
from typing import Iterable, List, Union

from autograd_lite import Value

from ._checks import value_list

__all__ = ["clip_grad_norm_", "clip_grad_value_"]

Params = Union[Value, Iterable[Value]]


def _parameters(parameters: Params, where: str) -> List[Value]:
    if type(parameters) is Value:
        return [parameters]
    return value_list(where, "parameters", parameters)


def _grad_data(g) -> float:
    # A gradient is a float, or a Value after backward(create_graph=True).
    return g.data if type(g) is Value else g


def _power(x: float, p: float) -> float:
    """x ** p for x >= 0 (or nan), inf where the float overflows (as torch)."""
    try:
        return x ** p
    except OverflowError:
        return math.inf


def _total_norm(sizes: List[float], p: float) -> float:
    """(sum of |g|^p)^(1/p) over the gradients' sizes, computed as torch
    computes it: a nan anywhere makes it nan (``max`` alone would depend on
    where the nan is), and a sum of powers beyond the largest float makes it
    inf, as torch's does (so ``error_if_nonfinite`` refuses it)."""
    if any(g != g for g in sizes):
        return math.nan
    if p == math.inf or len(sizes) == 1:      # torch too: one size is its own norm
        return max(sizes)
    if p == 1.0:
        powers = sizes
    else:
        powers = [_power(g, p) for g in sizes]
    try:
        total = math.fsum(powers)       # exact sum, one rounding
    except OverflowError:               # a finite sum beyond the largest float
        return math.inf
    return total if p == 1.0 else _power(total, 1.0 / p)


def clip_grad_norm_(parameters: Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so their total norm is at most ``max_norm``.

    The total norm is that of all gradients joined into one vector. If it
    exceeds ``max_norm`` every gradient is multiplied by
    ``max_norm / (total_norm + 1e-6)`` (PyTorch's rule, the 1e-6 guarding
    against division by 0); otherwise nothing changes. The direction of the
    step is kept, only its length is capped.

    Non-finite norms as in PyTorch: a nan gradient makes the norm nan (and
    every gradient nan); a norm whose sum of powers exceeds the largest float
    (``1e200`` with ``norm_type=2`` or ``3``) is inf, which scales every
    gradient by 0, or with ``error_if_nonfinite`` is an error.

    Args:
        parameters: a Value or an iterable of Values (``model.parameters()``).
        max_norm: the largest allowed norm, >= 0.
        norm_type: p of the p-norm (default 2); ``float('inf')`` for the max-norm.
        error_if_nonfinite: raise if the total norm is nan or inf.

    Returns:
        The total norm of the gradients before clipping (a float).

    Raises:
        RuntimeError: the norm is not finite and ``error_if_nonfinite``.

    Example:
        >>> from autograd_lite import Value
        >>> ps = [Value(1.0), Value(1.0)]
        >>> ps[0].grad, ps[1].grad = 0.3, -0.4
        >>> clip_grad_norm_(ps, 1.0), [p.grad for p in ps]   # below max: untouched
        (0.5, [0.3, -0.4])
    """
    params = _parameters(parameters, "clip_grad_norm_")
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real) or not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be a number >= 0, got {max_norm!r}")
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) \
            or not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be a number > 0 or "
                         f"float('inf'), got {norm_type!r}")
    if not params:
        return 0.0
    norm_type = float(norm_type)
    total = _total_norm([abs(_grad_data(p.grad)) for p in params], norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of "
                           f"the gradients is {total}, so it cannot be clipped; pass "
                           f"error_if_nonfinite=False to scale by it anyway")
    coef = float(max_norm) / (total + 1e-6)
    if coef < 1.0 or coef != coef:           # as torch: a nan norm makes nan grads
        for p in params:
            p.grad = p.grad * coef
    return total


def clip_grad_value_(parameters: Params, clip_value: float) -> None:
    """Clamp every gradient to [-clip_value, clip_value], in place.

    Args:
        parameters: a Value or an iterable of Values.
        clip_value: the bound, >= 0.

    Example:
        >>> from autograd_lite import Value
        >>> ps = [Value(0.0), Value(0.0)]; ps[0].grad, ps[1].grad = 5.0, -0.2
        >>> clip_grad_value_(ps, 1.0); [p.grad for p in ps]
        [1.0, -0.2]
    """
    params = _parameters(parameters, "clip_grad_value_")
    if isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real) \
            or not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be a number >= 0, "
                         f"got {clip_value!r}")
    hi = float(clip_value)
    for p in params:
        g = _grad_data(p.grad)
        if g > hi:
            p.grad = hi
        elif g < -hi:
            p.grad = -hi
