"""The op table over numpy arrays: each op's forward and partials for a batch.

:func:`autograd_lite.compile` replays a traced graph over whole batches. It
asks this module, for each table entry, for

* ``forward(*inputs, [param])``: the op on arrays, the entry's own ``array``
  text evaluated with this module's helpers (one place per primitive: the
  entry), with the scalar forward's
  formula step for step (the stable sigmoid and softplus, left-to-right sums),
  so that values agree with the scalar engine to the last bit where numpy
  computes the same float operations (a matrix product or a merged dot adds
  in another order: the same sum to rounding); and not finite wherever the scalar
  forward raises (numpy's ``(-2) ** y`` is finite, so the powers are nan
  where the scalar ``**`` refuses), since the replay asks the scalar forward
  about each sample whose result is not finite, and it raises its error there;
* ``partials(out, *inputs, [param])``: the table's own derivative text,
  rewritten for arrays by a syntax-tree transform (``a if c else b`` becomes
  ``np.where(c, a, b)``, ``x > 0 or c >= 1`` becomes ``np.logical_or(...)``,
  ``exp``/``log``/... their numpy forms). No derivative and no forward is
  written here: the table stays the one place that knows them.

N-ary inputs (``xs`` of ``sum``, ``logsumexp``; both sides of ``dot``) are
arrays whose last axis runs over the op's inputs.

>>> import numpy as np
>>> from autograd_lite.ops import OPS
>>> relu = numpy_op(OPS["relu"])
>>> relu.partials(None, np.array([-1.0, 0.0, 2.0]))
(array([0., 0., 1.]),)
"""

from __future__ import annotations

import ast
import functools
import math
from typing import Callable, List

import numpy as np

from ..ops import GELU_K, OPS, Op

__all__ = ["NumpyOp", "numpy_op", "array_forward"]


# ---------------------------------------------------------------------------
# Forwards: the scalar forward's formulas, on arrays
# ---------------------------------------------------------------------------

def _left_to_right(xs: np.ndarray) -> np.ndarray:
    """0 + x₁ + x₂ + … along the last axis, one rounding per addition: the
    bits of the scalar engine's sums (numpy's own sum adds pairwise)."""
    total = 0.0 + xs[..., 0]
    for i in range(1, xs.shape[-1]):
        total = total + xs[..., i]
    return total


def _sigmoid(x):
    # the scalar engine's stable form: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x)
    # below; both exponentiate -|x|, so nothing overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _logsumexp(xs):
    m = np.max(xs, axis=-1)
    finite = np.isfinite(m)
    shift = np.where(finite, m, 0.0)
    total = np.sum(np.exp(xs - shift[..., None]), axis=-1)
    return np.where(finite, m + np.log(total), m)


def _softmax(xs):
    # as ops.softmax: where the largest x is infinite, e^(x - m) as it is
    # (0 for a finite x, nan for an infinite one), not divided by its nan sum
    m = np.max(xs, axis=-1, keepdims=True)
    e = np.exp(xs - m)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(m), e / np.sum(e, axis=-1, keepdims=True), e)


# Where the scalar pow refuses but numpy's power is finite ((-2) ** 2 = 4 for
# a Value exponent, (-inf) ** -0.5 = 0, 0 ** 0 = 1): nan, so that the replay
# asks the scalar forward, which raises its DomainError naming the sample.

def _pow(x, c):
    # ops._pow: a negative base needs an integer exponent (or an infinite or
    # nan one); 0 cannot be raised to a negative power
    refused = ((x < 0) & np.isfinite(c) & (c != np.floor(c))) | ((x == 0) & (c < 0))
    return np.where(refused, np.nan, np.power(x, c))


def _pow_value(a, b):
    # ops._pow_value: a base >= 0, and 0 only to a positive power
    return np.where((a < 0) | ((a == 0) & (b <= 0)), np.nan, np.power(a, b))


def _math_tanh(x):
    # math.tanh per element: numpy's tanh is an ulp off math's on about one
    # argument in eight (its exp, log, sin, cos, expm1 and log1p agree), and
    # tanh's derivative 1 - out**2, or gelu's 1 + tanh(u) with tanh(u) near
    # -1, turns that ulp into a relative error without bound
    x = np.asarray(x, dtype=float)
    return np.fromiter(map(math.tanh, x.ravel().tolist()), float, x.size).reshape(x.shape)


def _sign(x):
    # as ops.sign: 1, -1, or 0 (also for nan, which compares false both ways)
    return np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.0))


# The names an op's ``array`` text may use (besides its inputs and parameter).
_FORWARD_NAMES = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "sqrt": np.sqrt,
    "expm1": np.expm1, "log1p": np.log1p, "tanh": _math_tanh, "abs": np.abs,
    "where": np.where, "minimum": np.minimum, "maximum": np.maximum,
    "power": _pow, "power_value": _pow_value, "sigmoid": _sigmoid,
    "logsumexp": _logsumexp, "left_to_right": _left_to_right, "GELU_K": GELU_K,
}


# ---------------------------------------------------------------------------
# Partials: the table's text, rewritten for arrays
# ---------------------------------------------------------------------------

_NAMESPACE = {
    "np": np, "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos,
    "tanh": _math_tanh, "sigmoid": _sigmoid, "sign": _sign, "softmax": _softmax,
    "inf": math.inf, "GELU_K": GELU_K,
    # len(xs) of an n-ary input is the length of its last axis
    "len": lambda xs: np.shape(xs)[-1],
}


class _ForArrays(ast.NodeTransformer):
    """Python's scalar control flow as numpy's elementwise functions."""

    @staticmethod
    def _call(name: str, *args: ast.expr) -> ast.Call:
        return ast.Call(func=ast.Attribute(value=ast.Name("np", ast.Load()),
                                           attr=name, ctx=ast.Load()),
                        args=list(args), keywords=[])

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        return self._call("where", node.test, node.body, node.orelse)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        name = "logical_and" if isinstance(node.op, ast.And) else "logical_or"
        return functools.reduce(lambda a, b: self._call(name, a, b), node.values)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return self._call("logical_not", node.operand)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        # a < b < c is (a < b) and (b < c)
        pairs: List[ast.expr] = [
            ast.Compare(left=left, ops=[op], comparators=[right])
            for left, op, right in zip([node.left] + node.comparators[:-1],
                                       node.ops, node.comparators)]
        return functools.reduce(lambda a, b: self._call("logical_and", a, b), pairs)


def _array_source(expression: str) -> str:
    tree = ast.parse(expression, mode="eval")
    tree = ast.fix_missing_locations(_ForArrays().visit(tree))
    return ast.unparse(tree)


class NumpyOp:
    """One table entry over arrays.

    Attributes:
        op: the table entry (its base, for constant variants).
        forward: ``f(*inputs, [param])`` on arrays.
        partials: ``f(out, *inputs, [param])`` -> one array (or number) per
            input: the entry's ``derivative`` text compiled for arrays.
        source: that rewritten text, for reading and error messages.
    """

    __slots__ = ("op", "forward", "partials", "source")

    def __init__(self, op: Op):
        self.op = op
        if op.array:
            self.forward = array_forward(op)
            self.source = _array_source(f"({op.derivative},)")
            signature = ", ".join(("out",) + op.inputs + ((op.param,) if op.param else ()))
            self.partials = eval(compile(f"lambda {signature}: {self.source}",
                                         f"<array partials of {op.name}>", "eval"),
                                 dict(_NAMESPACE))
        else:
            # An op a user added (define_op): its forward is a float function
            # and its texts may call any helper, so both run per element, the
            # table's own compiled functions on each sample's floats (the bits
            # of the scalar engine, at Python's speed).
            self.source = f"({op.derivative},), per element"
            self.forward = _forward_per_element(op.forward, len(op.inputs))
            self.partials = _partials_per_element(op.partials, 1 + len(op.inputs),
                                                  len(op.inputs))

    def __repr__(self) -> str:
        return f"NumpyOp({self.op.name!r}: {self.source})"


def _forward_per_element(fn: Callable, n_in: int) -> Callable:
    """A float function applied to each sample of array arguments; nan for
    a sample it refuses (a ValueError or OverflowError, as the replay catches
    them), which the replay then asks it about again, to raise the error
    naming the sample in eager's order."""
    def refused_as_nan(*args):
        try:
            return fn(*args)
        except (ValueError, OverflowError):
            return math.nan

    ufunc = np.frompyfunc(refused_as_nan, n_in, 1)
    return lambda *args: np.asarray(ufunc(*args), dtype=float)


def _partials_per_element(fn: Callable, n_in: int, n_out: int) -> Callable:
    """A function of floats returning a tuple of ``n_out`` floats, applied to
    each sample of array arguments: a tuple of ``n_out`` float arrays."""
    ufunc = np.frompyfunc(fn, n_in, 1)

    def partials(*args):
        result = ufunc(*args)
        if isinstance(result, tuple):              # every argument was a number
            return tuple(np.float64(v) for v in result)
        flat = result.ravel()
        return tuple(np.fromiter((t[k] for t in flat), float, len(flat)).reshape(result.shape)
                     for k in range(n_out))
    return partials


def array_forward(op: Op) -> Callable:
    """An op's ``array`` text as a function of arrays, ``f(*inputs, [param])``.

    >>> from autograd_lite.ops import OPS
    >>> array_forward(OPS["relu"])(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    signature = ", ".join(op.inputs + ((op.param,) if op.param else ()))
    return eval(compile(f"lambda {signature}: {op.array}", f"<array forward of {op.name}>",
                        "eval"), dict(_FORWARD_NAMES))


@functools.lru_cache(maxsize=None)
def _numpy_op(op: Op) -> NumpyOp:
    return NumpyOp(op)


def numpy_op(op: Op) -> NumpyOp:
    """The array form of a table entry (or of its base, for a constant variant).

    Raises:
        KeyError: ``op`` is not an entry of the op table (or no longer: an op
            removed with ``remove_op``). Every entry has an array form: the
            built-in ones their ``array`` text; one added with
            ``define_op`` runs its float forward and partials per element.
    """
    if op.base.name not in OPS or OPS[op.base.name] is not op.base:
        raise KeyError(f"compile: op {op.name!r} is not an entry of the op table; "
                       "only table ops can be replayed over a batch")
    return _numpy_op(op.base)

