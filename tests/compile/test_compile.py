"""compile: scalar code traced once and replayed over a batch with numpy.

Every op of the table, in every layout, compiled against the scalar engine
(values and gradients, at the kinks too), with and without merging; nn models
with integer labels; micrograd-style neurons; each way a trace could depend
on the sample, shown to give the right result or a clear error."""

import builtins
import itertools
import math
import random
from pathlib import Path

import numpy as np
import pytest

import autograd_lite
import nn
from autograd_lite import (OPS, DomainError, Leaves, Value, apply_op, compile, dot,
                           logsumexp, select, vsum)
from autograd_lite.ops import BINARY, CONST_RIGHT, DOT, NARY, UNARY
from autograd_lite.compile import SampleIndexError
from autograd_lite.compile.program import _MatMul

RTOL = 1e-12

# Kinks and both sides of every branch in the table: 0, -0.0, tiny values.
KINKS = [-2.0, -0.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.5]
POSITIVE = [1e-3, 0.25, 1.0, 2.5, 4.0]


def scalar_reference(fn, arrays, params):
    """Per-sample outputs and d(sum of outputs)/d params from the scalar engine."""
    for p in params:
        p.grad = 0.0
    outputs = []
    for b in range(len(arrays[0])):
        args = [Value(float(a[b])) if a.ndim == 1 else [Value(float(v)) for v in a[b]]
                for a in arrays]
        result = fn(*args)
        outputs.append(result if isinstance(result, list) else [result])
    vsum([v for row in outputs for v in row]).backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return np.array([[v.data for v in row] for row in outputs]), grads


def assert_compiles_like_scalar(fn, arrays, params, fuse):
    expected, expected_grads = scalar_reference(fn, arrays, params)
    out = compile(fn, fuse=fuse)(*arrays)
    out.sum().backward()
    got_grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    np.testing.assert_allclose(out.data.reshape(expected.shape), expected, rtol=RTOL,
                               atol=0, equal_nan=True)
    np.testing.assert_allclose(got_grads, expected_grads, rtol=RTOL, atol=1e-300,
                               equal_nan=True)


def points(op, i=0):
    """Kinks for ops defined everywhere; positive points for the rest."""
    if op.name in ("log", "sqrt") or (op.name == "pow_value" and i == 0):
        return POSITIVE
    return KINKS


def layouts(op):
    """(layout name, fn, arrays, params) for each layout the op has."""
    w, v = Value(1.0), Value(0.0)     # x * 1.0 keeps -0.0; d/dv reads op'(x)
    params = [w, v]
    x = np.array(points(op))
    cases = []
    if op.layout == UNARY:
        cases.append(("unary", lambda a: apply_op(op, a * w) + apply_op(op, a + v), [x]))
    elif op.layout == CONST_RIGHT:
        for c in op.param_samples:
            xs = np.array(POSITIVE) if op.name == "pow" and (c < 0 or c != int(c)) else x
            cases.append((f"param {c}", lambda a, c=c: apply_op(op, a * w, c)
                          + apply_op(op, a + v, c), [xs]))
    elif op.layout == BINARY:
        y = np.array(points(op, 1))[::-1].copy()
        if op.name == "div":
            y = np.array([-2.0, -0.5, 0.25, 1.0, 3.0, 0.5, -1.5, 2.0])
        y = np.resize(y, len(x))
        cases.append(("binary", lambda a, b: apply_op(op, a * w, b + v), [x, y]))
        cases.append(("const right", lambda a: apply_op(op, a * w, 1.5)
                      + apply_op(op, a + v, 0.5), [x]))
        left = np.array(POSITIVE if op.name == "div" else points(op, 1))
        cases.append(("const left", lambda b: apply_op(op, 1.5, b * w)
                      + apply_op(op, 0.5, b + v), [left]))
    elif op.layout == NARY:
        rng = np.random.default_rng(1)
        xs = rng.normal(size=(6, 4))
        xs[0] = [0.0, -0.0, 0.0, 0.0]                           # all tied
        xs[1] = [1000.0, -1000.0, 990.0, 0.0]                    # far apart
        cases.append(("n-ary", lambda a: apply_op(op, [a[0] * w, a[1] + v, a[2], 2.0,
                                                       a[3]]), [xs]))
    elif op.layout == DOT:
        rng = np.random.default_rng(2)
        xs = rng.normal(size=(6, 4))
        ws = Leaves(Value(float(u)) for u in rng.normal(size=4))
        params = params + list(ws)
        cases.append(("dot with parameters (a matrix product)", lambda a: dot(ws, a), [xs]))
        cases.append(("dot with constants", lambda a: dot(a, [1.0, -2.0, 0.5, 3.0]) * w,
                      [xs]))
        cases.append(("dot of two per-sample lists",
                      lambda a: dot(a, [u * w + v for u in a]), [xs]))
    return [(name, fn, arrays, params) for name, fn, arrays in cases]


CASES = [(name, layout, fn, arrays, params)
         for name in sorted(OPS) for layout, fn, arrays, params in layouts(OPS[name])]


@pytest.mark.parametrize("fuse", [True, False], ids=["merged", "as written"])
@pytest.mark.parametrize("name, layout, fn, arrays, params", CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_every_op_and_layout_compiles_to_the_scalar_values_and_gradients(
        name, layout, fn, arrays, params, fuse):
    assert_compiles_like_scalar(fn, arrays, params, fuse)


def test_every_op_of_the_table_is_covered_by_the_layout_cases():
    assert {c[0] for c in CASES} == set(OPS)


def test_relu_at_zero_has_the_scalar_engines_subgradient_per_sample():
    v = Value(0.0)
    out = compile(lambda x: (x + v).relu())(np.array([-0.0, 0.0, 1.0]))
    out.backward(np.ones(3))
    assert out.data.tolist() == [0.0, 0.0, 1.0]
    assert v.grad == 1.0                      # only the sample above the kink


def test_sigmoid_and_softplus_stay_finite_at_huge_inputs_as_the_scalar_engine():
    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    for method in ("sigmoid", "softplus", "tanh"):
        out = compile(lambda a, method=method: getattr(a, method)())(x).data
        assert out.tolist() == [getattr(Value(v), method)().data for v in x]


# ---------------------------------------------------------------------------
# nn models, integer labels, micrograd-style code
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fuse", [True, False], ids=["merged", "as written"])
def test_mlp_with_integer_labels_matches_the_scalar_loss_and_gradients(fuse):
    model = nn.MLP(6, [5, 4], activation="tanh", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(9, 6)), rng.integers(0, 4, 9)
    losses = [nn.cross_entropy(model(list(x)), int(y)) for x, y in zip(X, Y)]
    mean = vsum(losses) / len(losses)
    mean.backward()
    expected = [p.grad for p in model.parameters()]
    model.zero_grad()
    out = compile(lambda x, y: nn.cross_entropy(model(x), y), fuse=fuse)(X, Y)
    reduced = out.mean()
    reduced.backward()
    assert reduced.data == mean.data            # left to right, as vsum
    np.testing.assert_allclose(out.data, [loss.data for loss in losses], rtol=RTOL)
    np.testing.assert_allclose([p.grad for p in model.parameters()], expected,
                               rtol=RTOL, atol=1e-15)


def test_each_sample_selects_its_own_label():
    z = compile(lambda x, y: nn.cross_entropy(x, y))
    X = np.array([[2.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    out = z(X, np.array([0, 1])).data
    assert out[0] < out[1]
    assert out.tolist() == [nn.cross_entropy([2.0, 0.0, 0.0], t).data for t in (0, 1)]


def test_a_label_out_of_range_names_the_sample():
    model = nn.MLP(2, [3], seed=0)
    step = compile(lambda x, y: nn.cross_entropy(model(x), y))
    with pytest.raises(SampleIndexError, match=r"target 3 of sample 1 is out of range"):
        step(np.zeros((2, 2)), np.array([0, 3]))


@pytest.mark.parametrize("labels", [[3, 0], [0, 3], [0, -1]], ids=str)
def test_a_label_out_of_range_raises_the_eager_losss_error_when_compiled(labels):
    model = nn.MLP(2, [3], seed=0)
    bad = next(i for i, t in enumerate(labels) if not 0 <= t < 3)
    with pytest.raises(nn.TargetOutOfRangeError, match=f"target {labels[bad]} of sample"):
        nn.cross_entropy([model([0.0, 0.0]) for _ in labels], labels)
    step = compile(lambda x, y: nn.cross_entropy(model(x), y))
    with pytest.raises(nn.TargetOutOfRangeError,
                       match=f"target {labels[bad]} of sample {bad} is out of range"):
        step(np.zeros((2, 2)), np.array(labels))


def test_an_index_out_of_range_raises_the_same_error_eager_and_compiled():
    xs = [Value(1.0), Value(2.0)]
    for index in (2, -1):
        with pytest.raises(SampleIndexError, match=f"index {index} is out of range"):
            select(xs, index)
    with pytest.raises(TypeError, match="index must be an int"):
        select(xs, 1.0)
    pick = compile(lambda x, i: select(x, i))
    with pytest.raises(SampleIndexError, match="index -1 of sample 1 is out of range") as error:
        pick(np.ones((2, 2)), np.array([0, -1]))
    assert type(error.value) is SampleIndexError
    assert issubclass(nn.TargetOutOfRangeError, SampleIndexError)


def test_select_takes_any_iterable_and_refuses_what_is_not_one_by_name():
    assert select((Value(float(k)) for k in range(3)), 1).data == 1.0
    pick = compile(lambda x, i: select((v * 2 for v in x), i))
    assert pick(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0])).data.tolist() == [4.0, 6.0]
    for values in ("ab", 5):
        with pytest.raises(TypeError, match="select: expected a sequence of Values or "
                                            f"numbers, got {type(values).__name__}"):
            select(values, 0)
    with pytest.raises(TypeError, match="select: element 1: expected an int, float"):
        compile(lambda x, i: select([x, "a"], i))(np.ones(2), np.array([0, 1]))


def test_micrograd_style_sum_of_products_becomes_one_matrix_product():
    rng = random.Random(0)
    neurons = [([Value(rng.uniform(-1, 1)) for _ in range(5)], Value(0.1))
               for _ in range(3)]
    params = [p for ws, b in neurons for p in ws + [b]]

    def layer(x):
        return [sum((wi * xi for wi, xi in zip(ws, x)), b).tanh() for ws, b in neurons]

    X = np.random.default_rng(0).normal(size=(7, 5))
    assert_compiles_like_scalar(layer, [X], params, fuse=True)
    program = compile_and_trace(layer, X).program(X)
    assert sum(isinstance(g, _MatMul) for g in program.groups) == 1


def compile_and_trace(fn, *arrays):
    compiled = compile(fn)
    compiled(*arrays)
    return compiled


def test_an_mlp_layer_is_one_matrix_product():
    model = nn.MLP(8, [6, 3], seed=0)
    compiled = compile_and_trace(lambda x: model(x), np.ones((4, 8)))
    program = compiled.program(np.ones((4, 8)))
    assert sum(isinstance(g, _MatMul) for g in program.groups) == 2


def test_each_layer_reads_the_previous_layers_outputs_as_one_block_without_a_copy():
    # the tape lists a layer's nodes in the order the next layer reads them
    model = nn.MLP(6, [5, 4, 3], seed=0)
    compiled = compile_and_trace(lambda x, y: nn.cross_entropy(model(x), y),
                                 np.ones((4, 6)), np.array([0, 1, 2, 0]))
    program = compiled.program(np.ones((4, 6)), np.array([0, 1, 2, 0]))
    layers = [g for g in program.groups if isinstance(g, _MatMul)]
    assert len(layers) == 3
    for layer in layers:
        assert [columns for _, columns, *_ in layer.x.runs] == [None]     # a whole block


def test_the_mean_of_one_output_backpropagates_into_that_output_only():
    model = nn.MLP(3, [4, 2], seed=0)
    X, Y = np.random.default_rng(2).normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    step = compile(lambda x, y: [nn.cross_entropy(model(x), y)] + model(x))
    out = step(X, Y)
    loss = out[:, 0].mean()
    assert out[:, 0].shape == (5,) and out[:, 1:].shape == (5, 2)
    loss.backward()
    got = [p.grad for p in model.parameters()]
    model.zero_grad()
    eager = nn.cross_entropy([model(list(x)) for x in X], Y.tolist())
    eager.backward()
    assert loss.data == eager.data                      # vsum(losses) / n, as eagerly
    np.testing.assert_allclose(got, [p.grad for p in model.parameters()], rtol=1e-12)


def test_an_output_picked_twice_gets_both_gradients():
    w = Value(2.0)
    out = compile(lambda x: [w * x, x * x])(np.array([1.0, 3.0]))
    out[:, [0, 0]].sum().backward()
    assert w.grad == 2 * (1.0 + 3.0)
    with pytest.raises(IndexError, match=r"cannot pick outputs .* shape \(2, 2\)"):
        out[:, 5]
    with pytest.raises(ValueError, match="grad must have the shape of data, \\(2,\\)"):
        out[:, 0].backward(np.ones(3))


def test_a_batch_is_an_array_to_numpy_and_refuses_to_be_iterated():
    w = Value(2.0)
    out = compile(lambda x: [w * x, x * x])(np.array([1.0, 3.0]))
    np.testing.assert_array_equal(np.asarray(out), [[2.0, 1.0], [6.0, 9.0]])
    assert np.asarray(out[:, 1], dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match=r"iterate over its numbers, out\.data"):
        list(out)
    with pytest.raises(TypeError, match="has no length; read its number with .data"):
        len(out[0, 0])
    assert len(out) == 2 and len(out[:, 0]) == 2


def test_optimizers_work_unchanged_on_compiled_gradients():
    model = nn.MLP(3, [4, 2], seed=1)
    twin = nn.MLP(3, [4, 2], seed=1)
    X, Y = np.random.default_rng(1).normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    opt, twin_opt = nn.Adam(model.parameters(), lr=0.1), nn.Adam(twin.parameters(), lr=0.1)
    step = compile(lambda x, y: nn.cross_entropy(model(x), y))
    for _ in range(3):
        opt.zero_grad()
        step(X, Y).mean().backward()
        opt.step()
        twin_opt.zero_grad()
        nn.cross_entropy([twin(list(x)) for x in X], Y.tolist()).backward()
        twin_opt.step()
    np.testing.assert_allclose([p.data for p in model.parameters()],
                               [p.data for p in twin.parameters()], rtol=1e-10, atol=1e-14)


def test_a_list_result_has_one_column_per_value_and_parameters_are_read_each_call():
    w = Value(2.0)
    f = compile(lambda x: [x * w, x + w, 3.0])
    assert f(np.array([1.0, 2.0])).data.tolist() == [[2.0, 3.0, 3.0], [4.0, 4.0, 3.0]]
    w.data = 10.0
    assert f(np.array([1.0])).data.tolist() == [[10.0, 11.0, 3.0]]


def test_a_computed_value_captured_from_outside_is_recomputed_from_its_leaves():
    w = Value(2.0)
    h = w * 3                                    # made before the call
    f = compile(lambda x: h * x)
    out = f(np.array([1.0, 2.0]))
    out.sum().backward()
    assert out.data.tolist() == [6.0, 12.0] and w.grad == 9.0 and h.grad == 0.0
    w.data, h.data = 10.0, 100.0                 # h's own number is not read
    assert f(np.array([1.0])).data.tolist() == [30.0]


def test_one_trace_per_argument_shape():
    compiled = compile(lambda xs: vsum(xs))
    assert compiled(np.ones((2, 3))).data.tolist() == [3.0, 3.0]
    assert compiled(np.ones((2, 5))).data.tolist() == [5.0, 5.0]
    assert len(compiled._traces) == 2


# ---------------------------------------------------------------------------
# Data-dependent code: right per sample, or a clear error
# ---------------------------------------------------------------------------

def branchy(x):
    return x * 2 if x > 0 else -x


def test_a_branch_every_sample_takes_gives_the_scalar_result():
    assert compile(branchy)(np.array([1.0, 2.0, 3.0])).data.tolist() == [2.0, 4.0, 6.0]


def test_a_branch_some_samples_do_not_take_gives_them_their_own():
    x = [1.0, -2.0, 3.0, -4.0]
    assert compile(branchy)(np.array(x)).data.tolist() == [branchy(Value(v)).data for v in x]


def test_a_branch_on_an_inputs_data_is_checked_per_sample():
    f = compile(lambda x: x * 2 if x.data > 0 else -x)
    assert f(np.array([1.0, 2.0])).data.tolist() == [2.0, 4.0]
    assert f(np.array([1.0, 2.0, -3.0])).data.tolist() == [2.0, 4.0, 3.0]


@pytest.mark.parametrize("node, x, threshold", [
    (lambda x: x.leaky_relu(0.1), [2.0, -5.0], -1.0),
    (lambda x: x.elu(0.1), [2.0, -5.0], -1.0),
    (lambda x: logsumexp([x, x]), [math.inf, -0.5], 0.0),
], ids=["leaky_relu", "elu", "logsumexp"])
def test_a_branch_on_a_computed_nodes_data_is_checked_against_that_node(node, x, threshold):
    # the node's comparison is True for both samples; the input's would not be
    def fn(v):
        y = node(v)
        return y * 2 if y.data > threshold else y * 3
    expected = [fn(Value(v)).data for v in x]
    assert compile(fn)(np.array(x)).data.tolist() == expected


@pytest.mark.parametrize("beside", ["autograd_lite_extras/x.py", "autograd_lite2.py"])
def test_code_in_a_file_beside_the_package_sharing_its_name_is_user_code(beside):
    # a module whose path starts with the package folder's name, without being
    # in it: its comparisons are the user's branches, checked per sample
    package = Path(autograd_lite.__file__).resolve().parent
    filename = str(package.parent / beside)
    namespace: dict = {}
    exec(builtins.compile("def f(x):\n    return x * 2 if x.data > 0 else -x\n",
                          filename, "exec"), namespace)
    f = compile(namespace["f"])
    assert f(np.array([1.0, 2.0])).data.tolist() == [2.0, 4.0]
    assert f"guard s0 > 0.0 is True  # {Path(filename).name}:2" in f.tape(np.ones(1))
    assert f(np.array([1.0, 2.0, -3.0])).data.tolist() == [2.0, 4.0, 3.0]


def test_an_argmax_of_data_is_checked_per_sample():
    f = compile(lambda xs: xs[max(range(3), key=lambda k: xs[k].data)] * 1.0)
    assert f(np.array([[0.0, 5.0, 1.0], [2.0, 9.0, 3.0]])).data.tolist() == [5.0, 9.0]
    assert f(np.array([[0.0, 5.0, 1.0], [2.0, 1.0, 3.0]])).data.tolist() == [5.0, 3.0]


def test_max_over_values_is_checked_per_sample():
    f = compile(lambda xs: max(xs))
    assert f(np.array([[1.0, 0.0], [3.0, 2.0]])).data.tolist() == [1.0, 3.0]
    assert f(np.array([[1.0, 0.0], [2.0, 3.0]])).data.tolist() == [1.0, 3.0]


def test_max_of_data_is_followed_per_sample_where_samples_agree_on_the_argmax():
    def shifted(xs):
        m = max(v.data for v in xs)
        return vsum([(v - m).exp() for v in xs])
    rows = [[1.0, 0.0], [5.0, 3.0]]
    expected = [shifted([Value(x) for x in row]).data for row in rows]
    assert compile(shifted)(np.array(rows)).data.tolist() == expected


def test_reading_data_inside_fn_is_followed_per_sample():
    assert compile(lambda x: x * x.data)(np.array([1.0, 2.0])).data.tolist() == [1.0, 4.0]


def test_a_value_made_from_sample_data_is_followed_per_sample_without_a_gradient():
    w = Value(3.0)
    out = compile(lambda x: w * x * Value((w * x).data))(np.array([1.0, 2.0]))
    assert out.data.tolist() == [9.0, 36.0]
    out.sum().backward()
    assert w.grad == 1.0 * 3.0 + 2.0 * 6.0          # d/dw of w x times a constant


def test_an_index_taken_from_a_traced_value_is_refused():
    with pytest.raises(TypeError, match=r"int\(\) at test_compile.py:\d+ \(`compile"):
        compile(lambda xs: xs[int(xs[0].data)] * 1.0)(np.array([[0.0, 2.0], [1.0, 3.0]]))


def test_a_per_sample_integer_used_as_a_python_int_is_refused():
    with pytest.raises(TypeError, match=r"argument 1 holds integers.*select"):
        compile(lambda xs, i: xs[i])(np.ones((2, 3)), np.array([0, 2]))


def test_select_picks_each_samples_element_and_passes_its_gradient():
    w = Value(1.0)
    f = compile(lambda xs, i: select([x * w for x in xs], i))
    out = f(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0]))
    out.sum().backward()
    assert out.data.tolist() == [2.0, 3.0] and w.grad == 5.0


def test_a_domain_error_names_the_sample():
    with pytest.raises(DomainError, match=r"log: input must be > 0, got -1.0 \(sample 1\)"):
        compile(lambda x: x.log())(np.array([1.0, -1.0]))


# ---------------------------------------------------------------------------
# Arguments and results
# ---------------------------------------------------------------------------

def test_arguments_of_different_lengths_are_named():
    with pytest.raises(ValueError, match="argument 0: 2, argument 1: 3"):
        compile(lambda x, y: x + y)(np.ones(2), np.ones(3))


@pytest.mark.parametrize("bad, message", [
    (np.array(["a", "b"]), "floats .* or integers"),
    (np.array([True, False]), "floats .* or integers"),
    (Value(1.0), "is a Value"),
])
def test_arguments_that_are_not_batches_of_numbers_are_type_errors(bad, message):
    with pytest.raises(TypeError, match=message):
        compile(lambda x: x)(bad)


def test_a_single_number_or_an_empty_batch_is_a_value_error():
    with pytest.raises(ValueError, match="single number"):
        compile(lambda x: x)(1.0)
    with pytest.raises(ValueError, match="no samples"):
        compile(lambda x: x)(np.ones((0, 2)))


def test_a_result_that_is_not_values_is_a_type_error():
    with pytest.raises(TypeError, match="must return a Value"):
        compile(lambda x: "loss")(np.ones(2))


def test_mean_and_sum_have_the_scalar_reductions_bits_and_gradients():
    w = Value(0.3)
    x = np.random.default_rng(3).normal(size=11)
    out = compile(lambda a: (a * w).sin())(x)
    terms = [(Value(v) * w).sin() for v in x]
    assert out.mean().data == (vsum(terms) / len(terms)).data
    assert out.sum().data == vsum(terms).data
    out.mean().backward()
    compiled_grad, w.grad = w.grad, 0.0
    (vsum(terms) / len(terms)).backward()
    assert math.isclose(compiled_grad, w.grad, rel_tol=RTOL)


def test_logsumexp_of_mixed_values_and_numbers_is_compiled():
    w = Value(0.5)
    assert_compiles_like_scalar(lambda xs: logsumexp([xs[0] * w, 3.0, xs[1]]),
                                [np.array([[1.0, 2.0], [-5.0, 700.0]])], [w], fuse=True)


def test_a_node_read_twice_by_one_merged_call_receives_both_gradients():
    w = Value(0.5)

    def fn(x):
        y = x * w
        return [y.tanh(), y.tanh(), y * y]
    assert_compiles_like_scalar(fn, [np.array([0.3, 0.6, -1.0])], [w], fuse=True)


def test_returning_an_input_and_a_parameter_broadcasts_the_parameter():
    w = Value(0.5)
    out = compile(lambda x: [x, w])(np.array([1.0, 2.0]))
    out.sum().backward()
    assert out.data.tolist() == [[1.0, 0.5], [2.0, 0.5]] and w.grad == 2.0


def test_an_mnist_sized_mlp_step_matches_the_scalar_engine():
    model = nn.MLP(784, [16, 10], init="he", seed=0)
    rng = np.random.default_rng(4)
    X = np.where(rng.random((12, 784)) < 0.8, 0.0, rng.random((12, 784)))
    Y = rng.integers(0, 10, 12)
    losses = [nn.cross_entropy(model(list(x)), int(y)) for x, y in zip(X, Y)]
    (vsum(losses) / len(losses)).backward()
    expected = np.array([p.grad for p in model.parameters()])
    model.zero_grad()
    out = compile(lambda x, y: nn.cross_entropy(model(x), y))(X, Y)
    out.mean().backward()
    got = np.array([p.grad for p in model.parameters()])
    np.testing.assert_allclose(out.data, [loss.data for loss in losses], rtol=RTOL)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-15)


CHAINS = {
    "python sum from 0": lambda ws, x: sum(w * xi for w, xi in zip(ws, x)),
    "squares": lambda ws, x: sum((xi * xi for xi in x), ws[0]),
    "an intermediate also returned": lambda ws, x: (lambda s: [s, s + ws[0] * x[2]])(
        ws[0] * x[0] + ws[1] * x[1]),
    "products of two inputs": lambda ws, x: ws[0] + x[0] * x[1] + x[1] * x[2] + ws[1] * x[0],
    "a constant start": lambda ws, x: 2.0 + ws[0] * x[0] + ws[1] * x[1] + ws[2] * x[2],
}


@pytest.mark.parametrize("name", sorted(CHAINS))
def test_every_shape_of_sum_of_products_merges_to_the_scalar_result(name):
    ws = [Value(v) for v in (0.5, -1.25, 2.0)]
    X = np.random.default_rng(5).normal(size=(6, 3))
    for fuse in (True, False):
        assert_compiles_like_scalar(lambda x: CHAINS[name](ws, x), [X], ws, fuse=fuse)


def test_dots_and_sums_mixing_per_sample_and_shared_values_in_one_list():
    w, v = Value(0.75), Value(-0.5)
    X = np.random.default_rng(6).normal(size=(5, 3))
    for fn in (lambda x: dot([x[0], w, x[1]], [w, x[2], v]),
               lambda x: [dot([x[0], w], [v, x[1]]), dot([w, x[2]], [x[0], x[0]])],
               lambda x: vsum([x[0], w * v, 3.0, x[2]]),
               lambda x: logsumexp([w, x[1], v * x[0]])):
        for fuse in (True, False):
            assert_compiles_like_scalar(fn, [X], [w, v], fuse=fuse)


def random_program(seed, params):
    """A random straight-line program over an input row and two parameters,
    every layout of the table among its steps, intermediates reused."""
    def fn(x):
        rng = random.Random(seed)
        pool = list(x) + params
        for _ in range(rng.randint(3, 12)):
            a, b = rng.choice(pool), rng.choice(pool)
            step = rng.choice([
                lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - 0.5,
                lambda a, b: 2.0 * a, lambda a, b: a.tanh(), lambda a, b: a.relu(),
                lambda a, b: (a * a + 1.0).log(),
                lambda a, b: vsum(rng.sample(pool, 3)),
                lambda a, b: dot(rng.sample(pool, 2), rng.sample(pool, 2)),
                lambda a, b: logsumexp([a, b, 1.0]),
                lambda a, b: sum(p * q for p, q in zip(rng.sample(pool, 2),
                                                       rng.sample(pool, 2))),
                lambda a, b: a.sigmoid() * b])
            pool.append(step(a, b))
        return pool[-3:]
    return fn


@pytest.mark.parametrize("seed", range(40))
def test_random_programs_compile_to_the_scalar_values_and_gradients(seed):
    params = [Value(0.3), Value(-0.7)]
    X = np.random.default_rng(seed).normal(size=(4, 3))
    for fuse in (True, False):
        assert_compiles_like_scalar(random_program(seed, params), [X], params, fuse=fuse)


def test_nn_log_softmax_shifted_by_data_equals_eager_on_each_samples_argmax():
    model = nn.MLP(2, [3], seed=0)
    x = np.array([[1.0, 2.0], [3.0, -4.0], [-2.0, 0.5]])
    got = compile(lambda x: nn.log_softmax(model(x)))(x).data
    expected = [[v.data for v in nn.log_softmax(model([Value(a) for a in row]))] for row in x]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(OPS))
def test_array_partials_are_the_tables_own_text_rewritten_for_arrays(name):
    import ast
    from autograd_lite.compile.arrays import numpy_op
    op = OPS[name]
    tree = ast.parse(op.derivative, mode="eval")
    has_branch = any(isinstance(n, (ast.IfExp, ast.BoolOp)) for n in ast.walk(tree))
    source = numpy_op(op).source
    if has_branch:
        assert "np.where" in source and " if " not in source
    else:
        assert source == ast.unparse(ast.parse(f"({op.derivative},)", mode="eval"))


@pytest.mark.parametrize("fn, x, error, message", [
    (lambda x: x.exp(), [1.0, 800.0], OverflowError, r"exp: result overflows .* \(sample 1\)"),
    (lambda x: 1.0 / x, [1.0, 2.0, 0.0], ZeroDivisionError, r"div: division by zero .*sample 2"),
    (lambda x: x.sqrt(), [-1.0, 4.0], DomainError, r"sqrt: input must be >= 0.*sample 0"),
])
def test_domain_errors_are_the_scalar_ops_errors_naming_the_sample(fn, x, error, message):
    with pytest.raises(error, match=message):
        compile(fn)(np.array(x))


# Inputs on both sides of every op's domain: where the scalar forward raises,
# numpy's form may still be finite ((-2.0) ** 2 = 4, 0.0 ** 0 = 1).
PROBES = [-2.0, -0.5, -0.0, 0.0, 0.5, 2.0, 800.0, math.inf, -math.inf, math.nan]


def eagerly(fn, *xs):
    """fn on Values of xs: its number, or the error it raises."""
    try:
        return fn(*map(Value, xs)).data
    except (ValueError, ArithmeticError) as error:
        return error


def domain_cases():
    """(id, fn of Values, a valid sample, probe samples) for every op of the
    table but the n-ary ones (which never refuse), in every layout; a captured
    Value as an exponent as well (``x ** y``)."""
    fns = []
    for name in sorted(OPS):
        op = OPS[name]
        if op.layout == UNARY:
            fns.append((name, lambda x, op=op: apply_op(op, x)))
        elif op.layout == CONST_RIGHT:
            # (floats: the batch's constants are, and the messages name them)
            for c in map(float, op.param_samples + ((0, -0.5) if name == "pow" else ())):
                fns.append((f"{name} {c}", lambda x, op=op, c=c: apply_op(op, x, c)))
        elif op.layout == BINARY:
            fns.append((name, lambda a, b, op=op: apply_op(op, a, b)))
            for c in (-2.0, 0.0, 2.0):
                fns.append((f"{name} const right {c}", lambda a, op=op, c=c: apply_op(op, a, c)))
                fns.append((f"{name} const left {c}", lambda b, op=op, c=c: apply_op(op, c, b)))
    y = Value(2.0)
    fns.append(("pow_value, a captured exponent", lambda x: x ** y))
    cases = []
    for name, fn in fns:
        n = fn.__code__.co_argcount - len(fn.__defaults__ or ())
        valid = next(([v] * n for v in (0.5, 2.5) if not isinstance(eagerly(fn, *[v] * n),
                                                                    Exception)), None)
        if valid is not None:        # (x / 0 and (-2) ** b refuse every sample)
            cases.append((name, fn, valid, list(itertools.product(PROBES, repeat=n))))
    return cases


DOMAIN_CASES = domain_cases()


@pytest.mark.parametrize("name, fn, valid, probes", DOMAIN_CASES,
                         ids=[c[0] for c in DOMAIN_CASES])
def test_every_op_raises_compiled_where_it_raises_eagerly_and_agrees_elsewhere(
        name, fn, valid, probes):
    f = compile(fn)
    f(*(np.array([v, v]) for v in valid))         # traced and verified on valid samples
    for probe in probes:
        expected = eagerly(fn, *probe)
        batch = [np.array([v, p]) for v, p in zip(valid, probe)]
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)) as raised:
                f(*batch)
            assert str(raised.value) == f"{expected} (sample 1)", probe
        else:
            got = f(*batch).data[1]
            assert got == pytest.approx(expected, rel=RTOL, abs=0, nan_ok=True), probe


def test_a_negative_base_of_a_captured_exponent_is_the_scalar_ops_domain_error():
    y = Value(2.0)
    with pytest.raises(DomainError, match=r"pow: base must be >= 0 .*\(sample 1\)"):
        compile(lambda x: x ** y)(np.array([3.0, -2.0, 100.0]))
    with pytest.raises(ZeroDivisionError, match=r"non-positive power \(0.0\) \(sample 1\)$"):
        compile(lambda x: (x * 0.0) ** (x - 3.0))(np.array([5.0, 3.0]))    # 0 ** 0


def test_within_ieee_arithmetic_a_refused_power_is_ieees_as_eagerly():
    from autograd_lite.ops import ieee_arithmetic
    y = Value(2.0)
    with ieee_arithmetic():
        out = compile(lambda x: x ** y)(np.array([3.0, -2.0, 0.0]))
        assert out.data.tolist() == [(Value(x) ** y).data for x in (3.0, -2.0, 0.0)]


def test_a_user_ops_domain_error_names_the_sample():
    from autograd_lite import define_op, remove_op
    define_op("log_plus_one", lambda x: math.log(x) + 1.0, "1.0 / x", domain=(0.5, 2.0))
    try:
        with pytest.raises(DomainError, match=r"log_plus_one: .*x=-2.0.*\(sample 1\)"):
            compile(lambda x: x.log_plus_one())(np.array([3.0, -2.0, 100.0]))
    finally:
        remove_op("log_plus_one")


def test_backward_with_a_gradient_of_the_wrong_shape_is_a_value_error():
    w = Value(1.0)
    out = compile(lambda x: x * w)(np.ones(3))
    with pytest.raises(ValueError, match=r"grad must have the shape of data, \(3,\)"):
        out.backward(np.ones(2))


def test_backward_with_a_gradient_that_is_not_numbers_is_a_type_error_naming_it():
    w = Value(1.0)
    out = compile(lambda x: x * w)(np.ones(2))
    with pytest.raises(TypeError, match=r"Batch.backward: grad must be numbers of the shape "
                                        r"of data, \(2,\) .* got list: could not convert"):
        out.backward(["a", "b"])
    assert w.grad == 0.0


def test_logsumexp_with_an_infinite_input_has_the_scalar_engines_gradient():
    import math
    w = Value(2.0)
    out = compile(lambda y: logsumexp([math.inf, w * y]))(np.array([1.0, -2.0]))
    out.sum().backward()
    compiled_grad, w.grad = w.grad, 0.0
    total = logsumexp([math.inf, w * Value(1.0)]) + logsumexp([math.inf, w * Value(-2.0)])
    total.backward()
    assert math.isfinite(w.grad) and compiled_grad == w.grad


def test_a_branch_inside_a_defined_ops_forward_is_the_ops_own_per_sample():
    from autograd_lite import define_op, remove_op
    define_op("clip_one", lambda x: x if x < 1 else 1.0, "1.0 if x < 1 else 0.0",
              domain=(-0.5, 0.5))
    try:
        out = compile(lambda x: x.clip_one() * 2.0)(np.array([0.5, 3.0]))
        assert out.data.tolist() == [1.0, 2.0]
    finally:
        remove_op("clip_one")


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_built_in_op_has_its_array_forward_in_its_table_entry(name):
    from autograd_lite.compile.arrays import array_forward
    op = OPS[name]
    assert op.array, f"{name} has no array text"
    point = [0.7] * len(op.inputs)
    args = [np.array([x]) if op.layout not in (NARY, DOT) else np.array([[x, 0.2]])
            for x in point]
    scalars = [x if op.layout not in (NARY, DOT) else [x, 0.2] for x in point]
    param = (op.param_samples or (1.0,))[0] if op.param else None
    extra = (param,) if op.param else ()
    assert array_forward(op)(*args, *extra)[0] == op.forward(*scalars, *extra)
