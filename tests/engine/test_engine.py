"""Value and backward: the chain rule on reused nodes, diamonds and very deep
chains; calling backward twice; gradient modes; micrograd's view of a node;
numbers of every kind on either side of an operator."""

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (OPS, Value, enable_grad, gradcheck, is_grad_enabled,
                           no_grad, topological_order)
from autograd_lite.core import backpropagate
from support import derivatives_by_repeated_backward, worked_example


# ---------------------------------------------------------------------------
# The worked example
# ---------------------------------------------------------------------------

def test_worked_example_matches_hand_derived_partials():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = worked_example(a, b)
    y.backward()
    # u = ab + b²/a, y = tanh u + ln a · σ(b)
    u = 2.0 * -3.0 + 9.0 / 2.0                       # -1.5
    t = math.tanh(u)
    s = 1 / (1 + math.exp(3.0))                      # σ(-3)
    du_da = -3.0 - 9.0 / 4.0                         # b - b²/a²
    du_db = 2.0 + 2 * -3.0 / 2.0                     # a + 2b/a
    assert y.data == pytest.approx(t + math.log(2.0) * s, rel=1e-15)
    assert a.grad == pytest.approx((1 - t * t) * du_da + s / 2.0, rel=1e-14)
    assert b.grad == pytest.approx((1 - t * t) * du_db + math.log(2.0) * s * (1 - s), rel=1e-14)
    assert (round(y.data, 6), round(a.grad, 6), round(b.grad, 6)) == (-0.872275, -0.924997,
                                                                       -0.149393)


def test_worked_example_passes_gradcheck():
    assert gradcheck(worked_example, [2.0, -3.0])


def test_backward_leaves_gradients_in_interior_nodes_too():
    a, b = Value(2.0), Value(-3.0)
    product = a * b
    y = product.tanh()
    y.backward()
    assert product.grad == pytest.approx(1 - math.tanh(-6.0) ** 2, rel=1e-15)
    assert y.grad == 1.0


# ---------------------------------------------------------------------------
# Reuse and diamonds
# ---------------------------------------------------------------------------

def test_reused_node_accumulates_both_edges():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert (y.data, x.grad) == (9.0, 6.0)


def test_node_used_three_times_gets_three_x_squared():
    x = Value(3.0)
    y = x * x * x
    y.backward()
    assert (y.data, x.grad) == (27.0, 27.0)


def test_reused_node_in_addition_counts_twice():
    x = Value(-1.5)
    y = x + x
    y.backward()
    assert (y.data, x.grad) == (-3.0, 2.0)


def test_diamond_sums_the_gradients_of_both_paths():
    a = Value(0.7)
    b = a * 2.0
    c = a.tanh()
    d = b * c
    d.backward()
    t = math.tanh(0.7)
    assert a.grad == pytest.approx(2.0 * t + 1.4 * (1 - t * t), rel=1e-15)
    assert (b.grad, c.grad) == (c.data, b.data)


def test_stacked_diamonds_double_the_gradient_at_each_level():
    x = Value(1.0)
    y = x
    for _ in range(30):
        left, right = y * 1.0, y * 1.0        # y feeds two paths that meet again
        y = left + right
    y.backward()
    assert (y.data, x.grad) == (2.0 ** 30, 2.0 ** 30)


def test_diamond_passes_gradcheck():
    def f(a, b):
        c = a * b
        d = c.sin()
        e = c.exp()
        return d * e + c
    assert gradcheck(f, [0.4, -1.3])


# ---------------------------------------------------------------------------
# Depth
# ---------------------------------------------------------------------------

def test_backward_on_a_million_deep_chain_does_not_recurse():
    k = 1.0000001
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * k
    y.backward()
    # backward multiplies 1.0 by k a million times, as forward did from x = 1.0
    assert x.grad == y.data
    assert x.grad == pytest.approx(math.exp(1_000_000 * math.log1p(1e-7)), rel=1e-9)


# ---------------------------------------------------------------------------
# Calling backward more than once
# ---------------------------------------------------------------------------

def test_second_backward_accumulates_leaf_gradients():
    x = Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 12.0


def test_second_backward_recomputes_interior_gradients():
    x = Value(3.0)
    square = x * x
    y = square.tanh() + square
    y.backward()
    first = square.grad
    y.backward()
    assert square.grad == first
    assert first == pytest.approx(1 - math.tanh(9.0) ** 2 + 1, rel=1e-15)


def test_backward_after_zeroing_leaves_gives_the_same_gradients():
    x = Value(0.3)
    y = (x * x).sin()
    y.backward()
    first = x.grad
    x.grad = 0.0
    y.backward()
    assert x.grad == first == pytest.approx(math.cos(0.09) * 0.6, rel=1e-15)


def test_backward_seed_scales_every_gradient():
    a, b = Value(2.0), Value(-3.0)
    worked_example(a, b).backward()
    unit = (a.grad, b.grad)
    a2, b2 = Value(2.0), Value(-3.0)
    worked_example(a2, b2).backward(grad=2.5)
    assert (a2.grad, b2.grad) == pytest.approx((2.5 * unit[0], 2.5 * unit[1]), rel=1e-15)


def test_backward_on_a_leaf_sets_its_gradient_to_the_seed():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0
    x.backward(2.5)
    assert x.grad == 3.5              # a leaf accumulates, as in PyTorch


def test_backward_takes_numpy_and_int_seeds():
    x = Value(2.0)
    (x * 3.0).backward(np.float64(2.0))
    assert x.grad == 6.0
    x.grad = 0.0
    (x * 3.0).backward(2)
    assert x.grad == 6.0 and type(x.grad) is float


# ---------------------------------------------------------------------------
# Gradient modes
# ---------------------------------------------------------------------------

def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        y = (x * x).tanh() + x
        assert not is_grad_enabled()
    assert y._prev == () and y._op == ""
    assert y.data == pytest.approx(math.tanh(4.0) + 2.0, rel=1e-15)
    y.backward()
    assert x.grad == 0.0


def test_no_grad_nests_and_restores_the_outer_mode():
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_works_as_a_decorator():
    @no_grad()
    def square(v):
        return v * v

    x = Value(3.0)
    y = square(x)
    assert y._prev == () and y.data == 9.0
    assert is_grad_enabled()
    assert (x * x)._prev == (x, x)


def test_no_grad_restores_grad_mode_after_an_exception():
    x = Value(-1.0)
    with pytest.raises(ValueError):
        with no_grad():
            x.log()
    assert is_grad_enabled()
    assert (x * 2.0)._prev == (x,)


def test_enable_grad_records_again_inside_no_grad():
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            y = x * x
        z = x * x
    assert y._prev == (x, x) and z._prev == ()
    y.backward()
    assert x.grad == 4.0


def test_detach_returns_a_parentless_copy():
    x = Value(3.0)
    y = (x * x).tanh()
    y.label = "y"
    d = y.detach()
    assert d is not y and d._prev == () and d._op == ""
    assert (d.data, d.label) == (y.data, "y")
    (d * x).backward()
    assert d.grad == 3.0 and x.grad == y.data     # nothing flows into y's history
    assert y.grad == 0.0


# ---------------------------------------------------------------------------
# micrograd's view of a node: _prev and _op
# ---------------------------------------------------------------------------

def test_prev_is_a_tuple_that_keeps_a_reused_input_twice():
    x = Value(3.0)
    y = x * x
    assert type(y._prev) is tuple
    assert len(y._prev) == 2 and y._prev[0] is x and y._prev[1] is x


def test_prev_lists_inputs_in_order():
    a, b = Value(1.0), Value(2.0)
    assert (a - b)._prev == (a, b) and (b - a)._prev == (b, a)
    assert Value(5.0)._prev == ()


@pytest.mark.parametrize("build, op", [
    (lambda a, b: a + b, "+"),
    (lambda a, b: a * b, "*"),
    (lambda a, b: a ** 2, "**2"),
    (lambda a, b: a ** -1, "**-1"),
    (lambda a, b: a ** 0.5, "**0.5"),
    (lambda a, b: a.relu(), "ReLU"),
    (lambda a, b: a.tanh(), "tanh"),
    (lambda a, b: a.exp(), "exp"),
])
def test_op_is_micrograds_short_label(build, op):
    assert build(Value(2.0), Value(3.0))._op == op


def test_leaf_has_an_empty_op_label():
    assert Value(1.0)._op == ""


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text())
def test_a_hand_built_nodes_op_is_its_label_verbatim_whatever_the_text(label):
    # "{x}", "{c}", "{0}", "{", "}}": a user's label is text, never a format string
    node = Value(1.0, (Value(2.0),), label)
    assert node._op == label


@pytest.mark.parametrize("label", ["{x}", "{c}", "{0}", "{", "}", "{{c}}", "%s"])
def test_a_braced_label_is_kept_as_written(label):
    assert Value(1.0, (Value(2.0),), label)._op == label


def test_user_built_node_keeps_its_children_and_passes_no_gradient():
    a, b = Value(1.0), Value(2.0)
    n = Value(3.0, (a, b), "+")
    assert (n._op, n._prev) == ("+", (a, b))
    y = n * 2.0
    with pytest.warns(UserWarning, match="children get no gradient"):
        y.backward()
    assert n.grad == 2.0
    assert (a.grad, b.grad) == (0.0, 0.0)      # as micrograd: no rule, no gradient


# ---------------------------------------------------------------------------
# Comparisons and hashing
# ---------------------------------------------------------------------------

def test_ordering_compares_data():
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= b and b > a and b >= a
    assert not (a > b) and not (b <= a)
    assert a < 1.5 and 1.5 < b and b >= 2 and 2 <= b
    assert sorted([b, a, Value(-1.0)], key=None)[0].data == -1.0
    assert max([a, b]) is b


def test_values_with_equal_data_are_distinct_keys():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2
    table = {a: "a", b: "b"}
    assert (table[a], table[b]) == ("a", "b")
    assert hash(a) != hash(b)


# ---------------------------------------------------------------------------
# Numbers of every kind
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("number, expected", [
    (3, 3.0), (2.5, 2.5), (True, 1.0), (False, 0.0),
    (np.float64(2.5), 2.5), (np.float32(0.5), 0.5), (np.int64(7), 7.0),
    (np.int8(-3), -3.0), (np.uint16(9), 9.0), (np.bool_(True), 1.0),
])
def test_numbers_are_stored_as_python_floats(number, expected):
    v = Value(number)
    assert type(v.data) is float and v.data == expected
    assert type(v.grad) is float


def test_numpy_scalar_on_the_left_gives_a_value():
    x = Value(3.0)
    for y, data, grad in ((np.float64(2) * x, 6.0, 2.0), (np.float64(2) + x, 5.0, 1.0),
                          (np.float64(2) - x, -1.0, -1.0), (np.float64(6) / x, 2.0, -6.0 / 9.0),
                          (np.int64(2) * x, 6.0, 2.0), (np.float32(2) * x, 6.0, 2.0)):
        assert type(y) is Value and y.data == data
        x.grad = 0.0
        y.backward()
        assert x.grad == pytest.approx(grad, rel=1e-15)
    assert type(x * np.float64(2)) is Value and (x * np.float64(2)).data == 6.0


@pytest.mark.parametrize("f, data, grad", [
    (lambda x: 2 * x, 6.0, 2.0),
    (lambda x: x * 2, 6.0, 2.0),
    (lambda x: 2 + x, 5.0, 1.0),
    (lambda x: x + 2, 5.0, 1.0),
    (lambda x: 2 - x, -1.0, -1.0),
    (lambda x: x - 2, 1.0, 1.0),
    (lambda x: 1 / x, 1 / 3, -1 / 9),
    (lambda x: x / 2, 1.5, 0.5),
    (lambda x: 2 ** x, 8.0, 8.0 * math.log(2.0)),
    (lambda x: x ** 2, 9.0, 6.0),
    (lambda x: -x, -3.0, -1.0),
    (lambda x: +x, 3.0, 1.0),
    (lambda x: abs(-x), 3.0, 1.0),
])
def test_operators_take_numbers_on_either_side(f, data, grad):
    x = Value(3.0)
    y = f(x)
    y.backward()
    assert y.data == pytest.approx(data, rel=1e-15)
    assert x.grad == pytest.approx(grad, rel=1e-15)


def test_value_to_the_power_of_a_value():
    x, y = Value(2.0), Value(3.0)
    z = x ** y
    z.backward()
    assert (z.data, x.grad) == (8.0, 12.0)
    assert y.grad == pytest.approx(8.0 * math.log(2.0), rel=1e-15)


def test_zero_to_a_positive_value_power_has_zero_exponent_gradient():
    x, y = Value(0.0), Value(2.0)
    z = x ** y
    z.backward()
    assert (z.data, x.grad, y.grad) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------------------
# Higher derivatives
# ---------------------------------------------------------------------------

def test_create_graph_gives_a_differentiable_gradient():
    x = Value(2.0)
    y = x ** 3
    y.backward(create_graph=True)
    first = x.grad
    assert type(first) is Value and first.data == 12.0     # 3x²
    x.grad = 0.0
    first.backward()
    assert x.grad == 12.0                                   # 6x


def test_create_graph_third_derivative_of_sin():
    x = Value(0.4)
    d1, d2, d3 = derivatives_by_repeated_backward(x, x.sin(), 3)
    assert d1 == pytest.approx(math.cos(0.4), rel=1e-15)
    assert d2 == pytest.approx(-math.sin(0.4), rel=1e-15)
    assert d3 == pytest.approx(-math.cos(0.4), rel=1e-15)


def test_create_graph_mixed_partial_of_a_product():
    x, y = Value(1.5), Value(-0.5)
    (x * x * y).backward(create_graph=True)
    dx = x.grad                                             # 2xy
    x.grad = y.grad = 0.0
    dx.backward()
    assert dx.data == -1.5
    assert (x.grad, y.grad) == (2 * -0.5, 2 * 1.5)          # (2y, 2x)


# ---------------------------------------------------------------------------
# topological_order
# ---------------------------------------------------------------------------

def small_graph():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    e = d.tanh() * c
    return e, [a, b, c, d, e]


def test_topological_order_puts_inputs_before_their_users():
    root, nodes = small_graph()
    order = topological_order(root)
    position = {id(n): i for i, n in enumerate(order)}
    assert len(order) == len(position) == len(nodes) + 1   # + the tanh node
    assert all(id(n) in position for n in nodes)
    for node in order:
        for child in node._prev:
            assert position[id(child)] < position[id(node)]
    assert order[-1] is root


def test_topological_order_is_deterministic():
    root, _ = small_graph()
    first = topological_order(root)
    assert topological_order(root) == first
    root2, _ = small_graph()
    assert [n.label or n._op for n in topological_order(root2)] == \
        [n.label or n._op for n in first]


def test_topological_order_of_a_leaf_is_the_leaf():
    x = Value(1.0)
    assert topological_order(x) == [x]


def test_topological_order_handles_a_deep_graph():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y.sin()
    order = topological_order(y)
    assert len(order) == 100_001 and order[0] is x and order[-1] is y


# ---------------------------------------------------------------------------
# Recovery after a failed backward
# ---------------------------------------------------------------------------

def failing_tanh(out, x):
    raise RuntimeError("boom")


@pytest.mark.parametrize("create_graph", [False, True])
def test_backward_after_an_exception_mid_backward_is_correct(monkeypatch, create_graph):
    a, b = Value(0.5), Value(-1.5)
    shared = a * b
    y = (shared.tanh() + shared) * a + b
    with monkeypatch.context() as patch:
        patch.setattr(OPS["tanh"], "partials", failing_tanh)
        patch.setattr(OPS["tanh"], "first_partial", failing_tanh)
        with pytest.raises(RuntimeError, match="boom"):
            y.backward(create_graph=create_graph)
    a.grad = b.grad = 0.0
    y.backward()
    fresh_a, fresh_b = Value(0.5), Value(-1.5)
    fresh_shared = fresh_a * fresh_b
    ((fresh_shared.tanh() + fresh_shared) * fresh_a + fresh_b).backward()
    assert (a.grad, b.grad) == (fresh_a.grad, fresh_b.grad)
    assert shared.grad == fresh_shared.grad


# ---------------------------------------------------------------------------
# Several roots over one graph
# ---------------------------------------------------------------------------

def test_two_roots_sharing_a_node_accumulate_into_the_leaves():
    x = Value(0.5)
    shared = x * x
    first, second = shared.sin(), shared * 3.0
    first.backward()
    second.backward()
    assert x.grad == pytest.approx(math.cos(0.25) * 1.0 + 3.0 * 1.0, rel=1e-15)
    assert shared.grad == 3.0                     # recomputed for the second root


def test_backward_from_an_interior_node_after_the_root():
    x = Value(0.5)
    shared = x * x
    shared.tanh().backward()
    x.grad = 0.0
    shared.backward()
    assert (shared.grad, x.grad) == (1.0, 1.0)


def test_leaves_tuple_accepts_only_leaf_values():
    from autograd_lite import Leaves
    w = Leaves([Value(1.0), Value(2.0)])
    assert isinstance(w, tuple) and w[1].data == 2.0
    with pytest.raises(TypeError, match="element 1 must be a Value, got float"):
        Leaves([Value(1.0), 2.0])
    with pytest.raises(ValueError, match="element 0 is computed"):
        Leaves([Value(1.0) * 3.0])


def test_dot_keeps_no_reference_to_weights_once_their_owner_is_gone():
    import sys
    from autograd_lite import Leaves, dot
    first = Value(1.0)
    weights = Leaves([first] + [Value(float(i)) for i in range(4)])
    held_by_us = sys.getrefcount(first)
    y = dot(weights, (1.0, 2.0, 3.0, 4.0, 5.0))
    y.backward()
    del y                                   # the graph goes; nothing else may stay
    assert sys.getrefcount(first) == held_by_us
    del weights
    assert sys.getrefcount(first) == held_by_us - 1


# ---------------------------------------------------------------------------
# Dead neurons: a dot whose gradient is 0 passes nothing down, exactly
# ---------------------------------------------------------------------------

def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _gradients_by_backward_and_by_the_core(build):
    """The leaves' gradients after ``backward()`` and after the core's own walk
    (``backpropagate``), each on a graph of its own built by ``build()``."""
    root, leaves = build()
    root.backward()
    by_backward = [p.grad for p in leaves]
    root, leaves = build()
    backpropagate(topological_order(root), 1.0)
    return by_backward, [p.grad for p in leaves]


def _dead_neuron_reading_inf():
    """A ReLU neuron whose pre-activation is -inf (dead) because a pixel is inf,
    beside a live one reading the same pixels and another input."""
    from autograd_lite import Leaves, dot, vsum
    pixels = (math.inf, 0.0, 0.5, 0.0)
    dead = Leaves([Value(-1.0), Value(2.0), Value(0.5), Value(3.0)])
    live = Leaves([Value(1.0), Value(1.0), Value(-2.0), Value(1.0)])
    live_pixels = (0.0, 0.0, -0.5, 2.0)
    b = Value(0.25)
    h = [(dot(dead, pixels) + b).relu(), (dot(live, live_pixels) + b).relu(),
         (dot(live, pixels) + b).relu()]
    return vsum(h) * 2.0, list(dead) + list(live) + [b]


def test_a_dead_neuron_whose_input_holds_inf_gives_nan_gradients_exactly_as_the_core():
    by_backward, by_core = _gradients_by_backward_and_by_the_core(_dead_neuron_reading_inf)
    assert math.isnan(by_backward[0])                     # 0 * inf, not skipped as 0
    assert by_backward[1:4] == [0.0, 0.0, 0.0]
    assert by_backward[4:] == [math.inf, 0.0, -1.0 + 1.0, 4.0, 4.0]   # 2 * each input
    assert list(map(_bits, by_backward)) == list(map(_bits, by_core))


def _three_layers_with_dead_neurons(inf_in_hidden: bool):
    """Input -> 3 ReLUs -> 2 ReLUs (one dead) -> a sum: the dead neuron of the
    second layer reads the first layer's Values, which must still be counted
    down for the first layer to receive the live neuron's gradient."""
    from autograd_lite import Leaves, dot, vsum
    x = (1.0, -2.0, 0.5)
    w1 = [Leaves([Value(0.5), Value(0.25), Value(1.0)]),
          Leaves([Value(-1.0), Value(-1.0), Value(0.0)]),
          Leaves([Value(2.0), Value(0.5), Value(1e308 if inf_in_hidden else 1.0)])]
    h = [dot(w, x).relu() for w in w1]
    if inf_in_hidden:
        h[2] = h[2] * 1e10                                # inf: overflows on purpose
    w2 = [Leaves([Value(-1.0), Value(-1.0), Value(-1.0)]),   # dead: pre-activation < 0
          Leaves([Value(1.0), Value(0.5)])]
    z = [dot(w2[0], h).relu(), dot(w2[1], h[:2]).relu()]
    leaves = [p for w in w1 + w2 for p in w]
    return vsum(z) * 3.0, leaves


@pytest.mark.parametrize("inf_in_hidden", [False, True])
def test_a_dead_neuron_over_computed_inputs_still_lets_the_layer_below_receive_its_gradient(
        inf_in_hidden):
    by_backward, by_core = _gradients_by_backward_and_by_the_core(
        lambda: _three_layers_with_dead_neurons(inf_in_hidden))
    assert list(map(_bits, by_backward)) == list(map(_bits, by_core))
    assert by_backward[:6] == [3.0, -6.0, 1.5, 1.5, -3.0, 0.75]   # via the live neuron
    assert by_backward[9:11] == [0.0, 0.0]
    if inf_in_hidden:
        assert math.isnan(by_backward[11])               # 0 * inf in the dead neuron
    else:
        assert by_backward[11] == 0.0


def test_apply_op_takes_numbers_and_says_how_many_arguments_an_op_takes():
    from autograd_lite import OPS, apply_op
    from autograd_lite.handbuilt import opaque_op
    assert apply_op(OPS["exp"], 0.0).data == 1.0
    assert apply_op(OPS["leaky_relu"], -2.0, 0.1).data == -0.2
    with pytest.raises(TypeError, match=r"apply_op: exp takes 1 argument \(x\), got 2"):
        apply_op(OPS["exp"], 1.0, 2.0)
    with pytest.raises(TypeError, match=r"apply_op: exp's x: expected an int, float"):
        apply_op(OPS["exp"], "1")
    with pytest.raises(ValueError, match="built by hand"):
        apply_op(opaque_op("+"), Value(1.0))
