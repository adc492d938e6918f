"""PyTorch interchange: the ``torch.nn.Sequential`` an MLP is, and back.

An ``MLP``, ``Layer`` or ``Neuron`` is a stack of fully connected layers,
each followed by an activation (none for "linear"). In PyTorch that is a
``torch.nn.Sequential`` of ``Linear`` layers and activation modules, so
``MLP(2, [16, 16, 1])`` (ReLU hidden layers, linear output) is::

    Sequential(Linear(2, 16), ReLU(), Linear(16, 16), ReLU(), Linear(16, 1))

with the state dict names ``0.weight`` (16 x 2), ``0.bias``, ``2.weight``,
``2.bias``, ``4.weight``, ``4.bias``: row ``j`` of layer ``l``'s weight is
neuron ``j``'s ``w``, ``bias[j]`` its ``b``. This module computes that layout
from an architecture record alone (what checkpoints store), so the
safetensors files of :mod:`nn.checkpoint` need no model and no torch, and
converts between the two libraries' objects. torch is imported only by the
functions that build or read torch modules.

>>> [(s.position, s.nin, s.nout, s.activation) for s in linear_layers(
...     {"class": "MLP", "nin": 2, "nouts": [16, 1], "activation": "tanh",
...      "output_activation": "linear"})]
[(0, 2, 16, 'tanh'), (2, 16, 1, 'linear')]
"""

from __future__ import annotations

from typing import (Any, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional,
                    Sequence, Tuple)

from ._checks import activation_name, positive_int

__all__ = ["LinearSpec", "linear_layers", "parameter_count", "parameter_names",
           "layer_blocks", "parameter_values", "tensor_shapes", "to_torch", "from_torch",
           "TORCH_ACTIVATIONS"]

# Our activation name -> torch.nn class name ("linear": no module). GELU is
# the tanh approximation (``approximate="tanh"``), LeakyReLU has torch's
# default slope 0.01, as in ``nn.module.ACTIVATIONS`` (every one of which but
# "linear" is here).
TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid",
                     "leaky_relu": "LeakyReLU", "gelu": "GELU"}


class LinearSpec(NamedTuple):
    """One fully connected layer: its position in the torch ``Sequential``,
    its sizes, activation, and the prefix of its neurons' parameter names
    (None for a lone ``Neuron``, whose names are ``w.k`` and ``b``)."""

    position: int
    nin: int
    nout: int
    activation: str
    prefix: Optional[str]


def linear_layers(architecture: Mapping[str, Any]) -> List[LinearSpec]:
    """The layers an architecture record (``{"class": "MLP", **config}``)
    describes, checked, without building anything.

    Raises:
        ValueError: not an MLP, Layer or Neuron record, or invalid sizes.
    """
    if not isinstance(architecture, Mapping):
        raise ValueError(f"the architecture must be a mapping, got "
                         f"{type(architecture).__name__}")
    kind = architecture.get("class")
    layers: List[Tuple[int, int, str, Optional[str]]]
    if kind == "MLP":
        nin = positive_int("", "nin", architecture.get("nin"))
        nouts = architecture.get("nouts")
        if not isinstance(nouts, (list, tuple)) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer widths, got "
                             f"{nouts!r:.80}")
        sizes = [nin] + [positive_int("", f"nouts[{i}]", n) for i, n in enumerate(nouts)]
        hidden = activation_name("", "activation", architecture.get("activation", "relu"))
        last = activation_name("", "output_activation",
                               architecture.get("output_activation", "linear"))
        layers = [(sizes[i], sizes[i + 1], last if i == len(nouts) - 1 else hidden,
                   f"layers.{i}.neurons.") for i in range(len(nouts))]
    elif kind == "Layer":
        layers = [(positive_int("", "nin", architecture.get("nin")),
                   positive_int("", "nout", architecture.get("nout")),
                   activation_name("", "activation", architecture.get("activation", "relu")),
                   "neurons.")]
    elif kind == "Neuron":
        layers = [(positive_int("", "nin", architecture.get("nin")), 1,
                   activation_name("", "activation", architecture.get("activation", "relu")),
                   None)]
    else:
        raise ValueError(f"the architecture's class must be 'MLP', 'Layer' or 'Neuron', "
                         f"got {kind!r:.80}")
    specs, position = [], 0
    for nin, nout, activation, prefix in layers:
        specs.append(LinearSpec(position, nin, nout, activation, prefix))
        position += 1 if activation == "linear" else 2
    return specs


def parameter_count(specs: List[LinearSpec]) -> int:
    """How many scalars the layers hold: (nin + 1) * nout each (no allocation)."""
    return sum((s.nin + 1) * s.nout for s in specs)


def parameter_names(specs: List[LinearSpec]) -> Iterator[str]:
    """The model's parameter names, in ``named_parameters()`` order: for each
    neuron its weights ``w.0 ... w.(nin-1)``, then its bias ``b``."""
    for s in specs:
        for j in range(s.nout):
            head = "" if s.prefix is None else f"{s.prefix}{j}."
            for k in range(s.nin):
                yield f"{head}w.{k}"
            yield f"{head}b"


def layer_blocks(specs: List[LinearSpec], values: Sequence[float]
                 ) -> Iterator[Tuple[LinearSpec, List[List[float]], List[float]]]:
    """Each layer's weight (``nout`` rows of ``nin``) and bias (``nout``), as
    torch lays them out, from the parameter values in :func:`parameter_names`
    order (neuron by neuron: its weights, then its bias). The inverse of
    :func:`parameter_values`.

    Example:
        >>> specs = linear_layers({"class": "Layer", "nin": 2, "nout": 2})
        >>> [(s.position, weight, bias) for s, weight, bias in layer_blocks(
        ...     specs, [1.0, 2.0, 0.5, 3.0, 4.0, -0.5])]
        [(0, [[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5])]
    """
    start = 0
    for s in specs:
        rows = [list(values[start + j * (s.nin + 1):start + (j + 1) * (s.nin + 1)])
                for j in range(s.nout)]
        start += (s.nin + 1) * s.nout
        yield s, [row[:s.nin] for row in rows], [row[s.nin] for row in rows]


def parameter_values(blocks: Iterable[Tuple[Sequence[Sequence[float]], Sequence[float]]]
                     ) -> List[float]:
    """The parameter values, in :func:`parameter_names` order, of each layer's
    ``(weight, bias)`` (nested lists, as ``tolist()`` gives them). The inverse
    of :func:`layer_blocks`.

    Example:
        >>> parameter_values([([[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5])])
        [1.0, 2.0, 0.5, 3.0, 4.0, -0.5]
    """
    values: List[float] = []
    for weight, bias in blocks:
        for row, b in zip(weight, bias):
            values.extend(row)
            values.append(b)
    return values


def tensor_shapes(specs: List[LinearSpec]) -> Dict[str, Tuple[int, ...]]:
    """torch's state dict names and shapes: ``"0.weight": (nout, nin)``,
    ``"0.bias": (nout,)``, ..."""
    shapes: Dict[str, Tuple[int, ...]] = {}
    for s in specs:
        shapes[f"{s.position}.weight"] = (s.nout, s.nin)
        shapes[f"{s.position}.bias"] = (s.nout,)
    return shapes


def _import_torch(where: str) -> Any:
    try:
        import torch
    except ImportError:
        raise ModuleNotFoundError(f"{where} needs PyTorch, which is not installed: "
                                  f"pip install -e \".[torch]\"") from None
    return torch


def to_torch(architecture: Mapping[str, Any], parameters: Mapping[str, float]) -> Any:
    """A float64 ``torch.nn.Sequential`` computing the same function.

    Args:
        architecture: ``{"class": ..., **model.config()}``.
        parameters: ``model.state_dict()`` (names as :func:`parameter_names`).

    Returns:
        ``torch.nn.Sequential`` of ``Linear`` and activation modules, float64.
    """
    torch = _import_torch("to_torch")
    specs = linear_layers(architecture)
    values = [parameters[name] for name in parameter_names(specs)]
    modules = []
    for s, weight, bias in layer_blocks(specs, values):
        linear = torch.nn.Linear(s.nin, s.nout, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weight, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(bias, dtype=torch.float64))
        modules.append(linear)
        if s.activation != "linear":
            modules.append(_torch_activation(torch, s.activation))
    return torch.nn.Sequential(*modules)


def _torch_activation(torch: Any, name: str) -> Any:
    if name == "gelu":
        return torch.nn.GELU(approximate="tanh")
    return getattr(torch.nn, TORCH_ACTIVATIONS[name])()


def _our_activation(torch: Any, where: str, i: int, module: Any) -> str:
    """The name of a torch activation module, or a ValueError saying why not."""
    kind = type(module).__name__
    names = {v: k for k, v in TORCH_ACTIVATIONS.items()}
    if kind not in names or type(module) is not getattr(torch.nn, kind):
        raise ValueError(f"{where}: layer {i} is {kind}, which an MLP cannot represent; "
                         f"expected Linear or one of {sorted(names)} (and Identity)")
    if kind == "LeakyReLU" and module.negative_slope != 0.01:
        raise ValueError(f"{where}: layer {i} is LeakyReLU(negative_slope="
                         f"{module.negative_slope}); an MLP's leaky_relu has slope 0.01")
    if kind == "GELU" and module.approximate != "tanh":
        raise ValueError(f"{where}: layer {i} is GELU(approximate={module.approximate!r}); "
                         f"an MLP's gelu is the tanh approximation, GELU(approximate='tanh')")
    return names[kind]


def from_torch(module: Any) -> Tuple[Dict[str, Any], Dict[str, float]]:
    """Read a ``torch.nn.Sequential`` of ``Linear`` layers and activations.

    Returns:
        ``(config, parameters)``: ``MLP(**config)`` has the architecture,
        ``load_state_dict(parameters)`` the weights (converted to float64,
        exactly).

    Raises:
        TypeError: ``module`` is not a ``torch.nn.Sequential``.
        ValueError: a layer an MLP cannot represent, or a weight that is nan
            or inf (the message names the layer).
    """
    torch = _import_torch("from_torch")
    where = "MLP.from_torch"
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"{where}: expected a torch.nn.Sequential of Linear layers and "
                        f"activations, got {type(module).__name__}")
    linears: List[Any] = []
    positions: List[int] = []         # each Linear's index in the Sequential
    activations: List[str] = []
    for i, layer in enumerate(module):
        if type(layer) is torch.nn.Identity:
            continue
        if type(layer) is torch.nn.Linear:
            if layer.bias is None:
                raise ValueError(f"{where}: layer {i} is Linear(bias=False); an MLP's "
                                 f"neurons have biases")
            if linears and layer.in_features != linears[-1].out_features:
                raise ValueError(f"{where}: layer {i} takes {layer.in_features} inputs but "
                                 f"the layer before gives {linears[-1].out_features}")
            linears.append(layer)
            positions.append(i)
            activations.append("linear")
            continue
        name = _our_activation(torch, where, i, layer)
        if not linears:
            raise ValueError(f"{where}: layer {i} ({type(layer).__name__}) comes before "
                             f"any Linear; an MLP starts with a linear layer")
        if activations[-1] != "linear":
            raise ValueError(f"{where}: layer {i} ({type(layer).__name__}) follows another "
                             f"activation; an MLP has one activation per layer")
        activations[-1] = name
    if not linears:
        raise ValueError(f"{where}: the Sequential has no Linear layer")
    hidden = set(activations[:-1])
    if len(hidden) > 1:
        raise ValueError(f"{where}: the hidden layers use different activations "
                         f"{activations[:-1]}; an MLP's hidden layers share one")
    config = {"nin": linears[0].in_features, "nouts": [m.out_features for m in linears],
              "activation": hidden.pop() if hidden else "relu",
              "output_activation": activations[-1]}
    specs = linear_layers({"class": "MLP", **config})
    blocks = []
    for i, linear in zip(positions, linears):
        weight = linear.weight.detach().to("cpu", torch.float64)
        bias = linear.bias.detach().to("cpu", torch.float64)
        if not (torch.isfinite(weight).all() and torch.isfinite(bias).all()):
            # as load_state_dict and checkpoints: a diverged network is not loaded
            raise ValueError(f"{where}: layer {i} ({linear}) holds "
                             f"nan or inf; an MLP's weights are finite numbers")
        blocks.append((weight.tolist(), bias.tolist()))
    return config, dict(zip(parameter_names(specs), parameter_values(blocks)))
