"""Temporary elision: folded graphs give the bits of the unfolded ones, and
nothing a user holds is ever folded."""

import math
import operator
import random
import sys

import pytest

from autograd_lite import OPS, Value, gradcheck, no_fusion, no_grad
from autograd_lite import fusion

needs_fusion = pytest.mark.skipif(fusion.TEMPORARY_REFCOUNT is None,
                                  reason="this interpreter cannot tell temporaries apart")


def run(build, inputs):
    """data of the output and grads of the leaves, fused and unfused."""
    results = []
    for context in (None, no_fusion()):
        leaves = [Value(x) for x in inputs]
        if context is None:
            out = build(*leaves)
        else:
            with context:
                out = build(*leaves)
        out.backward()
        results.append((out.data, [leaf.grad for leaf in leaves]))
    return results


def micrograd_neuron(w, x, b):
    return sum((wi * xi for wi, xi in zip(w, x)), b).relu()


@pytest.mark.parametrize("name, build, n", [
    ("chain", lambda x: _chain(x, 200), 1),
    ("shifted product", lambda a, b: (a * b + 0.3) * a - 1.7, 2),
    ("shifted relu", lambda x: (x.relu() + 2.0) * x, 1),
    ("shifted log", lambda x: (x.log() - 0.5) * (x.log() + 0.25), 1),
    ("shifted sum of values", lambda a, b, c: (a + b + c + 1.5) * a, 3),
    ("sum chain", lambda a, b, c: (a + b + c + a + b) * c, 3),
    ("constant on the left", lambda x: 2.0 + x * 3.0 + 1.0, 1),
    ("tanh is not shifted (reads out)", lambda x: (x.tanh() + 1.0) * x, 1),
    ("micrograd neuron", lambda *v: micrograd_neuron(v[:3], [0.5, -1.5, 2.0], v[3]), 4),
    ("neuron of values", lambda *v: micrograd_neuron(v[:3], v[3:6], v[6]), 7),
    ("two layers of neurons", lambda *v: micrograd_neuron(
        v[:2], [micrograd_neuron(v[2:4], v[4:6], v[6]), micrograd_neuron(v[4:6], v[2:4], v[7])],
        v[0]), 8),
    ("reused factor", lambda a, b: a * a + a * b + b * a + a, 2),
    ("products and constants", lambda a, b: (a * 2.0 + b * a + 3.0) * (b * b + a), 2),
    ("shifted sum of products", lambda a, b: (a * b + b * a + 0.5).relu() * a, 2),
])
def test_folded_graph_gives_the_same_bits_as_the_unfolded_one(name, build, n):
    rng = random.Random(name)
    inputs = [rng.uniform(0.2, 2.0) for _ in range(n)]
    fused, unfused = run(build, inputs)
    assert fused[0] == unfused[0]                # data, bit for bit
    assert fused[1] == unfused[1]                # every leaf's grad, bit for bit


def _chain(x, steps):
    y = x
    for _ in range(steps):
        y = y * 1.0001 + 0.0001
    return y


@needs_fusion
def test_a_temporary_shifted_by_a_constant_becomes_one_node():
    x = Value(2.0)
    y = x * 3.0 + 1.0
    assert y._op == "*+c" and y._prev == (x,)
    assert y.data == 7.0
    y.backward()
    assert x.grad == 3.0


@needs_fusion
def test_a_chain_of_additions_becomes_one_dot_node_with_unit_terms():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    s = a + b + c + a
    assert s._op == "dot" and s._prev == (a, b, c, a)
    assert s._b == [1.0, 1.0, 1.0, 1.0]
    s.backward()
    assert (a.grad, b.grad, c.grad) == (2.0, 1.0, 1.0)


@needs_fusion
def test_a_micrograd_neuron_becomes_one_dot_node_over_its_weights_and_inputs():
    w = [Value(0.5), Value(-1.5), Value(2.0)]
    x = [Value(1.0), Value(2.0), Value(-0.5)]
    b = Value(0.25)
    act = sum((wi * xi for wi, xi in zip(w, x)), b)
    assert act._op == "dot"
    assert act._a == [b] + w and act._b == [1.0] + x        # b·1 + Σ wᵢ·xᵢ
    assert act.data == ((0.25 + 0.5 * 1.0) + -1.5 * 2.0) + 2.0 * -0.5
    act.backward()
    assert [wi.grad for wi in w] == [xi.data for xi in x]
    assert [xi.grad for xi in x] == [wi.data for wi in w] and b.grad == 1.0


@needs_fusion
def test_products_on_either_side_of_a_sum_fold_into_its_terms():
    a, b, c, d = Value(1.5), Value(2.0), Value(-3.0), Value(0.5)
    y = a * b + c * d
    assert y._op == "dot" and y._a == [a, c] and y._b == [b, d]
    z = a * 2.0 + c
    assert z._op == "dot" and z._a == [a, c] and z._b == [2.0, 1.0]


def test_a_held_node_is_never_folded_and_keeps_its_gradient():
    x = Value(2.0)
    t = x * 3.0                   # held by a variable
    y = t + 1.0
    assert y._prev == (t,) and t._op == "*" and t.data == 6.0
    (y * y).backward()
    assert t.grad == 2 * y.data   # d(y²)/dt = 2y
    assert x.grad == 3 * t.grad


def test_nodes_held_by_a_list_or_an_argument_are_never_folded():
    x = Value(2.0)
    kept = [x * 3.0]
    y = kept[0] + 1.0
    assert kept[0]._op == "*" and kept[0].data == 6.0 and y._prev == (kept[0],)

    def shift(node):
        return node + 1.0

    z = shift(x * 5.0)
    assert z._op == "+" and z._prev[0].data == 10.0


def test_a_sum_held_by_a_variable_is_not_extended():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    s = a + b
    t = s + c
    assert s._prev == (a, b) and s.data == 3.0 and t._prev == (s, c)
    p = a * b                                   # a held product stays a node
    u = p + c
    assert u._prev == (p, c) and p._op == "*"


def test_no_fusion_builds_every_op_as_its_own_node():
    x = Value(2.0)
    with no_fusion():
        y = x * 3.0 + 1.0
    assert y._op == "+" and y._prev[0]._op == "*"


def test_no_grad_results_are_leaves_even_for_temporaries():
    x = Value(2.0)
    with no_grad():
        y = x * 3.0 + 1.0
        s = x + x + x
    assert y._prev == () and s._prev == () and y.data == 7.0 and s.data == 6.0


@needs_fusion
def test_the_interpreter_probe_recognises_temporaries_here():
    assert sys.implementation.name == "cpython"
    assert fusion.TEMPORARY_REFCOUNT == 3


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.shifted is not None))
def test_every_shiftable_op_keeps_exact_gradients_when_shifted(name):
    op = OPS[name]
    domain = [intervals[-1] for intervals in op.domain]
    point = [lo + 0.37 * (hi - lo) for lo, hi in domain]

    def build(*xs):
        if op.layout == 5:                     # NARY: one vector input
            node = _apply(op, [xs[0], xs[0] * 1.0, xs[0]])
        elif op.param:
            node = _apply(op, xs[0], op.param_samples[0])
        else:
            node = _apply(op, *xs)
        return (node + 0.75) * xs[0]           # the shift folds into node

    fused, unfused = run(build, point)
    assert fused == unfused
    assert gradcheck(build, point)


def _apply(op, *args):
    from autograd_lite import apply_op
    if op.layout == 6:                          # DOT: two vectors
        return apply_op(op, [args[0], args[-1]], [args[-1], args[0]])
    return apply_op(op, *args)


def test_operator_module_and_sum_of_a_generator_fold_correctly():
    xs = [Value(float(i)) for i in range(1, 6)]
    total = sum(x * 2.0 for x in xs)
    via_operator = operator.add(xs[0] * 2.0, 1.0)
    total.backward()
    assert total.data == 30.0 and [x.grad for x in xs] == [2.0] * 5
    assert via_operator.data == 3.0
    assert math.isfinite(total.data)
