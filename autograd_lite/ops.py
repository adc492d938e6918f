"""The op table: every primitive's forward and its local partial derivatives.

Each :class:`Op` states, in one place, what a primitive computes and how its
output changes with each input. The partials are Python expressions over
``out`` (the op's result) and the op's inputs, compiled once into a function.
Written with plain arithmetic and the helpers below (``exp``, ``cos``, ...),
one expression serves

* floats, for the first-order backward pass and forward mode (``jvp``);
* ``Value`` nodes, for ``backward(create_graph=True)`` and higher derivatives;
* the README, whose op table prints the same text.

Nothing else in the package knows a derivative rule.

The texts are read as maths, with IEEE 754 arithmetic (as torch computes):
``**`` is C's ``pow``, so an overflow is ``inf`` and ``0.0 ** -1`` is ``inf``
rather than a Python exception, ``1 / 0.0`` is ``inf``, ``exp``/``log``/``sin``/
``cos`` give ``inf``, ``-inf`` or ``nan`` where :mod:`math` would raise, and ``==`` compares numbers
(a ``Value`` by its data). So a backward pass never raises once its forward
pass has succeeded: a derivative that is infinite or undefined is ``inf`` or
``nan``, as in torch. Evaluated on Values (higher derivatives), the same holds:
while the engine evaluates partials on Values, the forward functions below
return the IEEE result instead of refusing the input.

>>> OPS["mul"].partials(6.0, 2.0, 3.0)
(3.0, 2.0)
>>> OPS["tanh"].derivative
'1 - out * out'
"""

from __future__ import annotations

import ast
import contextlib
import functools
import math
import operator
import sys
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Sequence, Tuple

__all__ = [
    "Op",
    "OPS",
    "DomainError",
    "DivisionByZeroError",
    "FloatOverflowError",
    "UNARY",
    "BINARY",
    "CONST_RIGHT",
    "CONST_LEFT",
    "NARY",
    "DOT",
    "DOT_CONST",
    "markdown_table",
    "ieee_arithmetic",
    "layout_inputs",
    "layout_partials",
]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

class DomainError(ValueError):
    """An op was given an input outside its domain (``log(-1)``, ``x / 0``).

    >>> from autograd_lite import Value
    >>> Value(-1.0).log()
    Traceback (most recent call last):
    ...
    autograd_lite.DomainError: log: input must be > 0, got -1.0
    """


class DivisionByZeroError(DomainError, ZeroDivisionError):
    """Division by zero (``x / 0``, ``0 ** -1``): a :class:`DomainError`, so a
    ValueError, that ``except ZeroDivisionError`` catches too.

    >>> from autograd_lite import Value
    >>> Value(1.0) / 0
    Traceback (most recent call last):
    ...
    autograd_lite.DivisionByZeroError: div: division by zero (1.0 / 0); the divisor must be non-zero
    """


class FloatOverflowError(DomainError, OverflowError):
    """A result too large for a float (``exp(1000)``): a :class:`DomainError`,
    so a ValueError, that ``except OverflowError`` catches too.

    >>> from autograd_lite import Value
    >>> Value(10.0) ** 400
    Traceback (most recent call last):
    ...
    autograd_lite.FloatOverflowError: pow: result overflows a float for (10.0) ** 400
    """


# Raised by the package and exported from it: tracebacks name the public path.
for _error in (DomainError, DivisionByZeroError, FloatOverflowError):
    _error.__module__ = "autograd_lite"


# ---------------------------------------------------------------------------
# Node layouts: where a node keeps its inputs (slots ``_a`` and ``_b``).
# A table entry has a natural layout; binary entries also get constant
# variants, so ``x * 2.0`` stores 2.0 in the node instead of a leaf node.
# layout_inputs and layout_partials (below Op) read a node through its layout.
# ---------------------------------------------------------------------------

UNARY = 1        # _a: Value                  _b: None
BINARY = 2       # _a: Value                  _b: Value
CONST_RIGHT = 3  # _a: Value                  _b: number (constant or parameter)
CONST_LEFT = 4   # _a: number                 _b: Value
NARY = 5         # _a: tuple of Values        _b: None
DOT = 6          # _a: tuple of Values        _b: tuple of Values
DOT_CONST = 7    # _a: tuple of Values        _b: tuple of numbers


# ---------------------------------------------------------------------------
# Helpers the partial expressions may call. Each works on a float (math) and
# on a Value (its method, so the result carries a graph).
# ---------------------------------------------------------------------------

def _is_number(x) -> bool:
    return isinstance(x, (int, float))


# ---- IEEE 754 arithmetic on floats: what C and torch give, never an exception

def _odd_integer(y) -> bool:
    return (type(y) is int or (math.isfinite(y) and float(y).is_integer())) and y % 2 == 1


def _ieee_pow(x, y):
    """x ** y as C's pow: ±inf where it overflows or for 0.0 ** -1, nan for
    a negative base and a fractional exponent (Python would give a complex)."""
    try:
        r = x ** y
    except ZeroDivisionError:                       # 0.0 ** negative
        return -math.inf if math.copysign(1.0, x) < 0 and _odd_integer(y) else math.inf
    except OverflowError:
        return -math.inf if x < 0 and _odd_integer(y) else math.inf
    return math.nan if type(r) is complex else r


def _ieee_exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _ieee_log(x):
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan        # log(0) = -inf; log(-1), log(nan) = nan


def _ieee_sqrt(x):
    return math.sqrt(x) if x >= 0 else math.nan


def _ieee_div(a, b):
    if b != 0:
        return a / b
    if a != a or a == 0:                            # 0 / 0, nan / 0
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _periodic_ieee(fn: Callable[[float], float]) -> Callable[[float], float]:
    return lambda x: fn(x) if not math.isinf(x) else math.nan     # sin(inf) = nan


_ieee_sin = _periodic_ieee(math.sin)
_ieee_cos = _periodic_ieee(math.cos)


class _Arithmetic(threading.local):
    """Per thread: True while the engine evaluates partials on Values, when a
    forward function gives the IEEE result (inf, nan) instead of refusing."""
    ieee = False


_arithmetic = _Arithmetic()


@contextlib.contextmanager
def ieee_arithmetic() -> Iterator[None]:
    """Within it (in this thread), the forward functions of the table return
    IEEE results (``inf``, ``nan``) where they would raise: how the engine
    evaluates partials on Values, so a higher derivative never raises.

    >>> from autograd_lite import Value
    >>> with ieee_arithmetic():
    ...     Value(0.0) ** -1.0
    Value(data=inf, grad=0.0)
    """
    previous = _arithmetic.ieee
    _arithmetic.ieee = True
    try:
        yield
    finally:
        _arithmetic.ieee = previous


def exp(x):
    return _ieee_exp(x) if _is_number(x) else x.exp()


def log(x):
    return _ieee_log(x) if _is_number(x) else x.log()


def sin(x):
    return _ieee_sin(x) if _is_number(x) else x.sin()


def cos(x):
    return _ieee_cos(x) if _is_number(x) else x.cos()


def _power(x, y):
    """What ``x ** y`` in a partial's text means: IEEE pow on numbers (on
    Values, their own ``**``, which the engine runs in IEEE arithmetic)."""
    return _ieee_pow(x, y) if _is_number(x) and _is_number(y) else x ** y


def _divide(x, y):
    """What ``x / y`` in a partial's text means: IEEE division on numbers (on
    Values, their own ``/``, which the engine runs in IEEE arithmetic)."""
    return _ieee_div(x, y) if _is_number(x) and _is_number(y) else x / y


def _number_of(x):
    return x if _is_number(x) else x.data


def _equal(x, y) -> bool:
    """What ``x == y`` in a partial's text means: the numbers are equal."""
    return _number_of(x) == _number_of(y)


def tanh(x):
    return math.tanh(x) if _is_number(x) else x.tanh()


def sigmoid(x):
    return _sigmoid(x) if _is_number(x) else x.sigmoid()


def softmax(xs):
    """e^xᵢ / Σ e^xⱼ, computed after subtracting the largest x: no term
    overflows, and a constant shift leaves the result (and its derivative)
    unchanged, so it serves floats and Values alike."""
    m = max(x if _is_number(x) else x.data for x in xs)
    exps = [exp(x - m) for x in xs]
    if math.isinf(m):
        # the largest x is inf (or all are -inf): e^(x - m) is torch's
        # e^(x - logsumexp) as it is, 0 for a finite x and nan for an infinite one
        return exps
    total = sum(exps)
    return [e / total for e in exps]


def sign(x) -> float:
    # Piecewise constant, so a float serves both floats and Values (whose
    # comparisons read .data); sign(0) = 0 is the subgradient PyTorch uses.
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


GELU_K = math.sqrt(2.0 / math.pi)   # the tanh approximation's sqrt(2/pi)

# What a partial expression may name besides out and the inputs: helpers that
# serve floats and Values alike, and constants.
PARTIAL_NAMESPACE = {
    "exp": exp, "log": log, "sin": sin, "cos": cos, "tanh": tanh,
    "sigmoid": sigmoid, "sign": sign, "softmax": softmax, "inf": math.inf,
    "GELU_K": GELU_K, "_power": _power, "_divide": _divide, "_equal": _equal,
}


# ---------------------------------------------------------------------------
# Forward functions on floats, with errors that name the op and the input.
# ---------------------------------------------------------------------------

def _div(a, b):
    if b == 0 and _arithmetic.ieee:
        return _ieee_div(a, b)
    if b == 0:
        raise DivisionByZeroError(f"div: division by zero ({a!r} / {b!r}); "
                                  "the divisor must be non-zero")
    return a / b


def _log(x):
    if not x > 0 and _arithmetic.ieee:
        return _ieee_log(x)
    if not x > 0:  # also catches nan
        raise DomainError(f"log: input must be > 0, got {x!r}")
    return math.log(x)


def _sqrt(x):
    if not x >= 0 and _arithmetic.ieee:
        return _ieee_sqrt(x)
    if not x >= 0:
        raise DomainError(f"sqrt: input must be >= 0, got {x!r}")
    return math.sqrt(x)


def _exp(x):
    if _arithmetic.ieee:
        return _ieee_exp(x)
    try:
        return math.exp(x)
    except OverflowError:
        raise FloatOverflowError(f"exp: result overflows a float for input {x!r} "
                                 "(exp is finite only for inputs <= 709.78)") from None


def _periodic(name: str, fn: Callable[[float], float]) -> Callable[[float], float]:
    def forward(x):
        if math.isinf(x) and _arithmetic.ieee:
            return math.nan
        if math.isinf(x):
            raise DomainError(f"{name}: input must be finite, got {x!r}")
        return fn(x)
    forward.__name__ = f"_{name}"
    return forward


def _pow(x, c):
    if _arithmetic.ieee:
        return _ieee_pow(x, c)
    # A negative base needs an integer exponent, unless it is ±inf or nan,
    # where the result is defined (C and torch: (-2) ** inf = inf, ** nan = nan).
    if x < 0 and math.isfinite(c) and not (type(c) is int or c.is_integer()):
        raise DomainError(f"pow: a negative base needs an integer exponent, got "
                          f"({x!r}) ** {c!r}; use abs(x) ** {c!r} for a real result")
    if x == 0 and c < 0:
        raise DivisionByZeroError(f"pow: 0.0 cannot be raised to a negative power ({c!r})")
    try:
        return x ** c
    except OverflowError:
        raise FloatOverflowError(f"pow: result overflows a float for ({x!r}) ** {c!r}") from None


def _pow_value(a, b):
    if _arithmetic.ieee:
        return _ieee_pow(a, b)
    if a < 0:
        raise DomainError(f"pow: base must be >= 0 when the exponent is a Value, "
                          f"got base {a!r}; use a constant exponent (x ** 2) or "
                          "abs(x) ** y")
    if a == 0 and b <= 0:
        raise DivisionByZeroError(f"pow: 0.0 cannot be raised to a non-positive power ({b!r})")
    try:
        return a ** b
    except OverflowError:
        raise FloatOverflowError(f"pow: result overflows a float for ({a!r}) ** {b!r}") from None


def _sigmoid(x):
    # Stable for any x: never exponentiate a large positive number.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x):
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for any x.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _relu(x):
    # As micrograd: 0 for x < 0, x otherwise (so relu(0) = 0).
    return 0.0 if x < 0 else float(x)


def _leaky_relu(x, alpha):
    return float(x) if x > 0 else alpha * x


def _elu(x, alpha):
    return float(x) if x > 0 else alpha * math.expm1(x)


def _gelu(x):
    # PyTorch's approximate='tanh': 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    return 0.5 * x * (1.0 + math.tanh(GELU_K * (x + 0.044715 * x * x * x)))


def left_to_right(numbers: Iterable[float]) -> float:
    """0 + x₁ + x₂ + …, one rounding per addition: the bits of a chain of +
    (and of ``sum()`` over Values). The builtin ``sum`` of floats does that
    up to Python 3.11; from 3.12 it compensates rounding, which is more
    accurate but not what the chain of + gives, so there we add one by one."""
    return functools.reduce(operator.add, numbers, 0)


if sys.version_info < (3, 12):
    left_to_right = sum  # type: ignore[assignment]  # noqa: F811 (same result, a C loop over doubles)


def _sum(xs):
    return left_to_right(xs)


def _dot(a, b):
    return left_to_right(map(operator.mul, a, b))


def _logsumexp(xs):
    # ln Σ e^x = m + ln Σ e^(x - m) with m = max x: no term overflows, and the
    # largest term is e^0 = 1, so the log's argument is >= 1.
    if any(map(math.isnan, xs)):
        return math.nan                 # max() alone would depend on where the nan is
    m = max(xs)
    if math.isinf(m):
        return float(m)
    return m + math.log(sum(math.exp(x - m) for x in xs))


# ---------------------------------------------------------------------------
# The Op record
# ---------------------------------------------------------------------------

Interval = Tuple[float, float]

REALS: Tuple[Interval, ...] = ((-3.0, 3.0),)
POSITIVE: Tuple[Interval, ...] = ((0.1, 5.0),)
NONZERO: Tuple[Interval, ...] = ((-3.0, -0.3), (0.3, 3.0))
OFF_KINK: Tuple[Interval, ...] = ((-3.0, -0.1), (0.1, 3.0))  # away from x == 0


THE_CONSTANT = "the node's constant"
SWAPPED = "each input's partial is the other input"


class _AsMaths(ast.NodeTransformer):
    """A partial's text with ``a ** b`` read as IEEE pow, ``a / b`` as IEEE
    division and ``a == b`` as equal numbers: ``_power(a, b)``,
    ``_divide(a, b)``, ``_equal(a, b)`` (see the module's docstring). A
    comparison with the constant parameter or a literal on both sides is left
    as written: it compares numbers already. Everything else is Python's own
    arithmetic, which on floats is already IEEE's (an overflowing ``*`` is
    inf). The built-in table guards its divisors (a forward refuses the input,
    or the text tests it); an op added with ``define_op`` may not, and its
    ``1 / x`` at 0 is then inf, as in torch, not a ZeroDivisionError."""

    def __init__(self, numbers: Iterable[str]):
        self.numbers = frozenset(numbers)       # names that are always numbers

    def _is_number(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) or (isinstance(node, ast.Name)
                                                  and node.id in self.numbers)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = _IEEE_BINARY.get(type(node.op))
        if helper is not None:
            return ast.copy_location(ast.Call(ast.Name(helper, ast.Load()),
                                              [node.left, node.right], []), node)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)) and not (
                self._is_number(node.left) and self._is_number(node.comparators[0])):
            equal = ast.Call(ast.Name("_equal", ast.Load()),
                             [node.left, node.comparators[0]], [])
            if isinstance(node.ops[0], ast.NotEq):
                return ast.copy_location(ast.UnaryOp(ast.Not(), equal), node)
            return ast.copy_location(equal, node)
        return node


_IEEE_BINARY = {ast.Pow: "_power", ast.Div: "_divide"}


def compile_text(lambda_source: str, what: str, param: str = "",
             namespace: Optional[Dict[str, Any]] = None) -> Callable:
    """A partial's text as a function, named for tracebacks (``namespace``:
    the helpers it names, by default those of the partials)."""
    numbers = [param] if param else []
    tree = ast.parse(lambda_source, mode="eval")
    tree = ast.fix_missing_locations(_AsMaths(numbers).visit(tree))
    return eval(compile(tree, f"<{what}>", "eval"),
                dict(PARTIAL_NAMESPACE if namespace is None else namespace))


def _shortcut(expression: str, inputs: Tuple[str, ...], param: str):
    """What backward may use instead of calling the first partial: its value
    when the expression is a number (``x + c``: 1.0), or THE_CONSTANT when it
    is the name of the second argument, which a constant-right node keeps in
    ``_b`` (``x * c``: c). None otherwise. Read off the table's own text."""
    tree = ast.parse(expression, mode="eval").body
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub) \
            and isinstance(tree.operand, ast.Constant) \
            and isinstance(tree.operand.value, (int, float)):
        return -float(tree.operand.value)
    if isinstance(tree, ast.Constant) and isinstance(tree.value, (int, float)):
        return float(tree.value)
    second = param or (inputs[1] if len(inputs) > 1 else None)
    if isinstance(tree, ast.Name) and tree.id == second:
        return THE_CONSTANT
    return None


def pair_shortcut_of(terms: Tuple[str, ...], inputs: Tuple[str, ...]):
    """What backward may use instead of calling a two-input op's partials:
    both values when both expressions are numbers (``a + b``: (1.0, 1.0)), or
    SWAPPED when they are the other input's names (``a * b``: b, a). None
    otherwise. Read off the table's own text."""
    if len(inputs) != 2 or len(terms) != 2:
        return None
    first, second = (_shortcut(term, (), "") for term in terms)
    if isinstance(first, float) and isinstance(second, float):
        return (first, second)
    names = [body.id for body in (ast.parse(term, mode="eval").body for term in terms)
             if isinstance(body, ast.Name)]
    if names == [inputs[1], inputs[0]]:
        return SWAPPED
    return None


class Op:
    """One primitive: its forward, its local partials, and how to check it.

    Attributes:
        name: table key, e.g. ``"mul"``.
        symbol: the short label micrograd keeps in ``Value._op`` (``"*"``);
            ``{c}`` in it is replaced by the node's constant (``"**2"``).
        usage: how the op is written in Python (``"a * b"``, ``"x.tanh()"``).
        formula: the maths in one line.
        inputs: names of the differentiable inputs, as the partials use them.
        param: name of a constant parameter (``"c"``, ``"alpha"``), or ``""``.
        derivative: the partial-derivative expressions, comma separated, one
            per input (d out / d input_i).
        partials: ``derivative`` compiled to ``f(out, *inputs, [param])``.
        forward: the op on floats.
        array: the op on numpy arrays, an expression over the inputs (and
            parameter) in the names of :mod:`autograd_lite.compile.arrays`
            (``exp(x)``, ``where(x > 0, x, alpha * x)``): what ``compile``
            runs for a whole batch, the scalar forward's formula step for
            step. ``""`` for an op added with ``define_op``, whose float
            forward compile runs per element.
        domain: per input, the intervals the checks sample.
        param_samples: parameter values the checks use.
        layout: where a node of this op keeps its inputs (``UNARY``, ...).
        base: the table entry a variant was derived from (or self).
        const_right, const_left: variants with the right or left input a
            constant kept in the node (``x * 2``, ``2 - x``), or None.
        first_partial: d out / d input 0 alone, compiled from the same text:
            what unary and constant-right nodes use.
        second_partial: d out / d input 1 alone (None for one input): what
            constant-left nodes use, never computing the constant's partial.
        first_partial_shortcut: for unary and constant-right nodes, that
            partial's value when its text is a number (``1.0``), or
            THE_CONSTANT when it is the node's constant (``b`` of ``x * b``);
            None when it must be computed.
        pair_shortcut: for two-input nodes, both partials when their texts
            are numbers (``a + b``: ``(1.0, 1.0)``), or SWAPPED when they are
            the other input (``a * b``: ``b, a``); None when they must be
            computed.
    """

    __slots__ = ("name", "symbol", "usage", "formula", "inputs", "param",
                 "derivative", "partials", "forward", "domain", "param_samples",
                 "layout", "base", "const_right", "const_left",
                 "first_partial", "second_partial", "first_partial_shortcut",
                 "pair_shortcut", "array")
    forward: Any        # the op on floats (a callable); None for a node built by hand
    partials: Callable[..., tuple]
    first_partial: Callable[..., Any]
    # Set for the entries that have them (binary and dot ops; d out / d input 1
    # for ops of two inputs), None for the others: the engine asks only those.
    const_right: Any
    const_left: Any
    second_partial: Any
    first_partial_shortcut: Any
    pair_shortcut: Any

    def __init__(self, name: str, symbol: str, usage: str, formula: str, *,
                 inputs: str, derivative: str, forward: Optional[Callable[..., Any]],
                 domain: Sequence[Tuple[Interval, ...]], layout: int,
                 param: str = "", param_samples: Sequence[float] = (), array: str = ""):
        self.name = name
        self.array = array
        self.symbol = symbol
        self.usage = usage
        self.formula = formula
        self.inputs = tuple(s.strip() for s in inputs.split(","))
        self.param = param
        self.derivative = derivative
        self.forward = forward
        self.domain = tuple(domain)
        self.param_samples = tuple(param_samples)
        self.layout = layout
        self.base = self
        self.const_right = self.const_left = None
        signature = ", ".join(("out",) + self.inputs + ((param,) if param else ()))
        self.partials = compile_text(f"lambda {signature}: ({derivative},)", f"partials of {name}",
                                 param)
        # d out / d input 0 alone, from the same text: what a unary or
        # constant-right node uses, without building a tuple to index.
        terms = self.terms()
        first = terms[0]
        self.first_partial = compile_text(f"lambda {signature}: {first}",
                                      f"first partial of {name}", param)
        self.second_partial = (compile_text(f"lambda {signature}: {terms[1]}",
                                        f"second partial of {name}", param)
                               if len(terms) > 1 else None)
        self.first_partial_shortcut = _shortcut(first, self.inputs, param)
        self.pair_shortcut = (pair_shortcut_of(terms, self.inputs)
                              if layout == BINARY else None)
        if len(self.domain) != len(self.inputs):
            raise ValueError(f"op {name}: {len(self.inputs)} inputs but "
                             f"{len(self.domain)} domains")

    def variant(self, layout: int) -> "Op":
        """The same op with nodes of another layout (one input a constant):
        the same forward and partials, ``base`` this op.

        >>> OPS["mul"].variant(CONST_RIGHT).partials(6.0, 2.0, 3.0)
        (3.0, 2.0)
        """
        variant = object.__new__(Op)
        for slot in Op.__slots__:
            setattr(variant, slot, getattr(self, slot))
        variant.layout = layout
        variant.base = self
        return variant

    def terms(self) -> Tuple[str, ...]:
        """The text of each partial, d out / d input_i, in input order."""
        source = f"({self.derivative},)"
        tree = ast.parse(source, mode="eval").body          # always a tuple
        terms = tree.elts if isinstance(tree, ast.Tuple) else [tree]
        return tuple(ast.get_source_segment(source, term) or "" for term in terms)

    def names_read(self) -> frozenset:
        """The names (``out``, inputs) that the partials a node of this layout
        uses mention: a constant-right node uses only d out / d input 0."""
        terms = self.terms()
        used = {CONST_RIGHT: terms[:1], CONST_LEFT: terms[1:2],
                DOT_CONST: terms[:1]}.get(self.layout, terms)
        return frozenset(n.id for term in used for n in ast.walk(ast.parse(term))
                         if isinstance(n, ast.Name))

    def __repr__(self) -> str:
        return f"Op({self.name!r}: {self.formula})"


def layout_inputs(layout: int, a: Any, b: Any) -> Sequence[Any]:
    """The Value inputs of a node of this layout whose slots hold ``a`` and
    ``b``, in order, a reused input once per use (a tuple)."""
    if layout == UNARY or layout == CONST_RIGHT:
        return (a,)
    if layout == BINARY:
        return (a, b)
    if layout == CONST_LEFT:
        return (b,)
    return a + b if layout == DOT else a      # NARY, DOT_CONST: a is a tuple


def layout_partials(op: Op, out: Any, a: Any, b: Any,
                    val: Callable[[Sequence[Any]], list]) -> Sequence[Any]:
    """The local partials of a node of ``op`` whose slots hold ``a`` and ``b``:
    one per input of :func:`layout_inputs`, in its order. ``out`` is the
    node's output and ``val`` maps a sequence of input Values to what the
    partials read (their numbers, or the Values themselves)."""
    layout = op.layout
    if layout == UNARY:
        return op.partials(out, *val((a,)))
    if layout == CONST_RIGHT:                 # b is the constant
        return op.partials(out, *val((a,)), b)[:1]
    if layout == BINARY:
        return op.partials(out, *val((a, b)))
    if layout == CONST_LEFT:                  # a is the constant: only d/db is needed
        return (op.second_partial(out, a, *val((b,))),)
    if layout == NARY:
        return op.partials(out, val(a))[0]
    if layout == DOT:
        pa, pb = op.partials(out, val(a), val(b))
        return [*pa, *pb]
    return op.partials(out, val(a), b)[0]     # DOT_CONST: the numbers are in b


def add_variants(op: Op) -> Op:
    """Give a binary (or dot) entry its constant variants; return it."""
    if op.layout == BINARY:
        op.const_right = op.variant(CONST_RIGHT)
        op.const_left = op.variant(CONST_LEFT)
    elif op.layout == DOT:
        op.const_right = op.variant(DOT_CONST)
    return op


def _table(*ops: Op) -> Dict[str, Op]:
    table = {}
    for op in ops:
        if op.name in table:
            raise ValueError(f"op table: duplicate entry {op.name!r}")
        table[op.name] = add_variants(op)
    return table


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

OPS: Dict[str, Op] = _table(
    # ---- arithmetic --------------------------------------------------------
    Op("add", "+", "a + b", "a + b", inputs="a, b", forward=operator.add,
       derivative="1.0, 1.0", domain=(REALS, REALS), layout=BINARY,
       array="a + b"),
    Op("sub", "-", "a - b", "a - b", inputs="a, b", forward=operator.sub,
       derivative="1.0, -1.0", domain=(REALS, REALS), layout=BINARY,
       array="a - b"),
    Op("mul", "*", "a * b", "a · b", inputs="a, b", forward=operator.mul,
       derivative="b, a", domain=(REALS, REALS), layout=BINARY,
       array="a * b"),
    Op("div", "/", "a / b", "a / b", inputs="a, b", forward=_div,
       derivative="1.0 / b, -out / b", domain=(REALS, NONZERO), layout=BINARY,
       array="a / b"),
    Op("neg", "neg", "-x", "-x", inputs="x", forward=operator.neg,
       derivative="-1.0", domain=(REALS,), layout=UNARY,
       array="-x"),
    Op("abs", "abs", "abs(x)", "|x|", inputs="x", forward=abs,
       # sign(0) = 0: the subgradient PyTorch returns at the kink
       derivative="sign(x)", domain=(OFF_KINK,), layout=UNARY,
       array="abs(x)"),
    # ---- powers ------------------------------------------------------------
    Op("pow", "**{c}", "x ** c", "x^c, c a constant", inputs="x", param="c",
       # 0 for c == 0 (a constant, even at x == 0 or nan); at x == 0 and
       # 0 < c < 1, 0 ** (c - 1) is inf (IEEE pow), as PyTorch's rule
       forward=_pow, derivative="0.0 if c == 0 else c * x ** (c - 1)", domain=(POSITIVE,),
       param_samples=(2, 3, -1, 0.5, 2.5), layout=CONST_RIGHT,
       array="power(x, c)"),
    Op("pow_value", "**", "a ** b", "a^b, b a Value (a >= 0)", inputs="a, b",
       forward=_pow_value,
       # PyTorch's rules: d/da is 0 where b == 0 (a constant), else +inf at
       # a == 0 for b < 1 (IEEE pow); d/db = a^b ln a is taken as 0 at a == 0
       derivative="0.0 if b == 0 else b * a ** (b - 1), "
                  "0.0 if a == 0 and b >= 0 else out * log(a)",
       domain=(POSITIVE, REALS), layout=BINARY,
       array="power_value(a, b)"),
    Op("sqrt", "sqrt", "x.sqrt()", "√x", inputs="x", forward=_sqrt,
       # d/dx √x = 1 / (2 √x), which is +inf at x == 0
       derivative="0.5 / out if out > 0 else inf", domain=(POSITIVE,), layout=UNARY,
       array="sqrt(x)"),
    # ---- exponentials and logs ---------------------------------------------
    Op("exp", "exp", "x.exp()", "e^x", inputs="x", forward=_exp,
       derivative="out", domain=(REALS,), layout=UNARY,
       array="exp(x)"),
    Op("log", "log", "x.log()", "ln x", inputs="x", forward=_log,
       derivative="1.0 / x", domain=(POSITIVE,), layout=UNARY,
       array="log(x)"),
    # ---- trigonometry ------------------------------------------------------
    Op("sin", "sin", "x.sin()", "sin x", inputs="x", forward=_periodic("sin", math.sin),
       derivative="cos(x)", domain=(REALS,), layout=UNARY,
       array="sin(x)"),
    Op("cos", "cos", "x.cos()", "cos x", inputs="x", forward=_periodic("cos", math.cos),
       derivative="-sin(x)", domain=(REALS,), layout=UNARY,
       array="cos(x)"),
    # ---- activations -------------------------------------------------------
    Op("tanh", "tanh", "x.tanh()", "tanh x", inputs="x", forward=math.tanh,
       derivative="1 - out * out", domain=(REALS,), layout=UNARY,
       array="tanh(x)"),
    Op("sigmoid", "sigmoid", "x.sigmoid()", "σ(x) = 1 / (1 + e^-x)", inputs="x",
       forward=_sigmoid, derivative="out * (1 - out)", domain=(REALS,), layout=UNARY,
       array="sigmoid(x)"),
    Op("relu", "ReLU", "x.relu()", "max(x, 0)", inputs="x", forward=_relu,
       # subgradient 0 at x == 0, as micrograd and PyTorch (and 1 at nan, as PyTorch)
       derivative="0.0 if x <= 0 else 1.0", domain=(OFF_KINK,), layout=UNARY,
       array="where(x < 0, 0.0, x)"),
    Op("leaky_relu", "leaky_relu", "x.leaky_relu(alpha)", "x if x > 0 else α·x",
       inputs="x", param="alpha", forward=_leaky_relu,
       derivative="1.0 if x > 0 else alpha", domain=(OFF_KINK,),
       param_samples=(0.01, 0.2), layout=CONST_RIGHT,
       array="where(x > 0, x, alpha * x)"),
    Op("elu", "elu", "x.elu(alpha)", "x if x > 0 else α·(e^x - 1)", inputs="x",
       param="alpha", forward=_elu,
       # for x <= 0: d/dx α(e^x - 1) = α e^x, computed so: out + α equals it
       # but cancels (a relative error of 2e-4 at x = -30); 1 at nan, as PyTorch
       derivative="alpha * exp(x) if x <= 0 else 1.0", domain=(OFF_KINK,),
       param_samples=(1.0, 0.5), layout=CONST_RIGHT,
       array="where(x > 0, x, alpha * expm1(minimum(x, 0.0)))"),
    Op("gelu", "gelu", "x.gelu()", "½x(1 + tanh(√(2/π)(x + 0.044715x³)))",
       inputs="x", forward=_gelu,
       # product rule on ½x(1 + t), t = tanh(u), u = k(x + 0.044715 x³)
       derivative="0.5 * (1 + tanh(GELU_K * (x + 0.044715 * x * x * x))) + "
                  "0.5 * x * (1 - tanh(GELU_K * (x + 0.044715 * x * x * x)) ** 2)"
                  " * GELU_K * (1 + 3 * 0.044715 * x * x)",
       domain=(REALS,), layout=UNARY,
       array="0.5 * x * (1.0 + tanh(GELU_K * (x + 0.044715 * x * x * x)))"),
    Op("softplus", "softplus", "x.softplus()", "ln(1 + e^x)", inputs="x",
       forward=_softplus, derivative="sigmoid(x)", domain=(REALS,), layout=UNARY,
       array="maximum(x, 0.0) + log1p(exp(-abs(x)))"),
    # ---- fused n-ary (one node for many inputs) -----------------------------
    Op("sum", "sum", "vsum(xs)", "x₁ + x₂ + … + xₙ", inputs="xs", forward=_sum,
       derivative="[1.0] * len(xs)", domain=(REALS,), layout=NARY,
       array="left_to_right(xs)"),
    Op("dot", "dot", "dot(a, b)", "a₁b₁ + a₂b₂ + … + aₙbₙ", inputs="a, b",
       forward=_dot, derivative="b, a", domain=(REALS, REALS), layout=DOT,
       array="left_to_right(a * b)"),
    Op("logsumexp", "logsumexp", "logsumexp(xs)", "ln(e^x₁ + … + e^xₙ)", inputs="xs",
       # d/dx_i = e^x_i / Σ e^x_j, the softmax (computed stably, see softmax)
       forward=_logsumexp, derivative="softmax(xs)",
       domain=(((-3.0, 3.0), (-1000.0, -990.0), (990.0, 1000.0)),), layout=NARY,
       array="logsumexp(xs)"),
)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a bare | would end the cell."""
    return text.replace("|", "\\|")


def markdown_table(ops: Optional[Iterable[Op]] = None) -> str:
    """The op table as Markdown: the README's table is this text.

    >>> print(markdown_table([OPS["mul"]]))
    | op | Python | formula | local derivatives (d out / d input) |
    |---|---|---|---|
    | `mul` | `a * b` | a · b | `b, a` |
    """
    rows = ["| op | Python | formula | local derivatives (d out / d input) |",
            "|---|---|---|---|"]
    for op in (OPS.values() if ops is None else ops):
        rows.append(f"| `{op.name}` | `{_cell(op.usage)}` | {_cell(op.formula)} | "
                    f"`{_cell(op.derivative)}` |")
    return "\n".join(rows)
