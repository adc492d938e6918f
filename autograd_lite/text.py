"""The words every picture shares: numbers, op names, value names and refusals.

``explain``'s lines, ``draw_graph``'s boxes and the page's panel name values
and print numbers the same way, from here: a number to 4 decimals
(:func:`number`), a constant kept in a node (:func:`constant`), what an op
node says (:func:`op_text`), how a value is named (:func:`node_name`). A label
longer than :data:`SHORT_LABEL` characters is shortened where it is shown
(:func:`shorten`); text that cannot be written as UTF-8 is refused naming it
(:func:`check_encodable`).

>>> from autograd_lite import Value
>>> x = Value(2.0, label="x"); y = x * 3.0
>>> number(y.data), op_text(y), node_name(x), node_name(y)
('6.0000', '* 3.0', 'x', '(* 3.0 6.0000)')
"""

from __future__ import annotations

import math
from typing import Optional

from .core import Value
from .ops import CONST_LEFT, CONST_RIGHT

__all__ = ["plain_float", "number", "constant", "op_text", "node_name", "shorten",
           "SHORT_LABEL", "check_encodable", "too_big_message"]

SHORT_LABEL = 60
"""Most characters of a label that a picture or explain's text shows; a longer
one is cut to this many, ending in ``…`` (the graph shows it whole on hover)."""


def plain_float(x) -> float:
    """A number, or a gradient kept as a Value (``create_graph=True``), as a float."""
    return float(x.data if type(x) is Value else x)


def number(x) -> str:
    """A data or grad value: 4 decimals as micrograd, or 4 significant digits
    (``1.341e-03``) when 4 decimals would hide most of the number."""
    x = plain_float(x)
    if x == 0:
        return "0.0000"         # also -0.0: the sign of a zero is noise here
    if not math.isfinite(x):
        return str(x)                       # nan, inf, -inf
    if 1e-2 <= abs(x) < 1e5:
        return f"{x:.4f}"
    return f"{x:.3e}"


def constant(c) -> str:
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


def op_text(node: Value) -> str:
    """What the op node says: ``+``, ``tanh``, ``**2``, ``* 2.0``, ``2.0 -``,
    ``leaky_relu alpha=0.1``; ``""`` for a leaf."""
    op = node.op
    symbol = node._op
    if op is None:                                           # a leaf: no op node
        return ""
    if op.layout == CONST_RIGHT and "{" not in op.symbol:
        if op.param and op.base.layout == CONST_RIGHT:      # x.leaky_relu(0.1)
            return f"{symbol} {op.param}={constant(node._b)}"
        return f"{symbol} {constant(node._b)}"              # x * 2.0
    if op.layout == CONST_LEFT:
        return f"{constant(node._a)} {symbol}"              # 2.0 - x
    return symbol


def shorten(text: str, limit: int = SHORT_LABEL) -> str:
    """``text`` if it has at most ``limit`` characters, else its first
    ``limit - 1`` and ``…``.

    >>> shorten("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[:limit - 1] + "…"


def node_name(value: Value) -> str:
    """How the text names a value: its label (quoted if it has spaces;
    shortened past :data:`SHORT_LABEL` characters), else its op and data in
    brackets (``(* -6.0000)``), or ``(leaf 2.0000)``."""
    if value.label != "" and value.label is not None:
        label = shorten(str(value.label))
        return repr(label) if not label or any(c.isspace() for c in label) else label
    if value.op is None:
        return f"(leaf {number(value.data)})"
    return f"({shorten(op_text(value))} {number(value.data)})"


def check_encodable(text: str, where: str, what: str) -> None:
    """Refuse ``text`` (``what`` names it: ``"the label 'x'"``, ``"title="``)
    when it holds a character UTF-8 cannot write: a lone surrogate, as from
    bytes decoded with ``errors="surrogateescape"``.

    >>> check_encodable("ok \\u2028", "draw_graph", "title=")
    >>> check_encodable("bad \\udc80", "draw_graph", "title=")
    Traceback (most recent call last):
    ...
    ValueError: draw_graph: title= 'bad \\udc80' has a character UTF-8 cannot encode,
    U+DC80 at index 4 (a lone surrogate); pass text of real characters, e.g. bytes
    decoded with errors="replace"
    """
    for index, ch in enumerate(text):
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise ValueError(f"{where}: {what} {shorten(text)!r} has a character UTF-8 "
                             f"cannot encode, U+{ord(ch):04X} at index {index} (a lone "
                             "surrogate); pass text of real characters, e.g. bytes "
                             'decoded with errors="replace"')


def too_big_message(where: str, verb: str, size: int, max_nodes: int, why: str,
                    depth: Optional[int] = None, depth_option: bool = False) -> str:
    """The refusal of a graph of ``size`` values, more than ``max_nodes``:
    ``why`` it is refused, and how to ``verb`` it anyway or a part of it
    (``depth_option``: also by ``depth=k``)."""
    within = "" if depth is None else f" within depth={depth}"
    option = (f"pass depth=k to keep only the values at most k ops above root (e.g. "
              f"depth=3), or {verb} from" if depth_option else f"{verb} from")
    return (f"{where}: the graph has {size} values{within}, more than "
            f"max_nodes={max_nodes}; {why}. To {verb} it anyway, raise the limit: "
            f"{where}(root, max_nodes={size}). To {verb} a part, {option} an "
            f"intermediate value: {where}(some_value) shows what it depends on.")
