"""Where one node's time goes: the chain workload taken apart.

``benchmarks/run.py`` says how fast each engine is; this says what a node of
autograd-lite costs and how much of that any pure-Python node would cost too.
On the chain ``y = y * 1.0001 + 0.0001`` (10,000 steps, 20,000 nodes) it
times, per node, medians of interleaved repetitions:

* ``floats``: the same statements on plain floats (no node at all);
* ``bare node``: a class with five slots whose ``*`` and ``+`` make a node
  and fill its slots with no checks at all: the cost of one Python object per
  node, the least any engine with a node per op can pay;
* autograd-lite's forward with the cyclic garbage collector off, then on (the
  difference is the collector scanning the young graph);
* its backward, pass by pass: counting each node's consumers, then passing
  gradients down (``accelerator._count_consumers`` and ``accelerator._propagate``).

Usage::

    python benchmarks/node_cost.py            # about 10 s
    python benchmarks/node_cost.py --reps 51
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from autograd_lite import Value  # noqa: E402
from autograd_lite import accelerator  # noqa: E402

__all__ = ["measure", "main", "ROWS"]

ROWS = ("floats", "bare node", "forward, collector off", "forward, collector on",
        "backward: counting consumers", "backward: passing gradients")

_new = object.__new__


class _BareNode:
    """A node and nothing else: five slots filled, no type checks, no grad mode."""

    __slots__ = ("data", "grad", "op", "a", "b")

    def __mul__(self, other):
        node = _new(_BareNode)
        node.data = self.data * other
        node.grad = 0.0
        node.op = "*"
        node.a = self
        node.b = other
        return node

    def __add__(self, other):
        node = _new(_BareNode)
        node.data = self.data + other
        node.grad = 0.0
        node.op = "+"
        node.a = self
        node.b = other
        return node


def _chain(x, steps: int):
    y = x
    for _ in range(steps):
        y = y * 1.0001 + 0.0001
    return y


def _bare_leaf() -> _BareNode:
    leaf = _new(_BareNode)
    leaf.data = 1.0
    return leaf


def _timed(work: Callable[[], object], collector: bool) -> "tuple[float, object]":
    gc.collect()
    if not collector:
        gc.disable()
    try:
        start = time.process_time_ns()
        result = work()
        return time.process_time_ns() - start, result
    finally:
        gc.enable()


def measure(steps: int = 10_000, reps: int = 21) -> Dict[str, float]:
    """Median ns per node of each row of :data:`ROWS` (a chain makes two nodes a step)."""
    samples: Dict[str, List[float]] = {name: [] for name in ROWS}
    nodes = 2 * steps
    for _ in range(reps):
        samples["floats"].append(_timed(lambda: _chain(1.0, steps), True)[0])
        samples["bare node"].append(_timed(lambda: _chain(_bare_leaf(), steps), True)[0])
        elapsed, y = _timed(lambda: _chain(Value(1.0), steps), False)
        samples["forward, collector off"].append(elapsed)
        del y
        elapsed, y = _timed(lambda: _chain(Value(1.0), steps), True)
        samples["forward, collector on"].append(elapsed)
        start = time.process_time_ns()
        accelerator._count_consumers(y)
        counted = time.process_time_ns()
        y.grad = 1.0
        accelerator._propagate(y)
        done = time.process_time_ns()
        samples["backward: counting consumers"].append(counted - start)
        samples["backward: passing gradients"].append(done - counted)
        del y
    return {name: statistics.median(times) / nodes for name, times in samples.items()}


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, float]:
    """Print the table of :func:`measure` and return it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=21,
                        help="repetitions; medians are reported (default 21)")
    args = parser.parse_args(argv)
    if args.reps < 1:
        parser.error(f"--reps must be at least 1, got {args.reps}")
    rows = measure(reps=args.reps)
    print(f"chain of 10,000 steps (20,000 nodes), CPython {sys.version.split()[0]}, "
          f"median of {args.reps} (CPU time)\n")
    print("| per node | ns |\n|---|--:|")
    for name in ROWS:
        print(f"| {name} | {rows[name]:.0f} |")
    forward = rows["forward, collector on"]
    backward = rows["backward: counting consumers"] + rows["backward: passing gradients"]
    print(f"\nforward + backward: {forward + backward:.0f} ns per node; the bare node "
          f"alone is {rows['bare node'] / forward:.0%} of the forward, the collector "
          f"{(forward - rows['forward, collector off']) / forward:.0%}.")
    return rows


if __name__ == "__main__":
    main()
