"""Value: one scalar in a computation graph, and the reverse-mode backward pass.

A ``Value`` holds a float (``data``), the derivative of the last ``backward()``
root with respect to it (``grad``), the op that made it (``op``, an entry of
:data:`autograd_lite.ops.OPS`) and that op's inputs. The engine knows no
derivative rule: it asks the op table for local partials and applies the chain
rule.

Layout choices, all for speed in pure Python:

* One garbage-collected object per node. The inputs live in two slots
  (``_a``, ``_b``) rather than a tuple, and a constant operand (``x * 2``) is
  stored in the node instead of being wrapped as a leaf.
* No closure per node: ``backward`` reads the op table.
* No recursion: the topological order comes from Kahn's algorithm, counting in
  each node (``_pending``) how many of its consumers have yet to pass their
  gradient down, so a node is visited once all of them have. Leaves are not
  counted: they have no inputs to wait for.

A node never changes after it is returned: its ``data``, ``op`` and inputs
are set once, when it is made, whoever holds it afterwards (a variable, a
list, a numpy object array). So ``_prev`` and ``_op`` show the expression as
it was written, op by op, and any node's ``.grad`` is exact. The engine merges
nodes only where the user asked for one node (``vsum``, ``dot``,
``logsumexp``, ``nn``'s neurons); merging the nodes of a whole computation
belongs on a recorded tape, where no one outside can hold an intermediate.

Grad mode (``no_grad``, ``enable_grad``) is per thread, as in PyTorch.
"""

from __future__ import annotations

import contextlib
import numbers
import operator
import os
import sys
import threading
import warnings
from itertools import compress as _compress
from math import isfinite as _isfinite
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence,
                    Tuple, Union)

from .ops import (BINARY, CONST_LEFT, CONST_RIGHT, DOT, DOT_CONST, NARY, OPS, REALS,
                  SWAPPED, THE_CONSTANT, UNARY, Op, ieee_arithmetic)

__all__ = ["Value", "Leaves", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "vsum", "dot", "logsumexp",
           "apply_op", "topological_order", "is_real_number", "TraceHook", "set_trace_hook"]

Number = Union[int, float]
# What an arithmetic operator takes besides a Value (an int is a float to
# type checkers; numpy's float64 is a float subclass).
Operand = Union["Value", float]

_new = object.__new__


class _GradMode(threading.local):
    """Whether this thread records graphs; a new thread starts recording."""
    enabled = True


_mode = _GradMode()
# How many threads have recording off. While that is none (nearly always),
# making a node reads this one global instead of the thread-local flag:
# ``not _threads_not_recording or _mode.enabled`` is the thread's own mode
# either way, since a thread counts itself in before it turns recording off.
_threads_not_recording = 0
_mode_lock = threading.Lock()

_ADD = OPS["add"]
_SUB = OPS["sub"]
_MUL = OPS["mul"]
_DIV = OPS["div"]
_DOT = OPS["dot"]
# Whether an n-ary op with constants (DOT_CONST) has partials that read its
# Value inputs; when not, backward skips collecting their data. The neuron's
# d/dw = x does not read w, nor do a local-gradient node's numbers.
_READS_INPUTS: Dict[Op, bool] = {}


def _reads_inputs(op: Op) -> bool:
    reads = _READS_INPUTS.get(op)
    if reads is None:
        reads = _READS_INPUTS[op] = op.inputs[0] in op.names_read()
    return reads

# dot(weights, numbers) where every weight is a leaf: backward neither counts
# nor checks the inputs. Same layout, partials and picture as const_right.
_DOT_LEAVES = _DOT.const_right._variant(DOT_CONST)
_DOT_LEAVES.base = _DOT
_ADD_C = _ADD.const_right
_ONES = _ADD.pair_shortcut       # (1.0, 1.0): backward adds g itself
_MUL_C = _MUL.const_right


def _node(data: float, op: Op, a, b) -> "Value":
    """A new interior node (a leaf when gradients are off): the one constructor."""
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node.label = ""
    node._pending = 0
    if not _threads_not_recording or _mode.enabled:
        node.op = op
        node._a = a
        node._b = b
    else:
        node.op = node._a = node._b = None
    return node


def is_real_number(x) -> bool:
    """An int, float, bool, or numpy scalar of those kinds (not a Value)."""
    return isinstance(x, numbers.Real) or (
        type(x).__module__ == "numpy" and getattr(x, "shape", None) == ()
        and getattr(getattr(x, "dtype", None), "kind", "") in "biuf")


def _as_float(x, where: str) -> float:
    """``x`` as a Python float, or a TypeError saying what was expected."""
    tp = type(x)
    if tp is float:
        return x
    if is_real_number(x):
        return float(x)
    if _trace_hook is not None and _trace_hook.as_value(x) is not None:
        float(x)            # a number read from a traced Value: its own refusal says why
    hint = ("use x.data for its number, or x.detach() for a copy without history"
            if tp is Value else "convert it with float(x)")
    raise TypeError(f"{where}: expected an int, float, bool or numpy scalar, "
                    f"got {tp.__name__}; {hint}")


def _constant(x) -> Optional[Number]:
    """A number operand kept as given (ints stay ints: ``x ** 2``), or None."""
    tp = type(x)
    if tp is float or tp is int:
        return x
    if tp is Value:
        return None
    try:
        return _as_float(x, "")
    except TypeError:
        return None


def _opaque_op(symbol: str) -> Op:
    """The op of a node built by hand, ``Value(data, children, '+')``: no
    derivative rule is known, so, as in micrograd, no gradient flows through."""
    op = _OPAQUE.get(symbol)
    if op is None:
        op = Op(f"opaque {symbol!r}", symbol, "Value(data, _children, _op)",
                "a node built by hand (no gradient flows)", inputs="xs",
                forward=None, derivative="[0.0] * len(xs)",
                domain=(((-1.0, 1.0),),), layout=NARY)
        _OPAQUE[symbol] = op
    return op


_OPAQUE: Dict[str, Op] = {}
_NO_CHILDREN = ()    # the empty tuple, one object in CPython: a leaf's children

# The op of a node built with its local gradients, microgpt's
# ``Value(data, children, local_grads)``: the node keeps its children in ``_a``
# and the numbers in ``_b``, as a dot with constants does, and its partials
# are those numbers, so backward, forward mode and the graph picture treat it
# like any op. The numbers are constants: a first-order rule, whose second
# derivatives (create_graph=True) through the node are zero.
_LOCAL = Op("local", "local", "Value(data, children, local_grads)",
            "d out / d children[i] = local_grads[i], numbers given by hand",
            inputs="xs", param="local_grads", derivative="local_grads",
            forward=None, domain=(REALS,), layout=DOT_CONST)


def _hand_built(children: tuple, third, local_grads
                ) -> Tuple[Optional[Op], Optional[tuple], Optional[tuple]]:
    """(op, _a, _b) of ``Value(data, children, third)``: micrograd's label
    (a str) makes an opaque node, microgpt's local gradients (numbers, one
    per child) a node whose partials they are."""
    if local_grads is None:
        if isinstance(third, str):
            return _opaque_op(third), children, None
        if isinstance(third, (bytes, dict)) or not hasattr(third, "__iter__"):
            raise TypeError(
                f"Value: the third argument is micrograd's _op label (a str) or "
                f"microgpt's local_grads (a sequence of numbers, one per child), got "
                f"{type(third).__name__}; e.g. Value(a.data * b.data, (a, b), "
                "(b.data, a.data))")
        local_grads = third
    elif not isinstance(third, str) or third:
        raise TypeError("Value: got both a third argument and local_grads=; pass the "
                        "local gradients once")
    if isinstance(local_grads, (str, bytes, dict)) or not hasattr(local_grads, "__iter__"):
        raise TypeError(f"Value: local_grads must be a sequence of numbers, one per "
                        f"child, got {type(local_grads).__name__}")
    grads = tuple(local_grads)
    if len(grads) != len(children):
        raise ValueError(
            f"Value: {len(children)} {'child' if len(children) == 1 else 'children'} "
            f"but {len(grads)} local gradient{'' if len(grads) == 1 else 's'}; pass one "
            "number per child, d data / d child, in the children's order")
    numbers = []
    for i, g in enumerate(grads):
        if type(g) is Value:
            raise TypeError(
                f"Value: local_grads[{i}] must be a number, got Value; local gradients "
                "are numbers (use x.data): a rule that can be differentiated again "
                "(create_graph=True) is an op, see autograd_lite.define_op")
        numbers.append(_as_float(g, f"Value: local_grads[{i}]"))
    return (_LOCAL, children, tuple(numbers)) if children else (None, None, None)

class TraceHook:
    """What a tracer (``autograd_lite.compile``) is told while it is installed
    with :func:`set_trace_hook`; every method must answer as the engine alone
    would for a thread that is not tracing.

    * ``data(value)``: what ``value.data`` hands code (the engine itself
      reads the private slot; ``item``, ``detach``, ``repr`` and ``format``
      go through ``data``); ``assign_data(value, number)``: ``value.data = number``;
    * ``created(node)``: every node made by an op, in the order made;
    * ``compare(value, symbol, other, result)``: every comparison of a Value;
    * ``as_value(x)``: a Value standing for ``x``, an object ``data`` handed
      out, or None for anything else (``Value(x)``, ``vsum([x, ...])``).
    """

    def data(self, value: "Value") -> Any:
        return value._data

    def created(self, node: "Value") -> None:
        return None

    def compare(self, value: "Value", symbol: str, other: object, result: bool) -> None:
        return None

    def as_value(self, x: object) -> Optional["Value"]:
        return None

    def assign_data(self, value: "Value", number: Any) -> None:
        value._data = number


_trace_hook: Optional[TraceHook] = None


def _ordering(symbol: str, compare: Callable[[float, float], bool]
              ) -> Callable[["Value", "Operand"], bool]:
    """A comparison method of Value: compares data with a Value's data or a
    number (NotImplemented for anything else), and reports to the watcher."""
    def method(self: Value, other: Operand) -> bool:
        c = _comparable(other)
        if c is None:
            return NotImplemented
        result = compare(self._data, c)
        if _trace_hook is not None:
            _trace_hook.compare(self, symbol, other, result)
        return result
    method.__name__ = f"__{compare.__name__}__"
    return method


class Value:
    """A scalar that remembers how it was computed, for reverse-mode autodiff.

    Args:
        data: the number (int, float, bool or numpy scalar), stored as a float.
        _children: inputs of a node built by hand.
        _op: for a node built by hand, either micrograd's label (a str, such
            as ``'+'``): a picture-only node with no derivative rule, so no
            gradient flows to its children (``backward`` warns); or
            microgpt's local gradients: a sequence of numbers, one per child,
            ``d data / d child``, in order. Those are a first-order rule: with
            ``backward(create_graph=True)`` they are constants, so second
            derivatives through the node are zero (``backward`` warns); an
            op defined with :func:`~autograd_lite.define_op` has exact ones.
        label: a name, shown by ``draw_graph``.
        local_grads: the local gradients as a keyword, instead of ``_op``.

    Hand-built nodes follow grad mode: inside ``no_grad`` they are leaves.

    ``data`` reads and writes the private slot ``_data`` at a slot's speed;
    while ``compile`` traces, reading it hands the traced code an object that
    follows the number per sample (see :func:`set_trace_hook`).

    Example:
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> y = a * b + b ** 2 / a
        >>> y.backward()
        >>> y.data, a.grad, b.grad
        (-1.5, -5.25, -1.0)
        >>> a, b = Value(2.0), Value(3.0)          # microgpt's a * b, by hand
        >>> c = Value(a.data * b.data, (a, b), (b.data, a.data))
        >>> c.backward(); a.grad, b.grad
        (3.0, 2.0)
    """

    __slots__ = ("_data", "grad", "op", "_a", "_b", "label", "_pending")
    _data: float        # the number; ``data`` below is this slot under its public name
    grad: Any           # a float; a Value after backward(create_graph=True)
    op: Optional[Op]    # None for a leaf
    _a: Any             # the inputs: what each holds depends on op.layout (ops.py)
    _b: Any
    label: str
    _pending: int       # consumers yet to pass their gradient down (backward)

    def __init__(self, data, _children: Iterable["Value"] = (),
                 _op: Union[str, Sequence[Number]] = "", label: str = "", *,
                 local_grads: Optional[Sequence[Number]] = None):
        if _trace_hook is not None and type(data) is not float and \
                _children is _NO_CHILDREN and local_grads is None:
            stand_in = _trace_hook.as_value(data)      # a number a tracer handed out
            if stand_in is not None:
                self._data, self.grad, self.label, self._pending = stand_in._data, 0.0, label, 0
                self.op, self._a, self._b = stand_in.op, stand_in._a, stand_in._b
                return
        self._data = _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._pending = 0
        if _children is _NO_CHILDREN and local_grads is None and type(_op) is str:
            self.op = self._a = self._b = None          # a leaf, the usual case
            return
        children = tuple(_children)
        for child in children:
            if type(child) is not Value:
                raise TypeError(f"Value: _children must be Values, got "
                                f"{type(child).__name__}")
        if children or local_grads is not None or not isinstance(_op, str):
            op, a, b = _hand_built(children, _op, local_grads)
            if op is not None and (not _threads_not_recording or _mode.enabled):
                self.op, self._a, self._b = op, a, b
                if _trace_hook is not None:
                    _trace_hook.created(self)
                return
        self.op = self._a = self._b = None

    # ---- micrograd's view of the node --------------------------------------
    @property
    def _prev(self) -> Tuple["Value", ...]:
        """The Value inputs, in order, a reused input once per use."""
        return tuple(_inputs(self))

    @property
    def _op(self) -> str:
        """The short label micrograd keeps: ``'*'``, ``'**2'``, ``'tanh'``."""
        op = self.op
        if op is None:
            return ""
        # Only a table entry's symbol holds the placeholder {c} (``**{c}``); a
        # hand-built node's symbol is the user's own text, never a template.
        if op.layout == CONST_RIGHT and "{c}" in op.symbol:
            return op.symbol.replace("{c}", str(self._b))
        return op.symbol

    if TYPE_CHECKING:
        # At run time ``data`` is the slot ``_data`` itself (set below the class).
        @property
        def data(self) -> float:
            """The number."""

        @data.setter
        def data(self, value: float) -> None: ...

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad}{label})"

    # ---- the number, and conversions that would lose the gradient -----------
    def item(self) -> float:
        """The number, as a Python float (PyTorch's ``tensor.item()``; the
        same as ``.data``).

        >>> (Value(2.0) * 3).item()
        6.0
        """
        return self.data

    def __format__(self, spec: str) -> str:
        """A format spec formats the number: ``f"{loss:.3f}"``; an empty one
        gives the repr, as ``str`` does (PyTorch formats tensors the same way).

        >>> loss = Value(0.123456)
        >>> f"loss {loss:.3f}", f"{loss}"
        ('loss 0.123', 'Value(data=0.123456, grad=0.0)')
        """
        return format(self.data, spec) if spec else str(self)

    if not TYPE_CHECKING:
        # Hidden from type checkers, so that they flag float(x) and math.exp(x)
        # before they run. At run time the refusal says what to write instead.
        def __float__(self):
            raise TypeError(_NOT_A_FLOAT.format(call="float(x)"))

        def __int__(self):
            raise TypeError(_NOT_A_FLOAT.format(call="int(x)"))

        def __complex__(self):
            raise TypeError(_NOT_A_FLOAT.format(call="complex(x)"))

    def __array_ufunc__(self, ufunc, method: str, *inputs, **kwargs):
        """numpy's hook, called for ``np.exp(x)`` and for operators whose
        other operand is a numpy scalar (``np.float64(2) * x``).

        Operators with numpy scalars work (the scalar is a plain number to a
        Value); numpy functions are refused, since numpy cannot carry a
        gradient: the message names the Value method to use instead.
        """
        return _numpy_ufunc(ufunc, method, inputs, kwargs)

    # ---- arithmetic ----------------------------------------------------------
    # + and * are most of every graph (chains, neurons), so they build their
    # node inline: the same statements as _node, without the cost of a call.
    def __add__(self, other: Operand) -> Value:
        if type(other) is Value:
            data, op = self._data + other._data, _ADD
        elif type(other) is float or type(other) is int:
            data, op = self._data + other, _ADD_C
        else:
            return _binary(_ADD, self, other)
        node = _new(Value)
        node._data = data
        node.grad = 0.0
        node.label = ""
        node._pending = 0
        if not _threads_not_recording or _mode.enabled:
            node.op = op
            node._a = self
            node._b = other
        else:
            node.op = node._a = node._b = None
        return node

    __radd__ = __add__  # float addition commutes exactly

    def __mul__(self, other: Operand) -> Value:
        if type(other) is Value:
            data, op = self._data * other._data, _MUL
        elif type(other) is float or type(other) is int:
            data, op = self._data * other, _MUL_C
        else:
            return _binary(_MUL, self, other)
        node = _new(Value)
        node._data = data
        node.grad = 0.0
        node.label = ""
        node._pending = 0
        if not _threads_not_recording or _mode.enabled:
            node.op = op
            node._a = self
            node._b = other
        else:
            node.op = node._a = node._b = None
        return node

    __rmul__ = __mul__

    def __sub__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(self._data - other._data, _SUB, self, other)
        c = _constant(other)
        if c is None:
            return _unsupported(_SUB, self, other)
        return _node(self._data - c, _SUB.const_right, self, c)

    def __rsub__(self, other: Operand) -> Value:
        return _binary(_SUB, other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _binary(_DIV, self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return _binary(_DIV, other, self)

    def __pow__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _binary(_POW_VALUE, self, other)
        c = _constant(other)
        if c is None:
            return _unsupported(_POW, self, other)
        return _node(_POW.forward(self._data, c), _POW, self, c)

    def __rpow__(self, other: Operand) -> Value:
        return _binary(_POW_VALUE, other, self)

    def __neg__(self) -> Value:
        return _unary(_NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _unary(_ABS, self)

    # ---- ordering compares data; identity stays the hash -------------------
    # While compile traces a function, each comparison is also reported to
    # the tracer (``_comparison_watcher``): the branch taken may differ from
    # sample to sample, so the trace checks it on every sample of a batch.
    __lt__ = _ordering("<", operator.lt)
    __le__ = _ordering("<=", operator.le)
    __gt__ = _ordering(">", operator.gt)
    __ge__ = _ordering(">=", operator.ge)

    __hash__ = object.__hash__

    # ---- functions: one line each onto the op table -------------------------
    def exp(self) -> "Value":
        """e^x."""
        return _unary(OPS["exp"], self)

    def log(self) -> "Value":
        """Natural log; x must be > 0."""
        return _unary(OPS["log"], self)

    def sqrt(self) -> "Value":
        """Square root; x must be >= 0."""
        return _unary(OPS["sqrt"], self)

    def sin(self) -> "Value":
        return _unary(OPS["sin"], self)

    def cos(self) -> "Value":
        return _unary(OPS["cos"], self)

    def tanh(self) -> "Value":
        return _unary(OPS["tanh"], self)

    def sigmoid(self) -> "Value":
        """1 / (1 + e^-x), stable for any x."""
        return _unary(OPS["sigmoid"], self)

    def relu(self) -> "Value":
        """max(x, 0), with derivative 0 at x == 0."""
        return _unary(OPS["relu"], self)

    def leaky_relu(self, alpha: float = 0.01) -> "Value":
        """x if x > 0 else alpha * x."""
        return _with_param(OPS["leaky_relu"], self, alpha)

    def elu(self, alpha: float = 1.0) -> "Value":
        """x if x > 0 else alpha * (e^x - 1)."""
        return _with_param(OPS["elu"], self, alpha)

    def gelu(self) -> "Value":
        """GELU, tanh approximation (PyTorch's ``approximate='tanh'``)."""
        return _unary(OPS["gelu"], self)

    def softplus(self) -> "Value":
        """ln(1 + e^x), stable for any x."""
        return _unary(OPS["softplus"], self)

    # ---- graph utilities -----------------------------------------------------
    def detach(self) -> "Value":
        """A leaf with the same data and label, and no history.

        >>> x = Value(3.0); y = (x * x).detach(); y.backward(); x.grad
        0.0
        """
        return Value(self.data, label=self.label)

    def _backward(self) -> None:
        """One chain-rule step of this node, as micrograd's lecture calls it by
        hand: for each use of an input, ``input.grad += self.grad * d self / d input``,
        the local derivative read from the op table. A leaf does nothing.

        ``backward()`` does these steps for every node, in an order where a
        node's own gradient is complete before it passes it on; calling them
        by hand, that order is yours to keep.

        Example:
            >>> a = Value(2.0); b = Value(-3.0); y = a * b
            >>> y.grad = 1.0; y._backward(); a.grad, b.grad
            (-3.0, 2.0)
        """
        if self.op is None:
            return
        g = self.grad
        for child, partial in _local_partials(self, graph=False):
            child.grad += g * partial

    def backward(self, grad: Number = 1.0, create_graph: bool = False) -> None:
        """Accumulate d self / d node into ``node.grad`` for every node below.

        Leaves accumulate across calls (as in PyTorch: call ``zero_grad`` or
        reset ``.grad`` between steps); interior nodes are recomputed each call.

        Args:
            grad: d L / d self, the gradient flowing in (1.0 for a loss).
            create_graph: keep the gradients as Values with a graph of their
                own, so they can be differentiated again.

        Example:
            >>> x = Value(3.0); y = x * x; y.backward(); x.grad
            6.0
            >>> x = Value(3.0); y = x ** 3; y.backward(create_graph=True)
            >>> g = x.grad; x.grad = 0.0; g.backward(); x.grad   # d2y/dx2 = 6x
            18.0
        """
        if create_graph:
            seed = grad if type(grad) is Value else _as_float(grad, "backward: grad")
        else:
            seed = _as_float(grad, "backward: grad")
        hand_built = _count_consumers(self)
        try:
            if hand_built:       # inside the try: a filter may make the warning raise
                _warn_hand_built(hand_built, create_graph, "backward()", stacklevel=2)
            self.grad = (self.grad + seed) if self.op is None else seed
            if create_graph:
                _propagate_graph(self)
            else:
                _propagate(self)
        except BaseException:
            _reset_pending(self)
            raise


# ``data`` is the slot ``_data`` under its public name: the slot's own
# descriptor, so ``x.data`` costs what reading a slot costs. While a tracer
# is installed it is a property that asks the tracer; the engine itself
# always reads ``_data``.
_DATA_SLOT = Value.__dict__["_data"]
setattr(Value, "data", _DATA_SLOT)  # noqa: B010 (mypy: data is a property of Value)
_make_node = _node
_INLINE = {name: Value.__dict__[name] for name in ("__add__", "__radd__", "__mul__",
                                                   "__rmul__")}


def set_trace_hook(hook: Optional[TraceHook]) -> None:
    """Install a tracer (or, with None, remove it): the one way in which code
    outside the engine changes what the engine does.

    While installed, ``Value.data`` asks ``hook.data`` (writing it,
    ``hook.assign_data``), every node an op makes is reported to
    ``hook.created``, every comparison to ``hook.compare``, and ``Value(x)``
    asks ``hook.as_value(x)`` first. Removed, the engine runs as if none had
    ever been installed (``data`` is the slot again). The hook answers for
    every thread, so it must act only for the threads that trace.
    """
    global _trace_hook, _node
    _trace_hook = hook
    if hook is None:
        _node = _make_node
        for name, method in _INLINE.items():
            setattr(Value, name, method)
        setattr(Value, "data", _DATA_SLOT)  # noqa: B010
        return
    created = hook.created

    def recording_node(data: float, op: Op, a, b) -> Value:
        node = _make_node(data, op, a, b)
        created(node)
        return node

    def recording(method: Callable[[Value, Any], Value]) -> Callable[[Value, Any], Value]:
        def inline(self: Value, other: Any) -> Value:
            node = method(self, other)
            tp = type(other)
            if tp is Value or tp is float or tp is int:   # else made by _node, reported
                created(node)
            return node
        return inline

    _node = recording_node
    for name, method in _INLINE.items():
        setattr(Value, name, recording(method))
    setattr(Value, "data", property(hook.data, hook.assign_data,  # noqa: B010
                                    doc="The number (while a tracer is installed)."))


# ---------------------------------------------------------------------------
# Op application
# ---------------------------------------------------------------------------

_NEG = OPS["neg"]
_ABS = OPS["abs"]
_POW = OPS["pow"]
_POW_VALUE = OPS["pow_value"]


def _comparable(x) -> Optional[Number]:
    """What a Value compares against: a Value's data or a number; else None."""
    return x._data if type(x) is Value else _constant(x)


def _unary(op: Op, x: Value) -> Value:
    return _node(op.forward(x._data), op, x, None)


def _with_param(op: Op, x: Value, param) -> Value:
    c = _constant(param)
    if c is None:
        raise TypeError(f"{op.name}: {op.param} must be a number, got "
                        f"{type(param).__name__}")
    return _node(op.forward(x._data, c), op, x, c)


# float(x), int(x) and math.exp(x) (which calls float) on a Value.
_NOT_A_FLOAT = (
    "{call} on a Value would drop its gradient (so would math.exp(x) and the "
    "other math functions, which call float). Use the Value's methods to keep "
    "it (x.exp(), x.log(), x.sqrt(), x.tanh(), ...), or x.data (or x.item()) "
    "for the number.")

# The reflected method the other operand may have, by op: ``x + y`` with y
# not a number is left to ``type(y).__radd__`` when it exists.
_REFLECTED = {"add": "__radd__", "sub": "__rsub__", "mul": "__rmul__",
              "div": "__rtruediv__", "pow": "__rpow__", "pow_value": "__rpow__"}
# Built-in types whose reflected operators (set's ``__rsub__``) never take a Value.
_NEVER_NUMBERS = (str, bytes, list, tuple, dict, set, frozenset, complex, type(None))
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**",
           "pow_value": "**"}


def _unsupported(op: Op, a, b):
    """``a (op) b`` where the non-Value side is not a number: NotImplemented
    when that side's type may still handle the op (its reflected method),
    otherwise a TypeError that says what was expected and how to fix it."""
    value_first = type(a) is Value
    other = b if value_first else a
    if (value_first and not isinstance(other, _NEVER_NUMBERS)
            and hasattr(type(other), _REFLECTED.get(op.name, " "))):
        return NotImplemented
    name = type(other).__name__
    symbol = _SYMBOL.get(op.name, op.name)
    if isinstance(other, (str, bytes)):
        hint = f"convert it first: float({other!r})"
    elif isinstance(other, (list, tuple, set, dict)):
        hint = f"operators take one number; apply it to each element: [v {symbol} y for y in ys]"
    else:
        hint = "convert it with float(y)"
    raise TypeError(f"unsupported operand for {symbol}: a Value and a {name}; expected "
                    f"a Value or a number (int, float, bool or numpy scalar); {hint}")


# numpy ufuncs that are Python operators: with a numpy scalar operand they run
# as the operator on a plain number, so np.float64(2) * x is a Value.
_NUMPY_OPERATORS: Dict[str, Callable[..., Any]] = {
    "add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
    "divide": operator.truediv, "true_divide": operator.truediv,
    "power": operator.pow, "negative": operator.neg, "positive": operator.pos,
    "absolute": operator.abs, "less": operator.lt, "less_equal": operator.le,
    "greater": operator.gt, "greater_equal": operator.ge,
    "equal": operator.eq, "not_equal": operator.ne,
}
# numpy functions a Value has a method for.
_NUMPY_METHODS = {"exp": "exp", "log": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
                  "tanh": "tanh"}


def _object_array(x):
    """x as a numpy array of Python objects (a Value as a 0-d one)."""
    import numpy
    if type(x) is Value:
        box = numpy.empty((), dtype=object)
        box[()] = x
        return box
    return numpy.asarray(x).astype(object)


def _numpy_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    name = getattr(ufunc, "__name__", str(ufunc))
    operation = _NUMPY_OPERATORS.get(name)
    if operation is not None and method == "__call__" and not kwargs:
        if any(type(x).__name__ == "ndarray" for x in inputs):
            # An array and a Value: numpy's object loop applies the operator
            # per element (float * Value is a Value), giving an object array.
            return ufunc(*(_object_array(x) for x in inputs))
        return operation(*(x.item() if type(x) is not Value and hasattr(x, "item")
                           else x for x in inputs))
    if name in _NUMPY_METHODS:
        hint = (f"use x.{_NUMPY_METHODS[name]}() to keep the gradient, or "
                f"numpy.{name}(x.data) for the number")
    else:
        hint = ("use the Value's methods and operators to keep the gradient, or "
                "x.data for the number")
    raise TypeError(f"numpy.{name} on a Value would drop its gradient (numpy "
                    f"cannot carry one); {hint}")


def _binary(op: Op, a, b) -> Value:
    """a (op) b where at least one side is a Value; a number side is kept in the
    node as its constant (``op.const_right`` / ``op.const_left``)."""
    if type(a) is Value:
        if type(b) is Value:
            return _node(op.forward(a._data, b._data), op, a, b)
        c = _constant(b)
        if c is None:
            return _unsupported(op, a, b)
        return _node(op.forward(a._data, c), op.const_right, a, c)
    c = _constant(a)
    if c is None:
        return _unsupported(op, a, b)
    return _node(op.forward(c, b._data), op.const_left, c, b)


def vsum(values: Iterable[Union[Value, Number]]) -> Value:
    """The sum of many Values as one node (numbers become constant leaves).

    Adds left to right, so the result has the same bits as ``sum(values)``.

    >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = vsum(xs); s.backward(); s.data, [x.grad for x in xs]
    (6.0, [1.0, 1.0, 1.0])
    """
    items = _as_values(values, "vsum")
    if not items:
        return Value(0.0)
    op = OPS["sum"]
    return _node(op.forward([v._data for v in items]), op, items, None)


def logsumexp(values: Iterable[Union[Value, Number]]) -> Value:
    """ln(e^x₁ + … + e^xₙ) as one stable node; its gradient is the softmax.

    Numbers among ``values`` become constant leaves.

    >>> xs = [Value(1000.0), Value(1000.0)]
    >>> y = logsumexp(xs); y.backward()
    >>> round(y.data, 6), [x.grad for x in xs]
    (1000.693147, [0.5, 0.5])
    """
    items = _as_values(values, "logsumexp")
    if not items:
        raise ValueError("logsumexp: needs at least one value, got an empty sequence")
    op = OPS["logsumexp"]
    return _node(op.forward([v._data for v in items]), op, items, None)


def dot(a: Sequence[Union[Value, Number]], b: Sequence[Union[Value, Number]]) -> Value:
    """a₁b₁ + … + aₙbₙ as one node: the fused core of a neuron.

    Either side may be numbers (kept as constants, no leaf nodes); they must
    have the same length.

    >>> w = [Value(2.0), Value(-1.0)]
    >>> y = dot(w, [3.0, 4.0]); y.backward(); y.data, [wi.grad for wi in w]
    (2.0, [3.0, 4.0])
    """
    a = _as_tuple(a)
    b = _as_tuple(b)
    if len(a) != len(b):
        raise ValueError(f"dot: the sequences must have the same length, got "
                         f"{len(a)} and {len(b)}")
    if not a:
        return Value(0.0)
    op = _DOT
    kind_a, kind_b = _kind(a), _kind(b)
    if kind_a in _NUMBER_KINDS and kind_b in _VALUE_KINDS:
        a, b, kind_a, kind_b = b, a, kind_b, kind_a        # dot is symmetric
    if kind_a in _VALUE_KINDS and kind_b in _NUMBER_KINDS:
        consts = b if kind_b == "floats" else _as_floats(b, "dot")
        variant = _DOT_LEAVES if kind_a == "leaves" else _DOT.const_right
        return _node(op.forward(map(_get_data, a), consts), variant, a, consts)
    # Values on both sides, or a mix: numbers become constant leaves.
    a = _as_values(a, "dot")
    b = _as_values(b, "dot")
    return _node(op.forward(list(map(_get_data, a)), list(map(_get_data, b))), op, a, b)


def _as_tuple(items, where: str = "dot") -> tuple:
    if type(items) is tuple or type(items) is Leaves:
        return items
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{where}: expected a sequence of Values or numbers, got "
                        f"{type(items).__name__}")
    return tuple(items.tolist() if hasattr(items, "tolist") else items)


def _as_values(values, where: str) -> tuple:
    """``values`` as a tuple of Values, numbers made constant leaves; a bad
    element is a TypeError naming ``where`` and the element's position."""
    return tuple(v if type(v) is Value else _as_value(v, f"{where}: element {i}")
                 for i, v in enumerate(_as_tuple(values, where)))


def _as_value(x, where: str) -> "Value":
    """A number as a constant leaf (or, while tracing, the Value a tracer's
    number stands for); a TypeError naming ``where`` for anything else."""
    if _trace_hook is not None:
        stand_in = _trace_hook.as_value(x)
        if stand_in is not None:
            return stand_in
    return Value(_as_float(x, where))


def _as_floats(numbers, where: str) -> tuple:
    """``numbers`` as a tuple of floats, or a TypeError naming ``where`` and the
    position of the first element that is not a number."""
    out = []
    for i, v in enumerate(numbers):
        out.append(v if type(v) is float else _as_float(v, f"{where}: element {i}"))
    return tuple(out)


_ONLY_VALUE = frozenset({Value})
_PLAIN_NUMBERS = frozenset({float, int})
_VALUE_KINDS = frozenset({"leaves", "values"})
_NUMBER_KINDS = frozenset({"floats", "numbers"})
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
            if type(v) is not Value:
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
    if Value in types:
        return "mixed"
    if types <= _PLAIN_NUMBERS:
        _last_numbers[0] = items
        return "floats"
    return "numbers"


_NO_OP = frozenset({None})


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
        x = args[0] if type(args[0]) is Value else Value(_as_float(
            args[0], f"apply_op: {op.name}'s {op.inputs[0]}"))
        return _unary(op, x) if op.layout == UNARY else _with_param(op, x, args[1])
    if op.layout == BINARY:
        result = _binary(op, *args)
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


# ---------------------------------------------------------------------------
# Graph structure
# ---------------------------------------------------------------------------

def _inputs(node: Value) -> Sequence[Value]:
    """The Value inputs of a node, in order, a reused input once per use (a
    tuple or list; callers that hand it out, like ``_prev``, copy it)."""
    op = node.op
    if op is None:
        return ()
    layout = op.layout
    if layout == UNARY or layout == CONST_RIGHT:
        return (node._a,)
    if layout == BINARY:
        return (node._a, node._b)
    if layout == CONST_LEFT:
        return (node._b,)
    if layout == DOT:
        return node._a + node._b
    return node._a  # NARY, DOT_CONST


def _local_partials(node: Value, graph: bool) -> List[Tuple[Value, Any]]:
    """(input, d node / d input) for each use of an input, from the op table.

    With ``graph`` the partials are evaluated on Values (a differentiable
    result), in IEEE arithmetic as on floats (an overflow is inf, not an
    error: see :mod:`autograd_lite.ops`); otherwise on floats.
    """
    if graph:
        with ieee_arithmetic():
            return _partials_of(node, True)
    return _partials_of(node, False)


def _partials_of(node: Value, graph: bool) -> List[Tuple[Value, Any]]:
    op = node.op
    if op is None:                       # a leaf has no inputs
        return []
    layout = op.layout
    a, b = node._a, node._b
    out = node if graph else node._data

    def val(v):
        return v if graph else v._data

    if layout == UNARY:
        return [(a, op.partials(out, val(a))[0])]
    if layout == CONST_RIGHT:
        return [(a, op.partials(out, val(a), b)[0])]
    if layout == BINARY:
        pa, pb = op.partials(out, val(a), val(b))
        return [(a, pa), (b, pb)]
    if layout == CONST_LEFT:                # the constant's own partial is never needed
        return [(b, op.second_partial(out, a, val(b)))]
    if layout == NARY:
        (ps,) = op.partials(out, [val(x) for x in a])
        return list(zip(a, ps))
    if layout == DOT:
        pa, pb = op.partials(out, [val(x) for x in a], [val(x) for x in b])
        return list(zip(a, pa)) + list(zip(b, pb))
    # DOT_CONST
    return list(zip(a, op.partials(out, [val(x) for x in a], b)[0]))


def topological_order(root: Value) -> List[Value]:
    """Every node ``root`` depends on, inputs before the nodes that use them.

    Iterative (no recursion limit) and deterministic: the same graph always
    gives the same order.

    >>> a = Value(1.0, label="a"); b = a * 2; c = b + a
    >>> [n.label or n._op for n in topological_order(c)]
    ['a', '*', '+']
    """
    consumers = {id(root): 0}
    nodes = {id(root): root}
    stack = [root]
    while stack:
        for child in _inputs(stack.pop()):
            key = id(child)
            if key in consumers:
                consumers[key] += 1
            else:
                consumers[key] = 1
                nodes[key] = child
                stack.append(child)
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in reversed(_inputs(node)):
            key = id(child)
            consumers[key] -= 1
            if not consumers[key]:
                ready.append(child)
    order.reverse()
    return order


# ---------------------------------------------------------------------------
# Backward: pass 1 counts consumers, pass 2 propagates (Kahn's algorithm)
# ---------------------------------------------------------------------------

def _count_consumers(root: Value) -> Dict[Op, None]:
    """Pass 1: for every interior node below root, count its uses in
    ``_pending`` and reset its gradient. Leaves are not counted (they have no
    inputs to wait for) and keep their gradients, so those accumulate.

    The order of the visits does not matter, only the counts: a node goes on
    with the last input it met for the first time (a chain never touches the
    stack), and stacks the others.

    Returns the ops of the nodes built by hand below root, in the order
    met (usually none), for :func:`_warn_hand_built`.

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
            if layout <= CONST_RIGHT:          # UNARY, BINARY, CONST_RIGHT: _a is a Value
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
            elif op is not _DOT_LEAVES:        # n-ary; a dot over leaves has nothing to count
                if op.forward is None:         # built by hand (n-ary layouts only)
                    hand_built[op] = None
                for child in _inputs(node):
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


def _user_stacklevel() -> int:
    """For ``warnings.warn`` in the caller of this function: the stacklevel of
    the innermost frame outside autograd_lite, the user's line (``grad(f)(x)``
    reaches the warning through several of the package's frames)."""
    frame: Any = sys._getframe(2)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


_PACKAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")


def _warn_hand_built(ops: Iterable[Op], create_graph: bool, where: str,
                     stacklevel: Optional[int] = None) -> None:
    """Say, once per call, what a derivative through nodes built by hand misses.

    The message does not depend on the graph, so Python's warning filter
    shows it once per line of user code (a training loop warns once).
    ``stacklevel`` counts from the caller; by default the warning names the
    first line outside the package."""
    stacklevel = _user_stacklevel() if stacklevel is None else stacklevel + 1
    ops = list(ops)
    opaque = [op for op in ops if op is not _LOCAL]
    if opaque:
        warnings.warn(
            f"{where} passes through a node built as Value(data, children, "
            f"{opaque[0].symbol!r}): a label, not a derivative rule, so its children get "
            "no gradient (as in micrograd). To give them one, pass the local gradients "
            "instead of the label, one number per child: Value(data, children, "
            "local_grads), e.g. Value(a.data * b.data, (a, b), (b.data, a.data)) for "
            "a * b; or compute the node with the op itself (a * b)",
            UserWarning, stacklevel=stacklevel)
    if create_graph and _LOCAL in ops:
        warnings.warn(
            f"{where} keeps a graph of the derivatives (create_graph=True, or a "
            "transform inside another) through a node built as Value(data, children, "
            "local_grads): its local gradients are numbers, so derivatives taken again "
            "through it treat them as constants (its second derivatives are zero). For "
            "exact higher derivatives compute it with the built-in ops, or define the op "
            "with autograd_lite.define_op",
            UserWarning, stacklevel=stacklevel)


def _warn_if_hand_built(root: Value, where: str, stacklevel: int) -> None:
    """:func:`_warn_hand_built` (first order) for the graph below ``root``,
    touching no node: for callers that warn before they change or write
    anything, since a warnings filter may turn the warning into an error."""
    ops = {node.op: None for node in topological_order(root)
           if node.op is not None and node.op.forward is None}
    if ops:
        _warn_hand_built(ops, False, where, stacklevel=stacklevel + 1)


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
            # on top of it, the order of the stack (and of explain's walk).
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
            if layout == DOT_CONST:        # the fused neuron: partials are the constants
                xs = node._a
                a_data = [x._data for x in xs] if _reads_inputs(op) else None
                partials = op.partials(node._data, a_data, node._b)[0]
                if op is _DOT_LEAVES:      # weights: leaves, nothing to count down
                    pairs: Iterable[Tuple[Value, Any]] = zip(xs, partials)
                    if _isfinite(g):
                        # A zero constant (a black pixel) adds g * 0 = ±0.0, which
                        # leaves a grad as it was (one built up from +0.0 is never
                        # -0.0): compress skips those inputs in C. A non-finite g
                        # takes every input, so inf * 0 = nan still shows.
                        pairs = _compress(pairs, partials)
                    for x, p in pairs:
                        x.grad += g * p
                    continue
            elif layout == NARY:
                xs = node._a
                (partials,) = op.partials(node._data, [x._data for x in xs])
            else:                          # CONST_LEFT, DOT
                listed = _local_partials(node, graph=False)
                xs = [x for x, _ in listed]
                partials = [p for _, p in listed]
            for x, p in zip(xs, partials):
                x.grad += g * p
                if x.op is not None:
                    left = x._pending - 1
                    x._pending = left
                    if not left:
                        push(x)


def _propagate_graph(root: Value) -> None:
    """Pass 2 on Values (create_graph=True): the partials are evaluated on the
    nodes themselves, so every gradient is a differentiable Value."""
    previous = set_grad_enabled(True)
    try:
        ready = [root]
        while ready:
            node = ready.pop()
            if node.op is None:
                continue
            g = node.grad
            for child, partial in _local_partials(node, graph=True):
                child.grad = child.grad + g * partial
                if child.op is not None:
                    child._pending -= 1
                    if not child._pending:
                        ready.append(child)
    finally:
        set_grad_enabled(previous)


def _reset_pending(root: Value) -> None:
    """After a failed backward, leave every count at 0 for the next one."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node._pending = 0
        stack.extend(_inputs(node))


# ---------------------------------------------------------------------------
# Gradient mode, per thread
# ---------------------------------------------------------------------------

def set_grad_enabled(enabled: bool) -> bool:
    """Turn graph recording on or off in this thread; return the previous mode.

    Other threads keep their own mode, as in PyTorch. Unlike PyTorch's, it is
    a plain function, not a context manager: for a block, use ``no_grad`` or
    ``enable_grad``, which restore the mode on the way out.

    >>> previous = set_grad_enabled(False)
    >>> (Value(2.0) * 3)._prev
    ()
    >>> set_grad_enabled(previous)
    False
    """
    global _threads_not_recording
    if type(enabled) is not bool:
        raise TypeError(f"set_grad_enabled: expected True or False, got "
                        f"{type(enabled).__name__}")
    previous = _mode.enabled
    if enabled is not previous:
        with _mode_lock:               # += on a global is not atomic across threads
            _threads_not_recording += -1 if enabled else 1
            _mode.enabled = enabled
    return previous


class no_grad(contextlib.ContextDecorator):
    """Within it, ops record no inputs: results are leaves (as torch.no_grad).

    It applies to the thread that enters it; other threads keep recording.

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y._prev
    ()
    """

    def _recreate_cm(self) -> "no_grad":
        # As a decorator, each call gets its own instance: a recursive or
        # concurrent call must not overwrite the mode another call saved.
        return type(self)()

    def __enter__(self) -> "no_grad":
        self._previous = set_grad_enabled(False)
        return self

    def __exit__(self, *exc) -> None:
        set_grad_enabled(self._previous)


class enable_grad(contextlib.ContextDecorator):
    """Record graphs again inside a ``no_grad`` block (in this thread).

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = x * x
    >>> y._prev == (x, x)
    True
    """

    def _recreate_cm(self) -> "enable_grad":
        # As a decorator, each call gets its own instance: a recursive or
        # concurrent call must not overwrite the mode another call saved.
        return type(self)()

    def __enter__(self) -> "enable_grad":
        self._previous = set_grad_enabled(True)
        return self

    def __exit__(self, *exc) -> None:
        set_grad_enabled(self._previous)


def is_grad_enabled() -> bool:
    """True unless this thread is inside ``no_grad``.

    >>> with no_grad():
    ...     is_grad_enabled()
    False
    >>> is_grad_enabled()
    True
    """
    return _mode.enabled
