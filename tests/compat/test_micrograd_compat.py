"""Code written for micrograd's Value runs unchanged on ours: the same source is
run twice, with only its import line changed, and gives the same numbers.

Where the arithmetic is the same the results are the same bits. micrograd
computes a / b as a * b**-1 (two roundings) where we divide once, so results
that pass through a division agree to 1e-12 relative.
"""

import inspect
import math
import random
import textwrap
import types

import pytest

micrograd_engine = pytest.importorskip("micrograd.engine")
micrograd_nn = pytest.importorskip("micrograd.nn")

ENGINES = {"micrograd": "from micrograd.engine import Value",
           "autograd_lite": "from autograd_lite import Value"}


def run(source: str, engine: str) -> dict:
    """Run ``source`` with ``engine``'s import line in place of ``{import}``."""
    namespace = {}
    exec(textwrap.dedent(source).replace("{import}", ENGINES[engine]), namespace)
    return namespace


def both(source: str):
    return run(source, "micrograd"), run(source, "autograd_lite")


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


# micrograd's README example (also its test_more_ops)
README_EXAMPLE = """
{import}

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
forward = f'{g.data:.4f}'
g.backward()
printed = (forward, f'{a.grad:.4f}', f'{b.grad:.4f}')
"""

# micrograd's test_sanity_check
SANITY_CHECK = """
{import}

x = Value(-4.0)
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
"""


def test_readme_example_prints_the_same_as_micrograd():
    theirs, ours = both(README_EXAMPLE)
    assert ours["printed"] == theirs["printed"] == ("24.7041", "138.8338", "645.5773")


def test_readme_example_gives_micrograds_numbers_to_1e_12():
    theirs, ours = both(README_EXAMPLE)
    for name in "abcdefg":
        assert close(ours[name].data, theirs[name].data), name
    assert close(ours["a"].grad, theirs["a"].grad)
    assert close(ours["b"].grad, theirs["b"].grad)


def test_readme_example_is_exact_before_the_division():
    theirs, ours = both(README_EXAMPLE)
    for name in "abcdef":       # no division yet: the same arithmetic, the same bits
        assert ours[name].data == theirs[name].data, name


def test_sanity_check_gives_micrograds_numbers_exactly():
    theirs, ours = both(SANITY_CHECK)
    for name in "xzqhy":
        assert ours[name].data == theirs[name].data, name
    assert ours["x"].grad == theirs["x"].grad == 46.0
    assert ours["y"].data == theirs["y"].data == -20.0


def test_node_labels_and_children_match_micrograd():
    source = """
    {import}
    a, b = Value(2.0), Value(3.0)
    nodes = {"add": a + b, "mul": a * b, "square": a * a, "pow": a ** 2, "relu": a.relu()}
    """
    theirs, ours = both(source)

    def children(namespace, node):
        return {name for name in "ab" if any(p is namespace[name] for p in node._prev)}

    for name, node in ours["nodes"].items():
        twin = theirs["nodes"][name]
        assert node._op == twin._op, name
        assert children(ours, node) == children(theirs, twin) and len(twin._prev) > 0
        assert len(set(node._prev)) == len(twin._prev)
        assert node.data == twin.data


def test_user_built_node_behaves_as_in_micrograd():
    source = """
    {import}
    a, b = Value(1.0), Value(2.0)
    n = Value(3.0, (a, b), '+')
    y = n * a
    y.backward()
    """
    with pytest.warns(UserWarning, match="children get no gradient"):
        theirs, ours = both(source)
    assert ours["n"]._op == theirs["n"]._op == "+"
    assert set(ours["n"]._prev) == {ours["a"], ours["b"]}
    assert (ours["a"].grad, ours["b"].grad, ours["n"].grad) == \
        (theirs["a"].grad, theirs["b"].grad, theirs["n"].grad) == (3.0, 0, 1.0)


def test_repr_matches_micrograd_after_backward():
    theirs, ours = both(SANITY_CHECK)
    assert repr(ours["x"]) == repr(theirs["x"])


# ---------------------------------------------------------------------------
# micrograd's own nn module, run on our Value
# ---------------------------------------------------------------------------

def nn_module_on(engine: str) -> types.ModuleType:
    """micrograd.nn's source with its import line pointing at ``engine``."""
    source = inspect.getsource(micrograd_nn)
    assert ENGINES["micrograd"] in source
    module = types.ModuleType(f"micrograd_nn_on_{engine}")
    exec(source.replace(ENGINES["micrograd"], ENGINES[engine]), module.__dict__)
    return module


def train(engine: str, steps: int = 5):
    """micrograd's demo loop (max-margin loss, L2, SGD) on a small two-moons-like set."""
    nn = nn_module_on(engine)
    Value = nn.Value
    rng = random.Random(1)
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(16)]
    y = [1.0 if x0 * x1 > 0 else -1.0 for x0, x1 in X]
    random.seed(1337)
    model = nn.MLP(2, [8, 8, 1])
    losses = []
    for k in range(steps):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        margins = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(margins) * (1.0 / len(margins))
        reg_loss = 1e-4 * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(total_loss.data)
    return losses, [p.data for p in model.parameters()]


def test_micrograds_mlp_trains_the_same_on_our_value():
    their_losses, their_params = train("micrograd")
    our_losses, our_params = train("autograd_lite")
    assert len(our_params) == len(their_params) == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1
    assert all(close(o, t) for o, t in zip(our_losses, their_losses)), (our_losses, their_losses)
    assert all(close(o, t) for o, t in zip(our_params, their_params))
    assert our_losses[-1] < our_losses[0]
