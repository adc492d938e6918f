"""The trace hook: how a tracer (:mod:`autograd_lite.compile`) follows what
traced code does with Values, installed over the core as the accelerator is.

:func:`set_trace_hook` is the one place that changes the core for a tracer,
and it lists what it changes: ``Value.data`` becomes a property that asks the
hook (the core itself reads the private slot ``_data``), the accelerator's
inline ``+`` and ``*`` report the nodes they make, the core reports every
other node and every ``Value(x)`` (:func:`autograd_lite.core.set_node_hook`),
and Value comparisons report to the hook (``compat.set_comparison_hook``).
Removed, everything is as it was: eager code pays nothing while no thread
traces.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from .compat import set_comparison_hook
from .core import DATA_SLOT, Value, set_node_hook

__all__ = ["TraceHook", "set_trace_hook"]


class TraceHook:
    """What a tracer (``autograd_lite.compile``) is told while installed with
    :func:`set_trace_hook`; each method must answer as the core alone would
    for a thread that is not tracing (these defaults).

    * ``data(value)``: what ``value.data`` hands code (the core itself reads
      the private slot; ``item``, ``detach``, ``repr`` and ``format`` go
      through ``data``); ``assign_data(value, number)``: ``value.data = number``;
    * ``created(node)``: every node made, in the order made;
    * ``compare(value, symbol, other, result)``: every comparison of a Value;
    * ``as_value(x)``: the Value standing for ``x``, an object ``data``
      handed out, or None for anything else (``Value(x)``, ``vsum([x])``).
    """

    def data(self, value: Value) -> Any:
        return value._data

    def assign_data(self, value: Value, number: Any) -> None:
        value._data = number

    def created(self, node: Value) -> None:
        return None

    def compare(self, value: Value, symbol: str, other: object, result: bool) -> None:
        return None

    def as_value(self, x: object) -> Optional[Value]:
        return None


_installed: Optional[TraceHook] = None
# The methods set_trace_hook wraps, as installed when it was called.
_MAKERS = ("__add__", "__radd__", "__mul__", "__rmul__")
_unwrapped: Dict[str, Any] = {}


def set_trace_hook(hook: Optional[TraceHook]) -> None:
    """Install a tracer (or, with None, remove it): the one way code outside
    the core changes what the core does.

    While installed, ``Value.data`` asks ``hook.data`` (and writing it,
    ``hook.assign_data``), every node made is reported to ``hook.created``
    (the accelerator's ``+`` and ``*`` too), every comparison to
    ``hook.compare``, and ``Value(x)`` asks ``hook.as_value(x)`` first.
    Removed, ``data`` is the slot again and the methods are the ones it
    found. The hook answers for every thread, so it must act only for the
    threads that trace.
    """
    global _installed
    if hook is None:
        _installed = None
        set_node_hook(None)
        for name, method in _unwrapped.items():
            setattr(Value, name, method)
        _unwrapped.clear()
        setattr(Value, "data", DATA_SLOT)  # noqa: B010 (typed as a property in compat.Scalar)
        set_comparison_hook(None)
        return
    if _installed is None:
        _unwrapped.update((name, Value.__dict__[name]) for name in _MAKERS)
    _installed = hook
    set_node_hook(hook)
    created = hook.created

    def reporting(method: Callable[[Value, Any], Any]) -> Callable[[Value, Any], Any]:
        def make(self: Value, other: Any) -> Any:
            node = method(self, other)
            if type(other) is Value or type(other) is float or type(other) is int:
                created(node)       # made inline (else by new_node, which reported it)
            return node
        return make

    for name, method in _unwrapped.items():
        if getattr(method, "__module__", None) != Value.__module__:
            setattr(Value, name, reporting(method))   # the accelerator's, made inline
    setattr(Value, "data", property(hook.data, hook.assign_data,  # noqa: B010
                                    doc="The number (while a tracer is installed)."))
    set_comparison_hook(hook.compare)
