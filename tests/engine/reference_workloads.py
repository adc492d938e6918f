"""Workloads whose every gradient is printed bit for bit (``float.hex``), for
``test_reference_mode``: run once with the accelerator and once on the core
alone (``AUTOGRAD_LITE_REFERENCE=1``), the two outputs must be the same text.

Run as a script: ``python tests/engine/reference_workloads.py`` prints one line per
workload, its name, whether the accelerator is installed, then the loss and
every leaf's gradient in hex.
"""

from __future__ import annotations

import math
import os
import random
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograd_lite import (OPS, Leaves, Value, accelerator, apply_op, dot,  # noqa: E402
                           logsumexp, vsum)
import nn  # noqa: E402


def _hex(x) -> str:
    return (x.data if isinstance(x, Value) else float(x)).hex()


def chain():
    x = Value(1.0)
    y = x
    for _ in range(2_000):
        y = y * 1.0001 + 0.0001
    return y, [x]


def reuse_and_constants():
    a, b = Value(1.5), Value(-0.75)
    y = a * a + 2 * a - b / a + 3 - b + (a - 1.0) * (2.0 - b) + b ** 3 + 2.0 ** a + a ** b
    y = y + abs(b) + (-a) * 0.5 + 1 / (a + 4) + a / 2
    return y, [a, b]


def every_op():
    """Each op of the table on random inputs in its domain, summed."""
    rng = random.Random(7)
    leaves, terms = [], []
    for name in sorted(OPS):
        op = OPS[name]
        if op.forward is None or op.layout not in (1, 2, 5, 6):
            continue
        args = []
        for domain in op.domain:
            low, high = domain[0]
            if op.layout in (5, 6):
                xs = [Value(rng.uniform(max(low, -3.0), min(high, 3.0))) for _ in range(4)]
                leaves.extend(xs)
                args.append(xs)
            else:
                x = Value(rng.uniform(max(low, -3.0), min(high, 3.0)))
                leaves.append(x)
                args.append(x)
        if op.param:
            args.append(op.param_samples[0] if op.param_samples else 0.5)
        terms.append(apply_op(op, *args))
    return vsum(terms) * 0.5 + terms[0] * terms[-1], leaves


def random_graph(seed: int):
    """A random expression of shared subexpressions over a few leaves."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2.0, 2.0)) for _ in range(5)]
    pool = list(leaves)
    unary = ["tanh", "sigmoid", "sin", "cos", "relu", "softplus", "gelu", "exp"]
    for _ in range(60):
        kind = rng.random()
        a, b = rng.choice(pool), rng.choice(pool)
        if kind < 0.25:
            node = a * b
        elif kind < 0.45:
            node = a + b
        elif kind < 0.55:
            node = a - rng.uniform(-1, 1)
        elif kind < 0.65:
            node = rng.uniform(-1, 1) - a
        elif kind < 0.75:
            node = getattr(a * 0.1, rng.choice(unary))()
        elif kind < 0.82:
            node = dot(rng.sample(pool, 3), rng.sample(pool, 3))
        elif kind < 0.88:
            node = dot(rng.sample(pool, 3), [rng.uniform(-1, 1) for _ in range(3)])
        elif kind < 0.94:
            node = logsumexp(rng.sample(pool, 3))
        else:
            node = a / (b * b + 1.0)
        pool.append(node)
    return vsum(pool[-10:]), leaves


def neuron_with_black_pixels():
    """nn's path: a dot over Leaves whose inputs are mostly zero (a black pixel)."""
    rng = random.Random(3)
    w = Leaves([Value(rng.uniform(-1, 1)) for _ in range(20)])
    x = tuple(0.0 if i % 3 else rng.uniform(0, 1) for i in range(20))
    h = [dot(w, x).tanh() for _ in range(3)]
    return vsum(h) * h[0], list(w)


def mlp_moons():
    rng = random.Random(0)
    model = nn.MLP(2, [8, 8, 1], seed=0)
    xs = [[rng.uniform(-1, 2), rng.uniform(-1, 1)] for _ in range(16)]
    ys = [1.0 if rng.random() < 0.5 else -1.0 for _ in range(16)]
    losses = [(1 + -y * model(x)).relu() for x, y in zip(xs, ys)]
    return vsum(losses) * (1.0 / len(losses)), model.parameters()


def dead_neurons():
    """ReLUs that are off in both hidden layers (a dot whose gradient is 0),
    and one off because its pixel is inf, so its weight's gradient is nan."""
    model = nn.MLP(6, [8, 8, 3], seed=1)
    loss = nn.cross_entropy(model((0.0, 1.5, -2.0, 0.0, 0.25, 3.0)), 2)
    w = Leaves([Value(-1.0), Value(0.5)])
    off = dot(w, (math.inf, 0.0)).relu()
    return loss + off * 2.0, model.parameters() + list(w)


def hand_built():
    a, b = Value(0.3), Value(-1.2)
    c = Value(a.data * b.data, (a, b), (b.data, a.data))
    d = Value(math.tanh(c.data), (c,), (1 - math.tanh(c.data) ** 2,))
    return d * a + c, [a, b]


def accumulated_twice():
    """Leaves accumulate across calls; interior nodes are recomputed."""
    x, y = Value(0.7), Value(-0.2)
    z = (x * y).tanh() + x
    z.backward()
    return z * z, [x, y]


def second_derivative():
    x = Value(0.9)
    y = (x * x * x).sin() + x.exp() * 2
    y.backward(create_graph=True)
    g = x.grad
    x.grad = 0.0
    return g, [x]


WORKLOADS = [chain, reuse_and_constants, every_op, neuron_with_black_pixels, mlp_moons,
             dead_neurons, hand_built, accumulated_twice, second_derivative] + [
    (lambda seed=seed: random_graph(seed)) for seed in range(20)]


def main() -> None:
    warnings.simplefilter("ignore")
    print("accelerated" if accelerator.installed() else "reference")
    for i, workload in enumerate(WORKLOADS):
        loss, leaves = workload()
        loss.backward()
        print(i, _hex(loss), " ".join(_hex(p.grad) for p in leaves))


if __name__ == "__main__":
    main()
