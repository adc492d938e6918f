"""The accelerator: the core's ``+``, ``*`` and first-order ``backward``, unrolled.

:mod:`autograd_lite.core` is the specification; this module is the same
algorithm written for speed in pure Python, and :func:`install` puts it over
the core, replacing exactly the methods named in :data:`REPLACES` on
``Value`` and nothing else (``autograd_lite/__init__.py`` calls it once,
unless the environment sets ``AUTOGRAD_LITE_REFERENCE=1``). Both give the same
nodes and the same gradients, bit for bit: the suite runs a second time on the
core alone, and a test compares the two on a set of workloads.

What it does differently, all for speed:

* ``+`` and ``*`` build their node inline: the statements of
  :func:`~autograd_lite.core.new_node`, without the cost of a call.
* ``backward`` (first order; ``create_graph=True`` goes to the core's walk)
  takes Kahn's algorithm in two passes over counters kept in the nodes
  (``_pending``), rather than over a dictionary: pass 1 counts each interior
  node's consumers, pass 2 lets a node pass its gradient down once every
  consumer has passed theirs. A chain hands the next node on without a stack
  round trip; the order is still the core's, so each gradient adds the same
  products in the same order.
* Each layout has its own branch, with the table's shortcuts: ``x + c``'s
  partial is 1.0 and ``x * c``'s the node's constant (``first_partial_shortcut``),
  ``a + b`` adds ``g`` itself and ``a * b`` each other's data (``pair_shortcut``).
* A dot over weights that are all leaves (:data:`DOT_LEAVES`, a neuron whose
  weights are ``Leaves``) is not counted, and zero constants (a black
  pixel) are skipped: adding ``g * 0.0`` leaves a gradient as it was, since
  one built up from +0.0 is never -0.0. So is a whole n-ary node whose
  gradient is 0 (a dead ReLU's neuron) when its partials are finite; its
  interior inputs are still counted down.
"""

from __future__ import annotations

import inspect
from itertools import compress
from math import isfinite
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import grad_mode
from .coerce import GRAD_IS_NONE, Number, as_float
from .core import Value, inputs, local_partials, topological_order
from .handbuilt import warn_hand_built
from .ops import (BINARY, CONST_LEFT, CONST_RIGHT, DOT, DOT_CONST, NARY, OPS, SWAPPED,
                  THE_CONSTANT, UNARY, Op)

__all__ = ["REPLACES", "DOT_LEAVES", "install", "installed"]

REPLACES = ("__add__", "__radd__", "__mul__", "__rmul__", "backward")
"""The methods of ``Value`` that :func:`install` replaces, and nothing else."""

_CORE = {name: Value.__dict__[name] for name in REPLACES}    # the specification's own
_new = object.__new__
_ADD = OPS["add"]
_MUL = OPS["mul"]
_ADD_C = _ADD.const_right
_MUL_C = _MUL.const_right
_ONES = _ADD.pair_shortcut       # (1.0, 1.0): backward adds g itself
# The count pass tells the layouts whose _a is a Value by one comparison,
# layout <= CONST_RIGHT, which holds while ops.py numbers them first:
if max(UNARY, BINARY, CONST_RIGHT) != CONST_RIGHT or CONST_RIGHT >= min(
        CONST_LEFT, NARY, DOT, DOT_CONST):
    raise RuntimeError("accelerator: ops.py must number UNARY, BINARY and CONST_RIGHT "
                       "below the other layouts (the count pass compares with CONST_RIGHT)")

DOT_LEAVES = OPS["dot"].variant(DOT_CONST)
"""dot(weights, numbers) where every weight is a leaf: backward neither counts
nor checks the inputs. Same layout, partials and picture as dot's const_right."""

# Whether an n-ary op with constants (DOT_CONST) has partials that read its
# Value inputs; when not, backward skips collecting their data. The neuron's
# d/dw = x does not read w, nor do a local-gradient node's numbers.
_READS_INPUTS: Dict[Op, bool] = {}


def _reads_inputs(op: Op) -> bool:
    reads = _READS_INPUTS.get(op)
    if reads is None:
        reads = _READS_INPUTS[op] = op.inputs[0] in op.names_read()
    return reads


def _add(self: Value, other) -> Value:
    """``x + y``, ``x + c`` or ``c + x`` (float addition commutes exactly)."""
    if type(other) is Value:
        data, op = self._data + other._data, _ADD
    elif type(other) is float or type(other) is int:
        data, op = self._data + other, _ADD_C
    else:
        return _CORE["__add__"](self, other)
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node.label = ""
    node._pending = 0
    if not grad_mode.threads_not_recording or grad_mode.is_grad_enabled():
        node.op = op
        node._a = self
        node._b = other
    else:
        node.op = node._a = node._b = None
    return node


def _mul(self: Value, other) -> Value:
    """``x * y``, ``x * c`` or ``c * x`` (float multiplication commutes exactly)."""
    if type(other) is Value:
        data, op = self._data * other._data, _MUL
    elif type(other) is float or type(other) is int:
        data, op = self._data * other, _MUL_C
    else:
        return _CORE["__mul__"](self, other)
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node.label = ""
    node._pending = 0
    if not grad_mode.threads_not_recording or grad_mode.is_grad_enabled():
        node.op = op
        node._a = self
        node._b = other
    else:
        node.op = node._a = node._b = None
    return node


def _backward(self: Value, grad: Number = 1.0, create_graph: bool = False) -> None:
    """The core's ``Value.backward`` (its docstring and signature are set below)."""
    if create_graph:
        return _CORE["backward"](self, grad, create_graph)
    seed = as_float(grad, "backward: grad")
    hand_built = _count_consumers(self)
    try:
        if hand_built:       # inside the try: a filter may make the warning raise
            warn_hand_built(hand_built, False, "backward()")
        self.grad = (self.grad + seed) if self.op is None else seed
        _propagate(self)
    except BaseException as error:
        _reset_pending(self)
        if isinstance(error, TypeError):
            for node in topological_order(self):
                if node.grad is None:
                    raise TypeError(GRAD_IS_NONE.format(node=node)) from None
        raise


def install() -> None:
    """Put the accelerated methods over the core's on ``Value``: exactly
    those named in :data:`REPLACES`."""
    for name, method in _FAST.items():
        setattr(Value, name, method)


def installed() -> bool:
    """Whether ``Value`` has the accelerated methods (False in reference mode)."""
    return all(Value.__dict__[name] is method for name, method in _FAST.items())


_FAST = {"__add__": _add, "__radd__": _add, "__mul__": _mul, "__rmul__": _mul,
         "backward": _backward}
for _name, _method in (("__add__", _add), ("__mul__", _mul), ("backward", _backward)):
    _method.__name__, _method.__qualname__ = _name, f"Value.{_name}"
_backward.__doc__ = _CORE["backward"].__doc__
_backward.__signature__ = inspect.signature(_CORE["backward"])     # type: ignore[attr-defined]
assert tuple(_FAST) == REPLACES


# ---------------------------------------------------------------------------
# backward: pass 1 counts consumers, pass 2 propagates (Kahn's algorithm)
# ---------------------------------------------------------------------------

def _count_consumers(root: Value) -> Dict[Op, None]:
    """Pass 1: for every interior node below root, count its uses in
    ``_pending`` and reset its gradient. Leaves are not counted (they have no
    inputs to wait for) and keep their gradients, so those accumulate.

    The order of the visits does not matter, only the counts: a node goes on
    with the last input it met for the first time (a chain never touches the
    stack), and stacks the others.

    Returns the ops of the nodes built by hand below root, in the order
    met (usually none), for :func:`~autograd_lite.handbuilt.warn_hand_built`.

    As in :func:`_propagate`, counting one input is written out in each
    branch rather than called: this loop runs once per node of every graph."""
    hand_built: Dict[Op, None] = {}
    stack: List[Value] = []
    push, pop = stack.append, stack.pop
    node = root
    while True:
        op = node.op
        following = None
        if op is not None:
            layout = op.layout
            if layout <= CONST_RIGHT:          # UNARY, BINARY, CONST_RIGHT (checked above)
                child = node._a
                if child.op is not None:
                    seen = child._pending
                    child._pending = seen + 1
                    if not seen:
                        child.grad = 0.0
                        following = child
                if layout == BINARY:
                    child = node._b
                    if child.op is not None:
                        seen = child._pending
                        child._pending = seen + 1
                        if not seen:
                            child.grad = 0.0
                            if following is not None:
                                push(following)
                            following = child
            elif layout == CONST_LEFT:         # _b is a Value
                child = node._b
                if child.op is not None:
                    seen = child._pending
                    child._pending = seen + 1
                    if not seen:
                        child.grad = 0.0
                        following = child
            elif op is not DOT_LEAVES:         # n-ary; a dot over leaves has nothing to count
                if op.forward is None:         # built by hand (n-ary layouts only)
                    hand_built[op] = None
                for child in inputs(node):
                    if child.op is not None:
                        seen = child._pending
                        child._pending = seen + 1
                        if not seen:
                            child.grad = 0.0
                            push(child)
        if following is not None:
            node = following
        elif stack:
            node = pop()
        else:
            return hand_built


def _propagate(root: Value) -> None:
    """Pass 2 on floats: a node passes its gradient down once every consumer
    has passed theirs to it (its ``_pending`` count is back to 0).

    This loop is the engine's hot path, so passing a gradient down to an input
    is written out in each branch rather than called:
        x.grad += g * partial; then, for an interior x, one consumer fewer."""
    ready: List[Value] = []
    push, pop = ready.append, ready.pop
    following: Optional[Value] = root   # the next node when a chain hands it on, else None
    while True:
        if following is not None:
            node, following = following, None
        elif ready:
            node = pop()
        else:
            return
        op = node.op
        if op is None:
            continue
        g = node.grad
        layout = op.layout
        if layout == CONST_RIGHT:
            x = node._a
            partial = op.first_partial_shortcut     # x + c: 1.0; x * c: c
            if partial is None:
                partial = op.first_partial(node._data, x._data, node._b)
            elif partial is THE_CONSTANT:
                partial = node._b
            x.grad += g * partial
            if x.op is not None:
                left = x._pending - 1
                x._pending = left
                if not left:
                    following = x           # a chain: go on with x, no stack round trip
        elif layout == BINARY:
            a = node._a
            b = node._b
            pair = op.pair_shortcut
            if pair is SWAPPED:            # a * b: d/da = b, d/db = a
                a.grad += g * b._data
                b.grad += g * a._data       # a is b (x * x): both uses count
            elif pair is _ONES:            # a + b: g * 1.0 is g, to the bit
                a.grad += g
                b.grad += g
            else:
                da, db = op.partials(node._data, a._data, b._data) if pair is None else pair
                a.grad += g * da
                b.grad += g * db
            # A ready input goes next, as if pushed and popped: a, then b
            # on top of it, the order of the core's stack.
            if a.op is not None:
                left = a._pending - 1
                a._pending = left
                if not left:
                    following = a
            if b.op is not None:
                left = b._pending - 1
                b._pending = left
                if not left:
                    if following is not None:
                        push(following)
                    following = b
        elif layout == UNARY:
            x = node._a
            partial = op.first_partial_shortcut     # -x: -1.0
            if partial is None:
                partial = op.first_partial(node._data, x._data)
            x.grad += g * partial
            if x.op is not None:
                left = x._pending - 1
                x._pending = left
                if not left:
                    following = x           # as above
        else:
            # Zero products are skipped here, exactly: g * p with g or p zero
            # and the other finite is ±0.0, and x.grad + ±0.0 is x.grad to the
            # bit (nan and ±inf included) unless x.grad is -0.0, and backward
            # never makes one: interior grads start at +0.0 (pass 1), leaves at
            # +0.0 (Value(), zero_grad()), and +0.0 + ±0.0 is +0.0. Only a leaf's
            # grad set to -0.0 from outside (by hand, or scaled by a clip) comes
            # out +0.0 from the core where a skip leaves it -0.0 (equal, as
            # floats). A factor that is inf or nan is never skipped: 0 * inf is nan.
            if layout == DOT_CONST:        # the fused neuron: partials are the constants
                xs = node._a
                a_data = [x._data for x in xs] if _reads_inputs(op) else None
                partials = op.partials(node._data, a_data, node._b)[0]
                if op is DOT_LEAVES:       # weights: leaves, nothing to count down
                    _, finite, nonzero = _constants(partials)
                    if not g and finite:
                        continue           # a dead neuron (ReLU off): every product is ±0.0
                    pairs: Iterable[Tuple[Value, Any]] = zip(xs, partials)
                    if isfinite(g):        # the inputs of zero constants (black pixels)
                        pairs = zip(compress(xs, partials), nonzero)   # skipped in C
                    for x, p in pairs:
                        x.grad += g * p
                    continue
            elif layout == NARY:
                xs = node._a
                (partials,) = op.partials(node._data, [x._data for x in xs])
            else:                          # CONST_LEFT, DOT
                listed = local_partials(node)
                xs = [x for x, _ in listed]
                partials = [p for _, p in listed]
            if not g and layout != CONST_LEFT and all(map(isfinite, partials)):
                for x in xs:               # n-ary: nothing to add; the counts still go down
                    if x.op is not None:
                        left = x._pending - 1
                        x._pending = left
                        if not left:
                            push(x)
                continue
            for x, p in zip(xs, partials):
                x.grad += g * p
                if x.op is not None:
                    left = x._pending - 1
                    x._pending = left
                    if not left:
                        push(x)


# What backward needs of a DOT_LEAVES node's constants (a layer's input, shared
# by its neurons), kept for the last tuple met: (the tuple, whether all are
# finite, the nonzero ones in order). The tuple is held here, so no other can
# take its identity, and a tuple of numbers cannot change: a match is a proof.
# One reference, replaced whole: a thread reads a consistent triple.
_last_constants: List[Tuple[Any, bool, List[Any]]] = [(None, False, [])]


def _constants(numbers: tuple) -> Tuple[Any, bool, List[Any]]:
    """(numbers, all finite?, the nonzero numbers) for a dot's constants."""
    facts = _last_constants[0]
    if facts[0] is not numbers:
        facts = (numbers, all(map(isfinite, numbers)), list(compress(numbers, numbers)))
        _last_constants[0] = facts
    return facts


def _reset_pending(root: Value) -> None:
    """After a failed backward, leave every count at 0 for the next one."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node._pending = 0
        stack.extend(inputs(node))
