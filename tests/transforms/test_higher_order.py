"""Second and higher derivatives: the op table, nesting, Taylor series, Newton."""

import math

import numpy as np
import pytest

from autograd_lite import (OPS, Value, apply_op, check_op, dot, grad, hessian,
                           jacobian, value_and_grad)
from autograd_lite.gradcheck import op_as_function, sample_inputs
from autograd_lite.ops import BINARY


def numeric_hessian(f, point, eps=1e-6):
    """Central differences of grad(f): H[i, j] = d/dx_j (df/dx_i)."""
    n = len(point)
    gradient = grad(f, argnums=tuple(range(n)))
    columns = []
    for j in range(n):
        up, down = list(point), list(point)
        up[j] += eps
        down[j] -= eps
        columns.append((np.array(gradient(*up)) - np.array(gradient(*down))) / (2 * eps))
    return np.array(columns).T


def assert_hessian_matches_differences(f, point):
    analytic = hessian(f)(*point)
    np.testing.assert_array_equal(analytic, analytic.T)
    np.testing.assert_allclose(analytic, numeric_hessian(f, point), rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------
# Every op of the table, first and second order
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(OPS))
def test_op_passes_first_and_second_order_checks_across_its_domain(name):
    assert check_op(OPS[name], order=2, n_points=6)


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_hessian_through_the_functional_api_matches_differences(name):
    op = OPS[name]
    for param in (op.param_samples or (None,)):
        for point in sample_inputs(op, n_points=3, seed=1):
            assert_hessian_matches_differences(op_as_function(op, param), point)


BINARY_OPS = sorted(name for name, op in OPS.items() if op.layout == BINARY)


@pytest.mark.parametrize("side", ["constant left", "constant right"])
@pytest.mark.parametrize("name", BINARY_OPS)
def test_binary_op_with_a_constant_operand_has_the_right_second_derivative(name, side):
    # c (op) x and x (op) c store c in the node (the constant layouts); their
    # partials come from the same table entry.
    op = OPS[name]
    position = 1 if side == "constant left" else 0
    constant = 1.7                             # inside every binary op's domain
    for point in sample_inputs(op, n_points=4, seed=2):
        x0 = point[position]
        if side == "constant left":
            f = lambda x: apply_op(op, constant, x)     # noqa: E731
        else:
            f = lambda x: apply_op(op, x, constant)     # noqa: E731
        node = f(Value(x0))
        assert node.op is (op.const_left if side == "constant left" else op.const_right)
        assert_hessian_matches_differences(f, [x0])


def test_fused_dot_with_constant_weights_has_second_derivatives():
    weights = [0.5, -2.0, 1.5]
    assert_hessian_matches_differences(lambda *xs: dot(xs, weights).tanh(), [0.3, 0.1, -0.2])


def test_affine_chain_differentiates_twice():
    # x * 3 + 1, a * node then a + node: d²/dx² (3x + 1)² = 18
    assert grad(grad(lambda x: (x * 3 + 1) ** 2))(0.7) == 18.0


# ---------------------------------------------------------------------------
# Nesting
# ---------------------------------------------------------------------------

def test_nested_grad_leaves_outer_leaves_grad_untouched():
    x = Value(1.3)
    y = (x * x).sin()
    y.backward()
    before = x.grad
    assert before == pytest.approx(2 * 1.3 * math.cos(1.69))
    f = lambda u: (u * u).sin()                       # noqa: E731
    second = grad(grad(f))(x)
    hessian(f)(x)
    jacobian(lambda u: [f(u), u * u])(x)
    assert x.grad == before
    assert second.data == pytest.approx(2 * math.cos(1.69) - 4 * 1.69 * math.sin(1.69))


def test_inner_grad_does_not_write_to_the_values_the_outer_grad_hands_f():
    seen = []

    def outer(x):
        seen.append(x)
        inner = grad(lambda y: (x * y).exp())(0.5)     # x·e^(xy), a Value
        seen.append(inner)
        return inner * x

    # d/dx [x² e^(x/2)] = e^(x/2) (2x + x²/2)
    result = grad(outer)(0.8)
    assert result == pytest.approx(math.exp(0.4) * (1.6 + 0.32), rel=1e-14)
    assert [v.grad for v in seen] == [0.0, 0.0]


def test_grad_of_closure_over_an_outer_variable_is_not_confused():
    # The classic perturbation-confusion check: d/dx (x · d/dy (x + y)) = 1.
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0
    # d/dx [d/dy (x y²) at y = 3] = d/dx 6x = 6
    assert grad(lambda x: grad(lambda y: x * y * y)(3.0))(2.0) == 6.0


def test_grad_called_on_a_value_returns_a_value_backward_can_differentiate():
    x = Value(2.0)
    first = grad(lambda u: u ** 3)(x)
    assert type(first) is Value and first.data == 12.0 and x.grad == 0.0
    first.backward()
    assert x.grad == 12.0                              # d²/dx² x³ = 6x


def test_the_same_value_passed_twice_gives_partial_derivatives():
    x = Value(2.0)
    dx, dy = grad(lambda a, b: a * b * b, argnums=(0, 1))(x, x)
    assert (dx.data, dy.data) == (4.0, 8.0)            # not their sum, 12


def test_grad_over_an_interior_node_treats_it_as_the_variable():
    def outer(x):
        u = x * x
        return grad(lambda v: v.sin())(u)              # cos(u), as a function of x

    assert grad(outer)(0.9) == pytest.approx(-math.sin(0.81) * 1.8, rel=1e-14)


def test_constant_derivative_differentiated_again_is_zero():
    assert grad(grad(lambda x: 3 * x))(1.0) == 0.0
    assert grad(grad(lambda x: 5.0))(1.0) == 0.0


def test_third_derivative_through_hessian_inside_grad():
    # d/dx of f''(x) for f = x⁴: 24x
    assert grad(lambda x: hessian(lambda y: y ** 4)(x)[0, 0])(2.0) == 48.0


def test_jacobian_of_the_gradient_is_the_hessian():
    def f(x, y):
        return (x * y).sin() + x ** 3 * y.exp()

    point = (0.6, -0.4)
    via_jacobian = jacobian(grad(f, argnums=(0, 1)))(*point)
    np.testing.assert_allclose(via_jacobian, hessian(f)(*point), rtol=1e-14)


def test_nested_grad_of_sequence_argument_returns_an_object_array_of_values():
    def outer(w):
        inner = grad(lambda v: v[0] * v[1] ** 2)(w)
        assert inner.dtype == object and all(type(g) is Value for g in inner)
        return inner[0] + inner[1]                     # v1² + 2 v0 v1

    np.testing.assert_array_equal(grad(outer)([1.0, 3.0]), [6.0, 8.0])


# ---------------------------------------------------------------------------
# Taylor series from nested grad
# ---------------------------------------------------------------------------

def taylor_coefficients(f, x0, order):
    """f⁽ᵏ⁾(x0) / k! for k = 0..order, each derivative one more grad."""
    coefficients, derivative = [], f
    for k in range(order + 1):
        value, _ = value_and_grad(derivative)(x0)
        coefficients.append(value / math.factorial(k))
        derivative = grad(derivative)
    return coefficients


@pytest.mark.parametrize("f, expected", [
    (lambda x: x.exp(), [1 / math.factorial(k) for k in range(6)]),
    (lambda x: x.sin(), [0.0, 1.0, 0.0, -1 / 6, 0.0, 1 / 120]),
    (lambda x: x.cos(), [1.0, 0.0, -1 / 2, 0.0, 1 / 24, 0.0]),
    (lambda x: 1 / (1 - x), [1.0] * 6),
    (lambda x: (1 + x).log(), [0.0, 1.0, -1 / 2, 1 / 3, -1 / 4, 1 / 5]),
], ids=["exp", "sin", "cos", "geometric", "log1p"])
def test_taylor_coefficients_at_zero_from_nested_grad(f, expected):
    np.testing.assert_allclose(taylor_coefficients(f, 0.0, 5), expected, rtol=1e-14, atol=1e-15)


# ---------------------------------------------------------------------------
# Newton's method against gradient descent
# ---------------------------------------------------------------------------

def newton(f, x, tolerance=1e-10, max_steps=100):
    """Minimise f by x <- x - H⁻¹ g; return (x, steps until |g| < tolerance)."""
    gradient, curvature = grad(f), hessian(f)
    for step in range(max_steps):
        g = gradient(x)
        if np.max(np.abs(g)) < tolerance:
            return x, step
        h = curvature(x)
        x = x - (g / h[0, 0] if np.ndim(g) == 0 else np.linalg.solve(h, g))
    raise AssertionError(f"Newton's method did not converge in {max_steps} steps")


def gradient_descent(f, x, learning_rate, tolerance=1e-10, max_steps=2000):
    """Minimise f by x <- x - lr g; return (x, steps until |g| < tolerance)."""
    gradient = grad(f)
    for step in range(max_steps):
        g = gradient(x)
        if np.max(np.abs(g)) < tolerance:
            return x, step
        x = x - learning_rate * g
    raise AssertionError(f"gradient descent did not converge in {max_steps} steps")


def quartic(x):
    return x ** 4 - 3 * x ** 2 + x


def test_newton_on_a_quartic_converges_in_fewer_steps_than_gradient_descent():
    x_newton, newton_steps = newton(quartic, 2.0)
    # f'' at the minimum is about 9.35, so steps above ~0.2 diverge; 0.09
    # already jumps to the other minimum. These all reach the same one.
    descents = [gradient_descent(quartic, 2.0, lr) for lr in (0.02, 0.05, 0.08)]
    for x, _ in descents:
        assert x == pytest.approx(x_newton, abs=1e-9)
    assert abs(grad(quartic)(x_newton)) < 1e-10
    assert hessian(quartic)(x_newton)[0, 0] > 0        # a minimum
    assert newton_steps <= 8
    assert newton_steps < min(steps for _, steps in descents)


def test_newton_in_two_dimensions_converges_in_fewer_steps_than_gradient_descent():
    def f(w):
        return (w[0] - 1) ** 4 + (w[0] - 2 * w[1]) ** 2 + w[1].exp()

    start = np.array([0.0, 0.0])
    w_newton, newton_steps = newton(f, start)
    descents = [gradient_descent(f, start, lr) for lr in (0.05, 0.1, 0.15)]
    for w, _ in descents:
        np.testing.assert_allclose(w, w_newton, atol=1e-9)
    assert np.all(np.linalg.eigvalsh(hessian(f)(w_newton)) > 0)
    assert newton_steps < min(steps for _, steps in descents)
