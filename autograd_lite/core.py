"""The core: ``Value``, and reverse mode as the plain chain rule. Start here.

A ``Value`` holds a float (``data``), d root / d itself after ``backward()``
(``grad``), the op that made it (an entry of :data:`autograd_lite.ops.OPS`,
None for a leaf) and its inputs. The core knows no derivative rule:
:func:`local_partials` asks the op table, :func:`backpropagate` applies the
chain rule in reverse topological order. Read this file, then ops.py.

A node never changes after it is returned, so ``_prev`` and ``_op`` show the
graph as written. Its inputs live in two slots, ``_a`` and ``_b``, as the op's
*layout* says (ops.py): a constant (the 2 of ``x * 2``) is kept in the node.
:mod:`autograd_lite.accelerator` installs faster ``+``, ``*`` and ``backward``
over these, bit for bit the same; :mod:`autograd_lite.tracing` installs what
``compile`` needs to follow traced code.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from . import grad_mode
from .coerce import GRAD_IS_NONE, Number, as_float, constant, unsupported_operand
from .compat import Scalar
from .handbuilt import hand_built, hand_built_ops, warn_hand_built
from .ops import OPS, Op, ieee_arithmetic, layout_inputs, layout_partials

__all__ = ["Value", "new_node", "apply_unary", "apply_binary", "apply_with_param", "inputs",
           "local_partials", "topological_order", "backpropagate", "DATA_SLOT",
           "set_node_hook", "stand_in"]
Operand = Union["Value", float]      # a number operand: an int is a float to type checkers


def new_node(data: float, op: Op, a: Any, b: Any) -> "Value":
    """The one constructor: ``op`` of inputs ``a``, ``b`` as its layout keeps them."""
    node = object.__new__(Value)
    node._data, node.grad, node.label, node._pending = data, 0.0, "", 0
    recording = not grad_mode.threads_not_recording or grad_mode.is_grad_enabled()
    node.op, node._a, node._b = (op, a, b) if recording else (None, None, None)
    if _trace_hook is not None:
        _trace_hook.created(node)
    return node


def unary_method(name: str, doc: str) -> Callable[["Value"], "Value"]:
    """The method ``x.name()``: the op table's entry ``name`` applied to x."""
    op = OPS[name]
    def method(self: Value) -> Value:
        return apply_unary(op, self)
    method.__name__, method.__qualname__, method.__doc__ = name, f"Value.{name}", doc
    return method


class Value(Scalar):
    """A scalar that remembers how it was computed, for reverse-mode autodiff.

    ``data`` is stored as a float, ``label`` is shown by ``draw_graph``;
    ``_children``, ``_op``, ``local_grads`` build a node by hand (handbuilt.py).

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> y = a * b + b ** 2 / a; y.backward(); y.data, a.grad, b.grad
    (-1.5, -5.25, -1.0)
    """

    __slots__ = ("_data", "grad", "op", "_a", "_b", "label", "_pending")
    _data: float        # the number; ``data`` (below the class) is this slot by its public name
    grad: Any           # a float; a Value after backward(create_graph=True)
    op: Optional[Op]    # None for a leaf
    _a: Any             # the inputs, as op.layout keeps them (ops.py)
    _b: Any
    label: str
    _pending: int       # the accelerator's count of consumers yet to pass a gradient

    def __init__(self, data, _children: Sequence["Value"] = (), _op: Any = "",
                 label: str = "", *, local_grads: Optional[Sequence[Number]] = None):
        number = stand_in(data) if type(data) is not float else None   # compile's x.data
        if number is not None:
            data = number._data
            if not _children and local_grads is None:     # this Value is that number's node
                self.op, self._a, self._b = number.op, number._a, number._b
                self.grad, self.label, self._pending, self._data = 0.0, label, 0, data
                return
        self._data, self.grad, self.label, self._pending = as_float(data, "Value"), 0.0, label, 0
        self.op = self._a = self._b = None          # a leaf, unless built by hand
        if _children or local_grads is not None or not isinstance(_op, str):
            children = tuple(_children)
            for child in children:
                if not isinstance(child, Value):
                    raise TypeError(f"Value: _children must be Values, got {type(child).__name__}")
            op, a, b = hand_built(children, _op, local_grads)
            if op is not None and grad_mode.recording():
                self.op, self._a, self._b = op, a, b
                if _trace_hook is not None:
                    _trace_hook.created(self)

    @property
    def _prev(self) -> Tuple["Value", ...]:
        """micrograd's inputs: the Value inputs in order, a reused one per use."""
        return tuple(inputs(self))

    # ---- operators and functions: one line each onto the op table -----------
    # (accelerator.py installs its own __add__, __radd__, __mul__, __rmul__)
    def __add__(self, other: Operand) -> Value: return apply_binary(OPS["add"], self, other)
    __radd__ = __add__                   # float addition commutes exactly: 2 + x is x + 2
    def __mul__(self, other: Operand) -> Value: return apply_binary(OPS["mul"], self, other)
    __rmul__ = __mul__
    def __sub__(self, other: Operand) -> Value: return apply_binary(OPS["sub"], self, other)
    def __rsub__(self, other: Operand) -> Value: return apply_binary(OPS["sub"], other, self)
    def __truediv__(self, other: Operand) -> Value: return apply_binary(OPS["div"], self, other)
    def __rtruediv__(self, other: Operand) -> Value: return apply_binary(OPS["div"], other, self)
    def __rpow__(self, other: Operand) -> Value: return apply_binary(OPS["pow_value"], other, self)
    def __neg__(self) -> Value: return apply_unary(OPS["neg"], self)
    def __pos__(self) -> Value: return self
    def __abs__(self) -> Value: return apply_unary(OPS["abs"], self)

    def __pow__(self, other: Operand) -> Value:     # x ** 2: the 2 stays an int, in the node
        return (apply_binary(OPS["pow_value"], self, other) if isinstance(other, Value)
                else apply_with_param(OPS["pow"], self, other))

    exp = unary_method("exp", "e^x.")
    log = unary_method("log", "Natural log; x must be > 0.")
    sqrt = unary_method("sqrt", "Square root; x must be >= 0.")
    sin = unary_method("sin", "Sine, x in radians.")
    cos = unary_method("cos", "Cosine, x in radians.")
    tanh = unary_method("tanh", "Hyperbolic tangent, in (-1, 1).")
    sigmoid = unary_method("sigmoid", "1 / (1 + e^-x), stable for any x.")
    relu = unary_method("relu", "max(x, 0), with derivative 0 at x == 0.")
    gelu = unary_method("gelu", "GELU, tanh approximation (PyTorch's ``approximate='tanh'``).")
    softplus = unary_method("softplus", "ln(1 + e^x), stable for any x.")
    def leaky_relu(self, alpha: float = 0.01) -> Value:
        """x if x > 0 else alpha * x."""
        return apply_with_param(OPS["leaky_relu"], self, alpha)
    def elu(self, alpha: float = 1.0) -> Value:
        """x if x > 0 else alpha * (e^x - 1)."""
        return apply_with_param(OPS["elu"], self, alpha)
    def detach(self) -> Value:
        """A leaf with the same data and label, and no history."""
        return Value(self.data, label=self.label)

    # ---- reverse mode --------------------------------------------------------
    def _backward(self) -> None:
        """micrograd's one chain-rule step: ``input.grad += self.grad * d self / d input``."""
        for child, partial in local_partials(self):
            child.grad += self.grad * partial

    def backward(self, grad: Number = 1.0, create_graph: bool = False) -> None:
        """Accumulate d self / d node into ``node.grad`` for every node below.

        Leaves accumulate across calls (zero them between steps, as in
        PyTorch); interior nodes are recomputed each call.

        Args:
            grad: d L / d self, the gradient flowing in (1.0 for a loss).
            create_graph: keep the gradients as Values with a graph of their
                own, so they can be differentiated again.

        >>> x = Value(3.0); y = x ** 3; y.backward(create_graph=True)
        >>> g = x.grad; x.grad = 0.0; g.backward(); x.grad   # d2y/dx2 = 6x
        18.0
        """
        seed = grad if create_graph and isinstance(grad, Value) else as_float(
            grad, "backward: grad")
        order = topological_order(self)
        warn_hand_built(hand_built_ops(order), create_graph, "backward()")
        backpropagate(order, seed, create_graph)


# ``data`` is the slot ``_data`` under its public name: the slot's own
# descriptor, so ``x.data`` costs what reading a slot costs. While a tracer
# is installed it is a property that asks the tracer; the core reads ``_data``.
DATA_SLOT = Value.__dict__["_data"]
setattr(Value, "data", DATA_SLOT)  # noqa: B010 (typed as a property in compat.Scalar)


# ---- the one hook: how compile follows what traced code does ----------------
_trace_hook: Optional[Any] = None      # a tracing.TraceHook while a tracer is installed


def set_node_hook(hook: Optional[Any]) -> None:
    """Report every node made to ``hook`` (None: to no one); see tracing.py."""
    global _trace_hook
    _trace_hook = hook


def stand_in(x: object) -> Optional[Value]:
    """The Value a tracer's number ``x`` stands for, else None."""
    return None if _trace_hook is None else _trace_hook.as_value(x)


def apply_unary(op: Op, x: Value) -> Value:
    """``op`` (a one-input entry) applied to ``x``."""
    return new_node(op.forward(x._data), op, x, None)


def apply_with_param(op: Op, x: Value, param) -> Value:
    """``op`` of ``x`` with a number kept in the node (``x ** 2``, ``alpha``)."""
    c = constant(param)
    if c is None:
        if op.name == "pow":
            return unsupported_operand("pow", param, value_first=True)
        raise TypeError(f"{op.name}: {op.param} must be a number, got {type(param).__name__}")
    return new_node(op.forward(x._data, c), op, x, c)


def apply_binary(op: Op, a, b) -> Value:
    """a (op) b, one side at least a Value; a number side is kept in the node
    (the layouts ``op.const_right`` / ``op.const_left``)."""
    if isinstance(a, Value):
        if isinstance(b, Value):
            return new_node(op.forward(a._data, b._data), op, a, b)
        c = constant(b)
        if c is None:
            return unsupported_operand(op.name, b, value_first=True)
        return new_node(op.forward(a._data, c), op.const_right, a, c)
    c = constant(a)
    if c is None:
        return unsupported_operand(op.name, a, value_first=False)
    return new_node(op.forward(c, b._data), op.const_left, c, b)


# ---- the edges of a node, read through its op's layout (ops.py) ------------
def inputs(node: Value) -> Sequence[Value]:
    """The Value inputs of ``node``, in order, a reused input once per use."""
    return () if node.op is None else layout_inputs(node.op.layout, node._a, node._b)


def local_partials(node: Value, graph: bool = False) -> List[Tuple[Value, Any]]:
    """(input, d node / d input) for each use of an input, from the op table:
    on floats, or with ``graph`` on Values (differentiable, and in IEEE
    arithmetic as on floats: an overflow is inf, see ops.py)."""
    if node.op is None:
        return []
    if not graph:
        numbers = layout_partials(node.op, node._data, node._a, node._b, _numbers)
        return list(zip(inputs(node), numbers))
    with ieee_arithmetic():
        return list(zip(inputs(node), layout_partials(node.op, node, node._a, node._b, list)))


_numbers = lambda values: [v._data for v in values]     # noqa: E731  (the Values' numbers)


def topological_order(root: Value) -> List[Value]:
    """Every node ``root`` depends on, inputs before the nodes that use them.

    Kahn's algorithm, iterative (no recursion limit) and deterministic; its
    reverse is the order in which ``backward`` visits the nodes.

    >>> a = Value(1.0, label="a"); b = a * 2; c = b + a
    >>> [n.label or n._op for n in topological_order(c)]
    ['a', '*', '+']
    """
    consumers = {id(root): 0}
    stack = [root]
    while stack:                               # count each node's uses
        for child in inputs(stack.pop()):
            if id(child) in consumers:
                consumers[id(child)] += 1
            else:
                consumers[id(child)] = 1
                stack.append(child)
    order, ready = [], [root]
    while ready:                               # a node goes once all its users have
        node = ready.pop()
        order.append(node)
        for child in inputs(node):
            consumers[id(child)] -= 1
            if not consumers[id(child)]:
                ready.append(child)
    order.reverse()
    return order


def backpropagate(order: List[Value], seed: Any = 1.0, graph: bool = False,
                  on_edge: Optional[Callable[..., None]] = None) -> None:
    """Reverse mode: the chain rule from ``order[-1]`` (the root) down.

    Interior nodes start from 0, leaves accumulate; then each node, once all
    its users have passed theirs, passes ``grad * d node / d input`` to each
    input. With ``graph`` the gradients are Values (``create_graph=True``).

    ``order`` is ``topological_order(root)``, ``seed`` d L / d root. ``on_edge``,
    if given, is called as ``on_edge(node, position, input, grad, partial,
    before)`` after each edge (how ``explain`` records the walk).
    """
    for node in order:
        if node.op is not None:
            node.grad = 0.0
        elif node.grad is None:
            raise TypeError(GRAD_IS_NONE.format(node=node))
    root = order[-1]
    root.grad = seed if root.op is not None else root.grad + seed
    with grad_mode.enable_grad() if graph else nullcontext():   # a graph of the gradients
        for node in reversed(order):
            g = node.grad
            for position, (child, partial) in enumerate(local_partials(node, graph)):
                before = child.grad
                child.grad = before + g * partial     # the chain rule, one edge
                if on_edge is not None:
                    on_edge(node, position, child, g, partial, before)
