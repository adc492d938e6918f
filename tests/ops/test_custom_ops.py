"""Your own ops: microgpt's local-gradient nodes, Value(data, children,
local_grads), and table entries added with define_op.

microgpt's ops are ported line by line as local-gradient nodes and a small
model is run on them and on the built-in ops: the same arithmetic gives the
same bits. A defined op goes through every transform the table serves, and
every refusal says why."""

import math
import random
import threading
import warnings

import pytest

from autograd_lite import (OPS, DivisionByZeroError, DomainError, FloatOverflowError, Value,
                           apply_op, check_op, define_op, draw_graph, grad, gradcheck,
                           gradgradcheck, gradients, hessian, jacobian, jvp, no_grad, remove_op)
from autograd_lite.ops import SWAPPED, markdown_table
from autograd_lite.user_ops import _defined


def bits(x: float) -> str:
    return float(x).hex()


@pytest.fixture(autouse=True)
def no_ops_left_behind():
    """Every op a test defines is removed after it, so the table is the
    built-in one for the other tests (and the README's op table test)."""
    before = set(_defined)
    yield
    for name in set(_defined) - before:
        remove_op(name)


# ---------------------------------------------------------------------------
# microgpt's Value, ported: each op builds an autograd-lite node from its
# local gradients, exactly as microgpt's class does (method for method).
# ---------------------------------------------------------------------------

class Port:
    """microgpt's ``Value`` ops over autograd-lite nodes (``self.node``)."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node

    @property
    def data(self):
        return self.node.data

    def __add__(self, other):
        other = other if isinstance(other, Port) else Port(Value(other))
        return Port(Value(self.data + other.data, (self.node, other.node), (1, 1)))

    def __mul__(self, other):
        other = other if isinstance(other, Port) else Port(Value(other))
        return Port(Value(self.data * other.data, (self.node, other.node),
                          (other.data, self.data)))

    def __pow__(self, other):
        return Port(Value(self.data**other, (self.node,), (other * self.data**(other - 1),)))

    def log(self):
        return Port(Value(math.log(self.data), (self.node,), (1 / self.data,)))

    def exp(self):
        return Port(Value(math.exp(self.data), (self.node,), (math.exp(self.data),)))

    def relu(self):
        return Port(Value(max(0, self.data), (self.node,), (float(self.data > 0),)))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1


def both(f, *xs):
    """(f on built-in ops, f on the port): output data, and the gradient of
    every input, from fresh leaves at ``xs``."""
    results = []
    for wrap, unwrap in ((lambda v: v, lambda y: y), (Port, lambda y: y.node)):
        leaves = [Value(x) for x in xs]
        y = unwrap(f(*map(wrap, leaves)))
        y.backward()
        results.append((bits(y.data), [bits(leaf.grad) for leaf in leaves]))
    return results


# Each op of microgpt's class, written as users write it. Where microgpt's
# arithmetic differs from the built-in op (its a / b is a * b**-1), the
# built-in side is written the same way, so the bits must agree.
MICROGPT_OPS = {
    "__add__": lambda a, b: a + b,
    "__radd__": lambda a, b: 2.5 + a,
    "__mul__": lambda a, b: a * b,
    "__rmul__": lambda a, b: 2.5 * a,
    "__pow__": lambda a, b: a ** 3,
    "__pow__ -1": lambda a, b: a ** -1,
    "log": lambda a, b: a.log(),
    "exp": lambda a, b: a.exp(),
    "relu": lambda a, b: a.relu(),
    "relu of a negative": lambda a, b: (-a).relu(),
    "__neg__": lambda a, b: -a,
    "__sub__": lambda a, b: a - b,
    "__sub__ a number": lambda a, b: a - 0.75,
    "__rsub__": lambda a, b: 0.75 - a,
    "__truediv__": lambda a, b: a * b ** -1 if type(a) is Value else a / b,
    "__truediv__ a number": lambda a, b: a * 4.0 ** -1 if type(a) is Value else a / 4.0,
    "__rtruediv__": lambda a, b: a ** -1 * 3.0 if type(a) is Value else 3.0 / a,
    "a reused input": lambda a, b: a * a + a,
}


@pytest.mark.parametrize("name", sorted(MICROGPT_OPS))
def test_each_microgpt_op_as_local_gradient_node_matches_the_built_in_bit_for_bit(name):
    f = MICROGPT_OPS[name]
    for point in [(1.3, -0.7), (0.4, 2.9), (2.2, 0.35)]:
        ours, ported = both(f, *point)
        assert ported == ours, point


def test_microgpt_division_agrees_with_true_division_to_rounding():
    ported = Port(Value(1.3)) / Port(Value(0.7))
    assert ported.data == pytest.approx(1.3 / 0.7, rel=1e-15)


# A tiny MLP with microgpt's softmax and cross-entropy, written once for both.

def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits):
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e * total ** -1 for e in exps]   # microgpt's e / total, spelt out


def mlp_loss(params, batch, wrap):
    """Mean cross-entropy of a 3-8-4 ReLU MLP over ``batch`` (x, target)."""
    p = [wrap(v) for v in params]
    w1 = [p[i * 3:(i + 1) * 3] for i in range(8)]
    w2 = [p[24 + i * 8:24 + (i + 1) * 8] for i in range(4)]
    losses = []
    for x, target in batch:
        hidden = [h.relu() for h in linear(x, w1)]
        probs = softmax(linear(hidden, w2))
        losses.append(-probs[target].log())
    return (1 / len(batch)) * sum(losses)


def test_mlp_on_microgpt_nodes_has_the_built_in_loss_and_gradients_to_the_last_bit():
    rng = random.Random(0)
    init = [rng.gauss(0, 0.8) for _ in range(24 + 32)]
    batch = [([rng.uniform(-1, 1) for _ in range(3)], rng.randrange(4)) for _ in range(5)]
    runs = []
    for wrap, unwrap in ((lambda v: v, lambda y: y), (Port, lambda y: y.node)):
        params = [Value(w) for w in init]
        loss = unwrap(mlp_loss(params, batch, wrap))
        loss.backward()
        runs.append((bits(loss.data), [bits(p.grad) for p in params]))
    (loss, grads), (ported_loss, ported_grads) = runs
    assert ported_loss == loss
    assert ported_grads == grads
    assert sum(g != bits(0.0) for g in grads) > 30      # gradients reach most weights


def test_mlp_on_microgpt_nodes_passes_gradcheck():
    rng = random.Random(1)
    batch = [([rng.uniform(-1, 1) for _ in range(3)], rng.randrange(4)) for _ in range(2)]
    init = [rng.gauss(0, 0.8) for _ in range(56)]
    assert gradcheck(lambda *ps: mlp_loss(ps, batch, Port).node, init)


# ---------------------------------------------------------------------------
# Local-gradient nodes
# ---------------------------------------------------------------------------

def test_local_gradients_are_the_partials_of_the_node():
    a, b = Value(2.0), Value(3.0)
    c = Value(a.data * b.data, (a, b), (b.data, a.data))
    c.backward()
    assert (c.data, a.grad, b.grad) == (6.0, 3.0, 2.0)
    assert c._prev == (a, b) and c._op == "local"


def test_local_gradients_as_a_keyword_and_with_a_label():
    a = Value(2.0)
    c = Value(4.0, [a], local_grads=[4.0], label="a squared")
    c.backward()
    assert (a.grad, c.label) == (4.0, "a squared")


def test_local_gradient_node_keeps_its_own_tuple_of_numbers():
    a = Value(2.0)
    grads = [5.0]
    c = Value(1.0, (a,), grads)
    grads[0] = -1.0                                  # the caller's list, not the node's
    c.backward()
    assert a.grad == 5.0
    assert c._b == (5.0,) and type(c._b) is tuple


def test_reused_child_gets_each_local_gradient():
    a = Value(3.0)
    c = Value(a.data * a.data, (a, a), (a.data, a.data))
    c.backward()
    assert a.grad == 6.0


def test_numbers_of_any_kind_are_accepted_as_local_gradients():
    np = pytest.importorskip("numpy")
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    y = Value(0.0, (a, b, c), (1, True, np.float32(0.5)))
    y.backward()
    assert (a.grad, b.grad, c.grad) == (1.0, 1.0, 0.5)


def test_local_gradient_node_inside_no_grad_is_a_leaf():
    a = Value(2.0)
    with no_grad():
        c = Value(4.0, (a,), (4.0,))
    assert c._prev == () and c.op is None


def test_create_graph_through_local_gradients_warns_and_treats_them_as_constants():
    a, b = Value(2.0), Value(3.0)
    c = Value(a.data * b.data, (a, b), (b.data, a.data))
    y = c * c                                       # built-in op above the local node
    with pytest.warns(UserWarning, match="second derivatives are zero"):
        y.backward(create_graph=True)
    assert a.grad.data == 2 * 6.0 * 3.0              # first derivative exact
    ga = a.grad
    a.grad = b.grad = 0.0
    ga.backward()
    # dy/da = 2c * b.data with b.data a number: differentiated again, only c
    # varies. d2y/da2 = 2b^2 = 18 is right, as dc/da does not depend on a; of
    # d2y/da db = 4ab = 24 only the half through c is seen, the half through
    # the constant local gradient b.data is not.
    assert a.grad == 18.0 and b.grad == 12.0


def test_first_order_backward_through_local_gradients_does_not_warn():
    a = Value(2.0)
    c = Value(4.0, (a,), (4.0,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c.backward()
    assert a.grad == 4.0


def test_forward_mode_and_gradients_read_local_gradients():
    def f(x, y):
        return Port(x) * Port(y) + Port(x).exp()
    out, tangent = jvp(lambda x, y: f(x, y).node, (0.5, 2.0), (1.0, -1.0))
    assert tangent == 2.0 + math.exp(0.5) - 0.5
    x, y = Value(0.5), Value(2.0)
    assert gradients(f(x, y).node, [x, y]) == (2.0 + math.exp(0.5), 0.5)


def test_draw_graph_shows_the_local_op_and_its_gradients_on_the_edges():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = Value(6.0, (a, b), (3.0, 2.0))
    source = draw_graph(c).source
    assert "label=<local>" in source
    assert "v0 -> op2 [label=<∂ 3.0>" in source and "v1 -> op2 [label=<∂ 2.0>" in source


LOCAL_GRAD_ERRORS = {
    "too few": (lambda a: Value(1.0, (a, a), (1.0,)), ValueError,
                "Value: 2 children but 1 local gradient; pass one number per child"),
    "too many": (lambda a: Value(1.0, (a,), (1.0, 2.0)), ValueError,
                 "Value: 1 child but 2 local gradients"),
    "none for a leaf": (lambda a: Value(1.0, (), (1.0,)), ValueError,
                        "Value: 0 children but 1 local gradient"),
    "a string": (lambda a: Value(1.0, (a,), ("1",)), TypeError,
                 "Value: local_grads[0]: expected an int, float, bool or numpy scalar, "
                 "got str"),
    "a Value": (lambda a: Value(1.0, (a,), (a,)), TypeError,
                "Value: local_grads[0] must be a number, got Value; local gradients are "
                "numbers (use x.data)"),
    "a bare number": (lambda a: Value(1.0, (a,), 2.0), TypeError,
                      "Value: the third argument is micrograd's _op label (a str) or "
                      "microgpt's local_grads (a sequence of numbers, one per child), got "
                      "float"),
    "both forms": (lambda a: Value(1.0, (a,), "*", local_grads=(1.0,)), TypeError,
                   "Value: got both a third argument and local_grads="),
    "local_grads a number": (lambda a: Value(1.0, (a,), local_grads=1.0), TypeError,
                             "Value: local_grads must be a sequence of numbers, one per "
                             "child, got float"),
}


@pytest.mark.parametrize("case", sorted(LOCAL_GRAD_ERRORS))
def test_bad_local_gradients_are_refused_with_the_reason(case):
    build, error, message = LOCAL_GRAD_ERRORS[case]
    with pytest.raises(error) as info:
        build(Value(1.0))
    assert str(info.value).startswith(message)


# ---------------------------------------------------------------------------
# micrograd's label-only nodes: no gradient, and one warning that says so
# ---------------------------------------------------------------------------

def test_backward_through_many_label_only_nodes_warns_once():
    a = Value(1.0)
    y = a
    for _ in range(5):
        y = Value(y.data + 1.0, (y,), "+")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y.backward()
    assert len(caught) == 1
    assert str(caught[0].message).startswith(
        "backward() passes through a node built as Value(data, children, '+'): a label,")
    assert caught[0].category is UserWarning
    assert "pass the local gradients instead of the label" in str(caught[0].message)
    assert caught[0].filename == __file__                 # points at the caller's line
    assert a.grad == 0.0


def test_a_label_only_warning_made_an_error_leaves_the_graph_ready_for_the_next_backward():
    a = Value(2.0)
    b = a * a                                  # an interior node the next backward counts
    y = Value(b.data + 1.0, (b,), "+")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="a label"):
            y.backward()
    assert b._pending == 0
    z = b * 3.0
    z.backward()
    assert a.grad == 12.0                      # d(3 a^2)/da at 2, counted once


def test_label_only_warning_shows_once_per_line_of_a_loop():
    a = Value(1.0)
    y = Value(2.0, (a,), "*")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        warnings.filterwarnings("default", category=UserWarning)
        for _ in range(3):
            y.backward()
    assert len(caught) == 1


def test_a_transform_inside_another_warns_through_local_gradients():
    def f(x):
        return Value(x.data ** 3, (x,), (3 * x.data ** 2,))
    with pytest.warns(UserWarning, match="second derivatives are zero"):
        assert grad(grad(f))(2.0) == 0.0               # a first-order rule: not 12


def test_gradients_and_jvp_warn_through_label_only_nodes():
    a = Value(1.0)
    y = Value(2.0, (a,), "exp")
    with pytest.warns(UserWarning, match="get no gradient"):
        assert gradients(y, a) == (0.0,)
    with pytest.warns(UserWarning, match="get no gradient"):
        assert jvp(lambda x: Value(x.data, (x,), "id"), (1.0,), (1.0,))[1] == 0.0


@pytest.mark.parametrize("transform", [
    lambda f: grad(f)(1.0), lambda f: jacobian(f)(1.0), lambda f: hessian(f)(1.0),
    lambda f: jvp(f, (1.0,), (1.0,)),
])
def test_a_transform_warns_at_the_users_line_not_inside_the_package(transform):
    def f(x):
        return Value(x.data * 2.0, (x,), "+") * x
    with pytest.warns(UserWarning, match="get no gradient") as caught:
        transform(f)
    assert {w.filename for w in caught} == {__file__}


# ---------------------------------------------------------------------------
# define_op: an op of one's own, in the table
# ---------------------------------------------------------------------------

SWISH = ("x * sigmoid(x)", "sigmoid(x) * (1 + x * (1 - sigmoid(x)))")


def swish(x: float) -> float:
    return x / (1 + math.exp(-x))


def d_swish(x: float) -> float:
    s = 1 / (1 + math.exp(-x))
    return s * (1 + x * (1 - s))


def test_defined_op_is_a_method_and_a_table_entry():
    op = define_op("swish", *SWISH)
    assert OPS["swish"] is op and op.usage == "x.swish()"
    x = Value(0.8)
    y = x.swish()
    y.backward()
    assert y.data == pytest.approx(swish(0.8), rel=1e-15)
    assert x.grad == pytest.approx(d_swish(0.8), rel=1e-15)
    assert y._op == "swish" and y._prev == (x,)
    assert apply_op(op, Value(0.8)).data == y.data


def test_defined_op_passes_the_shipped_gradient_check_to_second_order():
    op = define_op("swish", *SWISH, domain=(-4.0, 4.0))
    assert check_op(op, order=2, n_points=6)


def test_wrong_derivative_fails_the_shipped_gradient_check():
    op = define_op("swish", SWISH[0], "sigmoid(x)")           # forgot the product rule
    with pytest.raises(AssertionError, match="gradient mismatch for op 'swish'"):
        check_op(op)


def test_defined_op_runs_through_create_graph_jvp_hessian_and_gradgradcheck():
    define_op("swish", *SWISH)
    x = Value(0.8)
    x.swish().backward(create_graph=True)
    g = x.grad
    assert g.data == pytest.approx(d_swish(0.8), rel=1e-15)
    x.grad = 0.0
    g.backward()
    s = 1 / (1 + math.exp(-0.8))
    second = s * (1 - s) * (2 + 0.8 * (1 - 2 * s))   # d2/dx2 x sigma(x)
    assert x.grad == pytest.approx(second, rel=1e-14)
    out, tangent = jvp(lambda x: x.swish(), (0.8,), (2.0,))
    assert tangent == pytest.approx(2 * d_swish(0.8), rel=1e-15)
    assert hessian(lambda x: x.swish())(0.8)[0, 0] == pytest.approx(second, rel=1e-14)
    assert gradgradcheck(lambda x, y: (x * y).swish(), [0.3, -1.2])


def test_defined_op_appears_in_draw_graph_and_the_op_table():
    op = define_op("swish", *SWISH)
    y = Value(1.0, label="x").swish()
    assert "label=<swish>" in draw_graph(y).source
    assert markdown_table().endswith(
        "| `swish` | `x.swish()` | x * sigmoid(x) | "
        "`sigmoid(x) * (1 + x * (1 - sigmoid(x)))` |")
    assert markdown_table([op]).count("\n") == 2


def test_forward_may_be_a_function_on_floats():
    op = define_op("softsign", lambda x: x / (1 + abs(x)), "1 / (1 + abs(x)) ** 2",
                   domain=[(-3.0, -0.1), (0.1, 3.0)], formula="x / (1 + |x|)")
    assert Value(3.0).softsign().data == 0.75
    assert op.formula == "x / (1 + |x|)" and check_op(op, order=2)


def test_binary_defined_op_takes_values_or_numbers_on_either_side():
    op = define_op("hypot", math.hypot, "a / out, b / out", inputs="a, b",
                   domain=[(0.5, 3.0), [(-3.0, -0.5), (0.5, 3.0)]])
    a, b = Value(3.0), Value(4.0)
    y = a.hypot(b)
    y.backward()
    assert (y.data, a.grad, b.grad) == (5.0, 0.6, 0.8)
    assert a.hypot(4.0).data == apply_op(op, 3.0, b).data == 5.0
    assert check_op(op, order=2)


def test_defined_op_forward_errors_name_the_op_and_the_input():
    define_op("logp", lambda x: math.log(x), "1 / x", domain=(0.1, 5.0))
    with pytest.raises(DomainError, match=r"logp: math domain error \(at x=-1.0\)"):
        Value(-1.0).logp()


def test_defining_the_same_op_again_returns_the_entry_there():
    first = define_op("swish", *SWISH)
    assert define_op("swish", *SWISH) is first


def test_defining_an_op_from_many_threads_gives_one_entry():
    forward = SWISH[0]
    results = []
    threads = [threading.Thread(target=lambda: results.append(define_op("swish", forward,
                                                                        SWISH[1])))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(op is OPS["swish"] for op in results)


def test_removed_op_leaves_its_nodes_working_and_its_name_free():
    define_op("swish", *SWISH)
    x = Value(0.8)
    y = x.swish()
    remove_op("swish")
    assert "swish" not in OPS and not hasattr(Value, "swish")
    y.backward()
    assert x.grad == pytest.approx(d_swish(0.8), rel=1e-15)
    again = define_op("swish", "x * sigmoid(x)", "sigmoid(x) + out * (1 - sigmoid(x))")
    assert again is not y.op and Value(0.8).swish()._op == "swish"


DEFINE_ERRORS = {
    "an op's name": (lambda: define_op("tanh", "x", "1.0"), ValueError,
                     "define_op 'tanh': the table already has an op of that name (tanh x); "
                     "choose another name"),
    "a method's name": (lambda: define_op("backward", "x", "1.0"), ValueError,
                        "define_op 'backward': Value already has an attribute of that name "
                        "(Value.backward)"),
    "an attribute's name": (lambda: define_op("grad", "x", "1.0"), ValueError,
                            "define_op 'grad': Value already has an attribute of that name"),
    "a private name": (lambda: define_op("_swish", *SWISH), ValueError,
                       "define_op: name must be a Python identifier not starting with '_'"),
    "a keyword": (lambda: define_op("lambda", *SWISH), ValueError,
                  "define_op: name must be a Python identifier"),
    "a name not a str": (lambda: define_op(3, *SWISH), TypeError,
                         "define_op: name must be a str, got int"),
    "a derivative that does not parse": (
        lambda: define_op("swish", "x", "sigmoid(x) * (1 +"), ValueError,
        "define_op 'swish': the derivative 'sigmoid(x) * (1 +' is not a Python expression"),
    "an unknown variable": (
        lambda: define_op("swish", "x", "sigmoid(y)"), ValueError,
        "define_op 'swish': the derivative 'sigmoid(y)' names unknown variable y; it may "
        "use out, x and"),
    "math instead of the helpers": (
        lambda: define_op("swish", "x", "math.exp(x)"), ValueError,
        "define_op 'swish': the derivative 'math.exp(x)' names unknown variable math"),
    "a term too many": (
        lambda: define_op("swish", "x", "1.0, 2.0"), ValueError,
        "define_op 'swish': the derivative '1.0, 2.0' has 2 terms for 1 input; write one "
        "expression per input (x)"),
    "a term too few": (
        lambda: define_op("plus", "a + b", "1.0", inputs="a, b"), ValueError,
        "define_op 'plus': the derivative '1.0' has 1 term for 2 inputs"),
    "a derivative only floats have": (
        lambda: define_op("swish", "x", "x.real"), ValueError,
        "define_op 'swish': the derivative 'x.real' fails on Values at x=0.0: "
        "AttributeError"),
    "a derivative that is not a number": (
        lambda: define_op("swish", "x", "[x]"), ValueError,
        "define_op 'swish': the derivative with respect to x must be a number, got list"),
    "a forward outside its domain": (
        lambda: define_op("logp", lambda x: math.log(x), "1 / x"), ValueError,
        "define_op 'logp': the forward fails at x=0.0 (the middle of its domain): "
        "DomainError: logp: math domain error (at x=0.0); declare where the op is defined "
        "with domain=(lo, hi)"),
    "a forward on Values": (
        lambda: define_op("swish", lambda x: x * x.sigmoid(), SWISH[1]), ValueError,
        "define_op 'swish': the forward fails at x=0.0"),
    "a forward not a function": (
        lambda: define_op("swish", 3.0, SWISH[1]), TypeError,
        "define_op 'swish': forward must be a function of floats or an expression"),
    "a derivative not a str": (
        lambda: define_op("swish", SWISH[0], lambda x: 1.0), TypeError,
        "define_op 'swish': the derivative must be a str (an expression), got function"),
    "an empty interval": (
        lambda: define_op("swish", *SWISH, domain=(1.0, -1.0)), ValueError,
        "define_op 'swish': the domain of x must be an interval (lo, hi) of finite numbers "
        "with lo < hi, or a list of them, got (1.0, -1.0)"),
    "a domain per input missing": (
        lambda: define_op("plus", "a + b", "1.0, 1.0", inputs="a, b", domain=[(0, 1)]),
        ValueError, "define_op 'plus': domain must give one interval (or list of intervals) "
                    "per input, 2 in all"),
    "three inputs": (
        lambda: define_op("plus", "a + b + c", "1, 1, 1", inputs="a, b, c"), ValueError,
        "define_op 'plus': an op has one input ('x') or two ('a, b')"),
    "braces in the symbol": (
        lambda: define_op("swish", *SWISH, symbol="sw{x}"), ValueError,
        "define_op 'swish': symbol may not contain braces, got 'sw{x}'"),
    "an input called out": (
        lambda: define_op("swish", "out", "1.0", inputs="out"), ValueError,
        "define_op 'swish': input names must be identifiers other than 'out'"),
    "another definition of a defined name": (
        lambda: (define_op("swish", *SWISH), define_op("swish", "x", "1.0")), ValueError,
        "define_op 'swish': an op of that name is already defined (by define_op) with "
        "another definition; to redefine it, remove_op('swish') first"),
    "removing a built-in op": (lambda: remove_op("tanh"), ValueError,
                               "remove_op: 'tanh' is a built-in op; only ops added with "
                               "define_op can be removed"),
    "removing an unknown op": (lambda: remove_op("swish"), ValueError,
                               "remove_op: no op 'swish' was added with define_op"),
}


@pytest.mark.parametrize("case", sorted(DEFINE_ERRORS))
def test_bad_definitions_are_refused_with_the_reason(case):
    thunk, error, message = DEFINE_ERRORS[case]
    with pytest.raises(error) as info:
        thunk()
    assert str(info.value).startswith(message), str(info.value)
    assert "swish" not in OPS or _defined["swish"].op is OPS["swish"]


# ---------------------------------------------------------------------------
# compile: a user's op over a whole batch
# ---------------------------------------------------------------------------

def test_user_ops_run_through_compile_with_the_scalar_engines_values_and_gradients():
    np = pytest.importorskip("numpy")
    from autograd_lite import compile
    define_op("swish", "x * sigmoid(x)", "sigmoid(x) * (1 + x * (1 - sigmoid(x)))")
    define_op("hyp", math.hypot, "a / out, b / out", inputs="a, b",
              domain=(((0.5, 3.0),), ((0.5, 3.0),)))
    w = Value(0.7)

    def f(x):
        return (x * w).swish() + (x * w).hyp(w + x) * 0.5

    X = np.array([-1.0, 0.5, 2.0, 0.0])
    out = compile(f)(X)
    out.sum().backward()
    compiled_grad, w.grad = w.grad, 0.0
    scalar = [f(Value(float(x))) for x in X]
    total = scalar[0]
    for y in scalar[1:]:
        total = total + y
    total.backward()
    assert out.data.tolist() == [y.data for y in scalar]
    assert compiled_grad == pytest.approx(w.grad, rel=1e-12)


# ---- backward's shortcuts, read off the derivative text ---------------------

def test_two_input_partials_that_are_numbers_or_the_other_input_are_read_off_the_text():
    assert OPS["add"].pair_shortcut == (1.0, 1.0)
    assert OPS["sub"].pair_shortcut == (1.0, -1.0)
    assert OPS["mul"].pair_shortcut == SWAPPED
    assert OPS["div"].pair_shortcut is None and OPS["pow_value"].pair_shortcut is None


@pytest.mark.parametrize("derivative, shortcut", [("b, a", SWAPPED), ("2.0, -3.0", (2.0, -3.0)),
                                                  ("a, b", None), ("b * 1.0, a", None)])
def test_a_defined_ops_shortcut_gives_the_gradients_its_partials_give(derivative, shortcut):
    forwards = {"b, a": "a * b", "2.0, -3.0": "2.0 * a - 3.0 * b", "a, b": "0.5 * (a * a + b * b)",
                "b * 1.0, a": "a * b"}
    op = define_op("twin", forwards[derivative], derivative, inputs="a, b")
    assert op.pair_shortcut == shortcut
    a, b = Value(1.5), Value(-2.0)
    y = a.twin(b) * 3.0
    y.backward()
    expected = op.partials(op.forward(1.5, -2.0), 1.5, -2.0)
    assert (a.grad, b.grad) == (3.0 * expected[0], 3.0 * expected[1])


@pytest.mark.parametrize("forward, x, error, message", [
    ("log(x)", -1.0, DomainError, "logt: log: input must be > 0, got -1.0 (at x=-1.0)"),
    ("x ** 0.5", -4.0, DomainError, "logt: pow: a negative base needs an integer exponent"),
    ("exp(x)", 1000.0, FloatOverflowError, "logt: exp: result overflows a float"),
    ("1 / x", 0.0, DivisionByZeroError, "logt: div: division by zero"),
])
def test_a_forward_written_as_text_refuses_what_the_table_refuses(forward, x, error, message):
    define_op("logt", forward, "0.0", domain=(0.5, 2.0))
    try:
        with pytest.raises(error) as info:
            Value(x).logt()
        assert str(info.value).startswith(message)
    finally:
        remove_op("logt")


def test_a_defined_derivative_that_divides_by_zero_is_inf_not_an_exception():
    define_op("recip", lambda x: 1.0 / x if x else 0.0, "-1 / x ** 2", domain=(0.5, 2.0))
    try:
        x = Value(0.0)
        x.recip().backward()
        assert x.grad == -math.inf
        x = Value(0.0)
        x.recip().backward(create_graph=True)
        assert x.grad.data == -math.inf
    finally:
        remove_op("recip")
