"""Grad mode: whether new nodes record their inputs, per thread, as in PyTorch.

``no_grad`` and ``enable_grad`` are context managers (and decorators) over
:func:`set_grad_enabled`; a new thread records. The node constructor reads
:data:`threads_not_recording` first: while no thread has recording off
(nearly always) that one module attribute answers, without the thread-local
flag.
"""

from __future__ import annotations

import contextlib
import threading

__all__ = ["set_grad_enabled", "is_grad_enabled", "no_grad", "enable_grad", "recording",
           "threads_not_recording"]


class _GradMode(threading.local):
    """Whether this thread records graphs; a new thread starts recording."""
    enabled = True


_mode = _GradMode()
_mode_lock = threading.Lock()
threads_not_recording = 0
"""How many threads have recording off. A thread counts itself in before it
turns recording off, so ``not threads_not_recording or is_grad_enabled()`` is
the thread's own mode either way."""


def set_grad_enabled(enabled: bool) -> bool:
    """Turn graph recording on or off in this thread; return the previous mode.

    Other threads keep their own mode, as in PyTorch. Unlike PyTorch's, it is
    a plain function, not a context manager: for a block, use ``no_grad`` or
    ``enable_grad``, which restore the mode on the way out.

    >>> from autograd_lite import Value
    >>> previous = set_grad_enabled(False)
    >>> (Value(2.0) * 3)._prev
    ()
    >>> set_grad_enabled(previous)
    False
    """
    global threads_not_recording
    if type(enabled) is not bool:
        raise TypeError(f"set_grad_enabled: expected True or False, got "
                        f"{type(enabled).__name__}")
    previous = _mode.enabled
    if enabled is not previous:
        with _mode_lock:               # += on a global is not atomic across threads
            threads_not_recording += -1 if enabled else 1
            _mode.enabled = enabled
    return previous


def recording() -> bool:
    """Whether a node made now records its inputs (the node constructor
    inlines this test)."""
    return not threads_not_recording or _mode.enabled


def is_grad_enabled() -> bool:
    """True unless this thread is inside ``no_grad``.

    >>> with no_grad():
    ...     is_grad_enabled()
    False
    >>> is_grad_enabled()
    True
    """
    return _mode.enabled


class no_grad(contextlib.ContextDecorator):
    """Within it, ops record no inputs: results are leaves (as torch.no_grad).

    It applies to the thread that enters it; other threads keep recording.

    >>> from autograd_lite import Value
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y._prev
    ()
    """

    def _recreate_cm(self) -> "no_grad":
        # As a decorator, each call gets its own instance: a recursive or
        # concurrent call must not overwrite the mode another call saved.
        return type(self)()

    def __enter__(self) -> "no_grad":
        self._previous = set_grad_enabled(False)
        return self

    def __exit__(self, *exc) -> None:
        set_grad_enabled(self._previous)


class enable_grad(contextlib.ContextDecorator):
    """Record graphs again inside a ``no_grad`` block (in this thread).

    >>> from autograd_lite import Value
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = x * x
    >>> y._prev == (x, x)
    True
    """

    def _recreate_cm(self) -> "enable_grad":
        # As a decorator, each call gets its own instance: a recursive or
        # concurrent call must not overwrite the mode another call saved.
        return type(self)()

    def __enter__(self) -> "enable_grad":
        self._previous = set_grad_enabled(True)
        return self

    def __exit__(self, *exc) -> None:
        set_grad_enabled(self._previous)
