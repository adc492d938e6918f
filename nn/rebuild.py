"""load_model: rebuild the model a checkpoint was saved from.

Kept apart from :mod:`nn.checkpoint` (which reads and writes files and knows
no model class) and :mod:`nn.module` (which saves through
:mod:`nn.checkpoint`), so that neither of those imports the other.
"""

from __future__ import annotations

import os
from typing import Union

from ._checks import positive_int
from .checkpoint import load_parameters, read_checkpoint
from .embedding import Embedding
from .init import INITIALIZERS
from .interop import linear_layers, parameter_count, parameter_names
from .module import MLP, Layer, Module, Neuron

__all__ = ["load_model"]


def load_model(path: Union[str, "os.PathLike[str]"]) -> Module:
    """Rebuild the model a checkpoint was saved from (MLP, Layer, Neuron or Embedding).

    The architecture the file claims is checked against the parameters it
    holds (their number) before any Value is allocated, so a small file
    claiming a huge model fails at once, in bounded memory.

    Args:
        path: the checkpoint file (JSON or ``.safetensors``).

    Returns:
        A new module with the checkpoint's architecture and parameters.

    Raises:
        ValueError: an invalid file or architecture record (the message
            names the file).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
        >>> MLP(2, [4, 3], activation="tanh", seed=0).save(path)
        >>> load_model(path)
        MLP(2, [4, 3], activation='tanh', output_activation='linear', init='uniform')
    """
    document = read_checkpoint(path)
    where = f"load_model: checkpoint {os.fspath(path)!r}"
    saved = document.get("architecture", {})
    config = dict(saved) if isinstance(saved, dict) else {}
    classes = {"MLP": MLP, "Layer": Layer, "Neuron": Neuron, "Embedding": Embedding}
    name = config.pop("class", None)
    if name == "Embedding":
        return _embedding(document, config, where)
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"{where} does not record an architecture this library can "
                         f"build (one of {sorted(classes)}); build the model yourself "
                         f"and call model.load(path)")
    # Check the claim against the parameters present (their number, then their
    # names, which encode the sizes) before building: a small file claiming a
    # huge model fails here, having allocated nothing.
    try:
        specs = linear_layers(saved)
    except ValueError as error:
        raise ValueError(f"{where} has an invalid architecture record: {error}") from None
    claimed, present = parameter_count(specs), len(document["parameters"])
    if claimed != present:
        raise ValueError(f"{where} claims {name}({_summary(config)}), which has {claimed} "
                         f"parameters, but holds {present}; the file is corrupt")
    expected = list(parameter_names(specs))
    if set(expected) != set(document["parameters"]):
        odd = sorted(set(document["parameters"]) - set(expected))[:3]
        raise ValueError(f"{where} claims {name}({_summary(config)}) but holds parameters "
                         f"such a model has not (e.g. {odd}); the file is corrupt")
    # The initializer only chose the starting weights, which the checkpoint's
    # replace; the name of a function passed as init= has nothing to look up.
    init = config.get("init")
    if not (isinstance(init, str) and init in INITIALIZERS):
        config.pop("init", None)
    try:
        model = cls(seed=0, **config)      # the config's keys are the arguments' names
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where} has an invalid architecture record: {error}") from None
    load_parameters(model, document["parameters"], where)
    return model


def _embedding(document: dict, config: dict, where: str) -> Embedding:
    """An Embedding of the recorded sizes, checked against the parameters
    present before any Value is allocated."""
    try:
        rows = positive_int("", "num_embeddings", config.get("num_embeddings"))
        dim = positive_int("", "embedding_dim", config.get("embedding_dim"))
    except ValueError as error:
        raise ValueError(f"{where} has an invalid architecture record: {error}") from None
    present = document["parameters"]
    if rows * dim != len(present) or any(f"weight.{i}.{j}" not in present
                                         for i in range(rows) for j in range(dim)):
        raise ValueError(f"{where} claims Embedding({rows}, {dim}), which has {rows * dim} "
                         f"parameters named weight.<row>.<column>, but holds {len(present)} "
                         f"that do not match; the file is corrupt")
    model = Embedding(rows, dim, seed=0)
    load_parameters(model, present, where)
    return model


def _summary(config: dict) -> str:
    text = ", ".join(f"{key}={value!r}" for key, value in config.items() if key != "init")
    return text if len(text) <= 120 else text[:117] + "..."
