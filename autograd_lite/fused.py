"""Many inputs as one node: ``vsum``, ``dot``, ``logsumexp``, and ``apply_op``.

The engine merges nodes only where the user asks for one node: these
functions, and ``nn``'s neurons (a ``dot`` over their weights). Merging the
nodes of a whole computation belongs on a recorded tape (``compile``), where
no one outside can hold an intermediate.
"""

from __future__ import annotations

import operator
from typing import Iterable, Sequence, Union

from .accelerator import DOT_LEAVES
from .coerce import Number, as_float, as_floats, as_tuple
from .core import Value, apply_binary, apply_unary, apply_with_param, new_node, stand_in
from .ops import BINARY, CONST_RIGHT, DOT, NARY, OPS, UNARY, Op

__all__ = ["Leaves", "vsum", "logsumexp", "dot", "apply_op", "as_values"]


def as_values(values, where: str) -> tuple:
    """``values`` as a tuple of Values, numbers made constant leaves; a bad
    element is a TypeError naming ``where`` and the element's position."""
    return tuple(v if isinstance(v, Value)
                 else stand_in(v) or Value(as_float(v, f"{where}: element {i}"))
                 for i, v in enumerate(as_tuple(values, where)))


def vsum(values: Iterable[Union[Value, Number]]) -> Value:
    """The sum of many Values as one node (numbers become constant leaves).

    Adds left to right, so the result has the same bits as ``sum(values)``.

    >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = vsum(xs); s.backward(); s.data, [x.grad for x in xs]
    (6.0, [1.0, 1.0, 1.0])
    """
    items = as_values(values, "vsum")
    if not items:
        return Value(0.0)
    op = OPS["sum"]
    return new_node(op.forward([v._data for v in items]), op, items, None)


def logsumexp(values: Iterable[Union[Value, Number]]) -> Value:
    """ln(e^x₁ + … + e^xₙ) as one stable node; its gradient is the softmax.

    Numbers among ``values`` become constant leaves.

    >>> xs = [Value(1000.0), Value(1000.0)]
    >>> y = logsumexp(xs); y.backward()
    >>> round(y.data, 6), [x.grad for x in xs]
    (1000.693147, [0.5, 0.5])
    """
    items = as_values(values, "logsumexp")
    if not items:
        raise ValueError("logsumexp: needs at least one value, got an empty sequence")
    op = OPS["logsumexp"]
    return new_node(op.forward([v._data for v in items]), op, items, None)


def dot(a: Sequence[Union[Value, Number]], b: Sequence[Union[Value, Number]]) -> Value:
    """a₁b₁ + … + aₙbₙ as one node: the fused core of a neuron.

    Either side may be numbers (kept as constants, no leaf nodes); they must
    have the same length.

    >>> w = [Value(2.0), Value(-1.0)]
    >>> y = dot(w, [3.0, 4.0]); y.backward(); y.data, [wi.grad for wi in w]
    (2.0, [3.0, 4.0])
    """
    a = as_tuple(a)
    b = as_tuple(b)
    if len(a) != len(b):
        raise ValueError(f"dot: the sequences must have the same length, got "
                         f"{len(a)} and {len(b)}")
    if not a:
        return Value(0.0)
    op = OPS["dot"]
    kind_a, kind_b = _kind(a), _kind(b)
    if kind_a in _NUMBER_KINDS and kind_b in _VALUE_KINDS:
        a, b, kind_a, kind_b = b, a, kind_b, kind_a        # dot is symmetric
    if kind_a in _VALUE_KINDS and kind_b in _NUMBER_KINDS:
        consts = b if kind_b == "floats" else as_floats(b, "dot")
        variant = DOT_LEAVES if kind_a == "leaves" else op.const_right
        # A list comprehension reads the weights faster than map(_get_data, a).
        return new_node(op.forward([v._data for v in a], consts), variant, a, consts)
    # Values on both sides, or a mix: numbers become constant leaves.
    a = as_values(a, "dot")
    b = as_values(b, "dot")
    return new_node(op.forward(list(map(_get_data, a)), list(map(_get_data, b))), op, a, b)


_ONLY_VALUE = frozenset({Value})
_PLAIN_NUMBERS = frozenset({float, int})
_VALUE_KINDS = frozenset({"leaves", "values"})
_NUMBER_KINDS = frozenset({"floats", "numbers"})
_NO_OP = frozenset({None})
_get_data = operator.attrgetter("_data")
_get_op = operator.attrgetter("op")

# A neuron's dot runs once per sample over all of its inputs, so checking
# every element each time would cost as much as the arithmetic. Two things
# spare it: weights kept in a Leaves tuple (checked once, when made), and the
# last tuple of numbers seen (a layer's input, shared by all of its neurons;
# a tuple of floats, which holds no Value and so no graph).
_last_numbers: list = [None]


class Leaves(tuple):
    """A tuple of leaf Values (parameters), checked once when made.

    ``dot(weights, x)`` with ``weights`` a ``Leaves`` skips checking the
    weights, and backward skips counting them: a tuple cannot change, and a
    leaf never becomes an interior node. ``nn.Neuron`` keeps its weights so.

    >>> w = Leaves([Value(2.0), Value(-1.0)])
    >>> y = dot(w, (3.0, 4.0)); y.backward(); [wi.grad for wi in w]
    [3.0, 4.0]
    >>> Leaves([Value(1.0) * 2])
    Traceback (most recent call last):
    ...
    ValueError: Leaves: element 0 is computed (op 'mul'), not a leaf; use Values made with Value(x)
    """

    __slots__ = ()

    def __new__(cls, values: Iterable[Value] = ()) -> "Leaves":
        items = tuple(values)
        for i, v in enumerate(items):
            if not isinstance(v, Value):
                raise TypeError(f"Leaves: element {i} must be a Value, got "
                                f"{type(v).__name__}")
            if v.op is not None:
                raise ValueError(f"Leaves: element {i} is computed (op {v.op.name!r}), "
                                 "not a leaf; use Values made with Value(x)")
        return super().__new__(cls, items)


def _kind(items: tuple) -> str:
    """"leaves", "values" (some interior), "floats" (floats and ints),
    "numbers" (other numeric types, converted later) or "mixed"."""
    if type(items) is Leaves:
        return "leaves"
    if _last_numbers[0] is items:
        return "floats"
    types = set(map(type, items))           # C-level: no Python loop per element
    if types == _ONLY_VALUE:
        return "leaves" if set(map(_get_op, items)) == _NO_OP else "values"
    if any(issubclass(t, Value) for t in types):
        return "mixed"
    if types <= _PLAIN_NUMBERS:
        _last_numbers[0] = items
        return "floats"
    return "numbers"


def apply_op(op: Op, *args) -> Value:
    """Apply any table entry to its inputs (Values or numbers) and parameter.

    >>> apply_op(OPS["leaky_relu"], Value(-2.0), 0.1).data
    -0.2
    >>> apply_op(OPS["exp"], 0.0)
    Value(data=1.0, grad=0.0)
    """
    if op.forward is None:
        raise ValueError(f"apply_op: {op.name} is the op of nodes built by hand, "
                         "Value(data, children, ...); it has no forward to apply")
    if op.layout in (UNARY, CONST_RIGHT, BINARY):
        wanted = len(op.inputs) + (1 if op.param else 0)
        if len(args) != wanted:
            names = ", ".join(op.inputs + ((op.param,) if op.param else ()))
            raise TypeError(f"apply_op: {op.name} takes {wanted} argument"
                            f"{'s' if wanted != 1 else ''} ({names}), got {len(args)}")
    if op.layout in (UNARY, CONST_RIGHT):
        x = args[0] if isinstance(args[0], Value) else Value(as_float(
            args[0], f"apply_op: {op.name}'s {op.inputs[0]}"))
        return apply_unary(op, x) if op.layout == UNARY else apply_with_param(op, x, args[1])
    if op.layout == BINARY:
        result = apply_binary(op, *args)
        if result is NotImplemented:
            raise TypeError(f"{op.name}: expected Values or numbers, got "
                            f"{', '.join(type(x).__name__ for x in args)}")
        return result
    if op.layout == NARY:
        (xs,) = args
        return _NARY_FUNCTIONS[op.name](xs)
    if op.layout == DOT:
        return dot(*args)
    raise ValueError(f"apply_op: {op!r} is a constant variant; apply its base "
                     f"{op.base!r}")


_NARY_FUNCTIONS = {"sum": vsum, "logsumexp": logsumexp}
