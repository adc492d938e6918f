"""jvp: forward mode through the op table, checked against reverse mode."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (OPS, Value, apply_op, dot, grad, hessian, jacobian,
                           jvp, logsumexp, vsum)
from autograd_lite.gradcheck import op_as_function, sample_inputs
from autograd_lite.ops import BINARY


def test_jvp_of_sin_of_product_is_exactly_the_issue_example():
    out, tangent = jvp(lambda x, y: (x * y).sin(), (0.5, 2.0), (1.0, 0.0))
    assert (out, tangent) == (math.sin(1.0), 2 * math.cos(1.0))
    assert type(out) is float and type(tangent) is float


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_forward_mode_agrees_with_reverse_mode(name):
    op = OPS[name]
    for param in (op.param_samples or (None,)):
        f = op_as_function(op, param)
        for point in sample_inputs(op, n_points=4, seed=3):
            n = len(point)
            reverse = grad(f, argnums=tuple(range(n)))(*point)
            rng = np.random.default_rng(len(point))
            direction = tuple(rng.uniform(-1, 1, n))
            value, tangent = jvp(f, tuple(point), direction)
            assert value == f(*map(Value, point)).data
            assert tangent == pytest.approx(float(np.dot(reverse, direction)),
                                            rel=1e-12, abs=1e-12)
            for j in range(n):          # basis directions give the gradient itself
                basis = tuple(1.0 if k == j else 0.0 for k in range(n))
                assert jvp(f, tuple(point), basis)[1] == pytest.approx(reverse[j], rel=1e-13,
                                                                       abs=1e-300)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.layout == BINARY))
def test_binary_op_with_a_constant_operand_agrees_with_reverse_mode(name):
    op = OPS[name]
    for point in sample_inputs(op, n_points=3, seed=4):
        for f, x0 in ((lambda x: apply_op(op, 1.7, x), point[1]),
                      (lambda x: apply_op(op, x, 1.7), point[0])):
            assert jvp(f, (x0,), (1.0,))[1] == pytest.approx(grad(f)(x0), rel=1e-14)


# ---------------------------------------------------------------------------
# Random expression graphs
# ---------------------------------------------------------------------------

# Each step combines earlier nodes (so nodes are reused: fan-out and fan-in)
# with one op, shaped to stay inside the op's domain for any finite inputs.
STEPS = {
    "add": lambda a, b, c: a + b,
    "sub": lambda a, b, c: a - b,
    "mul": lambda a, b, c: a * b,
    "div": lambda a, b, c: a / (1 + b * b),
    "neg": lambda a, b, c: -a,
    "abs": lambda a, b, c: abs(a),
    "pow": lambda a, b, c: a ** 3,
    "pow_fraction": lambda a, b, c: (a * a + 0.5) ** 1.5,
    "pow_value": lambda a, b, c: (a * a + 0.5) ** b.tanh(),
    "rpow": lambda a, b, c: 2.0 ** a.tanh(),
    "rsub": lambda a, b, c: 2.0 - a,
    "rdiv": lambda a, b, c: 1.0 / (a * a + 1.0),
    "sqrt": lambda a, b, c: (a * a + 0.25).sqrt(),
    "exp": lambda a, b, c: a.tanh().exp(),
    "log": lambda a, b, c: (a * a + 0.5).log(),
    "sin": lambda a, b, c: a.sin(),
    "cos": lambda a, b, c: a.cos(),
    "tanh": lambda a, b, c: a.tanh(),
    "sigmoid": lambda a, b, c: a.sigmoid(),
    "relu": lambda a, b, c: a.relu(),
    "leaky_relu": lambda a, b, c: a.leaky_relu(0.1),
    "elu": lambda a, b, c: a.elu(),
    "gelu": lambda a, b, c: a.gelu(),
    "softplus": lambda a, b, c: a.softplus(),
    "affine": lambda a, b, c: a * 2.5 + 1.0 - b,
    "vsum": lambda a, b, c: vsum([a, b, c]),
    "dot": lambda a, b, c: dot([a, b], [c, a]),
    "dot_const": lambda a, b, c: dot([a, b, c], [0.5, -1.0, 2.0]),
    "logsumexp": lambda a, b, c: logsumexp([a, b, c]),
}


def build(program, n_inputs):
    """f(*xs) running ``program``: a list of (step, i, j, k) over earlier nodes.

    Values are kept moderate (a node past 10 in size is squashed with tanh),
    so no op leaves its domain or overflows; both modes see the same graph."""
    def f(*xs):
        nodes = list(xs)
        for name, i, j, k in program:
            n = len(nodes)
            node = STEPS[name](nodes[i % n], nodes[j % n], nodes[k % n])
            if abs(node.data) > 10:
                node = (node * 0.1).tanh()
            nodes.append(node)
        return [nodes[-1], nodes[-2] if len(nodes) - n_inputs > 1 else nodes[-1]]
    return f


programs = st.lists(
    st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 20), st.integers(0, 20),
              st.integers(0, 20)),
    min_size=1, max_size=12)
points = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=3, max_size=3)
directions = st.lists(st.floats(-1.0, 1.0, allow_nan=False), min_size=3, max_size=3)


@settings(derandomize=True, deadline=None, max_examples=150)
@given(program=programs, point=points, direction=directions)
def test_forward_mode_agrees_with_reverse_mode_on_random_graphs(program, point, direction):
    f = build(program, n_inputs=3)
    values, tangents = jvp(f, tuple(point), tuple(direction))
    jac = jacobian(f)(*point)
    expected = jac @ np.array(direction)
    scale = np.abs(jac) @ np.abs(direction) + 1.0
    np.testing.assert_allclose(values, [out.data for out in f(*map(Value, point))], rtol=0)
    assert np.all(np.abs(tangents - expected) <= 1e-12 * scale)


@settings(derandomize=True, deadline=None, max_examples=40)
@given(program=programs, point=points, direction=directions)
def test_forward_over_reverse_gives_hessian_vector_products(program, point, direction):
    def f(*xs):
        first, second = build(program, n_inputs=3)(*xs)
        return first * second
    _, hvp = jvp(grad(f, argnums=(0, 1, 2)), tuple(point), tuple(direction))
    h = hessian(f)(*point)
    scale = np.abs(h) @ np.abs(direction) + 1.0
    assert np.all(np.abs(hvp - h @ np.array(direction)) <= 1e-11 * scale)


# ---------------------------------------------------------------------------
# Shapes, nesting, side effects, errors
# ---------------------------------------------------------------------------

def test_jvp_of_sequence_output_gives_one_tangent_per_output():
    out, tangent = jvp(lambda x, y: [x * y, x + y, (x * y).exp()], (2.0, 3.0), (1.0, -1.0))
    np.testing.assert_array_equal(out, [6.0, 5.0, math.exp(6.0)])
    np.testing.assert_allclose(tangent, [1.0, 0.0, math.exp(6.0)], rtol=1e-15)


def test_jvp_over_a_sequence_primal():
    out, tangent = jvp(lambda w: w[0] * w[1] ** 2, (np.array([2.0, 3.0]),), ([1.0, 0.5],))
    assert (out, tangent) == (18.0, 9.0 + 6.0)


def test_jvp_of_a_constant_function_has_zero_tangent():
    assert jvp(lambda x: 4.0, (1.0,), (1.0,)) == (4.0, 0.0)
    assert jvp(lambda x: [x, 2.0], (1.0,), (3.0,))[1].tolist() == [3.0, 0.0]


def test_jvp_runs_no_backward_pass_and_touches_no_grad(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("jvp ran a backward pass")
    monkeypatch.setattr(Value, "backward", refuse)
    x = Value(0.7)
    out, tangent = jvp(lambda u: u.sin() * u, (x,), (1.0,))
    assert tangent.data == pytest.approx(math.cos(0.7) * 0.7 + math.sin(0.7), rel=1e-15)
    assert x.grad == 0.0 and out.grad == 0.0


def test_reverse_over_forward_gives_the_second_derivative():
    def derivative(x):
        return jvp(lambda t: t.sin() * t, (x,), (1.0,))[1]
    assert grad(derivative)(0.3) == pytest.approx(2 * math.cos(0.3) - 0.3 * math.sin(0.3),
                                                  rel=1e-15)


def test_jvp_treats_its_primals_as_independent_variables():
    x = Value(1.5)
    _, tangent = jvp(lambda a, b: a * b, (x, x * 2), (1.0, 0.0))
    assert tangent.data == 3.0                 # d/da (a b) = b = 2x, not through b = 2x


def test_jvp_rejects_primals_that_are_not_a_tuple():
    with pytest.raises(TypeError, match=r"primals must be a tuple .* write \(primal,\)"):
        jvp(lambda x: x, 1.0, (1.0,))


def test_jvp_rejects_tangents_shaped_unlike_the_primals():
    with pytest.raises(ValueError, match="primals has 2 entries but tangents has 1"):
        jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="length 2 like its primal, got a list of length 3"):
        jvp(lambda w: w[0], ([1.0, 2.0],), ([1.0, 0.0, 0.0],))
    with pytest.raises(TypeError, match="tangent 0 must be a number like its primal"):
        jvp(lambda x: x, (1.0,), ([1.0],))
