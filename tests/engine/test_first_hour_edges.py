"""What a learner meets in the first hour: PyTorch's and Python's idioms either
work or say what to write instead."""

import inspect

import pytest

from autograd_lite import Leaves, Value, dot
from nn import MLP


def test_grad_set_to_none_is_an_error_that_names_the_fix():
    w = Value(2.0)
    loss = (w * 3.0).tanh()
    w.grad = None
    with pytest.raises(TypeError, match=r"p\.grad = 0\.0 \(or model\.zero_grad\(\)\) instead "
                                        r"of p\.grad = None"):
        loss.backward()


def test_grad_set_to_none_on_a_neurons_weight_names_the_fix_too():
    model = MLP(3, [2, 1], seed=0)
    loss = model([1.0, 0.0, 2.0])
    model.parameters()[0].grad = None
    with pytest.raises(TypeError, match="instead of p.grad = None"):
        loss.backward()


def test_after_the_fix_backward_works_again():
    w = Value(2.0)
    loss = w * w + w
    w.grad = None
    with pytest.raises(TypeError):
        loss.backward()
    w.grad = 0.0
    loss.backward()
    assert w.grad == 5.0


class MyValue(Value):
    """A learner's subclass, e.g. to add a method of their own."""

    def double(self):
        return self * 2


def test_a_subclass_of_value_is_accepted_as_a_child():
    a, b = MyValue(2.0), Value(3.0)
    c = Value(a.data * b.data, (a, b), (b.data, a.data))
    c.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)
    assert c._prev == (a, b)


def test_a_subclass_of_value_works_with_every_operator_and_the_fused_functions():
    a, b = MyValue(2.0), Value(3.0)
    y = a.double() + b * a + a * b - a / b + b ** a + 1.0 - a + dot([a, b], [1.0, 2.0])
    y = y + dot(Leaves([a, b]), (2.0, 1.0)) + (a < b) * 1.0
    y.backward()
    assert a.grad == pytest.approx(2 + 3 + 3 - 1 / 3 + 3 ** 2 * 1.0986122886681098 - 1 + 1 + 2)
    assert b.grad == pytest.approx(2 + 2 + 2 / 9 + 2 * 3 + 2 + 1)


@pytest.mark.parametrize("name", sorted(n for n in dir(Value) if not n.startswith("_")))
def test_every_public_method_of_value_has_a_docstring_and_a_clean_signature(name):
    member = getattr(Value, name)
    if not callable(member):            # data, grad, op, label: slots
        return
    assert member.__doc__ and member.__doc__.strip(), name
    parameters = inspect.signature(member).parameters
    assert list(parameters)[0] == "self"
    assert all(p.kind is not p.VAR_POSITIONAL and p.kind is not p.VAR_KEYWORD
               for p in parameters.values()), name


def test_round_of_a_value_says_what_to_write():
    x = Value(3.14159)
    with pytest.raises(TypeError, match=r"round\(x\.data, 2\)"):
        round(x, 2)
    with pytest.raises(TypeError, match=r"round\(x\.data\)"):
        round(x)
