"""compile: trace scalar code once, run it over a whole batch with numpy.

``compile(fn)`` calls ``fn`` once on Values made from the first sample of a
batch. The scalar graph that call builds IS the trace: read in topological
order it becomes a tape, a flat list with one :class:`~autograd_lite.replay.Entry`
per node (its kind, its op-table entry, and its arguments: slot numbers of
earlier entries, or constants). Replaying the tape over numpy arrays asks the
same op table for each op's vectorized forward and partials
(:mod:`autograd_lite.vectorize`), so every sample of the batch is computed at
once, and ``backward`` adds to each parameter's ``.grad`` what the scalar
engine's backward would. This module traces; :mod:`autograd_lite.replay`
merges and runs the tape.

On the tape no one outside can hold an intermediate, so merging nodes is
sound there (and only there): same-op nodes of one level run as one numpy
call, chains of ``+`` over products become one ``dot``, and the dots that read
the same input list become one matrix product (an MLP layer is one ``@``
forward and two backward).

What compile supports
---------------------
* Arguments: arrays (or anything ``np.asarray`` takes) whose axis 0 is the
  batch. Floats are traced inputs: ``fn`` receives a Value for shape ``(B,)``,
  a list of n Values for ``(B, n)``, nested lists for more axes. Integers are
  per-sample integers (class labels): ``fn`` receives a :class:`TracedIndex`,
  which ``nn.cross_entropy`` and :func:`select` accept (a per-sample
  selection on the tape); any other use of it is a TypeError.
* The leaves ``fn`` reaches without receiving them (a model's parameters, a
  captured ``Value(2.0)``) are parameters, shared by every sample: their
  ``.data`` is read at each call and their ``.grad`` receives the gradients.
  A computed Value captured from outside (``h = w * 3``, made before the
  call) is recomputed from its leaves at every call, as part of the trace:
  its own ``.data`` is not read and its ``.grad`` receives nothing (its
  leaves' do). Numbers captured are constants.
* ``fn`` returns a Value (``.data`` of shape ``(B,)``) or a list of k Values
  (``(B, k)``). Every op of the table is supported, in every layout.
* Comparisons of Values (``if x > 0``, ``max(values)``) and of an input's
  ``.data`` (``if x.data > 0``) are recorded while tracing and checked on
  every sample: a batch in which some sample takes another branch raises a
  ValueError naming the comparison, the samples and the rewrite
  (``x.relu()``, ``abs(x)``, ``logsumexp``...).
* Other numbers read from traced Values (``x * x.data``, ``max(v.data ...)``
  used in arithmetic, a branch on a computed node's ``.data``) become
  constants of the trace. compile traces a second sample (the one farthest
  from the first) and raises a ValueError if any constant or any op differs;
  two samples can agree by chance, so keep such numbers Values instead.
* One trace per argument structure (dtype kind and shape after axis 0). The
  trace keeps the parameters it reached: after replacing a model's Values
  (not their ``.data``), compile the function again.

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
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import threading
from itertools import repeat
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple,
                    Type)

import numpy as np

from .coerce import as_float, as_tuple, is_real_number
from .compat import comparable, set_comparison_hook
from .core import Value, inputs
from .fused import Leaves, as_values
from .grad_mode import enable_grad
from .ops import DomainError, left_to_right
from .replay import GATHER, INPUT, OP, PARAM, Entry, Program, SampleIndexError

__all__ = ["compile", "Compiled", "Batch", "Reduced", "TracedIndex", "select",
           "SampleIndexError"]

# ---------------------------------------------------------------------------
# Tracing
# ---------------------------------------------------------------------------

class _Trace:
    """What one call of ``fn`` reported: comparisons and selections."""

    def __init__(self) -> None:
        self.guards: List[tuple] = []     # (value, symbol, other, result, where)
        self.selections: Dict[int, tuple] = {}   # id(node) -> (index, where, what, error)
        self.keep: List[Value] = []       # selection nodes, alive until read


_state = threading.local()


def _current() -> Optional[_Trace]:
    return getattr(_state, "trace", None)


# The package's folder with a trailing separator: a path is inside it only if
# it continues past a whole path component (``autograd_lite2.py`` or
# ``autograd_lite_extras/x.py`` beside it are user code).
_PACKAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")


def _in_package(filename: str) -> bool:
    """Whether code from ``filename`` (a frame's ``co_filename``) is autograd_lite's."""
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


def _user_location() -> str:
    """file:line of the innermost caller outside autograd_lite (for messages)."""
    frame: Optional[Any] = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if not _in_package(path):
            return f"{os.path.basename(path)}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


def _watch(value: Value, symbol: str, other: Any, result: bool) -> None:
    trace = _current()
    if trace is not None:
        trace.guards.append((value, symbol, other, bool(result), _user_location()))


class _TracedData(float):
    """The ``.data`` of a traced input: a float whose comparisons made in
    fn's own code (``if x.data > 0``, ``max(v.data for v in xs)``) are
    checked on every sample, as comparisons of Values are. Comparisons inside
    autograd_lite (an op's forward) are not the user's branches: skipped."""

    node: Value                         # the input whose data this is

    def _report(self, symbol: str, other: Any, result: Any) -> Any:
        if result is not NotImplemented:
            if not _in_package(sys._getframe(2).f_code.co_filename):
                _watch(self.node, symbol, getattr(other, "node", other), result)
        return result

    def __lt__(self, other):
        return self._report("<", other, float.__lt__(self, other))

    def __le__(self, other):
        return self._report("<=", other, float.__le__(self, other))

    def __gt__(self, other):
        return self._report(">", other, float.__gt__(self, other))

    def __ge__(self, other):
        return self._report(">=", other, float.__ge__(self, other))

    def __eq__(self, other):
        return self._report("==", other, float.__eq__(self, other))

    def __ne__(self, other):
        return self._report("!=", other, float.__ne__(self, other))

    __hash__ = float.__hash__


_tracing_threads = 0
_tracing_lock = threading.Lock()


def _watching(on: bool) -> None:
    """Have the engine report comparisons while any thread traces (and
    otherwise not, so eager code pays nothing for it)."""
    global _tracing_threads
    with _tracing_lock:
        _tracing_threads += 1 if on else -1
        set_comparison_hook(_watch if _tracing_threads else None)


class TracedIndex:
    """A per-sample integer argument of a compiled function (e.g. a class label).

    It stands for a different integer in every sample, so it cannot become a
    Python int: pass it to ``nn.cross_entropy`` or :func:`select`, which put a
    per-sample selection on the tape. Any other use raises a TypeError that
    says so.
    """

    __slots__ = ("argument", "position", "first")

    def __init__(self, argument: int, position: int, first: int):
        self.argument = argument      # which argument of the compiled function
        self.position = position      # flat position within one sample
        self.first = first            # its value in the traced sample

    def __repr__(self) -> str:
        return f"TracedIndex(argument {self.argument}, first sample: {self.first})"

    def _refuse(self, *_args):
        raise TypeError(
            f"compile: argument {self.argument} holds integers (one per sample), and fn "
            "used one as a Python number; the trace would keep the first sample's "
            f"value ({self.first}) for every sample. Pass it to nn.cross_entropy(logits, y) "
            "or autograd_lite.select(values, y), or pass the argument as floats "
            "(np.asarray(y, dtype=float)) to use it in arithmetic")

    __index__ = __int__ = __float__ = __bool__ = __hash__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __pow__ = __neg__ = _refuse


def select(values: Iterable[Any], index: Any, *, where: str = "select",
           what: str = "index", error: Type[SampleIndexError] = SampleIndexError) -> Any:
    """``values[index]``, where ``index`` may be a per-sample integer of compile.

    With an int it is plain indexing, in range (0..n-1, no negative indices, as
    a per-sample index). With a :class:`TracedIndex` (an integer argument of a
    compiled function) each sample takes its own element: a selection on the
    tape, with every sample's index checked to be in range.

    Args:
        values: the Values to choose from, a sequence or any iterable
            (numbers become leaf Values).
        index: an int, or a TracedIndex.
        where, what: how an out-of-range error names the call and the index.
        error: the class of that error, a :class:`SampleIndexError` (so a
            caller's own, such as ``nn.TargetOutOfRangeError``, is raised
            eagerly and compiled alike).

    Raises:
        SampleIndexError (ValueError, IndexError), or ``error``: an index
            outside 0..n-1; compiled, the message names the sample.

    Example:
        >>> import numpy as np
        >>> from autograd_lite import compile
        >>> pick = compile(lambda x, i: select(x, i))
        >>> pick(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0])).data.tolist()
        [2.0, 3.0]
    """
    if not isinstance(index, TracedIndex):
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"{where}: {what} must be an int (or a per-sample integer "
                            f"argument of a compiled function), got {type(index).__name__}")
        values = as_tuple(values, where)
        i = int(index)
        if not 0 <= i < len(values):
            raise error(f"{where}: {what} {i} is out of range for {len(values)} "
                        f"values (valid: 0..{len(values) - 1})")
        return values[i]
    trace = _current()
    if trace is None:
        raise TypeError(f"{where}: a TracedIndex can only be used while compile traces "
                        "the function it was given to")
    items = as_values(values, where)
    if not 0 <= index.first < len(items):
        raise error(f"{where}: {what} {index.first} of sample 0 is out of "
                    f"range for {len(items)} values (valid: 0..{len(items) - 1})")
    # The traced sample's value, as a node of its own that the tape replaces by
    # the per-sample selection. Its inputs are every item (a node with local
    # gradients, 1 for the chosen item and 0 for the others, as indexing's are),
    # so the graph's own order puts them all before it.
    first = index.first
    node = Value(items[first].data, items,
                 local_grads=[1.0 if k == first else 0.0 for k in range(len(items))])
    trace.selections[id(node)] = (index, where, what, error)
    trace.keep.append(node)
    return node


def _order(roots: Sequence[Value]) -> List[Value]:
    """Every node below ``roots``, inputs first (iterative, deterministic).

    A depth-first post-order over the core's ``inputs``, rather than
    :func:`~autograd_lite.core.topological_order`: that order (Kahn's,
    from one root) lists the nodes of a layer last-first, while the next
    layer reads them first-first; this one lists them as they are read, so
    the program finds each layer's outputs as a whole block (no copy), and
    its parameters in the order of the weight matrices (in the engine's
    order a step of MLP(784, [64, 32, 10]) on 256 samples took 5x as long)."""
    seen = set()
    order: List[Value] = []
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(inputs(root)))]
        while stack:
            node, children = stack[-1]
            for child in children:
                key = id(child)
                if key not in seen:
                    seen.add(key)
                    if child.op is None:       # a leaf (a weight, an input): done
                        order.append(child)
                        continue
                    stack.append((child, iter(inputs(child))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


# ---------------------------------------------------------------------------
# The scalar tape: one entry per node of the traced graph
# ---------------------------------------------------------------------------

def _scalar_tape(trace: _Trace, outputs: List[Value], inputs: Dict[int, tuple]):
    """The trace's nodes as entries; returns (entries, output slots, guards)."""
    guard_nodes = [g[0] for g in trace.guards] + [g[2] for g in trace.guards
                                                  if type(g[2]) is Value]
    order = _order(outputs + guard_nodes)
    slot = {id(node): i for i, node in enumerate(order)}
    entries: List[Entry] = []

    def arg(x):
        return ("s", slot[id(x)]) if type(x) is Value else ("c", x)

    def args_of(items) -> tuple:
        if type(items) is Leaves or set(map(type, items)) == {Value}:
            return tuple(zip(repeat("s"), map(slot.__getitem__, map(id, items))))
        return tuple(map(arg, items))

    def operand(other: Any) -> tuple:          # what a guard compares with
        if type(other) is Value:
            return arg(other)
        number = comparable(other)
        if number is None:      # the engine reports only comparisons it could make
            raise TypeError(f"compile: fn compared a traced value with "
                            f"{type(other).__name__}; compare it with a Value or a number")
        return ("c", float(number))

    for node in order:
        key = id(node)
        if key in inputs:
            entries.append(Entry(INPUT, where=inputs[key]))
            continue
        op = node.op
        if op is None:
            entries.append(Entry(PARAM, where=node))
            continue
        if key in trace.selections:
            index, where, what, error = trace.selections[key]
            entries.append(Entry(GATHER, args=(("n", args_of(node._a)),),
                                  extra=(index, where, what, error)))
            continue
        if op.forward is None:
            raise TypeError(f"compile: fn built a node by hand, Value(data, children, "
                            f"{op.symbol!r}); its data is fixed, so it cannot be replayed "
                            "for other samples. Build it from Value ops")
        # the arguments of the op's forward are the node's two input slots, in
        # order, as ops.py's layouts lay them out: a Value or a number each, a
        # tuple for an n-ary input (or dot's sides), and _b None when unused
        args = tuple(("n", args_of(x)) if isinstance(x, tuple) else arg(x)
                     for x in (node._a, node._b) if x is not None)
        entries.append(Entry(OP, op=op, args=args))
    outs = [slot[id(v)] for v in outputs]
    guards = [(slot[id(v)], symbol, operand(other), result, where)
              for v, symbol, other, result, where in trace.guards]
    return entries, outs, guards


# ---------------------------------------------------------------------------
# compile
# ---------------------------------------------------------------------------

def _sample_inputs(arrays: List[np.ndarray], row: int):
    """fn's arguments for one sample: Values (floats) or TracedIndex (ints),
    nested as the sample's shape; and id(Value) -> (argument, position)."""
    inputs: Dict[int, tuple] = {}
    args = []
    for i, a in enumerate(arrays):
        flat = a[row].ravel().tolist()
        if a.dtype.kind == "f":
            items = [Value(x) for x in flat]
            for position, v in enumerate(items):
                inputs[id(v)] = (i, position)
                data = v.data = _TracedData(v.data)
                data.node = v
        else:
            items = [TracedIndex(i, position, int(x))      # type: ignore[misc]
                     for position, x in enumerate(flat)]
        shape = a.shape[1:]
        if not shape:
            args.append(items[0])
            continue
        nested: Any = items
        for size in reversed(shape[1:]):
            nested = [nested[k:k + size] for k in range(0, len(nested), size)]
        args.append(nested)
    return args, inputs


def _as_outputs(result: Any) -> Tuple[List[Value], bool]:
    """fn's result as a list of Values, and whether it was a single one."""
    if type(result) is Value:
        return [result], True
    if is_real_number(result):
        return [Value(result)], True
    if isinstance(result, (list, tuple)) and result:
        outs = []
        for i, v in enumerate(result):
            if type(v) is Value:
                outs.append(v)
            elif is_real_number(v):
                outs.append(Value(v))
            else:
                raise TypeError(f"compile: fn must return a Value or a flat list of "
                                f"Values, but element {i} of its result is "
                                f"{type(v).__name__}")
        return outs, False
    raise TypeError(f"compile: fn must return a Value or a non-empty list of Values, "
                    f"got {type(result).__name__}")


class _Traced:
    """One trace: its program, whether fn returned a single Value, and its
    scalar tape until a second sample has confirmed that the graph does not
    depend on the sample."""

    __slots__ = ("program", "single", "unverified")

    def __init__(self, program: "Program", single: bool, tape: tuple):
        self.program = program
        self.single = single
        # (entries, outs, guards, single) to compare a second trace with; None
        # once compared (the program has what it needs)
        self.unverified: Optional[tuple] = tape


def _trace(fn: Callable, arrays: List[np.ndarray], row: int):
    args, inputs = _sample_inputs(arrays, row)
    trace = _Trace()
    previous = _current()
    _state.trace = trace
    _watching(True)
    try:
        with enable_grad():
            result = fn(*args)
    except DomainError as error:            # say which sample the scalar op saw
        raise type(error)(f"{error} (sample {row}, while compile traced fn)") from error
    finally:
        _watching(False)
        _state.trace = previous
    outputs, single = _as_outputs(result)
    entries, outs, guards = _scalar_tape(trace, outputs, inputs)
    return entries, outs, guards, single


def _describe(entry: Entry) -> str:
    if entry.kind == OP:
        return f"op {entry.op.name!r} ({entry.op.usage})"
    if entry.kind == INPUT:
        return f"element {entry.where[1]} of argument {entry.where[0]}"
    return {PARAM: "a Value made or captured by fn",
            GATHER: "a selection by a per-sample integer"}.get(entry.kind, entry.kind)


def _compare_traces(first, other, row: int) -> None:
    """Raise a ValueError if two traces of one structure differ."""
    (e0, o0, g0, _), (e1, o1, g1, _) = first, other
    hint = ("a number read from a traced Value (x.data, float(x), max(v.data ...)) is "
            "fixed when fn is traced, and so is Python control flow on it. Keep such "
            "numbers Values (x * y rather than x * y.data; logsumexp(values) rather than "
            "a max of .data) or write the branch with Value ops (x.relu(), abs(x))")
    if len(e0) != len(e1):
        raise ValueError(f"compile: fn built a graph of {len(e0)} nodes for sample 0 but "
                         f"{len(e1)} for sample {row}: its structure depends on the "
                         f"sample; {hint}")
    for i, (a, b) in enumerate(zip(e0, e1)):
        sa, sb = a.signature(), b.signature()
        if a.kind == PARAM and b.kind == PARAM and a.where is not b.where:
            if not _same_number(a.where.data, b.where.data):
                raise ValueError(f"compile: fn made a Value from sample data: node {i} is "
                                 f"Value({a.where.data!r}) for sample 0 but "
                                 f"Value({b.where.data!r}) for sample {row}; {hint}")
            continue
        if sa != sb:
            raise ValueError(f"compile: fn's graph depends on the sample: node {i} is "
                             f"{_describe(a)}{_constants(a)} for sample 0 but "
                             f"{_describe(b)}{_constants(b)} for sample {row}; {hint}")
    if o0 != o1 or [g[1:4] for g in g0] != [g[1:4] for g in g1]:
        raise ValueError(f"compile: fn's outputs or comparisons differ between sample 0 "
                         f"and sample {row}; {hint}")


def _same_number(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _constants(entry: Entry) -> str:
    consts = [x for k, x in entry.args if k == "c"] + \
        [y for k, x in entry.args if k == "n" for kk, y in x if kk == "c"]
    return f" with constants {consts[:4]}" if consts else ""


class Compiled:
    """A function compiled by :func:`compile`: call it with batches."""

    def __init__(self, fn: Callable, fuse: bool = True):
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
        self.fn = fn
        self.fuse = fuse
        self._traces: Dict[tuple, _Traced] = {}
        self.__doc__ = getattr(fn, "__doc__", None)

    def __repr__(self) -> str:
        return f"compile({getattr(self.fn, '__name__', self.fn)!r})"

    def __call__(self, *args) -> "Batch":
        arrays = _check_arguments(args)
        key = tuple((a.dtype.kind, a.shape[1:]) for a in arrays)
        traced = self._traces.get(key)
        if traced is None:
            tape = _trace(self.fn, arrays, 0)
            entries, outs, guards, single = tape
            program = Program(entries, outs, guards,
                               [max(1, int(np.prod(a.shape[1:]))) for a in arrays], self.fuse)
            traced = self._traces[key] = _Traced(program, single, tape)
        blocks = [a.reshape(len(a), -1) for a in arrays]
        vals, saved = traced.program.run(blocks)        # checks the comparisons
        if traced.unverified is not None and len(arrays[0]) > 1:
            row = _farthest_from_first(arrays)
            try:
                _compare_traces(traced.unverified, _trace(self.fn, arrays, row), row)
            except ValueError:
                del self._traces[key]
                raise
            traced.unverified = None
        return Batch(traced, vals, saved, len(arrays[0]))


def _farthest_from_first(arrays: List[np.ndarray]) -> int:
    """The sample most unlike sample 0: the best second trace to compare."""
    distance = np.zeros(len(arrays[0]))
    for a in arrays:
        with np.errstate(invalid="ignore"):            # inf - inf: nan, counted as 1 below
            d = np.abs(a.reshape(len(a), -1).astype(float) - a[:1].reshape(1, -1))
        distance += np.nan_to_num(d, nan=1.0, posinf=1.0).sum(axis=1)
    distance[0] = -1.0
    return int(np.argmax(distance))


def _check_arguments(args: tuple) -> List[np.ndarray]:
    if not args:
        raise TypeError("compile: the compiled function needs at least one argument "
                        "(a batch: an array whose axis 0 runs over the samples)")
    arrays = []
    for i, a in enumerate(args):
        if type(a) is Value:
            raise TypeError(f"compile: argument {i} is a Value; pass a batch of numbers "
                            "(an array whose axis 0 runs over the samples)")
        try:
            x = np.asarray(a)
        except (TypeError, ValueError) as error:
            raise TypeError(f"compile: argument {i} must be an array of numbers "
                            f"(axis 0 = samples), got {type(a).__name__}: {error}") from None
        if x.dtype.kind not in "iuf":             # (bools are kind "b")
            raise TypeError(f"compile: argument {i} must hold floats (traced inputs) or "
                            f"integers (per-sample labels), got dtype {x.dtype}; "
                            "convert it, e.g. np.asarray(x, dtype=float)")
        if x.ndim == 0:
            raise ValueError(f"compile: argument {i} is a single number; pass a batch "
                             "(shape (B,) for one number per sample, e.g. np.array([x]))")
        if x.shape[0] == 0:
            raise ValueError(f"compile: argument {i} holds no samples (shape {x.shape})")
        arrays.append(x.astype(np.float64) if x.dtype.kind == "f" else x.astype(np.int64))
    lengths = [len(x) for x in arrays]
    if len(set(lengths)) > 1:
        listed = ", ".join(f"argument {i}: {n}" for i, n in enumerate(lengths))
        raise ValueError(f"compile: every argument must hold the same number of samples "
                         f"(axis 0), got {listed}")
    return arrays


class Batch:
    """The result of a compiled function on a batch.

    Attributes:
        data: the per-sample outputs, shape ``(B,)`` (fn returned a Value) or
            ``(B, k)`` (a list of k Values); read-only.
    """

    __slots__ = ("data", "_traced", "_vals", "_saved")

    def __init__(self, traced: _Traced, vals, saved, batch_size: int):
        self._traced, self._vals, self._saved = traced, vals, saved
        data = traced.program.outputs(vals, batch_size)
        data = np.array(data[:, 0] if traced.single else data)
        data.flags.writeable = False
        self.data = data

    def __repr__(self) -> str:
        return f"Batch(data={self.data!r})"

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("Batch: one output of one sample has no length; read its "
                            "number with .data")
        return len(self.data)

    def __iter__(self) -> Iterator[Any]:
        # Without this, Python would iterate through __getitem__ (a Batch per row).
        raise TypeError("Batch: iterate over its numbers, out.data (a numpy array), or "
                        "pick outputs for a backward with numpy's indexing, out[:, k]")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(out)`` is ``out.data`` (the numbers, without a gradient)."""
        data = self.data if dtype is None else self.data.astype(dtype)
        return data.copy() if copy else data

    @property
    def shape(self) -> Tuple[int, ...]:
        return self.data.shape

    def __getitem__(self, key: Any) -> "Batch":
        """Some of the outputs, picked by numpy's indexing of ``data``.

        ``out[:, 0]`` is the first output of every sample: a Batch whose
        ``backward`` (and ``sum()``, ``mean()``) passes its gradient to those
        outputs, and 0 to the others.

        Example:
            >>> import numpy as np
            >>> from autograd_lite import Value, compile
            >>> w = Value(3.0)
            >>> out = compile(lambda x: [w * x, x])(np.array([1.0, 2.0]))
            >>> out[:, 0].mean().backward(); w.grad      # d/dw mean(w x)
            1.5
        """
        return _Part(self, key)

    def sum(self) -> "Reduced":
        """The sum of every output, added left to right (as ``vsum``)."""
        return Reduced(self, left_to_right(self.data.ravel().tolist()), 1.0)

    def mean(self) -> "Reduced":
        """The mean of every output: ``vsum(outputs) / n``, as ``nn``'s losses."""
        n = self.data.size
        return Reduced(self, left_to_right(self.data.ravel().tolist()) / n, 1.0 / n)

    def _gradient(self, grad: Any) -> np.ndarray:
        try:
            g = np.asarray(grad, dtype=float)
        except (TypeError, ValueError) as error:
            raise TypeError(f"Batch.backward: grad must be numbers of the shape of data, "
                            f"{self.data.shape} (an array of floats), got "
                            f"{type(grad).__name__}: {error}") from None
        if g.shape != self.data.shape:
            raise ValueError(f"Batch.backward: grad must have the shape of data, "
                             f"{self.data.shape}, got {g.shape}")
        return g

    def backward(self, grad: Any) -> None:
        """Add d(Σ grad · output)/d p to every parameter's ``.grad``.

        Args:
            grad: d L / d output per sample, the shape of ``data``.

        Raises:
            TypeError: ``grad`` is not numbers; ValueError: not of that shape.
        """
        g = self._gradient(grad)
        program = self._traced.program
        program.backward(self._vals, self._saved, g.reshape(len(g), -1))


class _Part(Batch):
    """``batch[key]``: its outputs picked by ``key``, with a backward into them."""

    __slots__ = ("_whole", "_key")

    def __init__(self, whole: Batch, key: Any):
        try:
            data = np.array(whole.data[key])
        except (IndexError, TypeError, ValueError) as error:
            raise IndexError(f"Batch: cannot pick outputs {key!r} from data of shape "
                             f"{whole.data.shape} (numpy indexing, e.g. out[:, 0] for "
                             f"the first output of every sample): {error}") from None
        data.flags.writeable = False
        self.data, self._whole, self._key = data, whole, key

    def backward(self, grad: Any) -> None:
        whole = np.zeros(self._whole.data.shape)
        # into the outputs picked (one picked twice gets both)
        np.add.at(whole, self._key, self._gradient(grad))
        self._whole.backward(whole)


class Reduced:
    """The sum or mean of a :class:`Batch`: ``.data`` (a float), ``.backward()``."""

    __slots__ = ("data", "_batch", "_scale")

    def __init__(self, batch: Batch, data: float, scale: float):
        self.data, self._batch, self._scale = float(data), batch, scale

    def __repr__(self) -> str:
        return f"Reduced(data={self.data!r})"

    def item(self) -> float:
        return self.data

    def backward(self, grad: float = 1.0) -> None:
        """Add d self / d p to every parameter's ``.grad``, as the scalar
        engine's ``backward`` on the same reduction would."""
        seed = as_float(grad, "backward: grad") * self._scale
        self._batch.backward(np.full(self._batch.data.shape, seed))


def compile(fn: Callable, *, fuse: bool = True) -> Compiled:
    """Trace scalar code once; run it over whole batches with numpy.

    Args:
        fn: a function of one sample (Values, lists of Values, per-sample
            integers) returning a Value or a list of Values.
        fuse: merge the tape into matrix products and whole-level numpy calls
            (default). ``False`` runs one numpy call per node, as written:
            slower, for checking the merged tape against.

    Returns:
        A callable taking batches (axis 0 = samples) and returning a
        :class:`Batch`. See the module docstring for what is supported.

    Example:
        >>> import numpy as np
        >>> from autograd_lite import Value, compile
        >>> a, b = Value(1.0), Value(0.0)
        >>> loss = compile(lambda x, y: (a * x + b - y) ** 2)
        >>> out = loss(np.array([1.0, 2.0]), np.array([3.0, 3.0]))
        >>> out.data.tolist()
        [4.0, 1.0]
        >>> out.mean().backward(); a.grad, b.grad
        (-4.0, -3.0)
    """
    return Compiled(fn, fuse=fuse)
