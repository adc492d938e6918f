"""Time autograd-lite against micrograd, PyTorch and plain floats, side by side.

Every engine runs the same workloads (``benchmarks/workloads.py``) in one
process, interleaved repetition by repetition, garbage collector on as in real
use, with an untimed ``gc.collect()`` before each timed repetition so that no
engine pays for another's garbage. Reported: medians of forward and backward
time per micrograd node, ratios to micrograd and to floats, peak bytes per node
(tracemalloc, in a separate untimed run), the deepest chain each engine
differentiates, and each of the performance targets, met or not.

Usage::

    python benchmarks/run.py                  # the full run, a few minutes on 2 cores
    python benchmarks/run.py --write          # ... and update benchmarks/results.md
    python benchmarks/run.py --readme         # prints, and rewrites README.md's performance section
    python benchmarks/run.py --quick --out /tmp/results.md   # tiny sizes, seconds

The table is printed on stdout (``--quiet``: no progress lines, and no table
on stdout); it is written to a file only when asked (``--out PATH``, or
``--write`` for the tracked ``benchmarks/results.md`` the README quotes).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gc
import math
import os
import platform
import re
import textwrap
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

# One BLAS thread: the compiled workload's matrices are small, and BLAS threads
# that fight other processes for a shared machine's cores slow them many-fold.
# (Read when numpy loads, so set before anything imports it.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"   # tracked: written only with --write
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import compiled as C  # noqa: E402
from benchmarks import eager_nn as E  # noqa: E402
from benchmarks import gpt as G  # noqa: E402
from benchmarks import step as S  # noqa: E402
from benchmarks import workloads as W  # noqa: E402  (needs the repo root on sys.path)
from autograd_lite.files import write_atomically  # noqa: E402

__all__ = ["main", "markdown", "readme_section", "performance_section", "DEFAULT_REPS",
           "TOLERANCE"]

# Repetitions per workload (medians are taken). Each costs micrograd about
# 0.1 s (chain) or 0.6 s (MLPs), twice (the untimed first step); mnist-nn has
# more, its nn.MLP step lasting ~3 ms is the most exposed to noise.
DEFAULT_REPS = {"chain": 15, "moons": 7, "mnist": 7, "mnist-nn": 9, "microgpt": 7,
                "compiled": 9, "step": 7, "gpt": 5}
# Workloads on the command line: the engines', the compiled step, the whole
# training step, and the GPT per document compiled against eager.
WORKLOAD_NAMES = list(W.WORKLOADS) + ["compiled", "step", "gpt"]
QUICK_REPS = 2
# mnist-nn timed the other way too (eager_nn.py): each engine's fastest of these
EAGER_NN_REPS = 7

# Engines must agree on the loss and the gradients to this relative error:
# the arithmetic is the same, but micrograd sums a node's gradient in set
# order and exp/log may differ in the last bit between libraries.
TOLERANCE = 1e-9

# The recursion limit Python started with: micrograd's deepest chain is
# measured under it. Its timed runs need more (its backward is recursive).
STARTING_RECURSION_LIMIT = sys.getrecursionlimit()

# The targets (forward + backward, autograd-lite's speed over the other's).
# Over micrograd, per workload. The chain's 10x was retired for 7x: one bare
# Python object per op already takes about half of a 10x budget, and
# micrograd's own time there moves with its cyclic collector.
TARGET_SPEEDUPS = {"chain": 7.0, "moons": 10.0, "mnist": 10.0}
AIMED_SPEEDUP = 15.0
TARGET_GPT_SPEEDUP = 2.5         # over microgpt's local-gradient Value, on microgpt
AIMED_GPT_SPEEDUP = 5.0
TARGET_BYTES = 100.0
TARGET_DEPTH = 1_000_000
TARGET_NN_SPEEDUP = 200.0
TARGET_COMPILED_SPEEDUP = 20_000.0     # compile at batch 256 vs micrograd, per sample
AIMED_COMPILED_SPEEDUP = 50_000.0
AIMED_COMPILED_VS_NUMPY = 5.0          # compile's time over hand-written numpy's
TARGET_STEP_VS_NUMPY = 8.0             # a whole training step's time over numpy's
AIMED_STEP_VS_NUMPY = 3.0
TARGET_GPT_COMPILED_SPEEDUP = 150.0    # microgpt's GPT per document: compile at batch 64 vs eager

# Objects an engine may leave behind after a repetition (caches warming up)
# before the table names it.
KEPT_OBJECTS_NOTED = 100

CLOCKS = {"wall": time.perf_counter_ns, "cpu": time.process_time_ns}


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

def _time_once(engine: W.Engine, case: W.Case, clock) -> Tuple[int, int, int]:
    """One timed repetition: (forward, backward, free) in ns.

    ``free`` is the cost of dropping the graph (reference counting, or the
    cyclic collector for graphs made of cycles), reported apart: the time of
    ``del loss; gc.collect()`` less that of an empty ``gc.collect()`` after it.
    """
    engine.zero_grad(case.leaves)
    gc.collect()
    t0 = clock()
    loss = case.forward()
    t1 = clock()
    if engine.backward is not None:
        engine.backward(loss)
        t2 = clock()
    else:
        t2 = t1
    del loss
    gc.collect()
    t3 = clock()
    gc.collect()
    t4 = clock()
    return t1 - t0, t2 - t1, max(0, (t3 - t2) - (t4 - t3))


def _peak_bytes(engine: W.Engine, case: W.Case) -> int:
    """Peak bytes Python allocates during one forward + backward (tracemalloc)."""
    engine.zero_grad(case.leaves)
    gc.collect()
    tracemalloc.start()
    try:
        loss = case.forward()
        if engine.backward is not None:
            engine.backward(loss)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del loss
    gc.collect()
    return peak


def _result(engine: W.Engine, case: W.Case) -> Tuple[float, List[float]]:
    """The loss and the leaves' gradients of one forward + backward (then the
    workload's optimizer step, if it has one)."""
    engine.zero_grad(case.leaves)
    loss = case.forward()
    if engine.backward is not None:
        engine.backward(loss)
        grads = [engine.grad(leaf) for leaf in case.leaves]
        if case.update is not None:
            case.update()
    else:
        grads = []
    return engine.data(loss), grads


def _relative_error(a: Sequence[float], b: Sequence[float]) -> float:
    """max |a - b| over the largest |b|: a relative error that zeros do not blow up."""
    if len(a) != len(b):
        return math.inf
    if not a:
        return 0.0
    scale = max(max(abs(x) for x in b), 1e-300)
    return max(abs(x - y) for x, y in zip(a, b)) / scale


def _check(results: Dict[str, Tuple[float, List[float]]],
           same_bits: Sequence[str] = ()) -> Dict[str, Any]:
    """Compare every engine's loss and gradients with the first engine's.

    Every loss and gradient must also be finite: a NaN compares false with
    everything, so it would slip through the largest-difference test. The
    engines named in ``same_bits`` (those that run here) must give the very
    same loss, to the last bit.
    """
    names = list(results)
    ref_name = names[0]
    ref_loss = results[ref_name][0]
    grad_engines = [n for n in names if results[n][1]]
    ref_grads = results[grad_engines[0]][1] if grad_engines else []
    loss_error = max(_relative_error([results[n][0]], [ref_loss]) for n in names)
    grad_error = max((_relative_error(results[n][1], ref_grads) for n in grad_engines),
                     default=0.0)
    finite = all(math.isfinite(v) for n in names for v in (results[n][0], *results[n][1]))
    exact = [n for n in same_bits if n in results]
    same = len({results[n][0] for n in exact}) <= 1
    return {"loss": ref_loss, "loss_error": loss_error, "grad_error": grad_error,
            "engines": names, "grad_engines": grad_engines,
            "same_bits": exact if len(exact) > 1 else [], "bits_ok": same,
            "ok": finite and same and loss_error <= TOLERANCE and grad_error <= TOLERANCE}


def _run_workload(workload: W.Workload, engines: Dict[str, W.Engine], sizes: W.Sizes,
                  reps: int, clock, log) -> Dict[str, Any]:
    """Check, time and weigh one workload on every engine that runs it.

    Each repetition builds the engine's model afresh and drops it afterwards,
    so only that engine's objects are alive while it is timed (the collector
    scans what a process using that engine alone would hold). The timed step
    is the model's second: the first runs untimed, so whatever an engine
    prepares on first use is ready, as in a training loop; and the untimed
    ``gc.collect()`` before timing moves the model to the oldest generation,
    where a training loop's model lives.
    """
    labels, missing, results = {}, {}, {}
    nodes = W.micrograd_node_count(workload, sizes)
    log(f"{workload.name}: {nodes:,} micrograd nodes; checking results")
    for name, engine in engines.items():
        try:
            case = workload.build(engine, sizes)
        except W.NotApplicable:
            continue
        except ImportError as error:
            missing[name] = f"not available ({error})"
            continue
        labels[name] = case.label or name
        # Warm-up and correctness guard: one untimed run per engine.
        results[name] = _result(engine, case)
        if name == "micrograd":
            graph = case.forward()
            counted = W.count_nodes(graph)
            del graph
            if counted != nodes:
                raise RuntimeError(f"{workload.name}: micrograd's graph has {counted} "
                                   f"nodes, the counter says {nodes}")
        del case
        gc.collect()
    out: Dict[str, Any] = {"title": workload.describe(sizes), "nodes": nodes, "reps": reps,
                           "missing": missing, "rows": {}}
    if not results:
        out["check"] = {"ok": False, "engines": [], "loss": math.nan,
                        "loss_error": math.nan, "grad_error": math.nan}
        return out
    out["check"] = _check(results, workload.same_bits)

    # Timed repetitions, interleaved; the order rotates each repetition so
    # that no engine always runs right after the same other one.
    # After each repetition, whatever outlived the model and its graph (an
    # engine's cache, a leak) is counted, then frozen: kept from the sight of
    # later collections, so that no other engine's timing pays for it.
    order = list(results)
    samples: Dict[str, List[Tuple[int, int, int]]] = {name: [] for name in order}
    kept: Dict[str, List[int]] = {name: [] for name in order}
    gc.collect()
    gc.freeze()
    for rep in range(reps):
        log(f"{workload.name}: repetition {rep + 1}/{reps}")
        shift = rep % len(order)
        for name in order[shift:] + order[:shift]:
            case = workload.build(engines[name], sizes)
            _result(engines[name], case)     # untimed: the model's first step
            samples[name].append(_time_once(engines[name], case, clock))
            del case
            gc.collect()
            kept[name].append(len(gc.get_objects()))
            gc.freeze()

    log(f"{workload.name}: peak memory (tracemalloc)")
    peaks = {}
    for name in order:
        case = workload.build(engines[name], sizes)
        _result(engines[name], case)
        peaks[name] = _peak_bytes(engines[name], case)
        del case

    for name in order:
        fwd = statistics.median(s[0] for s in samples[name])
        bwd = statistics.median(s[1] for s in samples[name])
        totals = [s[0] + s[1] for s in samples[name]]
        total = statistics.median(totals)
        # a training step also frees its graph before the next one: for an
        # engine whose graphs are cycles that is the cyclic collector's work
        step = statistics.median(s[0] + s[1] + s[2] for s in samples[name])
        out["rows"][name] = {
            "label": labels[name], "has_backward": engines[name].backward is not None,
            "forward_ns": fwd, "backward_ns": bwd, "total_ns": total, "step_ns": step,
            "free_ns": statistics.median(s[2] for s in samples[name]),
            "spread": (max(totals) - min(totals)) / total if total else 0.0,
            "peak_bytes": peaks[name],
            "kept_objects": statistics.median(kept[name]),
        }
    base = out["rows"].get("micrograd")
    floor = out["rows"].get("floats")
    for row in out["rows"].values():
        row["vs_micrograd"] = base["total_ns"] / row["total_ns"] if base else None
        row["step_vs_micrograd"] = base["step_ns"] / row["step_ns"] if base else None
        row["vs_floats"] = row["total_ns"] / floor["total_ns"] if floor else None
    gc.collect()
    return out


def _chain_runs(engine: W.Engine, steps: int) -> Tuple[bool, str, float]:
    """Whether a ``steps``-deep chain runs forward + backward with the exact
    gradient: ``(ok, why not, seconds forward + backward took (wall))``."""
    case = W.WORKLOADS["chain"].build(engine, W.Sizes(chain_steps=steps))
    loss = None
    try:
        gc.collect()
        start = time.perf_counter()
        loss = case.forward()
        engine.backward(loss)
        seconds = time.perf_counter() - start
        got = engine.grad(case.leaves[0])
        expected = 1.0
        for _ in range(steps):          # d y / d x: the same product, on floats
            expected *= 1.0001
        if not math.isclose(got, expected, rel_tol=1e-9):
            return False, f"wrong gradient {got!r} (expected {expected!r})", seconds
        return True, "", seconds
    except RecursionError:
        return False, "RecursionError", math.nan
    except MemoryError:
        return False, "MemoryError", math.nan
    finally:
        del loss, case
        gc.collect()


def _deepest_chain(engine: W.Engine, cap: int, log) -> Dict[str, Any]:
    """The deepest chain that runs: probe 1,000, 10,000, ... up to ``cap``, then
    bisect between the last depth that ran and the first that failed (to the
    step below 10,000, to 1% above).

    Returns:
        ``deepest`` (steps), ``failed_at`` (None if the cap ran), ``error``,
        ``cap`` and ``seconds``: the wall time of the deepest run's forward +
        backward.
    """
    probes, depth = [], 1000
    while depth < cap:
        probes.append(depth)
        depth *= 10
    probes.append(cap)
    good, bad, error, seconds = 0, None, "", math.nan
    for depth in probes:
        log(f"deepest chain: {engine.name} at {depth:,}")
        ok, why, took = _chain_runs(engine, depth)
        if not ok:
            bad, error = depth, why
            break
        good, seconds = depth, took
    while bad is not None and bad - good > (1 if good < 10_000 else good // 100):
        middle = (good + bad) // 2
        ok, why, took = _chain_runs(engine, middle)
        if ok:
            good, seconds = middle, took
        else:
            bad, error = middle, why
    return {"deepest": good, "failed_at": bad, "error": error, "cap": cap,
            "seconds": seconds}


# ---------------------------------------------------------------------------
# The machine and the code measured
# ---------------------------------------------------------------------------

def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _git_state() -> str:
    """The commit measured, and whether the engine or nn had uncommitted edits."""
    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "autograd_lite", "nn").splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    if not dirty:
        return commit
    files = [line.split(maxsplit=1)[-1] for line in dirty]
    shown = ", ".join(files[:4]) + (f" and {len(files) - 4} more" if len(files) > 4 else "")
    return f"{commit}, with uncommitted changes to {shown}"


def _machine() -> Dict[str, str]:
    return {"cpu": _cpu_model(), "cores": str(os.cpu_count()),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "os": platform.platform(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": _git_state()}


# ---------------------------------------------------------------------------
# The markdown report
# ---------------------------------------------------------------------------

def _ns(x: Optional[float]) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def _seconds(x: float) -> str:
    if math.isnan(x):
        return "—"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def _ratio(x: Optional[float]) -> str:
    """A ratio for the targets table, precise enough to judge it against a threshold."""
    return "—" if x is None else f"{x:,.2f}×"


def _times(x: Optional[float]) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}×" if x >= 100 else f"{x:.1f}×"


def _bytes(engine: str, per_node: float) -> str:
    # tracemalloc sees Python's allocators only, not PyTorch's C++ ones.
    return "n/a†" if engine == "torch" else f"{per_node:,.0f}"


def _targets(results: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Each target of the performance issue: what was measured, met or not."""
    rows = []
    workloads = results["workloads"]
    for name, target in TARGET_SPEEDUPS.items():
        row = workloads.get(name, {}).get("rows", {}).get("autograd-lite")
        ratio = row and row["vs_micrograd"]
        measured = _ratio(ratio) if ratio else "not measured"
        if ratio and row.get("step_vs_micrograd"):
            measured += (f" (a whole training step, freeing the graph included: "
                         f"{_ratio(row['step_vs_micrograd'])})")
        rows.append({
            "target": f"≥ {target:.0f}× faster than micrograd, forward + backward, "
                      f"{name} (aim {AIMED_SPEEDUP:.0f}×)",
            "measured": measured,
            "met": None if not ratio else ratio >= target,
            "close": _close(name, ratio, target, row,
                            workloads.get(name, {}).get("rows", {}).get("micrograd"))})
    gpt = workloads.get("microgpt", {}).get("rows", {})
    ours, theirs = gpt.get("autograd-lite"), gpt.get("microgpt")
    ratio = theirs["total_ns"] / ours["total_ns"] if ours and theirs else None
    measured = _ratio(ratio) if ratio else "not measured"
    if ratio:
        measured += (f" (a whole training step, freeing the graph included: "
                     f"{_ratio(theirs['step_ns'] / ours['step_ns'])})")
    rows.append({
        "target": f"≥ {TARGET_GPT_SPEEDUP:g}× faster than microgpt's local-gradient Value, "
                  f"forward + backward, microgpt (aim {AIMED_GPT_SPEEDUP:g}×)",
        "measured": measured,
        "met": None if not ratio else ratio >= TARGET_GPT_SPEEDUP,
        "close": _close("microgpt", ratio, TARGET_GPT_SPEEDUP, ours, theirs)})
    chain = workloads.get("chain", {})
    ours, theirs = (chain.get("rows", {}).get(n) for n in ("autograd-lite", "micrograd"))
    per_node = ours["peak_bytes"] / chain["nodes"] if ours else None
    measured = "not measured" if per_node is None else f"{per_node:.0f} B per node"
    if theirs:
        measured += f" (micrograd: {theirs['peak_bytes'] / chain['nodes']:.0f} B)"
    rows.append({"target": f"≤ {TARGET_BYTES:.0f} bytes per micrograd node on the chain "
                           "(tracemalloc peak, forward + backward)",
                 "measured": measured,
                 "met": None if per_node is None else per_node <= TARGET_BYTES})
    deep = results.get("deep_chain")
    if deep:
        measured = (f"ran in {_seconds(deep['seconds'])} (wall), exact gradient" if deep["ok"]
                    else f"failed: {deep['error']}")
        rows.append({"target": f"a {deep['steps']:,}-deep chain forward + backward",
                     "measured": measured,
                     "met": deep["ok"]})
    else:
        rows.append({"target": f"a {TARGET_DEPTH:,}-deep chain forward + backward",
                     "measured": "not measured", "met": None})
    row = workloads.get("mnist-nn", {}).get("rows", {}).get("autograd-lite")
    ratio = row and row["vs_micrograd"]
    fastest = results.get("mnist_nn_fastest")
    measured = _ratio(ratio) if ratio else "not measured"
    if ratio and fastest:
        measured += (f" (each engine's fastest of {fastest['reps']} interleaved runs, the "
                     f"collector frozen: {_ratio(fastest['speedup'])})")
    rows.append({"target": f"nn.MLP on one MNIST sample ≥ {TARGET_NN_SPEEDUP:.0f}× faster "
                           "than micrograd's MLP",
                 "measured": measured,
                 "met": None if not ratio else ratio >= TARGET_NN_SPEEDUP})
    compiled = results.get("compiled")
    ratio = compiled and compiled["vs_micrograd"]
    # the sizes measured, or the full run's when the compiled step did not run
    hidden = compiled["hidden"] if compiled else W.DEFAULT.mnist_hidden
    batch = compiled["batch"] if compiled else W.DEFAULT.compiled_batch
    rows.append({"target": f"compile: one MNIST sample (MLP 784-{hidden}-10, forward + "
                           f"backward) at batch {batch} ≥ "
                           f"{TARGET_COMPILED_SPEEDUP:,.0f}× faster than "
                           f"micrograd's per-sample step (aim {AIMED_COMPILED_SPEEDUP:,.0f}×)",
                 "measured": _ratio(ratio) if ratio else "not measured",
                 "met": None if not ratio else ratio >= TARGET_COMPILED_SPEEDUP})
    ratio = compiled and compiled["vs_numpy"]
    rows.append({"target": f"compile within {AIMED_COMPILED_VS_NUMPY:.0f}× of hand-written "
                           "numpy doing the same step (an aim)",
                 "measured": f"{ratio:.1f}× numpy's time" if ratio else "not measured",
                 "met": None if not ratio else ratio <= AIMED_COMPILED_VS_NUMPY})
    step = results.get("step")
    ratio = step and step["vs_numpy"]["autograd-lite"]
    hidden = step["hidden"] if step else W.DEFAULT.step_hidden
    batch = step["batch"] if step else W.DEFAULT.step_batch
    rows.append({"target": f"a whole training step (MNIST, MLP 784-{hidden}-10, batch {batch}, "
                           f"Adam: zero_grad, compiled forward + backward, step) ≤ "
                           f"{TARGET_STEP_VS_NUMPY:.0f}× hand-written numpy's time (aim "
                           f"{AIMED_STEP_VS_NUMPY:.0f}×)",
                 "measured": f"{ratio:.1f}× numpy's time" if ratio else "not measured",
                 "met": None if not ratio else ratio <= TARGET_STEP_VS_NUMPY})
    gpt = results.get("gpt")
    ratio = gpt and gpt["vs_eager"]
    batch = gpt["batch"] if gpt else W.DEFAULT.gpt_batch
    rows.append({"target": f"compile: microgpt's GPT per document (forward + backward) at "
                           f"batch {batch} ≥ {TARGET_GPT_COMPILED_SPEEDUP:.0f}× faster than "
                           "the scalar engine's per-document step",
                 "measured": _ratio(ratio) if ratio else "not measured",
                 "met": None if not ratio else ratio >= TARGET_GPT_COMPILED_SPEEDUP})
    if not results.get("full_size"):
        for row in rows:
            row["met"] = None
    return rows


def _close(name: str, ratio: Optional[float], threshold: float, ours: Optional[Dict[str, Any]],
           theirs: Optional[Dict[str, Any]]) -> str:
    """A note when a speed ratio lies nearer its threshold than the run's own
    noise (the larger spread of the two engines' totals), else ''."""
    if not ratio or not ours or not theirs:
        return ""
    noise = max(ours["spread"], theirs["spread"])
    if abs(ratio / threshold - 1) >= noise:
        return ""
    return (f"{name}: {_ratio(ratio)} against {threshold:g}×, nearer the line than the "
            f"spread of this run's repetitions ({noise * 100:.0f}%): another run may fall on "
            "the other side")


def _close_notes(targets: List[Dict[str, Any]]) -> List[str]:
    notes = [t["close"] for t in targets if t.get("close") and t["met"] is not None]
    if not notes:
        return []
    return ["", "Close to the line: " + "; ".join(notes) + "."]


def _names(names: Sequence[str]) -> str:
    """``a, b and c``."""
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def _status(met: Optional[bool]) -> str:
    return {True: "**met**", False: "**not met**", None: "not judged (not the full sizes)"}[met]


def markdown(results: Dict[str, Any]) -> str:
    """The results as a markdown document (what ``--out`` receives)."""
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `{results['command']}` on {m['date']}.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores; {m['python']}; {m['os']}",
        f"- autograd-lite: commit {m['commit']}",
        "- Engines: " + "; ".join(
            f"{name} {version}".strip() for name, version in results["engines"].items()),
    ]
    for name, why in results["skipped"].items():
        lines.append(f"- Skipped: {name}, {why}")
    lines += [
        f"- Clock: {results['clock']}; medians of the repetitions; garbage collector on, "
        "with an untimed `gc.collect()` before each timed repetition; engines interleaved, "
        "the order rotating each repetition.",
        f"- micrograd's backward is recursive: the recursion limit was raised to "
        f"{results['recursion_limit']:,} for the timed runs (the deepest-chain probe uses "
        f"the starting limit, {STARTING_RECURSION_LIMIT:,}).",
        "- Per node means per node of micrograd's graph for the same workload (micrograd "
        "makes a leaf for every constant); every engine's time is divided by that count.",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {_status(t['met'])} |")
    lines += _close_notes(results["targets"])

    for name, w in results["workloads"].items():
        check = w["check"]
        lines += ["", f"## {name}: {w['title']}", "",
                  f"{w['nodes']:,} micrograd nodes; {w['reps']} repetitions. "
                  + (f"Loss {check['loss']:.12g} on all {len(check['engines'])} engines "
                     f"(largest relative difference {check['loss_error']:.1e}; gradients "
                     f"{check['grad_error']:.1e})." if check["ok"] else
                     f"**ENGINES DISAGREE**: loss difference {check['loss_error']:.1e}, "
                     f"gradients {check['grad_error']:.1e} (tolerance {TOLERANCE:g})"
                     + ("" if check.get("bits_ok", True) else
                        f"; {', '.join(check['same_bits'])} should give the same loss to "
                        "the last bit and do not") + ".")
                  + (f" {_names(check['same_bits'])} give the same loss to the last bit "
                     f"({check['loss']!r})." if check["ok"] and check.get("same_bits") else ""),
                  "",
                  "| engine | forward ns/node | backward ns/node | total ns/node | total ms "
                  "| × faster than micrograd | × time of floats | peak B/node | free ns/node "
                  "| step ns/node | step × faster | spread |",
                  "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        nodes = w["nodes"]
        for engine, r in w["rows"].items():
            lines.append(
                f"| {r['label']} | {_ns(r['forward_ns'] / nodes)} | "
                f"{_ns(r['backward_ns'] / nodes) if r['has_backward'] else '—'} | "
                f"{_ns(r['total_ns'] / nodes)} | {r['total_ns'] / 1e6:,.1f} | "
                f"{_times(r['vs_micrograd'])} | {_times(r['vs_floats'])} | "
                f"{_bytes(engine, r['peak_bytes'] / nodes)} | {_ns(r['free_ns'] / nodes)} | "
                f"{_ns(r['step_ns'] / nodes)} | {_times(r['step_vs_micrograd'])} | "
                f"{r['spread'] * 100:.0f}% |")
        for engine, why in w["missing"].items():
            lines.append(f"| {engine} | {why} | | | | | | | | | | |")
        kept = [f"{r['label']} {r['kept_objects']:,.0f}" for r in w["rows"].values()
                if r["kept_objects"] > KEPT_OBJECTS_NOTED]
        if kept:
            lines += ["", "Objects still alive after a repetition's model and graph were "
                      "dropped (median per repetition; frozen out of later collections so "
                      "that no other engine pays for them): " + "; ".join(kept) + "."]

    compiled = results.get("compiled")
    if compiled:
        check = compiled["check"]
        lines += ["", f"## compiled: MLP 784-{compiled['hidden']}-10, cross-entropy, "
                  f"forward + backward, per MNIST sample", "",
                  f"`compile(lambda x, y: nn.cross_entropy(model(x), y))` over a batch of "
                  f"{compiled['batch']} real digits, `.mean().backward()` included (it writes "
                  f"every parameter's `.grad`), against micrograd's per-sample step and the "
                  f"same step in hand-written numpy; {compiled['reps']} repetitions, "
                  f"interleaved. " + (
                      f"compile and numpy agree: loss {check['loss']:.12g} (relative "
                      f"difference {check['loss_error']:.1e}), gradients "
                      f"{check['grad_error']:.1e}." if check["ok"] else
                      f"**compile and numpy DISAGREE**: loss {check['loss_error']:.1e}, "
                      f"gradients {check['grad_error']:.1e}."),
                  "", "| step | µs per sample | × faster than micrograd | × numpy's time |",
                  "|---|--:|--:|--:|"]
        micro = compiled["per_sample_ns"].get("micrograd")
        for name, ns in compiled["per_sample_ns"].items():
            lines.append(f"| {name} | {ns / 1e3:,.2f} | "
                         f"{_times(micro / ns) if micro else '—'} | "
                         f"{ns / compiled['per_sample_ns']['numpy']:.1f} |")
    lines += _step_table(results.get("step"))
    gpt = results.get("gpt")
    if gpt:
        check = gpt["check"]
        per_document = gpt["per_document_ns"]
        lines += ["", f"## gpt: microgpt's GPT (n_embd {gpt['n_embd']}, {gpt['heads']} heads, "
                  f"ReLU MLP, {gpt['parameters']:,} parameters), forward + backward, per "
                  f"document of {gpt['positions']} positions", "",
                  f"The GPT of `demos/gpt.py`: `compile(lambda tokens: document_loss(model, "
                  f"tokens))` over a batch of {gpt['batch']} documents, `.mean().backward()` "
                  f"included, against the scalar engine's step on one document (what "
                  f"`demos/gpt.py --eager` and microgpt do); {gpt['reps']} repetitions, "
                  f"interleaved. " + (
                      f"The compiled losses and gradients equal the scalar engine's to "
                      f"{max(check['loss_error'], check['grad_error']):.1e} relative."
                      if check["ok"] else
                      "**The compiled losses or gradients DIFFER from the scalar engine's.**"),
                  "", "| step | ms per document | × faster than eager |", "|---|--:|--:|",
                  f"| eager (one document) | {per_document['eager'] / 1e6:,.2f} | 1× |",
                  f"| compile (batch {gpt['batch']}) | {per_document['compile'] / 1e6:,.3f} | "
                  f"{_times(gpt['vs_eager'])} |"]
    lines += ["", "## Deepest chain", "",
              "Deepest `x -> x*1.0001 + 0.0001` chain that runs forward + backward with the "
              "exact gradient (probes 1,000, 10,000, … up to the cap, then bisection).",
              "", "| engine | deepest chain (steps) | its forward + backward (wall) "
              "| first failure |", "|---|--:|--:|---|"]
    for name, d in results["depth"].items():
        limit = (f" (recursion limit {STARTING_RECURSION_LIMIT:,})"
                 if d["error"] == "RecursionError" else "")
        deepest = f"{d['deepest']:,}" + (" (the cap)" if d["failed_at"] is None else "")
        failure = "none up to the cap" if d["failed_at"] is None else \
            f"{d['failed_at']:,} steps: {d['error']}"
        lines.append(f"| {name}{limit} | {deepest} | {_seconds(d['seconds'])} | {failure} |")
    lines += ["", "Columns: forward and backward are medians; total is the median of "
              "forward + backward; × faster than micrograd is micrograd's total over the "
              "engine's; × time of floats is the engine's total over the floats forward "
              "(floats have no backward); peak B/node is tracemalloc's peak during one "
              "forward + backward, over micrograd's node count († PyTorch's tensors and "
              "autograd nodes live in C++ allocations that tracemalloc does not see); free is "
              "the cost of dropping the graph afterwards (reference counting, or the cyclic "
              "collector for graphs of cycles), not in the total; step is forward + backward "
              "+ free, what one training step pays, and step × faster compares it with "
              "micrograd's; spread is (max - min) / median of the totals. The targets are "
              "judged on the total (forward + backward), as the issue states them.", ""]
    return "\n".join(lines)


def _step_table(step: Optional[Dict[str, Any]]) -> List[str]:
    """The step workload's section of the results table (none if not run)."""
    if not step:
        return []
    check = step["check"]
    lines = ["", f"## step: a whole training step, MLP 784-{step['hidden']}-10, batch "
             f"{step['batch']}, Adam", "",
             f"One step on real MNIST digits ({step['parameters']:,} parameters, "
             f"cross-entropy): zeroing the gradients, forward + backward (autograd-lite: "
             f"`compile`'s batch and `.mean().backward()`), and Adam's update; PyTorch in "
             f"float64 on {step['threads']} thread{'s' if step['threads'] > 1 else ''}, as "
             f"numpy's BLAS; each part and the whole step the fastest of {step['reps']} "
             f"interleaved repetitions. " + (
                 f"The three take the same step: loss {check['loss']:.12g} (relative "
                 f"difference {check['loss_error']:.1e}), weights after it within "
                 f"{check['weight_error']:.1e} × lr." if check["ok"] else
                 f"**The three DISAGREE**: loss {check['loss_error']:.1e}, weights "
                 f"{check['weight_error']:.1e} × lr."),
             "", "| way | zero ms | forward + backward ms | optimizer ms | step ms "
             "| × numpy's step |", "|---|--:|--:|--:|--:|--:|"]
    for name, ns in step["ns"].items():
        lines.append(f"| {name} | " + " | ".join(
            f"{ns[part] / 1e6:,.2f}" for part in S.PARTS + ("step",))
            + f" | {step['vs_numpy'][name]:.1f} |")
    return lines


# ---------------------------------------------------------------------------
# The README's performance section, and docs/performance.md's
# ---------------------------------------------------------------------------

README_MARKERS = ("<!-- performance:start -->", "<!-- performance:end -->")


def _spread_of(results: Dict[str, Any], engine: str, key: str, scale: float = 1.0,
               per_node: bool = True) -> Optional[Tuple[float, float]]:
    """The smallest and largest of ``key`` for ``engine`` over the workloads."""
    values = []
    for w in results["workloads"].values():
        row = w["rows"].get(engine)
        if row is not None and row.get(key) is not None:
            values.append(row[key] / (w["nodes"] if per_node else 1) * scale)
    return (min(values), max(values)) if values else None


def _span(bounds: Optional[Tuple[float, float]], fmt: str) -> str:
    low, high = bounds  # type: ignore[misc]
    return f"{low:{fmt}} to {high:{fmt}}"


def _run_line(results: Dict[str, Any]) -> str:
    m = results["machine"]
    return (f"The run below, `{results['command']}`, was on {m['cpu']}, {m['cores']} cores; "
            f"{m['python']}; {m['os']}; {m['date']}; autograd-lite: commit {m['commit']}.")


def _targets_table(results: Dict[str, Any], notes: bool = True) -> List[str]:
    """The targets met or missed, the notes on those close to their line (or,
    without ``notes``, which they are), and the missed ones named."""
    lines = ["| target | measured | |", "|---|---|---|"]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {_status(t['met'])} |")
    missed = [t["target"] for t in results["targets"] if t["met"] is False]
    if notes:
        lines += _close_notes(results["targets"])
    else:
        close = [t["close"].split(":")[0] for t in results["targets"]
                 if t.get("close") and t["met"] is not None]
        if close:
            lines += ["", f"Nearer their line than this run's spread: {', '.join(close)} "
                          "(another run may fall on the other side)."]
    lines.append("")
    if missed:
        lines += [f"**Missed in this run:** {'; '.join(missed)}.", ""]
    return lines


def readme_section(results: Dict[str, Any]) -> str:
    """The README's short performance section, from one run: the targets met
    or missed, and where the rest is (docs/performance.md)."""
    lines = ["`make bench` times autograd-lite against micrograd, microgpt's local-gradient "
             "`Value`, PyTorch and plain floats on the same graphs, and `compile` against "
             "hand-written numpy. " + _run_line(results), ""]
    lines += _targets_table(results, notes=False)
    lines.append("How it is measured, the other figures of this run and where the time goes: "
                 "[docs/performance.md](docs/performance.md).")
    return "\n".join(_wrap(line) for line in lines)


def performance_section(results: Dict[str, Any]) -> str:
    """docs/performance.md's section, from one run: what the benchmark does,
    the targets met or missed, and where the time goes."""
    workloads = results["workloads"]
    lines = [
        "`make bench` (or `python benchmarks/run.py`, a few minutes on 2 cores) times "
        "autograd-lite against micrograd 0.1.0, microgpt's local-gradient `Value`, PyTorch "
        "(0-d float64 tensors) and plain floats on the same graphs, built op by op as "
        "micrograd and microgpt build them, and `compile`'s batch step against "
        "hand-written numpy. It prints the table; `--write` writes it to "
        "`benchmarks/results.md`, `--readme` this section and the README's (`make "
        "bench-results` does both); "
        "`benchmarks/README.md` says what each figure means.",
        "- All engines run in one process, interleaved.",
        "- Figures are medians of the repetitions, with the garbage collector on and an "
        "untimed `gc.collect()` before each timed repetition.",
        "- Every time is divided by micrograd's node count for that workload (micrograd "
        "makes a leaf for every constant).",
        "",
        _run_line(results),
        "",
    ]
    lines += _targets_table(results)
    lines.append('Read the targets\' "×" as forward + backward. "A whole training step" '
                 "adds freeing the graph.")
    freed = _spread_of(results, "micrograd", "free_ns", 1e-3)
    ours = _spread_of(results, "autograd-lite", "free_ns")
    if freed and ours:
        lines[-1] += (" micrograd's graphs are reference cycles (a closure per node), so "
                      "only the cyclic garbage collector can free them: "
                      f"{_span(freed, '.1f')} µs per node in this run. autograd-lite's "
                      "graphs have no cycles; reference counting frees them, at "
                      f"{_span(ours, '.1f')} ns per node.")
    gpt = workloads.get("microgpt")
    if gpt and gpt["check"].get("same_bits") and gpt["check"]["ok"]:
        lines += ["", f"On the microgpt workload {_names(gpt['check']['same_bits'])} give the "
                  f"same loss to the last bit ({gpt['check']['loss']!r}); microgpt's Value "
                  "agrees to rounding (its a / b is a * b**-1), and so do the gradients "
                  f"(largest relative difference {gpt['check']['grad_error']:.1e}), as "
                  "autograd-lite adds a node's gradient contributions in another order than "
                  "microgpt's reverse depth-first walk."]
    compiled = results.get("compiled")
    if compiled and compiled["check"]["ok"]:
        per_sample = compiled["per_sample_ns"]
        lines += ["", f"**Compiled, whole batches.** One real MNIST training sample (MLP "
                  f"784-{compiled['hidden']}-10, cross-entropy, forward + backward) through "
                  f"`compile` at batch {compiled['batch']} takes "
                  f"{per_sample['compile'] / 1e3:,.1f} µs, against "
                  + (f"{per_sample['micrograd'] / 1e3:,.0f} µs for micrograd's per-sample "
                     f"step ({compiled['vs_micrograd']:,.0f}× faster) and "
                     if per_sample.get("micrograd") else "")
                  + f"{per_sample['numpy'] / 1e3:,.1f} µs for the same step in hand-written "
                  f"numpy ({compiled['vs_numpy']:.1f}× numpy's time). compile and numpy agree "
                  f"on the loss and every gradient (relative difference "
                  f"{compiled['check']['grad_error']:.1e})."]
    step = results.get("step")
    if step and step["check"]["ok"]:
        ms = {name: ns["step"] / 1e6 for name, ns in step["ns"].items()}
        ours = step["ns"]["autograd-lite"]
        lines += ["", f"**A whole training step.** One MNIST step (MLP 784-{step['hidden']}-10, "
                  f"batch {step['batch']}, Adam) takes {ms['autograd-lite']:.1f} ms: "
                  f"`zero_grad()` {ours['zero'] / 1e6:.1f}, compiled forward + backward "
                  f"{ours['forward_backward'] / 1e6:.1f}, `Adam.step()` "
                  f"{ours['optimizer'] / 1e6:.1f} (numpy over all parameters at once, "
                  f"bit for bit torch's rule); "
                  + (f"PyTorch {ms['torch']:.1f} ms, " if "torch" in ms else "")
                  + f"hand-written numpy {ms['numpy']:.1f} ms "
                  f"({step['vs_numpy']['autograd-lite']:.1f}× numpy's time)."]
    floor = {name: _spread_of(results, name, "vs_floats", per_node=False)
             for name in ("autograd-lite", "micrograd", "microgpt")}
    if all(floor.values()):
        lines += ["", "Plain floats doing the same arithmetic are the floor: in this run "
                  f"autograd-lite takes {_span(floor['autograd-lite'], '.0f')} times as long "
                  f"as floats, microgpt's Value {_span(floor['microgpt'], '.0f')} times, and "
                  f"micrograd {_span(floor['micrograd'], '.0f')} times. PyTorch's 0-d tensors "
                  "run at micrograd's speed: each op crosses into C++ for a single number. "
                  "Timings on this shared machine are noisy (see the spread column of "
                  "`benchmarks/results.md`); the ratios, from interleaved runs, move less."]
    chain = workloads.get("chain", {}).get("rows", {})
    bytes_text = ""
    if "autograd-lite" in chain and "micrograd" in chain:
        nodes = workloads["chain"]["nodes"]
        bytes_text = (f" That makes {chain['autograd-lite']['peak_bytes'] / nodes:.0f} bytes "
                      f"per micrograd node on the chain, against micrograd's "
                      f"{chain['micrograd']['peak_bytes'] / nodes:.0f}.")
    lines += [
        "",
        "Where the time goes, and what made it so:",
        "- **One node per op, never changed.** Every op makes one new `__slots__` object "
        "whose data, op and inputs are fixed when it is returned: the graph is the "
        "expression as written, and no node is merged or rewritten afterwards. Its inputs "
        "live in two slots, and a constant operand (`x * 2`) is kept in the node rather "
        "than wrapped as a leaf; there is no closure, so no reference cycle." + bytes_text,
        "- **Cheap backward.** Backward is two loops, no recursion. The first counts each "
        "node's consumers; the second is Kahn's algorithm, and the input that becomes "
        "ready goes next without a round trip through the stack. Partials are read off "
        "the op table, or straight off its text when they are numbers (`a + b`: 1 and 1) "
        "or an input (`a * b`: b and a), without a call.",
        "- **The fused neuron, when asked for.** `nn` computes a neuron as one `dot` node "
        "and keeps its weights in `Leaves`, a tuple checked once: `dot` neither rechecks "
        "them in the forward pass nor counts them in backward, and backward skips zero "
        "inputs (black pixels) in C, and a whole neuron whose ReLU is off (its gradient is "
        "0 and its inputs finite, so every product would be ±0.0). micrograd-style "
        "`sum(w * x)` code gets one node per "
        "op, as written.",
        "- **What is left.** Each op is still a Python call and a new object, and the "
        "garbage collector scans the graph as it grows. Merging nodes saves that, but only "
        "where no one can hold an intermediate: on a recorded tape, which is what "
        "`compile` replays (above), never in the eager engine. `python "
        "benchmarks/node_cost.py` times each part of a node (`benchmarks/README.md`, "
        "*Where a node's time goes*).",
    ]
    return "\n".join(_wrap(line) for line in lines)


def _wrap(line: str, width: int = 80) -> str:
    """A paragraph or list item of the section, wrapped; table rows kept whole."""
    if line.startswith("|") or len(line) <= width:
        return line
    indent = "  " if line.startswith("- ") else ""
    return textwrap.fill(line, width, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


def _write_readme(path: Path, section: str) -> None:
    """Replace what lies between the performance markers of ``path`` (README.md,
    or docs/performance.md) with ``section``."""
    text = path.read_text(encoding="utf-8")
    start, end = README_MARKERS
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), re.S)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{path}: expected one {start} … {end} block to replace")
    new = pattern.sub(lambda _: f"{start}\n{section}\n{end}", text)
    write_atomically(path, lambda f: f.write(new), where="benchmarks")


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def _parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark autograd-lite against micrograd, PyTorch and plain floats.")
    parser.add_argument("--reps", type=int, default=None,
                        help="timed repetitions per engine and workload (default: "
                             + ", ".join(f"{k} {v}" for k, v in DEFAULT_REPS.items())
                             + f"; {QUICK_REPS} with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, for a smoke test in seconds")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, default=None, metavar="PATH",
                       help="also write the markdown table to PATH")
    where.add_argument("--write", dest="out", action="store_const", const=RESULTS,
                       help=f"also write it to {RESULTS.relative_to(ROOT)}, the table "
                            "the README quotes (a tracked file)")
    parser.add_argument("--engines", nargs="+", default=list(W.ENGINE_NAMES),
                        choices=W.ENGINE_NAMES, metavar="ENGINE",
                        help=f"engines to run (default: all of {' '.join(W.ENGINE_NAMES)})")
    parser.add_argument("--workloads", nargs="+", default=WORKLOAD_NAMES,
                        choices=WORKLOAD_NAMES, metavar="WORKLOAD",
                        help=f"workloads to run (default: all of {' '.join(WORKLOAD_NAMES)})")
    parser.add_argument("--max-depth", type=int, default=None,
                        help="largest chain the deepest-chain probe tries "
                             f"(default {W.DEFAULT.max_depth:,}; "
                             f"{W.QUICK.max_depth:,} with --quick)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                        help="wall (perf_counter) or cpu (process_time: less sensitive to "
                             "other processes on a shared machine)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress lines on stderr, and no table on stdout")
    parser.add_argument("--readme", nargs="?", type=Path, const=ROOT / "README.md",
                        default=None, metavar="PATH",
                        help="also rewrite the performance sections of README.md (or PATH) "
                             "and docs/performance.md from this run")
    args = parser.parse_args(argv)
    if args.readme is not None and args.quick:
        parser.error("--readme writes the full run's figures; drop --quick")
    if args.readme is not None and (set(args.engines) != set(W.ENGINE_NAMES)
                                    or set(args.workloads) != set(WORKLOAD_NAMES)):
        parser.error("--readme writes every target's figure; run all engines and "
                     "workloads (drop --engines and --workloads)")
    if args.reps is not None and args.reps < 1:
        parser.error(f"--reps must be at least 1, got {args.reps}")
    if args.max_depth is not None and args.max_depth < 1:
        parser.error(f"--max-depth must be at least 1, got {args.max_depth}")
    return args


def _benchmark(args: argparse.Namespace, command: str) -> Dict[str, Any]:
    started = time.perf_counter()
    log = (lambda message: None) if args.quiet else \
        (lambda message: print(f"[bench {time.perf_counter() - started:5.0f} s] {message}",
                               file=sys.stderr, flush=True))
    sizes = W.QUICK if args.quick else W.DEFAULT
    if args.max_depth is not None:
        sizes = dataclasses.replace(sizes, max_depth=args.max_depth)
    engines, skipped = W.available_engines(args.engines)
    clock = CLOCKS[args.clock]
    # Move what the imports made (torch alone makes ~170,000 tracked objects)
    # out of the collector's sight: every engine's collections then scan the
    # workloads' objects only, as in a process that imported just that engine.
    gc.collect()
    gc.freeze()
    recursion_limit = max(STARTING_RECURSION_LIMIT, 4 * sizes.chain_steps + 10_000)
    results: Dict[str, Any] = {
        "machine": _machine(), "command": command, "clock": args.clock,
        "engines": {name: e.version for name, e in engines.items()},
        "skipped": skipped, "recursion_limit": recursion_limit,
        "workloads": {}, "depth": {}}

    try:
        sys.setrecursionlimit(recursion_limit)
        try:
            for name in args.workloads:
                reps = args.reps or (QUICK_REPS if args.quick else DEFAULT_REPS[name])
                if name == "compiled":
                    results["compiled"] = C.measure(sizes, reps, clock, engines, log)
                    continue
                if name == "step":
                    results["step"] = S.measure(sizes, reps, clock, engines, log)
                    continue
                if name == "gpt":
                    results["gpt"] = G.measure(sizes, reps, clock, log)
                    continue
                results["workloads"][name] = _run_workload(
                    W.WORKLOADS[name], engines, sizes, reps, clock, log)
                if name == "mnist-nn" and {"autograd-lite", "micrograd"} <= set(engines):
                    log("mnist-nn: fastest of interleaved runs, collector frozen")
                    results["mnist_nn_fastest"] = E.measure(
                        sizes, QUICK_REPS if args.quick else EAGER_NN_REPS, clock, engines)
        finally:
            sys.setrecursionlimit(STARTING_RECURSION_LIMIT)
        for name, engine in engines.items():
            if engine.backward is not None:
                results["depth"][name] = _deepest_chain(engine, sizes.max_depth, log)
        if "autograd-lite" in results["depth"]:
            d = results["depth"]["autograd-lite"]
            results["deep_chain"] = {"steps": d["cap"], "ok": d["failed_at"] is None,
                                     "error": d["error"], "seconds": d["seconds"]}
    finally:
        gc.unfreeze()
    results["full_size"] = sizes == W.DEFAULT
    results["targets"] = _targets(results)
    results["ok"] = all(w["check"]["ok"] for w in results["workloads"].values()) and all(
        results.get(name, {}).get("check", {}).get("ok", True)
        for name in ("compiled", "step", "gpt"))
    return results


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Run the benchmark, write the markdown table, and return the figures.

    Args:
        argv: command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        A dict: ``machine``, ``engines``, ``workloads`` (per workload: node
        count, correctness ``check``, and per engine ``rows`` of medians in ns
        and ratios), ``depth``, ``deep_chain``, ``targets``, ``ok`` (every
        workload's engines agreed) and ``out`` (the path the table was
        written to, or None).
    """
    args = _parse(argv)
    shown = list(sys.argv[1:] if argv is None else argv)
    command = " ".join(["python benchmarks/run.py", *shown])

    # micrograd's recursive backward needs a deep stack on Pythons whose
    # Python-to-Python calls use the C stack (before 3.11): run in a thread
    # with a large one. Every engine runs in that same thread.
    outcome: Dict[str, Any] = {}

    def work():
        try:
            outcome["results"] = _benchmark(args, command)
        except BaseException as error:        # re-raised in the calling thread
            outcome["error"] = error

    previous = threading.stack_size()
    try:
        threading.stack_size(512 * 1024 * 1024)
    except (ValueError, RuntimeError):
        pass
    try:
        worker = threading.Thread(target=work, name="benchmark", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    results = outcome["results"]
    table = markdown(results)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(args.out, lambda f: f.write(table), where="benchmarks")
    results["out"] = None if args.out is None else str(args.out)
    if args.readme is not None:
        _write_readme(args.readme, readme_section(results))
        _write_readme(args.readme.parent / "docs" / "performance.md",
                      performance_section(results))
    if not args.quiet:
        print(table)
    return results


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
