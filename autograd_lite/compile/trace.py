"""Tracing: one call of ``fn`` on the Values of one sample, every read recorded.

While a thread traces, the core reports to :data:`TRACER` (installed with
:func:`autograd_lite.tracing.set_trace_hook`): every node an op makes, in the
order made; every comparison of a Value; and every read of ``.data``, which
hands ``fn`` a :class:`TracedNumber` instead of a float. A TracedNumber
follows the number per sample: its arithmetic builds Values (crossing into a
Value's arithmetic through a stop-gradient node, :data:`STOP`, as the number
eager code would use carries no gradient); its comparisons and truthiness
become guards, checked on every sample of every call; everything that would
turn it into a plain Python number (``float``, ``int``, ``round``,
``math.*``, numpy conversion, formatting to digits, hashing) raises a
:class:`ConcretizationError` naming the user's line and what to write instead.
Threads that do not trace see the core unchanged.
"""

from __future__ import annotations

import linecache
import numbers
import operator
import os
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Type

import numpy as np

from ..coerce import as_float, as_tuple, is_real_number
from ..core import Value
from ..fused import apply_op, as_values
from ..grad_mode import enable_grad
from ..ops import REALS, UNARY, DomainError, Op
from ..tracing import TraceHook, set_trace_hook

__all__ = ["ConcretizationError", "TracedNumber", "TracedIndex", "SampleIndexError",
           "Guard", "Trace", "STOP", "TRACER", "select", "trace", "user_line"]


class ConcretizationError(TypeError):
    """Traced code needed a plain Python number where compile has a number per sample."""


class SampleIndexError(ValueError, IndexError):
    """A per-sample integer (a class label) outside the range it selects from."""


# The stop-gradient node: x's number, without its gradient (what ``x.data``
# is to eager code). It exists only on traces: the program replays its
# forward (the identity) and passes no gradient through it, not even a zero.
STOP = Op("stop_gradient", "sg", "x.data", "the number of x, without its gradient",
          inputs="x", derivative="0.0", forward=lambda x: x, domain=(REALS,), layout=UNARY)

_number = TraceHook().data          # a Value's number, from its slot (never traced)

# ---------------------------------------------------------------------------
# The user's line
# ---------------------------------------------------------------------------

_PACKAGE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "")


def _in_package(filename: str) -> bool:
    """Whether code from ``filename`` (a frame's ``co_filename``) is autograd_lite's."""
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


def user_line() -> str:
    """``file:line (`text`)`` of the innermost caller outside autograd_lite."""
    frame: Optional[Any] = sys._getframe(1)
    while frame is not None:
        path = frame.f_code.co_filename
        if not _in_package(path):
            text = linecache.getline(path, frame.f_lineno).strip()
            shown = f" (`{text}`)" if text else ""
            return f"{os.path.basename(path)}:{frame.f_lineno}{shown}"
        frame = frame.f_back
    return "?"


# ---------------------------------------------------------------------------
# What one trace records
# ---------------------------------------------------------------------------

class Guard:
    """A comparison fn made while traced: checked on every sample of every call.

    ``value`` (a Value) ``symbol`` ``other`` (a Value or a float) was
    ``result``; ``after`` nodes had been made when it was made (its place in
    the program's order); ``where`` is the user's line."""

    __slots__ = ("value", "symbol", "other", "result", "after", "where")

    def __init__(self, value: Value, symbol: str, other: Any, result: bool, after: int,
                 where: str):
        self.value, self.symbol, self.other = value, symbol, other
        self.result, self.after, self.where = bool(result), after, where


class Trace:
    """What one call of fn did: the nodes it made (in order), its comparisons,
    its per-sample selections, and which Values are its inputs."""

    def __init__(self, inputs: Dict[int, Tuple[int, int]], keep: List[Any]):
        self.inputs = inputs                      # id(Value) -> (argument, position)
        self.keep = keep      # the input Values, alive while their ids are the keys above
        self.created: List[Value] = []
        self.guards: List[Guard] = []
        self.selections: Dict[int, tuple] = {}    # id(node) -> (index, where, what, error)


_state = threading.local()


def _current() -> Optional[Trace]:
    return getattr(_state, "trace", None)


class _Tracer(TraceHook):
    """The core's hook while any thread traces; it acts for tracing threads only."""

    def data(self, value: Value) -> Any:
        if getattr(_state, "trace", None) is None:
            return _number(value)
        return TracedNumber(value)

    def assign_data(self, value: Value, number: Any) -> None:
        if getattr(_state, "trace", None) is not None:
            raise ConcretizationError(
                f"compile: fn assigns a Value's .data at {user_line()}; a trace cannot "
                "follow a number changed by hand. Compute a new Value instead "
                "(y = x * 2), or change parameters outside the compiled function")
        TraceHook.assign_data(self, value, number)

    def created(self, node: Value) -> None:
        trace = getattr(_state, "trace", None)
        if trace is None:
            return
        if node.op is None:
            raise ConcretizationError(
                f"compile: fn computes with gradients off (no_grad) at {user_line()}; the "
                "result would be a number of the traced sample, fixed for every sample. "
                "Compute it with gradients on, and use x.detach() (or x.data) where no "
                "gradient should flow")
        if node.op.forward is None and not getattr(_state, "selecting", False):
            raise ConcretizationError(
                f"compile: fn builds a node by hand, Value(data, children, ...), at "
                f"{user_line()}; its number and local gradients are fixed, so it cannot "
                "be replayed for other samples. Build it from Value ops (a * b, x.exp(), "
                "...) or define the op with autograd_lite.define_op")
        trace.created.append(node)

    def compare(self, value: Value, symbol: str, other: object, result: bool) -> None:
        trace = getattr(_state, "trace", None)
        if trace is not None:
            operand = other if type(other) is Value else as_float(other, "compare")
            trace.guards.append(Guard(value, symbol, operand, result, len(trace.created),
                                      user_line()))

    def as_value(self, x: object) -> Optional[Value]:
        return x.stop() if type(x) is TracedNumber else None


TRACER = _Tracer()
_lock = threading.Lock()
_tracing_threads = 0


@contextmanager
def _tracing(trace: Trace) -> Iterator[None]:
    """Make ``trace`` this thread's, with the core's hook installed while
    any thread traces (and removed after, so eager code pays nothing)."""
    global _tracing_threads
    with _lock:
        _tracing_threads += 1
        if _tracing_threads == 1:
            set_trace_hook(TRACER)
    previous = _current()
    _state.trace = trace
    try:
        with enable_grad():
            yield
    finally:
        _state.trace = previous
        with _lock:
            _tracing_threads -= 1
            if not _tracing_threads:
                set_trace_hook(None)


# ---------------------------------------------------------------------------
# The number a traced Value hands out
# ---------------------------------------------------------------------------

_ARITHMETIC = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
               "truediv": operator.truediv, "pow": operator.pow}
_COMPARISONS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_PYTHON = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
           "==": operator.eq, "!=": operator.ne}
_NUMPY_OPERATORS: Dict[str, Callable[..., Any]] = {"add": operator.add, "subtract": operator.sub,
                    "multiply": operator.mul, "divide": operator.truediv,
                    "true_divide": operator.truediv, "power": operator.pow,
                    "negative": operator.neg, "positive": operator.pos,
                    "absolute": operator.abs, "less": operator.lt,
                    "less_equal": operator.le, "greater": operator.gt,
                    "greater_equal": operator.ge, "equal": operator.eq,
                    "not_equal": operator.ne}


def _refusal(call: str, hint: str) -> ConcretizationError:
    return ConcretizationError(
        f"compile: {call} at {user_line()} needs a plain number, but it reads a traced "
        "Value's number, which is a different number in every sample. compile follows "
        "arithmetic on it (x * x.data, v - max(u.data for u in vs)) and comparisons "
        f"(if x.data > 0), per sample; {hint}")


_NOT_A_FLOAT = ("use the Value's methods on the Value itself (x.exp(), x.log(), "
                "abs(x), ...), compare instead (x.data != x.data is math.isnan), or "
                "read numbers outside the compiled function (out.data)")


class TracedNumber:
    """``x.data`` while compile traces: the number of ``value``, per sample.

    Arithmetic with numbers and other TracedNumbers gives TracedNumbers; with a
    Value, a Value (the number entering through a stop-gradient node, as eager
    code's float carries no gradient). Comparisons and ``bool`` are guards.
    Conversions to a plain number raise :class:`ConcretizationError`.
    """

    __slots__ = ("value", "_stop")

    def __init__(self, value: Value):
        self.value = value
        self._stop: Optional[Value] = None

    def stop(self) -> Value:
        """The number as a Value with no gradient (one node per TracedNumber)."""
        if self._stop is None:
            self._stop = apply_op(STOP, self.value)
        return self._stop

    def __repr__(self) -> str:
        op = self.value.op
        return f"TracedNumber({'a leaf' if op is None else 'op ' + repr(op.name)})"

    # ---- arithmetic -----------------------------------------------------------
    def _arith(self, other: Any, fn: Callable[[Any, Any], Any], reflected: bool) -> Any:
        if type(other) is TracedNumber:
            other_value: Any = other.value
        elif type(other) is Value:
            if reflected and fn is operator.pow:
                # eager: x ** number, a constant exponent (pow); a per-sample
                # exponent would be pow_value, whose domain is another
                raise _refusal("x ** (a number read from a Value)",
                               "write the exponent as a Value (x ** y), or as a number "
                               "that is not read from a traced Value")
            mine = self.stop()
            return fn(other, mine) if reflected else fn(mine, other)
        elif is_real_number(other):
            other_value = float(other)
        else:
            return NotImplemented
        result = fn(other_value, self.value) if reflected else fn(self.value, other_value)
        return TracedNumber(result)

    def __neg__(self) -> "TracedNumber":
        return TracedNumber(-self.value)

    def __pos__(self) -> "TracedNumber":
        return self

    def __abs__(self) -> "TracedNumber":
        return TracedNumber(abs(self.value))

    # ---- comparisons: guards ----------------------------------------------------
    def _compare(self, other: Any, symbol: str) -> Any:
        if type(other) is TracedNumber:
            against: Any = other.value
            number = _number(other.value)
        elif type(other) is Value:
            against, number = other, _number(other)
        elif is_real_number(other):
            against = number = float(other)
        else:
            return NotImplemented
        result = _PYTHON[symbol](_number(self.value), number)
        TRACER.compare(self.value, symbol, against, result)
        return result

    def __bool__(self) -> bool:
        result = _number(self.value) != 0.0
        TRACER.compare(self.value, "!=", 0.0, result)
        return result

    # ---- conversions to a plain number: refused ---------------------------------
    def __float__(self):
        raise _refusal("float() or a math function", _NOT_A_FLOAT)

    def __int__(self):
        raise _refusal("int()", _NOT_A_FLOAT)

    def __index__(self):
        raise _refusal("using a number as an index",
                       "select by a per-sample integer with autograd_lite.select")

    def __complex__(self):
        raise _refusal("complex()", _NOT_A_FLOAT)

    def __round__(self, ndigits: Any = None):
        raise _refusal("round()", _NOT_A_FLOAT)

    def __trunc__(self):
        raise _refusal("math.trunc()", _NOT_A_FLOAT)

    def __floor__(self):
        raise _refusal("math.floor()", _NOT_A_FLOAT)

    def __ceil__(self):
        raise _refusal("math.ceil()", _NOT_A_FLOAT)

    def __hash__(self):
        raise _refusal("hashing (a dict key, a set)", _NOT_A_FLOAT)

    def __str__(self):
        raise _refusal("str()", "print numbers outside the compiled function (out.data)")

    def __format__(self, spec: str):
        raise _refusal("formatting to digits",
                       "print numbers outside the compiled function (out.data)")

    def _no_operator(self, *_args: Any):
        raise _refusal("//, % or divmod", "write it with +, -, *, / and ** (and Value ops)")

    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __divmod__ = _no_operator
    __rdivmod__ = _no_operator

    def __array__(self, *_args: Any, **_kwargs: Any):
        raise _refusal("numpy conversion", _NOT_A_FLOAT)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy's operators with numpy scalars run as Python's; other numpy
        functions are refused."""
        name = getattr(ufunc, "__name__", str(ufunc))
        operation = _NUMPY_OPERATORS.get(name)
        if operation is None or method != "__call__" or kwargs:
            raise _refusal(f"numpy.{name}", _NOT_A_FLOAT)
        if any(isinstance(x, np.ndarray) for x in inputs):
            raise _refusal(f"numpy.{name} with an array", _NOT_A_FLOAT)
        return operation(*(x.item() if isinstance(x, np.generic) else x for x in inputs))


def _arith_methods(name: str, fn: Callable[[Any, Any], Any]) -> None:
    def method(self: TracedNumber, other: Any) -> Any:
        return self._arith(other, fn, False)

    def reflected(self: TracedNumber, other: Any) -> Any:
        return self._arith(other, fn, True)

    setattr(TracedNumber, f"__{name}__", method)
    setattr(TracedNumber, f"__r{name}__", reflected)


def _compare_method(name: str, symbol: str) -> None:
    def method(self: TracedNumber, other: Any) -> Any:
        return self._compare(other, symbol)

    setattr(TracedNumber, f"__{name}__", method)


for _name, _fn in _ARITHMETIC.items():
    _arith_methods(_name, _fn)
for _name, _symbol in _COMPARISONS.items():
    _compare_method(_name, _symbol)


# ---------------------------------------------------------------------------
# Per-sample integers and selection
# ---------------------------------------------------------------------------

class TracedIndex:
    """A per-sample integer argument of a compiled function (e.g. a class label).

    It stands for a different integer in every sample, so it cannot become a
    Python int: pass it to ``nn.cross_entropy`` or :func:`select`, which put a
    per-sample selection on the tape. Any other use raises a TypeError that
    says so and names the line.
    """

    __slots__ = ("argument", "position", "first")

    def __init__(self, argument: int, position: int, first: int):
        self.argument = argument      # which argument of the compiled function
        self.position = position      # flat position within one sample
        self.first = first            # its value in the traced sample

    def __repr__(self) -> str:
        return f"TracedIndex(argument {self.argument}, first sample: {self.first})"

    def _refuse(self, *_args: Any):
        raise TypeError(
            f"compile: argument {self.argument} holds integers (one per sample), and fn "
            f"used one as a Python number at {user_line()}. Pass it to "
            "nn.cross_entropy(logits, y) or autograd_lite.select(values, y), or pass the "
            "argument as floats (np.asarray(y, dtype=float)) to use it in arithmetic")

    def _as_sequence(self, *_args: Any):
        raise TypeError(
            f"compile: argument {self.argument} holds one integer per sample, and fn "
            f"indexes or iterates it like a sequence at {user_line()}. To give each "
            "sample a sequence of ints (tokens), pass one row of ints per sample: an "
            "int array of shape (B, T)")

    __index__ = __int__ = __float__ = __bool__ = __hash__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __pow__ = __neg__ = _refuse
    __getitem__ = __iter__ = _as_sequence


def _is_row(x: Any) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim >= 1)


def select(values: Any, index: Any, *, where: str = "select", what: str = "index",
           error: Type[SampleIndexError] = SampleIndexError) -> Any:
    """``values[index]``, where ``index`` may be a per-sample integer of compile.

    With an int it is plain indexing, in range (0..n-1, no negative indices, as
    a per-sample index). With a :class:`TracedIndex` (an integer argument of a
    compiled function) each sample takes its own element: a selection on the
    tape, with every sample's index checked to be in range. When ``values``
    are rows (sequences of equal length, an embedding table), row ``index`` is
    returned as a list, the gradient reaching the selected row only.

    Args:
        values: the Values to choose from, a sequence or any iterable
            (numbers become leaf Values); or a sequence of equal-length rows.
        index: an int, or a TracedIndex.
        where, what: how an out-of-range error names the call and the index.
        error: the class of that error, a :class:`SampleIndexError` (so a
            caller's own, such as ``nn.TargetOutOfRangeError``, is raised
            eagerly and compiled alike).

    Returns:
        The chosen Value, or the chosen row as a list of Values.

    Raises:
        SampleIndexError (ValueError, IndexError), or ``error``: an index
            outside 0..n-1; compiled, the message names the sample.

    Example:
        >>> import numpy as np
        >>> from autograd_lite import Value, compile
        >>> pick = compile(lambda x, i: select(x, i))
        >>> pick(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0])).data.tolist()
        [2.0, 3.0]
        >>> table = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
        >>> [v.data for v in select(table, 1)]
        [3.0, 4.0]
    """
    if not isinstance(values, (str, bytes)) and hasattr(values, "__iter__"):
        items = list(values.tolist() if isinstance(values, np.ndarray) else values)
        if items and all(_is_row(row) for row in items):
            widths = {len(row) for row in items}
            if len(widths) > 1:
                raise ValueError(f"{where}: rows must have equal lengths, got lengths "
                                 f"{sorted(widths)}")
            return [select([row[d] for row in items], index, where=where, what=what,
                           error=error) for d in range(widths.pop())]
        values = items
    if not isinstance(index, TracedIndex):
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"{where}: {what} must be an int (or a per-sample integer "
                            f"argument of a compiled function), got {type(index).__name__}")
        chosen = as_tuple(values, where)
        i = int(index)
        if not 0 <= i < len(chosen):
            raise error(f"{where}: {what} {i} is out of range for {len(chosen)} "
                        f"values (valid: 0..{len(chosen) - 1})")
        return chosen[i]
    trace = _current()
    if trace is None:
        raise TypeError(f"{where}: a TracedIndex can only be used while compile traces "
                        "the function it was given to")
    items = list(as_values(values, where))
    if not 0 <= index.first < len(items):
        raise error(f"{where}: {what} {index.first} of sample 0 is out of "
                    f"range for {len(items)} values (valid: 0..{len(items) - 1})")
    # The traced sample's value, as a node of its own that the tape replaces by
    # the per-sample selection. Its inputs are every item (local gradients 1
    # for the chosen item and 0 for the others), so the graph's own order puts
    # them all before it.
    first = index.first
    _state.selecting = True
    try:
        node = Value(_number(items[first]), items,
                     local_grads=[1.0 if k == first else 0.0 for k in range(len(items))])
    finally:
        _state.selecting = False
    trace.selections[id(node)] = (index, where, what, error)
    return node


# ---------------------------------------------------------------------------
# Tracing one sample
# ---------------------------------------------------------------------------

def _sample_inputs(arrays: List[np.ndarray], row: int
                   ) -> Tuple[list, Dict[int, tuple], List[Value]]:
    """fn's arguments for one sample: Values (floats) or TracedIndex (ints),
    nested as the sample's shape; id(Value) -> (argument, position); and the
    input Values themselves, which the trace keeps so that no node made while
    tracing can take an input's id (fn may drop its own references)."""
    inputs: Dict[int, tuple] = {}
    values: List[Value] = []
    args = []
    for i, a in enumerate(arrays):
        flat = a[row].ravel().tolist()
        items: list
        if a.dtype.kind == "f":
            items = [Value(x) for x in flat]
            values += items
            for position, v in enumerate(items):
                inputs[id(v)] = (i, position)
        else:
            items = [TracedIndex(i, position, int(x)) for position, x in enumerate(flat)]
        shape = a.shape[1:]
        if not shape:
            args.append(items[0])
            continue
        nested: Any = items
        for size in reversed(shape[1:]):
            nested = [nested[k:k + size] for k in range(0, len(nested), size)]
        args.append(nested)
    return args, inputs, values


def _as_outputs(result: Any) -> Tuple[List[Value], bool]:
    """fn's result as a list of Values, and whether it was a single one."""
    def one(v: Any, what: str) -> Value:
        if type(v) is Value:
            return v
        if type(v) is TracedNumber:
            return v.stop()
        if is_real_number(v):
            return Value(v)
        raise TypeError(f"compile: fn must return a Value or a flat list of Values, but "
                        f"{what} is {type(v).__name__}")
    if isinstance(result, (list, tuple)):
        if not result:
            raise TypeError("compile: fn must return a Value or a non-empty list of "
                            "Values, got an empty list")
        return [one(v, f"element {i} of its result") for i, v in enumerate(result)], False
    return [one(result, "its result")], True


def trace(fn: Callable, arrays: List[np.ndarray], row: int = 0
          ) -> Tuple[Trace, List[Value], bool]:
    """Call ``fn`` on sample ``row`` of ``arrays`` with the tracer on: (the
    trace, its outputs, whether fn returned a single Value). An error fn
    raises is the scalar engine's for that sample, and says so."""
    args, inputs, values = _sample_inputs(arrays, row)
    recorded = Trace(inputs, values)
    with _tracing(recorded):
        try:
            result = fn(*args)
        except DomainError as error:            # say which sample the scalar op saw
            raise type(error)(f"{error} (sample {row}, while compile traced fn)") from error
        outputs, single = _as_outputs(result)
    return recorded, outputs, single

