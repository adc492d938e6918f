"""Draw a computation graph with Graphviz: one box per Value, one small node per op.

``draw_graph(y)`` returns a :class:`graphviz.Digraph` (the Python ``graphviz``
package). Building it needs no external program, so its DOT text,
``draw_graph(y).source``, is always available; turning it into a picture
(``.render()``, ``.pipe()``, :func:`~autograd_lite.pictures.save_graph`, a notebook's display) runs
Graphviz's ``dot`` program.

The picture, read left to right (``rankdir="LR"``):

* a **value box** per ``Value``: its label (if any), ``data`` and ``grad``;
  leaves, parameters and the root each have their own colour and border;
* an **op node** per computed Value, named by ``node._op`` (``+``, ``*``,
  ``tanh``, ``**2``, ...), with one edge in per use of an input: ``x * x``
  has two edges from ``x``; a ``vsum``/``dot``/``logsumexp`` node is one
  op node with all its inputs fanning in;
* constants the engine keeps inside a node instead of as leaves (the 2.0 of
  ``x * 2.0``, the numbers of ``dot(w, [1.0, 2.0])``) are printed on the op
  node (``* 2.0``) or on the edge they multiply (``× 1.0``);
* a node built with its local gradients, ``Value(data, children,
  local_grads)``, is a ``local`` op node whose edges show those gradients
  (``∂ 3.0``).

The picture is the engine's graph itself: a node per Value, exactly as the
expression was written (``a * b + a`` is a ``*`` node and a ``+`` node),
since the engine never merges or changes the nodes it returned.

Output is deterministic: nodes are named by their position in the graph's
topological order (``v0``, ``v1``, ...; op nodes ``op1``, ...), never by memory
address, so the same graph gives byte-identical DOT text and SVG. All label
text is escaped, so any string (quotes, ``<>``, ``|``, braces, backslashes,
newlines, any unicode) is shown as written; a label longer than
:data:`~autograd_lite.text.SHORT_LABEL` characters is shortened in its box and
shown whole on hover, and text UTF-8 cannot write (a lone surrogate) is
refused, naming it.

Graphviz needs minutes for graphs of many thousand nodes and the picture is
unreadable long before that, so ``draw_graph`` refuses graphs of more than
``max_nodes`` values (default :data:`DEFAULT_MAX_NODES`) before building
anything, and says how to raise the limit or draw a part (``depth=``, or draw
from an intermediate node). The values counted (and the ops ``depth``
counts) are the engine's: ``sum(w * x for w, x in zip(ws, xs))`` over 300
pairs is 1200 values (600 leaves, 300 products, 300 additions).
"""

from __future__ import annotations

import contextlib
import math
from collections import deque
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

import graphviz

from .core import Value, inputs
from .handbuilt import LOCAL
from .ops import DOT_CONST
from .text import (SHORT_LABEL, check_encodable, constant, number, op_text, plain_float,
                   shorten, too_big_message)

__all__ = ["draw_graph", "draw_dot", "drawing_order", "GraphDrawing", "GraphvizNotFoundError",
           "missing_dot_explained", "DEFAULT_MAX_NODES"]

DEFAULT_MAX_NODES = 500
"""Most Values ``draw_graph`` draws unless told otherwise. ``dot`` lays out
500 values (about 1000 nodes with their ops) in under a second."""

INSTALL_HINT = ("Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS), or see https://graphviz.org/download/")

_RANKDIRS = ("LR", "TB", "RL", "BT")
_FONT = "Helvetica,Arial,sans-serif"

# ---- look ---------------------------------------------------------------
# Per kind of value: (fill, border colour, border width, rounded corners).
_KINDS = {
    "root":      ("#ffe9a8", "#9a6b00", 2, False),
    "parameter": ("#d9f0d3", "#2f7d32", 1, True),
    "leaf":      ("#dcebf7", "#2a6496", 1, True),
    "interior":  ("#ffffff", "#606060", 1, False),
}
_LEGEND_NAMES = {"root": "root", "parameter": "parameter", "leaf": "leaf",
                 "interior": "computed"}
_OP_FILL, _OP_BORDER, _OP_FONT_COLOUR = "#eeeeee", "#8c8c8c", "#202020"
_EDGE_COLOUR = "#6b6b6b"

# |grad| colour scale for the grad cell (ColorBrewer OrRd, light enough for
# black text), by |grad| as a fraction of the largest |grad| drawn: each step
# down is a factor of 5 to 10 smaller. A zero gradient keeps the node's fill.
_GRAD_BINS: Tuple[Tuple[float, str], ...] = (
    (0.5, "#f07a52"),
    (0.1, "#fc9f6e"),
    (0.01, "#fdc997"),
    (0.0, "#fee8c8"),     # > 0 but below a hundredth of the largest
)

Number = Union[int, float]


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` program is not installed (or not on ``PATH``).

    A subclass of :class:`graphviz.ExecutableNotFound`, so code that already
    catches that keeps working; the message names the install command.
    """

    def __init__(self, message: str) -> None:
        # graphviz.ExecutableNotFound.__init__ formats its own message from the
        # command line; ours is the whole message, so skip to RuntimeError's.
        RuntimeError.__init__(self, message)


@contextlib.contextmanager
def missing_dot_explained() -> Iterator[None]:
    """Turn graphviz's ExecutableNotFound, inside the ``with`` block, into
    :class:`GraphvizNotFoundError` (``from`` the original, to keep the command
    it tried)."""
    try:
        yield
    except GraphvizNotFoundError:
        raise                               # already ours (a GraphDrawing's pipe)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizNotFoundError(
            "rendering the graph needs Graphviz's `dot` program, which was not found "
            f"on PATH. {INSTALL_HINT}. Without it, draw_graph(...).source still gives "
            "the DOT text.") from exc


class GraphDrawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` whose renderings explain a missing ``dot``.

    ``render``, ``pipe``, ``view`` and notebook display behave as in
    ``graphviz.Digraph``, except that when ``dot`` is not installed they raise
    :class:`GraphvizNotFoundError` naming the install command.
    """

    def pipe(self, *args, **kwargs):
        """:meth:`graphviz.Digraph.pipe` (notebook display uses it too)."""
        with missing_dot_explained():
            return super().pipe(*args, **kwargs)

    def render(self, *args, **kwargs):
        """:meth:`graphviz.Digraph.render` (``view`` uses it too)."""
        with missing_dot_explained():
            return super().render(*args, **kwargs)


# ---------------------------------------------------------------------------
# Which values to draw
# ---------------------------------------------------------------------------

def _edge_labels(value: Value) -> Optional[Tuple[str, ...]]:
    """Per input edge, the constant that input is multiplied by, if any:
    ``dot(w, [1.0, 2.0])`` is one node whose edges say ``× 1.0``, ``× 2.0``;
    a node built with local gradients, ``Value(data, (a, b), (3.0, 2.0))``,
    has edges that say ``∂ 3.0``, ``∂ 2.0``. None when no edge has one."""
    if value.op is LOCAL:
        return tuple(f"∂ {constant(c)}" for c in value._b)
    if value.op is not None and value.op.layout == DOT_CONST:
        return tuple(f"× {constant(c)}" for c in value._b)
    return None


def drawing_order(root: Value, depth: Optional[int] = None,
                  max_nodes: int = DEFAULT_MAX_NODES) -> Tuple[List[Value], Set[int]]:
    """The values ``draw_graph`` draws, numbered ``v0``, ``v1``, ... in this
    order: those within ``depth`` ops of ``root``, inputs before their users,
    and the ids of those whose inputs are drawn (the "expanded" ones).

    Breadth-first, so each value's distance is its shortest path to root; then
    Kahn's algorithm over the drawn edges, as in
    :func:`~autograd_lite.core.topological_order` (which has no depth
    limit) but taking a node's inputs first to last, so that ``a`` is
    numbered before ``b`` in ``a * b`` (Graphviz usually, not always, places
    it above in a left-to-right layout: other edges can pull it down). The
    order depends only on the graph's structure, never on memory addresses.
    Raises the size error before ordering anything.
    """
    consumers: Dict[int, int] = {id(root): 0}
    expanded: Set[int] = set()
    queue = deque([(root, 0)])
    while queue:
        value, distance = queue.popleft()
        if value.op is None or (depth is not None and distance >= depth):
            continue
        expanded.add(id(value))
        for child in inputs(value):
            key = id(child)
            if key in consumers:
                consumers[key] += 1
            else:
                consumers[key] = 1
                queue.append((child, distance + 1))
    if len(consumers) > max_nodes:
        raise ValueError(too_big_message(
            "draw_graph", "draw", len(consumers), max_nodes, "Graphviz would take minutes to "
            "lay it out and the picture would be unreadable", depth, depth_option=True))
    order = []
    ready = [root]
    while ready:
        value = ready.pop()
        order.append(value)
        if id(value) not in expanded:
            continue
        for child in inputs(value):
            key = id(child)
            consumers[key] -= 1
            if not consumers[key]:
                ready.append(child)
    order.reverse()
    return order, expanded


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def _escape(text) -> str:
    """``text`` as Graphviz HTML-label content that shows exactly as written.

    The markup characters become entities and a newline (or U+2028, U+2029)
    a line break;
    characters XML cannot carry (control characters) are shown as their
    escape, ``\\x07`` (lone surrogates are refused before, naming the text).
    A backslash is doubled: Graphviz reads ``\\N``, ``\\G``, ``\\E``, ... in a
    label (after the entities, so an entity would not hide it) as the node's
    or graph's name, and ``\\\\`` as one backslash.
    """
    text = str(text).replace("\r\n", "\n").replace("\t", "    ")
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\n\u2028\u2029":           # line and paragraph separators too
            out.append("<BR/>")
        elif _unprintable(code):
            out.append(f"\\\\x{code:02x}" if code < 256 else f"\\\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _unprintable(code: int) -> bool:
    """A character XML cannot carry (SVG is XML): a control character."""
    return code < 32 or code == 0x7F or code in (0xFFFE, 0xFFFF)


# Graphviz reads at most 16,384 bytes in one string of DOT text (a label, a
# tooltip); past it, a syntax error. Ours stay below, with room for markup.
_GRAPHVIZ_STRING = 16_000


def _tooltip(text: str) -> str:
    """``text`` as a DOT tooltip that shows exactly as written on hover.

    Graphviz reads a tooltip's backslashes twice (``\\\\\\\\N`` shows ``\\N``), so
    each is written as four; a quote is escaped, a newline written ``\\n``
    (no raw line break in the DOT text), a control character shown as its escape.
    """
    out = []
    for ch in text.replace("\r\n", "\n"):
        code = ord(ch)
        if ch == "\\":
            out.append("\\" * 4)
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif _unprintable(code):
            out.append("\\" * 4 + (f"x{code:02x}" if code < 256 else f"u{code:04x}"))
        else:
            out.append(ch)
    return graphviz.nohtml("".join(out))


def _shown(text: str, what: str) -> Tuple[str, Dict[str, str]]:
    """A label (or an op's text) as its box shows it, escaped, and the node's
    attributes for it: the whole text as a tooltip when the box shows it
    shortened. Refuses text that cannot be written (``what`` names it) and
    text too long for Graphviz even as a tooltip."""
    check_encodable(text, "draw_graph", what)
    short = shorten(text)
    if short == text:
        return _escape(text), {}
    tooltip = _tooltip(text)
    if len(tooltip.encode("utf-8")) > _GRAPHVIZ_STRING:
        raise ValueError(f"draw_graph: {what} {short!r} is {len(text)} characters long; the "
                         f"box shows its first {SHORT_LABEL - 1} and the whole text on "
                         f"hover, but Graphviz reads at most 16,384 bytes in one string. "
                         f"Give it a shorter label (e.g. its first {SHORT_LABEL} characters)")
    return _escape(short), {"tooltip": tooltip}


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------


def _grad_magnitude(value: Value) -> float:
    return abs(plain_float(value.grad))


def _grad_fill(magnitude: float, largest: float) -> Optional[str]:
    """The grad cell's colour, or None for a zero gradient."""
    if magnitude == 0:
        return None
    if not math.isfinite(magnitude) or largest == 0:
        return _GRAD_BINS[0][1]             # nan/inf: flag it as loudly as the largest
    for fraction, colour in _GRAD_BINS:
        if magnitude >= fraction * largest:
            return colour
    return _GRAD_BINS[-1][1]


def _value_label(label: Optional[str], value: Value, kind: str, show_grad: bool,
                 grad_fill: Optional[str]) -> str:
    """A one-row table: | label | data 2.0000 | grad -3.0000 |; ``label`` is
    the label escaped as shown, or None."""
    fill, border, width, rounded = _KINDS[kind]
    style = ' STYLE="rounded"' if rounded else ""
    # A coloured cell's square corners would poke out of a rounded border:
    # inset the cells a little and round the coloured one too.
    spacing = 2 if rounded and grad_fill else 0
    cells = []
    if label is not None:
        cells.append(f"<TD><B>{label}</B></TD>")
    cells.append(f"<TD>data {number(value.data)}</TD>")
    if show_grad:
        colour = f' BGCOLOR="{grad_fill}"' if grad_fill else ""
        if grad_fill and rounded:
            colour += ' STYLE="rounded"'
        cells.append(f"<TD{colour}>grad {number(value.grad)}</TD>")
    return (f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="{spacing}" '
            f'CELLPADDING="5" BGCOLOR="{fill}" COLOR="{border}"{style}><TR>'
            f'{"<VR/>".join(cells)}'
            "</TR></TABLE>>")


def _short(x: float) -> str:
    return f"{x:.3g}"


def _caption(title: str, kinds: Sequence[str], leaf_name: str, legend: bool,
             largest: Optional[float], fontsize: Number) -> str:
    """The graph's caption: a title, a swatch per kind of node, the |grad| scale."""
    rows = []
    if title:
        rows.append(f'<TR><TD><FONT POINT-SIZE="{fontsize + 3}">{_escape(title)}</FONT>'
                    "</TD></TR>")
    if legend:
        names = dict(_LEGEND_NAMES, leaf=leaf_name)
        swatches = []
        for kind in kinds:
            fill, border, width, rounded = _KINDS[kind]
            style = ' STYLE="rounded"' if rounded else ""
            swatches.append(f'<TD><TABLE BORDER="{width}" CELLBORDER="0" COLOR="{border}" '
                            f'BGCOLOR="{fill}"{style}><TR><TD>{names[kind]}</TD></TR>'
                            "</TABLE></TD>")
        swatches.append(f'<TD><TABLE BORDER="1" CELLBORDER="0" COLOR="{_OP_BORDER}" '
                        f'BGCOLOR="{_OP_FILL}" STYLE="rounded"><TR><TD>op</TD></TR>'
                        "</TABLE></TD>")
        rows.append(_row(swatches))
    if legend and largest is not None:
        # Bins from small to large: (0, L/100), [L/100, L/10), [L/10, L/2), >= L/2.
        scale = ["<TD>|grad|:</TD>", '<TD BORDER="1">0</TD>']
        bounds = [fraction * largest for fraction, _ in _GRAD_BINS]
        for i in reversed(range(len(_GRAD_BINS))):
            colour = _GRAD_BINS[i][1]
            if i == 0:
                text = f"≥ {_short(bounds[0])}"
            elif i == len(_GRAD_BINS) - 1:
                text = f"&lt; {_short(bounds[i - 1])}"
            else:
                text = f"{_short(bounds[i])} – {_short(bounds[i - 1])}"
            scale.append(f'<TD BORDER="1" BGCOLOR="{colour}">{text}</TD>')
        rows.append(_row(scale))
    if not rows:
        return ""
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4">{"".join(rows)}'
            "</TABLE>>")


def _row(cells: List[str]) -> str:
    """One caption row, its cells in a table of their own (rows differ in width)."""
    return (f'<TR><TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4"><TR>'
            f'{"".join(cells)}</TR></TABLE></TD></TR>')


def draw_graph(root: Value, rankdir: str = "LR", show_grad: bool = True,
               max_nodes: int = DEFAULT_MAX_NODES, *, depth: Optional[int] = None,
               params: Optional[Iterable[Value]] = None, colour_by_grad: bool = False,
               legend: Optional[bool] = None, title: str = "",
               fontsize: Number = 12) -> GraphDrawing:
    """The computation graph below ``root`` as a Graphviz digraph.

    Args:
        root: the Value to draw, with everything it was computed from.
        rankdir: layout direction, ``"LR"`` (left to right), ``"TB"``,
            ``"RL"`` or ``"BT"``.
        show_grad: show each value's ``grad`` next to its ``data``.
        max_nodes: most value boxes to draw; a larger graph raises
            ValueError before anything is built (each
            computed value also gets a small op node, so Graphviz sees up to
            about twice this many nodes).
        depth: draw only the values at most ``depth`` ops above ``root``;
            values whose inputs are cut off get a dashed op
            node.
        params: the leaves to mark as parameters (e.g. a model's weights);
            the other leaves are drawn as inputs. By default the engine cannot
            tell them apart, and every leaf is drawn alike, as a leaf.
        colour_by_grad: colour each grad cell by the size of the gradient,
            relative to the largest one drawn (needs ``show_grad``).
        legend: add a caption naming the node kinds (and the gradient scale);
            by default shown when ``colour_by_grad`` or ``params`` is given.
        title: a line of text under the graph.
        fontsize: font size in points.

    Returns:
        A :class:`GraphDrawing` (a ``graphviz.Digraph``): ``.source`` is the
        DOT text; ``.render("graph", format="svg")`` writes ``graph.svg``
        (needs Graphviz's ``dot``); in a notebook it displays itself.

    Raises:
        ValueError: the graph has more than ``max_nodes`` values (the message
            gives its size and how to draw it or a part of it), or an
            argument is out of range.
        TypeError: ``root`` (or a member of ``params``) is not a Value,
            or ``params`` is one Value instead of a list.

    Example:
        >>> from autograd_lite import Value, draw_graph
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> y = (a * b + a).tanh(); y.label = "y"; y.backward()
        >>> g = draw_graph(y)
        >>> g.source.count("data "), g.source.count("shape=ellipse")   # 5 values, 3 ops
        (5, 3)
        >>> "grad -2.682e-03" in g.source  # d y / d a = (1 - tanh²(-4)) (b + 1)
        True
        >>> edges = [line.strip() for line in g.source.splitlines() if "->" in line]
        >>> edges[:3]              # a (v0) and b (v1) into the * op, which makes v2
        ['v0 -> op2', 'v1 -> op2', 'op2 -> v2']
    """
    if type(root) is not Value:
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}; "
                        "pass the Value whose history you want to see, e.g. the loss")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {', '.join(_RANKDIRS)}, "
                         f"got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int, got {max_nodes!r}")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int)
                              or depth < 0):
        raise ValueError(f"draw_graph: depth must be None or an int >= 0, got {depth!r}")
    if isinstance(fontsize, bool) or not isinstance(fontsize, (int, float)) or not fontsize > 0:
        raise ValueError(f"draw_graph: fontsize must be a positive number, got {fontsize!r}")
    if not isinstance(title, str):
        raise TypeError(f"draw_graph: title must be a str, got {type(title).__name__}")
    check_encodable(title, "draw_graph", "title=")
    if colour_by_grad and not show_grad:
        raise ValueError("draw_graph: colour_by_grad colours the grad cells, so it needs "
                         "show_grad=True")
    param_ids: Set[int] = set()
    if params is not None:
        if isinstance(params, Value):
            raise TypeError("draw_graph: params must be an iterable of Values, got one "
                            "Value; wrap it in a list: params=[w]")
        if not hasattr(params, "__iter__"):
            raise TypeError(f"draw_graph: params must be an iterable of Values, got "
                            f"{type(params).__name__}; e.g. params=model.parameters()")
        for p in params:
            if type(p) is not Value:
                raise TypeError(f"draw_graph: params must be Values, got "
                                f"{type(p).__name__}")
            param_ids.add(id(p))
    if legend is None:
        legend = colour_by_grad or params is not None

    order, expanded = drawing_order(root, depth, max_nodes)

    font = {"fontname": _FONT, "fontsize": str(fontsize)}
    graph = GraphDrawing(
        graph_attr=dict(font, rankdir=rankdir, nodesep="0.25", ranksep="0.35",
                        bgcolor="white", pad="0.2",
                        # Graphviz's newer ranking: the same pictures, but a
                        # 10,000-node chain lays out in seconds, not a minute.
                        newrank="true"),
        node_attr=dict(font, shape="none", margin="0"),
        edge_attr=dict(font, color=_EDGE_COLOUR, arrowsize="0.7", penwidth="1.1"))

    largest = None
    if colour_by_grad:
        finite = [m for m in map(_grad_magnitude, order) if math.isfinite(m)]
        largest = max(finite, default=0.0)
    position = {id(value): i for i, value in enumerate(order)}
    kinds_seen = set()
    for i, value in enumerate(order):
        symbol = None if value.op is None else op_text(value)
        if value is root:
            kind = "root"
        elif symbol is not None:
            kind = "interior"
        elif id(value) in param_ids:
            kind = "parameter"
        else:
            kind = "leaf"
        kinds_seen.add(kind)
        grad_fill = (_grad_fill(_grad_magnitude(value), largest)
                     if largest is not None else None)        # set by colour_by_grad
        label: Optional[str] = None
        hover: Dict[str, str] = {}
        if value.label != "" and value.label is not None:
            label, hover = _shown(str(value.label), "the label")
        graph.node(f"v{i}", label=_value_label(label, value, kind, show_grad, grad_fill),
                   **hover)
        if symbol is None:
            continue
        cut = id(value) not in expanded
        op_name = f"op{i}"
        shown, extra = _shown(symbol, "the op")
        if cut:
            extra["tooltip"] = _tooltip(f"{symbol}: inputs not drawn (depth limit)"
                                        if extra else "inputs not drawn (depth limit)")
        if len(symbol) == 1:                   # + - * /: a bigger glyph reads better
            extra["fontsize"] = str(fontsize + 4)
        graph.node(op_name, label=f"<{shown}>", shape="ellipse",
                   style="filled,dashed" if cut else "filled", fillcolor=_OP_FILL,
                   color=_OP_BORDER, fontcolor=_OP_FONT_COLOUR, margin="0.05,0.02",
                   height="0.3", width="0.3", **extra)
        if not cut:
            labels = _edge_labels(value)
            for k, child in enumerate(inputs(value)):
                attrs = {}
                if labels is not None:
                    # dot(w, [1.0, 2.0]): w_k's edge says the number it is scaled by
                    attrs = {"label": f"<{_escape(labels[k])}>",
                             "fontsize": str(max(fontsize - 2, 1)), "fontcolor": "#404040"}
                graph.edge(f"v{position[id(child)]}", op_name, **attrs)
        graph.edge(op_name, f"v{i}")

    leaf_name = "input" if params is not None else "leaf"
    kinds = [k for k in ("root", "parameter", "leaf", "interior") if k in kinds_seen]
    caption = _caption(title, kinds, leaf_name, legend, largest, fontsize)
    if len(caption.encode("utf-8")) > _GRAPHVIZ_STRING:
        raise ValueError(f"draw_graph: title= is {len(title)} characters long, more than "
                         "Graphviz reads in one string (16,384 bytes with its markup); "
                         "give a shorter title")
    if caption:
        graph.attr(label=caption, labelloc="b", labeljust="c")
    return graph


draw_dot = draw_graph
"""micrograd's name for :func:`draw_graph`."""
