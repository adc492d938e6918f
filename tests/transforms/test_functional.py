"""grad, value_and_grad, jacobian, hessian and gradients: results, shapes, errors."""

import math

import numpy as np
import pytest

from autograd_lite import (Value, compile, gradients, grad, hessian, jacobian, no_grad,
                           value_and_grad, vsum)


def central_difference(f, xs, j, eps=1e-6):
    """d f / d xs[j] by central differences, f a function of floats."""
    up, down = list(xs), list(xs)
    up[j] += eps
    down[j] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


# ---------------------------------------------------------------------------
# The examples, exactly
# ---------------------------------------------------------------------------

def test_grad_of_square_at_three_is_six():
    result = grad(lambda x: x ** 2)(3.0)
    assert result == 6.0 and type(result) is float


def test_grad_with_argnums_tuple_gives_a_tuple_of_partials():
    result = grad(lambda x, y: 3*x**2*y + 2*x*y**3 - 5, argnums=(0, 1))(1.0, 2.0)
    assert result == (28.0, 27.0)
    assert all(type(r) is float for r in result)


def test_grad_of_a_list_argument_is_an_array_of_the_same_length():
    result = grad(lambda w: w[0]**2 + 3*w[1]**2)([4.0, 2.0])
    assert isinstance(result, np.ndarray) and result.dtype == np.float64
    np.testing.assert_array_equal(result, [8.0, 12.0])


def test_third_derivative_by_nesting_grad_three_times():
    assert grad(grad(grad(lambda x: x ** 4)))(2.0) == 48.0


def test_jacobian_of_two_outputs_in_two_inputs():
    result = jacobian(lambda x, y: [x**2 + y, x*y])(3.0, 2.0)
    assert result.shape == (2, 2) and result.dtype == np.float64
    np.testing.assert_array_equal(result, [[6.0, 1.0], [2.0, 3.0]])


def test_hessian_of_separable_quadratic_is_diagonal():
    result = hessian(lambda x, y: x**2 + 3*y**2)(1.0, 1.0)
    np.testing.assert_array_equal(result, [[2.0, 0.0], [0.0, 6.0]])


# ---------------------------------------------------------------------------
# grad and value_and_grad
# ---------------------------------------------------------------------------

def test_value_and_grad_returns_the_value_from_the_same_evaluation():
    calls = []

    def f(x, y):
        calls.append(1)
        return x * y + y.exp()

    value, gradient = value_and_grad(f, argnums=(0, 1))(3.0, 0.0)
    assert value == 1.0 and gradient == (0.0, 4.0)
    assert len(calls) == 1


def test_grad_of_numpy_array_argument_hands_f_an_object_array():
    seen = []

    def f(w):
        seen.append(w)
        return (w * w).sum()          # numpy's object loops call Value's operators

    result = grad(f)(np.array([1.0, -2.0, 0.5]))
    assert isinstance(seen[0], np.ndarray) and seen[0].dtype == object
    np.testing.assert_array_equal(result, [2.0, -4.0, 1.0])


def test_grad_hands_f_the_container_it_was_called_with():
    kinds = []
    grad(lambda w: kinds.append(type(w)) or w[0] * w[1])((2.0, 3.0))
    grad(lambda w: kinds.append(type(w)) or w[0] * w[1])([2.0, 3.0])
    assert kinds == [tuple, list]


def test_grad_mixes_number_and_sequence_arguments():
    def f(scale, w):
        return scale * vsum(wi * wi for wi in w)

    d_scale, d_w = grad(f, argnums=(0, 1))(2.0, [1.0, 3.0])
    assert d_scale == 10.0
    np.testing.assert_array_equal(d_w, [4.0, 12.0])


def test_grad_accepts_ints_bools_and_numpy_scalars():
    assert grad(lambda x: x ** 3)(2) == 12.0
    assert grad(lambda x: x ** 3)(np.float32(2.0)) == 12.0
    assert grad(lambda x: x * 5)(True) == 5.0


def test_negative_argnums_count_from_the_end():
    assert grad(lambda x, y: x * y ** 2, argnums=-1)(3.0, 2.0) == 12.0


def test_arguments_not_differentiated_reach_f_unchanged():
    seen = []

    def f(x, name, power=2):
        seen.append((name, power))
        return x ** power

    assert grad(f)(3.0, "label", power=3) == 27.0
    assert seen == [("label", 3)]


def test_constant_function_has_zero_gradient():
    assert grad(lambda x: 5.0)(1.0) == 0.0
    np.testing.assert_array_equal(grad(lambda w: 1)([1.0, 2.0]), [0.0, 0.0])
    assert grad(lambda x: Value(2.0))(1.0) == 0.0        # a Value not built from x


def test_gradient_of_an_argument_f_ignores_is_zero():
    assert grad(lambda x, y: y * y, argnums=(0, 1))(1.0, 3.0) == (0.0, 6.0)


def test_grad_works_inside_no_grad():
    with no_grad():
        assert grad(lambda x: x.exp() * x)(0.0) == 1.0


@pytest.mark.parametrize("output", [
    lambda x: [x, x * 2],
    lambda x: (x, x),
    lambda x: np.array([x, x]),
])
def test_non_scalar_output_is_a_type_error_that_names_jacobian(output):
    with pytest.raises(TypeError, match="jacobian"):
        grad(output)(1.0)
    with pytest.raises(TypeError, match="jacobian"):
        value_and_grad(output)(1.0)


def test_output_that_is_not_a_value_is_a_type_error():
    with pytest.raises(TypeError, match="must return one scalar Value, got str"):
        grad(lambda x: "x")(1.0)


@pytest.mark.parametrize("argnums", ["0", 1.0, (0, "1"), True])
def test_argnums_of_the_wrong_type_is_a_type_error_at_definition(argnums):
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        grad(lambda x: x, argnums=argnums)


def test_argnums_out_of_range_is_a_value_error_naming_the_count():
    with pytest.raises(ValueError, match="called with 2 positional arguments"):
        grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="called with 1 positional argument;"):
        grad(lambda x: x, argnums=(0, -2))(1.0)


def test_empty_argnums_is_a_value_error():
    with pytest.raises(ValueError, match="argnums is empty"):
        grad(lambda x: x, argnums=())


def test_f_that_is_not_callable_is_a_type_error():
    with pytest.raises(TypeError, match="f must be a function"):
        grad(3.0)


@pytest.mark.parametrize("argument, message", [
    ("ab", "got str"),
    (np.ones((2, 2)), r"shape \(2, 2\)"),
    ([1.0, [2.0]], "element 1 of argument 0 must be a number"),
    (None, "got NoneType"),
    (1 + 2j, "got complex"),
])
def test_argument_that_is_not_a_number_or_flat_sequence_is_a_type_error(argument, message):
    with pytest.raises(TypeError, match=message):
        grad(lambda x: x)(argument)


def test_transforms_are_named_after_f():
    def loss(x):
        return x * x
    assert grad(loss).__name__ == "grad(loss)"
    assert hessian(loss).__name__ == "hessian(loss)"


# ---------------------------------------------------------------------------
# The multivariable chain rule through a parameter
# ---------------------------------------------------------------------------

def z_of(x, y):
    return (x * x + y * y).exp()


@pytest.mark.parametrize("t", [-0.9, -0.3, 0.0, 0.4, 0.8, 1.1])
def test_chain_rule_through_a_parameter_matches_the_closed_form(t):
    # z = exp(x² + y²), x = t², y = t³:  dz/dt = z · (2x · 2t + 2y · 3t²) = z (4t³ + 6t⁵)
    dz_dt = grad(lambda s: z_of(s ** 2, s ** 3))(t)
    z = math.exp(t ** 4 + t ** 6)
    assert dz_dt == pytest.approx(z * (4 * t ** 3 + 6 * t ** 5), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("t", [-0.7, 0.5, 1.2])
def test_chain_rule_sum_of_partials_equals_the_total_derivative(t):
    # dz/dt = ∂z/∂x · dx/dt + ∂z/∂y · dy/dt, each factor from grad
    x, y = t ** 2, t ** 3
    dz_dx, dz_dy = grad(z_of, argnums=(0, 1))(x, y)
    dx_dt = grad(lambda s: s ** 2)(t)
    dy_dt = grad(lambda s: s ** 3)(t)
    total = grad(lambda s: z_of(s ** 2, s ** 3))(t)
    assert dz_dx * dx_dt + dz_dy * dy_dt == pytest.approx(total, rel=1e-13)


# ---------------------------------------------------------------------------
# jacobian
# ---------------------------------------------------------------------------

def test_jacobian_defaults_to_all_positional_arguments_flattened_in_order():
    def f(a, w, b):
        return [a * w[0], w[1] * b, a + b]

    result = jacobian(f)(2.0, [3.0, 5.0], 7.0)
    # columns: a, w[0], w[1], b
    np.testing.assert_array_equal(result, [[3.0, 2.0, 0.0, 0.0],
                                           [0.0, 0.0, 7.0, 5.0],
                                           [1.0, 0.0, 0.0, 1.0]])


def test_jacobian_with_argnums_keeps_only_those_columns():
    result = jacobian(lambda x, y: [x * y, x + y], argnums=1)(3.0, 2.0)
    np.testing.assert_array_equal(result, [[3.0], [1.0]])


def test_jacobian_of_a_single_value_is_one_row():
    result = jacobian(lambda x, y: x * y)(3.0, 2.0)
    np.testing.assert_array_equal(result, [[2.0, 3.0]])


def test_jacobian_row_of_a_constant_output_is_zero():
    result = jacobian(lambda x: [x * 2, 1.0])(3.0)
    np.testing.assert_array_equal(result, [[2.0], [0.0]])


def test_jacobian_matches_central_differences():
    def f(x, y, z):
        return [(x * y).sin() + z ** 2, (x / (1 + y * y)).tanh() * z, (x - z).exp()]

    point = [0.3, -1.2, 0.7]
    result = jacobian(f)(*point)
    for i in range(3):
        def output_i(*xs, i=i):
            return f(*map(Value, xs))[i].data
        for j in range(3):
            assert result[i, j] == pytest.approx(central_difference(output_i, point, j),
                                                 abs=1e-8)


def test_jacobian_of_a_non_sequence_output_is_a_type_error():
    with pytest.raises(TypeError, match="a Value or a sequence of Values, got dict"):
        jacobian(lambda x: {"y": x})(1.0)
    with pytest.raises(TypeError, match="output 1 of f must be a Value"):
        jacobian(lambda x: [x, "y"])(1.0)


# ---------------------------------------------------------------------------
# hessian
# ---------------------------------------------------------------------------

def test_hessian_of_saddle_has_eigenvalues_of_opposite_sign():
    result = hessian(lambda x, y: x**2 + 4*x*y + y**2)(0.3, -1.2)
    np.testing.assert_array_equal(result, [[2.0, 4.0], [4.0, 2.0]])
    eigenvalues = np.linalg.eigvalsh(result)
    np.testing.assert_allclose(eigenvalues, [-2.0, 6.0])
    assert eigenvalues[0] < 0 < eigenvalues[1]


def test_hessian_is_symmetric_and_matches_differences_of_the_gradient():
    def f(x, y, z):
        return (x * y).sin() * z.exp() + (x * x + z).tanh() / (1 + y ** 2)

    point = [0.4, -0.8, 0.3]
    result = hessian(f)(*point)
    np.testing.assert_array_equal(result, result.T)
    gradient = grad(f, argnums=(0, 1, 2))
    for i in range(3):
        for j in range(3):
            numeric = central_difference(lambda *xs, i=i: gradient(*xs)[i], point, j)
            assert result[i, j] == pytest.approx(numeric, abs=1e-7)


def test_hessian_over_a_sequence_argument():
    result = hessian(lambda w: w[0] ** 3 * w[1] + w[1].exp())(np.array([1.0, 0.0]))
    np.testing.assert_allclose(result, [[0.0, 3.0], [3.0, 1.0]], atol=0)


def test_hessian_of_a_linear_function_is_zero():
    np.testing.assert_array_equal(hessian(lambda x, y: 3 * x - y)(1.0, 2.0), np.zeros((2, 2)))


def test_hessian_of_a_non_scalar_output_is_a_type_error():
    with pytest.raises(TypeError, match="jacobian"):
        hessian(lambda x, y: [x, y])(1.0, 2.0)


# ---------------------------------------------------------------------------
# gradients: the side-effect-free core
# ---------------------------------------------------------------------------

def test_gradients_does_not_touch_any_grad_field():
    x, y = Value(2.0), Value(3.0)
    x.grad = 7.0
    z = (x * y).tanh() + x
    middle = z._prev[0]
    assert gradients(z, [x, y]) == pytest.approx((1 + 3 * (1 - math.tanh(6) ** 2),
                                                  2 * (1 - math.tanh(6) ** 2)))
    assert (x.grad, y.grad, z.grad, middle.grad) == (7.0, 0.0, 0.0, 0.0)


def test_gradients_with_respect_to_an_interior_node():
    x = Value(1.5)
    u = x * x
    z = u.sin() + x
    (dz_du,) = gradients(z, [u])
    assert dz_du == math.cos(2.25)


def test_gradients_are_total_derivatives_through_every_path():
    x = Value(2.0)
    y = x * 3
    z = x * y                      # z = 3x², through x directly and through y
    assert gradients(z, [x, y]) == (12.0, 2.0)


def test_gradients_of_an_unrelated_input_or_a_number_output_are_zero():
    x, y = Value(2.0), Value(3.0)
    assert gradients(x * x, [y]) == (0.0,)
    assert gradients(4.0, [x, y]) == (0.0, 0.0)


def test_gradients_with_create_graph_can_be_differentiated_again():
    x = Value(0.5)
    (first,) = gradients(x.sin() * x, x, create_graph=True)
    (second,) = gradients(first, x)
    assert type(first) is Value
    assert second == pytest.approx(2 * math.cos(0.5) - 0.5 * math.sin(0.5), rel=1e-15)


def test_gradients_keeps_a_constant_derivative_a_float():
    x = Value(0.5)
    assert gradients(x * 3 + 1, [x], create_graph=True) == (3.0,)


def test_gradients_rejects_inputs_that_are_not_values():
    x = Value(1.0)
    with pytest.raises(TypeError, match="inputs must be Values, got float at position 1"):
        gradients(x * x, [x, 2.0])
    with pytest.raises(TypeError, match="output must be a Value"):
        gradients([x], [x])


# ---------------------------------------------------------------------------
# An argument named twice in argnums is one variable, listed twice (as JAX)
# ---------------------------------------------------------------------------

def test_grad_of_an_argument_named_twice_gives_its_derivative_twice():
    assert grad(lambda x, y: x*x*y, argnums=(0, 0))(2.0, 3.0) == (12.0, 12.0)
    assert grad(lambda x, y: x*x*y, argnums=(0, -2))(2.0, 3.0) == (12.0, 12.0)
    assert value_and_grad(lambda x, y: x*x*y, argnums=(1, 0, 1))(2.0, 3.0) == \
        (12.0, (4.0, 12.0, 4.0))


def test_hessian_of_an_argument_named_twice_repeats_its_second_derivative():
    np.testing.assert_array_equal(hessian(lambda x, y: x*x*y, argnums=(0, 0))(2.0, 3.0),
                                  [[6.0, 6.0], [6.0, 6.0]])


REPEATS = [(0, 0), (1, 1, 0), (0, -3), (2, 0, 2, -1), (-1, 1, 1)]


def _three(x, w, y):
    x = x if type(x) is Value else Value(x)      # not every argument is differentiated
    return (x * w[0]).sin() * y + w[1] ** 2 * x - (y * w[0] + x).exp()


ARGS = (0.7, [0.3, -1.2], 1.5)


def _columns(argnums):
    """The columns of the full Jacobian (one per number of ARGS) each argnum names."""
    starts, sizes = [0, 1, 3], [1, 2, 1]
    return [c for a in argnums for c in range(starts[a % 3], starts[a % 3] + sizes[a % 3])]


@pytest.mark.parametrize("argnums", REPEATS)
def test_every_transform_treats_a_repeated_argnum_as_the_same_variable(argnums):
    full_jacobian = jacobian(_three)(*ARGS)
    full_hessian = hessian(_three)(*ARGS)
    columns = _columns(argnums)
    np.testing.assert_array_equal(jacobian(_three, argnums=argnums)(*ARGS),
                                  full_jacobian[:, columns])
    np.testing.assert_allclose(hessian(_three, argnums=argnums)(*ARGS),
                               full_hessian[np.ix_(columns, columns)], rtol=1e-15, atol=0)
    got = grad(_three, argnums=argnums)(*ARGS)
    value, with_value = value_and_grad(_three, argnums=argnums)(*ARGS)
    assert value == _three(*ARGS).data
    for i, a in enumerate(argnums):
        alone = grad(_three, argnums=a)(*ARGS)
        np.testing.assert_array_equal(got[i], alone)
        np.testing.assert_array_equal(with_value[i], alone)


# ---------------------------------------------------------------------------
# Nesting is per thread
# ---------------------------------------------------------------------------

def test_a_grad_running_in_one_thread_does_not_change_what_another_returns():
    import threading
    inside, done = threading.Event(), threading.Event()
    results = {}

    def waits_inside(x):
        inside.set()                    # thread A is now evaluating its f ...
        assert done.wait(10)            # ... and stays there until B has finished
        return x * x

    def thread_a():
        results["a"] = grad(waits_inside)(3.0)

    a = threading.Thread(target=thread_a)
    a.start()
    try:
        assert inside.wait(10)
        results["b"] = grad(lambda x: x ** 3)(2.0)     # thread B, while A is nested
    finally:
        done.set()
        a.join(10)
    assert results["b"] == 12.0 and type(results["b"]) is float
    assert results["a"] == 6.0 and type(results["a"]) is float


@pytest.mark.parametrize("transform", [grad, value_and_grad])
@pytest.mark.parametrize("f", [lambda x: x.tanh() * x, lambda x: x * x])
def test_a_transform_over_an_array_of_points_points_to_compile(transform, f):
    xs = np.linspace(-2.0, 2.0, 5)
    name = transform.__name__
    with pytest.raises(TypeError, match=rf"^{name}: f .*To differentiate a function of one "
                                        rf"number at each of many points, compile it: "
                                        rf"compile\({name}\(f\)\)\(xs\) gives a Batch"):
        transform(f)(xs)
    batch = compile(transform(f))(xs)
    expected = [transform(f)(float(x)) for x in xs]
    assert np.array_equal(batch.data, np.array(expected))


def test_an_attribute_error_of_f_itself_is_left_as_it_is():
    def f(x):
        return x.no_such_method()
    with pytest.raises(AttributeError, match="no_such_method"):
        grad(f)(1.0)
