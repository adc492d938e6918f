"""Draw two computation graphs to SVG (and PNG): an expression and one neuron.

    python demos/graph.py                 # writes out/graph/{expression,neuron}.{svg,png}
    python demos/graph.py --out pictures --formats svg
    python demos/graph.py --no-unfold     # the engine's fused nodes

The expression is ``y = tanh(a * b + a)``; the neuron is one tanh unit of an
MLP, ``o = tanh(w1*x1 + w2*x2 + w3*x3 + b)``, built from Values as
micrograd's ``Neuron`` does: ``sum((wi * xi for ...), b)``. The engine folds
such sums of products into one node (see ``autograd_lite/fusion.py``);
``draw_graph`` draws them as written, one ``*`` per product and one ``+`` per
addition, as in micrograd's lecture (``--no-unfold`` draws the engine's own
nodes instead). Both are drawn after ``backward()``, so every box shows its
gradient; the neuron's grad cells are coloured by size and its weights and
bias are marked as parameters.

Needs Graphviz's ``dot`` for SVG and PNG (``sudo apt-get install graphviz``,
or ``brew install graphviz``); ``--formats dot`` writes the DOT text without it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:             # run from a clean clone: import autograd_lite
    sys.path.insert(0, ROOT)

from autograd_lite import Value, draw_graph  # noqa: E402
from autograd_lite.graph import GraphDrawing, save_graph  # noqa: E402
from demos._common import output_dir, run  # noqa: E402

__all__ = ["main", "expression", "neuron"]

FORMATS = ("svg", "png", "dot")
PNG_DPI = 110     # sharp enough for a README, small enough to keep the files small


def expression() -> Value:
    """y = tanh(a * b + a) at a = 2, b = -3, after backward."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    y = (a * b + a).tanh()
    y.label = "y"
    y.backward()
    return y


def neuron(seed: int = 0) -> Tuple[Value, List[Value]]:
    """One tanh neuron of three inputs, with random inputs (one decimal) and
    weights and bias (two decimals), short to read.

    Returns:
        (o, params): the output, after backward, and the weights and bias.
    """
    rng = random.Random(seed)
    xs = [Value(round(rng.uniform(-2, 2), 1), label=f"x{i + 1}") for i in range(3)]
    ws = [Value(round(rng.uniform(-1, 1), 2), label=f"w{i + 1}") for i in range(3)]
    b = Value(round(rng.uniform(-1, 1), 2), label="b")
    n = sum((w * x for w, x in zip(ws, xs)), b)   # as micrograd's Neuron.__call__
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, ws + [b]


def _save(graph, folder: str, name: str, formats: List[str]) -> Dict[str, str]:
    paths = {}
    for fmt in formats:
        path = os.path.join(folder, f"{name}.{fmt}")
        save_graph(graph, path, **({"dpi": PNG_DPI} if fmt == "png" else {}))
        paths[fmt] = path
    return paths


def _counts(graph: GraphDrawing) -> Dict[str, int]:
    """Value boxes and op nodes in the picture (draw_graph names them v<i>
    and op<i>), read from its DOT text."""
    return {"values": len(re.findall(r"^\tv\d+ \[", graph.source, re.M)),
            "ops": len(re.findall(r"^\top\d+ \[", graph.source, re.M))}


def main(argv: Optional[List[str]] = None) -> Dict[str, Dict]:
    """Draw both graphs; return, per graph, the files written and its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the neuron's weights")
    parser.add_argument("--out", default=os.path.join("out", "graph"),
                        help="folder for the pictures (default: out/graph)")
    parser.add_argument("--formats", default="svg,png",
                        help=f"comma-separated, from {', '.join(FORMATS)} (default: svg,png)")
    parser.add_argument("--rankdir", default="LR", choices=("LR", "TB"),
                        help="left to right (LR, default) or top to bottom (TB)")
    parser.add_argument("--no-unfold", dest="unfold", action="store_false",
                        help="draw the engine's nodes: a sum of products is one dot node")
    args = parser.parse_args(argv)
    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        parser.error(f"--formats: expected some of {', '.join(FORMATS)}, got {args.formats!r}")
    output_dir(args.out)

    y = expression()
    expression_graph = draw_graph(y, rankdir=args.rankdir, legend=True, unfold=args.unfold,
                                  title="y = tanh(a · b + a),  after y.backward()")
    o, params = neuron(args.seed)
    neuron_graph = draw_graph(o, rankdir=args.rankdir, params=params, colour_by_grad=True,
                              unfold=args.unfold,
                              title="one neuron: o = tanh(w1·x1 + w2·x2 + w3·x3 + b),  "
                                    "after o.backward()")
    results = {
        "expression": dict(_counts(expression_graph),
                           files=_save(expression_graph, args.out, "expression", formats)),
        "neuron": dict(_counts(neuron_graph),
                       files=_save(neuron_graph, args.out, "neuron", formats)),
    }
    for name, result in results.items():
        print(f"{name}: {result['values']} values, {result['ops']} ops -> "
              f"{', '.join(result['files'].values())}")
    return results


if __name__ == "__main__":
    run(main, "graph")
