"""How a Value meets Python's numbers, numpy and micrograd.

:class:`Scalar` is the base class of :class:`~autograd_lite.core.Value`:
everything a Value does that is not the graph. Its number (``item``, format
specs), comparisons (which compare the numbers, and report to compile's
tracer through :func:`set_comparison_hook`), micrograd's ``_op`` label, and
the conversions that would silently drop the gradient (``float(x)``,
``round(x, 2)``, ``numpy.exp(x)``), refused with what to write instead.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

from .coerce import constant
from .ops import CONST_RIGHT

__all__ = ["Scalar", "set_comparison_hook", "comparable"]

# float(x), int(x) and math.exp(x) (which calls float) on a Value.
_NOT_A_FLOAT = (
    "{call} on a Value would drop its gradient (so would math.exp(x) and the "
    "other math functions, which call float). Use the Value's methods to keep "
    "it (x.exp(), x.log(), x.sqrt(), x.tanh(), ...), or x.data (or x.item()) "
    "for the number.")

ComparisonHook = Callable[[Any, str, object, bool], None]
_comparison_hook: Optional[ComparisonHook] = None


def set_comparison_hook(hook: Optional[ComparisonHook]) -> Optional[ComparisonHook]:
    """Call ``hook(value, symbol, other, result)`` after every comparison of a
    Value (``x < 0``), or stop with None; return the previous hook. Compile's
    tracer uses it: the branch taken may differ from sample to sample, so a
    trace checks it on every sample of a batch."""
    global _comparison_hook
    previous, _comparison_hook = _comparison_hook, hook
    return previous


def comparable(x) -> Optional[float]:
    """What a Value compares against: a Value's data or a number; else None."""
    return x._data if isinstance(x, Scalar) else constant(x)


def _ordering(symbol: str, compare: Callable[[float, float], bool]
              ) -> Callable[["Scalar", Any], bool]:
    """A comparison method: the numbers compared, reported to the hook."""
    def method(self: Scalar, other: Any) -> bool:
        c = comparable(other)
        if c is None:
            return NotImplemented
        result = compare(self._data, c)
        if _comparison_hook is not None:
            _comparison_hook(self, symbol, other, result)
        return result
    method.__name__ = f"__{compare.__name__}__"
    method.__doc__ = f"``x {symbol} y`` compares the numbers: ``x.data {symbol} y``."
    return method


class Scalar:
    """The base of Value: the number, comparisons, and conversions refused."""

    __slots__ = ()
    if TYPE_CHECKING:
        # At run time ``data`` is the core's slot ``_data`` under its public
        # name (core.py), or a tracer's property (tracing.py).
        @property
        def data(self) -> float:
            """The number."""

        @data.setter
        def data(self, value: float) -> None: ...
    _data: float        # the number, as the core reads it (``data`` may be traced)
    op: Any
    _b: Any
    grad: Any
    label: str

    __lt__ = _ordering("<", operator.lt)
    __le__ = _ordering("<=", operator.le)
    __gt__ = _ordering(">", operator.gt)
    __ge__ = _ordering(">=", operator.ge)
    __hash__ = object.__hash__           # identity: == is not overloaded

    @property
    def _op(self) -> str:
        """micrograd's short label: ``'*'``, ``'**2'``, ``'tanh'``; ``''`` for a leaf."""
        op = self.op
        if op is None:
            return ""
        # Only a table entry's symbol holds the placeholder {c} (``**{c}``); a
        # hand-built node's symbol is the user's own text, never a template.
        if op.layout == CONST_RIGHT and "{c}" in op.symbol:
            return op.symbol.replace("{c}", str(self._b))
        return op.symbol

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad}{label})"

    def item(self) -> float:
        """The number, as a Python float (PyTorch's ``tensor.item()``; the
        same as ``.data``).

        >>> from autograd_lite import Value
        >>> (Value(2.0) * 3).item()
        6.0
        """
        return self.data

    def __format__(self, spec: str) -> str:
        """A format spec formats the number: ``f"{loss:.3f}"``; an empty one
        gives the repr, as ``str`` does (PyTorch formats tensors the same way).

        >>> from autograd_lite import Value
        >>> loss = Value(0.123456)
        >>> f"loss {loss:.3f}", f"{loss}"
        ('loss 0.123', 'Value(data=0.123456, grad=0.0)')
        """
        return format(self.data, spec) if spec else str(self)

    if not TYPE_CHECKING:
        # Hidden from type checkers, so that they flag float(x) and math.exp(x)
        # before they run. At run time the refusal says what to write instead.
        def __float__(self):
            raise TypeError(_NOT_A_FLOAT.format(call="float(x)"))

        def __int__(self):
            raise TypeError(_NOT_A_FLOAT.format(call="int(x)"))

        def __complex__(self):
            raise TypeError(_NOT_A_FLOAT.format(call="complex(x)"))

        def __round__(self, ndigits=None):
            digits = "" if ndigits is None else f", {ndigits}"
            raise TypeError(f"round(x{digits}) on a Value would drop its gradient; for "
                            f"the number write round(x.data{digits}) (or round(x.item()"
                            f"{digits})), and for a printed value f\"{{x:.2f}}\"")

    def __array_ufunc__(self, ufunc, method: str, *inputs, **kwargs):
        """numpy's hook, called for ``np.exp(x)`` and for operators whose
        other operand is a numpy scalar (``np.float64(2) * x``).

        Operators with numpy scalars work (the scalar is a plain number to a
        Value); numpy functions are refused, since numpy cannot carry a
        gradient: the message names the Value method to use instead.
        """
        return _numpy_ufunc(ufunc, method, inputs, kwargs)


# numpy ufuncs that are Python operators: with a numpy scalar operand they run
# as the operator on a plain number, so np.float64(2) * x is a Value.
_NUMPY_OPERATORS: Dict[str, Callable[..., Any]] = {
    "add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
    "divide": operator.truediv, "true_divide": operator.truediv,
    "power": operator.pow, "negative": operator.neg, "positive": operator.pos,
    "absolute": operator.abs, "less": operator.lt, "less_equal": operator.le,
    "greater": operator.gt, "greater_equal": operator.ge,
    "equal": operator.eq, "not_equal": operator.ne,
}
# numpy functions a Value has a method for.
_NUMPY_METHODS = {"exp": "exp", "log": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
                  "tanh": "tanh"}


def _object_array(x):
    """x as a numpy array of Python objects (a Value as a 0-d one)."""
    import numpy
    if isinstance(x, Scalar):
        box = numpy.empty((), dtype=object)
        box[()] = x
        return box
    return numpy.asarray(x).astype(object)


def _numpy_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    name = getattr(ufunc, "__name__", str(ufunc))
    operation = _NUMPY_OPERATORS.get(name)
    if operation is not None and method == "__call__" and not kwargs:
        if any(type(x).__name__ == "ndarray" for x in inputs):
            # An array and a Value: numpy's object loop applies the operator
            # per element (float * Value is a Value), giving an object array.
            return ufunc(*(_object_array(x) for x in inputs))
        return operation(*(x.item() if not isinstance(x, Scalar) and hasattr(x, "item")
                           else x for x in inputs))
    if name in _NUMPY_METHODS:
        hint = (f"use x.{_NUMPY_METHODS[name]}() to keep the gradient, or "
                f"numpy.{name}(x.data) for the number")
    else:
        hint = ("use the Value's methods and operators to keep the gradient, or "
                "x.data for the number")
    raise TypeError(f"numpy.{name} on a Value would drop its gradient (numpy "
                    f"cannot carry one); {hint}")
