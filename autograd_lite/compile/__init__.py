"""compile: trace scalar code once, run it over a whole batch with numpy.

``compile(fn)`` calls ``fn`` once on Values made from the first sample of a
batch, and runs what that call did over every sample of every later batch of
the same structure. The stages, one module each:

* :mod:`~autograd_lite.compile.trace`: the call, with every number it reads
  from a Value recorded;
* :mod:`~autograd_lite.compile.tape`: the nodes it made, as a flat list of
  typed entries in the order made (printable: ``f.tape(x)``);
* :mod:`~autograd_lite.compile.rewrites`: merging no caller can observe
  (chains of ``+`` over products become dots);
* :mod:`~autograd_lite.compile.program`: the tape as numpy calls (the op
  table over arrays: :mod:`~autograd_lite.compile.arrays`), forward and back;
* :mod:`~autograd_lite.compile.batch`: ``compile``, ``Batch``, ``Reduced``.

The rule
--------
A compiled call gives, for every sample, the scalar engine's answer (values,
gradients, or the error eager code raises first), or it refuses with an error
that names the line; never a third outcome. Every number ``fn`` reads from a
traced Value is followed per sample, checked on every sample of every call,
or refused while tracing.

Why it holds
------------
Where a sample can influence what ``fn`` does, and how each is covered:

* **Values' arithmetic and functions** build nodes; every node the call makes
  is reported to the tracer in order (made with gradients off, ``no_grad``,
  it is refused: its number would be the traced sample's). The program
  replays each op per sample with the op table's forward and partials over
  arrays, and raises each op's domain error where the scalar forward does.
* **Reading a number**: ``x.data``, ``x.item()``, ``x.detach()``,
  ``Value(x.data)``. While tracing, ``data`` is a property that hands ``fn``
  a :class:`~autograd_lite.compile.trace.TracedNumber`: its arithmetic is
  recorded (``x * x.data`` and ``v - max(u.data for u in vs)`` are right for
  every sample), entering a Value's arithmetic through a stop-gradient entry
  (no gradient, as eager's float has none); ``detach`` and ``Value(number)``
  are that entry too. A captured parameter's number is the parameter's slot,
  read at every call, never baked in.
* **Branches**: comparisons of Values and of TracedNumbers (``if x > 0``,
  ``x.data < y``, ``max(...)``, ``in (-1.0, 1.0)``) and truthiness
  (``if x.data``) are guards: the result of the traced sample is checked for
  every sample of every call. A sample that differs runs on another trace,
  traced from it (up to ``MAX_PATHS`` branch patterns per structure; beyond,
  a GuardError naming the comparison, its line and the sample).
* **Turning a traced number into a plain one** cannot be followed, so it is
  refused with a :class:`ConcretizationError` (a TypeError) naming the line
  and what to write instead: ``float()``, ``int()``, ``round()``,
  ``__index__``, every ``math`` function (they call ``__float__``), numpy
  conversion and numpy functions other than the operators, ``str`` and
  formatting to digits, hashing, ``//`` and ``%``. A TracedNumber is not a
  float subclass, so nothing can read its number without asking it.
  ``float(x)`` of a Value is refused eagerly already.
* **Per-sample integers** (an int argument) are :class:`TracedIndex`; only
  ``select`` and ``nn.cross_entropy`` take them (a gather on the tape, range
  checked for every sample); any other use is refused.
* **Writing** ``x.data = ...`` while tracing is refused.
* What the code reads that is not a Value's number (a global, ``len`` of an
  argument, a Value's ``.grad``) is a constant of the trace, as in JAX; the
  argument structure is the trace's key, so shapes are constants by
  construction.

Errors come in eager's order: the forward notes each sample's domain errors,
out-of-range selections and failed guards, and raises the one of the lowest
sample that comes first in the order the trace made its nodes (a guard that
fails before a domain error of the same sample sends that sample to another
branch's trace instead). Gradients are each sample's own: a node not on the
path from a sample's seeded outputs (a branch not taken, an item not
selected, an output not seeded) contributes nothing to it, not 0 · inf.

What compile supports
---------------------
* Arguments: arrays (or anything ``np.asarray`` takes) whose axis 0 is the
  batch, or a :class:`Batch` (the gradient flows back into it: compiled
  functions compose). Floats are traced inputs: ``fn`` receives a Value for
  shape ``(B,)``, a list of n Values for ``(B, n)``, nested lists for more
  axes. Integers are per-sample integers (class labels, tokens).
* The leaves ``fn`` reaches without receiving them (a model's parameters, a
  captured ``Value(2.0)``) are parameters, shared by every sample: their
  ``.data`` is read at each call and their ``.grad`` receives the gradients.
  A computed Value captured from outside (``h = w * 3``, made before the
  call) is recomputed from its leaves at every call, as part of the trace.
* ``fn`` returns a Value (``.data`` of shape ``(B,)``) or a list of k Values
  (``(B, k)``). Every op of the table is supported, in every layout.
* One trace per argument structure (dtype kind and shape after axis 0) and
  branch pattern, at most ``max_traces`` kept (``len(f)`` counts them). The
  trace keeps the parameters it reached: after replacing a model's Values
  (not their ``.data``), call ``f.clear()``.

Example:
    >>> import numpy as np
    >>> from autograd_lite import Value, compile
    >>> w = Value(2.0)
    >>> f = compile(lambda x: (w * x).tanh())
    >>> out = f(np.array([0.0, 0.5]))
    >>> out.data.round(6).tolist()
    [0.0, 0.761594]
    >>> out.sum().backward(); round(w.grad, 6)             # d/dw sum tanh(w x)
    0.209987
    >>> g = compile(lambda x: x * x.data)                  # a number read: followed
    >>> g(np.array([2.0, 3.0])).data.tolist()
    [4.0, 9.0]
"""

from .batch import Batch, Compiled, Reduced, compile
from .program import GuardError
from .trace import ConcretizationError, SampleIndexError, TracedIndex, TracedNumber, select

__all__ = ["compile", "Compiled", "Batch", "Reduced", "TracedIndex", "TracedNumber",
           "select", "SampleIndexError", "ConcretizationError", "GuardError"]
