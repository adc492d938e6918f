"""nn.MLP against micrograd's MLP on one MNIST sample, eager, the other way of timing.

The ``mnist-nn`` workload of run.py times each engine on a model built afresh
per repetition, takes medians, and collects garbage before each repetition.
This module times the same two steps (forward + backward with cross-entropy
on one real digit: ``nn.MLP(784, [hidden, 10])`` with its fused neurons, and
micrograd's MLP op by op) on models built once, with everything made before
timing frozen out of the collector's sight (``gc.freeze()``), the two engines
alternating repetition by repetition, and reports each engine's fastest
repetition: the least disturbed run of each on a shared machine. The two
ways measure the same work; their ratios differ because the collector's
work on micrograd's cyclic graphs weighs differently in each.

Usage::

    python benchmarks/eager_nn.py            # 7 repetitions
    python benchmarks/eager_nn.py --reps 21
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import workloads as W  # noqa: E402

__all__ = ["measure", "main"]


def measure(sizes: W.Sizes, reps: int, clock: Callable[[], int],
            engines: Dict[str, W.Engine]) -> Dict[str, Any]:
    """Each engine's fastest forward + backward on mnist-nn, interleaved,
    the collector frozen (and left frozen: the caller unfreezes); ``speedup``
    is micrograd's time over nn.MLP's.

    Raises:
        ValueError: ``engines`` lacks autograd-lite or micrograd.
    """
    missing = {"autograd-lite", "micrograd"} - set(engines)
    if missing:
        raise ValueError(f"eager_nn: needs autograd-lite and micrograd, missing "
                         f"{sorted(missing)}")
    cases = {name: W.WORKLOADS["mnist-nn"].build(engines[name], sizes)
             for name in ("autograd-lite", "micrograd")}

    def step(name: str) -> int:
        engine, case = engines[name], cases[name]
        engine.zero_grad(case.leaves)
        started = clock()
        loss = case.forward()
        engine.backward(loss)            # type: ignore[misc]
        took = clock() - started
        del loss
        return took

    for name in cases:                   # untimed first step
        step(name)
    best = {name: float("inf") for name in cases}
    gc.collect()
    gc.freeze()                          # the models and the data: not the collector's work
    try:
        for rep in range(reps):
            order = list(cases) if rep % 2 == 0 else list(reversed(cases))
            for name in order:
                best[name] = min(best[name], step(name))
                gc.collect()             # untimed: the graph's garbage, this repetition's
    finally:
        gc.unfreeze()                    # the workloads after this one run as before it
    return {"reps": reps, "hidden": sizes.mnist_hidden, "best_ns": best,
            "speedup": best["micrograd"] / best["autograd-lite"]}


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Print the two fastest times and their ratio; returns :func:`measure`'s dict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7, help="repetitions per engine")
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    args = parser.parse_args(argv)
    engines, skipped = W.available_engines(["autograd-lite", "micrograd"])
    if "micrograd" not in engines:
        raise SystemExit(f"eager_nn: micrograd is needed ({skipped.get('micrograd', '')})")
    clock = time.process_time_ns if args.clock == "cpu" else time.perf_counter_ns
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))  # micrograd recurses
    try:
        result = measure(W.DEFAULT, args.reps, clock, engines)
    finally:
        gc.unfreeze()
    best = result["best_ns"]
    print(f"nn.MLP(784, [{result['hidden']}, 10]) on one MNIST sample, forward + backward, "
          f"fastest of {args.reps} interleaved ({args.clock} clock, collector frozen):")
    for name, ns in best.items():
        print(f"  {name:14s} {ns / 1e6:9.3f} ms")
    print(f"  nn.MLP is {result['speedup']:.0f}x faster than micrograd's MLP")
    return result


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
