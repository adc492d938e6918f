"""Replaying a traced tape over a batch: groups of entries, one numpy call each.

:func:`autograd_lite.compile` reads the graph of one traced sample into a
scalar tape (a list of :class:`Entry`, one per node, with slot numbers). This
module turns that tape into a program over numpy arrays and runs it forward
and backward:

* entries of one op, one level and one argument pattern form a group, run as
  one numpy call (:class:`_Group`), with the op's forward and partials over
  arrays from the op table (:mod:`autograd_lite.vectorize`);
* a chain of ``+`` over products becomes one ``dot`` first
  (:func:`fuse_sums_of_products`);
* dots that read one list of per-sample inputs, with parameters (or
  constants) on the other side, become one matrix product (:class:`_MatMul`);
* a selection by a per-sample integer is a gather (:class:`_Gather`).

Slots live in blocks: block 0 holds the parameters' data (P,), then one block
(B, n) per argument, then one block per group, (B, m) per sample or (m,) when
every input is shared by all samples.

An MLP of two layers is five numpy steps forward (a matrix product, the biases,
the ReLUs, a matrix product, the biases):

>>> import numpy as np, nn
>>> from autograd_lite import compile
>>> model = nn.MLP(3, [4, 2], seed=0)
>>> f = compile(lambda x: model(x)); _ = f(np.ones((5, 3)))
>>> [g.op.name if isinstance(g, _Group) else type(g).__name__
...  for g in next(iter(f._traces.values())).program.groups]
['_MatMul', 'add', 'relu', '_MatMul', 'add']
"""

from __future__ import annotations

from collections import deque
from itertools import repeat
from operator import add, attrgetter
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .core import Value
from .ops import OPS, SWAPPED, Op, pair_shortcut_of
from .vectorize import NumpyOp, numpy_op

__all__ = ["Entry", "Program", "SampleIndexError", "fuse_sums_of_products",
           "INPUT", "PARAM", "OP", "GATHER", "DEAD"]

_ADD, _MUL, _DOT = OPS["add"], OPS["mul"], OPS["dot"]
# A layer's matrix product is the table's dot rule for many dots at once:
# d out_k / d x_i = w_ki and d out_k / d w_ki = x_i, which is ``b, a``.
# Read off the table's text as the engine's shortcuts are (ops.pair_shortcut_of).
_DOT_IS_PRODUCT = pair_shortcut_of(_DOT.terms(), _DOT.inputs) is SWAPPED


class SampleIndexError(ValueError, IndexError):
    """A per-sample integer (a class label) outside the range it selects from."""


# ---------------------------------------------------------------------------
# The scalar tape's entries
# ---------------------------------------------------------------------------

INPUT, PARAM, OP, GATHER, DEAD = "input", "param", "op", "gather", "dead"


class Entry:
    """One node of the trace: ``kind``, op, and arguments. An argument is
    ``("s", slot)``, ``("c", number)`` or ``("n", (("s", slot) | ("c", x), ...))``
    for an n-ary input."""

    __slots__ = ("kind", "op", "args", "where", "extra")

    def __init__(self, kind, op=None, args=(), where=None, extra=None):
        self.kind = kind
        self.op = op
        self.args = args
        self.where = where      # input: (argument, position); param: the Value
        self.extra = extra      # gather: (TracedIndex, where, what, error class)

    def signature(self):
        """What must agree between two traces of one structure."""
        if self.kind == PARAM:
            return (PARAM,)
        return (self.kind, self.op, self.args,
                self.where if self.kind == INPUT else None,
                (self.extra[0].argument, self.extra[0].position) if self.extra else None)


# ---------------------------------------------------------------------------
# Merging: products summed by a chain of + become one dot
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


# ---------------------------------------------------------------------------
# The batch program: groups of entries run as one numpy call each
# ---------------------------------------------------------------------------

PARAMS = 0          # block 0 holds the parameters' data, shape (P,)

# Where a slot lives: (block, column).
_Loc = Dict[int, Tuple[int, int]]


class _Plan:
    """Where m slots live, read as one array (..., m) and added into.

    Slots are runs of columns of blocks: a run that is a whole block or a
    slice of one costs no copy (an MLP layer's inputs are the previous
    layer's output block)."""

    __slots__ = ("runs", "single")

    def __init__(self, slots: Sequence[int], loc: _Loc, widths: List[int]):
        # (block, columns: None for the whole block, a slice or an index array,
        #  first and end position in slots, whether no column repeats)
        runs: List[Tuple[int, Union[None, slice, np.ndarray], int, int, bool]] = []
        i = 0
        while i < len(slots):
            block = loc[slots[i]][0]
            j = i
            while j < len(slots) and loc[slots[j]][0] == block:
                j += 1
            cols = [loc[s][1] for s in slots[i:j]]
            sel: Union[None, slice, np.ndarray]
            if cols == list(range(cols[0], cols[0] + len(cols))):
                sel = None if (cols[0] == 0 and len(cols) == widths[block]) \
                    else slice(cols[0], cols[0] + len(cols))
                unique = True
            else:
                sel = np.array(cols)
                unique = len(set(cols)) == len(cols)
            runs.append((block, sel, i, j, unique))
            i = j
        self.runs = runs
        self.single = len(runs) == 1

    def get(self, vals: list) -> np.ndarray:
        parts = []
        for block, sel, _, _, _ in self.runs:
            v = vals[block]
            parts.append(v if sel is None else v[..., sel])
        if self.single:
            return parts[0]
        if len({p.ndim for p in parts}) > 1:       # shared slots beside per-sample ones
            batch = max(len(p) for p in parts if p.ndim > 1)
            parts = [p if p.ndim > 1 else np.broadcast_to(p, (batch, len(p))) for p in parts]
        return np.concatenate(parts, axis=-1)

    def add(self, grads: list, vals: list, contrib) -> None:
        contrib = np.asarray(contrib)
        for block, sel, a, b, unique in self.runs:
            part = contrib if self.single else contrib[..., a:b]
            target = vals[block]
            while part.ndim > target.ndim:          # a shared slot: sum over the batch
                part = part.sum(axis=0)
            g = grads[block]
            if g is None:
                g = grads[block] = np.zeros(target.shape)
            if sel is None:
                g += part
            elif unique or isinstance(sel, slice):  # a slice never repeats a column
                g[..., sel] += part
            else:                                   # a slot read twice: add both
                # (g's columns are g.T's rows, whether g is (B, w) or shared (w,))
                np.add.at(g.T, sel, np.broadcast_to(part, g[..., sel].shape).T)


class _Column:
    """One argument position of a group: slots (a plan) or constants."""

    __slots__ = ("plan", "const")

    def __init__(self, plan: Optional[_Plan], const: Optional[np.ndarray]):
        self.plan, self.const = plan, const

    @property
    def reads_slots(self) -> bool:
        """Whether it reads slots (else constants, which take no gradient)."""
        return self.plan is not None

    def get(self, vals):
        return self.const if self.plan is None else self.plan.get(vals)


def _column(items: Sequence[tuple], loc: _Loc, widths: List[int]) -> _Column:
    if items[0][0] == "c":
        return _Column(None, np.array([float(x) for _, x in items]))
    return _Column(_Plan([x for _, x in items], loc, widths), None)


class _Nary:
    """An n-ary argument: L elements per member, read as (..., m, L)."""

    __slots__ = ("columns", "row")

    def __init__(self, members: List[tuple], loc: _Loc, widths: List[int]):
        length = len(members[0])
        kinds = {k for row in members for k, _ in row}
        # one member whose elements are all slots or all constants: one plan
        # (and no columns); else one column per element
        self.row: Optional[_Column] = _column(members[0], loc, widths) \
            if len(members) == 1 and len(kinds) == 1 else None
        self.columns: List[_Column] = [] if self.row is not None else \
            [_column([row[i] for row in members], loc, widths) for i in range(length)]

    @property
    def reads_slots(self) -> bool:
        """Whether any element is a slot (else all are constants)."""
        if self.row is not None:
            return self.row.reads_slots
        return any(c.reads_slots for c in self.columns)

    def get(self, vals):
        if self.row is not None:
            x = self.row.get(vals)
            return x[..., None, :]
        cols = [c.get(vals) for c in self.columns]
        if len({c.ndim for c in cols}) > 1:
            cols = np.broadcast_arrays(*cols)
        return np.stack(cols, axis=-1)

    def add(self, grads, vals, contrib):
        contrib = np.asarray(contrib)
        if self.row is not None:
            if self.row.plan is not None:
                self.row.plan.add(grads, vals, contrib[..., 0, :])
            return
        for i, col in enumerate(self.columns):
            if col.plan is not None:
                col.plan.add(grads, vals, contrib[..., i])


class _Group:
    """Entries of one op, one level and one argument pattern: one numpy call."""

    __slots__ = ("op", "nop", "args", "block", "batch", "grad_args")
    op: Op
    nop: NumpyOp                        # the op's forward and partials over arrays
    args: List[Union[_Column, _Nary]]
    block: int                          # where the results go
    batch: bool                         # per sample (else shared by all samples)
    grad_args: List[int]                # the arguments that read slots

    def forward(self, vals):
        xs = [a.get(vals) for a in self.args]
        out = self.nop.forward(*xs)
        if not np.all(np.isfinite(out)):
            self._check_domain(xs, out)
        vals[self.block] = out
        return xs

    def backward(self, grads, vals, xs):
        g = grads[self.block]
        if g is None:
            return
        partials = self.nop.partials(vals[self.block], *xs)
        for i in self.grad_args:
            p = partials[i]
            arg = self.args[i]
            if isinstance(arg, _Nary):
                arg.add(grads, vals, g[..., None] * np.asarray(p))
            else:
                arg.plan.add(grads, vals, g * p)

    def _check_domain(self, xs, out):
        """Where a result is not finite, the scalar forward decides: it raises
        the op's own error for an input outside its domain (log of -1, x / 0),
        naming the sample, or its result stands (an IEEE inf or nan; within
        ``ieee_arithmetic``, also where the array forward marked a refusal
        with nan). The n-ary forwards (sum, dot, logsumexp) never refuse."""
        if any(isinstance(a, _Nary) for a in self.args):
            return
        shape = out.shape
        for index in zip(*np.nonzero(~np.isfinite(out))):
            scalars = [float(np.broadcast_to(x, shape)[index]) for x in xs]
            try:
                result = self.op.forward(*scalars)
            except (ValueError, OverflowError) as error:    # a DomainError is a ValueError
                sample = f" (sample {index[0]})" if self.batch else ""
                raise type(error)(f"{error}{sample}") from None
            out[index] = result


class _MatMul:
    """Dots reading one list of per-sample inputs with weights shared by all
    samples: out (B, k) = X (B, n) @ W.T, W (k, n) gathered from the
    parameters (or constants)."""

    __slots__ = ("x", "w_index", "w_const", "block", "unique")
    x: _Plan
    w_index: Optional[np.ndarray]       # (k, n) parameter numbers, or None: ...
    w_const: Optional[np.ndarray]       # ... (k, n) constants
    block: int
    unique: bool                        # no parameter repeats in w_index

    def forward(self, vals):
        x = self.x.get(vals)
        w = vals[PARAMS][self.w_index] if self.w_const is None else self.w_const
        vals[self.block] = x @ w.T
        return (x, w)

    def backward(self, grads, vals, saved):
        g = grads[self.block]
        if g is None:
            return
        x, w = saved
        self.x.add(grads, vals, g @ w)              # d out_k / d x_i = w_ki
        if self.w_const is None:                    # d out_k / d w_ki = x_i
            gw = g.T @ x
            pg = grads[PARAMS]
            if pg is None:
                pg = grads[PARAMS] = np.zeros(vals[PARAMS].shape)
            if self.unique:
                pg[self.w_index] += gw
            else:
                np.add.at(pg, self.w_index, gw)


class _Gather:
    """Each sample's element of a list: out[b] = z[b, index[b]]."""

    __slots__ = ("z", "argument", "position", "n", "block", "where", "what", "error")
    z: _Nary                            # the n values to choose from
    argument: int                       # the TracedIndex's argument and position
    position: int
    n: int
    block: int
    where: str                          # how an out-of-range error names the call
    what: str                           # and the index
    error: type                         # and its class (a SampleIndexError)

    def forward(self, vals):
        index = vals[1 + self.argument][:, self.position]
        bad = np.flatnonzero((index < 0) | (index >= self.n))
        if bad.size:
            b = int(bad[0])
            raise self.error(f"{self.where}: {self.what} {int(index[b])} of sample {b} "
                             f"is out of range for {self.n} values (valid: 0..{self.n - 1})")
        z = self.z.get(vals)[..., 0, :]
        z = np.broadcast_to(z, (len(index), self.n))
        vals[self.block] = z[np.arange(len(index)), index][:, None]
        return index

    def backward(self, grads, vals, index):
        # Written here, not read from the op table: a selection is no op of
        # the table (no layout takes a list of Values with an integer
        # parameter; adding one is engine work, and the table's checks would
        # need integer samples), and eagerly it is no node at all: ``z[t]``
        # hands the loss z_t itself, so its gradient arrives as it is, into
        # the item chosen, and nothing into the others. That is what this
        # routing adds (one column per sample), exactly. The nearest entry,
        # ``dot(z, one_hot)`` (partials ``b``: the one-hot), is not exact: its
        # 0 * g makes nan of an infinite g in the columns not chosen.
        g = grads[self.block]
        if g is None:
            return
        contrib = np.zeros((len(index), self.n))
        contrib[np.arange(len(index)), index] = g[:, 0]
        self.z.add(grads, vals, contrib[:, None, :])


def _arg_pattern(arg, batch):
    kind, x = arg
    if kind == "s":
        return "b" if batch[x] else "s"
    if kind == "c":
        return "c"
    return ("n", len(x), tuple("c" if k == "c" else ("b" if batch[y] else "s")
                               for k, y in x))


class Program:
    """A scalar tape as groups of numpy calls; runs a batch forward and back."""

    def __init__(self, entries: List[Entry], outs: List[int], guards: list,
                 arg_widths: List[int], fuse: bool):
        if fuse:
            entries = fuse_sums_of_products(entries, outs + [g[0] for g in guards]
                                             + [g[2][1] for g in guards if g[2][0] == "s"])
        n = len(entries)
        loc: _Loc = {}                  # every slot but the DEAD ones
        batch = [False] * n
        level = [0] * n
        widths = [0] + list(arg_widths)
        self.params: List[Value] = []
        keyed: Dict[tuple, List[int]] = {}         # group key -> slots
        order: List[tuple] = []
        for s, e in enumerate(entries):
            if e.kind == DEAD:
                continue
            if e.kind == INPUT:
                argument, position = e.where
                loc[s], batch[s] = (1 + argument, position), True
                continue
            if e.kind == PARAM:
                loc[s] = (PARAMS, len(self.params))
                self.params.append(e.where)
                continue
            slots = [x for k, x in e.args if k == "s"] + \
                    [y for k, x in e.args if k == "n" for kk, y in x if kk == "s"]
            level[s] = 1 + max((level[x] for x in slots), default=0)
            batch[s] = e.kind == GATHER or any(batch[x] for x in slots)
            key: tuple
            if not fuse or e.kind == GATHER:
                key = ("one", s)
            elif _DOT_IS_PRODUCT and e.op.base is _DOT and \
                    (side := self._matmul_side(e, batch, entries)) is not None:
                key = ("matmul", level[s], side, e.args[side],
                       e.args[1 - side][1][0][0])         # constant or parameter weights
            else:
                key = ("ops", level[s], e.op, tuple(_arg_pattern(a, batch) for a in e.args))
            if key not in keyed:
                keyed[key] = []
                order.append(key)
            keyed[key].append(s)
        widths[PARAMS] = len(self.params)
        order.sort(key=lambda k: level[keyed[k][0]])
        self.groups: List[Union[_Group, _MatMul, _Gather]] = []
        for key in order:
            members = keyed[key]
            block = len(widths)
            widths.append(len(members))
            is_batch = batch[members[0]]
            for col, s in enumerate(members):
                loc[s] = (block, col)
            first = entries[members[0]]
            if first.kind == GATHER:
                self.groups.append(self._gather(first, block, loc, widths))
            elif key[0] == "matmul":
                self.groups.append(self._matmul([entries[s] for s in members], key[2],
                                                block, loc, widths))
            else:
                self.groups.append(self._group([entries[s] for s in members], block,
                                               is_batch, loc, widths))
        self.n_blocks = len(widths)
        self.out_plan = _Plan(outs, loc, widths)
        self.guards = [(_Plan([a], loc, widths), symbol,
                        _Plan([o[1]], loc, widths) if o[0] == "s" else o[1], result, where)
                       for a, symbol, o, result, where in guards]

    @staticmethod
    def _matmul_side(e: Entry, batch, entries) -> Optional[int]:
        """Which argument of a dot is the per-sample list (the other being
        all parameters or all constants), or None."""
        sides = []
        for _, items in e.args:
            if all(k == "s" and batch[x] for k, x in items):
                sides.append("b")
            elif all(k == "c" for k, _ in items) or \
                    all(k == "s" and entries[x].kind == PARAM for k, x in items):
                sides.append("w")
            else:
                sides.append("?")
        if sides == ["b", "w"]:
            return 0
        if sides == ["w", "b"]:
            return 1
        return None

    def _group(self, members: List[Entry], block: int, is_batch: bool, loc: _Loc,
               widths: List[int]) -> _Group:
        g = _Group()
        first = members[0]
        g.op, g.nop, g.block, g.batch = first.op, numpy_op(first.op), block, is_batch
        args: List[Union[_Column, _Nary]] = []
        for i, a in enumerate(first.args):
            if a[0] == "n":
                args.append(_Nary([m.args[i][1] for m in members], loc, widths))
            else:
                args.append(_column([m.args[i] for m in members], loc, widths))
        g.args = args
        g.grad_args = [i for i, a in enumerate(args) if a.reads_slots]
        return g

    def _matmul(self, members: List[Entry], side: int, block: int, loc: _Loc,
                widths: List[int]) -> _MatMul:
        m = _MatMul()
        m.block = block
        m.x = _Plan([x for _, x in members[0].args[side][1]], loc, widths)
        rows = [e.args[1 - side][1] for e in members]
        if all(k == "c" for row in rows for k, _ in row):
            m.w_const = np.array([[float(x) for _, x in row] for row in rows])
            m.w_index = None
        else:                                       # all parameters (see _matmul_side)
            m.w_const = None
            m.w_index = np.array([[loc[x][1] for _, x in row] for row in rows])
            m.unique = len(np.unique(m.w_index)) == m.w_index.size
        return m

    def _gather(self, e: Entry, block: int, loc: _Loc, widths: List[int]) -> _Gather:
        g = _Gather()
        index, g.where, g.what, g.error = e.extra
        g.z = _Nary([e.args[0][1]], loc, widths)
        g.argument, g.position = index.argument, index.position
        g.n = len(e.args[0][1])
        g.block = block
        return g

    # ---- running --------------------------------------------------------------
    def run(self, arrays: List[np.ndarray]):
        """Forward over a batch: (values of every block, what backward needs)."""
        vals: list = [None] * self.n_blocks
        vals[PARAMS] = np.fromiter(map(_get_data, self.params), float, len(self.params))
        vals[1:1 + len(arrays)] = arrays
        saved = []
        with np.errstate(all="ignore"):
            for group in self.groups:
                saved.append(group.forward(vals))
        self._check_guards(vals, len(arrays[0]))
        return vals, saved

    def outputs(self, vals, batch_size: int) -> np.ndarray:
        out = self.out_plan.get(vals)
        return np.broadcast_to(out, (batch_size, out.shape[-1])) if out.ndim == 1 else out

    def backward(self, vals, saved, seed: np.ndarray) -> None:
        grads: list = [None] * self.n_blocks
        self.out_plan.add(grads, vals, seed)
        with np.errstate(all="ignore"):
            for group, s in zip(reversed(self.groups), reversed(saved)):
                group.backward(grads, vals, s)
        pg = grads[PARAMS]
        if pg is not None:
            # p.grad += g for every parameter, the loops run by map in C. An
            # exact zero (a weight of a pixel that is 0 in every sample) is
            # skipped: adding ±0.0 leaves a grad as it was, as one built up
            # from +0.0 is never -0.0 (the scalar engine skips them too).
            params = self.params
            touched = np.flatnonzero(pg)
            if len(touched) < len(pg):
                pg = pg[touched]
                params = list(map(params.__getitem__, touched.tolist()))
            try:                                # the sums in numpy: float grads
                total = np.fromiter(map(_get_grad, params), float, len(params)) + pg
            except (TypeError, ValueError):     # a grad that is a Value
                total = list(map(add, map(_get_grad, params), pg.tolist()))
            else:
                total = total.tolist()
            _consume(map(setattr, params, repeat("grad"), total))

    def _check_guards(self, vals, batch_size: int) -> None:
        for plan, symbol, other, result, where in self.guards:
            a = plan.get(vals)[..., 0]
            b = other.get(vals)[..., 0] if isinstance(other, _Plan) else other
            taken = _COMPARE[symbol](a, b)
            differ = np.flatnonzero(np.broadcast_to(taken, (batch_size,)) != result)
            if differ.size:
                shown = ", ".join(map(str, differ[:5].tolist()))
                more = f" and {differ.size - 5} more" if differ.size > 5 else ""
                raise ValueError(
                    f"compile: the comparison `{symbol}` of a traced value at {where} was "
                    f"{result} when fn was traced (sample 0) but is {not result} for "
                    f"sample{'s' * (differ.size > 1)} {shown}{more}; a trace follows one "
                    "branch for every sample. Write the branch with Value ops "
                    "(x.relu() for `x if x > 0 else 0`, abs(x), logsumexp(values) "
                    "for a max), or call fn on those samples separately")


_get_data = attrgetter("data")
_get_grad = attrgetter("grad")
_consume: Callable[[Any], None] = deque(maxlen=0).extend
_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}


