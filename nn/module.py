"""Modules: Module (the parameter bookkeeping), Neuron, Layer and MLP.

micrograd's classes, with the same signatures, plus activations, initializers
and seeds. micrograd's demo code runs unchanged:

>>> from autograd_lite import Value
>>> model = MLP(2, [16, 16, 1], seed=1337)   # micrograd: MLP(2, [16, 16, 1])
>>> score = model([Value(0.5), Value(-1.0)])  # one output -> one Value
>>> len(model.parameters()), type(score).__name__
(337, 'Value')
>>> score.backward(); model.zero_grad(); model.parameters()[0].grad
0.0

Return types, one rule each:

* ``Neuron`` returns one Value.
* ``Layer`` ALWAYS returns a list, even of one Value. (micrograd's Layer
  returns a bare Value when it has one neuron, so the caller must check the
  type; we do not copy that.)
* ``MLP`` returns a single Value when its last layer has one output, a list
  otherwise. This is micrograd's behaviour for a network, kept so that
  ``(1 + -y * model(x)).relu()`` works as in micrograd's demo.

Parameter names (``named_parameters``, ``state_dict``, checkpoints) are the
attribute path, dotted, with list indices and dict keys: ``"layers.0.neurons.3.w.12"``
is weight 12 of neuron 3 of the first layer, ``"layers.1.neurons.0.b"`` a bias.
They depend only on the architecture, so they are stable across runs.

Seeds: with no ``seed=`` the weights are drawn from the ``random`` module's
global generator, as micrograd's are, so ``random.seed(1337)`` (as
micrograd's demo does) fixes the model. With ``init="uniform"`` (the default)
the draws are micrograd's, in micrograd's order (each neuron's weights,
U(-1, 1), first to last; biases start at 0 and draw nothing), so
``random.seed(1337); MLP(2, [16, 16, 1])`` has exactly micrograd's weights.
``seed=`` takes an int (same seed -> same model) or a ``random.Random``; an
int draws from a private generator and leaves the global state untouched:
``MLP(2, [16, 16, 1], seed=1337)`` has the same weights without touching it.
"""

from __future__ import annotations

import numbers
import os
from collections import namedtuple
from typing import (Any, Dict, Iterator, List, Mapping, Optional,
                    Sequence, Tuple, Union)

from autograd_lite import Leaves, Value, dot
from autograd_lite import is_real_number
from autograd_lite.bulk import zero_grads

from . import interop
from ._activations import ACTIVATIONS  # public here: nn.module.ACTIVATIONS
from ._checks import activation_name, check_keys, loaded_number, positive_int
from .checkpoint import load_checkpoint, save_checkpoint
from .init import Initializer, Seed, get_initializer, make_rng

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "IncompatibleKeys",
           "StateDictKeyError"]

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__doc__ = """What ``load_state_dict(strict=False)`` skipped:
names the model has but the state lacks, and names the state has but the
model lacks (the same record PyTorch returns)."""


class StateDictKeyError(KeyError, ValueError):
    """Parameter names of a state dict or checkpoint do not match the model.

    A KeyError whose message prints as written (KeyError would quote it), and
    a ValueError, so ``except ValueError`` catches every checkpoint that does
    not fit.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _list_names(names: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = len(names) - limit
    return shown + (f", ... ({more} more)" if more > 0 else "")


def _is_parameter_list(value: Any) -> bool:
    # A non-empty list/tuple holding only Values: a Leaves (a neuron's
    # weights) was checked when made; otherwise map/set run in C, so this
    # check is cheap even for a layer of 25,000 weights.
    return bool(value) and (type(value) is Leaves or set(map(type, value)) == {Value})


def _children(module: "Module") -> Iterator[Tuple[str, Any]]:
    """(dotted name, child) for what the public attributes of ``module`` hold,
    in the order they were set: each Value, each Module (not entered), and
    each list or tuple of only Values (a layer's weights: one child, so its
    Values are taken without a loop in Python). Other lists, tuples and dicts
    are entered, nested too, in order (a dict in insertion order, as torch's
    ModuleDict and ParameterDict), their children named by index or key:
    ``layers.0``, ``scales.gain``.

    The one walk over a module: ``parameters()`` (and so the order of
    checkpoints and of micrograd's parameters), ``named_parameters()`` and
    printing all read it."""
    for attr, value in vars(module).items():
        if attr[0] == "_":
            continue
        if type(value) is Value or isinstance(value, Module):
            yield attr, value       # the common cases, without a nested generator
        else:
            yield from _held(module, attr, value)


def _held(module: "Module", name: str, value: Any) -> Iterator[Tuple[str, Any]]:
    """The children found in one attribute's ``value`` (see ``_children``)."""
    if type(value) is Value or isinstance(value, Module):
        yield name, value
    elif isinstance(value, (list, tuple)):
        if _is_parameter_list(value):
            yield name, value
        else:
            for i, item in enumerate(value):
                if type(item) is Value or isinstance(item, Module):
                    yield f"{name}.{i}", item
                else:
                    yield from _held(module, f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            for child in _held(module, f"{name}.{key}", item):
                _check_key(module, name, key)
                yield child
    elif isinstance(value, (set, frozenset)):
        _refuse_set(module, name, value)


def _check_key(module: "Module", name: str, key: Any) -> None:
    """A dict key that holds parameters or modules becomes part of their
    names: it must be a non-empty str without '.', as torch's ModuleDict
    requires."""
    where = f"{type(module).__name__}.{name}"
    if not isinstance(key, str):
        raise TypeError(f"{where}: a dict holding parameters or modules needs str keys "
                        f"(each becomes part of a name), got the "
                        f"{type(key).__name__} key {key!r}; use str({key!r})")
    if key == "" or "." in key:
        raise ValueError(f"{where}: a dict key holding parameters or modules must be "
                         f"non-empty and without '.' (names are dotted paths), got {key!r}")


def _refuse_set(module: "Module", name: str, value: Any) -> None:
    """A set has no fixed order, so its parameters would have none either."""
    if any(type(v) is Value or isinstance(v, Module) for v in value):
        raise TypeError(f"{type(module).__name__}.{name}: parameters in a set have no "
                        f"fixed order (nor names); keep them in a list or a dict")


class Module:
    """Base class: finds the parameters (Values) and sub-modules in attributes.

    Public attributes holding a ``Value``, a ``Module``, or a list, tuple or
    dict of them (nested too) are walked in the order they were set, a dict
    in insertion order, its entries named by key as in torch's ``ModuleDict``
    and ``ParameterDict`` (``"scales.gain"``); attributes starting with
    ``_`` are private and skipped. A subclass only sets attributes and
    defines ``__call__``.

    Example:
        >>> class Affine(Module):
        ...     def __init__(self):
        ...         self.scale = Value(2.0); self.shift = Value(0.5)
        ...     def __call__(self, x):
        ...         return self.scale * x + self.shift
        >>> m = Affine(); [name for name, _ in m.named_parameters()]
        ['scale', 'shift']
        >>> m.state_dict()
        {'scale': 2.0, 'shift': 0.5}
    """

    # ---- walking the attributes (see _children) -------------------------------
    def _gather(self, out: List[Value]) -> None:
        """Append every parameter (duplicates included) to ``out``."""
        for _, child in _children(self):
            if type(child) is Value:
                out.append(child)
            elif isinstance(child, Module):
                child._gather(out)
            else:
                out.extend(child)

    def _named(self, prefix: str) -> Iterator[Tuple[str, Value]]:
        """(dotted name, parameter) in the order of ``_gather``, duplicates included."""
        for name, child in _children(self):
            if type(child) is Value:
                yield prefix + name, child
            elif isinstance(child, Module):
                yield from child._named(f"{prefix}{name}.")
            else:
                for i, p in enumerate(child):
                    yield f"{prefix}{name}.{i}", p

    # ---- the public API ------------------------------------------------------
    def parameters(self) -> List[Value]:
        """Every parameter, in a fixed order, each once (a shared Value is
        listed where it first appears, as in PyTorch).

        Returns:
            A new list of the parameter Values.

        Example:
            >>> Neuron(3, seed=0).parameters()[-1]      # w0, w1, w2, then b
            Value(data=0.0, grad=0.0)
        """
        out: List[Value] = []
        self._gather(out)
        if len(set(out)) != len(out):          # a shared Value: keep its first place
            out = list(dict.fromkeys(out))     # (dedupe by identity, keep order)
        return out

    def named_parameters(self) -> Iterator[Tuple[str, Value]]:
        """(dotted name, parameter) pairs, in the order of ``parameters()``.

        Example:
            >>> [name for name, _ in Layer(2, 1, seed=0).named_parameters()]
            ['neurons.0.w.0', 'neurons.0.w.1', 'neurons.0.b']
        """
        seen = set()
        for name, p in self._named(""):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (gradients accumulate
        across ``backward()`` calls, so do this before each one).

        Example:
            >>> n = Neuron(2, seed=0); n([1.0, 2.0]).backward(); n.zero_grad()
            >>> [p.grad for p in n.parameters()]
            [0.0, 0.0, 0.0]
        """
        out: List[Value] = []
        self._gather(out)           # a shared Value is zeroed twice: no need to dedupe
        zero_grads(out)

    def num_parameters(self) -> int:
        """How many parameters (scalars) the module has.

        Example:
            >>> MLP(784, [32, 10], seed=0).num_parameters()
            25450
        """
        return len(self.parameters())

    def state_dict(self) -> Dict[str, float]:
        """The parameters' values by name: a plain dict of floats.

        Example:
            >>> Neuron(2, nonlin=False, seed=0).state_dict().keys()
            dict_keys(['w.0', 'w.1', 'b'])
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any],
                        strict: bool = True) -> IncompatibleKeys:
        """Set the parameters from a name -> number mapping.

        Everything is checked before anything is set, so on any error the
        model is unchanged.

        Args:
            state: e.g. the result of ``state_dict()``.
            strict: if True, the names must match the model's exactly.

        Returns:
            ``IncompatibleKeys(missing_keys, unexpected_keys)`` (both empty
            when strict).

        Raises:
            StateDictKeyError (a KeyError): strict and names differ; the
                message lists the missing and unexpected names.
            ValueError: an entry is not a finite number (an int, a float or
                a numpy scalar; not a bool).
            TypeError: ``state`` is not a mapping.

        Example:
            >>> a = Neuron(2, seed=0); b = Neuron(2, seed=1)
            >>> b.load_state_dict(a.state_dict())
            IncompatibleKeys(missing_keys=[], unexpected_keys=[])
            >>> b.state_dict() == a.state_dict()
            True
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping of name -> "
                            f"number (e.g. from state_dict()), got "
                            f"{type(state).__name__}")
        params = dict(self.named_parameters())

        def mismatch(missing: List[str], unexpected: List[str]) -> str:
            parts = [f"load_state_dict: parameter names do not match "
                     f"({len(state)} given, the model has {len(params)})"]
            if missing:
                parts.append(f"missing: {_list_names(missing)}")
            if unexpected:
                parts.append(f"unexpected: {_list_names(unexpected)}")
            parts.append("the state was saved from a different architecture; "
                         "use strict=False to load the names that match")
            return "; ".join(parts)
        missing, unexpected = check_keys(state, params, mismatch, error=StateDictKeyError,
                                         strict=strict)
        values = [(params[name], loaded_number("load_state_dict", repr(name), state[name]))
                  for name in params if name in state]
        for p, value in values:
            p.data = value
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: Union[str, "os.PathLike[str]"],
             metadata: Optional[Dict[str, Any]] = None) -> None:
        """Write the parameters to a checkpoint, atomically: JSON, or
        safetensors for a path ending in ``.safetensors``.

        See :mod:`nn.checkpoint` for the formats.

        Args:
            path: file to write (replaced whole, or left as it was on error).
            metadata: extra JSON-serializable information to store.

        Example:
            >>> import os, tempfile
            >>> path = os.path.join(tempfile.mkdtemp(), "neuron.json")
            >>> n = Neuron(2, seed=0); n.save(path, metadata={"epoch": 1})
            >>> m = Neuron(2, seed=1); m.load(path)
            {'epoch': 1}
            >>> m.state_dict() == n.state_dict()
            True
        """
        save_checkpoint(self, path, metadata=metadata)

    def load(self, path: Union[str, "os.PathLike[str]"]) -> Dict[str, Any]:
        """Read a checkpoint written by :meth:`save` into this module.

        Raises a ValueError (corrupt file, different architecture) or a
        KeyError (different parameter names) and leaves the module unchanged
        if the checkpoint does not fit.

        Args:
            path: the checkpoint file.

        Returns:
            The checkpoint's ``metadata`` dict.

        Example:
            >>> import os, tempfile
            >>> path = os.path.join(tempfile.mkdtemp(), "mlp.json")
            >>> MLP(2, [3, 1], seed=0).save(path, metadata={"accuracy": 0.9})
            >>> MLP(2, [3, 1], seed=1).load(path)
            {'accuracy': 0.9}
        """
        return load_checkpoint(self, path)

    def config(self) -> Dict[str, Any]:
        """Constructor arguments that rebuild this architecture (for
        checkpoints); modules that cannot say return an empty dict.

        Example:
            >>> MLP(2, [3, 1], activation="tanh", seed=0).config()["activation"]
            'tanh'
        """
        return {}

    def architecture(self) -> Dict[str, Any]:
        """What a checkpoint records of the model's shape: the class name and
        :meth:`config`, from which :func:`nn.load_model` rebuilds it.

        Example:
            >>> MLP(2, [1], seed=0).architecture()["class"]
            'MLP'
        """
        return {"class": type(self).__name__, **self.config()}

    def to_torch(self) -> Any:
        """The same function as a float64 ``torch.nn.Sequential`` of ``Linear``
        layers and activation modules (see :mod:`nn.interop`), for an
        ``MLP``, ``Layer`` or ``Neuron``. Needs PyTorch (``pip install -e
        ".[torch]"``); the copy shares nothing with this model.

        Raises:
            TypeError: a module that is not an MLP, Layer or Neuron.

        Example:
            >>> import torch
            >>> model = MLP(2, [3, 1], seed=0); net = model.to_torch(); net
            Sequential(
              (0): Linear(in_features=2, out_features=3, bias=True)
              (1): ReLU()
              (2): Linear(in_features=3, out_features=1, bias=True)
            )
            >>> x = [0.5, -1.0]
            >>> abs(net(torch.tensor(x, dtype=torch.float64)).item() - model(x).data) < 1e-12
            True
        """
        architecture = self.architecture()
        try:
            interop.linear_layers(architecture)
        except ValueError as error:
            raise TypeError(f"to_torch: only an MLP, Layer or Neuron converts to a torch "
                            f"Sequential, not {type(self).__name__} ({error})") from None
        return interop.to_torch(architecture, self.state_dict())

    # ---- printing --------------------------------------------------------------
    def __repr__(self) -> str:
        """The architecture, as ``print(model)`` shows it (see ``__str__``).

        Example:
            >>> class Affine(Module):
            ...     def __init__(self):
            ...         self.scale = Value(2.0); self.shift = Value(0.5)
            >>> Affine()
            Affine: 2 parameters
              (scale): Value(data=2.0, grad=0.0)
              (shift): Value(data=0.5, grad=0.0)
        """
        return _tree(self)

    def __str__(self) -> str:
        """The architecture and the parameter count: one line per sub-module
        (their own sub-modules indented below), parameter and parameter list,
        those in lists and dicts named by index or key (``(layers.0)``, and
        ``(stages.1.0)`` in a list of lists), as their parameters are.

        Example:
            >>> print(MLP(2, [16, 16, 1], seed=0))
            MLP(2, [16, 16, 1], activation='relu', output_activation='linear',
                init='uniform'): 337 parameters
              (layers.0): Layer(2 -> 16, relu): 48 parameters
              (layers.1): Layer(16 -> 16, relu): 272 parameters
              (layers.2): Layer(16 -> 1, linear): 17 parameters
        """
        return _tree(self)


def _count(n: int) -> str:
    return f"{n:,} parameter" + ("" if n == 1 else "s")


def _tree(module: Module, indent: str = "") -> str:
    """A module's heading and parameter count, then a line per child: a
    module whose class prints itself on one line (``Layer``, ``Neuron``) stays
    on one line, any other is expanded below it."""
    if type(module).__repr__ is Module.__repr__:
        heading = type(module).__name__
    else:
        heading = repr(module)
    lines = [f"{heading}: {_count(module.num_parameters())}"]
    for name, item in _children(module):
        if type(item) is Value:
            text = repr(item)
        elif isinstance(item, Module):
            if type(item).__str__ is Module.__str__:
                text = _tree(item, indent + "  ")
            else:
                text = f"{item}: {_count(item.num_parameters())}"
        else:
            text = _count(len(item))
        lines.append(f"{indent}  ({name}): {text}")
    return "\n".join(lines)


def _sample_problem(nin: int, x: Any) -> Optional[str]:
    """What is wrong with ``x`` as one sample of ``nin`` inputs, or None."""
    noun = "number or Value" if nin == 1 else "numbers or Values"
    expected = f"expected one sample, a sequence of {nin} {noun}, got"
    batch = ("; a model takes one sample: call it on each ([model(x) for x in X]), "
             "or use autograd_lite.compile to run a whole batch")
    if isinstance(x, (str, bytes)):
        return f"{expected} a {type(x).__name__}"
    if type(x) is Value or isinstance(x, numbers.Number):
        return f"{expected} a single {type(x).__name__}; wrap it: [x]"
    shape = getattr(x, "shape", None)
    if shape is not None and len(shape) != 1:
        return f"{expected} an array of shape {tuple(shape)}" + (batch if shape else "")
    try:
        items = list(x)
    except TypeError:
        return f"{expected} {type(x).__name__}"
    if items and all(isinstance(item, (list, tuple)) or getattr(item, "ndim", 0) > 0
                     for item in items):
        return f"{expected} a sequence of {len(items)} sequences" + batch
    if len(items) != nin:
        return (f"expects {nin} inputs, got {len(items)}; pass one sample of {nin} "
                f"{noun}, or build the model with nin={len(items)} for data of "
                f"{len(items)} features")
    for i, item in enumerate(items):
        if type(item) is not Value and not is_real_number(item):
            return (f"input {i} must be a number or a Value, got "
                    f"{type(item).__name__} {item!r:.40}")
    return None


def _sample_error(where: str, nin: int, x: Any) -> Optional[Exception]:
    """After an error in a forward pass: if ``x`` is not one sample, the error
    to raise instead, naming ``where`` and saying why (a length as a
    ValueError, a type as a TypeError); None if ``x`` is a good sample, so the
    caller re-raises what it caught.

    The caller raises it outside its ``except`` block: the error says all
    there is to say, and an inner module (or ``dot``) that failed on the same
    sample would only repeat it as ``__context__``. So a model that is called
    raises one error, named after itself, however deep the failure was."""
    problem = _sample_problem(nin, x)
    if problem is None:
        return None
    kind = ValueError if problem.startswith("expects") else TypeError
    return kind(f"{where}: {problem}")


# ---------------------------------------------------------------------------
# Neuron, Layer, MLP
# ---------------------------------------------------------------------------

def _resolve_activation(where: str, nonlin: bool, activation: Optional[str]) -> str:
    """micrograd's ``nonlin`` flag and our ``activation`` name, as one name."""
    if activation is None:
        return "relu" if nonlin else "linear"
    activation_name(where, "activation", activation)
    if not nonlin and activation != "linear":
        raise ValueError(f"{where}: nonlin=False asks for a linear neuron but "
                         f"activation={activation!r}; give only one of them")
    return activation


def _init_name(init: Union[str, Initializer]) -> str:
    return init if isinstance(init, str) else getattr(init, "__name__", repr(init))


def _read_once(x: Any) -> Any:
    """An iterator as the tuple of what it gave, anything else as is: the
    forward pass and, after an error, :func:`_sample_error` both read the
    input, and an iterator can be read only once."""
    return tuple(x) if hasattr(x, "__next__") else x


def _inputs(x):
    """x as the tuple dot() reads without copying: a layer converts its input
    once rather than each neuron doing so. Numpy arrays become tuples of
    floats; iterators are materialized (micrograd accepts any iterable)."""
    if type(x) is tuple:
        return x
    if type(x) is list:
        return tuple(x)
    if hasattr(x, "tolist"):
        return tuple(x.tolist())
    if type(x) is Value or isinstance(x, numbers.Number):
        raise TypeError(f"expected a sequence of inputs (a list of Values or "
                        f"numbers), got a single {type(x).__name__}; wrap it: [x]")
    return tuple(x)


class Neuron(Module):
    """One neuron: activation(w . x + b), the dot product as one fused node.

    Args:
        nin: number of inputs.
        nonlin: micrograd's flag: True for ReLU, False for linear.
        activation: "relu", "tanh", "sigmoid", "leaky_relu", "gelu" or
            "linear"; overrides ``nonlin`` (default: from ``nonlin``).
        init: "uniform" (micrograd's U(-1, 1)), "xavier" or "he"; see
            :mod:`nn.init`.
        seed: int, ``random.Random`` or None (see :func:`nn.init.make_rng`).
        fan_out: width of the layer the neuron is part of (used by "xavier").

    Example:
        >>> n = Neuron(2, activation="tanh", seed=0)
        >>> n.w[0].data, n.w[1].data = 0.5, -0.25
        >>> round(n([2.0, 4.0]).data, 12)          # tanh(1 - 1 + 0)
        0.0
        >>> n
        TanhNeuron(2)
    """

    def __init__(self, nin: int, nonlin: bool = True, *, activation: Optional[str] = None,
                 init: Union[str, Initializer] = "uniform", seed: Seed = None,
                 fan_out: int = 1):
        nin = positive_int("Neuron", "nin", nin)
        self.activation = _resolve_activation("Neuron", nonlin, activation)
        self.init = _init_name(init)
        weights = get_initializer(init)(nin, fan_out, make_rng(seed))
        # Leaves: a tuple checked once, so each call's dot skips re-checking
        # the weights (a list would be copied and checked on every call).
        self.w = Leaves(Value(x) for x in weights)
        self.b = Value(0.0)
        self._activate = ACTIVATIONS[self.activation]

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the neuron is linear."""
        return self.activation != "linear"

    def __call__(self, x: Sequence[Union[Value, float]]) -> Value:
        if type(x) is not list and type(x) is not tuple:   # per neuron: skip the usual
            x = _read_once(x)
        try:
            act = dot(self.w, x) + self.b                   # dot reads arrays and iterables
        except (TypeError, ValueError):
            error = _sample_error(repr(self), len(self.w), x)
            if error is None:
                raise
        else:
            activate = self._activate
            return act if activate is None else activate(act)
        raise error                 # outside the handler: see _sample_error

    def config(self) -> Dict[str, Any]:
        return {"nin": len(self.w), "activation": self.activation, "init": self.init}

    def __repr__(self) -> str:
        kind = "".join(part.capitalize() for part in self.activation.split("_"))
        kind = {"Relu": "ReLU", "LeakyRelu": "LeakyReLU", "Gelu": "GELU"}.get(kind, kind)
        return f"{kind}Neuron({len(self.w)})"

    __str__ = __repr__


class Layer(Module):
    """``nout`` neurons reading the same inputs. Always returns a list.

    Args:
        nin: inputs per neuron.
        nout: number of neurons (outputs).
        nonlin, activation, init: passed to each :class:`Neuron`.
        seed: int, ``random.Random`` or None; one generator serves all neurons.

    Example:
        >>> layer = Layer(3, 1, nonlin=False, seed=0)
        >>> out = layer([1.0, 2.0, 3.0]); type(out).__name__, len(out)
        ('list', 1)
    """

    def __init__(self, nin: int, nout: int, nonlin: bool = True, *,
                 activation: Optional[str] = None, init: Union[str, Initializer] = "uniform",
                 seed: Seed = None):
        nin = positive_int("Layer", "nin", nin)
        nout = positive_int("Layer", "nout", nout)
        activation = _resolve_activation("Layer", nonlin, activation)
        rng = make_rng(seed)
        self.neurons = [Neuron(nin, activation=activation, init=init, seed=rng, fan_out=nout)
                        for _ in range(nout)]

    def __call__(self, x: Sequence[Union[Value, float]]) -> List[Value]:
        x = _read_once(x)
        try:
            inputs = _inputs(x)
            return [n(inputs) for n in self.neurons]
        except (TypeError, ValueError):
            error = _sample_error(repr(self), len(self.neurons[0].w), x)
            if error is None:
                raise
        raise error                 # outside the handler: see _sample_error

    def config(self) -> Dict[str, Any]:
        first = self.neurons[0]
        return {"nin": len(first.w), "nout": len(self.neurons),
                "activation": first.activation, "init": first.init}

    def __repr__(self) -> str:
        c = self.config()
        return f"Layer({c['nin']} -> {c['nout']}, {c['activation']})"

    __str__ = __repr__    # one line in a model's architecture, as torch's Linear


class MLP(Module):
    """A multi-layer perceptron: ``activation`` hidden layers, linear output.

    Args:
        nin: number of inputs.
        nouts: the width of each layer, the last one being the output.
        activation: of the hidden layers (default "relu", as micrograd).
        output_activation: of the last layer (default "linear", as micrograd).
        init: "uniform" (micrograd's), "xavier" or "he".
        seed: int, ``random.Random`` or None (the global ``random``
            generator, as micrograd): the same seed gives the same model.

    Returns (when called):
        A single Value if the last layer has one output (as micrograd),
        otherwise a list of Values.

    Example:
        >>> model = MLP(784, [32, 10], activation="relu", init="he", seed=0)
        >>> logits = model([0.0] * 784); len(logits)
        10
        >>> MLP(3, [4, 4, 1], seed=0)
        MLP(3, [4, 4, 1], activation='relu', output_activation='linear', init='uniform')
    """

    def __init__(self, nin: int, nouts: Sequence[int], *, activation: str = "relu",
                 output_activation: str = "linear", init: Union[str, Initializer] = "uniform",
                 seed: Seed = None):
        nin = positive_int("MLP", "nin", nin)
        if isinstance(nouts, numbers.Integral) or not hasattr(nouts, "__iter__"):
            raise TypeError(f"MLP: nouts must be a list of layer widths, e.g. [16, 16, 1], "
                            f"got {nouts!r}")
        nouts = [positive_int("MLP", "each entry of nouts", n) for n in nouts]
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer width, got []")
        activation_name("MLP", "activation", activation)
        activation_name("MLP", "output_activation", output_activation)
        rng = make_rng(seed)
        sizes = [nin] + nouts
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], init=init, seed=rng,
                             activation=output_activation if i == last else activation)
                       for i in range(len(nouts))]
        self._single_output = nouts[-1] == 1

    # Typed Any, as torch types Module.__call__: whether the result is a Value
    # or a list depends on the last layer's width, which a type checker cannot
    # see, and a Union would make every `model(x).data` a type error.
    def __call__(self, x: Sequence[Union[Value, float]]) -> Any:
        x = sample = _read_once(x)
        try:
            for layer in self.layers:
                x = layer(x)
        except (TypeError, ValueError):
            nin = len(self.layers[0].neurons[0].w)
            error = _sample_error(f"MLP({nin} inputs)", nin, sample)
            if error is None:
                raise
        else:
            return x[0] if self._single_output else x
        raise error                 # outside the handler: see _sample_error

    @classmethod
    def from_torch(cls, module: Any) -> "MLP":
        """An MLP computing what a ``torch.nn.Sequential`` of ``Linear`` layers
        and activation modules (ReLU, Tanh, Sigmoid, LeakyReLU(0.01),
        GELU('tanh'); Identity is skipped) computes, with its weights as
        float64. The hidden layers must share one activation.

        Raises:
            TypeError: ``module`` is not a ``torch.nn.Sequential``.
            ValueError: a layer an MLP cannot represent, or a weight that is
                nan or inf (the message names the layer).

        Example:
            >>> import torch
            >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(),
            ...                           torch.nn.Linear(3, 1))
            >>> MLP.from_torch(net)
            MLP(2, [3, 1], activation='tanh', output_activation='linear', init='uniform')
        """
        config, parameters = interop.from_torch(module)
        model = cls(seed=0, **config)
        model.load_state_dict(parameters)
        return model

    def config(self) -> Dict[str, Any]:
        layers = [layer.config() for layer in self.layers]
        return {"nin": layers[0]["nin"], "nouts": [c["nout"] for c in layers],
                "activation": layers[0]["activation"] if len(layers) > 1 else "relu",
                "output_activation": layers[-1]["activation"], "init": layers[0]["init"]}

    def __repr__(self) -> str:
        c = self.config()
        return (f"MLP({c['nin']}, {c['nouts']}, activation={c['activation']!r}, "
                f"output_activation={c['output_activation']!r}, init={c['init']!r})")
