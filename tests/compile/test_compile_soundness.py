"""compile is the scalar engine's answer sample by sample, or a clear refusal.

Each example of the soundness issue, and the reads it lists, one test each:
equal to eager (values, gradients, errors) or refused with an error naming
the user's line."""

import math
import threading

import numpy as np
import pytest

import nn
from autograd_lite import Value, compile, no_grad, select, vsum
from autograd_lite.compile import (Batch, ConcretizationError, GuardError, Reduced,
                                   SampleIndexError)


def eager(fn, *columns):
    """fn on each sample's Values: the data of each result."""
    return [fn(*(Value(float(c)) for c in row)).data for row in zip(*columns)]


# ---------------------------------------------------------------------------
# Numbers read from traced Values: followed per sample
# ---------------------------------------------------------------------------

def test_x_times_its_own_data_is_right_for_every_call():
    f = compile(lambda x: x * x.data)
    assert f(np.array([2.0])).data.tolist() == [4.0]
    assert f(np.array([3.0])).data.tolist() == [9.0]


def test_x_times_its_own_data_is_right_after_a_first_call_whose_samples_agree():
    g = compile(lambda x: x * x.data)
    g(np.array([2.0, 2.0]))
    assert g(np.array([3.0, 5.0])).data.tolist() == [9.0, 25.0]


def test_the_gradient_of_x_times_its_data_treats_the_data_as_a_constant():
    w = Value(3.0)
    out = compile(lambda x: (w * x) * (w * x).data)(np.array([1.0, 2.0]))
    out.sum().backward()
    assert w.grad == 1.0 * 3.0 + 2.0 * 6.0


def test_microgpts_softmax_shift_by_the_max_of_data_equals_eager():
    def softmax(xs):
        m = max(v.data for v in xs)
        exps = [(v - m).exp() for v in xs]
        total = vsum(exps)
        return [e / total for e in exps]
    rows = np.array([[1.0, 3.0, 2.0], [0.5, 7.0, -1.0], [-2.0, 1.0, 0.0]])
    got = compile(softmax)(rows).data
    expected = [[v.data for v in softmax([Value(x) for x in row])] for row in rows]
    assert got.tolist() == expected


def test_a_parameters_data_read_inside_fn_follows_the_parameter_between_calls():
    w = Value(2.0)
    f = compile(lambda x: x * w.data)
    assert f(np.array([1.0])).data.tolist() == [2.0]
    w.data = 5.0
    assert f(np.array([1.0])).data.tolist() == [5.0]


def test_detach_inside_fn_is_the_number_per_sample_without_a_gradient():
    w = Value(2.0)
    out = compile(lambda x: (w * x) * (w * x).detach())(np.array([1.0, 3.0]))
    assert out.data.tolist() == [4.0, 36.0]
    out.sum().backward()
    assert w.grad == 1.0 * 2.0 + 3.0 * 6.0


def test_item_inside_fn_is_followed_per_sample():
    assert compile(lambda x: x + x.item())(np.array([1.0, 4.0])).data.tolist() == [2.0, 8.0]


def test_numpy_scalar_arithmetic_on_data_is_followed_per_sample():
    f = compile(lambda x: x * (np.float64(2.0) * x.data))
    assert f(np.array([1.0, 3.0])).data.tolist() == [2.0, 18.0]


def test_a_number_read_from_data_can_be_returned():
    assert compile(lambda x: (x * 2).data)(np.array([1.0, 4.0])).data.tolist() == [2.0, 8.0]


# ---------------------------------------------------------------------------
# Branches: guards on every sample of every call
# ---------------------------------------------------------------------------

def test_a_branch_on_data_against_an_input_gives_each_sample_its_own_branch():
    def fn(x, y):
        return x * 1.0 if x.data > y else y * 1.0
    x, y = np.array([1., 1., 3.]), np.array([2., 100., 2.])
    f = compile(fn)
    assert f(x, y).data.tolist() == eager(fn, x, y) == [2.0, 100.0, 3.0]
    assert len(f) == 2                               # one trace per branch taken


def test_a_sample_beyond_the_branch_patterns_kept_is_refused_naming_the_comparison():
    def fn(x):
        return vsum([x * 1.0] + [x * float(k) for k in range(10) if x.data > k])
    with pytest.raises(GuardError, match=r"`>` .* at test_compile_soundness.py:\d+ "
                                         r"\(`return vsum.*sample 8"):
        compile(fn)(np.arange(10) + 0.5)


def test_a_branch_where_every_sample_agrees_is_one_trace():
    def fn(x, y):
        return x * 1.0 if x.data > y else y * 1.0
    x, y = np.array([1., 1., 0.]), np.array([2., 100., 2.])
    f = compile(fn)
    assert f(x, y).data.tolist() == eager(fn, x, y)
    assert len(f) == 1


def test_truthiness_of_data_is_checked_on_every_sample():
    f = compile(lambda x: x + 2 if x.data else x + 3)
    assert f(np.array([1.0, 100.0])).data.tolist() == [3.0, 102.0]
    assert f(np.array([1., 100., 0.])).data.tolist() == [3.0, 102.0, 3.0]


def test_a_guard_is_checked_on_later_calls_too():
    f = compile(lambda x: x * 2 if x > 0 else x * 3)
    f(np.array([1.0, 2.0]))
    assert f(np.array([1.0, -2.0])).data.tolist() == [2.0, -6.0]


def test_a_guard_on_a_parameter_is_checked_at_every_call():
    w = Value(1.0)
    f = compile(lambda x: x * w if w > 0 else x)
    assert f(np.array([2.0])).data.tolist() == [2.0]
    w.data = -1.0
    assert f(np.array([2.0])).data.tolist() == [2.0]
    w.data = 3.0
    assert f(np.array([2.0])).data.tolist() == [6.0]


def test_math_isnan_of_data_is_refused_naming_the_line_and_the_rewrite():
    fn = lambda x: Value(0.0) if math.isnan(x.data) else x + 0.0   # noqa: E731
    with pytest.raises(ConcretizationError, match=r"test_compile_soundness.py:\d+ .*"
                                                  r"x.data != x.data is math.isnan"):
        compile(fn)(np.array([1., 2., np.nan]))


def test_the_rewrite_of_isnan_as_a_comparison_compiles():
    fn = lambda x: x * 0.0 if x.data != x.data else x + 0.0   # noqa: E731
    assert compile(fn)(np.array([1.0, 2.0])).data.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("read", [float, int, round, math.exp, str, hash,
                                  lambda d: f"{d:.3f}", np.exp, np.asarray,
                                  lambda d: [0, 1][d], lambda d: d // 2])
def test_turning_a_traced_number_into_a_plain_one_is_refused(read):
    with pytest.raises(TypeError, match=r"compile: .*test_compile_soundness.py:\d+"):
        compile(lambda x: x * read(x.data))(np.array([1.0, 2.0]))


def test_assigning_data_inside_fn_is_refused():
    def fn(x):
        x.data = 5.0
        return x * 1.0
    with pytest.raises(ConcretizationError, match="assigns a Value's .data"):
        compile(fn)(np.array([1.0]))


def test_no_grad_inside_fn_is_refused():
    def fn(x):
        with no_grad():
            y = x * 2
        return y + x
    with pytest.raises(ConcretizationError, match="no_grad"):
        compile(fn)(np.array([1.0]))


def test_huber_loss_is_eagers_where_samples_take_both_branches():
    x, y = np.array([0., 100., 3.]), np.array([0., 100., 0.])
    assert compile(nn.huber_loss)(x, y).data.tolist() == eager(nn.huber_loss, x, y) \
        == [0.0, 0.0, 2.5]


def test_eager_code_outside_a_trace_reads_plain_floats():
    compile(lambda x: x * x.data)(np.array([1.0]))
    assert type(Value(2.0).data) is float
    assert type(Value.__dict__["data"]).__name__ == "member_descriptor"


# ---------------------------------------------------------------------------
# Untaken branches contribute exactly zero
# ---------------------------------------------------------------------------

def test_an_unselected_branch_with_an_infinite_derivative_adds_no_nan():
    w = Value(2.0)
    f = compile(lambda x, y: select([(w * x).sqrt(), w * x], y))
    f(np.array([1., 0.]), np.array([0, 1])).sum().backward()
    v = Value(2.0)
    for x, y in ((1.0, 0), (0.0, 1)):
        select([(v * x).sqrt(), v * x], y).backward()
    assert w.grad == v.grad == pytest.approx(0.35355339059327373)


def test_an_output_not_backpropagated_adds_no_nan_beside_an_infinite_derivative():
    w = Value(0.0)
    out = compile(lambda x: [w * x, w.sqrt() * x])(np.array([1.0, 2.0]))
    out[:, 0].mean().backward()
    assert w.grad == 1.5


def test_a_reached_node_with_zero_gradient_and_infinite_partial_is_nan_as_eager():
    w = Value(0.0)
    out = compile(lambda x: w.sqrt() * x)(np.array([0.0]))
    out.sum().backward()
    v = Value(0.0)
    (v.sqrt() * 0.0).backward()
    assert math.isnan(v.grad) and math.isnan(w.grad)


def test_a_zero_weight_in_backward_leaves_that_output_out():
    w = Value(0.0)
    out = compile(lambda x: [w * x, w.sqrt() * x])(np.array([1.0, 2.0]))
    out.backward(np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert w.grad == 3.0


def test_a_node_below_a_stop_gradient_only_gets_nothing():
    w = Value(0.0)
    out = compile(lambda x: w * x + (w.sqrt() * x).data)(np.array([1.0]))
    out.sum().backward()
    assert w.grad == 1.0


# ---------------------------------------------------------------------------
# Batches passed to compiled functions
# ---------------------------------------------------------------------------

def test_compiled_functions_compose_with_eagers_gradients():
    w1, w2 = Value(2.0), Value(3.0)
    h = compile(lambda x: w1 * x)(np.array([1., 2.]))
    compile(lambda h: w2 * h)(h).sum().backward()
    assert (w1.grad, w2.grad) == (9.0, 6.0)


def test_a_batch_passed_twice_gets_both_gradients():
    w = Value(2.0)
    h = compile(lambda x: w * x)(np.array([1., 2.]))
    compile(lambda a, b: a * b)(h, h).sum().backward()
    assert w.grad == pytest.approx(2 * 2.0 * (1 + 4))


def test_composition_keeps_an_unreached_upstream_output_out():
    w = Value(0.0)
    h = compile(lambda x: [w * x, w.sqrt() * x])(np.array([1.0, 2.0]))
    compile(lambda h: h[0] * 1.0)(h).sum().backward()
    assert w.grad == 3.0


# ---------------------------------------------------------------------------
# Errors as eager, naming the right sample
# ---------------------------------------------------------------------------

def test_a_guard_comes_before_a_domain_error_of_the_same_sample():
    fn = lambda x: x.log() if x > 0 else x * 0.0    # noqa: E731
    x = np.array([1.0, -1.0])
    assert compile(fn)(x).data.tolist() == eager(fn, x) == [0.0, -0.0]


def test_the_error_of_the_lowest_sample_is_raised():
    def fn(x, y):
        return x.sqrt() + y.log()
    with pytest.raises(ValueError, match=r"log.*\(sample 1\)"):
        compile(fn)(np.array([1.0, 1.0, -1.0]), np.array([1.0, -1.0, 1.0]))


def test_within_a_sample_the_first_error_in_program_order_is_raised():
    def fn(x):
        a = x.log()
        b = (x + 2.0).sqrt()
        return b + a
    with pytest.raises(ValueError, match=r"^log"):
        compile(fn)(np.array([1.0, -5.0]))
    for x in (-5.0,):
        with pytest.raises(ValueError, match=r"^log"):
            fn(Value(x))


def test_a_domain_error_in_a_node_fn_does_not_use_is_raised_as_eager():
    def fn(x):
        x.log()
        return x * 2
    with pytest.raises(ValueError, match=r"log.*sample 1"):
        compile(fn)(np.array([1.0, -1.0]))


def test_an_unused_select_out_of_range_names_its_sample():
    def fn(x, i):
        select([x, x * 2], i)
        return x * 1.0
    with pytest.raises(SampleIndexError, match="index 5 of sample 1"):
        compile(fn)(np.array([1.0, 2.0]), np.array([0, 5]))


def test_binary_cross_entropy_at_zero_clamps_as_eager_does():
    fn = lambda p, y: nn.binary_cross_entropy([p], [y])    # noqa: E731
    p, y = np.array([0.5, 0.0, 1e-300]), np.array([1.0, 1.0, 1.0])
    assert compile(fn)(p, y).data.tolist() == eager(fn, p, y)
    assert eager(fn, p, y)[1:] == [100.0, 100.0]


def test_two_threads_making_the_first_calls_get_right_answers():
    w = Value(2.0)
    f = compile(lambda x: w * x if x > 0 else w * x * x)
    results, errors = [], []

    def call(values):
        try:
            results.append(f(np.array(values)).data.tolist())
        except Exception as error:   # noqa: BLE001 (collected and checked below)
            errors.append(error)
    threads = [threading.Thread(target=call, args=([1.0, 2.0],)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [[2.0, 4.0]] * 4


# ---------------------------------------------------------------------------
# The trace cache, reductions, per-sample ints
# ---------------------------------------------------------------------------

def test_max_traces_keeps_the_most_recently_used_and_clear_drops_all():
    f = compile(lambda xs: vsum(xs), max_traces=2)
    for n in (1, 2, 3):
        f(np.ones((2, n)))
    assert len(f) == 2
    f.clear()
    assert len(f) == 0
    assert f(np.ones((2, 3))).data.tolist() == [3.0, 3.0]


def test_max_traces_must_be_a_positive_int():
    with pytest.raises(ValueError, match="max_traces"):
        compile(lambda x: x, max_traces=0)


def test_reductions_take_arithmetic_with_numbers_and_other_reductions():
    w = Value(2.0)
    out = compile(lambda x: w * x)(np.array([1.0, 3.0]))
    loss = 2.0 * out.mean() + out.sum() / 4 - 1.0
    assert isinstance(loss, Reduced)
    v = Value(2.0)
    terms = [v * 1.0, v * 3.0]
    expected = 2.0 * (vsum(terms) / 2) + vsum(terms) / 4 - 1.0
    assert loss.data == expected.data
    loss.backward()
    expected.backward()
    assert w.grad == v.grad


def test_a_traced_index_used_as_a_sequence_says_to_pass_a_row_per_sample():
    with pytest.raises(TypeError, match=r"one row of ints per sample.*\(B, T\)"):
        compile(lambda x, tok: x * 1.0 if tok[0] else x)(np.ones(2), np.array([1, 2]))


def test_a_ragged_batch_names_the_grouping_helper():
    with pytest.raises(TypeError, match="nn.data.group_by_length"):
        compile(lambda x: x)([[1.0, 2.0], [1.0]])


def test_select_of_rows_returns_the_row_eagerly_and_per_sample_compiled():
    table = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    assert [v.data for v in select(table, 1)] == [3.0, 4.0]
    out = compile(lambda x, i: [x * v for v in select(table, i)])(
        np.array([1.0, 2.0]), np.array([1, 0]))
    assert out.data.tolist() == [[3.0, 4.0], [2.0, 4.0]]
    out.sum().backward()
    assert [[v.grad for v in row] for row in table] == [[2.0, 2.0], [1.0, 1.0]]


def test_a_batch_is_importable_where_tests_and_demos_import_it():
    assert Batch.__module__ == "autograd_lite.compile.batch"


def test_a_hand_built_node_with_traced_data_is_refused_not_detached():
    def fn(x):
        return Value(x.data * 2.0, (x,), (2.0,))
    with pytest.raises(ConcretizationError, match="test_compile_soundness.py"):
        compile(fn)(np.array([1.0]))


def test_a_power_with_an_exponent_read_from_data_is_refused():
    with pytest.raises(ConcretizationError, match=r"x \*\* \(a number read"):
        compile(lambda x: x ** x.data)(np.array([2.0]))


def test_samples_on_different_branches_get_eagers_gradients():
    w = Value(0.5)
    fn = lambda x: (w * x).sqrt() if x > 0 else w * x * x    # noqa: E731
    x = np.array([1.0, -2.0, 4.0, 0.0])
    out = compile(fn)(x)
    out.sum().backward()
    v = Value(0.5)
    for sample in x:
        ((v * sample).sqrt() if sample > 0 else v * sample * sample).backward()
    assert out.data.tolist() == eager(lambda x: fn(x), x)
    assert w.grad == pytest.approx(v.grad, rel=1e-12)


def test_an_error_of_a_lower_sample_on_another_branch_is_raised_first():
    fn = lambda x: (x - 10.0).log() if x > 5 else (x + 1.0).sqrt()   # noqa: E731
    with pytest.raises(ValueError, match=r"sqrt.*sample 1"):
        compile(fn)(np.array([11.0, -3.0, 7.0, 8.0]))


def test_a_node_built_by_hand_is_refused_naming_its_line():
    def fn(x):
        return Value(2.0, (x,), (1.0,)) * x
    with pytest.raises(ConcretizationError, match=r"by hand.*test_compile_soundness.py:\d+ "
                                                  r"\(`return Value\(2.0"):
        compile(fn)(np.array([1.0]))


def test_a_branched_batch_passed_on_carries_each_samples_gradient():
    w1, w2 = Value(2.0), Value(3.0)
    h = compile(lambda x: w1 * x if x > 0 else w1 * x * x)(np.array([1.0, -2.0, 3.0]))
    compile(lambda h: w2 * h)(h).sum().backward()
    v1, v2 = Value(2.0), Value(3.0)
    for x in (1.0, -2.0, 3.0):
        (v2 * (v1 * x if x > 0 else v1 * x * x)).backward()
    assert (w1.grad, w2.grad) == (v1.grad, v2.grad)


def test_max_traces_also_bounds_the_branch_patterns_of_one_structure():
    f = compile(lambda x: x * 2 if x > 0 else x * 3, max_traces=1)
    with pytest.raises(GuardError, match="sample 1"):
        f(np.array([1.0, -1.0]))
    assert len(f) == 1


def test_a_defined_ops_own_value_error_is_raised_for_the_lowest_sample_as_eager_does():
    import math
    import numpy as np
    import pytest
    from autograd_lite import compile, define_op, remove_op

    def picky(x):
        if x < 0:
            raise ValueError(f"picky: x must be >= 0, got {x}")
        return math.sqrt(x)

    define_op("picky", picky, "0.5 / out", domain=(0.5, 2.0))
    try:
        f = compile(lambda x: x.picky())     # type: ignore[attr-defined]
        assert f(np.array([4.0, 9.0])).data.tolist() == [2.0, 3.0]
        with pytest.raises(ValueError, match="sample 1") as refused:
            f(np.array([4.0, -1.0, -2.0]))
        assert "-1.0" in str(refused.value)
    finally:
        remove_op("picky")
