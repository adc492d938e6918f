"""Draw a computation graph with Graphviz: one box per Value, one small node per op.

``draw_graph(y)`` returns a :class:`graphviz.Digraph` (the Python ``graphviz``
package). Building it needs no external program, so its DOT text,
``draw_graph(y).source``, is always available; turning it into a picture
(``.render()``, ``.pipe()``, :func:`save_graph`, a notebook's display) runs
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
newlines, any unicode) is shown as written.

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
import os
from collections import deque
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

import graphviz

from .core import Value, inputs, topological_order
from .handbuilt import LOCAL, warn_if_hand_built
from .files import check_destination, write_atomically
from .ops import CONST_LEFT, CONST_RIGHT, DOT_CONST

__all__ = ["draw_graph", "draw_dot", "save_graph", "GraphDrawing",
           "GraphvizNotFoundError", "DEFAULT_MAX_NODES"]

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
def _explaining_missing_dot() -> Iterator[None]:
    """Turn graphviz's ExecutableNotFound into :class:`GraphvizNotFoundError`
    (``from`` the original, to keep the command it tried)."""
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
        with _explaining_missing_dot():
            return super().pipe(*args, **kwargs)

    def render(self, *args, **kwargs):
        """:meth:`graphviz.Digraph.render` (``view`` uses it too)."""
        with _explaining_missing_dot():
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
        return tuple(f"∂ {_constant(c)}" for c in value._b)
    if value.op is not None and value.op.layout == DOT_CONST:
        return tuple(f"× {_constant(c)}" for c in value._b)
    return None


def _collect(root: Value, depth: Optional[int], max_nodes: int
             ) -> Tuple[List[Value], Set[int]]:
    """The values within ``depth`` ops of ``root``, inputs before their users,
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
        raise ValueError(_too_big_message(len(consumers), max_nodes, depth))
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


def _too_big_message(size: int, max_nodes: int, depth: Optional[int]) -> str:
    part = "" if depth is None else f" within depth={depth}"
    return (f"draw_graph: the graph has {size} values{part}, more than "
            f"max_nodes={max_nodes}; Graphviz would take minutes to lay it out and the "
            f"picture would be unreadable. To draw it anyway, raise the limit: "
            f"draw_graph(root, max_nodes={size}). To draw a part, pass depth=k to keep "
            f"only the values at most k ops above root (e.g. depth=3), or draw from an "
            f"intermediate value: draw_graph(some_value) shows what it depends on.")


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def _escape(text) -> str:
    """``text`` as Graphviz HTML-label content that shows exactly as written.

    The markup characters become entities and a newline a line break;
    characters XML cannot carry (control characters, lone surrogates) are
    shown as their escape, ``\\x07``. A backslash is doubled: Graphviz reads
    ``\\N``, ``\\G``, ``\\E``, ... in a label (after the entities, so an
    entity would not hide it) as the node's or graph's name, and ``\\\\``
    as one backslash.
    """
    text = str(text).replace("\r\n", "\n").replace("\t", "    ")
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("<BR/>")
        elif code < 32 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\\\x{code:02x}" if code < 256 else f"\\\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _plain_float(x) -> float:
    """A number, or a gradient kept as a Value (``create_graph=True``), as a float."""
    return float(x.data if type(x) is Value else x)


def _number(x) -> str:
    """A data or grad value: 4 decimals as micrograd, or 4 significant digits
    (``1.341e-03``) when 4 decimals would hide most of the number."""
    x = _plain_float(x)
    if x == 0:
        return "0.0000"         # also -0.0: the sign of a zero is noise here
    if not math.isfinite(x):
        return str(x)                       # nan, inf, -inf
    if 1e-2 <= abs(x) < 1e5:
        return f"{x:.4f}"
    return f"{x:.3e}"


def _constant(c) -> str:
    """A constant kept in a node: exact when short (2, 0.5, 1e-08), else to 4
    significant digits (0.3333)."""
    if isinstance(c, int) and not isinstance(c, bool):
        return str(c)
    text = repr(float(c))
    if len(text) > 8:
        text = f"{float(c):.4g}"
        if text.lstrip("-").isdigit():
            text += ".0"                     # still reads as a float: 1.0, not 1
    return text


def _op_text(node: Value) -> str:
    """What the op node says: ``+``, ``tanh``, ``**2``, ``* 2.0``, ``2.0 -``,
    ``leaky_relu alpha=0.1``."""
    op = node.op
    symbol = node._op
    if op is None:                                           # a leaf: no op node
        return ""
    if op.layout == CONST_RIGHT and "{" not in op.symbol:
        if op.param and op.base.layout == CONST_RIGHT:      # x.leaky_relu(0.1)
            return f"{symbol} {op.param}={_constant(node._b)}"
        return f"{symbol} {_constant(node._b)}"              # x * 2.0
    if op.layout == CONST_LEFT:
        return f"{_constant(node._a)} {symbol}"              # 2.0 - x
    return symbol


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------

def _grad_magnitude(value: Value) -> float:
    return abs(_plain_float(value.grad))


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


def _value_label(value: Value, kind: str, show_grad: bool,
                 grad_fill: Optional[str]) -> str:
    """A one-row table: | label | data 2.0000 | grad -3.0000 |."""
    fill, border, width, rounded = _KINDS[kind]
    style = ' STYLE="rounded"' if rounded else ""
    # A coloured cell's square corners would poke out of a rounded border:
    # inset the cells a little and round the coloured one too.
    spacing = 2 if rounded and grad_fill else 0
    cells = []
    if value.label != "" and value.label is not None:
        cells.append(f"<TD><B>{_escape(value.label)}</B></TD>")
    cells.append(f"<TD>data {_number(value.data)}</TD>")
    if show_grad:
        colour = f' BGCOLOR="{grad_fill}"' if grad_fill else ""
        if grad_fill and rounded:
            colour += ' STYLE="rounded"'
        cells.append(f"<TD{colour}>grad {_number(value.grad)}</TD>")
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

    order, expanded = _collect(root, depth, max_nodes)

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
        op_text = None if value.op is None else _op_text(value)
        if value is root:
            kind = "root"
        elif op_text is not None:
            kind = "interior"
        elif id(value) in param_ids:
            kind = "parameter"
        else:
            kind = "leaf"
        kinds_seen.add(kind)
        grad_fill = (_grad_fill(_grad_magnitude(value), largest)
                     if largest is not None else None)        # set by colour_by_grad
        graph.node(f"v{i}", label=_value_label(value, kind, show_grad, grad_fill))
        if op_text is None:
            continue
        cut = id(value) not in expanded
        op_name = f"op{i}"
        extra = {"tooltip": "inputs not drawn (depth limit)"} if cut else {}
        if len(op_text) == 1:                  # + - * /: a bigger glyph reads better
            extra["fontsize"] = str(fontsize + 4)
        graph.node(op_name, label=f"<{_escape(op_text)}>", shape="ellipse",
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
    if caption:
        graph.attr(label=caption, labelloc="b", labeljust="c")
    return graph


draw_dot = draw_graph
"""micrograd's name for :func:`draw_graph`."""


_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


def save_graph(graph: Union[Value, graphviz.Digraph], path: Union[str, os.PathLike],
               *, dpi: Optional[Number] = None, **draw_options) -> str:
    """Draw a graph and write it to ``path``, atomically; the format is its suffix.

    Args:
        graph: a Value (drawn with ``draw_graph(graph, **draw_options)``) or
            a digraph ``draw_graph`` returned.
        path: where to write: ``.svg``, ``.png`` or ``.pdf`` (rendered with
            ``dot``), ``.dot``/``.gv`` (the DOT text; needs no Graphviz), or
            ``.html``: a page that steps through the forward and backward
            pass (see :mod:`autograd_lite.page`; ``graph`` must be a Value;
            ``title`` becomes the page's heading, and ``show_grad``,
            ``colour_by_grad`` and ``depth`` are refused: the page shows
            every value and fills in the gradients itself).
            No format changes a gradient: a picture shows each ``.grad`` as
            it is, and the page works out its own and puts them back.
            The folder must exist. The file appears complete or not at all.
        dpi: pixels per inch of a ``.png`` (Graphviz's default is 96; 150
            gives a sharp picture on a high-resolution screen).
        **draw_options: passed to :func:`draw_graph` when ``graph`` is a Value.

    Returns:
        The path written, as a string.

    Raises:
        GraphvizNotFoundError: ``dot`` is needed and not installed.
        ValueError: unknown suffix, or the graph is too big (see draw_graph).
        TypeError: ``graph`` is neither a Value nor a digraph, drawing
            options came with a digraph, or an ``.html`` page was given
            ``show_grad``, ``colour_by_grad`` or ``depth``.
        FileNotFoundError: the folder of ``path`` does not exist.
        IsADirectoryError: ``path`` is a folder.

    Example:
        >>> import os, tempfile
        >>> from autograd_lite import Value
        >>> x = Value(3.0, label="x"); y = x * x; y.backward()
        >>> folder = tempfile.mkdtemp()
        >>> path = save_graph(y, os.path.join(folder, "square.dot"))
        >>> open(path).read().count("->")      # two uses of x, one op -> result
        3
    """
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".html":               # the interactive page: autograd_lite.page
        if dpi is not None:
            raise ValueError(f"save_graph: dpi applies to .png files only, got {path!r}")
        from .page import _check_root, _save_page
        _check_root(graph, "save_graph")
        # before anything is written
        warn_if_hand_built(topological_order(graph), "save_graph()", stacklevel=2)
        return _save_page(graph, path, draw_options, "save_graph")
    if suffix not in _FORMATS:
        raise ValueError(f"save_graph: cannot tell the format of {path!r}; end the path "
                         f"with one of {', '.join(sorted(_FORMATS) + ['.html'])}")
    check_destination(path, "save_graph")     # before drawing, which can take a while
    if isinstance(graph, Value):
        graph = draw_graph(graph, **draw_options)
    elif draw_options:
        raise TypeError("save_graph: drawing options apply only when given a Value, "
                        f"got a {type(graph).__name__} and {sorted(draw_options)}")
    elif not isinstance(graph, graphviz.Digraph):
        raise TypeError(f"save_graph: expected a Value or a graphviz.Digraph, got "
                        f"{type(graph).__name__}")
    if dpi is not None:
        if suffix != ".png":
            raise ValueError(f"save_graph: dpi applies to .png files only, got {path!r}")
        if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not dpi > 0:
            raise ValueError(f"save_graph: dpi must be a positive number, got {dpi!r}")
        graph = graph.copy()
        graph.attr(dpi=str(dpi))
    if _FORMATS[suffix] == "dot":
        data = graph.source.encode("utf-8")
    else:
        with _explaining_missing_dot():       # graph may be a plain graphviz.Digraph
            data = graph.pipe(format=_FORMATS[suffix])
    return write_atomically(path, lambda f: f.write(data), binary=True, where="save_graph")
