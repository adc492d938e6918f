"""micrograd's classic demo: an MLP separates two interleaved half-moons.

As in micrograd's ``demo.ipynb``: 100 points of ``make_moons(noise=0.1)``
(generated here with numpy, no scikit-learn), labels mapped to -1/+1,
``MLP(2, [16, 16, 1])`` with micrograd's uniform initialization, the SVM
"max-margin" loss mean(relu(1 - y * score)) plus an L2 penalty
1e-4 * sum(p²), and full-batch SGD whose learning rate decays linearly
from 1.0 to 0.1 over the 100 steps (micrograd's ``1.0 - 0.9 * k / 100``,
here ``nn.LinearLR``). Writes ``moons.png``: the decision boundary with the
points, and the loss and accuracy per step.

Run: ``python demos/moons.py [--steps 100] [--n-samples 100] [--noise 0.1] [--seed 0]``
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:           # run from a clean clone: import nn, autograd_lite, demos
    sys.path.insert(0, ROOT)

from typing import Dict, List, Optional, Sequence, Tuple  # noqa: E402

import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd_lite import dot, no_grad  # noqa: E402
from demos._common import (demo_parser, output_dir, plt, positive_float,  # noqa: E402
                           positive_int, progress, run, save_figure)

__all__ = ["main", "make_moons"]

L2_ALPHA = 1e-4


def make_moons(n_samples: int = 100, noise: float = 0.1,
               seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as scikit-learn's ``make_moons``.

    The upper moon is the half circle (cos t, sin t), t in [0, pi]; the lower
    one is (1 - cos t, 1/2 - sin t), shifted so that each moon's tip reaches
    into the other's hollow. Gaussian noise of standard deviation ``noise``
    is added to both coordinates, and the points are shuffled.

    Args:
        n_samples: total number of points (the upper moon gets the smaller half).
        noise: standard deviation of the noise.
        seed: seed of the noise and the shuffle.

    Returns:
        ``X`` (n_samples, 2) float64 and ``y`` (n_samples,) int labels: 0 for
        the upper moon, 1 for the lower.

    Example:
        >>> X, y = make_moons(6, noise=0.0, seed=0)
        >>> X.shape, sorted(y.tolist())
        ((6, 2), [0, 0, 0, 1, 1, 1])
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"make_moons: n_samples must be an int >= 2, got {n_samples!r}")
    if not noise >= 0:
        raise ValueError(f"make_moons: noise must be >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    X = np.concatenate([
        np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
        np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)]),
    ])
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def parse_args(argv: Optional[Sequence[str]]):
    parser = demo_parser("moons", "micrograd's demo: MLP(2, [16, 16, 1]), hinge loss and "
                         "SGD with a decaying learning rate on two half-moons.")
    parser.add_argument("--steps", type=positive_int, default=100, help="full-batch SGD steps")
    parser.add_argument("--n-samples", type=positive_int, default=100, help="points")
    parser.add_argument("--noise", type=float, default=0.1,
                        help="standard deviation of the noise on the moons")
    parser.add_argument("--grid", type=positive_int, default=100,
                        help="resolution of the decision-boundary picture")
    parser.add_argument("--lr", type=positive_float, default=1.0,
                        help="initial learning rate (decays linearly to a tenth of it)")
    args = parser.parse_args(argv)
    if args.n_samples < 2:
        parser.error(f"--n-samples must be at least 2 (one point per moon), got {args.n_samples}")
    if not args.noise >= 0:
        parser.error(f"--noise must be >= 0, got {args.noise}")
    if args.grid < 2:
        parser.error(f"--grid must be at least 2 (points per side of the picture), got "
                     f"{args.grid}")
    return args


def train(model: nn.MLP, X: np.ndarray, labels: np.ndarray, steps: int,
          lr: float) -> Tuple[List[float], List[float]]:
    """micrograd's loop; returns the total loss and the accuracy at each step."""
    inputs = X.tolist()
    targets = labels.tolist()                      # -1 or +1
    params = model.parameters()
    opt = nn.SGD(params, lr=lr)
    # lr_k = lr * (1 - 0.9 k / steps), micrograd's 1.0 - 0.9 * k / 100.
    schedule = nn.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=steps)
    losses, accuracies = [], []
    for _ in progress(range(steps), desc="moons", unit="step"):
        scores = [model(x) for x in inputs]
        data_loss = nn.hinge_loss(scores, targets)
        reg_loss = L2_ALPHA * dot(params, params)          # 1e-4 * sum(p²), one dot node
        loss = data_loss + reg_loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        losses.append(loss.data)
        accuracies.append(float(np.mean([(s.data > 0) == (t > 0)
                                         for s, t in zip(scores, targets)])))
    return losses, accuracies


def accuracy(model: nn.MLP, X: np.ndarray, labels: np.ndarray) -> float:
    with no_grad():
        return float(np.mean([(model(x).data > 0) == (t > 0)
                              for x, t in zip(X.tolist(), labels.tolist())]))


def plot(model: nn.MLP, X: np.ndarray, labels: np.ndarray, losses: List[float],
         accuracies: List[float], grid: int, path: Path) -> Path:
    """Decision boundary (left); loss and accuracy per step (right)."""
    fig, (ax_map, ax_curve) = plt.subplots(1, 2, figsize=(11, 4.4),
                                           gridspec_kw={"width_ratios": [1.25, 1]})
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, grid)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, grid)
    with no_grad():
        scores = np.array([[model([a, b]).data for a in xs.tolist()] for b in ys.tolist()])
    ax_map.contourf(xs, ys, scores > 0, levels=[-0.5, 0.5, 1.5],
                    colors=["#f4a582", "#92c5de"], alpha=0.6)
    ax_map.contour(xs, ys, scores, levels=[0.0], colors="k", linewidths=1.2)
    for label, colour, marker, name in ((-1, "#b2182b", "o", "y = -1 (upper moon)"),
                                        (1, "#2166ac", "s", "y = +1 (lower moon)")):
        points = X[labels == label]
        ax_map.scatter(points[:, 0], points[:, 1], c=colour, marker=marker, s=28,
                       edgecolors="black", linewidths=0.6, label=name, zorder=3)
    ax_map.legend(loc="lower left", fontsize=9, framealpha=0.9)
    ax_map.set(xlabel="x1", ylabel="x2", aspect="equal",
               title=f"Decision boundary (score = 0), accuracy {accuracies[-1]:.0%}")

    steps = np.arange(1, len(losses) + 1)
    ax_curve.plot(steps, losses, color="#b2182b", label="loss (hinge + L2)")
    ax_curve.set(xlabel="SGD step (full batch)", ylabel="loss", title="Training")
    ax_curve.set_ylim(bottom=0)
    ax_acc = ax_curve.twinx()
    ax_acc.plot(steps, accuracies, color="#2166ac", label="accuracy")
    ax_acc.set_ylabel("training accuracy")
    ax_acc.set_ylim(0.4, 1.02)
    ax_acc.spines["right"].set_visible(True)
    lines = ax_curve.get_lines() + ax_acc.get_lines()
    ax_curve.legend(lines, [line.get_label() for line in lines], loc="center right")
    fig.suptitle("micrograd's moons demo: MLP(2, [16, 16, 1]), hinge loss, SGD", fontsize=12)
    fig.tight_layout()
    return save_figure(fig, path)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, object]:
    """Train on the moons, save the picture; returns the final metrics."""
    args = parse_args(argv)
    out = output_dir(args.out)
    X, y = make_moons(args.n_samples, noise=args.noise, seed=args.seed)
    labels = 2 * y - 1                              # micrograd's y * 2 - 1: -1 or +1
    model = nn.MLP(2, [16, 16, 1], seed=args.seed)  # micrograd's init: U(-1, 1)
    losses, accuracies = train(model, X, labels, args.steps, args.lr)
    final = accuracy(model, X, labels)
    picture = plot(model, X, labels, losses, accuracies, args.grid, out / "moons.png")
    print(f"moons: accuracy {final:.0%} on {args.n_samples} points after {args.steps} steps, "
          f"final loss {losses[-1]:.4f}; picture: {picture}")
    return {"accuracy": final, "final_loss": losses[-1], "steps": args.steps,
            "pictures": [str(picture)]}


if __name__ == "__main__":
    run(main, "moons")
