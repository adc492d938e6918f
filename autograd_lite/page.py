"""An interactive page that steps through a computation: forward, then backward.

``save_page(root, "graph.html")`` (also ``save_graph(root, "graph.html")``)
works out the backward pass from ``root`` and writes one self-contained HTML file:
Graphviz's picture of the graph (:func:`~autograd_lite.graph.draw_graph`,
inline SVG), and a script and styles inline, nothing fetched from the
network, so it opens from disk in any browser. In a notebook,
``show_page(root)`` shows the same page inline, in a frame of its own, so any
number of pages and graphs sit in one notebook without sharing styles, keys
or element ids. The page plays

* the forward pass: the values appear one by one, inputs before the values
  computed from them (``draw_graph``'s order, ``v0``, ``v1``, ...);
* the backward pass: the root's gradient is seeded with 1, then one step per
  edge, in the order ``backward()`` takes them: the node passing its gradient
  and the edge are highlighted, and the panel shows the op table's local
  derivative with its value, the product ``grad × local`` and the input's
  gradient after adding it; a reused input's running total shows each time.

The backward steps are :func:`~autograd_lite.explain.backward_steps`, the walk
``explain`` prints, embedded as JSON with every number already formatted and
every ``<``, ``>`` and ``&`` escaped, so no label can end the script or
comment it out; the script finds a box's numbers by their place in the box,
never by reading its text, so a label that reads ``grad 1.0`` is only a label. The
walk starts from zeroed gradients (as after ``zero_grad()``), so the page shows
what ``explain`` says of a fresh graph, and at its last step the gradients
``backward()`` computes there: d root / d value. Making the page changes no
``.grad``: the walk runs on the graph, and every gradient is put back as it
was (also when it fails), so a page can be saved in the middle of training.
Controls: previous / next / play / reset, a slider, and the arrow keys (Home
and End jump, the space bar plays).
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
from typing import Any, Dict, Iterator, List, Tuple, Union

from .core import Value, inputs, topological_order
from .explain import local_text, product_text, total_text, walk
from .handbuilt import warn_if_hand_built
from .files import check_destination, write_atomically
from .graph import DEFAULT_MAX_NODES, draw_graph, drawing_order
from .ops import BINARY, CONST_LEFT, CONST_RIGHT, DOT, DOT_CONST, NARY, UNARY
from .text import check_encodable, constant, node_name, number, op_text, plain_float

__all__ = ["build_page", "save_page", "show_page", "InlinePage"]


def _formula(value: Value) -> str:
    """How ``value`` was computed, in the op table's own notation with the
    inputs' names put in: ``x1*w1 + x2*w2 + b``, ``n.tanh()``, ``dot([w1, w2], [2.0, 0.0])``."""
    op = value.op
    if op is None:                          # a leaf: not computed
        return ""
    if op.forward is None:                  # built by hand: no formula to fill in
        return f"{value._op}({', '.join(node_name(x) for x in inputs(value))})"
    names = op.inputs
    a, b = value._a, value._b

    def listed(items, name=node_name):
        return "[" + ", ".join(name(item) for item in items) + "]"

    layout = op.layout
    if layout == UNARY:
        slots = {names[0]: node_name(a)}
    elif layout == CONST_RIGHT:
        slots = {names[0]: node_name(a), (op.param or names[-1]): constant(b)}
    elif layout == BINARY:
        slots = {names[0]: node_name(a), names[1]: node_name(b)}
    elif layout == CONST_LEFT:
        slots = {names[0]: constant(a), names[1]: node_name(b)}
    elif layout == NARY:
        slots = {names[0]: listed(a)}
    elif layout == DOT:
        slots = {names[0]: listed(a), names[1]: listed(b)}
    elif layout == DOT_CONST:
        slots = {names[0]: listed(a), names[1]: listed(b, constant)}
    else:                                   # pragma: no cover - every layout is above
        slots = {}
    return re.sub(r"\b(" + "|".join(map(re.escape, slots)) + r")\b",
                  lambda m: slots[m.group(1)], op.usage) if slots else op.usage


def _edge_ids(source: str) -> Dict[tuple, str]:
    """The SVG ids of the edges: (value number, input number) for the edge
    from that input to the value's op node, (value number, "out") for the edge
    from the op node to the value. Graphviz numbers edges ``edge1``,
    ``edge2``, ... in the order the DOT text states them."""
    ids: Dict[tuple, str] = {}
    count: Dict[int, int] = {}
    # Split at newlines only: every label is one DOT line (its line breaks are
    # written <BR/> or \n), while splitlines() would also split at U+2028.
    statements = [line for line in source.split("\n")
                  if re.match(r"\s*(v|op)\d+ -> ", line)]      # not an op labelled "->"
    for n, line in enumerate(statements, start=1):
        into = re.match(r"\s*v\d+ -> op(\d+)\b", line)
        out = re.match(r"\s*op(\d+) -> v\d+\b", line)
        if into:
            i = int(into.group(1))
            k = count.get(i, 0)
            count[i] = k + 1
            ids[(i, k)] = f"edge{n}"
        elif out:
            ids[(int(out.group(1)), "out")] = f"edge{n}"
    return ids


def _svg(graph, natural: bool) -> Tuple[str, float, float]:
    """The picture as inline SVG, Graphviz's output without the XML prolog
    and DOCTYPE, and its width and height in CSS pixels at its own size. The page's
    picture fills the page's width; a ``natural`` one keeps its own width
    (narrower where the page is) as in a notebook's frame, whose height is
    set from the picture's. (``graph`` is a GraphDrawing: a missing ``dot``
    is explained.)"""
    svg = graph.pipe(format="svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]
    size = re.match(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    width, height = ((float(x) * 96 / 72 for x in size.groups()) if size  # points to pixels
                     else (800.0, 600.0))
    sized = f' width="{width:.0f}"' if natural else ""
    svg = re.sub(r'<svg width="[^"]*" height="[^"]*"', f'<svg id="graph"{sized}', svg, count=1)
    return svg, width, height


def build_page(root: Value, *, title: str = "", **draw_options) -> str:
    """The page stepping through ``root``'s forward and backward pass, as HTML.

    The page plays ``root.backward()`` from zeroed gradients (as after
    ``zero_grad()``), so every gradient it shows is d root / d value. It is
    worked out on the graph itself, and every ``.grad`` is put back as it
    was, also when building the page fails: making a page changes nothing,
    in the middle of training too. A node built by hand as
    ``Value(data, children, label)`` gives the same warning as ``backward()``.

    Args:
        root: the Value to differentiate and show.
        title: a heading for the page (default: names the root).
        **draw_options: passed to :func:`~autograd_lite.graph.draw_graph`
            (``params=``, ``rankdir=``, ``max_nodes=``, ...); the page shows
            gradients itself, so ``show_grad`` and ``colour_by_grad`` are
            not accepted.

    Returns:
        The whole page, one string.

    Example:
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> y = (a * b).tanh(); y.label = "y"
        >>> page = build_page(y)
        >>> page.startswith("<!DOCTYPE html>"), "<script src" in page, a.grad
        (True, False, 0.0)
        >>> "a.grad = -7.373e-05" in page            # d y / d a, on the page only
        True
    """
    check_root(root, "build_page")
    # before anything is drawn
    warn_if_hand_built(topological_order(root), "build_page()", stacklevel=2)
    return _page(root, title, draw_options, "build_page")[0]


def check_root(root: Any, where: str) -> None:
    """Refuse a root that is not a Value; ``where`` names the public caller."""
    if type(root) is not Value:
        raise TypeError(f"{where}: an .html page needs a Value to step through, got "
                        f"{type(root).__name__}; pass the Value itself (e.g. the loss)")


def _page(root: Value, title: str, draw_options: Dict[str, Any], where: str,
          inline: bool = False) -> Tuple[str, float]:
    """:func:`build_page`'s page, without the warning (each public caller gives
    it first, naming the user's line), and its picture's height in pixels in
    a notebook (``inline``: the picture at its own size, for a notebook's frame);
    errors name ``where``, that caller."""
    if not isinstance(title, str):
        raise TypeError(f"{where}: title must be a str, got {type(title).__name__}")
    check_encodable(title, where, "title=")
    params = draw_options.get("params")
    if params is not None and not isinstance(params, Value) and hasattr(params, "__iter__"):
        # the graph is drawn twice below: a generator would be used up by the
        # first drawing and mark nothing in the second (one Value is left for
        # draw_graph to refuse)
        draw_options = dict(draw_options, params=tuple(params))
    for name in ("show_grad", "colour_by_grad", "depth"):
        if name in draw_options:
            raise TypeError(f"{where}: {name}= does not apply to an .html page, which "
                            "shows every value and fills the gradients in as it steps")
    # Drawn once first to check the options and the size (draw_graph's
    # error, before anything runs), and again after the walk, so that each
    # box is laid out wide enough for the gradient it will show.
    draw_graph(root, show_grad=True, **draw_options)
    nodes = topological_order(root)
    with _gradients_put_back(nodes):
        steps = walk(root, nodes)
        graph = draw_graph(root, show_grad=True, **draw_options)
        root_grad = root.grad
    order, _ = drawing_order(root, None, draw_options.get("max_nodes", DEFAULT_MAX_NODES))
    position = {id(v): i for i, v in enumerate(order)}
    edges = _edge_ids(graph.source)

    values = []
    for i, v in enumerate(order):
        computed = v.op is not None
        values.append({
            "name": node_name(v), "data": number(v.data),
            "formula": _formula(v) if computed else "",
            "op": op_text(v) if computed else "",
            "usage": v.op.usage if v.op is not None else "",
            "inputs": [position[id(x)] for x in inputs(v)] if computed else [],
            "edges": ([edges[(i, k)] for k in range(len(inputs(v)))] + [edges[(i, "out")]]
                      if computed else []),
        })
    backward = [{
        "node": position[id(s.node)], "input": position[id(s.input)],
        "edge": edges[(position[id(s.node)], s.position)],
        "local": local_text(s), "product": product_text(s), "total": total_text(s),
        "grad": number(s.after), "exact": repr(plain_float(s.after)),
    } for s in steps]
    title = title or f"Forward and backward through {node_name(root)}"
    data = {"title": title,
            "root": position[id(root)], "values": values, "backward": backward,
            "rootGrad": number(root_grad), "rootExact": repr(plain_float(root_grad))}
    svg, width, height = _svg(graph, natural=inline)
    page = _TEMPLATE.format(title=html.escape(title), svg=svg, data=script_json(data),
                            style=_STYLE, script=_SCRIPT)
    return page, height * min(1.0, _NOTEBOOK_PIXELS / max(width, 1.0))


def script_json(data: Any) -> str:
    """``data`` as JSON to write inside a ``<script>`` element: JavaScript
    that no text in it can end (``</script>``) or turn into a comment
    (``<!--``): ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes,
    as is every character past ASCII (U+2028 and U+2029 among them).

    >>> script_json({"label": "</script><!--"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(data, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@contextlib.contextmanager
def _gradients_put_back(nodes: List[Value]) -> Iterator[None]:
    """Zero the leaves' gradients for the walk (the interior nodes' are reset
    by it), and afterwards, however it ends, put back every node's ``grad``:
    the objects themselves, so a gradient that was a Value
    (``create_graph=True``) comes back as that Value. ``nodes`` are the
    graph's, ``topological_order(root)``."""
    saved = [(node, node.grad) for node in nodes]
    try:
        for node in nodes:
            if node.op is None:
                node.grad = 0.0
        yield
    finally:
        for node, grad in saved:
            node.grad = grad


def save_page(root: Value, path: Union[str, "os.PathLike[str]"], **options) -> str:
    """Write :func:`build_page`'s page to ``path``, atomically; returns the path.

    Like ``build_page``, it changes no gradient.

    Example:
        >>> import os, tempfile
        >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
        >>> path = save_page(y, os.path.join(tempfile.mkdtemp(), "square.html"))
        >>> x.grad, "x.grad = 3.0000 + 3.0000 = 6.0000" in open(path, encoding="utf-8").read()
        (0.0, True)
    """
    check_root(root, "save_page")
    # before anything is written
    warn_if_hand_built(topological_order(root), "save_page()", stacklevel=2)
    return write_page(root, path, options, "save_page")


def write_page(root: Value, path: Union[str, "os.PathLike[str]"],
               options: Dict[str, Any], where: str) -> str:
    """:func:`save_page` without the warning (``save_graph`` gives its own
    first): the path written. Errors name ``where``, the public caller."""
    path = check_destination(os.fspath(path), where)
    text = _page(root, options.pop("title", ""), options, where)[0]

    def write(f) -> None:
        f.write(text)
    return write_atomically(path, write, where=where)


def show_page(root: Value, **options) -> InlinePage:
    """The page stepping through ``root``, to show inline in a notebook.

    Put ``show_page(loss)`` last in a cell: the page appears in the cell's
    output, in a frame of its own (an ``<iframe srcdoc=...>``), so its styles,
    its keys (click into it, then the arrow keys step) and its element ids
    stay inside it, beside any number of other pages and graphs. Like
    :func:`build_page`, it changes no gradient.

    Args:
        root: the Value to differentiate and show.
        **options: :func:`build_page`'s (``title=``, ``params=``, ...).

    Returns:
        An :class:`InlinePage`: a notebook displays it; ``.html`` is the page.

    Example:
        >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
        >>> shown = show_page(y)
        >>> shown._repr_html_().startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
        True
        >>> "x.grad = 3.0000 + 3.0000 = 6.0000" in shown.html, x.grad
        (True, 0.0)
    """
    check_root(root, "show_page")
    # before anything is drawn
    warn_if_hand_built(topological_order(root), "show_page()", stacklevel=2)
    text, height = _page(root, options.pop("title", ""), options, "show_page", inline=True)
    return InlinePage(text, height)


# The frame's height: the page's heading and controls above the picture, and
# the picture's height at its own size or, if wider, scaled to a notebook's
# usual width; a taller page scrolls inside its frame.
_HEADER_PIXELS, _NOTEBOOK_PIXELS, _MAX_FRAME_PIXELS = 200, 1000, 900


class InlinePage:
    """A page for a notebook to show: ``_repr_html_`` puts it in an iframe.

    The frame's ``srcdoc`` holds the whole page, escaped as an attribute, and
    ``sandbox="allow-scripts"`` lets its script run but not reach the
    notebook around it. Nothing is fetched: the page is self-contained.

    Attributes:
        html: the page itself, as :func:`build_page` returns it but with the
            picture at its own size rather than the page's width.
        height: the frame's height in CSS pixels.
    """

    __slots__ = ("html", "height")

    def __init__(self, html: str, picture_height: float) -> None:
        self.html = html
        self.height = int(min(_HEADER_PIXELS + picture_height, _MAX_FRAME_PIXELS))

    def _repr_html_(self) -> str:
        """The iframe a notebook shows."""
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'sandbox="allow-scripts" title="{_page_title(self.html)}" '
                f'style="width: 100%; height: {self.height}px; border: 1px solid #ddd; '
                'border-radius: 4px;"></iframe>')

    def __repr__(self) -> str:
        return f"<InlinePage {_page_title(self.html)!r}: {len(self.html)} characters>"


def _page_title(page: str) -> str:
    """The page's ``<title>``, as escaped there."""
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    return found.group(1) if found else ""


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div id="controls">
<button id="reset" type="button" title="Reset (Home)">Reset</button>
<button id="prev" type="button" title="Previous step (&#x2190;)">&#x25C0; Prev</button>
<button id="play" type="button" title="Play / pause (space)">&#x25B6; Play</button>
<button id="next" type="button" title="Next step (&#x2192;)">Next &#x25B6;</button>
<input id="slider" type="range" min="0" max="0" value="0" aria-label="step">
<span id="counter"></span>
</div>
<div id="panel" aria-live="polite"><div id="phase"></div><div id="lines"></div></div>
</header>
<main id="picture">
{svg}
</main>
<script>
const DATA = {data};
{script}
</script>
</body>
</html>
"""

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #202020; background: #fafafa; }
header { position: sticky; top: 0; background: #fafafa; padding: 10px 16px 6px;
         border-bottom: 1px solid #ddd; z-index: 1; }
h1 { font-size: 18px; margin: 0 0 8px; font-weight: 600; }
#controls { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
button { font: inherit; font-size: 14px; padding: 4px 10px; border: 1px solid #999;
         border-radius: 4px; background: #fff; cursor: pointer; }
button:hover { background: #eef; }
#slider { flex: 1; min-width: 160px; }
#counter { font-variant-numeric: tabular-nums; min-width: 9em; text-align: right; }
#panel { margin-top: 8px; min-height: 5.6em; font-size: 15px; line-height: 1.45; }
#phase { font-weight: 600; }
#lines div { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 14px; }
#lines .formula { color: #444; }
#lines .total { color: #b3261e; font-weight: 600; }
main { padding: 12px 16px; }
#graph { max-width: 100%; height: auto; }
.pending { opacity: 0.25; }
.hidden-text { visibility: hidden; }
.current polygon, .current ellipse, .current path { stroke: #e66100 !important; stroke-width: 3px; }
.receiving polygon, .receiving path { stroke: #1a5fb4 !important; stroke-width: 3px; }
.edge.flow path { stroke: #c01c28 !important; stroke-width: 3.5px; }
.edge.flow polygon { stroke: #c01c28 !important; fill: #c01c28 !important; }
.edge.feed path { stroke: #e66100 !important; stroke-width: 2.5px; }
.edge.feed polygon { stroke: #e66100 !important; fill: #e66100 !important; }
text.fresh { fill: #c01c28; font-weight: bold; }
"""

_SCRIPT = r"""
"use strict";
(function () {
  const svg = document.getElementById("graph");
  const values = DATA.values, backward = DATA.backward;
  const byTitle = {};
  for (const g of svg.querySelectorAll("g.node, g.edge")) {
    const t = g.querySelector("title");
    if (t) byTitle[t.textContent] = g;
  }
  // Each value box: its group, its op node, and its "data" and "grad" texts.
  const boxes = values.map(function (v, i) {
    const g = byTitle["v" + i];
    if (!g) throw new Error("page: value box v" + i + " not found in the picture");
    // The box's last two texts are its "data" and "grad" cells, after the
    // label's lines, whatever the label says.
    const texts = g.querySelectorAll("text");
    if (texts.length < 2) throw new Error("page: value box v" + i + " has no data and grad");
    const data = texts[texts.length - 2], grad = texts[texts.length - 1];
    const op = v.op ? byTitle["op" + i] : null;
    return { g: g, data: data, grad: grad, op: op };
  });
  function edge(id) {
    const g = document.getElementById(id);
    if (!g) throw new Error("page: edge " + id + " not found in the picture");
    return g;
  }
  // The edge ids come from the DOT text's order: check each against its title.
  backward.forEach(function (s) {
    const title = edge(s.edge).querySelector("title").textContent;
    if (title !== "v" + s.input + "->op" + s.node) {
      throw new Error("page: edge " + s.edge + " is " + title + ", expected v" + s.input +
                      "->op" + s.node);
    }
  });
  const forwardCount = values.length;
  const total = forwardCount + 1 + backward.length;   // + the seed of the root's gradient
  const slider = document.getElementById("slider");
  slider.max = String(total);
  const phase = document.getElementById("phase"), lines = document.getElementById("lines");
  const counter = document.getElementById("counter"), play = document.getElementById("play");
  let step = 0, timer = null;

  function line(text, cls) {
    const div = document.createElement("div");
    div.textContent = text;
    if (cls) div.className = cls;
    lines.appendChild(div);
  }
  function clearMarks() {
    for (const el of svg.querySelectorAll(".current, .receiving, .flow, .feed, .fresh")) {
      el.classList.remove("current", "receiving", "flow", "feed", "fresh");
    }
  }
  function setGrad(i, text, exact) {
    const box = boxes[i];
    if (!box.grad) return;
    box.grad.textContent = "grad " + text;
    box.grad.classList.remove("hidden-text");
    box.g.setAttribute("data-grad", exact);
  }

  function render() {
    clearMarks();
    lines.textContent = "";
    // Forward: the first min(step, n) values are computed.
    const shown = Math.min(step, forwardCount);
    values.forEach(function (v, i) {
      const box = boxes[i], done = i < shown;
      box.g.classList.toggle("pending", !done);
      if (box.op) box.op.classList.toggle("pending", !done);
      v.edges.forEach(function (id) { edge(id).classList.toggle("pending", !done); });
      if (box.data) {
        box.data.textContent = "data " + v.data;
        box.data.classList.toggle("hidden-text", !done);
      }
      if (box.grad) {
        box.grad.textContent = "grad " + "0.0000";
        box.grad.classList.add("hidden-text");
      }
      box.g.removeAttribute("data-grad");
    });
    // Backward: the seed, then one edge per step.
    const seeded = step > forwardCount;
    if (seeded) setGrad(DATA.root, DATA.rootGrad, DATA.rootExact);
    const last = step - forwardCount - 2;    // the current backward step; -1: the seed
    for (let k = 0; k < last && k < backward.length; k++) {
      setGrad(backward[k].input, backward[k].grad, backward[k].exact);
    }
    if (step === 0) {
      phase.textContent = "Ready: the forward pass computes each value from its inputs, " +
        "then the backward pass sends gradients back, edge by edge.";
      line("Next (\u2192) to step, Play (space) to run.");
    } else if (step <= forwardCount) {
      const i = step - 1, v = values[i];
      boxes[i].g.classList.add("current");
      if (boxes[i].op) boxes[i].op.classList.add("current");
      v.edges.forEach(function (id) { edge(id).classList.add("feed"); });
      phase.textContent = "Forward " + step + " of " + forwardCount + ": " + v.name;
      if (v.formula) line(v.name + " = " + v.formula + " = " + v.data, "formula");
      else line(v.name + " = " + v.data + "   (a leaf: given, not computed)", "formula");
    } else if (last < 0) {
      const r = values[DATA.root];
      boxes[DATA.root].g.classList.add("current");
      boxes[DATA.root].grad.classList.add("fresh");
      phase.textContent = "Backward: seed the root's gradient";
      line(r.name + ".grad = " + DATA.rootGrad + "   (d " + r.name + " / d " + r.name + ")",
           "total");
    } else {
      const s = backward[last], v = values[s.node], x = values[s.input];
      setGrad(s.input, s.grad, s.exact);
      boxes[s.node].g.classList.add("current");
      if (boxes[s.node].op) boxes[s.node].op.classList.add("current");
      boxes[s.input].g.classList.add("receiving");
      boxes[s.input].grad.classList.add("fresh");
      edge(s.edge).classList.add("flow");
      phase.textContent = "Backward " + (last + 1) + " of " + backward.length + ": " +
        v.name + " \u2192 " + x.name;
      line(v.name + " = " + v.formula + "      (the op table's " + v.usage + ")", "formula");
      line("local derivative   " + s.local);
      line(v.name + ".grad \u00d7 local = " + s.product);
      line(s.total, "total");
    }
    slider.value = String(step);
    counter.textContent = "step " + step + " / " + total;
  }

  function go(k) {
    step = Math.max(0, Math.min(total, k));
    render();
    if (step === total) stop();
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "\u25B6 Play";
  }
  function toggle() {
    if (timer !== null) { stop(); return; }
    if (step === total) go(0);
    play.textContent = "Pause";
    timer = setInterval(function () { go(step + 1); }, 700);
  }
  document.getElementById("next").addEventListener("click", function () { go(step + 1); });
  document.getElementById("prev").addEventListener("click", function () { go(step - 1); });
  document.getElementById("reset").addEventListener("click", function () { stop(); go(0); });
  play.addEventListener("click", toggle);
  slider.addEventListener("input", function () { go(Number(slider.value)); });
  document.addEventListener("keydown", function (e) {
    if (e.target === slider && (e.key === "ArrowLeft" || e.key === "ArrowRight")) return;
    if (e.key === "ArrowRight") { go(step + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { go(step - 1); e.preventDefault(); }
    else if (e.key === "Home") { stop(); go(0); e.preventDefault(); }
    else if (e.key === "End") { go(total); e.preventDefault(); }
    else if (e.key === " " && e.target.tagName !== "BUTTON") { toggle(); e.preventDefault(); }
  });
  window.stepper = { go: go, total: total, get step() { return step; } };
  go(0);
})();
"""
