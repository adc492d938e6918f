"""Rewrites of a tape: merging that no caller can observe.

On the tape no one outside can hold an intermediate, so merging nodes is
sound there (and only there): a chain of ``+`` over products (micrograd's
neuron, ``sum(wi * xi for ...) + b``) becomes one ``dot``, which the program
then runs with the other dots reading the same inputs as one matrix product.
``compile(fn, fuse=False)`` skips the rewrites; ``f.tape(x)`` prints the tape
after them, so both can be read side by side.
"""

from __future__ import annotations

from typing import List, Sequence

from ..ops import OPS
from .tape import DEAD, OP, Entry

__all__ = ["fuse_sums_of_products"]

_ADD, _MUL, _DOT = OPS["add"], OPS["mul"], OPS["dot"]


# ---------------------------------------------------------------------------

def fuse_sums_of_products(entries: List[Entry], keep: Sequence[int]) -> List[Entry]:
    """Replace ``t0 + a1*b1 + a2*b2 + ...`` (a chain of adds whose
    intermediates and products are used once) by ``t0 + dot(a, b)``:
    micrograd's neuron ``sum((wi * xi for ...), b)``. The dot's partials
    (``b, a``) are the chain's (add passes 1.0 on, mul gives ``b, a``); only
    the order of the additions changes. ``keep``: slots read from outside
    (outputs, guards), which stay."""
    uses = [0] * len(entries)
    for e in entries:
        for kind, x in e.args:
            if kind == "s":
                uses[x] += 1
            elif kind == "n":
                for k, y in x:
                    if k == "s":
                        uses[y] += 1
    for s in keep:
        uses[s] += 2

    def once(s: int, op) -> bool:
        e = entries[s]
        return e.kind == OP and e.op is op and uses[s] == 1

    out = list(entries)
    done = set()
    for top in reversed(range(len(entries))):
        if top in done or entries[top].kind != OP or entries[top].op is not _ADD:
            continue
        products, chain, node = [], [], top
        start = None
        while True:
            (ka, a), (kb, b) = entries[node].args
            if not (kb == "s" and once(b, _MUL)):
                start = ("s", node)          # this add stays; the chain is above it
                break
            products.append(b)
            chain.append(node)
            if ka == "s" and once(a, _ADD):
                node = a
                continue
            start = (ka, a)
            break
        if start[0] == "s" and start[1] == top or len(products) < 2:
            continue
        products.reverse()                   # first product first
        left = tuple(entries[p].args[0] for p in products)
        right = tuple(entries[p].args[1] for p in products)
        # the last product's slot comes after every product's inputs: the dot
        # takes it, and the chain's top add reads it
        for s in products[:-1] + chain[1:]:
            out[s] = Entry(DEAD)
        out[products[-1]] = Entry(OP, op=_DOT, args=(("n", left), ("n", right)))
        out[top] = Entry(OP, op=_ADD, args=(start, ("s", products[-1])))
        done.update(chain)
    return out
