"""XOR: the smallest problem a single neuron cannot solve, learnt by a two-layer MLP.

XOR's two classes sit on opposite corners of the unit square, so no straight
line separates them; one hidden layer of tanh neurons bends the boundary.
The network (2 inputs, 4 tanh neurons, 1 output logit) is trained full-batch
with Adam on the binary cross-entropy of the logit. The demo prints the truth
table with the network's predictions and writes:

* ``xor.png``: the decision boundary (p(y = 1) over the plane) and the loss curve;
* ``network.svg``: the trained network's computation graph for the input (1, 0),
  after a backward pass, so each box shows its value and its gradient.

Run: ``python demos/xor.py [--steps 300] [--hidden 4] [--seed 0] [--out out/xor]``
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:           # run from a clean clone: import nn, autograd_lite, demos
    sys.path.insert(0, ROOT)

from typing import Dict, List, Optional, Sequence  # noqa: E402

import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd_lite import Value, no_grad, save_graph  # noqa: E402
from autograd_lite.graph import GraphvizNotFoundError  # noqa: E402
from demos._common import (demo_parser, output_dir, plt, positive_float,  # noqa: E402
                           positive_int, progress, run, save_figure)

__all__ = ["main", "XOR_INPUTS", "XOR_TARGETS"]

XOR_INPUTS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
XOR_TARGETS = [0, 1, 1, 0]


def parse_args(argv: Optional[Sequence[str]]):
    parser = demo_parser("xor", "An MLP learns XOR: truth table, decision boundary, "
                         "loss curve and the network's computation graph.")
    parser.add_argument("--steps", type=positive_int, default=300,
                        help="full-batch Adam steps")
    parser.add_argument("--hidden", type=positive_int, default=4,
                        help="tanh neurons in the hidden layer")
    parser.add_argument("--lr", type=positive_float, default=0.05, help="Adam's learning rate")
    return parser.parse_args(argv)


def probability(model: nn.MLP, x: Sequence[float]) -> float:
    """p(y = 1 | x): the sigmoid of the network's logit, without building a graph."""
    with no_grad():
        return model(list(x)).sigmoid().data


def train(model: nn.MLP, steps: int, lr: float) -> List[float]:
    """Full-batch Adam on the mean binary cross-entropy; returns the loss per step."""
    opt = nn.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in progress(range(steps), desc="xor", unit="step"):
        opt.zero_grad()
        logits = [model(list(x)) for x in XOR_INPUTS]
        loss = nn.binary_cross_entropy_with_logits(logits, XOR_TARGETS)
        loss.backward()
        opt.step()
        losses.append(loss.data)
    return losses


def truth_table(probabilities: Sequence[float]) -> str:
    """The XOR truth table with the network's p(y = 1) and its prediction."""
    lines = ["  x1  x2 | x1 XOR x2 | p(y=1) | predicted",
             "  ------ + --------- + ------ + ---------"]
    for (x1, x2), target, p in zip(XOR_INPUTS, XOR_TARGETS, probabilities):
        predicted = int(p > 0.5)
        mark = "ok" if predicted == target else "WRONG"
        lines.append(f"  {x1:2.0f}  {x2:2.0f} | {target:^9d} | {p:6.3f} | {predicted:^9d} {mark}")
    return "\n".join(lines)


def plot_training(model: nn.MLP, losses: List[float], path: Path) -> Path:
    """Decision boundary (left) and loss curve (right), side by side."""
    fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(10, 4.2),
                                          gridspec_kw={"width_ratios": [1, 1.15]})
    grid = np.linspace(-0.5, 1.5, 81)
    p = np.array([[probability(model, (a, b)) for a in grid] for b in grid])
    filled = ax_map.contourf(grid, grid, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r",
                             alpha=0.85)
    ax_map.contour(grid, grid, p, levels=[0.5], colors="k", linewidths=1.5)
    fig.colorbar(filled, ax=ax_map, label="p(y = 1)", ticks=[0, 0.25, 0.5, 0.75, 1])
    for (x1, x2), target in zip(XOR_INPUTS, XOR_TARGETS):
        ax_map.scatter(x1, x2, s=170, marker="o" if target else "s",
                       c="#b2182b" if target else "#2166ac", edgecolors="black",
                       linewidths=2, zorder=3)
    ax_map.scatter([], [], s=80, marker="o", c="#b2182b", edgecolors="black", label="XOR = 1")
    ax_map.scatter([], [], s=80, marker="s", c="#2166ac", edgecolors="black", label="XOR = 0")
    ax_map.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, frameon=False)
    ax_map.set(xlabel="x1", ylabel="x2", aspect="equal",
               title="Decision boundary (black: p = 0.5)")

    ax_loss.plot(np.arange(1, len(losses) + 1), losses, color="#2166ac")
    ax_loss.set_yscale("log")
    ax_loss.set(xlabel="Adam step (full batch of 4)", ylabel="binary cross-entropy (log scale)",
                title="Training loss")
    ax_loss.grid(True, which="both", alpha=0.3)
    fig.suptitle(f"An MLP (2 → {len(model.layers[0].neurons)} tanh → 1) learns XOR",
                 fontsize=12)
    fig.tight_layout()
    return save_figure(fig, path)


def draw_network(model: nn.MLP, path: Path) -> Optional[Path]:
    """The graph of loss(model(1, 0)) after backward, as SVG; None if it cannot be drawn."""
    x = [Value(1.0, label="x1"), Value(0.0, label="x2")]
    for name, p in model.named_parameters():
        p.label = name.replace("layers.", "L").replace(".neurons.", ".n").replace(".w.", ".w")
    logit = model(x)
    logit.label = "logit"
    loss = nn.binary_cross_entropy_with_logits(logit, 1)
    loss.label = "loss"
    model.zero_grad()
    loss.backward()
    try:
        save_graph(loss, path, params=model.parameters(), colour_by_grad=True,
                   title="XOR network on input (1, 0): value and gradient of every node")
    except GraphvizNotFoundError as error:
        print(f"network graph skipped: {error}")
        return None
    finally:
        model.zero_grad()
    return Path(path)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, object]:
    """Train, print the truth table, save the pictures; returns the final metrics."""
    args = parse_args(argv)
    out = output_dir(args.out)
    model = nn.MLP(2, [args.hidden, 1], activation="tanh", init="xavier", seed=args.seed)
    losses = train(model, args.steps, args.lr)
    probabilities = [probability(model, x) for x in XOR_INPUTS]
    accuracy = float(np.mean([int(p > 0.5) == t for p, t in zip(probabilities, XOR_TARGETS)]))
    print(truth_table(probabilities))
    pictures = [plot_training(model, losses, out / "xor.png")]
    graph = draw_network(model, out / "network.svg")
    if graph is not None:
        pictures.append(graph)
    print(f"XOR: accuracy {accuracy:.0%} after {args.steps} steps, final loss "
          f"{losses[-1]:.2e}; pictures: {', '.join(str(p) for p in pictures)}")
    return {"accuracy": accuracy, "final_loss": losses[-1], "steps": args.steps,
            "pictures": [str(p) for p in pictures]}


if __name__ == "__main__":
    run(main, "xor")
