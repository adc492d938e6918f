"""Derivatives at extreme inputs, op by op over the whole table: once a
forward pass succeeds, backward (first order and with create_graph) never
raises, both give the same numbers, and they are torch's (inf, -inf and nan
where torch has them)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import OPS, Value, apply_op, gradients
from autograd_lite.ops import BINARY, CONST_RIGHT, DOT, NARY, UNARY

inf, nan = math.inf, math.nan

EXTREMES = [0.0, -0.0, 5e-324, 1e-300, -1e-300, 1e-8, 0.5, -0.5, 1.0, -1.0, 2.0,
            -3.0, 30.0, -30.0, 709.0, 710.0, -750.0, 1e150, -1e150, 1e300, -1e300,
            inf, -inf, nan]
SMALL = [0.0, -0.0, 1e-300, -1.0, 0.5, 2.0, 1e300, -1e300, inf, -inf, nan]
PARAMETERS = {
    "pow": [0, 1, 2, 3, -1, -2, 0.5, 2.5, -0.5, 1e-300, 400, -400, 1e300, -1e300,
            inf, -inf, nan],
    "leaky_relu": [0.01, 0.2, 1e300, inf, nan],
    "elu": [1.0, 0.5, 1e300],
}


def cases(name):
    """(layout, numbers): every way the op is applied, at extreme numbers."""
    layout = OPS[name].layout
    if layout == UNARY:
        return [("x", (x,)) for x in EXTREMES]
    if layout == CONST_RIGHT:
        return [("x, c", (x, c)) for x in EXTREMES for c in PARAMETERS[name]]
    if layout == BINARY:
        return [(kind, (a, b)) for a in EXTREMES for b in EXTREMES
                for kind in ("a, b", "a, const b", "const a, b")]
    return [("a, b", (a, b)) for a in SMALL for b in SMALL]       # NARY, DOT


def build(name, layout, numbers, leaf, apply):
    """The op applied as ``layout`` says, inputs made by ``leaf``, the op by
    ``apply`` (ours: the table entry; torch: its function)."""
    a, b = (numbers + (None,))[:2]
    if layout == "x":
        return apply(leaf(a))
    if layout == "x, c":
        return apply(leaf(a), b)
    if layout == "a, b" and OPS[name].layout == NARY:
        return apply([leaf(a), leaf(b)])
    if layout == "a, b" and OPS[name].layout == DOT:
        return apply([leaf(a), leaf(1.5)], [leaf(b), -2.0])
    if layout == "a, b":
        return apply(leaf(a), leaf(b))
    if layout == "a, const b":
        return apply(leaf(a), b)
    return apply(a, leaf(b))


def our_derivatives(name, layout, numbers, create_graph=False):
    """(output, the leaves' gradients), or None where the forward refuses."""
    leaves = []

    def leaf(x):
        leaves.append(Value(x))
        return leaves[-1]

    try:
        out = build(name, layout, numbers, leaf, lambda *args: apply_op(OPS[name], *args))
    except (ValueError, TypeError):      # refused with a clear error: nothing to differentiate
        return None
    out.backward(create_graph=create_graph)
    return out.data, [p.grad.data if type(p.grad) is Value else p.grad for p in leaves]


# ---------------------------------------------------------------------------
# The cases that raised, one by one
# ---------------------------------------------------------------------------

def test_an_overflowing_power_derivative_is_minus_inf_as_torch():
    x = Value(1e-300)
    (x ** -1).backward()                    # d/dx x^-1 = -x^-2 = -1e600
    assert x.grad == -math.inf


def test_a_constant_bases_partial_is_never_computed():
    x = Value(-1.0)
    (1e-300 ** x).backward()                # d/dx c^x = c^x ln c; d/dc would overflow
    assert x.grad == pytest.approx(1e300 * math.log(1e-300), rel=1e-15)


def test_zero_to_a_value_power_has_the_same_gradient_with_create_graph():
    a, b = Value(0.0), Value(1.0)
    (a ** b).backward()
    plain = (a.grad, b.grad)
    a2, b2 = Value(0.0), Value(1.0)
    (a2 ** b2).backward(create_graph=True)
    graph = tuple(g.data if type(g) is Value else g for g in (a2.grad, b2.grad))
    assert plain == graph == (1.0, 0.0)


@pytest.mark.parametrize("c, data", [(inf, inf), (-inf, 0.0), (nan, nan)])
def test_a_negative_base_to_an_infinite_or_nan_power_is_cs_pow(c, data):
    x = Value(-2.0)
    y = x ** c
    y.backward()
    assert same(y.data, data) and same(x.grad, c * (-2.0) ** (c - 1))


def test_a_negative_base_to_a_fractional_power_is_still_refused_clearly():
    with pytest.raises(ValueError, match=r"a negative base needs an integer exponent"):
        Value(-2.0) ** 0.5


def test_elu_slope_far_left_is_alpha_e_to_the_x_to_the_last_bit():
    x = Value(-30.0)
    x.elu(0.5).backward()
    assert x.grad == 0.5 * math.exp(-30.0)       # out + alpha cancelled to 2e-4


def same(ours, theirs):
    if math.isnan(theirs):
        return math.isnan(ours)
    if math.isinf(theirs) or theirs == 0:
        return ours == theirs
    return ours == pytest.approx(theirs, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("name", sorted(OPS))
def test_backward_never_raises_and_create_graph_gives_the_same_numbers(name):
    for layout, numbers in cases(name):
        first = our_derivatives(name, layout, numbers)
        graph = our_derivatives(name, layout, numbers, create_graph=True)
        what = f"{name}({layout} = {numbers})"
        assert (first is None) == (graph is None), what
        if first is not None:
            assert all(map(same, graph[1], first[1])), (what, first, graph)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(OPS)), st.lists(st.floats(), min_size=3, max_size=3),
       st.sampled_from([0, 1, 2, -1, 0.5, -0.5, 3.5, 1e300, inf, nan]))
def test_a_successful_forward_means_every_derivative_succeeds(name, xs, c):
    op = OPS[name]
    a, b, d = (Value(x) for x in xs)
    try:
        if op.layout == UNARY:
            out = apply_op(op, a)
        elif op.layout == CONST_RIGHT:
            out = apply_op(op, a, c)
        elif op.layout == BINARY:
            out = apply_op(op, a, b) * apply_op(op, xs[0], d) + apply_op(op, a, c)
        elif op.layout == NARY:
            out = apply_op(op, [a, b, d])
        else:
            out = apply_op(op, [a, b], [d, c])
    except (ValueError, TypeError):
        return
    out.backward()
    out.backward(create_graph=True)
    for g in gradients(out, [a, b, d], create_graph=True):
        if type(g) is Value:
            gradients(g, [a, b, d], create_graph=True)       # second derivatives too


# ---------------------------------------------------------------------------
# torch, where it is installed
# ---------------------------------------------------------------------------

def torch_function(name, torch):
    F = torch.nn.functional
    return {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b, "neg": lambda x: -x, "abs": torch.abs,
        "pow": torch.pow, "pow_value": torch.pow, "sqrt": torch.sqrt,
        "exp": torch.exp, "log": torch.log, "sin": torch.sin, "cos": torch.cos,
        "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
        "leaky_relu": F.leaky_relu, "elu": F.elu,
        "gelu": lambda x: F.gelu(x, approximate="tanh"),
        "softplus": F.softplus,     # x itself beyond 20, where ours is within 1e-9 of x
        "sum": lambda xs: xs[0] + xs[1],
        "logsumexp": lambda xs: torch.logsumexp(torch.stack(xs), 0),
        "dot": lambda a, b: a[0] * b[0] + a[1] * b[1],
    }[name]


# Where torch's numbers are not the derivative's, ours are (and differ):
KNOWN = {
    # at -0.0 torch's infinite slope is -inf (1 / -0.0); here +inf, as at +0.0
    ("pow", "x, c", (-0.0, 0.5)), ("sqrt", "x", (-0.0,)),
    # torch's logsumexp(1e300, 1e300) rounds to 1e300 (losing ln 2), so its
    # gradient e^(x - result) is 1 for each; the derivative, ours, is 1/2
    ("logsumexp", "a, b", (1e300, 1e300)), ("logsumexp", "a, b", (-1e300, -1e300)),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_derivatives_at_extreme_inputs_are_torchs(name):
    torch = pytest.importorskip("torch")
    f = torch_function(name, torch)
    mismatches = []
    for layout, numbers in cases(name):
        ours = our_derivatives(name, layout, numbers)
        if ours is None or (name, layout, numbers) in KNOWN:
            continue
        leaves = []

        def leaf(x, leaves=leaves):
            leaves.append(torch.tensor(x, dtype=torch.float64, requires_grad=True))
            return leaves[-1]

        def apply(*args):
            args = [torch.tensor(x, dtype=torch.float64) if type(x) is float and name not in
                    ("pow", "leaky_relu", "elu") else x for x in args]
            return f(*args)

        out = build(name, layout, numbers, leaf, apply)
        out.backward()
        theirs = (out.item(), [t.grad.item() for t in leaves])
        if not (same(ours[0], theirs[0]) and all(map(same, ours[1], theirs[1]))):
            mismatches.append((f"{name}({layout} = {numbers})", ours, theirs))
    assert not mismatches, "\n".join(map(str, mismatches[:25])) + f"\n{len(mismatches)} in all"
