"""Checkpoints: a model's parameters in a small, documented JSON file.

Format (version 1), one JSON object, UTF-8::

    {
      "format": "autograd-lite-checkpoint",
      "version": 1,
      "architecture": {"class": "MLP", "nin": 2, "nouts": [16, 16, 1],
                       "activation": "relu", "output_activation": "linear",
                       "init": "uniform"},
      "num_parameters": 337,
      "parameters": {"layers.0.neurons.0.w.0": -0.2343..., ...},
      "metadata": {}
    }

* ``parameters`` maps each name of ``Module.named_parameters()`` to its value.
  Floats are written with ``repr``, the shortest text that reads back as the
  same float, so a round trip is exact. Only finite numbers are allowed.
* ``architecture`` is ``{"class": ..., **module.config()}``: enough to rebuild
  an ``MLP``/``Layer``/``Neuron`` (:func:`load_model`), and checked on load.
* ``metadata`` is a JSON object chosen by the caller (epoch, accuracy, ...).

The file is never unpickled, so loading an untrusted checkpoint cannot run
code. It is written atomically: to a temporary file in the same folder, which
is flushed to disk (fsync) and then renamed over the target (``os.replace``).
A crash or error mid-save leaves the previous file as it was, and the
temporary file is removed.

Loading checks everything before setting anything: a file that is not JSON
(corrupt, truncated), of another format or version, whose architecture or
parameter names differ from the model's, raises a ValueError (names: a
KeyError) that says what differs, and the model is left unchanged.

>>> import os, tempfile
>>> from nn.module import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save_checkpoint(model, path, metadata={"epoch": 5})
>>> other = MLP(2, [3, 1], seed=1)
>>> load_checkpoint(other, path)
{'epoch': 5}
>>> other.state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, Optional, Union

from autograd_lite.files import write_atomically

__all__ = ["FORMAT", "VERSION", "save_checkpoint", "load_checkpoint", "read_checkpoint",
           "load_model", "write_atomic"]

FORMAT = "autograd-lite-checkpoint"
VERSION = 1

PathLike = Union[str, "os.PathLike[str]"]


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def write_atomic(path: PathLike, document: Any) -> None:
    """Write ``document`` as JSON to ``path`` so the file is either the old
    one or the complete new one, never a mix (see
    :func:`autograd_lite.files.write_atomically`).

    Args:
        path: the destination file.
        document: a JSON-serializable object.

    Example:
        >>> import os, tempfile, json
        >>> p = os.path.join(tempfile.mkdtemp(), "x.json")
        >>> write_atomic(p, {"a": 0.1}); json.load(open(p))
        {'a': 0.1}
    """
    def write(f) -> None:
        json.dump(document, f, indent=1, allow_nan=False)
        f.write("\n")

    write_atomically(path, write, where="save")


def _architecture(module: Any) -> Dict[str, Any]:
    """``{"class": name, **module.config()}``: what the checkpoint records."""
    return {"class": type(module).__name__, **module.config()}


def save_checkpoint(module: Any, path: PathLike,
                    metadata: Optional[Dict[str, Any]] = None) -> None:
    """Save ``module``'s parameters (and architecture) to ``path``, atomically.

    Args:
        module: an ``nn.Module``.
        path: destination file (conventionally ``*.json`` or ``*.ckpt``).
        metadata: extra JSON-serializable information (e.g. epoch, accuracy).

    Raises:
        ValueError: a parameter is nan or inf, or metadata is not JSON.
        TypeError: metadata is not a dict.

    Example:
        >>> import json, os, tempfile
        >>> from nn.module import Neuron
        >>> path = os.path.join(tempfile.mkdtemp(), "n.json")
        >>> save_checkpoint(Neuron(2, seed=0), path, metadata={"epoch": 1})
        >>> sorted(json.load(open(path))["parameters"])
        ['b', 'w.0', 'w.1']
    """
    parameters = module.state_dict()
    for name, value in parameters.items():
        if not math.isfinite(value):
            raise ValueError(f"save_checkpoint: parameter {name!r} is {value!r}; "
                             f"checkpoints hold finite numbers only (has training "
                             f"diverged? lower the learning rate or clip gradients)")
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict):
        raise TypeError(f"save_checkpoint: metadata must be a dict, got "
                        f"{type(metadata).__name__}")
    try:
        json.dumps(metadata, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"save_checkpoint: metadata must be JSON-serializable "
                         f"(numbers, strings, lists, dicts): {error}") from None
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": _architecture(module),
        "num_parameters": len(parameters),
        "parameters": parameters,
        "metadata": metadata,
    }
    write_atomic(path, document)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

def _reject_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name} (checkpoints hold finite numbers only)")


def read_checkpoint(path: PathLike) -> Dict[str, Any]:
    """Read and validate a checkpoint file, without a model.

    Args:
        path: the checkpoint file.

    Returns:
        The checkpoint as a dict (``parameters`` maps names to floats).

    Raises:
        ValueError: not a valid checkpoint (the message says why).
        FileNotFoundError: no such file.

    Example:
        >>> import os, tempfile
        >>> from nn.module import MLP
        >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
        >>> MLP(2, [3, 1], seed=0).save(path)
        >>> checkpoint = read_checkpoint(path)
        >>> checkpoint["architecture"]["nouts"], checkpoint["num_parameters"]
        ([3, 1], 13)
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    where = f"checkpoint {path!r}"
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ValueError(f"{where} is not a text (UTF-8 JSON) file; it is corrupt or "
                         f"not a checkpoint") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{where} is not valid JSON ({error.msg} at line {error.lineno}, "
                         f"column {error.colno}); the file is corrupt or truncated") from None
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{where} is not an autograd-lite checkpoint (expected a JSON "
                         f"object with \"format\": \"{FORMAT}\")")
    version = document.get("version")
    if type(version) is not int or version < 1:
        raise ValueError(f"{where} has an invalid version {version!r}")
    if version > VERSION:
        raise ValueError(f"{where} has format version {version}, newer than this "
                         f"library reads ({VERSION}); upgrade autograd-lite")
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise ValueError(f"{where} has no \"parameters\" object")
    for name, value in parameters.items():
        if type(value) not in (int, float):
            raise ValueError(f"{where}: parameter {name!r} must be a number, got "
                             f"{type(value).__name__} {value!r}")
    count = document.get("num_parameters", len(parameters))
    if count != len(parameters):
        raise ValueError(f"{where} says it holds {count} parameters but has "
                         f"{len(parameters)}; the file is corrupt")
    metadata = document.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError(f"{where} has a \"metadata\" entry that is not a JSON object, "
                         f"got {type(metadata).__name__}; the file is corrupt")
    document["parameters"] = {name: float(v) for name, v in parameters.items()}
    return document


def _check_architecture(module: Any, saved: Any, where: str) -> None:
    if not isinstance(saved, dict) or not module.config():
        return
    mine = _architecture(module)
    # The initializer only chose the starting weights, which are replaced.
    different = [key for key in sorted(set(mine) | set(saved))
                 if key != "init" and mine.get(key) != saved.get(key)]
    if different:
        details = ", ".join(f"{key}: checkpoint {saved.get(key)!r}, model {mine.get(key)!r}"
                            for key in different)
        raise ValueError(f"{where} was saved from a different architecture ({details}); "
                         f"build the model with the checkpoint's settings, or use "
                         f"nn.load_model(path)")


def load_checkpoint(module: Any, path: PathLike) -> Dict[str, Any]:
    """Load a checkpoint into ``module``; on any mismatch, change nothing.

    Args:
        module: an ``nn.Module`` of the same architecture.
        path: the checkpoint file.

    Returns:
        The checkpoint's ``metadata`` dict.

    Raises:
        ValueError: corrupt file, another format, or a different architecture.
        KeyError: the parameter names differ (the message lists them).

    Example:
        >>> import os, tempfile
        >>> from nn.module import MLP
        >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
        >>> MLP(2, [3, 1], seed=0).save(path)
        >>> wider = MLP(2, [4, 1], seed=0)
        >>> load_checkpoint(wider, path)                    # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: checkpoint '...' ... (nouts: checkpoint [3, 1], model [4, 1]); ...
        >>> load_checkpoint(MLP(2, [3, 1], seed=1), path)
        {}
    """
    document = read_checkpoint(path)
    _check_architecture(module, document.get("architecture"), f"checkpoint {os.fspath(path)!r}")
    module.load_state_dict(document["parameters"], strict=True)
    return document["metadata"]


def load_model(path: PathLike) -> Any:
    """Rebuild the model a checkpoint was saved from (MLP, Layer or Neuron).

    Args:
        path: the checkpoint file.

    Returns:
        A new module with the checkpoint's architecture and parameters.

    Example:
        >>> import os, tempfile
        >>> from nn.module import MLP
        >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
        >>> MLP(2, [4, 3], activation="tanh", seed=0).save(path)
        >>> load_model(path)
        MLP(2, [4, 3], activation='tanh', output_activation='linear', init='uniform')
    """
    from .init import INITIALIZERS
    from .module import MLP, Layer, Neuron

    document = read_checkpoint(path)
    where = f"load_model: checkpoint {os.fspath(path)!r}"
    saved = document.get("architecture")
    config = dict(saved) if isinstance(saved, dict) else {}
    classes = {"MLP": MLP, "Layer": Layer, "Neuron": Neuron}
    name = config.pop("class", None)
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"{where} does not record an architecture this library can "
                         f"build (one of {sorted(classes)}); build the model yourself "
                         f"and call model.load(path)")
    # The initializer only chose the starting weights, which the checkpoint's
    # replace; the name of a function passed as init= has nothing to look up.
    init = config.get("init")
    if not (isinstance(init, str) and init in INITIALIZERS):
        config.pop("init", None)
    try:
        model = cls(seed=0, **config)      # the config's keys are the arguments' names
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where} has an invalid architecture record: {error}") from None
    model.load_state_dict(document["parameters"], strict=True)
    return model
