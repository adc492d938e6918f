"""explain(root): the backward pass as text, one line per edge, leaving the
gradients exactly as backward() leaves them."""

import math
import random
import warnings

import pytest

import nn
from autograd_lite import Leaves, Value, dot, explain, logsumexp, vsum
from autograd_lite.explain import backward_steps


def square(v):
    x = v(3.0, "x")
    return x * x, [x]


def diamond(v):
    a = v(0.7, "a")
    b = a.tanh()
    c = a * 2.0
    d = a.exp()
    return (b * c + d / c - c ** 3).sin(), [a]


def fused(v):
    xs = [v(0.1 * i - 0.3, f"x{i}") for i in range(5)]
    s = vsum(xs + [xs[0], 2.0])
    t = dot(xs, [xs[4], xs[3], xs[2], xs[1], xs[0]])
    u = dot(xs, [1.5, 0.0, -2.0, 0.0, 3.0])
    return logsumexp([s, t, u, xs[2]]) * (2.0 - s) / 3.0, xs


def constants(v):
    x, y = v(1.3, "x"), v(-0.8, "y")
    z = (2.0 - x) * 3 + 1.0 / y - x ** 2.5 + (x - 4) * (y + 0.5) + x.leaky_relu(0.1) + y.elu(0.5)
    return z.sigmoid() + y.relu() + abs(y) + x.gelu() + y.softplus() - (-x).cos(), [x, y]


def neuron_weights(v):
    w = Leaves([v(0.5), v(-1.0), v(0.25)])
    inputs = (1.0, 0.0, -2.0)          # a zero input: backward skips that weight
    out = (dot(w, inputs) + v(0.1)).tanh()
    return out * out, list(w)


def mlp(v):
    model = nn.MLP(3, [4, 4, 1], activation="tanh", seed=1)
    xs = [[0.5, -1.0, 2.0], [0.0, 1.0, -0.5]]
    loss = nn.mse_loss([model(x) for x in xs], [1.0, -1.0])
    return loss, model.parameters()


GRAPHS = [square, diamond, fused, constants, neuron_weights, mlp]


def labelled(data, label=""):
    return Value(data, label=label)


def all_grads(root):
    seen, order, stack = set(), [], [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(node._prev)
    return order


@pytest.mark.parametrize("build", GRAPHS, ids=lambda f: f.__name__)
def test_explain_leaves_every_gradient_as_backward_does_bit_for_bit(build):
    root_a, leaves_a = build(labelled)
    root_b, leaves_b = build(labelled)
    for leaf_a, leaf_b in zip(leaves_a, leaves_b):     # gradients accumulate on leaves
        leaf_a.grad = leaf_b.grad = 0.25
    root_a.backward()
    explain(root_b, max_nodes=1000)
    nodes_a, nodes_b = all_grads(root_a), all_grads(root_b)
    assert len(nodes_a) == len(nodes_b)
    for a, b in zip(nodes_a, nodes_b):
        assert a.data == b.data
        assert repr(a.grad) == repr(b.grad)        # also the sign of a zero


@pytest.mark.parametrize("build", GRAPHS, ids=lambda f: f.__name__)
def test_explain_gives_one_line_per_edge(build):
    root, _ = build(labelled)
    edges = sum(len(node._prev) for node in all_grads(root))
    assert len(backward_steps(root)) == edges
    assert len(explain(root, max_nodes=1000).splitlines()) == edges + 2   # heading, header


def test_a_reused_input_shows_each_contribution_and_the_running_total():
    x = Value(3.0, label="x")
    lines = explain(x * x).splitlines()
    assert lines[0] == "backward from (* 9.0000) = 9.0000, (* 9.0000).grad = 1"
    assert lines[2].endswith("x.grad = 3.0000  (use 1 of 2)")
    assert lines[3].endswith("x.grad = 3.0000 + 3.0000 = 6.0000  (use 2 of 2)")
    assert x.grad == 6.0


def test_each_line_shows_the_op_tables_formula_evaluated():
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    (line,) = explain(y).splitlines()[2:]
    assert line.split() == ["y", "->", "x", "tanh", "dout/dx", "=", "1", "-", "out", "*", "out",
                            "=", "0.7864", "1.0000", "×", "0.7864", "=", "0.7864",
                            "x.grad", "=", "0.7864"]


def test_the_steps_multiply_the_incoming_gradient_by_the_local_derivative():
    root, _ = diamond(labelled)
    for step in backward_steps(root):
        assert step.product == step.grad * step.local
        assert step.after == step.before + step.product
        assert 1 <= step.use <= step.uses


def test_the_local_derivatives_match_central_differences():
    a = Value(0.7, label="a")
    y = (a.tanh() * a.exp()).log()
    for step in backward_steps(y):
        node, x = step.node, step.input
        h = 1e-6
        saved = x.data
        x.data = saved + h
        up = node.op.forward(*[i.data for i in node._prev])
        x.data = saved - h
        down = node.op.forward(*[i.data for i in node._prev])
        x.data = saved
        assert step.local == pytest.approx((up - down) / (2 * h), rel=1e-6)


def test_an_unlabelled_node_is_named_by_its_op_and_data():
    a = Value(2.0)
    text = explain(a * 3.0 + 1.0)
    assert "(+ 1.0 7.0000) -> (* 3.0 6.0000)" in text
    assert "(* 3.0 6.0000) -> (leaf 2.0000)" in text


def test_a_label_with_spaces_is_quoted():
    a = Value(2.0, label="a")
    s = a * a
    s.label = "a squared"
    y = s + 1.0
    y.label = "y"
    assert "y -> 'a squared'" in explain(y)


def test_a_leaf_root_has_no_edges_and_accumulates_like_backward():
    x = Value(2.0, label="x")
    x.grad = 1.5
    assert explain(x).splitlines() == ["backward from x = 2.0000, x.grad = 1",
                                       "edge  op  local derivative  grad × local  input's grad"]
    assert x.grad == 2.5


def test_explain_refuses_a_graph_too_large_to_read():
    xs = [Value(float(i)) for i in range(60)]
    y = sum(x * x for x in xs)
    with pytest.raises(ValueError) as error:
        explain(y)
    message = str(error.value)
    assert message.startswith("explain: the graph has 180 values, more than max_nodes=100")
    assert "explain(root, max_nodes=180)" in message
    assert all(x.grad == 0.0 for x in xs)          # refused before running anything
    assert len(explain(y, max_nodes=180).splitlines()) == 2 + 120 + 1 + 2 * 59


@pytest.mark.parametrize("bad, error", [(3.0, TypeError), ([Value(1.0)], TypeError)])
def test_explain_wants_a_value(bad, error):
    with pytest.raises(error, match="explain: root must be a Value"):
        explain(bad)


@pytest.mark.parametrize("max_nodes", [0, -1, 2.5, True])
def test_explain_wants_a_positive_int_limit(max_nodes):
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        explain(Value(1.0), max_nodes=max_nodes)


def test_a_failed_step_leaves_the_graph_ready_for_the_next_backward():
    x = Value(1.0)
    y = (x * 2.0).exp()
    z = y * y
    calls = []

    class Boom(Exception):
        pass

    y_op = y.op                     # break one node: its op fails to give partials
    try:
        class Broken:
            def __getattr__(self, name):
                if name == "partials":
                    calls.append(name)
                    raise Boom
                return getattr(y_op, name)
        y.op = Broken()
        with pytest.raises(Boom):
            backward_steps(z)
    finally:
        y.op = y_op
    assert calls
    z.backward()
    expected = 2 * y.data * y.data * 2.0
    assert math.isclose(x.grad, expected, rel_tol=1e-15)


def test_explain_is_deterministic():
    random.seed(0)
    first = explain(fused(labelled)[0])
    assert explain(fused(labelled)[0]) == first


def label_only_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    hand = Value(a.data + b.data, (a, b), "+")     # micrograd's way: a label, no rule
    return (hand * a).tanh()


@pytest.mark.parametrize("where, walk", [("explain()", explain),
                                         ("backward_steps()", backward_steps)])
def test_explain_warns_through_label_only_nodes_as_backward_does(where, walk):
    with pytest.warns(UserWarning) as by_backward:
        label_only_graph().backward()
    with pytest.warns(UserWarning, match="children get no gradient") as caught:
        walk(label_only_graph())
    assert len(caught) == 1
    assert str(caught[0].message) == \
        str(by_backward[0].message).replace("backward()", where, 1)
    assert caught[0].filename == __file__               # points at the caller's line


@pytest.mark.parametrize("walk", [explain, backward_steps])
def test_a_warning_made_an_error_stops_explain_before_any_gradient_changes(walk):
    root = label_only_graph()
    before = [(id(v), v.grad, v._pending) for v in _all_nodes(root)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="children get no gradient"):
            walk(root)
    assert [(id(v), v.grad, v._pending) for v in _all_nodes(root)] == before


def _all_nodes(root):
    from autograd_lite import topological_order
    return topological_order(root)


def test_explain_through_local_gradient_nodes_is_backward_without_a_warning():
    def build():
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        hand = Value(a.data * b.data, (a, b), (b.data, a.data))   # microgpt's way
        return (hand + a).tanh(), [a, b, hand]
    (root, nodes), (twin, twin_nodes) = build(), build()
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # backward() does not warn either
        text = explain(root)
        twin.backward()
    assert "dout/dxs[0] = local_grads[0] = -3.0000" in text
    assert [repr(v.grad) for v in nodes] == [repr(v.grad) for v in twin_nodes]
