"""Write a picture of a graph to a file: ``save_graph``, the format by the suffix.

``.svg``, ``.png``, ``.pdf`` and ``.dot`` are Graphviz's pictures of
:func:`~autograd_lite.graph.draw_graph`; ``.html`` is the page that steps
through the forward and backward pass (:mod:`autograd_lite.page`). This module
sits above both, so neither the graph nor the page needs the other's writer.
"""

from __future__ import annotations

import os
from typing import Optional, Union

import graphviz

from .core import Value, topological_order
from .files import check_destination, write_atomically
from .graph import Number, draw_graph, missing_dot_explained
from .handbuilt import warn_if_hand_built
from .page import check_root, write_page

__all__ = ["save_graph"]


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
        **draw_options: passed to :func:`~autograd_lite.graph.draw_graph` when
            ``graph`` is a Value.

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
        check_root(graph, "save_graph")
        # before anything is written
        warn_if_hand_built(topological_order(graph), "save_graph()", stacklevel=2)
        return write_page(graph, path, draw_options, "save_graph")
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
        with missing_dot_explained():         # graph may be a plain graphviz.Digraph
            data = graph.pipe(format=_FORMATS[suffix])
    return write_atomically(path, lambda f: f.write(data), binary=True, where="save_graph")
