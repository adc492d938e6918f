"""Draw two computation graphs to SVG (and PNG): an expression and one neuron;
and write two pages that step through forward and backward.

    python demos/graph.py                 # out/graph/{expression,neuron}.{svg,png},
                                          # out/graph/{lecture-neuron,xor}.html
    python demos/graph.py --out pictures --formats svg
    python demos/graph.py --screenshot demos/images/page-backward.png

The expression is ``y = tanh(a * b + a)``; the neuron is one tanh unit of an
MLP, ``o = tanh(w1*x1 + w2*x2 + w3*x3 + b)``, built from Values as
micrograd's ``Neuron`` does: ``sum((wi * xi for ...), b)``, drawn as written,
one ``*`` per product and one ``+`` per addition, as in micrograd's lecture.
Both are drawn after ``backward()``, so every box shows its
gradient; the neuron's grad cells are coloured by size and its weights and
bias are marked as parameters.

The pages (``html`` in ``--formats``, on by default) are
``save_graph(root, "....html")``: the lecture's neuron
``o = tanh(x1·w1 + x2·w2 + b)`` with its numbers, and a small MLP trained on
XOR (2 inputs, 3 tanh neurons, 1 logit), its loss on the input (1, 0). Open
them from disk in a browser and step with the arrow keys. ``--screenshot``
photographs the lecture's page mid-backward in headless Chromium (needs
``chromium``, ``chromium-driver`` and ``selenium``; without one of them it
stops before drawing, with the install command); it writes the lecture's page
to photograph, ``lecture-neuron.html``, even when ``html`` is not in
``--formats``.

``--seed`` seeds both the neuron's inputs and weights and the XOR network's
initial weights.

Needs Graphviz's ``dot`` for SVG, PNG and the pages (``sudo apt-get install
graphviz``, or ``brew install graphviz``); ``--formats dot`` writes the DOT text
without it.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import re
import sys
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:             # run from a clean clone: import autograd_lite
    sys.path.insert(0, ROOT)

import nn  # noqa: E402
from autograd_lite import Value, draw_graph, save_graph  # noqa: E402
from autograd_lite.graph import GraphDrawing  # noqa: E402
from demos import _browser  # noqa: E402
from demos._common import DemoError, lecture_neuron, output_dir, output_file, run  # noqa: E402
from demos.xor import train  # noqa: E402

__all__ = ["main", "expression", "neuron", "lecture_neuron", "xor_network", "screenshot"]

FORMATS = ("svg", "png", "dot", "html")
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


def xor_network(seed: int = 0, steps: int = 300) -> Tuple[Value, List[Value]]:
    """A small MLP (2 -> 3 tanh -> 1 logit) trained on XOR with Adam, and its
    binary cross-entropy on the input (1, 0), parameters labelled by name.

    Returns:
        (loss, params): the loss (not yet differentiated) and the parameters.
    """
    model = nn.MLP(2, [3, 1], activation="tanh", init="xavier", seed=seed)
    train(model, steps, lr=0.05)                  # demos/xor.py's full-batch Adam
    model.zero_grad()
    for name, p in model.named_parameters():     # layers.0.neurons.2.w.1 -> L0.n2.w1
        p.label = name.replace("layers.", "L").replace(".neurons.", ".n").replace(".w.", ".w")
    logit = model([Value(1.0, label="x1"), Value(0.0, label="x2")])
    logit.label = "logit"
    loss = nn.binary_cross_entropy_with_logits(logit, 1)
    loss.label = "loss"
    return loss, model.parameters()


def screenshot(page: str, png: str, step: Optional[int] = None, width: int = 1300) -> str:
    """Photograph ``page`` in headless Chromium at ``step`` (default: the
    next-to-last step of the backward pass), atomically; returns the PNG's path."""
    from autograd_lite.files import write_atomically
    from demos._browser import chromium, file_url

    with chromium(width=width, height=600) as driver:
        driver.get(file_url(page))
        total = driver.execute_script("return window.stepper.total")
        # by default the next-to-last backward step: most gradients are in, one is not
        driver.execute_script("window.stepper.go(arguments[0])",
                              total - 1 if step is None else step)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        # the whole page, however tall, through the DevTools protocol
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        data = base64.b64decode(shot["data"])
        problems = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    if problems:
        raise RuntimeError(f"the page logged errors: {problems}")
    return write_atomically(png, lambda f: f.write(data), binary=True, where="screenshot")


def _save(graph, folder: str, name: str, formats: List[str]) -> Dict[str, str]:
    paths = {}
    for fmt in formats:
        if fmt == "html":               # the pages are their own graphs, below
            continue
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
    """Draw both graphs, write the pages and take the screenshot asked for.

    Returns:
        Per graph (``"expression"``, ``"neuron"``): its numbers of value
        boxes and op nodes and the files written (``"files"``, by format);
        when pages were written, ``"pages"``: their paths by name
        (``"lecture-neuron"``, ``"xor"``); with ``--screenshot``,
        ``"screenshot"``: the PNG's path.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the neuron's inputs and weights and of the XOR "
                             "network's initial weights")
    parser.add_argument("--out", default=os.path.join("out", "graph"),
                        help="folder for the pictures and pages (default: out/graph)")
    parser.add_argument("--formats", default="svg,png,html",
                        help=f"comma-separated, from {', '.join(FORMATS)}; html writes the "
                             "stepping pages (default: svg,png,html)")
    parser.add_argument("--screenshot", metavar="PNG",
                        help="also photograph the lecture's page mid-backward in headless "
                             "Chromium, to this file (writes that page, "
                             "lecture-neuron.html, even without html in --formats)")
    parser.add_argument("--rankdir", default="LR", choices=("LR", "TB"),
                        help="left to right (LR, default) or top to bottom (TB)")
    args = parser.parse_args(argv)
    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        parser.error(f"--formats: expected some of {', '.join(FORMATS)}, got {args.formats!r}")
    if args.screenshot:              # before drawing, not after
        problem = _browser.missing()
        if problem:
            raise DemoError(f"--screenshot {problem}")
        output_file(args.screenshot, "--screenshot", "page.png")
    output_dir(args.out)

    y = expression()
    expression_graph = draw_graph(y, rankdir=args.rankdir, legend=True,
                                  title="y = tanh(a · b + a),  after y.backward()")
    o, params = neuron(args.seed)
    neuron_graph = draw_graph(o, rankdir=args.rankdir, params=params, colour_by_grad=True,
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
    if "html" in formats or args.screenshot:
        pages = {"lecture-neuron": (lecture_neuron(), None,
                                    "The micrograd lecture's neuron: o = tanh(x1·w1 + x2·w2 + b)")}
        if "html" in formats:
            loss, params = xor_network(args.seed)
            pages["xor"] = (loss, params, "A small MLP trained on XOR: its loss on the input "
                                          "(1, 0)")
        results["pages"] = {}
        for name, (root, params, title) in pages.items():
            path = save_graph(root, os.path.join(args.out, f"{name}.html"), params=params,
                              rankdir=args.rankdir, title=title)
            results["pages"][name] = path
            print(f"{name} page: {path}")
        if args.screenshot:
            results["screenshot"] = screenshot(results["pages"]["lecture-neuron"],
                                               args.screenshot)
            print(f"screenshot: {results['screenshot']}")
    return results


if __name__ == "__main__":
    run(main, "graph")
