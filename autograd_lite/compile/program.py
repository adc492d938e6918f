"""The numpy program: a tape as groups of entries, one numpy call each.

* entries of one op, one level and one argument pattern form a group, run as
  one numpy call (:class:`_Group`), with the op's forward and partials over
  arrays (:mod:`autograd_lite.compile.arrays`);
* dots that read one list of per-sample inputs, with parameters (or
  constants) on the other side, become one matrix product (:class:`_MatMul`);
* a selection by a per-sample integer is a gather (:class:`_Gather`);
* a number read with ``.data`` is a stop-gradient copy (:class:`_Stop`).

Slots live in blocks: block 0 holds the parameters' data (P,), then one block
(B, n) per argument, then one block per group, (B, m) per sample or (m,) when
every input is shared by all samples. Gradients of every block but the
parameters' are kept per sample, (B, m), so that each sample's gradient meets
each partial on its own, as in the scalar engine.

Errors. The forward runs to the end, noting for every group the first sample
whose result is not finite and whose scalar forward raises (a domain error),
every selection out of range, and every guard some sample fails; then it
raises the one the scalar engine would meet first: the lowest sample, then
the earliest in the order the trace made its nodes (a failed guard is a
refusal: that sample takes a branch the trace did not).

Exact zeros. In the scalar engine a node that is not on the path from the
seeded outputs, for a sample, gets no contribution at all (a branch not
taken, an item not selected, an output not seeded). Here such a node's
gradient is an exact 0, and 0 times a finite partial adds nothing; only an
infinite or nan partial could add a nan. Its parameters' gradient then comes
out non-finite, so the backward is run again with per-sample reachability
masks (:meth:`Program.reach`), every contribution kept only where the edge is
reached: the scalar engine's answer in both cases, at the masks' cost only
where the numbers are not finite.

An MLP of two layers is five numpy steps forward (a matrix product, the biases,
the ReLUs, a matrix product, the biases):

>>> import numpy as np, nn
>>> from autograd_lite import compile
>>> model = nn.MLP(3, [4, 2], seed=0)
>>> f = compile(lambda x: model(x)); _ = f(np.ones((5, 3)))
>>> [g.op.name if isinstance(g, _Group) else type(g).__name__
...  for g in f.program(np.ones((5, 3))).groups]
['_MatMul', 'add', 'relu', '_MatMul', 'add']
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..bulk import add_grads, read_data
from ..core import Value
from ..ops import OPS, SWAPPED, Op, pair_shortcut_of
from .arrays import NumpyOp, numpy_op
from .rewrites import fuse_sums_of_products
from .tape import DEAD, GATHER, INPUT, PARAM, STOPPED, Entry, Tape

__all__ = ["Program", "GuardError", "MAX_PATHS"]

# How many traces (branch patterns) one argument structure may have.
MAX_PATHS = 8


class GuardError(ValueError):
    """A sample takes a branch no trace of the compiled function follows."""


_DOT = OPS["dot"]
# A layer's matrix product is the table's dot rule for many dots at once:
# d out_k / d x_i = w_ki and d out_k / d w_ki = x_i, which is ``b, a``.
# Read off the table's text as the engine's shortcuts are (ops.pair_shortcut_of).
_DOT_IS_PRODUCT = pair_shortcut_of(_DOT.terms(), _DOT.inputs) is SWAPPED

PARAMS = 0          # block 0 holds the parameters' data, shape (P,)

# Where a slot lives: (block, column).
_Loc = Dict[int, Tuple[int, int]]


class _Problems:
    """What a forward met, per sample: the first problem in the trace's order
    (a domain error, an index out of range, or a failed guard), as
    (place, error, whether a guard). Samples are numbered within the batch
    run; ``ids`` numbers them as the caller's batch does, for messages."""

    __slots__ = ("ids", "first")

    def __init__(self, ids: np.ndarray):
        self.ids = ids
        self.first: Dict[int, Tuple[float, BaseException, bool]] = {}

    def add(self, sample: int, place: float, error: Callable[[str], BaseException],
            text: str, guard: bool = False) -> None:
        """Note ``error(text)`` for ``sample`` at ``place``, ``{sample}`` in
        the text replaced by the caller's number of the sample."""
        known = self.first.get(sample)
        if known is None or place < known[0]:
            number = str(int(self.ids[sample]))
            self.first[sample] = (place, error(text.replace("{sample}", number)), guard)


class _PerBlock:
    """An array per block, made (zeros) on first use: (P,) for the
    parameters, (B, width) for every other block. Gradients (floats; the
    parameters' summed over the samples) and reachability (booleans: which
    (sample, slot) lie on a path from a seeded output)."""

    __slots__ = ("arrays", "batch", "widths", "dtype")

    def __init__(self, batch: int, widths: List[int], dtype: type):
        self.arrays: List[Optional[np.ndarray]] = [None] * len(widths)
        self.batch, self.widths, self.dtype = batch, widths, dtype

    def get(self, block: int) -> Optional[np.ndarray]:
        """The block's array, or None if nothing reached it."""
        return self.arrays[block]

    def block(self, block: int) -> np.ndarray:
        """The block's array, zeros at first."""
        a = self.arrays[block]
        if a is None:
            shape = (self.widths[block],) if block == PARAMS else \
                (self.batch, self.widths[block])
            a = self.arrays[block] = np.zeros(shape, self.dtype)
        return a



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

    def add(self, grads: _PerBlock, contrib: Any) -> None:
        """Add ``contrib`` (..., m) into the gradients of the slots."""
        contrib = np.asarray(contrib)
        for block, sel, a, b, unique in self.runs:
            part = contrib if self.single else contrib[..., a:b]
            if block == PARAMS:                     # parameters: summed over the samples
                while part.ndim > 1:
                    part = part.sum(axis=0)
            g = grads.block(block)
            if sel is None:
                g += part
            elif unique or isinstance(sel, slice):  # a slice never repeats a column
                g[..., sel] += part
            else:                                   # a slot read twice: add both
                # (g's columns are g.T's rows, whether g is (B, w) or (w,))
                np.add.at(g.T, sel, np.broadcast_to(part, g[..., sel].shape).T)

    def mark(self, reach: _PerBlock, mask: np.ndarray) -> None:
        """Mark the slots reached where ``mask`` (B, m) is true."""
        for block, sel, a, b, unique in self.runs:
            if block == PARAMS:                     # leaves: nothing below to reach
                continue
            part = mask if self.single else mask[..., a:b]
            r = reach.block(block)
            if sel is None:
                r |= part
            elif unique or isinstance(sel, slice):
                r[..., sel] |= part
            else:
                np.logical_or.at(r.T, sel, np.broadcast_to(part, r[..., sel].shape).T)


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

    def add(self, grads: _PerBlock, contrib: Any) -> None:
        if self.plan is not None:
            self.plan.add(grads, contrib)

    def mark(self, reach: _PerBlock, mask: np.ndarray) -> None:
        if self.plan is not None:
            self.plan.mark(reach, mask)


def _column(items: Sequence[tuple], loc: _Loc, widths: List[int]) -> _Column:
    if items[0][0] == "c":
        return _Column(None, np.array([float(x) for _, x in items]))
    return _Column(_Plan([x for _, x in items], loc, widths), None)


class _Nary:
    """An n-ary argument: L elements per member, read as (..., m, L)."""

    __slots__ = ("columns", "row", "length")

    def __init__(self, members: List[tuple], loc: _Loc, widths: List[int]):
        length = self.length = len(members[0])
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

    def add(self, grads: _PerBlock, contrib: Any) -> None:
        """Add ``contrib`` (..., m, L) into the elements' gradients."""
        for col, part in self._parts(np.asarray(contrib)):
            col.add(grads, part)

    def mark(self, reach: _PerBlock, mask: np.ndarray) -> None:
        """Mark the elements reached where ``mask`` (B, m, L) is true."""
        for col, part in self._parts(mask):
            col.mark(reach, part)

    def _parts(self, array: np.ndarray) -> List[Tuple[_Column, np.ndarray]]:
        """``array`` (..., m, L) cut as the elements are read: the one row's
        (..., L), or each column's (..., m)."""
        if self.row is not None:
            return [(self.row, array[..., 0, :])]
        return [(col, array[..., i]) for i, col in enumerate(self.columns)]


class _Group:
    """Entries of one op, one level and one argument pattern: one numpy call."""

    __slots__ = ("op", "nop", "args", "block", "batch", "grad_args", "places")
    op: Op
    nop: NumpyOp                        # the op's forward and partials over arrays
    args: List[Union[_Column, _Nary]]
    block: int                          # where the results go
    batch: bool                         # per sample (else shared by all samples)
    grad_args: List[int]                # the arguments that read slots
    places: List[int]                   # each member's place in the trace's order

    def forward(self, vals: list, problems: _Problems) -> Any:
        xs = [a.get(vals) for a in self.args]
        out = self.nop.forward(*xs)
        if not np.all(np.isfinite(out)):
            self._check_domain(xs, out, problems)
        vals[self.block] = out
        return xs

    def backward(self, grads: _PerBlock, vals: list, xs: Any, reach: Optional[_PerBlock]) -> None:
        g = grads.get(self.block)
        if g is None:
            return
        partials = self.nop.partials(vals[self.block], *xs)
        r = None if reach is None else reach.get(self.block)
        for i in self.grad_args:
            p = partials[i]
            arg = self.args[i]
            if isinstance(arg, _Nary):
                c = g[..., None] * np.asarray(p)
                if r is not None:
                    c = np.where(r[..., None], c, 0.0)
            else:
                c = g * p
                if r is not None:
                    c = np.where(r, c, 0.0)
            arg.add(grads, c)

    def mark(self, reach: _PerBlock, saved: Any) -> None:
        r = reach.get(self.block)
        if r is None:
            return
        for i in self.grad_args:
            arg = self.args[i]
            if isinstance(arg, _Nary):
                arg.mark(reach, np.broadcast_to(r[..., None], r.shape + (arg.length,)))
            else:
                arg.mark(reach, r)

    def _check_domain(self, xs: list, out: np.ndarray, problems: _Problems) -> None:
        """Where a result is not finite, the scalar forward decides: it raises
        the op's own error for an input outside its domain (log of -1, x / 0),
        noted for the first such sample, or its result stands (an IEEE inf or
        nan; also where the array forward marked a refusal with nan). The
        n-ary forwards (sum, dot, logsumexp) never refuse."""
        if any(isinstance(a, _Nary) for a in self.args):
            return
        shape = out.shape
        for index in zip(*np.nonzero(~np.isfinite(out))):
            scalars = [float(np.broadcast_to(x, shape)[index]) for x in xs]
            try:
                result = self.op.forward(*scalars)
            except (ValueError, OverflowError) as error:    # a DomainError is a ValueError
                place = self.places[int(index[-1])]
                # shared by all samples: every sample's own graph meets it
                for sample in ([int(index[0])] if self.batch else range(len(problems.ids))):
                    problems.add(sample, place, type(error), f"{error} (sample {{sample}})")
                continue
            out[index] = result


class _Stop:
    """Numbers read with ``.data``: the values, copied; no gradient passes."""

    __slots__ = ("x", "block")
    x: _Plan
    block: int

    def forward(self, vals: list, problems: _Problems) -> None:
        vals[self.block] = self.x.get(vals)

    def backward(self, grads: _PerBlock, vals: list, saved: Any,
                 reach: Optional[_PerBlock]) -> None:
        return None

    def mark(self, reach: _PerBlock, saved: Any) -> None:
        return None


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

    def forward(self, vals: list, problems: _Problems) -> Tuple[np.ndarray, np.ndarray]:
        x = self.x.get(vals)
        w = vals[PARAMS][self.w_index] if self.w_const is None else self.w_const
        vals[self.block] = x @ w.T
        return (x, w)

    def backward(self, grads: _PerBlock, vals: list, saved: Any,
                 reach: Optional[_PerBlock]) -> None:
        g = grads.get(self.block)
        if g is None:
            return
        x, w = saved
        r = None if reach is None else reach.get(self.block)
        if r is None or (np.isfinite(w).all() and np.isfinite(x).all()):
            gx = g @ w                                  # d out_k / d x_i = w_ki
            gw = g.T @ x if self.w_const is None else None   # d out_k / d w_ki = x_i
        else:               # only the reached outputs' edges: no 0 * inf
            edges = r[:, :, None]
            gx = np.where(edges, g[:, :, None] * w[None, :, :], 0.0).sum(axis=1)
            gw = None if self.w_const is not None else \
                np.where(edges, g[:, :, None] * np.broadcast_to(
                    x, (len(g), x.shape[-1]))[:, None, :], 0.0).sum(axis=0)
        self.x.add(grads, gx)
        if gw is not None and self.w_index is not None:
            pg = grads.block(PARAMS)
            if self.unique:
                pg[self.w_index] += gw
            else:
                np.add.at(pg, self.w_index, gw)

    def mark(self, reach: _PerBlock, saved: Any) -> None:
        r = reach.get(self.block)
        if r is not None:
            n = saved[0].shape[-1]
            self.x.mark(reach, np.broadcast_to(np.any(r, axis=1)[:, None], (len(r), n)))


class _Gather:
    """Each sample's element of a list: out[b] = z[b, index[b]]."""

    __slots__ = ("z", "argument", "position", "n", "block", "where", "what", "error",
                 "place")
    z: _Nary                            # the n values to choose from
    argument: int                       # the TracedIndex's argument and position
    position: int
    n: int
    block: int
    where: str                          # how an out-of-range error names the call
    what: str                           # and the index
    error: type                         # and its class (a SampleIndexError)
    place: int                          # its place in the trace's order

    def forward(self, vals: list, problems: _Problems) -> np.ndarray:
        index = vals[1 + self.argument][:, self.position]
        bad = np.flatnonzero((index < 0) | (index >= self.n))
        if bad.size:
            for b in bad.tolist():
                problems.add(b, self.place, self.error,
                             f"{self.where}: {self.what} {int(index[b])} of sample {{sample}} "
                             f"is out of range for {self.n} values (valid: 0..{self.n - 1})")
            index = np.clip(index, 0, self.n - 1)
        z = self.z.get(vals)[..., 0, :]
        z = np.broadcast_to(z, (len(index), self.n))
        vals[self.block] = z[np.arange(len(index)), index][:, None]
        return index

    def backward(self, grads: _PerBlock, vals: list, index: np.ndarray,
                 reach: Optional[_PerBlock]) -> None:
        # Eagerly a selection is no node at all: ``z[t]`` hands the loss z_t
        # itself, so its gradient arrives as it is, into the item chosen, and
        # nothing into the others: one column per sample, exactly.
        g = grads.get(self.block)
        if g is None:
            return
        contrib = np.zeros((len(index), self.n))
        contrib[np.arange(len(index)), index] = g[:, 0]
        self.z.add(grads, contrib[:, None, :])

    def mark(self, reach: _PerBlock, index: np.ndarray) -> None:
        r = reach.get(self.block)
        if r is not None:
            chosen = np.zeros((len(index), 1, self.n), bool)
            chosen[np.arange(len(index)), 0, index] = r[:, 0]
            self.z.mark(reach, chosen)


_Step = Union[_Group, _MatMul, _Gather, _Stop]


def _arg_pattern(arg: tuple, batch: List[bool]) -> Any:
    kind, x = arg
    if kind == "s":
        return "b" if batch[x] else "s"
    if kind == "c":
        return "c"
    return ("n", len(x), tuple("c" if k == "c" else ("b" if batch[y] else "s")
                               for k, y in x))


class Program:
    """A tape as groups of numpy calls; runs a batch forward and back."""

    def __init__(self, tape: Tape, arg_widths: List[int], fuse: bool):
        entries, outs, guards = tape.entries, tape.outs, tape.guards
        if fuse:
            entries = fuse_sums_of_products(
                entries, outs + [g.slot for g in guards]
                + [g.operand[1] for g in guards if g.operand[0] == "s"])
        self.tape = Tape(entries, outs, guards)     # as run: after the rewrites
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
            slots = e.slots()
            level[s] = 1 + max((level[x] for x in slots), default=0)
            batch[s] = e.kind == GATHER or any(batch[x] for x in slots)
            key: tuple
            if not fuse or e.kind == GATHER:
                key = ("one", s)
            elif e.kind == STOPPED:
                key = ("stop", level[s], batch[s])
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
        self.groups: List[_Step] = []
        for key in order:
            members = keyed[key]
            block = len(widths)
            widths.append(len(members))
            is_batch = batch[members[0]]
            for col, s in enumerate(members):
                loc[s] = (block, col)
            first = entries[members[0]]
            if first.kind == GATHER:
                self.groups.append(self._gather(first, members[0], block, loc, widths))
            elif first.kind == STOPPED:
                stop = _Stop()
                stop.x, stop.block = _Plan([entries[s].args[0][1] for s in members], loc,
                                           widths), block
                self.groups.append(stop)
            elif key[0] == "matmul":
                self.groups.append(self._matmul([entries[s] for s in members], key[2],
                                                block, loc, widths))
            else:
                self.groups.append(self._group([entries[s] for s in members], members,
                                               block, is_batch, loc, widths))
        self.widths = widths
        self.n_args = len(arg_widths)
        self.out_plan = _Plan(outs, loc, widths)
        self.guards = [(_Plan([g.slot], loc, widths), g.symbol,
                        _Plan([g.operand[1]], loc, widths) if g.operand[0] == "s"
                        else g.operand[1], g.result, g.position, g.where)
                       for g in guards]

    @staticmethod
    def _matmul_side(e: Entry, batch: List[bool], entries: List[Entry]) -> Optional[int]:
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

    def _group(self, members: List[Entry], slots: List[int], block: int, is_batch: bool,
               loc: _Loc, widths: List[int]) -> _Group:
        g = _Group()
        first = members[0]
        g.op, g.nop, g.block, g.batch = first.op, numpy_op(first.op), block, is_batch
        g.places = slots
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

    def _gather(self, e: Entry, slot: int, block: int, loc: _Loc,
                widths: List[int]) -> _Gather:
        g = _Gather()
        index, g.where, g.what, g.error = e.extra
        g.z = _Nary([e.args[0][1]], loc, widths)
        g.argument, g.position = index.argument, index.position
        g.n = len(e.args[0][1])
        g.block, g.place = block, slot
        return g

    # ---- running --------------------------------------------------------------
    def run(self, arrays: List[np.ndarray], ids: Optional[np.ndarray] = None
            ) -> Tuple[list, list, Dict[int, Tuple[float, BaseException, bool]]]:
        """Forward over a batch: (values of every block, what backward needs,
        each sample's first problem (see :class:`_Problems`)); ``ids``: the
        samples' numbers in the caller's batch, for messages."""
        vals: list = [None] * len(self.widths)
        vals[PARAMS] = read_data(self.params)
        vals[1:1 + len(arrays)] = arrays
        saved = []
        problems = _Problems(np.arange(len(arrays[0])) if ids is None else ids)
        with np.errstate(all="ignore"):
            for group in self.groups:
                saved.append(group.forward(vals, problems))
            self._check_guards(vals, len(arrays[0]), problems)
        return vals, saved, problems.first

    def outputs(self, vals: list, batch_size: int) -> np.ndarray:
        out = self.out_plan.get(vals)
        return np.broadcast_to(out, (batch_size, out.shape[-1])) if out.ndim == 1 else out

    def reach(self, saved: list, seeded: np.ndarray) -> _PerBlock:
        """Which (sample, slot) lie on a path from the outputs ``seeded``
        (B, k) marks: the edges of each sample's own scalar graph."""
        reach = _PerBlock(len(seeded), self.widths, bool)
        self.out_plan.mark(reach, seeded)
        for group, s in zip(reversed(self.groups), reversed(saved)):
            group.mark(reach, s)
        return reach

    def _gradients(self, vals: list, saved: list, seed: np.ndarray,
                   reach: Optional[_PerBlock]) -> _PerBlock:
        grads = _PerBlock(len(seed), self.widths, float)
        self.out_plan.add(grads, seed)
        with np.errstate(all="ignore"):
            for group, s in zip(reversed(self.groups), reversed(saved)):
                group.backward(grads, vals, s, reach)
        return grads

    def backward(self, vals: list, saved: list, seed: np.ndarray,
                 seeded: Optional[np.ndarray] = None,
                 inputs: bool = False) -> Optional[List[Tuple[np.ndarray, np.ndarray]]]:
        """Add d(Σ seed · output)/d p to every parameter's ``.grad``, each
        sample's gradient reaching only what its seeded outputs (``seeded``,
        by default where ``seed`` is not 0) are computed from.

        Returns, when ``inputs``: for each argument, its gradient (B, width)
        and which of its elements were reached."""
        if seeded is None:
            seeded = seed != 0
        grads = self._gradients(vals, saved, seed, None)
        pg = grads.get(PARAMS)
        inexact = (pg is not None and not np.isfinite(pg).all()) or (inputs and any(
            g is not None and not np.isfinite(g).all()
            for g in grads.arrays[1:1 + self.n_args]))
        reach = self.reach(saved, seeded) if inexact or inputs else None
        if inexact:
            grads = self._gradients(vals, saved, seed, reach)
            pg = grads.get(PARAMS)
        if pg is not None:
            _add_to_grads(self.params, pg)
        if not inputs:
            return None
        assert reach is not None
        return [(grads.block(block), reach.block(block))
                for block in range(1, 1 + self.n_args)]

    def _check_guards(self, vals: list, batch_size: int, problems: _Problems) -> None:
        for plan, symbol, other, result, place, where in self.guards:
            a = plan.get(vals)[..., 0]
            b = other.get(vals)[..., 0] if isinstance(other, _Plan) else other
            taken = _COMPARE[symbol](a, b)
            differ = np.flatnonzero(np.broadcast_to(taken, (batch_size,)) != result)
            for k in differ.tolist():
                problems.add(
                    k, place, GuardError,
                    f"compile: the comparison `{symbol}` of a traced value at {where} was "
                    f"{result} when fn was traced but is {not result} for sample {{sample}}, "
                    f"and no trace of fn taken so far follows that sample's branch (compile "
                    f"keeps up to {MAX_PATHS} branch patterns per argument structure). Write "
                    "the branch with Value ops (x.relu() for `x if x > 0 else 0`, abs(x), "
                    "select, logsumexp(values) for a max)", guard=True)


def _add_to_grads(params: List[Value], pg: np.ndarray) -> None:
    """p.grad += g for every parameter, in one pass (:mod:`autograd_lite.bulk`).
    An exact zero (a weight of a pixel that is 0 in every sample) is skipped:
    adding ±0.0 leaves a grad as it was, as one built up from +0.0 is never
    -0.0 (the scalar engine skips them too)."""
    touched = np.flatnonzero(pg)
    if len(touched) < len(pg):
        pg = pg[touched]
        params = list(map(params.__getitem__, touched.tolist()))
    add_grads(params, pg, where="compile's backward")


_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}
