"""An error names what the user called (not a helper inside it), and its
exception class is public: exported, documented, printed by its public path."""

import traceback
from pathlib import Path

import numpy as np
import pytest

import autograd_lite
import nn
from autograd_lite import Value, dot, gradcheck, gradgradcheck, logsumexp, vsum

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

# ---- functions over many values ------------------------------------------------

NOT_A_NUMBER = ["a", None, [1.0], object()]


@pytest.mark.parametrize("bad", NOT_A_NUMBER, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("name, call", [
    ("vsum", lambda xs: vsum(xs)),
    ("logsumexp", lambda xs: logsumexp(xs)),
    ("dot", lambda xs: dot([Value(1.0)] * len(xs), xs)),
    ("dot", lambda xs: dot([Value(1.0), 2.0, 3.0], xs)),
])
def test_a_bad_element_is_named_by_the_function_and_its_position(name, call, bad):
    with pytest.raises(TypeError) as error:
        call([1.0, Value(2.0), bad])
    message = str(error.value)
    assert message.startswith(f"{name}: element 2: ")
    assert f"got {type(bad).__name__}" in message


@pytest.mark.parametrize("name, call", [("vsum", vsum), ("logsumexp", logsumexp),
                                        ("dot", lambda x: dot(x, x))])
@pytest.mark.parametrize("bad", [3.0, "abc", None])
def test_a_non_sequence_is_named_by_the_function(name, call, bad):
    with pytest.raises(TypeError, match=f"^{name}: expected a sequence of Values or numbers, "
                                        f"got {type(bad).__name__}"):
        call(bad)


# ---- models ---------------------------------------------------------------------

MODELS = {
    "MLP": lambda: nn.MLP(3, [4, 2], seed=0),
    "MLP with one output": lambda: nn.MLP(3, [4, 1], seed=0),
    "Layer": lambda: nn.Layer(3, 2, seed=0),
    "Neuron": lambda: nn.Neuron(3, seed=0),
}
# input -> (exception type, fragments of the message)
BAD_SAMPLES = {
    "a string": ("abc", TypeError, ["one sample, a sequence of 3 numbers or Values",
                                    "got a str"]),
    "a number": (1.0, TypeError, ["got a single float", "wrap it: [x]"]),
    "a Value": (Value(1.0), TypeError, ["got a single Value", "wrap it: [x]"]),
    "too few inputs": ([1.0, 2.0], ValueError, ["expects 3 inputs, got 2"]),
    "too many inputs": (np.zeros(4), ValueError, ["expects 3 inputs, got 4"]),
    "a str input": ([1.0, "2", 3.0], TypeError, ["input 1 must be a number or a Value",
                                                 "got str '2'"]),
    "a None input": ([1.0, 2.0, None], TypeError, ["input 2 must be a number or a Value"]),
    "a batch array": (np.zeros((2, 3)), TypeError,
                      ["got an array of shape (2, 3)", "a model takes one sample",
                       "[model(x) for x in X]", "autograd_lite.compile"]),
    "a batch list": ([[1.0, 2.0, 3.0]] * 5, TypeError,
                     ["a sequence of 5 sequences", "a model takes one sample",
                      "autograd_lite.compile"]),
}


def _called(model) -> str:
    """How the error is to start: the name of what the user called."""
    if isinstance(model, nn.MLP):
        return "MLP(3 inputs): "
    return f"{model!r}: "


@pytest.mark.parametrize("case", sorted(BAD_SAMPLES))
@pytest.mark.parametrize("model_name", sorted(MODELS))
def test_a_bad_sample_is_named_by_the_model_called(model_name, case):
    model = MODELS[model_name]()
    sample, kind, fragments = BAD_SAMPLES[case]
    with pytest.raises(kind) as error:
        model(sample)
    message = str(error.value)
    assert message.startswith(_called(model)), message
    for fragment in fragments:
        assert fragment in message
    assert "dot" not in message


@pytest.mark.parametrize("model_name", sorted(MODELS))
def test_an_iterator_of_the_wrong_length_is_named_by_the_model_called(model_name):
    model = MODELS[model_name]()
    with pytest.raises(ValueError) as error:
        model(iter([1.0, 2.0]))
    assert str(error.value) == (f"{_called(model)}expects 3 inputs, got 2; pass one sample "
                                f"of 3 numbers or Values, or build the model with nin=2 "
                                f"for data of 2 features")
    assert model(x for x in [1.0, 2.0, 3.0]) is not None     # a right one works


@pytest.mark.parametrize("case", sorted(BAD_SAMPLES))
@pytest.mark.parametrize("model_name", sorted(MODELS))
def test_a_bad_sample_raises_one_error_not_a_chain_repeating_it(model_name, case):
    model = MODELS[model_name]()
    sample, kind, _ = BAD_SAMPLES[case]
    with pytest.raises(kind) as error:
        model(sample)
    assert error.value.__cause__ is None and error.value.__context__ is None
    printed = "".join(traceback.format_exception(error.type, error.value, error.tb))
    assert printed.count("expects 3 inputs") <= 1 and printed.count("must be a number") <= 1


@pytest.mark.parametrize("kind", [ValueError, TypeError, autograd_lite.DomainError])
def test_an_error_inside_the_forward_of_a_good_sample_is_left_as_it_is(kind):
    model = nn.MLP(3, [2, 1], seed=0)

    def activation(x):
        raise kind("raised by the activation")

    model.layers[0].neurons[1]._activate = activation
    with pytest.raises(kind) as error:
        model([1.0, 2.0, 3.0])
    assert str(error.value) == "raised by the activation"


# ---- gradcheck ---------------------------------------------------------------------

@pytest.mark.parametrize("check", [gradcheck, gradgradcheck], ids=lambda f: f.__name__)
def test_gradcheck_at_a_single_number_says_to_pass_a_list(check):
    name = check.__name__
    with pytest.raises(TypeError) as error:
        check(lambda x: x * x, 1.0)
    assert str(error.value) == (
        f"{name}: inputs must be a sequence with one number per argument of f, "
        f"got float; write {name}(f, [1.0])")


@pytest.mark.parametrize("check", [gradcheck, gradgradcheck], ids=lambda f: f.__name__)
def test_gradcheck_of_something_not_callable_says_so(check):
    with pytest.raises(TypeError, match=f"^{check.__name__}: f must be a function"):
        check(2.0, [1.0])


# ---- domain errors ---------------------------------------------------------------------

DOMAIN_ERRORS = {
    "log(-1)": (lambda: Value(-1.0).log(), "DomainError", ValueError),
    "x / 0": (lambda: Value(1.0) / 0, "DivisionByZeroError", ZeroDivisionError),
    "1 / Value(0)": (lambda: 1 / Value(0.0), "DivisionByZeroError", ZeroDivisionError),
    "0 ** -1": (lambda: Value(0.0) ** -1, "DivisionByZeroError", ZeroDivisionError),
    "exp(1000)": (lambda: Value(1000.0).exp(), "FloatOverflowError", OverflowError),
    "10 ** 400": (lambda: Value(10.0) ** 400, "FloatOverflowError", OverflowError),
}


@pytest.mark.parametrize("case", sorted(DOMAIN_ERRORS))
def test_domain_errors_are_public_classes_printed_by_their_public_path(case):
    thunk, name, builtin = DOMAIN_ERRORS[case]
    with pytest.raises(builtin) as error:
        thunk()
    kind = type(error.value)
    assert kind.__name__ == name and getattr(autograd_lite, name) is kind
    assert name in autograd_lite.__all__
    assert issubclass(kind, autograd_lite.DomainError) and issubclass(kind, ValueError)
    shown = "".join(traceback.format_exception_only(kind, error.value))
    assert shown.startswith(f"autograd_lite.{name}: ")


@pytest.mark.parametrize("name", ["DomainError", "DivisionByZeroError", "FloatOverflowError"])
def test_the_readme_lists_each_domain_error(name):
    assert f"`{name}`" in README or f"`autograd_lite.{name}`" in README
