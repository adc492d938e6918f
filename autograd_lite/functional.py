"""Function transforms: grad, value_and_grad, jacobian, hessian and jvp.

Each transform takes a Python function of Values and returns its derivative,
read off the same op table as ``Value.backward()``. None of them touches any
node's ``.grad``: the core, :func:`gradients`, keeps its adjoints in a dict, so
transforms nest freely, and a ``grad`` running inside another ``grad`` leaves
the outer Values as it found them.

>>> import math
>>> from autograd_lite import grad, value_and_grad, jacobian, hessian, jvp
>>> grad(lambda x: x ** 2)(3.0)
6.0
>>> grad(lambda x, y: 3*x**2*y + 2*x*y**3 - 5, argnums=(0, 1))(1.0, 2.0)
(28.0, 27.0)
>>> grad(lambda w: w[0]**2 + 3*w[1]**2)([4.0, 2.0])
array([ 8., 12.])
>>> grad(grad(grad(lambda x: x ** 4)))(2.0)
48.0
>>> jacobian(lambda x, y: [x**2 + y, x*y])(3.0, 2.0)
array([[6., 1.],
       [2., 3.]])
>>> hessian(lambda x, y: x**2 + 3*y**2)(1.0, 1.0)
array([[2., 0.],
       [0., 6.]])
>>> out, tangent = jvp(lambda x, y: (x*y).sin(), (0.5, 2.0), (1.0, 0.0))
>>> out == math.sin(1.0), tangent == 2 * math.cos(1.0)
(True, True)

Conventions, shared by every transform:

* Arguments: a number (int, float, bool, numpy scalar) or a 1-D sequence of
  numbers (list, tuple, numpy array). ``f`` receives a Value for a number and
  the same kind of container, holding Values, for a sequence (a numpy array
  arrives as a 1-D object array of Values). Arguments that are not
  differentiated are passed to ``f`` unchanged, as are keyword arguments.
* Which arguments: ``grad`` and ``value_and_grad`` differentiate the first
  positional argument by default, ``jacobian`` and ``hessian`` all of them
  (flattened in order: one column per number, one per sequence element).
* Results: a float per number argument and a float numpy array of the same
  length per sequence argument.
* Nesting: when a transform runs inside another one (while the outer one
  evaluates its ``f``), or is called on Values, the derivatives it returns are
  Values carrying a graph (numpy arrays of dtype object for sequences), so the
  outer transform, or ``Value.backward()``, can differentiate them again. The
  arguments count as independent variables, as in JAX: ``grad(f, (0, 1))(x, x)``
  gives both partial derivatives, not their sum. Nesting is per thread: a
  transform running in one thread does not change what another returns.
* An argument named twice in ``argnums`` is one variable listed twice, as in
  JAX: ``grad(lambda x, y: x*x*y, argnums=(0, 0))(2.0, 3.0)`` is ``(12.0, 12.0)``.
* ``f`` is always recorded with gradients on, even inside ``no_grad``.
"""

from __future__ import annotations

import functools
import numbers
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .coerce import is_real_number as _is_number
from .core import Value, local_partials, topological_order
from .grad_mode import enable_grad
from .handbuilt import warn_hand_built
from .ops import Op

__all__ = ["gradients", "grad", "value_and_grad", "jacobian", "hessian", "jvp"]

Number = Union[int, float]
Argnums = Union[int, Sequence[int]]



class _Nesting(threading.local):
    """How many transforms this thread is evaluating the f of right now. A
    transform that runs inside another one keeps a graph of its derivatives
    (see "Nesting" above), even when its own arguments are plain numbers: f
    may close over the outer transform's Values. Per thread, like grad mode:
    a transform in one thread says nothing about another thread's."""
    depth = 0


_nesting = _Nesting()

_SCALAR = "scalar"
_SEQUENCE = "sequence"


# ---------------------------------------------------------------------------
# The core: d output / d inputs, without side effects
# ---------------------------------------------------------------------------

def gradients(output: Union[Value, Number], inputs: Union[Value, Sequence[Value]],
              create_graph: bool = False) -> Tuple[Union[float, Value], ...]:
    """d output / d input for each input, leaving every node's ``.grad`` alone.

    Like ``torch.autograd.grad``: the derivative is total, through every path
    of the graph, and the inputs may be interior nodes. Reverse mode over
    ``topological_order(output)``, with the adjoints kept in a dict; only the
    nodes that depend on some input are visited.

    Args:
        output: the Value to differentiate (a number counts as a constant).
        inputs: a Value, or a sequence of Values, of the graph below ``output``.
        create_graph: evaluate the local partials on Values, so each
            derivative is a Value with a graph of its own that can be
            differentiated again. A derivative that does not depend on the
            inputs through the graph stays a float.

    Returns:
        A tuple with one derivative per input: floats, or with
        ``create_graph`` Values (or floats where constant); 0.0 for an input
        the output does not depend on.

    Example:
        >>> x = Value(3.0); y = Value(2.0); z = x * x * y
        >>> gradients(z, [x, y])
        (12.0, 9.0)
        >>> dz_dx, = gradients(z, x, create_graph=True)
        >>> dz_dx.data, gradients(dz_dx, [x, y])        # d2z/dx2 = 2y, d2z/dxdy = 2x
        (12.0, (4.0, 6.0))
        >>> x.grad, y.grad                              # untouched
        (0.0, 0.0)
    """
    nodes = [inputs] if type(inputs) is Value else _value_list("gradients", inputs)
    if type(output) is not Value:
        if _is_number(output):
            return tuple(0.0 for _ in nodes)
        raise TypeError(f"gradients: output must be a Value (or a number), got "
                        f"{type(output).__name__}")
    with enable_grad():
        adjoint = _reverse(output, nodes, create_graph)
    return tuple(adjoint.get(id(node), 0.0) for node in nodes)


def _value_list(where: str, inputs) -> List[Value]:
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"{where}: inputs must be a Value or a sequence of Values, got "
                        f"{type(inputs).__name__}")
    nodes = list(inputs)
    for i, node in enumerate(nodes):
        if type(node) is not Value:
            raise TypeError(f"{where}: inputs must be Values, got {type(node).__name__} "
                            f"at position {i}; differentiate with respect to the Values "
                            "the output was computed from")
    return nodes


def _reverse(output: Value, inputs: Sequence[Value], graph: bool) -> Dict[int, Any]:
    """Adjoints d output / d node, keyed by id(node), for the nodes on a path
    from an input to ``output``.

    The core's reverse walk (:func:`~autograd_lite.core.backpropagate`: the
    same order, the same ``local_partials``, the same sums), kept apart
    because a transform must not touch any ``.grad``: the adjoints live in a
    dictionary, which also lets the walk prune to the nodes that lead to an
    input and skip the multiplication by a unit seed."""
    order = topological_order(output)
    # A node matters when an input lies below it (or it is an input): only
    # these nodes get an adjoint, since no other adjoint could reach an input.
    relevant = {id(node) for node in inputs}
    for node in order:
        if node.op is not None:
            for child in node._prev:
                if id(child) in relevant:
                    relevant.add(id(node))
                    break
    if id(output) not in relevant:
        return {}
    # forward is None: a node built by hand, Value(data, children, ...)
    hand_built: Dict[Op, None] = {}          # in the order met, once each
    for node in order:
        if node.op is not None and node.op.forward is None and id(node) in relevant:
            hand_built[node.op] = None
    if hand_built:
        warn_hand_built(hand_built, graph, "taking a derivative")
    adjoint: Dict[int, Any] = {id(output): 1.0}
    get = adjoint.get
    for node in reversed(order):
        if node.op is None:
            continue
        g = get(id(node))
        if g is None:
            continue
        unit = type(g) is float and g == 1.0
        for child, partial in local_partials(node, graph=graph):
            child_key = id(child)
            if child_key not in relevant:
                continue
            # chain rule: d out / d child += d out / d node * d node / d child
            term = partial if unit else g * partial
            previous = get(child_key)
            adjoint[child_key] = term if previous is None else previous + term
    return adjoint


def _forward(outputs: Sequence[Any], seeds: Sequence[Tuple[Value, Any]],
             graph: bool) -> List[Any]:
    """Tangents of ``outputs`` (forward mode): each node's tangent is the sum
    of partial_i * tangent_i over its inputs, in topological order, starting
    from the ``(node, tangent)`` seeds. No backward pass."""
    tangent: Dict[int, Any] = {id(node): t for node, t in seeds}
    done = set(tangent)             # seeds keep their tangent: they are the variables
    hand_built: Dict[Op, None] = {}  # in the order met, once each: one warning per call
    results = []
    for out in outputs:
        if type(out) is not Value:
            results.append(0.0)
            continue
        for node in topological_order(out):
            key = id(node)
            if key in done:
                continue
            done.add(key)
            if node.op is None or not any(id(child) in tangent for child in node._prev):
                continue
            if node.op.forward is None:         # built by hand, Value(data, children, ...)
                hand_built[node.op] = None
            total: Any = None
            for child, partial in local_partials(node, graph=graph):
                t = tangent.get(id(child))
                if t is None:
                    continue
                term = partial if (type(t) is float and t == 1.0) else partial * t
                total = term if total is None else total + term
            tangent[key] = total
        results.append(tangent.get(id(out), 0.0))
    if hand_built:
        warn_hand_built(hand_built, graph, "jvp")
    return results


# ---------------------------------------------------------------------------
# Arguments in, derivatives out
# ---------------------------------------------------------------------------

def _holds_value(items) -> bool:
    """True if a Value is among ``items`` or inside one of them (one level)."""
    for item in items:
        if type(item) is Value:
            return True
        if isinstance(item, np.ndarray):
            item = item.ravel() if item.dtype == object else ()
        if isinstance(item, (list, tuple, np.ndarray)):
            if any(type(x) is Value for x in item):
                return True
    return False


def _variable(where: str, x, position: str) -> Value:
    """A fresh node standing for one scalar argument: the variable to
    differentiate with respect to."""
    if type(x) is Value:
        # A Value from the caller may be an interior node, or the same Value
        # passed twice: a new node on top (x * 1.0, derivative exactly 1)
        # makes each argument an independent variable, while derivatives
        # still flow through it to the caller's graph.
        return x * 1.0
    if _is_number(x):
        return Value(float(x))
    raise TypeError(f"{where}: {position} must be a number or a Value, got "
                    f"{type(x).__name__}")


def _as_variables(where: str, argnum: int, arg) -> Tuple[Any, List[Value], str]:
    """(what f receives, the variable nodes, scalar or sequence) for one argument."""
    if type(arg) is Value or _is_number(arg):
        node = _variable(where, arg, f"argument {argnum}")
        return node, [node], _SCALAR
    if isinstance(arg, np.ndarray):
        if arg.ndim != 1:
            raise TypeError(f"{where}: argument {argnum} must be a number or a 1-D sequence "
                            f"of numbers, got a numpy array of shape {arg.shape}; "
                            "flatten it with x.ravel() and reshape inside f")
        nodes = [_variable(where, x, f"element {i} of argument {argnum}")
                 for i, x in enumerate(arg)]
        received = np.empty(len(nodes), dtype=object)
        received[:] = nodes
        return received, nodes, _SEQUENCE
    if isinstance(arg, (list, tuple)):
        nodes = []
        for i, x in enumerate(arg):
            if not (type(x) is Value or _is_number(x)):
                raise TypeError(f"{where}: element {i} of argument {argnum} must be a "
                                f"number or a Value, got {type(x).__name__}; arguments "
                                "are numbers or flat (1-D) sequences of numbers")
            nodes.append(_variable(where, x, f"element {i} of argument {argnum}"))
        return type(arg)(nodes), nodes, _SEQUENCE
    raise TypeError(f"{where}: argument {argnum} must be a number or a 1-D sequence of "
                    f"numbers (list, tuple or numpy array), got {type(arg).__name__}")


def _check_argnums(where: str, argnums: Optional[Argnums], allow_none: bool) -> None:
    """Type errors in ``argnums`` surface when the transform is made."""
    if argnums is None and allow_none:
        return
    items = argnums if isinstance(argnums, (tuple, list)) else (argnums,)
    for a in items:
        if not isinstance(a, numbers.Integral) or isinstance(a, bool):
            raise TypeError(f"{where}: argnums must be an int or a tuple of ints, got "
                            f"{argnums!r}; e.g. argnums=0 or argnums=(0, 1)")
    if not items:
        raise ValueError(f"{where}: argnums is empty; name at least one positional "
                         "argument to differentiate, e.g. argnums=(0,)")


def _resolve_argnums(where: str, argnums: Optional[Argnums], n_args: int) -> List[int]:
    """argnums as a list of non-negative indices into f's positional arguments."""
    if argnums is None:
        if n_args == 0:
            raise ValueError(f"{where}: f was called with no positional arguments; "
                             "pass the point to differentiate at, e.g. jacobian(f)(1.0, 2.0)")
        return list(range(n_args))
    items = argnums if isinstance(argnums, (tuple, list)) else (argnums,)
    resolved = []
    for a in items:
        if not -n_args <= a < n_args:
            raise ValueError(f"{where}: argnums={argnums!r} but f was called with {n_args} "
                             f"positional argument{'s' if n_args != 1 else ''}; "
                             "argnums counts positional arguments from 0")
        resolved.append(a % n_args)
    return resolved


def _prepare(where: str, args: Sequence[Any], argnums: List[int]):
    """Replace each differentiated argument by variables; return the new
    argument list and, per argnum, (kind, variable nodes).

    An argument named twice (``argnums=(0, 0)``, or ``(0, -2)`` of two) is
    one variable, listed twice: each entry is the derivative with respect to
    it, as in JAX, not a split of it between two copies."""
    call_args = list(args)
    groups = []
    made: Dict[int, Tuple[str, List[Value]]] = {}
    for argnum in argnums:
        if argnum not in made:
            received, nodes, kind = _as_variables(where, argnum, args[argnum])
            call_args[argnum] = received
            made[argnum] = (kind, nodes)
        groups.append(made[argnum])
    return call_args, groups


def _evaluate(f: Callable, args: Sequence[Any], kwargs: Dict[str, Any]):
    _nesting.depth += 1
    try:
        return f(*args, **kwargs)
    finally:
        _nesting.depth -= 1


def _call_at_variables(where: str, f: Callable, argnums: Optional[Argnums],
                       args: Sequence[Any], kwargs: Dict[str, Any]):
    """Evaluate ``f`` with its differentiated arguments replaced by fresh
    variable nodes: (what f returned, per argument (kind, its variables), all
    the variables in order)."""
    with enable_grad():
        call_args, groups = _prepare(where, args, _resolve_argnums(where, argnums, len(args)))
        result = _evaluate(f, call_args, kwargs)
    return result, groups, [node for _, nodes in groups for node in nodes]


def _graph_mode(*containers) -> bool:
    """Keep a graph of the derivatives: nested, or called on Values."""
    return _nesting.depth > 0 or any(_holds_value(c) for c in containers)


def _scalar_output(where: str, out):
    """``out`` as a Value or a float, or a TypeError if it is not a scalar."""
    if type(out) is Value:
        return out
    if _is_number(out):
        return float(out)
    if isinstance(out, (list, tuple, np.ndarray)):
        what = (f"a numpy array of shape {out.shape}" if isinstance(out, np.ndarray)
                else f"a {type(out).__name__} of {len(out)} outputs")
        raise TypeError(f"{where}: f must return one scalar Value, got {what}; for "
                        "several outputs use jacobian(f), or reduce them to one (e.g. vsum)")
    raise TypeError(f"{where}: f must return one scalar Value, got {type(out).__name__}")


def _output_list(where: str, out) -> Tuple[List[Any], bool]:
    """(the outputs, whether f returned a sequence) for jacobian and jvp."""
    if type(out) is Value or _is_number(out):
        return [out if type(out) is Value else float(out)], False
    if isinstance(out, np.ndarray) and out.ndim != 1:
        raise TypeError(f"{where}: f must return a Value or a 1-D sequence of Values, "
                        f"got a numpy array of shape {out.shape}; flatten it with .ravel()")
    if isinstance(out, (list, tuple, np.ndarray)):
        items = list(out)
        for i, item in enumerate(items):
            if not (type(item) is Value or _is_number(item)):
                raise TypeError(f"{where}: output {i} of f must be a Value or a number, "
                                f"got {type(item).__name__}")
        return [x if type(x) is Value else float(x) for x in items], True
    raise TypeError(f"{where}: f must return a Value or a sequence of Values, got "
                    f"{type(out).__name__}")


def _as_value(x) -> Value:
    return x if type(x) is Value else Value(x)


def _pack(derivatives: Sequence[Any], kind: str, graph: bool):
    """One argument's derivatives, shaped like the argument."""
    if kind == _SCALAR:
        (d,) = derivatives
        return _as_value(d) if graph else float(d)
    if graph:
        packed = np.empty(len(derivatives), dtype=object)
        packed[:] = [_as_value(d) for d in derivatives]
        return packed
    return np.array([float(d) for d in derivatives], dtype=float)


def _matrix(rows: Sequence[Sequence[Any]], n_columns: int, graph: bool) -> np.ndarray:
    if graph:
        matrix = np.empty((len(rows), n_columns), dtype=object)
        for i, row in enumerate(rows):
            for j, d in enumerate(row):
                matrix[i, j] = _as_value(d)
        return matrix
    return np.array([[float(d) for d in row] for row in rows],
                    dtype=float).reshape(len(rows), n_columns)


def _named(transform: Callable, name: str, f: Callable) -> Callable:
    transform.__name__ = transform.__qualname__ = f"{name}({getattr(f, '__name__', 'f')})"
    return transform


def _check_callable(where: str, f) -> None:
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of Values, got "
                        f"{type(f).__name__}")


# ---------------------------------------------------------------------------
# The transforms
# ---------------------------------------------------------------------------

def value_and_grad(f: Callable[..., Value],
                   argnums: Argnums = 0) -> Callable[..., Tuple[Any, Any]]:
    """A function returning ``f``'s value and its gradient, from one evaluation.

    Args:
        f: takes Values (see the module's conventions) and returns one Value;
            a number counts as a constant (gradient 0).
        argnums: which positional argument to differentiate (an int), or a
            tuple of them; negative values count from the end.

    Returns:
        A function of the same arguments as ``f`` returning ``(value,
        gradient)``: ``value`` a float; ``gradient`` a float or numpy array per
        argument (a tuple of them when ``argnums`` is a tuple). Inside another
        transform, or on Values, both are Values (see "Nesting").

    Raises:
        TypeError: ``f`` returns several outputs (use :func:`jacobian`), or an
            argument is not a number or a 1-D sequence of numbers.

    Example:
        >>> value_and_grad(lambda x, y: x * y + y.exp(), argnums=1)(3.0, 0.0)
        (1.0, 4.0)
    """
    _check_callable("value_and_grad", f)
    _check_argnums("value_and_grad", argnums, allow_none=False)
    return _named(_value_and_grad(f, argnums, "value_and_grad"), "value_and_grad", f)


_MANY_POINTS = ("{where} differentiates f at one point, and a numpy array argument is one "
                "point with a coordinate per element, so f received an array of Values. To "
                "differentiate a function of one number at each of many points, compile "
                "it: compile({where}(f))(xs) gives a Batch, one result per element of xs")


def _array_argument(args: Sequence[Any]) -> bool:
    return any(isinstance(arg, np.ndarray) for arg in args)


def _value_and_grad(f: Callable, argnums: Argnums, where: str) -> Callable:
    @functools.wraps(f, assigned=("__module__", "__doc__"))
    def transformed(*args, **kwargs):
        graph = _graph_mode(args, kwargs.values())
        try:
            result, groups, variables = _call_at_variables(where, f, argnums, args, kwargs)
        except AttributeError as exc:
            # f(x) wrote x.tanh() and x is the array: grad(f)(np.linspace(...))
            if _array_argument(args) and "'numpy.ndarray' object has no attribute" in str(exc):
                raise TypeError(f"{where}: f failed on an array: {exc}. "
                                + _MANY_POINTS.format(where=where)) from exc
            raise
        if isinstance(result, np.ndarray) and _array_argument(args):
            raise TypeError(f"{where}: f must return one scalar Value, got a numpy array of "
                            f"shape {result.shape}. " + _MANY_POINTS.format(where=where))
        out = _scalar_output(where, result)
        flat = gradients(out, variables, create_graph=graph)
        packed, start = [], 0
        for kind, nodes in groups:
            packed.append(_pack(flat[start:start + len(nodes)], kind, graph))
            start += len(nodes)
        value = _as_value(out) if graph else (out.data if type(out) is Value else out)
        return value, (tuple(packed) if isinstance(argnums, (tuple, list)) else packed[0])
    return transformed


def grad(f: Callable[..., Value], argnums: Argnums = 0) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function; it nests.

    Args:
        f: takes Values (see the module's conventions) and returns one Value;
            a number counts as a constant (gradient 0).
        argnums: which positional argument to differentiate (an int), or a
            tuple of them; negative values count from the end.

    Returns:
        A function of the same arguments as ``f`` returning, per
        differentiated argument, a float (number argument) or a float numpy
        array of the same length (sequence argument); a tuple of them when
        ``argnums`` is a tuple. Inside another transform, or on Values, the
        results are Values with a graph, so ``grad(grad(f))`` is the second
        derivative.

    Raises:
        TypeError: ``f`` returns several outputs (use :func:`jacobian`), or an
            argument is not a number or a 1-D sequence of numbers, or ``f``
            fails on a numpy array of points, as ``grad(f)(np.linspace(0, 1,
            50))`` does: the error says to write ``compile(grad(f))(xs)``.

    Example:
        >>> grad(lambda x: x ** 2)(3.0)
        6.0
        >>> grad(lambda x, y: 3*x**2*y + 2*x*y**3 - 5, argnums=(0, 1))(1.0, 2.0)
        (28.0, 27.0)
        >>> grad(lambda w: w[0]**2 + 3*w[1]**2)([4.0, 2.0])
        array([ 8., 12.])
        >>> grad(grad(grad(lambda x: x ** 4)))(2.0)
        48.0
    """
    _check_callable("grad", f)
    _check_argnums("grad", argnums, allow_none=False)
    value_and_gradient = _value_and_grad(f, argnums, "grad")

    @functools.wraps(f, assigned=("__module__", "__doc__"))
    def gradient(*args, **kwargs):
        return value_and_gradient(*args, **kwargs)[1]
    return _named(gradient, "grad", f)


def jacobian(f: Callable[..., Any],
             argnums: Optional[Argnums] = None) -> Callable[..., np.ndarray]:
    """The Jacobian matrix of ``f``, d output_i / d input_j, by reverse mode.

    Args:
        f: takes Values and returns a Value or a 1-D sequence of Values
            (numbers count as constant outputs).
        argnums: the positional arguments that make up the inputs: None (the
            default) for all of them, an int, or a tuple of ints.

    Returns:
        A function of the same arguments as ``f`` returning a 2-D float numpy
        array of shape (number of outputs, number of inputs): one row per
        output (one row for a single Value), one column per input, the
        inputs being the differentiated arguments in order with each
        sequence argument contributing one column per element. Inside another
        transform, or on Values, an object array of Values.

    Example:
        >>> jacobian(lambda x, y: [x**2 + y, x*y])(3.0, 2.0)
        array([[6., 1.],
               [2., 3.]])
        >>> jacobian(lambda w, c: [w[0] * c, w[1] ** 2], argnums=0)([1.0, 3.0], 5.0)
        array([[5., 0.],
               [0., 6.]])
    """
    _check_callable("jacobian", f)
    _check_argnums("jacobian", argnums, allow_none=True)

    @functools.wraps(f, assigned=("__module__", "__doc__"))
    def transformed(*args, **kwargs):
        graph = _graph_mode(args, kwargs.values())
        result, _, variables = _call_at_variables("jacobian", f, argnums, args, kwargs)
        outputs, _ = _output_list("jacobian", result)
        rows = [gradients(out, variables, create_graph=graph) for out in outputs]
        return _matrix(rows, len(variables), graph)
    return _named(transformed, "jacobian", f)


def hessian(f: Callable[..., Value],
            argnums: Optional[Argnums] = None) -> Callable[..., np.ndarray]:
    """The Hessian matrix of a scalar ``f``, by reverse mode over reverse mode.

    The gradient is computed with a graph (``create_graph``), then each of its
    entries is differentiated again. The two computed values of each mixed
    partial, d2f/dxi dxj and d2f/dxj dxi, are averaged, so the result is
    exactly symmetric (they agree in exact arithmetic for smooth f).

    Args:
        f: takes Values and returns one Value.
        argnums: the positional arguments that make up the inputs: None (the
            default) for all of them, an int, or a tuple of ints; sequence
            arguments contribute one input per element.

    Returns:
        A function of the same arguments as ``f`` returning a symmetric
        (n, n) float numpy array, n the number of inputs. Inside another
        transform, or on Values, an object array of Values.

    Example:
        >>> hessian(lambda x, y: x**2 + 3*y**2)(1.0, 1.0)
        array([[2., 0.],
               [0., 6.]])
        >>> hessian(lambda w: w[0] * w[1] ** 2)([2.0, 3.0])
        array([[0., 6.],
               [6., 4.]])
    """
    _check_callable("hessian", f)
    _check_argnums("hessian", argnums, allow_none=True)

    @functools.wraps(f, assigned=("__module__", "__doc__"))
    def transformed(*args, **kwargs):
        graph = _graph_mode(args, kwargs.values())
        result, _, variables = _call_at_variables("hessian", f, argnums, args, kwargs)
        out = _scalar_output("hessian", result)
        with enable_grad():             # the averaging below builds Values in graph mode
            first = gradients(out, variables, create_graph=True)
            n = len(variables)
            rows = [gradients(g, variables, create_graph=graph) for g in first]
            # average the two evaluations of each mixed partial
            symmetric = [[rows[i][j] if i == j else (rows[i][j] + rows[j][i]) * 0.5
                          for j in range(n)] for i in range(n)]
        return _matrix(symmetric, n, graph)
    return _named(transformed, "hessian", f)


def jvp(f: Callable[..., Any], primals: Sequence[Any],
        tangents: Sequence[Any]) -> Tuple[Any, Any]:
    """Forward mode: f's value and its directional derivative along ``tangents``.

    ``f`` is evaluated once at ``primals``; then each node's tangent is the sum
    of its local partials (from the op table) times its inputs' tangents,
    node by node in topological order. There is no backward pass, and no
    ``.grad`` is touched.

    Args:
        f: takes Values and returns a Value or a 1-D sequence of Values.
        primals: a tuple (or list) with one entry per positional argument of
            ``f``: numbers or 1-D sequences of numbers. For one argument, pass
            ``(x,)``.
        tangents: the direction, shaped like ``primals``.

    Returns:
        ``(primal_out, tangent_out)``: floats for a single output, float numpy
        arrays for a sequence of outputs (one tangent per output). Inside
        another transform, or on Values, Values (object arrays).

    Example:
        >>> out, tangent = jvp(lambda x, y: (x * y).sin(), (0.5, 2.0), (1.0, 0.0))
        >>> import math; out == math.sin(1.0), tangent == 2 * math.cos(1.0)
        (True, True)
        >>> jvp(lambda w: [w[0] * w[1], w[1] ** 2], ([2.0, 3.0],), ([1.0, 1.0],))
        (array([6., 9.]), array([5., 6.]))
    """
    _check_callable("jvp", f)
    for name, given in (("primals", primals), ("tangents", tangents)):
        if not isinstance(given, (tuple, list)):
            raise TypeError(f"jvp: {name} must be a tuple with one entry per argument of f, "
                            f"got {type(given).__name__}; for one argument write ({name[:-1]},)")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: primals has {len(primals)} entries but tangents has "
                         f"{len(tangents)}; give one tangent per argument")
    graph = _graph_mode(primals, tangents)
    with enable_grad():
        call_args, groups = _prepare("jvp", primals, list(range(len(primals))))
        seeds: List[Tuple[Value, Any]] = []
        for argnum, ((kind, nodes), tangent) in enumerate(zip(groups, tangents)):
            seeds.extend(zip(nodes, _tangent_list(argnum, kind, len(nodes), tangent, graph)))
        outputs, is_sequence = _output_list("jvp", _evaluate(f, call_args, {}))
        tangent_out = _forward(outputs, seeds, graph)
    kind = _SEQUENCE if is_sequence else _SCALAR
    values = [out.data if (type(out) is Value and not graph) else out for out in outputs]
    return _pack(values, kind, graph), _pack(tangent_out, kind, graph)


def _tangent_list(argnum: int, kind: str, size: int, tangent, graph: bool) -> List[Any]:
    """The tangent of one argument as a list of floats (or Values), checked
    against the argument's shape."""
    def scalar(t, position):
        if type(t) is Value:
            return t
        if _is_number(t):
            return float(t)
        raise TypeError(f"jvp: {position} must be a number, got {type(t).__name__}")

    if kind == _SCALAR:
        if not (type(tangent) is Value or _is_number(tangent)):
            raise TypeError(f"jvp: tangent {argnum} must be a number like its primal, got "
                            f"{type(tangent).__name__}")
        return [scalar(tangent, f"tangent {argnum}")]
    if isinstance(tangent, np.ndarray):
        got = f"a numpy array of shape {tangent.shape}"
        tangent = list(tangent) if tangent.ndim == 1 else None
    elif isinstance(tangent, (list, tuple)):
        got = f"a {type(tangent).__name__} of length {len(tangent)}"
    else:
        got = type(tangent).__name__
    if tangent is None or not isinstance(tangent, (list, tuple)) or len(tangent) != size:
        raise ValueError(f"jvp: tangent {argnum} must be a 1-D sequence of length {size} "
                         f"like its primal, got {got}")
    return [scalar(t, f"element {i} of tangent {argnum}") for i, t in enumerate(tangent)]
