"""Temporary elision: fold a node that nobody can hold into the op consuming it.

In ``y * 1.0001 + 0.0001`` the product exists only on the interpreter's stack
between the two operators: no variable, list or graph node refers to it, so no
one can ever read its ``.grad``. CPython tells us so: inside ``__add__`` such a
temporary has a reference count of 3 (the stack, ``self``, and the count's own
argument), where anything held has more. NumPy elides temporary arrays the
same way. The engine folds two patterns, each giving the very forward bits of
the unfolded graph:

* a constant shift: ``t + c`` or ``t - c`` on a temporary ``t`` whose partials
  do not read its output (``a * b``, ``x * 2``, ``tanh``'s do: 1 - out²) just
  moves ``t.data`` by ``c``: d(f + c)/dx = df/dx, so the node, its inputs and
  its partials stay as they are. The op becomes its ``shifted`` variant (see
  ``Op._with_shift``), drawn as ``*+c``.
* a sum of products: ``(a + b) + c``, and the micrograd neuron
  ``sum((wi*xi for ...), b)``, become one ``dot`` node whose terms are the
  products' factors (an addend ``v`` is the term ``v · 1.0``). Forward still
  adds the same numbers left to right; backward gives each factor dot's
  partial (the other factor), as the product node would have, and g · 1.0 = g.
  It walks the terms last to first, the order the chain of ``+`` would; an
  input that feeds several terms may still collect its contributions in
  another order than the unfolded graph, so its gradient can differ in the
  last bit.

Folding needs the interpreter's word that a count of 3 means a temporary: an
import-time probe checks it, and it is off on interpreters that borrow stack
references (CPython 3.14+) or count differently. ``no_fusion()`` turns it off.
"""

from __future__ import annotations

import sys
from typing import Optional

from .ops import DOT_MIXED, OPS

__all__ = ["TEMPORARY_REFCOUNT", "SUM_OPS", "PRODUCTS", "SUM_OF_PRODUCTS", "fold_sum",
           "sum_of_products"]

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
            if type(other) is Probe:           # a temporary on the right
                seen["right"] = refcount(other)
            seen[str(other)] = refcount(self)
            return self

        __radd__ = __add__

    def inside_a_function():
        Probe() + "temporary"
        1 + Probe()                      # reflected: Probe.__radd__(1)
        held = Probe()
        held + "local"
        held + Probe()
        return held

    inside_a_function()
    kept = [Probe()]
    kept[0] + "in a list"
    temporary = seen["temporary"]
    if seen["1"] != temporary or seen["right"] != temporary:
        return None
    if not (seen["local"] > temporary < seen["in a list"]):
        return None
    return temporary


TEMPORARY_REFCOUNT: Optional[int] = _probe_temporary_refcount()

_ADD = OPS["add"]
PRODUCTS = frozenset({OPS["mul"], OPS["mul"].const_right})
SUM_OF_PRODUCTS = OPS["dot"]._variant(DOT_MIXED)
SUM_OF_PRODUCTS.shifted = SUM_OF_PRODUCTS._with_shift()
SUM_OPS = frozenset({_ADD, SUM_OF_PRODUCTS})   # what a temporary sum node can be


def _term(value, temporary: bool):
    """(a, b) with a·b = value: a temporary product's factors, else (value, 1.0)."""
    if temporary and value.op in PRODUCTS:
        return value._a, value._b
    return value, 1.0


def sum_of_products(left, left_temporary: bool, right, right_temporary: bool, node):
    """``node``, a new node for ``left + right``, made one ``dot`` over the
    terms of both sides (the factors of the temporary products among them)."""
    (a1, b1), (a2, b2) = _term(left, left_temporary), _term(right, right_temporary)
    node.op = SUM_OF_PRODUCTS
    node._a = [a1, a2]
    node._b = [b1, b2]
    return node


def fold_sum(node, other, other_temporary: bool):
    """``node + other`` for a temporary sum ``node``: ``node`` itself, extended
    by ``other``'s term."""
    if other_temporary and other.op in PRODUCTS:    # _term, inlined: one per input
        a, b = other._a, other._b
    else:
        a, b = other, 1.0
    if node.op is SUM_OF_PRODUCTS:
        node._a.append(a)
        node._b.append(b)
    else:                                   # x + y, two Values
        node._a = [node._a, node._b, a]
        node._b = [1.0, 1.0, b]
        node.op = SUM_OF_PRODUCTS
    node.data = node.data + other.data
    return node
