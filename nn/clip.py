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


def clip_grad_norm_(parameters: Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so their total norm is at most ``max_norm``.

    The total norm is that of all gradients joined into one vector. If it
    exceeds ``max_norm`` every gradient is multiplied by
    ``max_norm / (total_norm + 1e-6)`` (PyTorch's rule, the 1e-6 guarding
    against division by 0); otherwise nothing changes. The direction of the
    step is kept, only its length is capped.

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
    grads = [abs(_grad_data(p.grad)) for p in params]
    if norm_type == math.inf:
        total = max(grads)
    elif norm_type == 2.0:
        total = math.hypot(*grads)           # sqrt(sum g^2) without overflow
    elif norm_type == 1.0:
        total = math.fsum(grads)
    else:
        total = math.fsum(g ** norm_type for g in grads) ** (1.0 / norm_type)
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
