"""A PyTorch user's idioms: the ones that should work do, and the ones that
would silently drop the gradient are refused with a TypeError that says what
to write instead."""

import math

import numpy as np
import pytest

from autograd_lite import Value

# ---- idioms that work -------------------------------------------------------


@pytest.mark.parametrize("spec", [".3f", ".2e", "8.4f", "+.1f", "g", ".0%", "<10"])
def test_a_format_spec_formats_the_number(spec):
    x = Value(0.123456) * 2
    assert format(x, spec) == format(x.data, spec)
    assert f"{x:{spec}}" == format(0.246912, spec)


def test_an_empty_format_spec_gives_the_repr():
    x = Value(1.5, label="x")
    assert f"{x}" == str(x) == repr(x)


def test_item_is_the_number_as_a_float():
    loss = (Value(3.0) - 1) ** 2
    assert loss.item() == 4.0 and type(loss.item()) is float


@pytest.mark.parametrize("make_scalar", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("operator_name, expected, expected_grad", [
    ("mul", 4.0, 2.0), ("add", 4.0, 1.0), ("sub", 0.0, -1.0), ("truediv", 1.0, -0.5),
    ("pow", 4.0, 4.0 * math.log(2.0)),
])
def test_a_numpy_scalar_on_the_left_of_an_operator_gives_a_differentiable_value(
        make_scalar, operator_name, expected, expected_grad):
    import operator
    x = Value(2.0)
    y = getattr(operator, operator_name)(make_scalar(2), x)
    assert type(y) is Value and y.data == pytest.approx(expected)
    y.backward()
    assert x.grad == pytest.approx(expected_grad)


def test_an_array_and_a_value_combine_per_element_into_values():
    x = Value(2.0)
    y = np.array([1.0, 3.0]) * x
    assert y.dtype == object and [v.data for v in y] == [2.0, 6.0]
    y.sum().backward()
    assert x.grad == 4.0


# ---- idioms that would drop the gradient -------------------------------------

CONVERSIONS = {
    "float(x)": float, "int(x)": int, "complex(x)": complex,
    "math.exp(x)": math.exp, "math.log(x)": math.log, "math.sqrt(x)": math.sqrt,
    "math.tanh(x)": math.tanh, "math.floor(x)": math.floor, "math.isfinite(x)": math.isfinite,
    "np.float64(x)": np.float64,
}


@pytest.mark.parametrize("call", sorted(CONVERSIONS))
def test_conversions_to_a_plain_number_are_refused_with_the_fix(call):
    with pytest.raises(TypeError) as error:
        CONVERSIONS[call](Value(2.0))
    message = str(error.value)
    assert "drop its gradient" in message
    assert "x.exp()" in message and "x.data" in message


NUMPY_FUNCTIONS = ["exp", "log", "sqrt", "sin", "cos", "tanh", "maximum", "arctan", "square"]


@pytest.mark.parametrize("name", NUMPY_FUNCTIONS)
def test_numpy_functions_on_a_value_are_refused_with_the_fix(name):
    ufunc = getattr(np, name)
    args = (Value(0.5),) * ufunc.nin
    with pytest.raises(TypeError) as error:
        ufunc(*args)
    message = str(error.value)
    assert f"numpy.{name}" in message and "drop its gradient" in message
    if hasattr(Value, name):
        assert f"x.{name}()" in message and f"numpy.{name}(x.data)" in message
    else:
        assert "x.data" in message


NOT_NUMBERS = ["3", b"3", None, [1.0], (1.0,), {"a": 1.0}, {1.0}, object()]
OPERATORS = ["+", "-", "*", "/", "**"]


@pytest.mark.parametrize("other", NOT_NUMBERS, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("symbol", OPERATORS)
@pytest.mark.parametrize("value_first", [True, False], ids=["Value-op-y", "y-op-Value"])
def test_an_operand_that_is_not_a_number_is_a_type_error_that_names_it(
        other, symbol, value_first):
    x = Value(2.0)
    expression = f"x {symbol} other" if value_first else f"other {symbol} x"
    with pytest.raises(TypeError) as error:
        eval(expression, {"x": x, "other": other})
    message = str(error.value)
    if not value_first and isinstance(other, (str, bytes, list, tuple)) and symbol in "+*":
        return       # str, bytes, list and tuple raise their own error for + and *
    assert f"unsupported operand for {symbol}" in message
    assert f"a Value and a {type(other).__name__}" in message
    assert "expected a Value or a number" in message


def test_the_string_hint_shows_the_conversion():
    with pytest.raises(TypeError, match=r"float\('3'\)"):
        Value(1.0) + "3"


def test_truth_and_comparisons_still_read_the_number():
    # micrograd's code branches on Values (relu, max); these stay as they are.
    assert bool(Value(0.5)) and Value(1.0) < Value(2.0) and Value(3.0) >= 3
    assert max([Value(1.0), Value(4.0), Value(2.0)]).data == 4.0
