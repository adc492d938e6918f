"""gradcheck and gradgradcheck: they pass good derivatives and catch wrong
ones with a message that names the input, both numbers and the tolerances."""

import math
import re

import pytest

from autograd_lite import (OPS, GradcheckError, Value, check_op, dot, gradcheck,
                           gradgradcheck, logsumexp, vsum)
from autograd_lite.ops import cos


def numbers_in(message: str, label: str) -> float:
    """The number printed after ``label:`` in a gradcheck message."""
    match = re.search(rf"{label}:\s+(\S+)", message)
    assert match, f"no {label!r} line in {message!r}"
    return float(match.group(1))


# ---------------------------------------------------------------------------
# Good functions pass
# ---------------------------------------------------------------------------

GOOD = [
    (lambda x: x * x, [3.0]),
    (lambda x, y: (x * y).tanh() + x.exp(), [0.5, -1.0]),
    (lambda a, b: (a * b + b ** 2 / a).tanh() + a.log() * b.sigmoid(), [2.0, -3.0]),
    (lambda x, y, z: vsum([x * y, y * z, z * x]).softplus(), [0.3, -0.7, 1.1]),
    (lambda x, y: dot([x, y, x], [y, 2.0, x]).gelu(), [0.4, -0.2]),
    (lambda x, y: logsumexp([x, y, x * y]), [1.5, -0.5]),
    (lambda x, y: x ** y + (2 ** x) / (1 + y * y), [1.3, 0.7]),
]


@pytest.mark.parametrize("f, point", GOOD)
def test_gradcheck_passes_correct_gradients(f, point):
    assert gradcheck(f, point) is True


def test_gradcheck_accepts_values_as_the_point():
    assert gradcheck(lambda x: x.sin(), [Value(0.3)])


# ---------------------------------------------------------------------------
# Wrong derivatives are caught, with a message that says where and by how much
# ---------------------------------------------------------------------------

def doubled_without_a_rule(v):
    """2v as a node built by hand: the right value, a wrong local gradient (0)."""
    return Value(2.0 * v.data, (v,), (0.0,))


def test_gradcheck_names_the_input_whose_gradient_is_wrong():
    def f(x, y):
        return x * y + doubled_without_a_rule(y)        # d/dy misses the 2

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.5, 1.5], atol=1e-6, rtol=1e-4)
    message = str(caught.value)
    assert "input 1" in message and "input 0" not in message
    assert numbers_in(message, "analytic") == 0.5
    assert numbers_in(message, "numeric") == pytest.approx(2.5, rel=1e-6)
    assert "atol=1e-06" in message and "rtol=0.0001" in message
    assert "0.5" in message and "1.5" in message                 # the point


def test_gradcheck_error_uses_the_given_names():
    with pytest.raises(GradcheckError, match=r"gradient mismatch for twice, input 0, at x=0.25"):
        gradcheck(doubled_without_a_rule, [0.25], name="twice", input_names=["x"])


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)


def wrong_sin_partials(out, x):
    return (-cos(x),)                                   # the sign is wrong


def replace_rule(monkeypatch, op, partials):
    """Swap an op's rule for a test: both compiled forms the engine reads."""
    monkeypatch.setattr(op, "partials", partials)
    monkeypatch.setattr(op, "first_partial", lambda *args: partials(*args)[0])


def test_gradcheck_catches_a_wrong_rule_in_the_op_table(monkeypatch):
    replace_rule(monkeypatch, OPS["sin"], wrong_sin_partials)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: x.sin(), [0.5])
    message = str(caught.value)
    assert numbers_in(message, "analytic") == -math.cos(0.5)
    assert numbers_in(message, "numeric") == pytest.approx(math.cos(0.5), rel=1e-6)
    assert "atol=1e-05, rtol=0.001" in message


def test_check_op_catches_a_wrong_rule_and_names_the_op(monkeypatch):
    replace_rule(monkeypatch, OPS["sin"], wrong_sin_partials)
    with pytest.raises(GradcheckError, match=r"op 'sin', input 0"):
        check_op(OPS["sin"])


def test_the_table_is_intact_after_the_monkeypatched_tests():
    assert check_op(OPS["sin"])
    x = Value(0.5)
    x.sin().backward()
    assert x.grad == math.cos(0.5)


def test_gradcheck_catches_a_gradient_that_ignores_the_seed(monkeypatch):
    # A backward pass that always starts from 1.0: right for backward(),
    # wrong for backward(2.5). Only the seed-scaling check can see it.
    backward = Value.backward

    def backward_from_one(self, grad=1.0, create_graph=False):
        return backward(self, 1.0, create_graph)

    monkeypatch.setattr(Value, "backward", backward_from_one)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: x * x + x.sin(), [0.7])
    message = str(caught.value)
    assert "does not scale with the seed gradient 2.5" in message and "input 0" in message
    unit = 2 * 0.7 + math.cos(0.7)
    assert numbers_in(message, "analytic") == pytest.approx(unit, rel=1e-15)
    assert numbers_in(message, "numeric") == pytest.approx(2.5 * unit, rel=1e-15)


# ---------------------------------------------------------------------------
# f must return one Value
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("result", [1.0, [Value(1.0)], None])
def test_gradcheck_rejects_f_that_does_not_return_a_value(result):
    with pytest.raises(TypeError, match="f must return one Value, got"):
        gradcheck(lambda x: result, [0.5])
    with pytest.raises(TypeError, match="f must return one Value, got"):
        gradgradcheck(lambda x: result, [0.5])


def test_gradcheck_rejects_a_point_that_is_not_numbers():
    with pytest.raises(TypeError, match="gradcheck: input 0: expected .* got str"):
        gradcheck(lambda x: x, ["a"])


# ---------------------------------------------------------------------------
# Second derivatives
# ---------------------------------------------------------------------------

GOOD_TWICE = [
    (lambda x, y: x ** 3 * y.sin(), [1.5, 0.3]),
    (lambda x, y: (x * y).tanh(), [0.4, -0.9]),
    (lambda x: x.sigmoid() * x.softplus(), [0.8]),
    (lambda x, y: logsumexp([x, y, x * y]), [0.2, -1.1]),
    (lambda x: x.gelu() / (1 + x * x), [-0.6]),
    (lambda x, y: x ** y, [1.7, 0.6]),
    (lambda x: x * 3.0, [2.0]),               # a constant first derivative
]


@pytest.mark.parametrize("f, point", GOOD_TWICE)
def test_gradgradcheck_passes_correct_second_derivatives(f, point):
    assert gradgradcheck(f, point) is True


def tanh_partials_without_a_graph(out, x):
    # Right on floats, but on Values it returns a constant: the second
    # derivative through tanh is lost.
    o = out if isinstance(out, float) else out.data
    return (1 - o * o,)


def test_gradgradcheck_catches_a_rule_that_is_only_right_on_floats(monkeypatch):
    replace_rule(monkeypatch, OPS["tanh"], tanh_partials_without_a_graph)
    assert gradcheck(lambda x: x.tanh(), [0.5])
    with pytest.raises(GradcheckError, match=r"second derivative mismatch .* d\(input 0\)"):
        gradgradcheck(lambda x: x.tanh(), [0.5])
