"""Property-based checks on random expression graphs of mixed ops.

A program is a list of steps; each step applies one op to nodes picked from
the pool of nodes built so far (so nodes are reused, diamonds form, and a
``chain`` step makes a deep chain that reuses one node at every level). Every
step keeps the data within about [-2, 2] and inside its op's domain (``log``
sees ``a*a + 1``, a ``Value`` exponent a base in [0.5, 1.5]), so central
differences stay accurate. Ops with a kink (relu, abs, leaky_relu) are left to
the table checks: a random point may sit on the kink.
"""

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (Value, dot, gradcheck, gradgradcheck, logsumexp,
                           topological_order, vsum)

THIRD = 1.0 / 3.0


def chain(a, b, depth):
    """A chain ``depth`` nodes deep that reuses ``b`` at every level."""
    y = a
    for _ in range(depth):
        y = (y.sin() + b) * 0.5
    return y


# Each step: (number of operands, builder). Builders map data in [-2, 2] to [-2, 2].
STEPS = {
    "tanh": (1, lambda a: a.tanh()),
    "sin": (1, lambda a: a.sin()),
    "cos": (1, lambda a: a.cos()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "exp": (1, lambda a: (a * 0.5).exp() - 1.0),
    "log": (1, lambda a: (a * a + 1.0).log()),
    "sqrt": (1, lambda a: (a * a + 0.25).sqrt() - 0.5),
    "softplus": (1, lambda a: a.softplus() - 1.0),
    "gelu": (1, lambda a: a.gelu()),
    "elu": (1, lambda a: a.elu()),            # C1 at 0 for alpha = 1: first order only
    "neg": (1, lambda a: -a),
    "square": (1, lambda a: a ** 2 * 0.5),
    "cube": (1, lambda a: a ** 3 * 0.25),
    "two_to_the": (1, lambda a: 2 ** (a * 0.5)),
    "add": (2, lambda a, b: (a + b) * 0.5),
    "sub": (2, lambda a, b: (a - b) * 0.5),
    "mul": (2, lambda a, b: a * b * 0.5),
    "div": (2, lambda a, b: a / (b * b + 1.0)),
    "pow": (2, lambda a, b: (a * a * 0.25 + 0.5) ** (b * 0.5)),
    "dot_const": (2, lambda a, b: dot([a, b], [0.5, -0.25])),
    "sum3": (3, lambda a, b, c: (a + b + c) * THIRD),
    "vsum": (3, lambda a, b, c: vsum([a, b, c]) * THIRD),
    "dot": (3, lambda a, b, c: dot([a, b], [c, a]) * 0.25),
    "logsumexp": (3, lambda a, b, c: logsumexp([a, b, c]) * 0.5),
    "chain": (2, None),
}
SMOOTH_STEPS = sorted(set(STEPS) - {"elu"})    # twice differentiable everywhere

inputs = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
picks = st.lists(st.integers(min_value=0, max_value=50), min_size=3, max_size=3)


def programs(step_names, min_steps=3, max_steps=16, max_depth=200):
    step = st.tuples(st.sampled_from(step_names), picks, st.integers(1, max_depth))
    return st.tuples(st.lists(inputs, min_size=1, max_size=3),
                     st.lists(step, min_size=min_steps, max_size=max_steps))


def run(steps, leaves):
    """Build the program's graph on ``leaves``; return the output and all nodes."""
    pool = list(leaves)
    for name, picked, depth in steps:
        arity, build = STEPS[name]
        # count back from the newest node, so programs grow deep rather than wide
        operands = [pool[-1 - (k % len(pool))] for k in picked[:arity]]
        pool.append(chain(*operands, depth) if name == "chain" else build(*operands))
    return vsum(pool[len(leaves):]), pool


def as_function(steps):
    return lambda *leaves: run(steps, leaves)[0]


def gradients(steps, point, **backward):
    leaves = [Value(x) for x in point]
    out, _ = run(steps, leaves)
    out.backward(**backward)
    return out, leaves


@settings(max_examples=150, deadline=None, derandomize=True)
@given(programs(sorted(STEPS)))
def test_random_graph_gradient_matches_central_differences(program):
    point, steps = program
    assert gradcheck(as_function(steps), point)


def test_one_large_graph_with_every_step_kind_matches_central_differences():
    rng = random.Random(0)
    names = sorted(STEPS) * 3
    rng.shuffle(names)
    steps = [(name, [rng.randrange(6) for _ in range(3)], 150) for name in names]
    out, _ = run(steps, [Value(0.3), Value(-1.2), Value(1.7)])
    assert len(topological_order(out)) > 1000
    assert gradcheck(as_function(steps), [0.3, -1.2, 1.7])


@settings(max_examples=25, deadline=None, derandomize=True)
@given(programs(SMOOTH_STEPS, min_steps=2, max_steps=6, max_depth=20))
def test_random_graph_second_derivatives_match_central_differences(program):
    point, steps = program
    assert gradgradcheck(as_function(steps), point)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(programs(sorted(STEPS)))
def test_random_graph_create_graph_gives_the_plain_gradients(program):
    point, steps = program
    _, plain = gradients(steps, point)
    _, graph = gradients(steps, point, create_graph=True)
    for p, g in zip(plain, graph):
        g_data = g.grad.data if isinstance(g.grad, Value) else g.grad
        assert math.isclose(p.grad, g_data, rel_tol=1e-12, abs_tol=1e-15)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(programs(sorted(STEPS)))
def test_random_graph_backward_twice_doubles_leaves_and_recomputes_the_rest(program):
    point, steps = program
    leaves = [Value(x) for x in point]
    out, pool = run(steps, leaves)
    out.backward()
    first = {id(node): node.grad for node in pool}
    out.backward()
    for node in pool:
        if node in leaves:
            # each use adds its share to .grad in turn, so the rounding may
            # differ from 2 * first in the last bit
            assert math.isclose(node.grad, 2 * first[id(node)], rel_tol=1e-14, abs_tol=1e-300)
        else:
            assert node.grad == first[id(node)]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(programs(sorted(STEPS)))
def test_random_graph_topological_order_puts_inputs_first(program):
    point, steps = program
    leaves = [Value(x) for x in point]
    out, pool = run(steps, leaves)
    order = topological_order(out)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order) and order[-1] is out
    assert all(id(node) in position for node in pool[len(leaves):])   # an input may go unused
    for node in order:
        assert all(position[id(child)] < position[id(node)] for child in node._prev)
