"""Nodes built by hand, ``Value(data, children, third)``: micrograd's and microgpt's.

* micrograd's label, ``Value(a.data + b.data, (a, b), '+')``: a picture-only
  node. No derivative rule is known, so, as in micrograd, no gradient flows to
  its children (backward warns): its op is an *opaque* op.
* microgpt's local gradients, ``Value(a.data * b.data, (a, b), (b.data,
  a.data))``: one number per child, ``d data / d child``. The node keeps its
  children in ``_a`` and the numbers in ``_b``, as a dot with constants does,
  and its partials are those numbers (the op :data:`LOCAL`), so backward,
  forward mode and the pictures treat it like any op. The numbers are
  constants: a first-order rule, whose second derivatives through the node
  are zero (backward warns when asked for them).
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any, Dict, Iterable, Optional, Tuple

from .coerce import as_float, is_value
from .ops import DOT_CONST, NARY, REALS, Op

__all__ = ["LOCAL", "opaque_op", "hand_built", "hand_built_ops", "warn_hand_built",
           "warn_if_hand_built", "user_stacklevel"]

LOCAL = Op("local", "local", "Value(data, children, local_grads)",
           "d out / d children[i] = local_grads[i], numbers given by hand",
           inputs="xs", param="local_grads", derivative="local_grads",
           forward=None, domain=(REALS,), layout=DOT_CONST)
"""The op of a node built with its local gradients (microgpt's)."""

_OPAQUE: Dict[str, Op] = {}


def opaque_op(symbol: str) -> Op:
    """The op of a node built by hand with micrograd's label ``symbol``: no
    derivative rule is known, so no gradient flows through it."""
    op = _OPAQUE.get(symbol)
    if op is None:
        op = Op(f"opaque {symbol!r}", symbol, "Value(data, _children, _op)",
                "a node built by hand (no gradient flows)", inputs="xs",
                forward=None, derivative="[0.0] * len(xs)",
                domain=(((-1.0, 1.0),),), layout=NARY)
        _OPAQUE[symbol] = op
    return op


def hand_built(children: tuple, third, local_grads
               ) -> Tuple[Optional[Op], Any, Any]:
    """(op, _a, _b) of ``Value(data, children, third)`` (or with
    ``local_grads=``): micrograd's label (a str) makes an opaque node,
    microgpt's local gradients a node whose partials they are; no children
    make a leaf, (None, None, None)."""
    if local_grads is None:
        if isinstance(third, str):
            return (opaque_op(third), children, None) if children else (None, None, None)
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
        if is_value(g):
            raise TypeError(
                f"Value: local_grads[{i}] must be a number, got Value; local gradients "
                "are numbers (use x.data): a rule that can be differentiated again "
                "(create_graph=True) is an op, see autograd_lite.define_op")
        numbers.append(as_float(g, f"Value: local_grads[{i}]"))
    return (LOCAL, children, tuple(numbers)) if children else (None, None, None)


def hand_built_ops(nodes: Iterable[Any]) -> Dict[Op, None]:
    """The ops of the nodes built by hand among ``nodes``, in the order met."""
    return {node.op: None for node in nodes
            if node.op is not None and node.op.forward is None}


_PACKAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")


def user_stacklevel() -> int:
    """For ``warnings.warn`` in the caller of this function: the stacklevel of
    the innermost frame outside autograd_lite, the user's line (``grad(f)(x)``
    reaches the warning through several of the package's frames)."""
    frame: Any = sys._getframe(2)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def warn_hand_built(ops: Iterable[Op], create_graph: bool, where: str,
                    stacklevel: Optional[int] = None) -> None:
    """Say, once per call, what a derivative through nodes built by hand misses.

    The message does not depend on the graph, so Python's warning filter
    shows it once per line of user code (a training loop warns once).
    ``stacklevel`` counts from the caller; by default the warning names the
    first line outside the package."""
    ops = list(ops)
    if not ops:
        return
    stacklevel = user_stacklevel() if stacklevel is None else stacklevel + 1
    opaque = [op for op in ops if op is not LOCAL]
    if opaque:
        warnings.warn(
            f"{where} passes through a node built as Value(data, children, "
            f"{opaque[0].symbol!r}): a label, not a derivative rule, so its children get "
            "no gradient (as in micrograd). To give them one, pass the local gradients "
            "instead of the label, one number per child: Value(data, children, "
            "local_grads), e.g. Value(a.data * b.data, (a, b), (b.data, a.data)) for "
            "a * b; or compute the node with the op itself (a * b)",
            UserWarning, stacklevel=stacklevel)
    if create_graph and LOCAL in ops:
        warnings.warn(
            f"{where} keeps a graph of the derivatives (create_graph=True, or a "
            "transform inside another) through a node built as Value(data, children, "
            "local_grads): its local gradients are numbers, so derivatives taken again "
            "through it treat them as constants (its second derivatives are zero). For "
            "exact higher derivatives compute it with the built-in ops, or define the op "
            "with autograd_lite.define_op",
            UserWarning, stacklevel=stacklevel)


def warn_if_hand_built(nodes: Iterable[Any], where: str, stacklevel: int) -> None:
    """:func:`warn_hand_built` (first order) for ``nodes`` (a graph's
    ``topological_order``), touching none: for callers that warn before they
    change or write anything, since a filter may turn the warning into an error."""
    warn_hand_built(hand_built_ops(nodes), False, where, stacklevel=stacklevel + 1)
