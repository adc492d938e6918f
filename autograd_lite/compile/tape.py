"""The tape: a traced call as a flat list of typed entries, in the order made.

Every node the traced call made becomes one :class:`Entry`, in the order the
call made them (so the program can tell which of a sample's errors and
failed guards eager code would meet first), with the leaves and captured
nodes they read placed just before their first use. An entry's operands are
``("s", slot)`` (an earlier entry), ``("c", number)`` (a constant) or
``("n", (operand, ...))`` (an n-ary input). Kinds: ``input`` (an element of an
argument), ``param`` (a leaf: its ``.data`` is read at every call), ``op``
(an op-table entry), ``stop`` (a number read with ``.data``: no gradient),
``gather`` (a per-sample selection), ``dead`` (merged away by a rewrite).

:func:`format_tape` prints a tape the way a jaxpr reads::

    s2:f = mul s0 s1
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, Dict, List, Sequence

from ..core import Value, inputs
from ..fused import Leaves
from .trace import STOP, Trace, TracedIndex

__all__ = ["Entry", "Tape", "TapeGuard", "build_tape", "format_tape",
           "INPUT", "PARAM", "OP", "STOPPED", "GATHER", "DEAD"]

INPUT, PARAM, OP, STOPPED, GATHER, DEAD = "input", "param", "op", "stop", "gather", "dead"


class Entry:
    """One node of the trace: ``kind``, op, and operands (see the module)."""

    __slots__ = ("kind", "op", "args", "where", "extra")

    def __init__(self, kind: str, op: Any = None, args: tuple = (), where: Any = None,
                 extra: Any = None):
        self.kind = kind
        self.op = op
        self.args = args
        self.where = where      # input: (argument, position); param: the Value
        self.extra = extra      # gather: (TracedIndex, where, what, error class)

    def slots(self) -> List[int]:
        """The slots this entry reads, each use once."""
        return [x for k, x in self.args if k == "s"] + \
            [y for k, x in self.args if k == "n" for kk, y in x if kk == "s"]


class TapeGuard:
    """A comparison to check on every sample: slot ``symbol`` operand was
    ``result``; ``position`` places it among the entries (between the last
    node made before it and the next)."""

    __slots__ = ("slot", "symbol", "operand", "result", "position", "where")

    def __init__(self, slot: int, symbol: str, operand: tuple, result: bool,
                 position: float, where: str):
        self.slot, self.symbol, self.operand = slot, symbol, operand
        self.result, self.position, self.where = result, position, where


class Tape:
    """Entries, the output slots, and the guards of one trace."""

    __slots__ = ("entries", "outs", "guards")

    def __init__(self, entries: List[Entry], outs: List[int], guards: List[TapeGuard]):
        self.entries, self.outs, self.guards = entries, outs, guards

    def __str__(self) -> str:
        return format_tape(self)


def _order(roots: Sequence[Value]) -> List[Value]:
    """Every node below ``roots``, inputs first (iterative, deterministic):
    each root after the nodes it reads that are not already listed. With the
    roots in the order the trace made them, the made nodes keep that order;
    a layer's nodes, made first-first, are read first-first by the next."""
    seen = set()
    order: List[Value] = []
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(inputs(root)))]
        while stack:
            node, children = stack[-1]
            for child in children:
                key = id(child)
                if key not in seen:
                    seen.add(key)
                    if child.op is None:       # a leaf (a weight, an input): done
                        order.append(child)
                        continue
                    stack.append((child, iter(inputs(child))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def build_tape(trace: Trace, outputs: List[Value]) -> Tape:
    """The trace's nodes as entries (see the module)."""
    roots = list(trace.created) + outputs + [g.value for g in trace.guards] + \
        [g.other for g in trace.guards if type(g.other) is Value]
    order = _order(roots)
    slot = {id(node): i for i, node in enumerate(order)}
    entries: List[Entry] = []

    def arg(x: Any) -> tuple:
        return ("s", slot[id(x)]) if type(x) is Value else ("c", x)

    def args_of(items: Any) -> tuple:
        if type(items) is Leaves or set(map(type, items)) == {Value}:
            return tuple(zip(repeat("s"), map(slot.__getitem__, map(id, items))))
        return tuple(map(arg, items))

    inputs = trace.inputs
    for node in order:
        key = id(node)
        if key in inputs:
            entries.append(Entry(INPUT, where=inputs[key]))
            continue
        op = node.op
        if op is None:
            entries.append(Entry(PARAM, where=node))
            continue
        if key in trace.selections:
            entries.append(Entry(GATHER, args=(("n", args_of(node._a)),),
                                 extra=trace.selections[key]))
            continue
        if op is STOP:
            entries.append(Entry(STOPPED, args=(arg(node._a),)))
            continue
        if op.forward is None:
            raise TypeError(f"compile: fn built a node by hand, Value(data, children, "
                            f"{op.symbol!r}); its data is fixed, so it cannot be replayed "
                            "for other samples. Build it from Value ops (a * b, x.exp(), "
                            "...) or define the op with autograd_lite.define_op")
        # the arguments of the op's forward are the node's two input slots, in
        # order, as ops.py's layouts lay them out: a Value or a number each, a
        # tuple for an n-ary input (or dot's sides), and _b None when unused
        args = tuple(("n", args_of(x)) if isinstance(x, tuple) else arg(x)
                     for x in (node._a, node._b) if x is not None)
        entries.append(Entry(OP, op=op, args=args))
    made = [slot[id(node)] for node in trace.created]
    guards = []
    for g in trace.guards:
        # after the nodes made before it, and after the nodes it reads
        read = [slot[id(g.value)]] + ([slot[id(g.other)]] if type(g.other) is Value else [])
        last = max(read + ([made[g.after - 1]] if g.after else []))
        guards.append(TapeGuard(slot[id(g.value)], g.symbol, arg(g.other), g.result,
                                last + 0.5, g.where))
    return Tape(entries, [slot[id(v)] for v in outputs], guards)


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------

def _operand(a: tuple) -> str:
    kind, x = a
    if kind == "s":
        return f"s{x}"
    if kind == "c":
        return repr(x)
    return "[" + " ".join(_operand(y) for y in x) + "]"


def _describe(e: Entry) -> str:
    if e.kind == INPUT:
        argument, position = e.where
        return f"input {argument}[{position}]"
    if e.kind == PARAM:
        label = f" {e.where.label!r}" if e.where.label else ""
        return f"param{label}"
    if e.kind == STOPPED:
        return f"stop_gradient {_operand(e.args[0])}"
    if e.kind == GATHER:
        index: TracedIndex = e.extra[0]
        return (f"gather {_operand(e.args[0])} by input {index.argument}"
                f"[{index.position}]")
    name = e.op.base.name
    return " ".join([name] + [_operand(a) for a in e.args])


def format_tape(tape: Tape, header: str = "") -> str:
    """The tape as text, one entry a line (``s3 = mul s1 s2``), dead entries
    left out, each guard after the entries made before it, the outputs last.

    Example:
        >>> import numpy as np
        >>> from autograd_lite import Value, compile
        >>> w = Value(2.0, label="w")
        >>> f = compile(lambda x: x * w if x > 0 else x)
        >>> print(f.tape(np.array([1.0])))  # doctest: +ELLIPSIS
        { lambda ; a0:f[B].
          s0 = input 0[0]
          guard s0 > 0.0 is True  # <doctest ...
          s1 = param 'w'
          s2 = mul s0 s1
          in ( s2 ) }
    """
    by_place: Dict[int, list] = {}
    lines = [f"{{ lambda ; {header}."]
    for g in tape.guards:
        by_place.setdefault(int(g.position + 0.5), []).append(g)

    def guard_lines(place: int) -> None:
        for g in by_place.get(place, ()):
            where = g.where.split(" (")[0]
            lines.append(f"  guard s{g.slot} {g.symbol} {_operand(g.operand)} is "
                         f"{g.result}  # {where}")
    guard_lines(0)
    for i, e in enumerate(tape.entries):
        if e.kind != DEAD:
            lines.append(f"  s{i} = {_describe(e)}")
        guard_lines(i + 1)
    lines.append("  in ( " + " ".join(f"s{s}" for s in tape.outs) + " ) }")
    return "\n".join(lines)
