"""The op table, op by op: every entry against central differences, the
constant fast paths against the general path, and the numerically delicate
cases (negative bases, huge inputs to sigmoid, softplus and logsumexp)."""

import math
import operator

import numpy as np
import pytest

from autograd_lite import (OPS, Leaves, Value, apply_op, check_op, dot, gradcheck,
                           logsumexp, vsum)
from autograd_lite.gradcheck import sample_inputs
from autograd_lite.ops import BINARY, DOT_CONST


def bits(x: float) -> str:
    """The exact bits of a float (tells 0.0 from -0.0, unlike ==)."""
    return float(x).hex()


# ---------------------------------------------------------------------------
# Every entry of the table, at points of its domain
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(OPS))
def test_op_matches_central_differences(name):
    assert check_op(OPS[name], n_points=6)


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_second_derivative_matches_central_differences(name):
    assert check_op(OPS[name], order=2, n_points=3)


# ---------------------------------------------------------------------------
# One line per op, written as users write it: the forward agrees with a float
# reference and the gradient with central differences at each point.
# ---------------------------------------------------------------------------

def check(f, reference, *points):
    for point in points:
        out = f(*map(Value, point))
        assert out.data == pytest.approx(reference(*point), rel=1e-14, abs=1e-300)
        assert gradcheck(f, point)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def gelu(x):
    return 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def leaky(x):
    return x if x > 0 else 0.2 * x


def elu(x):
    return x if x > 0 else 0.5 * math.expm1(x)


def softplus(x):
    return math.log1p(math.exp(x))


def dot2(a, b, c, d):
    return a * c + b * d


def lse(*xs):
    return math.log(sum(map(math.exp, xs)))


def test_add(): check(lambda a, b: a + b, operator.add, (0.5, -1.25), (2.0, 3.0))
def test_sub(): check(lambda a, b: a - b, operator.sub, (0.5, -1.25), (-2.0, 3.0))
def test_mul(): check(lambda a, b: a * b, operator.mul, (0.5, -1.25), (-2.0, -3.0))
def test_div(): check(lambda a, b: a / b, operator.truediv, (0.5, -1.25), (-2.0, 0.3))
def test_neg(): check(lambda x: -x, operator.neg, (0.7,), (-2.0,))
def test_abs(): check(lambda x: abs(x), abs, (0.7,), (-2.0,))
def test_pow(): check(lambda x: x ** 2.5, lambda x: x ** 2.5, (0.7,), (3.0,))
def test_pow_value(): check(lambda a, b: a ** b, operator.pow, (0.7, -1.5), (3.0, 2.0))
def test_sqrt(): check(lambda x: x.sqrt(), math.sqrt, (0.2,), (4.0,))
def test_exp(): check(lambda x: x.exp(), math.exp, (-2.0,), (0.0,), (3.5,))
def test_log(): check(lambda x: x.log(), math.log, (0.2,), (1.0,), (7.5,))
def test_sin(): check(lambda x: x.sin(), math.sin, (-2.0,), (0.0,), (3.5,))
def test_cos(): check(lambda x: x.cos(), math.cos, (-2.0,), (0.0,), (3.5,))
def test_tanh(): check(lambda x: x.tanh(), math.tanh, (-2.0,), (0.0,), (3.5,))
def test_sigmoid(): check(lambda x: x.sigmoid(), sigmoid, (-2.0,), (0.0,), (3.5,))
def test_relu(): check(lambda x: x.relu(), lambda x: max(x, 0.0), (-2.0,), (3.5,))
def test_leaky_relu(): check(lambda x: x.leaky_relu(0.2), leaky, (-2.0,), (3.5,))
def test_elu(): check(lambda x: x.elu(0.5), elu, (-2.0,), (3.5,))
def test_gelu(): check(lambda x: x.gelu(), gelu, (-2.0,), (0.0,), (1.5,))
def test_softplus(): check(lambda x: x.softplus(), softplus, (-2.0,), (0.0,), (3.5,))
def test_sum(): check(lambda *xs: vsum(xs), lambda *xs: sum(xs), (0.5, -1.25, 2.0), (3.0,))
def test_dot(): check(lambda a, b, c, d: dot([a, b], [c, d]), dot2, (0.5, -1.25, 2.0, 0.3))
def test_logsumexp(): check(lambda *xs: logsumexp(xs), lse, (0.5, -1.25, 2.0), (3.0,))


def test_every_table_entry_has_a_one_line_test():
    missing = [name for name in OPS if f"test_{name}" not in globals()]
    assert not missing, f"add a one-line test_<op> for {missing}"


# ---------------------------------------------------------------------------
# Constant fast paths against the general path
# ---------------------------------------------------------------------------

BINARY_OPS = sorted(name for name, op in OPS.items() if op.layout == BINARY)
PYTHON_OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
                    "div": operator.truediv, "pow_value": operator.pow}


def forward_and_grad(f, x, seed=1.7):
    """f's result and d f / d x for the leaf x, with a seed that is not 1."""
    out = f(x)
    out.backward(seed)
    return out.data, x.grad


@pytest.mark.parametrize("name", BINARY_OPS)
def test_constant_on_the_right_matches_a_leaf_in_its_place(name):
    op = OPS[name]
    for a, c in sample_inputs(op, n_points=6, seed=1) + [[1.5, 2], [0.5, 2.5]]:
        leaf = Value(a)
        folded = apply_op(op, leaf, c)
        assert folded.op is op.const_right and folded._prev == (leaf,)
        data, grad = forward_and_grad(lambda x, c=c: apply_op(op, x, c), Value(a))
        ref_data, ref_grad = forward_and_grad(lambda x, c=c: apply_op(op, x, Value(c)), Value(a))
        assert bits(data) == bits(ref_data)
        assert grad == ref_grad


@pytest.mark.parametrize("name", BINARY_OPS)
def test_constant_on_the_left_matches_a_leaf_in_its_place(name):
    op = OPS[name]
    for c, b in sample_inputs(op, n_points=6, seed=2) + [[2.5, 1.5], [3, -0.5]]:
        leaf = Value(b)
        folded = apply_op(op, c, leaf)
        assert folded.op is op.const_left and folded._prev == (leaf,)
        data, grad = forward_and_grad(lambda x, c=c: apply_op(op, c, x), Value(b))
        ref_data, ref_grad = forward_and_grad(lambda x, c=c: apply_op(op, Value(c), x), Value(b))
        assert bits(data) == bits(ref_data)
        assert grad == ref_grad


@pytest.mark.parametrize("name", sorted(PYTHON_OPERATORS))
def test_python_operator_with_a_number_matches_a_leaf_in_its_place(name):
    """x + 2.5 and 2.5 + x (and -, *, /, **) as written, against a Value leaf."""
    py = PYTHON_OPERATORS[name]
    for x, c in ((0.75, 2.5), (1.25, -1.5), (2.0, 3), (0.3, 0.5)):
        right = forward_and_grad(lambda v, c=c: py(v, c), Value(x))
        right_ref = forward_and_grad(lambda v, c=c: py(v, Value(c)), Value(x))
        assert bits(right[0]) == bits(right_ref[0]) and right[1] == right_ref[1]
        base = abs(c) if name == "pow_value" else c     # a Value exponent needs a base >= 0
        left = forward_and_grad(lambda v, base=base: py(base, v), Value(x))
        left_ref = forward_and_grad(lambda v, base=base: py(Value(base), v), Value(x))
        assert bits(left[0]) == bits(left_ref[0]) and left[1] == left_ref[1]


def test_constant_operands_are_kept_in_the_node_not_wrapped_as_leaves():
    x = Value(1.5)
    for y in (x + 2.5, 2.5 + x, x * 2.5, 2.5 * x, x - 2.5, 2.5 - x, x / 2.5, 2.5 / x,
              x ** 2.5, 2.5 ** x):
        assert len(y._prev) == 1 and y._prev[0] is x


def test_dot_with_a_constant_side_matches_dot_with_leaves():
    ws = [0.25, -1.5, 3.0, 0.1]
    consts = [2.0, -0.7, 0.3, 5.5]
    leaves = [Value(w) for w in ws]
    y = dot(leaves, consts)
    assert y.op.base is OPS["dot"] and y.op.layout == DOT_CONST
    y.backward(1.3)
    ref_leaves = [Value(w) for w in ws]
    ref = dot(ref_leaves, [Value(c) for c in consts])
    ref.backward(1.3)
    assert bits(y.data) == bits(ref.data)
    assert [w.grad for w in leaves] == [w.grad for w in ref_leaves]
    assert [w.grad for w in leaves] == [1.3 * c for c in consts]


def test_dot_with_constants_on_the_left_matches_constants_on_the_right():
    ws = [Value(0.25), Value(-1.5), Value(3.0)]
    consts = [2.0, -0.7, 0.3]
    left, right = dot(consts, ws), dot(ws, consts)
    assert bits(left.data) == bits(right.data)
    assert left.op.base is OPS["dot"] and left.op.layout == DOT_CONST


def test_dot_takes_numpy_arrays_as_constants():
    ws = [Value(0.5), Value(-2.0)]
    y = dot(ws, np.array([3.0, 4.0]))
    y.backward()
    assert y.data == -6.5
    assert [w.grad for w in ws] == [3.0, 4.0]
    assert all(type(w.grad) is float for w in ws)


def test_dot_with_numbers_mixed_into_a_side_matches_closed_form():
    a, b, c = Value(1.5), Value(-2.0), Value(0.5)
    y = dot([a, 2.0], [b, c])
    y.backward()
    assert y.data == 1.5 * -2.0 + 2.0 * 0.5
    assert (a.grad, b.grad, c.grad) == (-2.0, 1.5, 2.0)


def test_vsum_has_the_bits_and_gradients_of_a_chain_of_additions():
    xs = [0.1, 0.2, 0.3, 1e16, -1e16, 0.7, 1 / 3]
    leaves = [Value(x) for x in xs]
    total = vsum(leaves)
    assert total._op == "sum" and total._prev == tuple(leaves)
    total.tanh().backward(1.3)
    chain_leaves = [Value(x) for x in xs]
    chain = chain_leaves[0]
    for leaf in chain_leaves[1:]:
        chain = chain + leaf
    chain.tanh().backward(1.3)
    by_hand = 0.0
    for x in xs:                    # one rounding per +, on every Python
        by_hand += x
    assert bits(total.data) == bits(chain.data) == bits(by_hand)
    assert [x.grad for x in leaves] == [x.grad for x in chain_leaves]


def test_vsum_counts_a_repeated_value_once_per_use():
    a, b = Value(2.0), Value(-1.0)
    total = vsum([a, b, a, a])
    total.backward()
    assert total.data == 5.0
    assert (a.grad, b.grad) == (3.0, 1.0)


def test_vsum_takes_numbers_and_an_empty_sequence():
    x = Value(1.5)
    total = vsum([x, 2, 0.5])
    total.backward()
    assert (total.data, x.grad) == (4.0, 1.0)
    assert vsum([]).data == 0.0


# ---------------------------------------------------------------------------
# Powers with a negative base and an integer exponent
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("x, c, data, grad", [
    (-3.0, 2, 9.0, -6.0),
    (-2.0, 3, -8.0, 12.0),
    (-2.0, -1, -0.5, -0.25),
    (-3.0, 2.0, 9.0, -6.0),       # an integral float exponent is an integer exponent
    (-1.5, 4, 5.0625, -13.5),
])
def test_negative_base_with_an_integer_exponent(x, c, data, grad):
    leaf = Value(x)
    y = leaf ** c
    y.backward()
    assert (y.data, leaf.grad) == (data, grad)
    assert gradcheck(lambda v: v ** c, [x])


# ---------------------------------------------------------------------------
# Numerically stable forms
# ---------------------------------------------------------------------------

HUGE = [-1e4, -1000.0, -710.0, -40.0, -1e-8, 0.0, 1e-8, 40.0, 710.0, 1000.0, 1e4]


@pytest.mark.parametrize("x", HUGE)
def test_sigmoid_and_softplus_stay_finite_for_huge_inputs(x):
    for f in (Value.sigmoid, Value.softplus):
        leaf = Value(x)
        y = f(leaf)
        y.backward()
        assert math.isfinite(y.data) and math.isfinite(leaf.grad)


def test_sigmoid_reaches_its_limits_for_huge_inputs():
    for x, limit in ((1e4, 1.0), (-1e4, 0.0)):
        leaf = Value(x)
        y = leaf.sigmoid()
        y.backward()
        assert (y.data, leaf.grad) == (limit, 0.0)


def test_softplus_reaches_its_limits_for_huge_inputs():
    for x, data, grad in ((1e4, 1e4, 1.0), (-1e4, 0.0, 0.0)):
        leaf = Value(x)
        y = leaf.softplus()
        y.backward()
        assert (y.data, leaf.grad) == (data, grad)


def test_sigmoid_and_softplus_keep_relative_accuracy_in_the_far_tail():
    # softplus(-40) = log1p(e^-40) and sigmoid(-40) = e^-40 / (1 + e^-40), both ~4.2e-18:
    # a naive 1 / (1 + e^40) or log(1 + e^-40) would round these to 0 or lose digits.
    tail = math.exp(-40.0)
    assert Value(-40.0).softplus().data == pytest.approx(tail, rel=1e-15)
    assert Value(-40.0).sigmoid().data == pytest.approx(tail / (1 + tail), rel=1e-15)


def softmax(xs):
    m = max(xs)
    es = [math.exp(x - m) for x in xs]
    return [e / sum(es) for e in es]


@pytest.mark.parametrize("xs", [
    [1000.0, 1000.0],
    [-1000.0, -1000.0, -1001.0],
    [1000.0, -1000.0],
    [1000.0, 999.0, 998.5],
    [-1000.0],
])
def test_logsumexp_is_finite_at_a_thousand_and_its_gradient_is_the_softmax(xs):
    leaves = [Value(x) for x in xs]
    y = logsumexp(leaves)
    y.backward()
    m = max(xs)
    assert y.data == pytest.approx(m + math.log(sum(math.exp(x - m) for x in xs)), rel=1e-15)
    # exp(x - out) carries the rounding of out (an ulp of 1000 is 1.1e-13)
    assert [leaf.grad for leaf in leaves] == pytest.approx(softmax(xs), rel=1e-12, abs=1e-300)
    assert sum(leaf.grad for leaf in leaves) == pytest.approx(1.0, rel=1e-15)


def test_logsumexp_of_two_equal_thousands_is_a_thousand_plus_log_two():
    y = logsumexp([Value(1000.0), Value(1000.0)])
    assert y.data == 1000.0 + math.log(2.0)


# ---------------------------------------------------------------------------
# Powers at zero: the forward is defined, so the backward must be too
# ---------------------------------------------------------------------------

def test_x_to_the_one_and_a_half_at_zero_has_zero_gradient():
    x = Value(0.0)
    (x ** 1.5).backward()
    assert x.grad == 0.0


def test_x_to_the_one_half_at_zero_has_infinite_gradient_like_sqrt():
    x, y = Value(0.0), Value(0.0)
    x.sqrt().backward()
    (y ** 0.5).backward()
    assert y.grad == x.grad == math.inf


def test_x_to_the_zero_at_zero_has_zero_gradient():
    x = Value(0.0)
    y = x ** 0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


def test_zero_to_a_fractional_value_power_has_infinite_base_gradient():
    a, b = Value(0.0), Value(0.5)
    (a ** b).backward()
    assert (a.grad, b.grad) == (math.inf, 0.0)


def test_dot_of_leaf_weights_takes_the_fast_path_and_matches_interior_weights():
    ws = [0.25, -1.5, 3.0, 0.1]
    consts = (2.0, -0.7, 0.3, 5.5)
    leaves = tuple(Value(w) for w in ws)
    fast = dot(leaves, consts)
    sources = [Value(w) for w in ws]
    interior = [s * 1.0 for s in sources]        # same numbers, not leaves
    general = dot(interior, consts)
    assert fast.op is not general.op and fast.op.layout == general.op.layout == DOT_CONST
    assert bits(fast.data) == bits(general.data)
    (fast * fast).backward()
    (general * general).backward()
    assert [leaf.grad for leaf in leaves] == [s.grad for s in sources]
    again = dot(leaves, consts)                  # the same tuples: remembered, same result
    assert again.op is fast.op and bits(again.data) == bits(fast.data)


def test_dot_of_leaf_weights_with_zero_inputs_gives_the_bits_of_the_general_path():
    consts = (0.0, 0.7, -0.0, 0.0, 2.5, 0.0)
    for seed in (1.0, -3.25, 1e-300):
        leaves = tuple(Value(w) for w in (0.5, -1.5, 3.0, -0.1, 2.0, 7.0))
        sources = [Value(w.data) for w in leaves]
        fast = dot(leaves, consts)
        general = dot([s * 1.0 for s in sources], consts)
        fast.backward(seed)
        general.backward(seed)
        assert [bits(w.grad) for w in leaves] == [bits(s.grad) for s in sources]


def test_dot_of_leaf_weights_passes_nan_to_every_weight_when_the_seed_is_infinite():
    leaves = tuple(Value(w) for w in (0.5, -1.5))
    dot(leaves, (0.0, 2.0)).backward(math.inf)
    assert math.isnan(leaves[0].grad)          # inf * 0: not skipped
    assert leaves[1].grad == math.inf


def test_vsum_and_dot_add_left_to_right_like_a_chain_of_plus_on_every_python():
    # 1e16 + 1.0 rounds back to 1e16: a chain of + gives 0.0, where the
    # compensated sum() of floats on Python 3.12+ would give 1.0
    xs = [1e16, 1.0, -1e16]
    chained = Value(xs[0]) + Value(xs[1]) + Value(xs[2])
    summed = sum(Value(x) for x in xs)
    assert vsum([Value(x) for x in xs]).data == chained.data == summed.data == 0.0
    assert dot([Value(x) for x in xs], [1.0, 1.0, 1.0]).data == 0.0
    assert dot(Leaves(Value(x) for x in xs), (1.0, 1.0, 1.0)).data == 0.0
