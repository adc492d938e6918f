"""Temporary elision: fold a node that nobody can hold into the op consuming it.

In ``y * 1.0001 + 0.0001`` the product exists only on the interpreter's stack
between the two operators: no variable, list or graph node refers to it, so no
one can ever read its ``.grad``. CPython tells us so: inside ``__add__`` such a
temporary has a reference count of 3 (the stack, ``self``, and the count's own
argument), where anything held has more. NumPy elides temporary arrays the
same way. The engine folds two patterns, each giving the very bits of the
unfolded graph:

* a constant shift: ``t + c`` or ``t - c`` on a temporary ``t`` whose partials
  do not read its output (``a * b``, ``x * 2``, ``tanh``'s do: 1 - out²) just
  moves ``t.data`` by ``c``: d(f + c)/dx = df/dx, so the node, its inputs and
  its partials stay as they are. The op becomes its ``shifted`` variant (see
  ``Op._with_shift``), drawn as ``*+c``.
* a sum: ``(a + b) + c`` becomes one ``sum`` node over ``[a, b, c]``. Forward
  still adds left to right; each input's partial is 1.0 either way. This makes
  a micrograd-style neuron, ``sum((wi*xi for ...), b)``, one sum node.

Folding needs the interpreter's word that a count of 3 means a temporary: an
import-time probe checks it, and it is off on interpreters that borrow stack
references (CPython 3.14+) or count differently. ``no_fusion()`` turns it off.
"""

from __future__ import annotations

import sys
from typing import Optional

from .ops import NARY, OPS

__all__ = ["TEMPORARY_REFCOUNT", "SUM_OPS", "fold_sum"]

refcount = sys.getrefcount


def _probe_temporary_refcount() -> Optional[int]:
    """The reference count a temporary operand shows inside a binary operator
    method, or None when this interpreter cannot tell temporaries apart."""
    if sys.implementation.name != "cpython" or not (3, 9) <= sys.version_info[:2] < (3, 14):
        return None
    seen = {}

    class Probe:
        __slots__ = ()

        def __add__(self, other):
            seen[str(other)] = refcount(self)
            return self

        __radd__ = __add__

    def inside_a_function():
        Probe() + "temporary"
        1 + Probe()                      # reflected: Probe.__radd__(1)
        held = Probe()
        held + "local"
        return held

    inside_a_function()
    kept = [Probe()]
    kept[0] + "in a list"
    temporary = seen["temporary"]
    if seen["1"] != temporary or not (seen["local"] > temporary < seen["in a list"]):
        return None
    return temporary


TEMPORARY_REFCOUNT: Optional[int] = _probe_temporary_refcount()

_SUM = OPS["sum"]
_SUM_FOLDED = _SUM._variant(NARY)      # a sum whose inputs are a list we may extend
SUM_OPS = frozenset({OPS["add"], _SUM, _SUM_FOLDED})


def fold_sum(node, other):
    """``node + other`` for a temporary sum ``node``: ``node`` itself, extended."""
    if node.op is _SUM_FOLDED:
        node._a.append(other)
    elif node.op is _SUM:
        node._a = list(node._a)
        node._a.append(other)
        node.op = _SUM_FOLDED
    else:                                   # a + b
        node._a = [node._a, node._b, other]
        node._b = None
        node.op = _SUM_FOLDED
    node.data = node.data + other.data
    return node
