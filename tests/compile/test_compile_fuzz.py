"""Differential fuzzing of ``compile`` against the scalar engine.

What is generated: random straight-line programs ``def program(a, b, k)``
over two traced float arguments ``a`` and ``b``, a per-sample integer ``k``
(0..2) and two captured parameters ``p0`` and ``p1`` (leaves made outside the
function, shared by every sample). Each step is one of

* an entry of the op table, ``OPS`` iterated so a new entry is covered, written
  as the table's ``usage`` text or through ``apply_op``, with constants on
  either side of binary ops, a constant exponent for ``**``, lists mixing
  Values and numbers for ``vsum``, ``dot`` and ``logsumexp``;
* ``select([...], k)``, a per-sample choice, sometimes out of range;
* a number read from a Value and used in arithmetic (``x * y.data``,
  ``x - max(v.data for v in ...)``, ``abs``, ``round``, numpy scalar maths);
* a branch: both arms built, then one kept by a comparison of Values or of
  ``.data``, its truthiness, ``math.isnan``, ``round`` or ``np.exp`` of it;
* an ``nn`` loss (``huber_loss``, ``binary_cross_entropy``, ``cross_entropy``
  with ``k`` as the label, ...), which may branch inside.

Each compiled program is called several times: batches of 1 to 5 samples,
the first call's samples sometimes all equal (so a check made only on the
first call is caught), parameters changed between calls, ``a`` sometimes the
Batch another compiled function returned (``p1 * x``: its gradient must reach
``p1``, or the call refuse it), and a backward through ``sum``, ``mean``, the
first output only, or per-sample weights.

The oracle: the same function run eagerly on Values, sample by sample (each a
fresh graph), each output's backward seeded with the gradient the compiled
backward gives it; the parameters' ``.grad`` then hold the sum over samples.
A compiled call may EITHER raise (any exception: a refusal, which is always
sound) OR give eager's outputs for every sample and eager's parameter
gradients, to a relative 1e-12 (merged dots and sums may round differently)
with nan and inf in the same places. Anything else is a third outcome and
fails, printing the program as Python source. A sample on which eager raises
must make the compiled call raise. Refusing is allowed because compile can
not follow every number user code reads; ``test_programs_without_data_reads``
keeps the oracle from being passed by refusing everything: a program that
reads no number from a Value must compile whenever eager succeeds (its
arguments arrays, not Batches).

``AUTOGRAD_LITE_FUZZ_EXAMPLES`` sets the number of programs per test (a long
local run); with the default a passing run of this module takes about 13 s on a
loaded 2-core machine.
"""

import math
import os
import re

import numpy as np
from hypothesis import Phase, event, given, note, settings
from hypothesis import strategies as st

import nn
from autograd_lite import OPS, DomainError, Value, apply_op, compile, dot, logsumexp, select, vsum
from autograd_lite.ops import BINARY, CONST_RIGHT, DOT, NARY, UNARY

EXAMPLES = int(os.environ.get("AUTOGRAD_LITE_FUZZ_EXAMPLES", "400"))
RTOL = 1e-12
GRAD_ATOL = 1e-15      # as test_compile's nn gradients
# Without hypothesis's "explain" phase: its report (lines only failing cases ran) is noise
# for generated code, and it costs as much again as shrinking.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)
ARGUMENTS = ("a", "b")
PARAMETERS = ("p0", "p1")
SPECIAL = (0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 2.5, 1e-300, math.nan)
CONSTANTS = ("0.0", "0.5", "-1.5", "2.0")
POSITIVE_CONSTANTS = ("0.5", "2.0")

float_inputs = st.one_of(st.sampled_from(SPECIAL), st.floats(-3.0, 3.0))


# ---------------------------------------------------------------------------
# Program steps: each returns source lines whose last assigns ``name``
# ---------------------------------------------------------------------------

def positive_only(op, i):
    """True if the table samples input ``i`` of ``op`` on positive numbers only."""
    return min(low for low, _ in op.domain[i]) > 0


def operand(draw, pool, op=None, i=0):
    """A Value expression from ``pool``, moved into the op's domain if it has
    to be (``abs`` reaches 0, the edge; ``tanh + 1.5`` stays inside)."""
    name = draw(st.sampled_from(pool))
    if op is not None and positive_only(op, i):
        return draw(st.sampled_from([f"abs({name})", f"({name}.tanh() + 1.5)"]))
    return name


def constant(draw, op, i):
    return draw(st.sampled_from(POSITIVE_CONSTANTS if positive_only(op, i) else CONSTANTS))


def values_or_constants(draw, pool, op, n):
    return [operand(draw, pool, op) if draw(st.booleans()) or k == 0
            else constant(draw, op, 0) for k in range(n)]


def op_arguments(draw, op, pool):
    """The arguments of ``op``, by name of the table's inputs and parameter."""
    if op.layout == UNARY:
        return {op.inputs[0]: operand(draw, pool, op)}
    if op.layout == CONST_RIGHT:
        return {op.inputs[0]: operand(draw, pool, op),
                op.param: repr(draw(st.sampled_from(op.param_samples)))}
    if op.layout == BINARY:
        side = draw(st.sampled_from(["both", "left constant", "right constant"]))
        return {name: constant(draw, op, i) if side == f"{'left' if i == 0 else 'right'} constant"
                else operand(draw, pool, op, i) for i, name in enumerate(op.inputs)}
    n = draw(st.integers(1, 3))
    if op.layout == NARY:
        return {op.inputs[0]: f"[{', '.join(values_or_constants(draw, pool, op, n))}]"}
    if op.layout == DOT:
        right = (values_or_constants(draw, pool, op, n) if draw(st.booleans())
                 else [constant(draw, op, 1) for _ in range(n)])
        return {op.inputs[0]: f"[{', '.join(operand(draw, pool) for _ in range(n))}]",
                op.inputs[1]: f"[{', '.join(right)}]"}
    raise AssertionError(f"no generator for layout {op.layout} of {op!r}")


def op_step(draw, pool, name):
    return op_lines(draw, OPS[draw(st.sampled_from(sorted(OPS)))], pool, name)


def op_lines(draw, op, pool, name):
    args = op_arguments(draw, op, pool)
    usage_names = set(re.findall(r"[A-Za-z_]\w*", op.usage))
    if draw(st.booleans()) and set(args) <= usage_names:
        pattern = r"\b(" + "|".join(map(re.escape, args)) + r")\b"
        text = re.sub(pattern, lambda m: f"({args[m.group(1)]})"
                      if not args[m.group(1)].isidentifier() else args[m.group(1)], op.usage)
    else:
        text = f"apply_op(OPS[{op.name!r}], {', '.join(args.values())})"
    return [f"{name} = {text}"]


def select_step(draw, pool, name):
    n = draw(st.sampled_from([2, 3, 3]))          # k is 0..2: with 2 items, k = 2 is out of range
    return [f"{name} = select([{', '.join(operand(draw, pool) for _ in range(n))}], k)"]


def data_read_step(draw, pool, name):
    x, y, z = (draw(st.sampled_from(pool)) for _ in range(3))
    return [draw(st.sampled_from([
        f"{name} = {x} * {y}.data", f"{name} = {x} - max(v.data for v in [{y}, {z}])",
        f"{name} = {x} * abs({y}.data)", f"{name} = {x} + round({y}.data)",
        f"{name} = {x} * np.tanh({y}.data)", f"{name} = {x} * float({y}.data)"]))]


def branch_step(draw, pool, name):
    """Both arms built as steps of their own, then one kept per sample."""
    y, z = draw(st.sampled_from(pool)), draw(st.sampled_from(pool))
    condition = draw(st.sampled_from([
        f"{y} > 0", f"{y} < {z}", f"{y}.data > 0.5", f"{y}.data > {z}", f"{y}.data",
        f"math.isnan({y}.data)", f"abs({y}.data) < 1.0", f"round({y}.data) == 0",
        f"np.exp({y}.data) > 1.5"]))
    taken, other = f"{name}_taken", f"{name}_other"
    return (op_step(draw, pool, taken) + op_step(draw, pool, other)
            + [f"{name} = {taken} if {condition} else {other}"])


def nn_step(draw, pool, name):
    x, y, z = (draw(st.sampled_from(pool)) for _ in range(3))
    return [draw(st.sampled_from([
        f"{name} = nn.huber_loss({x}, {y})", f"{name} = nn.l1_loss({x}, {y})",
        f"{name} = nn.mse_loss({x}, {y})",
        f"{name} = nn.binary_cross_entropy({x}.relu().tanh(), {y}.sigmoid())",   # p = 0 too
        f"{name} = nn.binary_cross_entropy_with_logits({x}, {y}.sigmoid())",
        f"{name} = nn.cross_entropy([{x}, {y}, {z}], k)"]))]


PURE_STEPS = (op_step, op_step, op_step, select_step)
ALL_STEPS = PURE_STEPS + (data_read_step, branch_step, branch_step, nn_step)


@st.composite
def programs(draw, steps=ALL_STEPS):
    """Python source of ``def program(a, b, k)``, straight-line, every step's
    result kept as ``t0``, ``t1``... and one or more of them returned."""
    pool = list(ARGUMENTS + PARAMETERS)
    body = []
    for i in range(draw(st.integers(1, 6))):
        body += draw(st.sampled_from(steps))(draw, pool, f"t{i}")
        pool.append(f"t{i}")
    temps = pool[len(ARGUMENTS + PARAMETERS):]
    returned = draw(st.lists(st.sampled_from(temps), min_size=1, max_size=3))
    returned[-1] = temps[-1]
    if len(returned) == 1 and draw(st.booleans()):
        result = returned[0]                         # a Value: data of shape (B,)
    else:
        result = f"[{', '.join(returned)}]"          # a list: data of shape (B, k)
    return ("def program(a, b, k):\n" + "".join(f"    {line}\n" for line in body)
            + f"    return {result}\n")


@st.composite
def calls(draw):
    """2 to 4 calls: (rows of a, b, k; parameter values; backward kind; weights seed;
    whether ``a`` arrives as the Batch of another compiled function, ``p1 * x``)."""
    made = []
    for i in range(draw(st.integers(2, 4))):
        size = draw(st.integers(1, 5))
        if i == 0 and draw(st.booleans()):           # samples that agree on the first call
            a, b, k = draw(float_inputs), draw(float_inputs), draw(st.integers(0, 2))
            rows = [(a, b, k)] * size
        else:
            rows = draw(st.lists(st.tuples(float_inputs, float_inputs, st.integers(0, 2)),
                                 min_size=size, max_size=size))
        params = None if i == 0 else (draw(float_inputs), draw(float_inputs))  # None: kept
        backward = draw(st.sampled_from(["sum", "mean", "first", "weights"]))
        composed = draw(st.sampled_from([False, False, False, True]))
        made.append((rows, params, backward, draw(st.integers(0, 2**31)), composed))
    return made


# ---------------------------------------------------------------------------
# The oracle
# ---------------------------------------------------------------------------

def build(source, parameters):
    namespace = {"Value": Value, "OPS": OPS, "apply_op": apply_op, "vsum": vsum, "dot": dot,
                 "logsumexp": logsumexp, "select": select, "nn": nn, "np": np, "math": math,
                 "p0": parameters[0], "p1": parameters[1]}
    exec(source, namespace)  # noqa: S102 (the program is generated text, printed on failure)
    return namespace["program"]


def as_list(result):
    return list(result) if isinstance(result, list) else [result]


def seeds(backward, shape, seed):
    """Each output's d L / d output, for the backward kind of a call."""
    if backward == "mean":
        return np.full(shape, 1.0 / (shape[0] * shape[1]))
    if backward == "first":
        first = np.zeros(shape)
        first[:, 0] = 1.0
        return first
    if backward == "weights":
        rng = np.random.default_rng(seed)
        return rng.choice([0.0, 1.0, -0.5, 3.0], size=shape)
    return np.ones(shape)


class EagerRaised(Exception):
    """The scalar engine raised on a sample: the compiled call must raise too."""


def eager(program, rows, parameters, backward, seed, composed):
    """(outputs, grads, scales) sample by sample; scales: the sum of |per-sample
    gradient| for each parameter. EagerRaised names the first sample that raises."""
    outputs = []
    for sample, (a, b, k) in enumerate(rows):
        try:
            first = parameters[1] * Value(a) if composed else Value(a)
            outputs.append(as_list(program(first, Value(b), k)))
        except Exception as error:  # noqa: BLE001 (any error eager raises must be compile's too)
            raise EagerRaised(f"sample {sample} ({type(error).__name__}: {error})") from error
    shape = (len(rows), len(outputs[0]))
    weights = seeds(backward, shape, seed)
    scales = np.zeros(len(parameters))
    for p in parameters:
        p.grad = 0.0
    for sample, row in enumerate(outputs):
        before = np.array([p.grad for p in parameters])
        for output, weight in zip(row, weights[sample]):
            if weight != 0.0:                        # an output not backpropagated adds nothing
                output.backward(float(weight))
        with np.errstate(invalid="ignore"):          # inf - inf: the scale is nan, unused
            scales += np.abs(np.array([p.grad for p in parameters]) - before)
    grads = np.array([p.grad for p in parameters])
    return np.array([[v.data for v in row] for row in outputs]), grads, scales


def compiled_backward(out, parameters, backward, seed):
    """Backpropagate from the compiled outputs as ``backward`` says; the parameters' grads."""
    for p in parameters:
        p.grad = 0.0
    if backward == "sum":
        out.sum().backward()
    elif backward == "mean":
        out.mean().backward()
    elif backward == "first" and out.data.ndim == 2:
        out[:, 0].sum().backward()
    elif backward == "first":
        out.sum().backward()
    else:
        weights = seeds(backward, out.data.reshape(len(out.data), -1).shape, seed)
        out.backward(weights.reshape(out.data.shape))
    return np.array([p.grad for p in parameters])


def assert_same_grads(got, expected, scales):
    """Equal nan and inf; otherwise within RTOL of the sum of |per-sample gradient|
    (samples are summed in another order), plus GRAD_ATOL (paths that cancel
    within a sample, such as softmax's, may round differently once merged)."""
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(got[~finite & ~np.isnan(expected)],
                                  expected[~finite & ~np.isnan(expected)])
    error = np.abs(got[finite] - expected[finite])
    assert (error <= RTOL * scales[finite] + GRAD_ATOL).all(), (got, expected)


def check_program(source, made_calls, fuse, *, must_compile):
    """Every call of the compiled program is eager's answer or a refusal."""
    parameters = [Value(0.75), Value(-1.25)]
    program = build(source, parameters)
    compiled = compile(program, fuse=fuse)
    inner = compile(lambda x: parameters[1] * x)
    note(f"program (fuse={fuse}, p0 = Value(0.75), p1 = Value(-1.25)):\n{source}")
    for number, (rows, params, backward, seed, composed) in enumerate(made_calls):
        if params is not None:
            for p, value in zip(parameters, params):
                p.data = value
        call = (f"call {number}: a, b, k = {rows}; p0.data, p1.data = "
                f"{[p.data for p in parameters]}; backward: {backward}"
                + ("; a passed as compile(lambda x: p1 * x)(a)" if composed else ""))
        note(call)
        try:
            expected = eager(program, rows, parameters, backward, seed, composed)
        except EagerRaised as raised:
            expected = raised
        a, b, k = (np.array(column) for column in zip(*rows))
        may_refuse = not must_compile or composed or isinstance(expected, EagerRaised)
        try:
            out = compiled(inner(a) if composed else a, b, k.astype(np.int64))
        except Exception as error:  # noqa: BLE001 (a refusal, of any type, is sound)
            event(f"refused: {type(error).__name__}")
            if not may_refuse:
                raise AssertionError(f"a program without data reads was refused:\n"
                                     f"{source}{call}") from error
            continue
        data = np.asarray(out.data).reshape(len(rows), -1)
        if isinstance(expected, EagerRaised):
            raise AssertionError(f"compile returned numbers where eager raised on {expected}:"
                                 f"\n{source}{call}\ncompiled: {data.tolist()}")
        expected_data, grads, scales = expected
        try:
            np.testing.assert_allclose(data, expected_data, rtol=RTOL, atol=0, equal_nan=True)
        except AssertionError as error:
            raise AssertionError(f"compiled outputs differ from eager:\n{source}{call}\n"
                                 f"{error}") from None
        try:
            got = compiled_backward(out, parameters, backward, seed)
        except Exception as error:  # noqa: BLE001 (refusing the gradients is sound too)
            event(f"backward refused: {type(error).__name__}")
            if not may_refuse:
                raise AssertionError(f"the backward of a program without data reads was "
                                     f"refused:\n{source}{call}") from error
            continue
        try:
            assert_same_grads(got, grads, scales)
        except AssertionError:
            raise AssertionError(f"compiled parameter gradients differ from eager:\n{source}"
                                 f"{call}\ncompiled: {got.tolist()} eager: "
                                 f"{grads.tolist()}") from None
        event("equal to eager")


@settings(derandomize=True, max_examples=EXAMPLES, deadline=None, phases=PHASES)
@given(programs(), calls(), st.booleans())
def test_compiled_programs_give_eagers_numbers_or_refuse(source, made_calls, fuse):
    check_program(source, made_calls, fuse, must_compile=False)


@settings(derandomize=True, max_examples=EXAMPLES // 2, deadline=None, phases=PHASES)
@given(programs(steps=PURE_STEPS), calls(), st.booleans())
def test_programs_without_data_reads_compile_whenever_eager_succeeds(source, made_calls, fuse):
    check_program(source, made_calls, fuse, must_compile=True)


@settings(derandomize=True, max_examples=10, deadline=None)
@given(st.data())
def test_every_entry_of_the_op_table_is_written_as_runnable_python(data):
    for op in OPS.values():
        source = ("def program(a, b, k):\n    "
                  + "\n    ".join(op_lines(data.draw, op, list(ARGUMENTS + PARAMETERS), "t0"))
                  + "\n    return t0\n")
        program = build(source, [Value(0.75), Value(1.25)])
        try:
            result = program(Value(0.5), Value(2.0), 1)
        except DomainError:              # x / 0.0, a constant divisor drawn: eager refuses it
            continue
        assert isinstance(result, Value), source
