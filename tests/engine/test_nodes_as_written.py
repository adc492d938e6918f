"""A node never changes after it is returned, whoever holds it, and the graph
is the expression as written.

Folding "temporaries" into the op that consumes them, judged by
``sys.getrefcount``, is unsound: a count that low also means "held by a C
container that lent a borrowed reference", and numpy object arrays do
exactly that. These tests hold intermediates in every kind of holder and
check that nothing a caller holds ever changes.
"""

import math
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (Value, enable_grad, is_grad_enabled, no_grad, set_grad_enabled,
                           topological_order)


def snapshot(node):
    """What a holder of ``node`` can observe of it, besides its gradient."""
    return (node.data.hex(), node._op, tuple(map(id, node._prev)))


def values(*xs):
    return np.array([Value(float(x)) for x in xs], dtype=object)


# ---------------------------------------------------------------------------
# The examples, exactly
# ---------------------------------------------------------------------------

def test_a_matrix_product_in_an_object_array_is_unchanged_by_using_it():
    W = np.array([[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]], dtype=object)
    h = W @ np.array([0.5, -1.0])
    assert [e.data for e in h] == [-1.5, -2.5]
    hh = h + 1.0
    assert [e.data for e in h] == [-1.5, -2.5]
    assert [e.data for e in hh] == [-0.5, -1.5]


def test_every_product_summed_by_numpy_gets_its_own_gradient():
    P = values(1.0, 2.0) * 3.0
    s = np.sum(P)
    s.backward()
    assert [p.grad for p in P] == [1.0, 1.0]


def test_a_sum_of_object_arrays_keeps_its_value_when_reused():
    A, B = values(1.0, 2.0), values(10.0, 20.0)
    S = A + B
    T = S + A
    assert [e.data for e in S] == [11.0, 22.0]
    assert [e.data for e in T] == [12.0, 24.0]
    assert all(e._op == "+" and e._prev == (a, b) for e, a, b in zip(S, A, B))


# ---------------------------------------------------------------------------
# numpy object arrays: element-wise ops, @, reductions
# ---------------------------------------------------------------------------

ELEMENTWISE = {
    "x + 1.0": lambda X, Y: X + 1.0,
    "1.0 + x": lambda X, Y: 1.0 + X,
    "x - 0.5": lambda X, Y: X - 0.5,
    "2.0 - x": lambda X, Y: 2.0 - X,
    "x * 3.0": lambda X, Y: X * 3.0,
    "x / 4.0": lambda X, Y: X / 4.0,
    "x ** 2": lambda X, Y: X ** 2,
    "-x": lambda X, Y: -X,
    "x + y": lambda X, Y: X + Y,
    "x - y": lambda X, Y: X - Y,
    "x * y": lambda X, Y: X * Y,
    "x / y": lambda X, Y: X / Y,
    "x * y + x": lambda X, Y: X * Y + X,
    "(x * 2 + 1) * y": lambda X, Y: (X * 2 + 1) * Y,
    "x @ y": lambda X, Y: X @ Y,
    "outer then sum": lambda X, Y: np.sum(np.outer(X, Y)),
    "np.sum(x * y)": lambda X, Y: np.sum(X * Y),
    "x.sum() + y.prod()": lambda X, Y: X.sum() + Y.prod(),
    "np.cumsum(x)": lambda X, Y: np.cumsum(X * Y),
    "np.mean(x * 2)": lambda X, Y: np.mean(X * 2.0),
    "np.dot(x * y, x)": lambda X, Y: np.dot(X * Y, X),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_object_array_operands_are_unchanged_by_an_operation(name):
    X = values(0.5, -1.5, 2.0)
    Y = values(1.25, 3.0, -0.75)
    Z = X * Y                                   # an intermediate held in an array
    before = [snapshot(e) for arr in (X, Y, Z) for e in arr]
    ELEMENTWISE[name](X, Y)
    ELEMENTWISE[name](Z, X)                     # the intermediate as an operand
    ELEMENTWISE[name](Z, Z)
    assert [snapshot(e) for arr in (X, Y, Z) for e in arr] == before


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_intermediates_held_in_object_arrays_have_exact_gradients(name):
    """Every intermediate element's gradient against central differences of
    the output with respect to that element's value."""
    X = values(0.5, -1.5, 2.0)
    Y = values(1.25, 3.0, -0.75)
    Z = X * Y + 0.25                            # held: its elements are intermediates
    out = ELEMENTWISE[name](Z, Y)
    total = np.sum(np.asarray(out, dtype=object).ravel() * 1.0)
    total = total if isinstance(total, Value) else Value(float(total))
    total.backward()

    def output_with(z_values):
        Zs = np.array([Value(z) for z in z_values], dtype=object)
        Ys = np.array([Value(y.data) for y in Y], dtype=object)
        result = np.sum(np.asarray(ELEMENTWISE[name](Zs, Ys), dtype=object).ravel() * 1.0)
        return result.data if isinstance(result, Value) else float(result)

    z_data = [z.data for z in Z]
    for i, z in enumerate(Z):
        h = 1e-6
        up, down = list(z_data), list(z_data)
        up[i] += h
        down[i] -= h
        numeric = (output_with(up) - output_with(down)) / (2 * h)
        assert z.grad == pytest.approx(numeric, rel=1e-6, abs=1e-8), (name, i)
        assert z.data == z_data[i]


def test_a_numpy_reduction_over_products_gives_each_product_gradient_one():
    ws = values(*range(1, 7))
    xs = values(*np.linspace(-1.0, 1.0, 6))
    products = ws * xs
    total = products.sum()
    total.backward()
    assert [p.grad for p in products] == [1.0] * 6
    assert [w.grad for w in ws] == [x.data for x in xs]
    assert all(p._op == "*" for p in products)


# ---------------------------------------------------------------------------
# The graph as written
# ---------------------------------------------------------------------------

def test_a_shifted_product_is_a_relu_over_a_plus_over_a_times_over_x():
    x = Value(2.0)
    y = (x * 2 + 1).relu()
    plus = y._prev[0]
    times = plus._prev[0]
    assert (y._op, plus._op, times._op) == ("ReLU", "+", "*")
    assert times._prev == (x,) and (times.data, plus.data, y.data) == (4.0, 5.0, 5.0)


def test_a_micrograd_neuron_is_a_chain_of_plus_over_times_nodes():
    ws = [Value(w) for w in (0.5, -1.0, 2.0)]
    xs = [Value(x) for x in (1.0, 2.0, 3.0)]
    b = Value(0.25)
    n = sum((wi * xi for wi, xi in zip(ws, xs)), b)
    ops = sorted(node._op for node in topological_order(n) if node._prev)
    assert ops == ["*"] * 3 + ["+"] * 3
    node = n
    for w, x in reversed(list(zip(ws, xs))):
        assert node._op == "+" and node._prev[1]._prev == (w, x)
        node = node._prev[0]
    assert node is b


def test_a_node_made_in_a_loop_of_temporaries_keeps_its_data():
    x = Value(1.0)
    kept = []
    y = x
    for _ in range(5):
        y = y * 1.5 + 0.5              # each y is a temporary the next line consumes
        kept.append((y, y.data))
    assert all(node.data == data for node, data in kept)
    assert [node._op for node, _ in kept] == ["+"] * 5


# ---------------------------------------------------------------------------
# A random graph, its intermediates held by random holders
# ---------------------------------------------------------------------------

UNARY = {
    "tanh": lambda a: a.tanh(),
    "sin": lambda a: a.sin(),
    "sigmoid": lambda a: a.sigmoid(),
    "shift": lambda a: a + 0.75,
    "unshift": lambda a: a - 0.25,
    "scale": lambda a: a * 0.5,
    "rsub": lambda a: 1.0 - a,
    "square": lambda a: a ** 2 * 0.25,
    "exp": lambda a: (a * 0.5).exp(),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b * 0.5,
    "div": lambda a, b: a / (b * b + 1.0),
    "sum_of_products": lambda a, b: (a * b + b * a + a) * 0.2,
}
METHODS = {"tanh", "sin", "sigmoid", "exp"}     # on an object array: elementwise
HOLDERS = ("variable", "list", "dict", "object array", "nobody")

steps = st.lists(
    st.tuples(st.sampled_from(sorted(UNARY) + sorted(BINARY)),
              st.integers(0, 30), st.integers(0, 30), st.sampled_from(HOLDERS)),
    min_size=2, max_size=14)


def as_value(x):
    """A pool entry's node: itself, or the element of a one-element object array."""
    return x[0] if isinstance(x, np.ndarray) else x


def build(point, program, hold=lambda node, holder: None, shift_held=None):
    """Build the program on fresh leaves; return the output (a sum of the
    last few intermediates, so every one can matter) and the leaves.

    An intermediate whose holder is "object array" is kept only in a
    one-element object array, and later steps that use it go through numpy
    (which hands Values to their operators as borrowed references); the
    others are kept as Values. ``hold(node, holder)`` sees each node as it is
    made. ``shift_held=(k, h)`` adds h to the k-th held node, for numerical
    derivatives with respect to it.
    """
    leaves = [Value(x) for x in point]
    pool = list(leaves)
    n_held = 0
    for name, i, j, holder in program:
        a, b = pool[-1 - i % len(pool)], pool[-1 - j % len(pool)]
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            a, b = np.atleast_1d(a), np.atleast_1d(b)    # numpy does the op
        if name in METHODS and isinstance(a, np.ndarray):
            made = np.frompyfunc(UNARY[name], 1, 1)(a)
        else:
            made = UNARY[name](a) if name in UNARY else BINARY[name](a, b)
        node = as_value(made)
        if holder != "nobody":
            if shift_held is not None and shift_held[0] == n_held:
                node = node + shift_held[1]
            n_held += 1
        hold(node, holder)
        pool.append(np.array([node], dtype=object) if holder == "object array" else node)
    out = as_value(pool[-1])
    for entry in pool[-3:-1]:
        out = out + as_value(entry) * 0.5
    return out, leaves


H = 1e-6


def central_difference(f):
    return (f(H) - f(-H)) / (2 * H)


def tolerance(out):
    """Central differences lose about eps · |the sums' terms| / h to
    rounding: an absolute tolerance for the graph's largest value."""
    largest = max(abs(node.data) for node in topological_order(out))
    return 1e-7 + 50 * 2.2e-16 * max(1.0, largest) / H


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.floats(-1.5, 1.5), min_size=1, max_size=3), steps)
def test_held_intermediates_never_change_and_have_exact_gradients(point, program):
    variables, listed, named = [], [], {}
    held = []                                  # (node, snapshot at creation)

    def hold(node, holder):
        if holder == "nobody":
            return
        if holder == "variable":
            variables.append(node)
        elif holder == "list":
            listed.append(node)
        elif holder == "dict":
            named[len(named)] = node
        held.append((node, snapshot(node)))    # "object array": build keeps it

    out, leaves = build(point, program, hold)
    out.backward()
    for node, at_creation in held:
        assert snapshot(node) == at_creation
    atol = tolerance(out)
    for k, (node, _) in enumerate(held):
        numeric = central_difference(
            lambda h, k=k: build(point, program, shift_held=(k, h))[0].data)
        assert node.grad == pytest.approx(numeric, rel=1e-5, abs=atol)
    for i, leaf in enumerate(leaves):
        def shifted(h, i=i):
            moved = list(point)
            moved[i] += h
            return build(moved, program)[0].data
        assert leaf.grad == pytest.approx(central_difference(shifted), rel=1e-5, abs=atol)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.floats(-1.5, 1.5), min_size=1, max_size=3), steps)
def test_held_intermediates_match_torch_retain_grad(point, program):
    torch = pytest.importorskip("torch")
    held = []
    out, leaves = build(point, program, lambda node, holder: held.append(node)
                        if holder != "nobody" else None)
    out.backward()

    t_leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    t_held = []
    pool = list(t_leaves)
    torch_unary = {
        "tanh": torch.tanh, "sin": torch.sin, "sigmoid": torch.sigmoid,
        "shift": lambda a: a + 0.75, "unshift": lambda a: a - 0.25,
        "scale": lambda a: a * 0.5, "rsub": lambda a: 1.0 - a,
        "square": lambda a: a ** 2 * 0.25, "exp": lambda a: torch.exp(a * 0.5)}
    for name, i, j, holder in program:
        a, b = pool[-1 - i % len(pool)], pool[-1 - j % len(pool)]
        node = torch_unary[name](a) if name in torch_unary else BINARY[name](a, b)
        if holder != "nobody":
            node.retain_grad()
            t_held.append(node)
        pool.append(node)
    t_out = pool[-1]
    for node in pool[-3:-1]:
        t_out = t_out + node * 0.5
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-13, abs=1e-15)
    for mine, theirs in zip(held, t_held):
        expected = 0.0 if theirs.grad is None else theirs.grad.item()
        assert mine.grad == pytest.approx(expected, rel=1e-12, abs=1e-14)
    for mine, theirs in zip(leaves, t_leaves):
        expected = 0.0 if theirs.grad is None else theirs.grad.item()
        assert mine.grad == pytest.approx(expected, rel=1e-12, abs=1e-14)


# ---------------------------------------------------------------------------
# Grad mode is per thread
# ---------------------------------------------------------------------------

def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    inside = threading.Event()
    checked = threading.Event()
    seen = {}

    def without_grad():
        with no_grad():
            seen["other thread, inside no_grad"] = is_grad_enabled()
            seen["node made there"] = (Value(2.0) * 3.0)._prev
            inside.set()
            checked.wait(5)

    thread = threading.Thread(target=without_grad)
    thread.start()
    assert inside.wait(5)
    x = Value(2.0)
    y = x * 3.0                                # this thread: recording
    recording_here = is_grad_enabled()
    checked.set()
    thread.join(5)
    assert recording_here and y._prev == (x,)
    assert seen == {"other thread, inside no_grad": False, "node made there": ()}
    assert is_grad_enabled()


def test_enable_grad_in_a_thread_does_not_turn_recording_on_elsewhere():
    inside = threading.Event()
    done = threading.Event()
    seen = {}

    def with_grad():
        with enable_grad():
            seen["there"] = (Value(1.0) + 1.0)._prev != ()
            inside.set()
            done.wait(5)

    with no_grad():
        thread = threading.Thread(target=with_grad)
        thread.start()
        assert inside.wait(5)
        made_here = (Value(2.0) * 3.0)._prev
        done.set()
        thread.join(5)
    assert made_here == () and seen == {"there": True}


def test_a_new_thread_records_even_when_its_creator_is_inside_no_grad():
    seen = []
    with no_grad():
        thread = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        thread.start()
        thread.join(5)
    assert seen == [True]


def test_many_threads_switching_grad_mode_each_see_only_their_own():
    errors = []
    barrier = threading.Barrier(8)

    def worker(k):
        barrier.wait(5)
        for i in range(300):
            off = (i + k) % 2 == 0
            with (no_grad() if off else enable_grad()):
                node = Value(1.0) * 2.0
                if (node._prev == ()) != off or is_grad_enabled() == off:
                    errors.append((k, i))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == [] and is_grad_enabled()
    assert (Value(1.0) * 2.0)._prev != ()


def test_set_grad_enabled_returns_the_previous_mode_and_checks_its_argument():
    assert set_grad_enabled(False) is True
    try:
        assert (Value(1.0) * 2.0)._prev == ()
    finally:
        assert set_grad_enabled(True) is False
    with pytest.raises(TypeError, match="set_grad_enabled: expected True or False, got int"):
        set_grad_enabled(0)
    assert math.isfinite((Value(1.0) * 2.0).data) and is_grad_enabled()


def test_no_grad_as_a_decorator_restores_the_mode_after_a_recursive_call():
    @no_grad()
    def countdown(n):
        if n:
            countdown(n - 1)
        return is_grad_enabled()

    assert countdown(3) is False
    assert is_grad_enabled()
