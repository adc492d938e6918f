"""Losses and softmax, with PyTorch's definitions, built from Value ops.

Every loss takes one sample or a batch and, by default, returns the mean
(``reduction="mean"``; also ``"sum"``, or ``"none"`` for a flat list of the
per-element losses). Shapes:

* element-wise losses (``mse_loss``, ``l1_loss``, ``huber_loss``, the binary
  cross-entropies, ``hinge_loss``): ``input`` and ``target`` are a number or
  Value, a list of them, or a list of lists (any nesting, as long as both have
  the same shape); the mean is over all elements, as ``torch`` does.
* ``cross_entropy``: one sample is a list of C logits with an int class
  index; a batch is a list of such lists with a list of indices. The mean is
  over samples.

No derivative is written here: each loss is composed of engine ops, and
cross-entropy uses the fused ``logsumexp`` node, whose gradient is the softmax,
so d loss / d logits = softmax - one_hot, finite for any logits.

>>> from autograd_lite import Value
>>> z = [Value(2.0), Value(1.0), Value(0.1)]
>>> [round(p.data, 3) for p in softmax(z)]
[0.659, 0.242, 0.099]
>>> loss = cross_entropy(z, 0); loss.backward()
>>> [round(v.grad, 3) for v in z]                  # softmax - one_hot
[-0.341, 0.242, 0.099]
"""

from __future__ import annotations

import math
import numbers
from typing import Any, List, Literal, Sequence, Tuple, Union, overload

from autograd_lite import OPS, Value, dot, logsumexp, vsum
from autograd_lite import is_real_number
from autograd_lite.compile import SampleIndexError, TracedIndex, select

__all__ = ["softmax", "log_softmax", "cross_entropy", "mse_loss", "l1_loss",
           "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "hinge_loss", "TargetOutOfRangeError"]

Scalar = Union[Value, float, int]
REDUCTIONS = ("mean", "sum", "none")

# Each loss is typed by its reduction (the overloads before it): "mean" and
# "sum" give one Value, so `loss.backward()` type-checks; "none" gives a list.
_Reduction = Literal["mean", "sum"]


class TargetOutOfRangeError(SampleIndexError):
    """A class index outside 0..C-1 (both a ValueError and, as in PyTorch,
    an IndexError), eager or compiled: a per-sample index out of range
    (:class:`autograd_lite.compile.SampleIndexError`)."""


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

def _is_scalar(x: Any) -> bool:
    """A Value or a number (int, float, bool, numpy scalar or 0-d array)."""
    tp = type(x)
    return tp is Value or tp is float or tp is int or is_real_number(x)


def _data(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _items(x: Any, where: str, what: str) -> list:
    """A sequence's items as a list (numpy arrays via tolist)."""
    if hasattr(x, "tolist"):
        x = x.tolist()
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"{where}: {what} must be a number, a Value or a sequence "
                        f"of them, got {type(x).__name__}")
    items = list(x)
    if not items:
        raise ValueError(f"{where}: {what} is empty; pass at least one element")
    return items


def _flatten(x: Any, where: str, what: str) -> Tuple[List[Scalar], Tuple[int, ...]]:
    """Elements in row-major order, and the shape (``()`` for a scalar)."""
    if _is_scalar(x):
        return [x], ()
    items = _items(x, where, what)
    if all(map(_is_scalar, items)):
        return items, (len(items),)
    flat: List[Scalar] = []
    inner = None
    for item in items:
        part, shape = _flatten(item, where, what)
        if inner is None:
            inner = shape
        elif shape != inner:
            raise ValueError(f"{where}: {what} is ragged: rows of shapes {inner} "
                             f"and {shape}")
        flat.extend(part)
    return flat, (len(items),) + (inner or ())


def _pairs(input: Any, target: Any, where: str) -> Tuple[List[Scalar], List[Scalar]]:
    xs, x_shape = _flatten(input, where, "input")
    ys, y_shape = _flatten(target, where, "target")
    if x_shape != y_shape:
        raise ValueError(f"{where}: input has shape {x_shape} but target has shape "
                         f"{y_shape}; they must match (no broadcasting)")
    return xs, ys


def _reduce(terms: Sequence[Scalar], reduction: str) -> Union[Value, List[Value]]:
    """The terms combined by ``reduction`` (checked by the caller beforehand)."""
    if reduction == "mean":
        if len(terms) == 1:
            t = terms[0]
            return t if type(t) is Value else Value(t)
        return vsum(terms) / len(terms)
    if reduction == "sum":
        return vsum(terms)
    return [t if type(t) is Value else Value(t) for t in terms]      # "none"


def _check_reduction(reduction: str, where: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{where}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


# ---------------------------------------------------------------------------
# Softmax
# ---------------------------------------------------------------------------

def _rows(z: Any, where: str) -> Tuple[List[List[Scalar]], bool]:
    """The rows of a vector (one row) or a batch, and whether it was a batch."""
    if _is_scalar(z):
        raise TypeError(f"{where}: expected a vector of class scores (a list of C "
                        f"Values or numbers) or a batch of them, got a single "
                        f"{type(z).__name__}; for one score per sample (an MLP with one "
                        f"output) use binary_cross_entropy_with_logits")
    items = _items(z, where, "input")
    if all(map(_is_scalar, items)):
        return [items], False
    rows = [_items(row, where, "each row") for row in items]
    for row in rows:
        if not all(map(_is_scalar, row)):
            raise TypeError(f"{where}: expected a vector or a batch of vectors "
                            f"(a list of lists of Values or numbers)")
    return rows, True


def _shifted(row: List[Scalar]) -> List[Value]:
    """z - max(z): the same softmax, every exponent <= 0, and the largest term
    e^0 = 1 exactly, so nothing overflows and no precision is lost to a large
    common offset (e.g. logits near 1000).

    m is a number read from the data: compile follows it per sample, and
    which z is largest is a comparison, so samples with different largest
    logits run on different traces. z_i - logsumexp(z) would need no branch,
    but for the largest z_i it subtracts two nearly equal numbers, m + log S
    rounded and m: log_softmax of [1000, 970] loses 20% of its first entry,
    softmax hundreds of ulps at logits near 1000; shifting by another Value
    (z_0) has the same cancellation. The max it must be."""
    m = max(_data(v) for v in row)
    return [v - m if isinstance(v, Value) else Value(float(v) - m) for v in row]


def log_softmax(z: Sequence[Scalar]) -> Union[List[Value], List[List[Value]]]:
    """log softmax(z)_i = z_i - logsumexp(z), stable for any z.

    Computed as (z_i - m) - logsumexp(z - m) with m = max(z), as PyTorch does.

    Args:
        z: a vector of logits, or a batch (list of vectors).

    Returns:
        A list of Values (a list of lists for a batch).

    Example:
        >>> [round(v.data, 4) for v in log_softmax([1000.0, 1000.0])]
        [-0.6931, -0.6931]
    """
    rows, batch = _rows(z, "log_softmax")
    out = []
    for row in rows:
        shifted = _shifted(row)
        lse = logsumexp(shifted)
        out.append([s - lse for s in shifted])
    return out if batch else out[0]


def softmax(z: Sequence[Scalar]) -> Union[List[Value], List[List[Value]]]:
    """softmax(z)_i = e^(z_i) / sum_j e^(z_j), stable for any z.

    Computed as e^(z_i - m) / sum_j e^(z_j - m) with m = max(z), as PyTorch
    does: every exponent is <= 0, so nothing overflows.

    Args:
        z: a vector of logits, or a batch (list of vectors).

    Returns:
        A list of Values summing to 1 (a list of lists for a batch).

    Example:
        >>> [round(p.data, 3) for p in softmax([2.0, 1.0, 0.1])]
        [0.659, 0.242, 0.099]
        >>> [p.data for p in softmax([1000.0, -1000.0])]
        [1.0, 0.0]
    """
    rows, batch = _rows(z, "softmax")
    out = []
    for row in rows:
        exps = [s.exp() for s in _shifted(row)]
        total = vsum(exps)
        out.append([e / total for e in exps])
    return out if batch else out[0]


# ---------------------------------------------------------------------------
# Cross-entropy
# ---------------------------------------------------------------------------

def _class_index(t: Any, n_classes: int, sample: int) -> int:
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise TypeError(f"cross_entropy: target of sample {sample} must be an int class "
                        f"index (or a list of class probabilities), got "
                        f"{type(t).__name__} {t!r}")
    t = int(t)
    if not 0 <= t < n_classes:
        raise TargetOutOfRangeError(
            f"cross_entropy: target {t} of sample {sample} is out of range for "
            f"{n_classes} classes (valid: 0..{n_classes - 1})")
    return t


def _sample_loss(z: List[Scalar], t: Any, sample: int) -> Value:
    if isinstance(t, TracedIndex):
        # compile's per-sample class index: a selection on the tape, each
        # sample's index checked against the number of classes (the eager
        # path's error class, the message naming the sample)
        return logsumexp(z) - select(z, t, where="cross_entropy", what="target",
                                     error=TargetOutOfRangeError)
    if _is_scalar(t) or isinstance(t, (str, bytes)) or not hasattr(t, "__iter__"):
        # -log softmax(z)_t = logsumexp(z) - z_t: one fused node and one
        # subtraction; the gradient is softmax(z) - one_hot(t).
        return logsumexp(z) - z[_class_index(t, len(z), sample)]
    probs = _items(t, "cross_entropy", "target")
    if len(probs) != len(z) or not all(map(_is_scalar, probs)):
        raise ValueError(f"cross_entropy: target of sample {sample} must be a class "
                         f"index or {len(z)} class probabilities, got {t!r}")
    # -sum_i p_i log softmax(z)_i = logsumexp(z) * sum(p) - p . z
    return logsumexp(z) * vsum(probs) - dot(probs, z)


@overload
def cross_entropy(logits: Sequence[Any], target: Any, reduction: _Reduction = ...) -> Value: ...


@overload
def cross_entropy(logits: Sequence[Any], target: Any,
                  reduction: Literal["none"]) -> List[Value]: ...


@overload
def cross_entropy(logits: Sequence[Any], target: Any,
                  reduction: str = ...) -> Union[Value, List[Value]]: ...


def cross_entropy(logits: Sequence[Any], target: Any,
                  reduction: str = "mean") -> Union[Value, List[Value]]:
    """Cross-entropy from logits (PyTorch's ``F.cross_entropy``), fused and stable.

    loss = logsumexp(z) - z[target] = -log softmax(z)[target], computed
    without forming softmax, so logits of +-1000 give a finite loss and the
    exact gradient softmax(z) - one_hot(target).

    Args:
        logits: C logits of one sample, or a batch (list of lists).
        target: a class index (int in 0..C-1) per sample; or, as in PyTorch,
            C class probabilities per sample.
        reduction: "mean" (over samples, default), "sum" or "none".

    Returns:
        A Value (a list of per-sample Values for ``reduction="none"``).

    Raises:
        TargetOutOfRangeError (ValueError, IndexError): a class index outside
            0..C-1, eager or compiled (naming the sample). TypeError/ValueError:
            malformed inputs.

    Example:
        >>> from autograd_lite import Value
        >>> z = [Value(1000.0), Value(-1000.0)]
        >>> loss = cross_entropy(z, 1); loss.backward()
        >>> loss.data, [v.grad for v in z]
        (2000.0, [1.0, -1.0])
        >>> round(cross_entropy([[2.0, 0.0], [0.0, 2.0]], [0, 0]).data, 4)
        1.1269
    """
    _check_reduction(reduction, "cross_entropy")
    rows, batch = _rows(logits, "cross_entropy")
    if batch:
        if _is_scalar(target):
            raise ValueError(f"cross_entropy: logits hold a batch of {len(rows)} samples "
                             f"but target is a single {target!r}; pass one target per sample")
        targets = _items(target, "cross_entropy", "target")
        if len(targets) != len(rows):
            raise ValueError(f"cross_entropy: {len(rows)} samples of logits but "
                             f"{len(targets)} targets")
    else:
        targets = [target]
    losses = [_sample_loss(z, t, i) for i, (z, t) in enumerate(zip(rows, targets))]
    return _reduce(losses, reduction)


# ---------------------------------------------------------------------------
# Regression losses
# ---------------------------------------------------------------------------

@overload
def mse_loss(input: Any, target: Any, reduction: _Reduction = ...) -> Value: ...


@overload
def mse_loss(input: Any, target: Any, reduction: Literal["none"]) -> List[Value]: ...


@overload
def mse_loss(input: Any, target: Any, reduction: str = ...) -> Union[Value, List[Value]]: ...


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Union[Value, List[Value]]:
    """Mean squared error: mean((input - target)^2).

    Args:
        input, target: numbers/Values, or (nested) lists of the same shape.
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Value (the mean or the sum), or a flat list of per-element Values
        for ``reduction="none"``.

    Example:
        >>> from autograd_lite import Value
        >>> x = [Value(1.0), Value(3.0)]
        >>> loss = mse_loss(x, [0.0, 1.0]); loss.backward()
        >>> loss.data, [v.grad for v in x]          # 2 (x - y) / n
        (2.5, [1.0, 2.0])
    """
    _check_reduction(reduction, "mse_loss")
    terms = []
    for x, y in zip(*_pairs(input, target, "mse_loss")):
        d = x - y
        terms.append(d * d)
    return _reduce(terms, reduction)


@overload
def l1_loss(input: Any, target: Any, reduction: _Reduction = ...) -> Value: ...


@overload
def l1_loss(input: Any, target: Any, reduction: Literal["none"]) -> List[Value]: ...


@overload
def l1_loss(input: Any, target: Any, reduction: str = ...) -> Union[Value, List[Value]]: ...


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Union[Value, List[Value]]:
    """Mean absolute error: mean(|input - target|); subgradient 0 at a tie.

    Args:
        input, target: numbers/Values, or (nested) lists of the same shape.
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Value (the mean or the sum), or a flat list of per-element Values
        for ``reduction="none"``.

    Example:
        >>> l1_loss([1.0, -2.0], [0.0, 0.0]).data
        1.5
    """
    _check_reduction(reduction, "l1_loss")
    terms: List[Any] = [abs(x - y) for x, y in zip(*_pairs(input, target, "l1_loss"))]
    return _reduce(terms, reduction)


@overload
def huber_loss(input: Any, target: Any, delta: float = ...,
               reduction: _Reduction = ...) -> Value: ...


@overload
def huber_loss(input: Any, target: Any, delta: float = ...,
               *, reduction: Literal["none"]) -> List[Value]: ...


@overload
def huber_loss(input: Any, target: Any, delta: float = ...,
               reduction: str = ...) -> Union[Value, List[Value]]: ...


def huber_loss(input: Any, target: Any, delta: float = 1.0,
               reduction: str = "mean") -> Union[Value, List[Value]]:
    """Huber loss: 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta).

    d = input - target. Quadratic near 0, linear (robust to outliers) beyond
    ``delta``; the two pieces and their slopes meet at |d| = delta. Same as
    ``torch.nn.functional.huber_loss``.

    Args:
        input, target: numbers/Values, or (nested) lists of the same shape.
        delta: where the quadratic piece becomes linear, > 0 (default 1).
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Value (the mean or the sum), or a flat list of per-element Values
        for ``reduction="none"``.

    Example:
        >>> huber_loss([0.5, 3.0], [0.0, 0.0]).data      # (0.125 + 2.5) / 2
        1.3125
    """
    _check_reduction(reduction, "huber_loss")
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not delta > 0:
        raise ValueError(f"huber_loss: delta must be a number > 0, got {delta!r}")
    delta = float(delta)
    terms = []
    for x, y in zip(*_pairs(input, target, "huber_loss")):
        d = x - y
        if abs(_data(d)) < delta:
            terms.append(0.5 * d * d)
        else:
            terms.append(delta * (abs(d) - 0.5 * delta))
    return _reduce(terms, reduction)


# ---------------------------------------------------------------------------
# Binary classification losses
# ---------------------------------------------------------------------------

_LOG_FLOOR = -100.0   # PyTorch clamps each log of binary_cross_entropy here


def _log_clamped(p: Scalar) -> Scalar:
    """max(log p, -100), as PyTorch's BCE: a probability of exactly 0 or 1
    then gives a finite loss. Where the clamp is active the gradient is 0."""
    if type(p) is Value:        # compared as a Value: compile checks it per sample
        if p > 0:
            log_p = p.log()
            if log_p >= _LOG_FLOOR:
                return log_p
        return _LOG_FLOOR
    v = _data(p)
    if v > 0 and math.log(v) >= _LOG_FLOOR:
        return math.log(v)
    return _LOG_FLOOR


def _check_unit_interval(values: List[Scalar], where: str, what: str, hint: str) -> None:
    for i, v in enumerate(values):
        if not 0.0 <= _data(v) <= 1.0:
            raise ValueError(f"{where}: {what} must be in [0, 1], got {_data(v)!r} at "
                             f"position {i}{hint}")


@overload
def binary_cross_entropy(input: Any, target: Any, reduction: _Reduction = ...) -> Value: ...


@overload
def binary_cross_entropy(input: Any, target: Any, reduction: Literal["none"]) -> List[Value]: ...


@overload
def binary_cross_entropy(input: Any, target: Any,
                         reduction: str = ...) -> Union[Value, List[Value]]: ...


def binary_cross_entropy(input: Any, target: Any,
                         reduction: str = "mean") -> Union[Value, List[Value]]:
    """Binary cross-entropy of probabilities: -(y log p + (1 - y) log(1 - p)).

    As PyTorch, each log is clamped to >= -100. For scores (logits) prefer
    :func:`binary_cross_entropy_with_logits`, which is stable.

    Args:
        input: probabilities p in [0, 1] (e.g. ``x.sigmoid()``).
        target: labels (or soft labels) y in [0, 1].
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Value (the mean or the sum), or a flat list of per-element Values
        for ``reduction="none"``.

    Example:
        >>> round(binary_cross_entropy([0.9, 0.2], [1.0, 0.0]).data, 6)
        0.164252
    """
    _check_reduction(reduction, "binary_cross_entropy")
    ps, ys = _pairs(input, target, "binary_cross_entropy")
    _check_unit_interval(ps, "binary_cross_entropy", "input probabilities",
                         "; apply .sigmoid() to scores, or use "
                         "binary_cross_entropy_with_logits")
    _check_unit_interval(ys, "binary_cross_entropy", "target", "")
    terms = [-(y * _log_clamped(p) + (1 - y) * _log_clamped(1 - p)) for p, y in zip(ps, ys)]
    return _reduce(terms, reduction)


def _softplus(z: Scalar) -> Scalar:
    # A plain-number score stays a number: the op table's forward (stable for any z).
    return z.softplus() if isinstance(z, Value) else OPS["softplus"].forward(float(z))


@overload
def binary_cross_entropy_with_logits(input: Any, target: Any,
                                     reduction: _Reduction = ...) -> Value: ...


@overload
def binary_cross_entropy_with_logits(input: Any, target: Any,
                                     reduction: Literal["none"]) -> List[Value]: ...


@overload
def binary_cross_entropy_with_logits(input: Any, target: Any,
                                     reduction: str = ...) -> Union[Value, List[Value]]: ...


def binary_cross_entropy_with_logits(input: Any, target: Any,
                                     reduction: str = "mean") -> Union[Value, List[Value]]:
    """Binary cross-entropy of a score z: BCE(sigmoid(z), y), stable for any z.

    -(y log s(z) + (1 - y) log(1 - s(z))) = softplus(z) - y z, and softplus
    is computed without overflow; the gradient is sigmoid(z) - y.

    Args:
        input: scores (logits) z.
        target: labels y (usually 0 or 1).
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Value (the mean or the sum), or a flat list of per-element Values
        for ``reduction="none"``.

    Example:
        >>> from autograd_lite import Value
        >>> z = Value(-1000.0); loss = binary_cross_entropy_with_logits(z, 1.0)
        >>> loss.backward(); loss.data, z.grad
        (1000.0, -1.0)
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    zs, ys = _pairs(input, target, "binary_cross_entropy_with_logits")
    terms = [_softplus(z) - y * z for z, y in zip(zs, ys)]
    return _reduce(terms, reduction)


@overload
def hinge_loss(input: Any, target: Any, reduction: _Reduction = ...) -> Value: ...


@overload
def hinge_loss(input: Any, target: Any, reduction: Literal["none"]) -> List[Value]: ...


@overload
def hinge_loss(input: Any, target: Any, reduction: str = ...) -> Union[Value, List[Value]]: ...


def hinge_loss(input: Any, target: Any, reduction: str = "mean") -> Union[Value, List[Value]]:
    """Hinge (max-margin) loss: max(0, 1 - y * score), labels y = -1 or +1.

    The "svm" loss of micrograd's demo, ``(1 + -y * score).relu()``.

    Args:
        input: scores.
        target: labels, each -1 or +1.
        reduction: "mean" (default), "sum" or "none".

    Returns:
        A Value (the mean or the sum), or a flat list of per-element Values
        for ``reduction="none"``.

    Example:
        >>> hinge_loss([2.0, 0.5, -0.5], [1, 1, 1]).data    # (0 + 0.5 + 1.5) / 3
        0.6666666666666666
    """
    _check_reduction(reduction, "hinge_loss")
    scores, labels = _pairs(input, target, "hinge_loss")
    terms = []
    for i, (s, y) in enumerate(zip(scores, labels)):
        if _data(y) not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss: labels must be -1 or +1, got {_data(y)!r} at "
                             f"position {i}; map 0/1 labels with 2 * y - 1")
        margin = 1 + -y * s
        terms.append(margin.relu() if isinstance(margin, Value) else max(float(margin), 0.0))
    return _reduce(terms, reduction)
