"""Ops users add to the table: :func:`define_op` and :func:`remove_op`.

An op is defined the way the built-in entries of :data:`~autograd_lite.ops.OPS`
are: its forward on floats and its local partial derivatives as text over
``out`` (the result) and the inputs. The new entry then serves everything the
table serves: it is a ``Value`` method, ``backward()`` and
``backward(create_graph=True)`` (the text is evaluated on floats, or on Values
for higher derivatives), forward mode (``jvp``), ``draw_graph``, the README
op table generator (``markdown_table``) and :func:`~autograd_lite.check_op`,
which checks it against central differences, to first and second order, at
points of its declared domain.

The name follows ``torch.library.define``, which adds an op to a library's
table; JAX's ``custom_vjp`` and PyTorch's ``autograd.Function`` attach a rule
to one function instead, where here the rule becomes a table entry like
``tanh``'s.

>>> from autograd_lite import Value, check_op, define_op, remove_op
>>> op = define_op("softsign", "x / (1 + abs(x))", "1 / (1 + abs(x)) ** 2")
>>> y = Value(3.0).softsign(); y.data
0.75
>>> check_op(op, order=2)
True
>>> remove_op("softsign")
"""

from __future__ import annotations

import ast
import keyword
import math
import threading
from typing import Callable, Dict, NamedTuple, Optional, Sequence, Tuple, Union

from .coerce import as_float, is_real_number
from .core import Value, local_partials
from .fused import apply_op
from .grad_mode import enable_grad
from .ops import (BINARY, OPS, REALS, UNARY, DivisionByZeroError,
                  DomainError, FloatOverflowError, Interval, Op, PARTIAL_NAMESPACE, add_variants,
                  compile_text)

__all__ = ["define_op", "remove_op"]

# Builtins that a derivative or forward text may call besides the helpers of
# ops.py: each works on floats and on Values (abs is Value.__abs__; min and
# max compare data and return one of their arguments).
_BUILTINS = ("abs", "min", "max")

_lock = threading.Lock()            # one definition or removal at a time


class _Defined(NamedTuple):
    """An op define_op added: the op, the arguments it was defined from, and
    the Value method it added."""
    op: Op
    definition: tuple
    method: Callable


_defined: Dict[str, _Defined] = {}  # the ops define_op added, by name


def define_op(name: str, forward: Union[str, Callable[..., float]], derivative: str, *,
              inputs: str = "x", domain: Optional[Sequence] = None, formula: str = "",
              usage: str = "", symbol: str = "") -> Op:
    """Add an op to the table from its forward and its local derivatives.

    After ``define_op("swish", ...)``, ``x.swish()`` is a Value method (for
    two inputs, ``a.name(b)``, with ``b`` a Value or a number), and
    ``OPS["swish"]`` is the entry, which ``check_op``, ``apply_op``,
    ``backward`` (also with ``create_graph=True``), ``jvp`` and
    ``draw_graph`` use as they use the built-in ones.

    The definition is checked at once: the texts must parse and name only
    ``out``, the inputs and the helpers; forward and derivative are evaluated
    once, in the middle of the domain, on floats and on Values, and must
    agree. Whether the derivative is right is what ``check_op(op, order=2)``
    checks. Defining the same op again (same texts, same forward object,
    same domain) returns the entry already there, so a module may define its
    ops on import (and a notebook cell may run again, if its forward is
    text, not a new lambda); any other definition of a taken name is refused.

    Args:
        name: the op's name: an identifier, not starting with ``_``, that is
            neither an op in the table nor a Value attribute.
        forward: the op on floats: a function (``lambda x: x * math.tanh(x)``)
            or an expression over the inputs (``"x * sigmoid(x)"``) with the
            helpers below. Its errors (``math domain error``) become
            ``DomainError`` naming the op and the input; as text, its
            helpers and operators are the table's forwards, so ``log(x)`` at
            -1 or ``1 / x`` at 0 is refused there too (the derivative's
            helpers give IEEE ``inf`` and ``nan`` instead).
        derivative: the local partial derivatives d out / d input, one
            expression per input, comma separated, over ``out`` (the op's
            result), the inputs, the helpers ``exp log sin cos tanh sigmoid
            sign softmax`` (each works on floats and on Values), ``abs min
            max``, and the constants ``inf`` and ``GELU_K``. It is evaluated
            on floats for ``backward()`` and on Values for
            ``create_graph=True``, so write it with these and arithmetic only.
        inputs: the input names, ``"x"`` (one input) or ``"a, b"`` (two).
        domain: where the checks sample: per input an interval ``(lo, hi)``
            or a list of intervals (both sides of a kink or a pole); for two
            inputs a list of two of those. Default ``(-3.0, 3.0)`` per input.
            The op itself accepts any input its forward accepts.
        formula: the maths in one line, for the op table (default: the
            forward text, or the usage).
        usage: how it is written in Python (default ``x.name()`` or
            ``a.name(b)``).
        symbol: what ``_op`` and ``draw_graph`` show (default: the name).

    Returns:
        The new :class:`~autograd_lite.ops.Op`, also ``OPS[name]``.

    Raises:
        ValueError: the name is taken or not an identifier, a text does not
            parse, names an unknown variable or has the wrong number of
            terms, the domain is malformed, or the op fails its evaluation
            in the middle of the domain (the message says which and why).
        TypeError: an argument has the wrong type.

    Example:
        >>> from autograd_lite import Value, check_op, define_op, remove_op
        >>> op = define_op("swish", "x * sigmoid(x)",
        ...                "sigmoid(x) * (1 + x * (1 - sigmoid(x)))")
        >>> x = Value(1.0); y = x.swish(); y.backward()
        >>> round(y.data, 6), round(x.grad, 6)
        (0.731059, 0.927671)
        >>> check_op(op, order=2)
        True
        >>> remove_op("swish")
    """
    where = f"define_op {name!r}"
    _check_name(name)
    with _lock:
        existing = _defined.get(name)
    names = _input_names(inputs, where)
    derivative = _check_text(derivative, "derivative", ("out",) + names, len(names), where)
    if isinstance(forward, str):
        forward_text = _check_text(forward, "forward", names, 1, where)
        raw_forward = compile_text(f"lambda {', '.join(names)}: ({forward_text})",
                               f"forward of {name}", namespace=_FORWARD_NAMESPACE)
    elif callable(forward):
        forward_text, raw_forward = "", forward
    else:
        raise TypeError(f"{where}: forward must be a function of floats or an expression "
                        f"(a str) over {', '.join(names)}, got {type(forward).__name__}")
    intervals = _domain(domain, names, where)
    for text, what in ((formula, "formula"), (usage, "usage"), (symbol, "symbol")):
        if not isinstance(text, str):
            raise TypeError(f"{where}: {what} must be a str, got {type(text).__name__}")
    if "{" in symbol or "}" in symbol:     # _op would format it with the node's constant
        raise ValueError(f"{where}: symbol may not contain braces, got {symbol!r}")
    definition = (forward, derivative, names, intervals, formula, usage, symbol)
    if existing is not None:
        return _the_same_again(name, definition)
    default_usage = f"{names[0]}.{name}({', '.join(names[1:])})"
    try:
        op = Op(name, symbol or name, usage or default_usage,
                formula or forward_text or usage or default_usage,
                inputs=", ".join(names), derivative=derivative,
                forward=_forward(raw_forward, name, names),
                domain=intervals, layout=UNARY if len(names) == 1 else BINARY)
    except SyntaxError as exc:   # parses alone, but not as partials (a stray comma)
        raise ValueError(f"{where}: the derivative {derivative!r} does not compile as "
                         f"partials: {exc.msg}") from exc
    add_variants(op)
    _try_out(op, names, intervals, where)
    with _lock:
        if name in _defined:               # by another thread, meanwhile
            return _the_same_again(name, definition)
        _check_name(name)
        OPS[name] = op
        method = _method(op, names)
        _defined[name] = _Defined(op, definition, method)
        setattr(Value, name, method)
    return op


def _the_same_again(name: str, definition: tuple) -> Op:
    """The op already defined as ``name`` if ``definition`` is the one it was
    defined from (the same forward object or text); else a ValueError."""
    defined = _defined.get(name)
    if defined is not None and defined.definition == definition:
        return defined.op
    raise ValueError(f"define_op {name!r}: an op of that name is already defined (by "
                     f"define_op) with another definition; to redefine it, "
                     f"remove_op({name!r}) first")


def remove_op(name: str) -> None:
    """Remove an op that :func:`define_op` added (its table entry and method).

    Values already computed with it keep working (a node keeps its op).
    Built-in ops cannot be removed.

    >>> from autograd_lite import OPS, define_op, remove_op
    >>> _ = define_op("cube", "x * x * x", "3 * x * x")
    >>> "cube" in OPS
    True
    >>> remove_op("cube"); "cube" in OPS
    False
    """
    with _lock:
        defined = _defined.pop(name, None) if isinstance(name, str) else None
        if defined is None:
            if isinstance(name, str) and name in OPS:
                raise ValueError(f"remove_op: {name!r} is a built-in op; only ops added "
                                 "with define_op can be removed")
            names = ", ".join(sorted(_defined)) or "none"
            raise ValueError(f"remove_op: no op {name!r} was added with define_op "
                             f"(those defined: {names})")
        del OPS[name]
        if Value.__dict__.get(name) is defined.method:
            delattr(Value, name)


# ---------------------------------------------------------------------------
# Checking a definition
# ---------------------------------------------------------------------------

def _check_name(name) -> None:
    """Refuse a name that is not an identifier, or is already an op or a
    Value attribute (a method, ``data``, ``grad``, ``_prev``...)."""
    if not isinstance(name, str):
        raise TypeError(f"define_op: name must be a str, got {type(name).__name__}")
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ValueError(f"define_op: name must be a Python identifier not starting "
                         f"with '_' (it becomes a Value method), got {name!r}")
    if name in _defined:
        return                       # define_op decides: the same again, or refused
    if name in OPS:
        raise ValueError(f"define_op {name!r}: the table already has an op of that name "
                         f"({OPS[name].formula}); choose another name")
    if hasattr(Value, name):
        raise ValueError(f"define_op {name!r}: Value already has an attribute of that name "
                         f"(Value.{name}); choose another name")


def _input_names(inputs, where: str) -> Tuple[str, ...]:
    if not isinstance(inputs, str):
        raise TypeError(f"{where}: inputs must be a str such as 'x' or 'a, b', got "
                        f"{type(inputs).__name__}")
    names = tuple(part.strip() for part in inputs.split(","))
    if not 1 <= len(names) <= 2:
        raise ValueError(f"{where}: an op has one input ('x') or two ('a, b'), got "
                         f"inputs={inputs!r}")
    for n in names:
        if (not n.isidentifier() or keyword.iskeyword(n) or n == "out"
                or n in PARTIAL_NAMESPACE or n in _BUILTINS):
            raise ValueError(f"{where}: input names must be identifiers other than 'out' "
                             f"and the helpers' names, got {n!r} in inputs={inputs!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: the inputs must have different names, got {inputs!r}")
    return names


def _check_text(text, what: str, variables: Tuple[str, ...], terms: int, where: str) -> str:
    """``text`` if it is an expression with ``terms`` comma-separated terms
    that names only ``variables`` and the helpers; else a ValueError."""
    if not isinstance(text, str):
        raise TypeError(f"{where}: the {what} must be a str (an expression), got "
                        f"{type(text).__name__}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"{where}: the {what} {text!r} is not a Python expression: "
                         f"{exc.msg}") from None
    body = tree.body
    found = len(body.elts) if isinstance(body, ast.Tuple) else 1
    if found != terms:
        raise ValueError(f"{where}: the {what} {text!r} has {found} term"
                         f"{'' if found == 1 else 's'} for {terms} input"
                         f"{'' if terms == 1 else 's'}; write one expression per input "
                         f"({', '.join(v for v in variables if v != 'out')}), comma separated")
    known = set(variables) | set(PARTIAL_NAMESPACE) | set(_BUILTINS)
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda)
              for a in n.args.args}
    unknown = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                      and isinstance(n.ctx, ast.Load)} - known - bound)
    if unknown:
        helpers = ", ".join(sorted(set(PARTIAL_NAMESPACE) | set(_BUILTINS)))
        raise ValueError(f"{where}: the {what} {text!r} names unknown "
                         f"{'variable' if len(unknown) == 1 else 'variables'} "
                         f"{', '.join(unknown)}; it may use {', '.join(variables)} and "
                         f"{helpers} (math.exp is exp: each helper works on floats and "
                         "Values)")
    return text.strip()


def _domain(spec, names: Tuple[str, ...], where: str) -> Tuple[Tuple[Interval, ...], ...]:
    """Per input, a tuple of intervals, from ``(lo, hi)`` or a list of them
    (one per input when there are two)."""
    if spec is None:
        return (REALS,) * len(names)
    if len(names) == 1:
        per_input = [spec]
    else:
        per_input = list(spec) if isinstance(spec, (list, tuple)) else []
        if len(per_input) != len(names):
            raise ValueError(f"{where}: domain must give one interval (or list of "
                             f"intervals) per input, {len(names)} in all, got {spec!r}")
    result = []
    for input_name, item in zip(names, per_input):
        intervals = [item] if _is_interval(item) else (
            list(item) if isinstance(item, (list, tuple)) else [item])
        for interval in intervals:
            if not (_is_interval(interval) and interval[0] < interval[1]
                    and all(map(math.isfinite, interval))):
                raise ValueError(f"{where}: the domain of {input_name} must be an "
                                 "interval (lo, hi) of finite numbers with lo < hi, or a "
                                 f"list of them, got {item!r}")
        result.append(tuple((float(lo), float(hi)) for lo, hi in intervals))
    return tuple(result)


def _is_interval(item) -> bool:
    return (isinstance(item, (list, tuple)) and len(item) == 2
            and all(is_real_number(x) for x in item))


# A forward written as text runs on floats with the table's own forwards for
# its helpers and operators, so it refuses what they refuse (log(-1) is a
# DomainError, exp(1000) an overflow, 1 / 0 a division by zero), where the
# helpers of a derivative give IEEE inf and nan.
_FORWARD_NAMESPACE = dict(PARTIAL_NAMESPACE, exp=OPS["exp"].forward, log=OPS["log"].forward,
                          sin=OPS["sin"].forward, cos=OPS["cos"].forward,
                          _power=OPS["pow"].forward, _divide=OPS["div"].forward)


def _forward(fn: Callable, name: str, names: Tuple[str, ...]) -> Callable[..., float]:
    """The user's forward as the table needs it: a float, and errors that
    are the table's (a DomainError naming the op and the input)."""
    def forward(*args):
        try:
            # plain floats: a branch inside the op is the op's own, replayed per
            # sample by compile, not a comparison of the traced input
            result = fn(*[float(a) for a in args])
        except (ValueError, ArithmeticError) as exc:
            kind = (type(exc) if isinstance(exc, DomainError) else
                    DivisionByZeroError if isinstance(exc, ZeroDivisionError) else
                    FloatOverflowError if isinstance(exc, OverflowError) else DomainError)
            at = ", ".join(f"{n}={a!r}" for n, a in zip(names, args))
            raise kind(f"{name}: {exc} (at {at})") from exc
        if type(result) is float:
            return result
        if type(result) is Value:
            raise TypeError(f"{name}: forward must return a float, got a Value; it is "
                            "called on floats (write math.exp(x), not x.exp())")
        return as_float(result, f"{name}: forward")
    forward.__name__ = f"_{name}"
    return forward


def _try_out(op: Op, names: Tuple[str, ...], domain, where: str) -> None:
    """Evaluate forward and partials once, in the middle of the first interval
    of each input's domain, on floats and on Values; they must agree."""
    point = [(lo + hi) / 2 for lo, hi in (intervals[0] for intervals in domain)]
    at = ", ".join(f"{n}={x!r}" for n, x in zip(names, point))
    try:
        out = op.forward(*point)
    except Exception as exc:
        raise ValueError(f"{where}: the forward fails at {at} (the middle of its domain): "
                         f"{type(exc).__name__}: {exc}; declare where the op is defined "
                         "with domain=(lo, hi)") from exc
    stage = "floats"
    try:
        on_floats = list(op.partials(out, *point))
        stage = "Values"
        with enable_grad():
            node = apply_op(op, *map(Value, point))
            on_values = [p for _, p in local_partials(node, graph=True)]
    except Exception as exc:
        raise ValueError(
            f"{where}: the derivative {op.derivative!r} fails on {stage} at {at}: "
            f"{type(exc).__name__}: {exc}; it is evaluated on floats (backward) and on "
            "Values (create_graph=True), so write it with arithmetic and the helpers "
            "(exp, log, sigmoid, ...)") from exc
    for i, (on_float, on_value) in enumerate(zip(on_floats, on_values)):
        on_value = on_value.data if type(on_value) is Value else on_value
        for got in (on_float, on_value):
            if not is_real_number(got):
                raise ValueError(f"{where}: the derivative with respect to {names[i]} must "
                                 f"be a number, got {type(got).__name__} at {at}")
        f, v_data = as_float(on_float, where), as_float(on_value, where)
        if not (f == v_data or math.isclose(f, v_data, rel_tol=1e-9, abs_tol=1e-12)
                or (math.isnan(f) and math.isnan(v_data))):
            raise ValueError(f"{where}: the derivative with respect to {names[i]} is {f!r} "
                             f"on floats but {v_data!r} on Values at {at}; use the helpers "
                             "(exp, sign, ...), which give the same on both")


def _method(op: Op, names: Tuple[str, ...]) -> Callable:
    """The Value method of a defined op: ``x.swish()`` or ``a.hypot(b)``."""
    def unary(self):
        return apply_op(op, self)

    def binary(self, other):
        return apply_op(op, self, other)

    method = unary if len(names) == 1 else binary
    method.__name__ = op.name
    method.__qualname__ = f"Value.{op.name}"
    method.__doc__ = (f"{op.formula} (an op added with define_op; local derivatives: "
                      f"{op.derivative}).")
    return method

