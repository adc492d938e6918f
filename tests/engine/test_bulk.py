"""autograd_lite.bulk: the numbers of many Values as arrays, exactly, in order."""

import random

import numpy as np
import pytest

from autograd_lite import Value
from autograd_lite.bulk import add_grads, read_data, read_grads, write_data, zero_grads


def values(n=50, seed=0):
    rng = random.Random(seed)
    out = [Value(rng.uniform(-1e3, 1e3)) for _ in range(n)]
    for v in out:
        v.grad = rng.uniform(-1.0, 1.0)
    return out


def test_read_data_gives_every_value_in_order_as_the_same_float64():
    vs = values()
    array = read_data(vs)
    assert array.dtype == np.float64 and array.shape == (50,)
    assert array.tolist() == [v.data for v in vs]


def test_the_array_read_shares_nothing_with_the_values():
    vs = values(3)
    array = read_data(vs)
    array[0] = 7.0
    assert vs[0].data != 7.0


def test_writing_what_was_read_changes_no_bit():
    vs = values()
    before = [v.data for v in vs]
    write_data(vs, read_data(vs))
    assert [v.data for v in vs] == before
    assert all(type(v.data) is float for v in vs)


def test_write_data_sets_each_value_to_its_position_in_the_array():
    vs = values(4)
    write_data(vs, np.array([1.0, -0.0, 2.5, 1e-300]))
    assert [v.data for v in vs] == [1.0, -0.0, 2.5, 1e-300]
    assert str(vs[1].data) == "-0.0"


@pytest.mark.parametrize("array, message", [
    (np.zeros(3), "expected 4 numbers, one per Value, got 3"),
    (np.zeros((2, 2)), "a 1-d float64 array of 4 numbers, got an array of shape"),
    (np.zeros(4, dtype=np.float32), "dtype float32"),
    ([0.0] * 4, "got list"),
])
def test_an_array_of_the_wrong_length_shape_or_type_is_refused_before_writing(array, message):
    vs = values(4)
    before = [v.data for v in vs]
    with pytest.raises(ValueError, match=message):
        write_data(vs, array)
    with pytest.raises(ValueError, match=message):
        add_grads(vs, array)
    assert [v.data for v in vs] == before


def test_read_grads_reads_floats_ints_and_the_data_of_value_gradients():
    x = Value(3.0)
    (x * x).backward(create_graph=True)          # x.grad is a Value: 2 x
    other, whole = Value(1.0), Value(2.0)
    other.grad, whole.grad = np.float32(0.5), 4
    assert read_grads([x, other, whole]).tolist() == [6.0, 0.5, 4.0]


def test_read_grads_keeps_a_real_nan_and_refuses_a_gradient_that_is_not_a_number():
    vs = values(3)
    vs[1].grad = float("nan")
    assert np.isnan(read_grads(vs)[1])
    vs[2].grad = None                            # numpy alone would read None as nan
    with pytest.raises(TypeError, match=r"step: the grad of Value 2 must be a number"):
        read_grads(vs, where="step")
    vs[2].grad = [1.0]
    with pytest.raises(TypeError, match="the grad of Value 2 must be a number"):
        read_grads(vs)


def test_add_grads_adds_as_backward_does_with_the_same_rounding():
    vs = values()
    extra = np.array([random.Random(1).uniform(-1, 1) for _ in vs])
    expected = [v.grad + x for v, x in zip(vs, extra.tolist())]
    add_grads(vs, extra)
    assert [v.grad for v in vs] == expected


def test_add_grads_into_a_value_gradient_keeps_it_a_value():
    x = Value(3.0)
    (x * x).backward(create_graph=True)
    add_grads([x], np.array([1.0]))
    assert type(x.grad) is Value and x.grad.data == 7.0


def test_zero_grads_zeroes_every_gradient_and_leaves_the_data():
    vs = values()
    before = [v.data for v in vs]
    zero_grads(vs + vs[:3])                      # listed twice: zeroed twice
    assert [v.grad for v in vs] == [0.0] * 50
    assert [v.data for v in vs] == before


def test_the_functions_take_tuples_and_empty_lists():
    vs = tuple(values(3))
    assert read_data(vs).tolist() == [v.data for v in vs]
    assert read_data([]).shape == (0,) and read_grads([]).shape == (0,)
    write_data([], np.zeros(0))
    zero_grads(())
