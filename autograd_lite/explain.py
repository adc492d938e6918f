"""The backward pass as text: one line per edge, the chain rule with its numbers.

``explain(root)`` runs the backward pass from ``root`` and says what it did,
one line per edge in the order backward visits them: which node passes its
gradient to which input, the op, the local derivative as the op table writes
it and its value, the product ``grad × local``, and the input's gradient after
adding it. A reused input (``x * x``, a value feeding two ops) gets one line
per use, each showing the running total.

:func:`backward_steps` is the walk itself, as records: ``explain`` prints
them, and the interactive page (:mod:`autograd_lite.page`) plays them. It is
the core's reverse walk (:func:`autograd_lite.core.backpropagate`) with a
hook that records each edge, so it visits the nodes in exactly
``backward()``'s order and adds the same numbers in the same order: the
gradients it leaves are ``backward()``'s, bit for bit: like ``backward()``, ``explain`` and ``backward_steps`` change the
gradients (the page puts them back as they were).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, NamedTuple, Tuple

from .core import Value, backpropagate, inputs, topological_order
from .handbuilt import warn_if_hand_built
from .ops import BINARY, CONST_LEFT, CONST_RIGHT, DOT, NARY, UNARY
from .text import node_name, number, op_text, plain_float, too_big_message

__all__ = ["explain", "Explanation", "backward_steps", "Step", "node_name", "local_text",
           "product_text", "total_text", "DEFAULT_MAX_NODES"]

DEFAULT_MAX_NODES = 100
"""Most Values ``explain`` describes unless told otherwise: a graph of 100
values has about 150 edges, already a long read."""


class Step(NamedTuple):
    """One edge of the backward pass: ``node`` passes gradient to ``input``.

    Attributes:
        node: the Value whose gradient flows down (its op made it).
        input: the input it flows to.
        position: which of ``node``'s inputs that is, 0-based, in
            ``node._prev`` order.
        use: which use of ``input`` this is, 1-based, and ``uses``, how many
            edges reach ``input`` in all (2 and 2 for the second ``x`` of ``x * x``).
        wrt: the input's name in the op table's formula (``"x"``, ``"b"``
            for the right side of ``a * b``, ``"a[2]"`` for a ``dot``'s third weight).
        derivative: the local derivative, d out / d ``wrt``, as the op table
            writes it (``"1 - out * out"``; ``"b[2]"`` for a ``dot``'s third weight).
        local: its value.
        grad: ``node.grad``, the gradient flowing in.
        product: ``grad * local``, what is added.
        before: ``input.grad`` before adding it.
        after: ``input.grad`` after adding it.
    """

    node: Value
    input: Value
    position: int
    use: int
    uses: int
    wrt: str
    derivative: str
    local: float
    grad: float
    product: float
    before: float
    after: float


def _derivative_texts(node: Value) -> List[Tuple[str, str]]:
    """Per use of an input, in the order of ``local_partials``: the input's
    name in the op table (``x``, ``b``, ``xs[2]``) and the table's text of
    d out / d input."""
    op = node.op
    if op is None:                          # a leaf: no inputs, no derivatives
        return []
    terms, names = op.terms(), op.inputs
    layout = op.layout
    if layout in (UNARY, CONST_RIGHT):
        return [(names[0], terms[0])]
    if layout == BINARY:
        return list(zip(names, terms))
    if layout == CONST_LEFT:
        return [(names[1], terms[1])]
    n = len(inputs(node))
    if layout == NARY:            # one expression gives the whole list of partials
        whole = terms[0] if re.fullmatch(r"\w+(\(\w*\))?", terms[0]) else f"({terms[0]})"
        return [(f"{names[0]}[{k}]", f"{whole}[{k}]") for k in range(n)]
    if layout == DOT:             # d/da_k = b[k], d/db_k = a[k]
        half = n // 2
        return ([(f"{names[0]}[{k}]", f"{terms[0]}[{k}]") for k in range(half)]
                + [(f"{names[1]}[{k}]", f"{terms[1]}[{k}]") for k in range(half)])
    # DOT_CONST: the weights a[k]; the numbers b are constants
    return [(f"{names[0]}[{k}]", f"{terms[0]}[{k}]") for k in range(n)]


def backward_steps(root: Value) -> List[Step]:
    """Run ``root.backward()`` step by step and return every edge it took.

    Like ``root.backward()``, it changes the gradients, and leaves them
    exactly as ``root.backward()`` would: the same nodes, in the same order,
    adding the same products (leaves accumulate; interior nodes start
    from 0). A node built by hand as ``Value(data, children, label)`` gives
    the same warning as ``backward()``.

    Args:
        root: the Value to differentiate (its gradient is seeded with 1).

    Returns:
        One :class:`Step` per edge, in the order backward takes them.

    Example:
        >>> x = Value(3.0, label="x"); y = x * x
        >>> [(s.use, s.uses, s.product, s.after) for s in backward_steps(y)]
        [(1, 2, 3.0, 3.0), (2, 2, 3.0, 6.0)]
    """
    if type(root) is not Value:
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    warn_if_hand_built(order, "backward_steps()", stacklevel=2)   # before any change
    return walk(root, order)


def walk(root: Value, order: List[Value]) -> List[Step]:
    """:func:`backward_steps`'s walk, without the warning (each public caller
    gives it first, naming the user's line): the core's reverse walk,
    :func:`~autograd_lite.core.backpropagate`, recording each edge. ``order``
    is ``topological_order(root)``, which each caller has already."""
    uses: Dict[int, int] = {}
    for node in order:
        for child in inputs(node):
            uses[id(child)] = uses.get(id(child), 0) + 1
    seen: Dict[int, int] = {}
    steps: List[Step] = []
    texts: List[Tuple[str, str]] = []

    def record(node: Value, position: int, child: Value, g, local, before) -> None:
        if position == 0:
            texts[:] = _derivative_texts(node)
        if position >= len(texts):          # one text per edge, or the walk is wrong
            raise RuntimeError(f"explain: op {node.op!r} has more edges than its "
                               f"{len(texts)} derivative texts")
        wrt, text = texts[position]
        key = id(child)
        seen[key] = seen.get(key, 0) + 1
        steps.append(Step(node, child, position, seen[key], uses[key], wrt, text, local, g,
                          g * local, before, child.grad))

    backpropagate(order, 1.0, on_edge=record)
    return steps


def local_text(step: Step) -> str:
    """``dout/dx = 1 - out * out = 0.5000``: the op table's local derivative
    and its value."""
    return f"dout/d{step.wrt} = {step.derivative} = {number(step.local)}"


def product_text(step: Step) -> str:
    """``1.0000 × 0.5000 = 0.5000``: the incoming gradient times the local
    derivative."""
    return f"{number(step.grad)} × {number(step.local)} = {number(step.product)}"


def total_text(step: Step) -> str:
    """``n.grad = 0.5000``, or for a reused input (or a leaf that already had
    a gradient) ``a.grad = 1.0000 + -3.0000 = -2.0000  (use 2 of 2)``."""
    name = node_name(step.input)
    if step.use > 1 or plain_float(step.before) != 0:
        text = f"{name}.grad = {number(step.before)} + {number(step.product)} = " \
               f"{number(step.after)}"
    else:
        text = f"{name}.grad = {number(step.after)}"
    if step.uses > 1:
        text += f"  (use {step.use} of {step.uses})"
    return text


class Explanation(str):
    """:func:`explain`'s text: a ``str``, which IPython and Jupyter display as
    the lines it holds rather than as a quoted string full of ``\\n``."""

    __slots__ = ()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's display: the text itself."""
        printer.text(str(self))


def explain(root: Value, max_nodes: int = DEFAULT_MAX_NODES) -> Explanation:
    """Run the backward pass from ``root`` and describe it, one line per edge.

    Each line reads ``node -> input``, the op, the local derivative
    d out / d input as the op table writes it (``a`` and ``b`` are the two
    sides of ``a * b``, ``x`` the input of a function, ``out`` its result) and
    its value, the gradient flowing in times that derivative, and the input's
    gradient after adding the product. A reused input shows each contribution and its running total.

    It is ``root.backward()``, described: it changes every ``.grad`` below
    ``root`` exactly as ``root.backward()`` does, bit for bit (interior nodes
    get their gradients afresh; leaves add theirs to what they held). So call
    it instead of ``backward()``, not after it, or the leaves accumulate twice.
    A node built by hand as ``Value(data, children, label)`` gives the same
    warning as ``backward()``. (The page ``save_graph(root, "graph.html")``
    shows the same walk and changes no gradient.)

    Args:
        root: the Value to differentiate.
        max_nodes: most values to describe; a larger graph raises ValueError
            before anything is run.

    Returns:
        The text, a heading line then one line per edge: a ``str`` (an
        :class:`Explanation`, which a notebook shows as its lines).

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: the graph has more than ``max_nodes`` values.

    Example:
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> y = a * b + a; y.label = "y"
        >>> print(explain(y))
        backward from y = -4.0000, y.grad = 1
        edge              op  local derivative        grad × local                input's grad
        y -> (* -6.0000)  +   dout/da = 1.0 = 1.0000  1.0000 × 1.0000 = 1.0000    (* -6.0000).grad = 1.0000
        y -> a            +   dout/db = 1.0 = 1.0000  1.0000 × 1.0000 = 1.0000    a.grad = 1.0000  (use 1 of 2)
        (* -6.0000) -> a  *   dout/da = b = -3.0000   1.0000 × -3.0000 = -3.0000  a.grad = 1.0000 + -3.0000 = -2.0000  (use 2 of 2)
        (* -6.0000) -> b  *   dout/db = a = 2.0000    1.0000 × 2.0000 = 2.0000    b.grad = 2.0000
        >>> a.grad, b.grad
        (-2.0, 2.0)
    """
    if type(root) is not Value:
        raise TypeError(f"explain: root must be a Value, got {type(root).__name__}; pass "
                        "the Value whose gradients you want explained, e.g. the loss")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"explain: max_nodes must be a positive int, got {max_nodes!r}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(too_big_message("explain", "explain", len(order), max_nodes,
                                         "one line per edge would be too long to read"))
    warn_if_hand_built(order, "explain()", stacklevel=2)      # before any change
    steps = walk(root, order)
    rows = [("edge", "op", "local derivative", "grad × local", "input's grad")]
    for s in steps:
        rows.append((f"{node_name(s.node)} -> {node_name(s.input)}", op_text(s.node),
                     local_text(s), product_text(s), total_text(s)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"backward from {node_name(root)} = {number(root.data)}, "
             f"{node_name(root)}.grad = 1"]
    for row in rows:
        lines.append("  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths))
                     + "  " + row[4])
    return Explanation("\n".join(lines))
