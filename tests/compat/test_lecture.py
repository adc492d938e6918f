"""Karpathy's micrograd lecture (nn-zero-to-hero, "micrograd_lecture_first_half_roughly")
runs on our Value with only its import changed: its cells, as written (its own
``trace`` and ``draw_dot`` over ``_prev``/``_op`` below, its expression and
neuron in ``lecture_cells``, which the page's tests share), give the numbers
the lecture prints."""

import pytest
from graphviz import Digraph

from autograd_lite import Value
from lecture_cells import expression, neuron


# ---- the lecture's own picture code, verbatim ------------------------------

def trace(root):
    # builds a set of all nodes and edges in a graph
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)
    build(root)
    return nodes, edges


def draw_dot(root):
    dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'})  # LR = left to right

    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        # for any value in the graph, create a rectangular ('record') node for it
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad),
                 shape='record')
        if n._op:
            # if this value is a result of some operation, create an op node for it
            dot.node(name=uid + n._op, label=n._op)
            # and connect this node to it
            dot.edge(uid + n._op, uid)

    for n1, n2 in edges:
        # connect n1 to the op node of n2
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)

    return dot


# What the lecture's picture of the neuron shows after backward.
NEURON_GRADS = {"o": 1.0, "n": 0.5, "b": 0.5, "x1w1x2w2": 0.5, "x1w1": 0.5, "x2w2": 0.5,
                "x2": 0.5, "w2": 0.0, "x1": -1.5, "w1": 1.0}


def test_the_lectures_expression_prints_value_minus_8():
    *_, L = expression()
    assert repr(L) == "Value(data=-8.0, grad=0.0, label='L')"
    assert L.data == -8.0


def test_the_lectures_expression_has_the_lectures_gradients():
    a, b, c, e, d, f, L = expression()
    L.backward()
    assert [v.grad for v in (L, f, d, e, c, a, b)] == [1.0, 4.0, -2.0, -2.0, -2.0, 6.0, -4.0]


def test_the_lectures_nudge_along_the_gradient_prints_its_number():
    a, b, c, e, d, f, L = expression()
    L.backward()
    a.data += 0.01 * a.grad
    b.data += 0.01 * b.grad
    c.data += 0.01 * c.grad
    f.data += 0.01 * f.grad

    e = a * b
    d = e + c
    L = d * f

    assert round(L.data, 6) == -7.286496          # the lecture prints -7.286496


def test_the_lectures_numerical_derivative_prints_its_number():
    h = 0.001
    *_, L = expression()
    L1 = L.data
    a = Value(2.0, label='a')
    b = Value(-3.0, label='b')
    b.data += h
    c = Value(10.0, label='c')
    e = a*b; e.label = 'e'
    d = e + c; d.label = 'd'
    f = Value(-2.0, label='f')
    L = d * f; L.label = 'L'
    L2 = L.data
    assert (L2 - L1)/h == -3.9999999999995595        # as the lecture prints


def test_the_lectures_own_draw_dot_draws_our_graph():
    a, b, c, e, d, f, L = expression()
    L.backward()
    source = draw_dot(L).source
    for text in ("a | data 2.0000 | grad 6.0000", "b | data -3.0000 | grad -4.0000",
                 "c | data 10.0000 | grad -2.0000", "e | data -6.0000 | grad -2.0000",
                 "d | data 4.0000 | grad -2.0000", "f | data -2.0000 | grad 4.0000",
                 "L | data -8.0000 | grad 1.0000"):
        assert text in source
    nodes, edges = trace(L)
    assert len(nodes) == 7 and len(edges) == 6
    assert sorted(n._op for n in nodes if n._op) == ["*", "*", "+"]


def test_the_lectures_manual_backward_walk_gives_every_gradient():
    v = neuron()
    v["o"].grad = 1.0
    v["o"]._backward()
    v["n"]._backward()
    v["b"]._backward()
    v["x1w1x2w2"]._backward()
    v["x2w2"]._backward()
    v["x1w1"]._backward()
    for name, grad in NEURON_GRADS.items():
        assert v[name].grad == pytest.approx(grad, abs=1e-15), name


def test_the_manual_walk_gives_the_bits_backward_gives():
    walked, automatic = neuron(), neuron()
    walked["o"].grad = 1.0
    for name in ("o", "n", "b", "x1w1x2w2", "x2w2", "x1w1"):
        walked[name]._backward()
    automatic["o"].backward()
    assert {k: v.grad for k, v in walked.items()} == {k: v.grad for k, v in automatic.items()}


def test_the_lectures_neuron_prints_its_forward_numbers():
    v = neuron()
    assert v["n"].data == 0.8813735870195432
    # the lecture's tanh is (e^2x - 1)/(e^2x + 1); math.tanh may differ in the last bit
    assert v["o"].data == pytest.approx(0.7071067811865476, abs=2e-16)
    assert 1 - v["o"].data**2 == pytest.approx(0.5, abs=1e-15)   # do/dn = 1 - o**2


def test_the_lectures_topological_sort_then_backward_walk_works():
    v = neuron()
    o = v["o"]
    topo = []
    visited = set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)
    build_topo(o)
    assert len(topo) == 10 and topo[-1] is o
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    for name, grad in NEURON_GRADS.items():
        assert v[name].grad == pytest.approx(grad, abs=1e-15), name


def test_the_lectures_reuse_bug_cells_give_the_fixed_gradients():
    a = Value(3.0, label='a')
    b = a + a   ; b.label = 'b'
    b.backward()
    assert a.grad == 2.0
    a = Value(-2.0, label='a')
    b = Value(3.0, label='b')
    d = a * b    ; d.label = 'd'
    e = a + b    ; e.label = 'e'
    f = d * e    ; f.label = 'f'
    f.backward()
    assert (a.grad, b.grad) == (-3.0, -8.0)


def test_a_leafs_backward_step_does_nothing():
    x = Value(2.0)
    x.grad = 5.0
    x._backward()
    assert x.grad == 5.0


@pytest.mark.parametrize("build", [
    lambda a, b: a * a,
    lambda a, b: a * b,
    lambda a, b: 3.0 / a,
    lambda a, b: a ** 3,
    lambda a, b: a.leaky_relu(0.2),
    lambda a, b: a.tanh(),
], ids=["square", "product", "const-div", "pow", "leaky_relu", "tanh"])
def test_one_backward_step_adds_grad_times_the_local_derivative(build):
    a, b = Value(0.7), Value(-0.4)
    y = build(a, b)
    y.grad = 2.0
    y._backward()
    h = 1e-6
    for leaf in (a, b):
        saved = leaf.data
        leaf.data = saved + h
        up = build(a, b).data
        leaf.data = saved - h
        down = build(a, b).data
        leaf.data = saved
        assert leaf.grad == pytest.approx(2.0 * (up - down) / (2 * h), rel=1e-6, abs=1e-9)
    assert a.grad != 0.0
