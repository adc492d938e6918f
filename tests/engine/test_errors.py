"""Bad input gets a TypeError or ValueError that says what was expected and what
was got: each case with its message."""

import math
import re

import pytest

from autograd_lite import DomainError, Value, dot, logsumexp, vsum

INF = float("inf")

# (thunk, exception types it must be, fragments its message must contain)
CASES = {
    "string data": (lambda: Value("a"), (TypeError,),
                    ["Value", "int, float, bool or numpy scalar", "got str"]),
    "Value data": (lambda: Value(Value(1)), (TypeError,),
                   ["Value", "int, float, bool or numpy scalar", "got Value", "x.data"]),
    "None data": (lambda: Value(None), (TypeError,), ["got NoneType"]),
    "complex data": (lambda: Value(1 + 2j), (TypeError,), ["got complex"]),
    "number children": (lambda: Value(1.0, (1, 2)), (TypeError,),
                        ["_children must be Values", "got int"]),
    "log of -1": (lambda: Value(-1).log(), (ValueError, DomainError),
                  ["log: input must be > 0, got -1.0"]),
    "log of 0": (lambda: Value(0).log(), (ValueError,), ["log: input must be > 0, got 0.0"]),
    "log of nan": (lambda: Value(math.nan).log(), (ValueError,), ["log", "got nan"]),
    "sqrt of -1": (lambda: Value(-1).sqrt(), (ValueError,),
                   ["sqrt: input must be >= 0, got -1.0"]),
    "x / 0": (lambda: Value(1.0) / 0, (ValueError, ZeroDivisionError),
              ["div", "division by zero", "1.0 / 0"]),
    "x / Value(0)": (lambda: Value(1.0) / Value(0.0), (ValueError, ZeroDivisionError),
                     ["div", "division by zero", "1.0 / 0.0"]),
    "1 / Value(0)": (lambda: 1 / Value(0.0), (ValueError, ZeroDivisionError),
                     ["div", "division by zero"]),
    "0 ** -1": (lambda: Value(0.0) ** -1, (ValueError, ZeroDivisionError),
                ["pow", "0.0", "negative power", "-1"]),
    "(-8) ** (1/3)": (lambda: Value(-8.0) ** (1 / 3), (ValueError,),
                      ["pow", "negative base", "integer exponent", "-8.0", "abs(x)"]),
    "Value ** Value, negative base": (lambda: Value(-2.0) ** Value(0.5), (ValueError,),
                                      ["pow", "base must be >= 0", "exponent is a Value",
                                       "-2.0"]),
    "number ** Value, negative base": (lambda: (-2.0) ** Value(2.0), (ValueError,),
                                       ["pow", "base must be >= 0", "-2.0"]),
    "0 ** Value(0)": (lambda: Value(0.0) ** Value(0.0), (ValueError, ZeroDivisionError),
                      ["pow", "non-positive power"]),
    "exp overflow": (lambda: Value(1000.0).exp(), (ValueError, OverflowError),
                     ["exp", "overflows", "1000.0", "709.78"]),
    "pow overflow": (lambda: Value(10.0) ** 400, (ValueError, OverflowError),
                     ["pow", "overflows", "10.0", "400"]),
    "sin of inf": (lambda: Value(INF).sin(), (ValueError,), ["sin: input must be finite, got inf"]),
    "cos of -inf": (lambda: Value(-INF).cos(), (ValueError,), ["cos", "finite", "-inf"]),
    "Value + str": (lambda: Value(1.0) + "a", (TypeError,), ["+", "Value", "str"]),
    "Value * None": (lambda: Value(1.0) * None, (TypeError,), ["*", "Value", "NoneType"]),
    "Value ** str": (lambda: Value(1.0) ** "a", (TypeError,), ["Value", "str"]),
    "leaky_relu alpha": (lambda: Value(1.0).leaky_relu(alpha="x"), (TypeError,),
                         ["leaky_relu", "alpha must be a number", "got str"]),
    "elu alpha": (lambda: Value(1.0).elu(alpha=None), (TypeError,),
                  ["elu", "alpha must be a number", "got NoneType"]),
    "dot lengths": (lambda: dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0]), (ValueError,),
                    ["dot", "same length", "2", "3"]),
    "dot of strings": (lambda: dot([Value(1.0)], ["a"]), (TypeError,), ["dot", "got str"]),
    "empty logsumexp": (lambda: logsumexp([]), (ValueError,),
                        ["logsumexp", "at least one value", "empty"]),
    "vsum of strings": (lambda: vsum(["a"]), (TypeError,), ["got str"]),
    "backward grad str": (lambda: Value(1.0).backward(grad="x"), (TypeError,),
                          ["backward", "grad", "int, float, bool or numpy scalar", "got str"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_raises_a_clear_error(case):
    thunk, types, fragments = CASES[case]
    with pytest.raises(types[0]) as caught:
        thunk()
    error = caught.value
    for kind in types:
        assert isinstance(error, kind), f"{case}: {type(error).__name__} is not a {kind.__name__}"
    message = str(error)
    for fragment in fragments:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"
    assert "math domain error" not in message


def test_log_of_minus_one_has_the_exact_message():
    with pytest.raises(ValueError, match=re.escape("log: input must be > 0, got -1.0")):
        Value(-1.0).log()


def test_division_by_zero_is_catchable_as_zero_division_error():
    with pytest.raises(ZeroDivisionError):
        Value(2.0) / 0.0


def test_exp_overflow_is_catchable_as_overflow_error():
    with pytest.raises(OverflowError):
        Value(710.0).exp()


def test_domain_errors_are_raised_before_any_node_is_built():
    x = Value(-1.0)
    with pytest.raises(ValueError):
        x.log()
    y = x * 2.0
    y.backward()
    assert x.grad == 2.0


def test_a_failed_op_inside_a_graph_leaves_the_graph_usable():
    x = Value(0.5)
    y = x.tanh()
    with pytest.raises(ValueError):
        (y - 1.0).log()
    y.backward()
    assert x.grad == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)
