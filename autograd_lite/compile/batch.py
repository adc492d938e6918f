"""The batch API: ``compile(fn)``, its traces, and what a call returns.

A :class:`Compiled` keeps traces per argument structure (dtype kind and
shape after axis 0): one per branch pattern its samples took (a sample that
fails every kept trace's guards gets one traced from it, up to ``MAX_PATHS``),
at most ``max_traces`` in all (the least recently used structures dropped).
A call runs each sample on the first trace whose guards it passes and
returns a :class:`Batch`, whose ``backward`` adds to each parameter's ``.grad``;
``sum()`` and ``mean()`` give a :class:`Reduced` (which takes arithmetic with
numbers and other reductions). A Batch passed to another compiled function is
an argument whose gradient flows back into it: compiled functions compose.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from ..coerce import as_float
from ..core import Value
from ..ops import OPS, left_to_right
from .program import MAX_PATHS, Program
from .tape import build_tape, format_tape
from .trace import trace

__all__ = ["compile", "Compiled", "Batch", "Reduced"]


class _Traced:
    """One trace: its program, and whether fn returned a single Value."""

    __slots__ = ("program", "single", "width")

    def __init__(self, program: Program, single: bool, width: int):
        self.program, self.single, self.width = program, single, width


class _Run:
    """The samples of a call that one trace ran: their numbers in the batch,
    and the program's values."""

    __slots__ = ("traced", "rows", "vals", "saved")

    def __init__(self, traced: _Traced, rows: Optional[np.ndarray], vals: list, saved: list):
        self.traced, self.rows, self.vals, self.saved = traced, rows, vals, saved


class Compiled:
    """A function compiled by :func:`compile`: call it with batches.

    Each argument structure (dtype kind and shape after axis 0) gets a trace
    of fn on the first sample of the first batch of that structure. A sample
    that takes another branch (fails a guard of every trace so far) gets a
    trace of its own, up to ``MAX_PATHS`` per structure; so a batch whose
    samples branch differently runs as a few sub-batches, each the scalar
    engine's answer for its samples.
    """

    def __init__(self, fn: Callable, fuse: bool = True, max_traces: Optional[int] = None):
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
        if max_traces is not None and (isinstance(max_traces, bool) or not isinstance(
                max_traces, int) or max_traces < 1):
            raise ValueError(f"compile: max_traces must be None or an int >= 1, got "
                             f"{max_traces!r}")
        self.fn = fn
        self.fuse = fuse
        self.max_traces = max_traces
        # structure -> its traces (branch patterns), least recently used first
        self._traces: "OrderedDict[tuple, List[_Traced]]" = OrderedDict()
        self._lock = threading.Lock()
        self.__doc__ = getattr(fn, "__doc__", None)

    def __repr__(self) -> str:
        return f"compile({getattr(self.fn, '__name__', self.fn)!r})"

    def __len__(self) -> int:
        """How many traces are kept (over every structure and branch pattern)."""
        with self._lock:
            return sum(map(len, self._traces.values()))

    def clear(self) -> None:
        """Drop every trace (the next call of each structure traces again)."""
        with self._lock:
            self._traces.clear()

    def _paths(self, key: tuple) -> List[_Traced]:
        with self._lock:
            paths = self._traces.get(key)
            if paths is None:
                return []
            self._traces.move_to_end(key)
            return list(paths)

    def _new_path(self, key: tuple, arrays: List[np.ndarray], row: int) -> _Traced:
        # traced outside the lock: fn may be slow, or call compiled functions
        recorded, outputs, single = trace(self.fn, arrays, row)
        tape = build_tape(recorded, outputs)
        widths = [max(1, int(np.prod(a.shape[1:]))) for a in arrays]
        traced = _Traced(Program(tape, widths, self.fuse), single, len(outputs))
        with self._lock:
            paths = self._traces.setdefault(key, [])
            if len(paths) < self._limit():
                paths.append(traced)
            self._traces.move_to_end(key)
            while self.max_traces is not None and len(self._traces) > 1 and \
                    sum(map(len, self._traces.values())) > self.max_traces:
                self._traces.popitem(last=False)
        return traced

    def _limit(self) -> int:
        return MAX_PATHS if self.max_traces is None else min(MAX_PATHS, self.max_traces)

    def _run(self, arrays: List[np.ndarray]) -> List[_Run]:
        """Run every sample on the first trace whose guards it passes
        (tracing a new one from the first sample no trace follows); raise
        the error of the lowest sample whose first problem is an error, or a
        GuardError for a sample no trace follows."""
        key = tuple((a.dtype.kind, a.shape[1:]) for a in arrays)
        paths = self._paths(key)
        blocks = [a.reshape(len(a), -1) for a in arrays]
        rows: np.ndarray = np.arange(len(arrays[0]))
        parts: List[_Run] = []
        refused: Dict[int, BaseException] = {}
        errors: Dict[int, BaseException] = {}
        tried = 0
        while rows.size:
            if tried < len(paths):
                traced = paths[tried]
            else:
                first = int(rows[0])
                if errors and min(errors) < first:
                    break                       # a lower sample's error comes first
                if tried >= self._limit():
                    # no trace left to take: the lowest sample's guard failure
                    errors.update({int(r): refused[int(r)] for r in rows})
                    break
                traced = self._new_path(key, arrays, first)
                paths.append(traced)
            tried += 1
            whole = rows.size == len(arrays[0])
            sub = blocks if whole else [b[rows] for b in blocks]
            vals, saved, problems = traced.program.run(sub, rows)
            if parts and traced.width != parts[0].traced.width or \
                    parts and traced.single != parts[0].traced.single:
                raise ValueError("compile: fn returned a different number of outputs for "
                                 f"sample {int(rows[0])} than for sample "
                                 f"{int(parts[0].rows[0]) if parts[0].rows is not None else 0}"
                                 "; it must return one structure for every sample")
            if not problems:
                parts.append(_Run(traced, None if whole else rows, vals, saved))
                break
            refused = {int(rows[k]): error for k, (_, error, guard) in problems.items()
                       if guard}
            errors.update({int(rows[k]): error for k, (_, error, guard) in problems.items()
                           if not guard})
            ok = np.ones(rows.size, bool)
            ok[list(problems)] = False
            if ok.any() and not errors:         # (with an error, the call raises)
                kept = rows[ok]
                vals, saved, _ = traced.program.run([b[kept] for b in blocks], kept)
                parts.append(_Run(traced, kept, vals, saved))
            rows = np.array(sorted(refused), dtype=np.int64)
        if errors:
            raise errors[min(errors)]
        return parts

    def __call__(self, *args: Any) -> "Batch":
        """Run fn over a batch.

        Args:
            *args: one per argument of fn: an array whose axis 0 runs over
                the samples (floats: traced inputs; ints: per-sample integers),
                or a Batch of another compiled function.

        Returns:
            A :class:`Batch` of the outputs, sample by sample.

        Raises:
            The scalar engine's error for the lowest sample that has one, or
            a refusal (a TypeError or ValueError naming the line).
        """
        arrays, upstream = _check_arguments(args)
        return Batch(self._run(arrays), len(arrays[0]), upstream)

    def _first(self, args: tuple) -> _Traced:
        arrays = _check_arguments(args)[0]
        key = tuple((a.dtype.kind, a.shape[1:]) for a in arrays)
        paths = self._paths(key)
        return paths[0] if paths else self._new_path(key, arrays, 0)

    def program(self, *args: Any) -> Program:
        """The numpy program of the trace these arguments' first sample takes
        first (tracing if needed)."""
        return self._first(args).program

    def tape(self, *args: Any) -> str:
        """The tape run for these arguments, as text: one entry a line, like a
        jaxpr (after the rewrites; ``compile(fn, fuse=False)`` shows it as
        traced).

        Example:
            >>> import numpy as np
            >>> from autograd_lite import Value, compile
            >>> w = Value(2.0, label="w")
            >>> f = compile(lambda x: (w * x).exp() if x > 0 else x)
            >>> print(f.tape(np.ones(3)))  # doctest: +ELLIPSIS
            { lambda ; a0:f[B].
              s0 = param 'w'
              s1 = input 0[0]
              guard s1 > 0.0 is True  # <doctest ...
              s2 = mul s0 s1
              s3 = exp s2
              in ( s3 ) }
        """
        arrays = _check_arguments(args)[0]
        header = " ".join(f"a{i}:{a.dtype.kind}[{', '.join(['B'] + list(map(str, a.shape[1:])))}]"
                          for i, a in enumerate(arrays))
        return format_tape(self._first(args).program.tape, header)


_RAGGED = ("the samples do not have one shape (a ragged batch). compile runs one "
           "shape per call: group equal lengths together (nn.data.group_by_length) or "
           "pad them")


def _check_arguments(args: tuple) -> Tuple[List[np.ndarray], List[Tuple[int, "Batch"]]]:
    if not args:
        raise TypeError("compile: the compiled function needs at least one argument "
                        "(a batch: an array whose axis 0 runs over the samples)")
    arrays = []
    upstream = []
    for i, a in enumerate(args):
        if type(a) is Value:
            raise TypeError(f"compile: argument {i} is a Value; pass a batch of numbers "
                            "(an array whose axis 0 runs over the samples)")
        if isinstance(a, Batch):
            upstream.append((i, a))
            a = a.data
        try:
            x = np.asarray(a)
        except (TypeError, ValueError) as error:
            hint = _RAGGED if isinstance(a, (list, tuple)) else \
                "pass an array of numbers (axis 0 = samples)"
            raise TypeError(f"compile: argument {i} must be an array of numbers, got "
                            f"{type(a).__name__}: {error}; {hint}") from None
        if x.dtype.kind == "O":
            raise TypeError(f"compile: argument {i} is not an array of numbers: "
                            f"{_RAGGED if isinstance(a, (list, tuple)) else 'dtype object'}")
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
    return arrays, upstream


class Batch:
    """The result of a compiled function on a batch.

    Attributes:
        data: the per-sample outputs, shape ``(B,)`` (fn returned a Value) or
            ``(B, k)`` (a list of k Values); read-only.
    """

    __slots__ = ("data", "_runs", "_upstream")

    def __init__(self, runs: List[_Run], batch_size: int, upstream: List[Tuple[int, "Batch"]]):
        self._runs = runs
        self._upstream = upstream           # (argument, Batch) the gradient flows into
        first = runs[0].traced
        data = np.empty((batch_size, first.width))
        for run in runs:
            out = run.traced.program.outputs(run.vals, batch_size if run.rows is None
                                             else len(run.rows))
            if run.rows is None:
                data[:] = out
            else:
                data[run.rows] = out
        data = data[:, 0] if first.single else data
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
        """The shape of ``data``."""
        return self.data.shape

    def __getitem__(self, key: Any) -> "Batch":
        """Some of the outputs, picked by numpy's indexing of ``data``.

        ``out[:, 0]`` is the first output of every sample: a Batch whose
        ``backward`` (and ``sum()``, ``mean()``) passes its gradient to those
        outputs, and nothing to the others (as if they were not computed).

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
        return Reduced(left_to_right(self.data.ravel().tolist()), [(self, ())])

    def mean(self) -> "Reduced":
        """The mean of every output: ``vsum(outputs) / n``, as ``nn``'s losses."""
        n = self.data.size
        return Reduced(left_to_right(self.data.ravel().tolist()) / n, [(self, (1.0 / n,))])

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

        An output whose grad is 0 is not backpropagated at all (as a scalar
        output one leaves out of the loss): nothing it is computed from gets
        a contribution through it, not even a nan from 0 · inf.

        Args:
            grad: d L / d output per sample, the shape of ``data``.

        Raises:
            TypeError: ``grad`` is not numbers; ValueError: not of that shape.
        """
        g = self._gradient(grad)
        self._backward(g, g != 0)

    def _backward(self, g: np.ndarray, seeded: np.ndarray) -> None:
        """Backward of ``g`` from the outputs ``seeded`` marks, then on into
        the Batches this one was computed from."""
        n = len(g) if g.ndim else 1
        g, seeded = g.reshape(n, -1), seeded.reshape(n, -1)
        inputs = bool(self._upstream)
        grads: List[np.ndarray] = []
        reached: List[np.ndarray] = []
        for run in self._runs:
            rows = slice(None) if run.rows is None else run.rows
            result = run.traced.program.backward(run.vals, run.saved, g[rows], seeded[rows],
                                                 inputs=inputs)
            if result is None:
                continue
            if not grads:
                grads = [np.zeros((n,) + a.shape[1:]) for a, _ in result]
                reached = [np.zeros((n,) + a.shape[1:], bool) for a, _ in result]
            for k, (a, r) in enumerate(result):
                grads[k][rows] = a
                reached[k][rows] = r
        if not inputs:
            return
        into: Dict[int, Tuple[Batch, np.ndarray, np.ndarray]] = {}
        for argument, batch in self._upstream:
            grad = grads[argument].reshape(batch.data.shape)
            mask = reached[argument].reshape(batch.data.shape)
            if id(batch) in into:            # one Batch passed twice: both gradients
                _, g0, r0 = into[id(batch)]
                grad, mask = g0 + grad, r0 | mask
            into[id(batch)] = (batch, grad, mask)
        for batch, grad, mask in into.values():
            batch._backward(grad, mask)


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

    def _backward(self, g: np.ndarray, seeded: np.ndarray) -> None:
        whole = np.zeros(self._whole.data.shape)
        picked = np.zeros(self._whole.data.shape, bool)
        # into the outputs picked (one picked twice gets both)
        np.add.at(whole, self._key, g)
        np.logical_or.at(picked, self._key, seeded)
        self._whole._backward(whole, picked)


_ADD, _SUB, _MUL, _DIV = (OPS[name].forward for name in ("add", "sub", "mul", "div"))


class Reduced:
    """A sum or mean of Batches, and arithmetic with numbers on it.

    ``.data`` is the number (a float); ``.backward()`` adds to every
    parameter's ``.grad`` what the scalar engine's backward on the same
    expression would. It takes ``+``, ``-``, ``*`` and ``/`` with numbers,
    and ``+``, ``-`` with other reductions (``out.sum() / n``,
    ``2.0 * out.mean()``, ``a.mean() + b.mean()``).

    Example:
        >>> import numpy as np
        >>> from autograd_lite import Value, compile
        >>> w = Value(2.0)
        >>> out = compile(lambda x: w * x)(np.array([1.0, 2.0]))
        >>> loss = out.sum() / 2 + 1.0
        >>> loss.data
        4.0
        >>> loss.backward(); w.grad
        1.5
    """

    __slots__ = ("data", "_terms")

    def __init__(self, data: float, terms: List[Tuple[Batch, tuple]]):
        # terms: (batch, factors): d self / d output = the factors, outermost first
        self.data, self._terms = float(data), terms

    def __repr__(self) -> str:
        return f"Reduced(data={self.data!r})"

    def item(self) -> float:
        """The number, as a Python float (the same as ``.data``)."""
        return self.data

    def _scaled(self, data: float, factor: Optional[float]) -> "Reduced":
        if factor is None:
            return Reduced(data, self._terms)
        return Reduced(data, [(b, (factor,) + f) for b, f in self._terms])

    def _number(self, other: Any, symbol: str) -> Optional[float]:
        if isinstance(other, Reduced) or type(other) is Value or isinstance(other, Batch):
            return None
        try:
            return as_float(other, f"Reduced {symbol}")
        except TypeError:
            return None

    def __add__(self, other: Any) -> "Reduced":
        if isinstance(other, Reduced):
            return Reduced(_ADD(self.data, other.data), self._terms + other._terms)
        c = self._number(other, "+")
        return NotImplemented if c is None else self._scaled(_ADD(self.data, c), None)

    def __radd__(self, other: Any) -> "Reduced":
        c = self._number(other, "+")
        return NotImplemented if c is None else self._scaled(_ADD(c, self.data), None)

    def __sub__(self, other: Any) -> "Reduced":
        if isinstance(other, Reduced):
            return Reduced(_SUB(self.data, other.data),
                           self._terms + other._scaled(0.0, -1.0)._terms)
        c = self._number(other, "-")
        return NotImplemented if c is None else self._scaled(_SUB(self.data, c), None)

    def __rsub__(self, other: Any) -> "Reduced":
        c = self._number(other, "-")
        return NotImplemented if c is None else self._scaled(_SUB(c, self.data), -1.0)

    def __neg__(self) -> "Reduced":
        return self._scaled(-self.data, -1.0)

    def __mul__(self, other: Any) -> "Reduced":
        c = self._number(other, "*")
        if c is None:
            return self._refuse("*", other)
        return self._scaled(_MUL(self.data, c), c)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> "Reduced":
        c = self._number(other, "/")
        if c is None:
            return self._refuse("/", other)
        return self._scaled(_DIV(self.data, c), 1.0 / c)

    def _refuse(self, symbol: str, other: Any) -> Any:
        if isinstance(other, Reduced):
            raise TypeError(f"Reduced {symbol} Reduced: a reduction of a compiled batch "
                            "takes +, - with other reductions and +, -, *, / with numbers; "
                            "compute products of outputs inside the compiled function")
        return NotImplemented

    def backward(self, grad: float = 1.0) -> None:
        """Add d self / d p to every parameter's ``.grad``, as the scalar
        engine's ``backward`` on the same expression would."""
        seed = as_float(grad, "backward: grad")
        into: Dict[int, Tuple[Batch, np.ndarray]] = {}
        for batch, factors in self._terms:
            s = seed
            for f in factors:
                s = s * f
            g = np.full(batch.data.shape, s)
            if id(batch) in into:             # two reductions of one Batch: add first
                g = into[id(batch)][1] + g
            into[id(batch)] = (batch, g)
        for batch, g in into.values():
            batch._backward(g, np.ones(g.shape, bool))


def compile(fn: Callable, *, fuse: bool = True, max_traces: Optional[int] = None) -> Compiled:
    """Trace scalar code once; run it over whole batches with numpy.

    Args:
        fn: a function of one sample (Values, lists of Values, per-sample
            integers) returning a Value or a list of Values.
        fuse: merge the tape into matrix products and whole-level numpy calls
            (default). ``False`` runs one numpy call per node, as written:
            slower, for checking the merged tape against.
        max_traces: keep at most this many traces (one per argument
            structure), dropping the least recently used; None keeps all.
            ``f.clear()`` drops them all.

    Returns:
        A callable taking batches (axis 0 = samples) and returning a
        :class:`Batch`. See :mod:`autograd_lite.compile` for what is supported.

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
    return Compiled(fn, fuse=fuse, max_traces=max_traces)
