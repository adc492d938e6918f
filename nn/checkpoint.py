"""Checkpoints: a model's parameters, and a training run's state, in one file.

Format (version 2), one JSON object, UTF-8::

    {
      "format": "autograd-lite-checkpoint",
      "version": 2,
      "architecture": {"class": "MLP", "nin": 2, "nouts": [16, 16, 1],
                       "activation": "relu", "output_activation": "linear",
                       "init": "uniform"},
      "num_parameters": 337,
      "parameters": {"layers.0.neurons.0.w.0": -0.2343..., ...},
      "optimizer": {"class": "Adam", "state_dict": {"state": ..., "param_groups": ...}},
      "scheduler": {"class": "CosineAnnealingLR", "state_dict": {...}},
      "metadata": {}
    }

* ``parameters`` maps each name of ``Module.named_parameters()`` to its value.
  Floats are written with ``repr``, the shortest text that reads back as the
  same float, so a round trip is exact. Only finite numbers are allowed.
* ``architecture`` is ``{"class": ..., **module.config()}``: enough to rebuild
  an ``MLP``/``Layer``/``Neuron`` (:func:`nn.load_model`), and checked on load.
* ``optimizer`` and ``scheduler`` (version 2, present when saved) hold the
  class name and ``state_dict()`` of each (torch.optim's layout; JSON makes
  the parameter indices strings), so training resumes to the last bit.
* ``metadata`` is a JSON object chosen by the caller (epoch, accuracy, ...).

Files without training state are written as version 1, which older versions
of the library read; version 1 files load as before.

A path ending in ``.safetensors`` is written in the safetensors format
instead (through the ``safetensors`` package's numpy API, ``pip install -e
".[torch]"``): the tensors are named and shaped as
``model.to_torch().state_dict()`` expects (``"0.weight"``, ``"0.bias"``, ...,
float64), and the file's metadata holds ``format``, ``version``,
``architecture`` and ``metadata`` as JSON text. It holds a model only.

The file is never unpickled, so loading an untrusted checkpoint cannot run
code. It is written atomically: to a temporary file in the same folder, which
is flushed to disk (fsync) and then renamed over the target (``os.replace``).
A crash or error mid-save leaves the previous file as it was, and the
temporary file is removed.

Loading checks everything before setting anything: a file that is not a
valid checkpoint (corrupt, truncated, non-finite or huge numbers, nesting
deeper than :data:`MAX_DEPTH`, another format or version), whose
architecture or parameter names differ from the model's, or whose optimizer
or scheduler state does not fit the objects given, raises a ValueError that
names the file and says what is wrong, and the model, optimizer and
scheduler are left unchanged. (Parameter names that differ raise
:class:`nn.StateDictKeyError`, which is both a ValueError and a KeyError.)

>>> import os, tempfile
>>> from autograd_lite import Value
>>> from nn.module import MLP
>>> from nn.optim import SGD
>>> model = MLP(2, [3, 1], seed=0)
>>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> path = os.path.join(tempfile.mkdtemp(), "run.json")
>>> save_checkpoint(model, path, optimizer=opt, metadata={"epoch": 5})
>>> other = MLP(2, [3, 1], seed=1)
>>> load_checkpoint(other, path, optimizer=SGD(other.parameters(), lr=0.1, momentum=0.9))
{'epoch': 5}
>>> other.state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import json
import math
import os
from typing import IO, Any, Dict, List, Optional, Tuple, Union

from autograd_lite.files import write_atomically

from .interop import (layer_blocks, linear_layers, parameter_count, parameter_names,
                      parameter_values, tensor_shapes)
from .optim import Optimizer
from .schedulers import LRScheduler

__all__ = ["FORMAT", "VERSION", "MAX_DEPTH", "save_checkpoint", "load_checkpoint",
           "read_checkpoint", "write_atomic", "is_safetensors", "load_parameters"]

FORMAT = "autograd-lite-checkpoint"
VERSION = 2
MAX_DEPTH = 64            # nesting of JSON objects and lists a checkpoint may have
_MAX_DIGITS = 20          # an integer in a checkpoint is a count or a step

PathLike = Union[str, "os.PathLike[str]"]


def is_safetensors(path: PathLike) -> bool:
    """Whether ``path`` names a ``.safetensors`` file (by its suffix, any case)."""
    return os.fspath(path).lower().endswith(".safetensors")


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
    def write(f: IO[Any]) -> None:
        json.dump(document, f, indent=1, allow_nan=False)
        f.write("\n")

    write_atomically(path, write, where="save")


def _depth(document: Any) -> int:
    """How deeply lists and dicts nest in ``document`` (without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, (list, tuple)):
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list, tuple)))
    return deepest


def _json_ready(what: str, value: Any) -> None:
    """A ValueError unless ``value`` is finite JSON data nested <= MAX_DEPTH."""
    # It sits below the document's own levels (metadata one down, a state
    # two): the margin of 4 keeps every file save writes readable by load.
    if _depth(value) > MAX_DEPTH - 4:
        raise ValueError(f"save_checkpoint: {what} nests deeper than {MAX_DEPTH - 4} "
                         f"levels; checkpoints keep it flatter")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"save_checkpoint: {what} must be JSON-serializable finite data "
                         f"(numbers, strings, lists, dicts): {error}") from None


def _training_objects(where: str, optimizer: Any, scheduler: Any) -> List[Tuple[str, Any]]:
    """``[(key, obj)]`` for the optimizer and scheduler given (not None), or a
    TypeError if one is not an ``nn`` one (checked before anything else)."""
    given = []
    for key, obj, base in (("optimizer", optimizer, Optimizer),
                           ("scheduler", scheduler, LRScheduler)):
        if obj is None:
            continue
        if not isinstance(obj, base):
            raise TypeError(f"{where}: {key} must be an nn {base.__name__} "
                            f"(e.g. nn.Adam, nn.StepLR), got {type(obj).__name__}")
        given.append((key, obj))
    return given


def save_checkpoint(module: Any, path: PathLike, optimizer: Optional[Optimizer] = None,
                    scheduler: Optional[LRScheduler] = None,
                    metadata: Optional[Dict[str, Any]] = None) -> None:
    """Save ``module``'s parameters and architecture, and optionally the
    optimizer's and scheduler's state, to ``path``, atomically.

    Args:
        module: an ``nn.Module``.
        path: destination file: ``*.json`` (or any other name) for the JSON
            format, ``*.safetensors`` for safetensors (a model only).
        optimizer: an ``nn`` optimizer whose state to save with the model.
        scheduler: an ``nn`` scheduler whose state to save.
        metadata: extra JSON-serializable information (e.g. epoch, accuracy).

    Raises:
        ValueError: a parameter or a state is nan or inf, metadata is not
            JSON, or training state is asked of a safetensors file.
        TypeError: metadata is not a dict, or optimizer/scheduler are not
            ``nn`` ones.

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
    _json_ready("metadata", metadata)
    document: Dict[str, Any] = {
        "format": FORMAT,
        "version": 1,            # a file without training state: what version 1 read
        "architecture": module.architecture(),
        "num_parameters": len(parameters),
        "parameters": parameters,
    }
    for key, obj in _training_objects("save_checkpoint", optimizer, scheduler):
        state = obj.state_dict()
        _json_ready(f"the {key}'s state", state)
        document[key] = {"class": type(obj).__name__, "state_dict": state}
        document["version"] = VERSION
    document["metadata"] = metadata
    if is_safetensors(path):
        _write_safetensors(path, document)
    else:
        write_atomic(path, document)


def _write_safetensors(path: PathLike, document: Dict[str, Any]) -> None:
    if "optimizer" in document or "scheduler" in document:
        raise ValueError(f"save_checkpoint: {os.fspath(path)!r} is a safetensors file, "
                         f"which holds a model's weights only; save the optimizer and "
                         f"scheduler to a .json checkpoint")
    safetensors_numpy, np = _import_safetensors("save_checkpoint")
    try:
        specs = linear_layers(document["architecture"])
    except ValueError as error:
        raise ValueError(f"save_checkpoint: only an MLP, Layer or Neuron can be saved as "
                         f"safetensors ({error}); use a .json path") from None
    parameters = document["parameters"]
    if list(parameters) != list(parameter_names(specs)):
        raise ValueError("save_checkpoint: the model's parameter names are not those of "
                         "an MLP, Layer or Neuron; use a .json path")
    tensors = {}
    for s, weight, bias in layer_blocks(specs, list(parameters.values())):
        tensors[f"{s.position}.weight"] = np.array(weight, dtype=np.float64)
        tensors[f"{s.position}.bias"] = np.array(bias, dtype=np.float64)
    header = {"format": FORMAT, "version": "1",
              "architecture": json.dumps(document["architecture"]),
              "metadata": json.dumps(document["metadata"], allow_nan=False)}
    data = safetensors_numpy.save(tensors, metadata=header)
    write_atomically(path, lambda f: f.write(data), binary=True, where="save")


def _import_safetensors(where: str) -> Tuple[Any, Any]:
    try:
        import numpy as np
        import safetensors.numpy
    except ImportError:
        raise ModuleNotFoundError(f"{where}: .safetensors files need the safetensors "
                                  f"package: pip install -e \".[torch]\"") from None
    return safetensors.numpy, np


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

class _NotFinite:
    """What the JSON reader makes of NaN, Infinity or a number too large for
    a float: kept in place, so the refusal can name the entry that holds it."""

    __slots__ = ("why",)

    def __init__(self, why: str):
        self.why = why


def _first_not_finite(document: Any) -> Optional[Tuple[str, _NotFinite]]:
    """(dotted path, entry) of the first _NotFinite in ``document``, or None
    (an explicit stack: the nesting was bounded, but need not be for this)."""
    stack: List[Tuple[str, Any]] = [("", document)]
    while stack:
        path, item = stack.pop()
        if type(item) is _NotFinite:
            return path or "the file", item
        if isinstance(item, dict):
            pairs = [(f"{path}.{key}" if path else str(key), value)
                     for key, value in item.items()]
        elif isinstance(item, list):
            pairs = [(f"{path}.{i}" if path else str(i), value)
                     for i, value in enumerate(item)]
        else:
            continue
        stack.extend(reversed(pairs))
    return None


def _small_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits (checkpoints "
                         f"hold counts and steps of at most {_MAX_DIGITS} digits)")
    return int(text)


def _parse_json(raw: bytes, where: str) -> Any:
    """JSON with finite numbers, small integers and bounded nesting, or a
    ValueError starting with ``where``."""
    flagged: List[_NotFinite] = []

    def constant(name: str) -> _NotFinite:
        flagged.append(_NotFinite(f"the non-finite number {name}"))
        return flagged[-1]

    def finite_float(text: str) -> Union[float, _NotFinite]:
        value = float(text)
        if math.isfinite(value):
            return value
        flagged.append(_NotFinite(f"the number {text[:40]}{'...' if len(text) > 40 else ''}, "
                                  f"too large for a float"))
        return flagged[-1]

    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=constant,
                              parse_float=finite_float, parse_int=_small_int)
    except UnicodeDecodeError:
        raise ValueError(f"{where} is not a text (UTF-8 JSON) file; it is corrupt or "
                         f"not a checkpoint") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{where} is not valid JSON ({error.msg} at line {error.lineno}, "
                         f"column {error.colno}); the file is corrupt or truncated") from None
    except RecursionError:
        raise ValueError(f"{where} nests lists or objects too deeply (a checkpoint nests "
                         f"at most {MAX_DEPTH} levels); the file is corrupt") from None
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    if _depth(document) > MAX_DEPTH:
        raise ValueError(f"{where} nests lists or objects more than {MAX_DEPTH} levels "
                         f"deep; the file is corrupt")
    found = _first_not_finite(document) if flagged else None
    if found is not None:
        entry, number = found
        raise ValueError(f"{where}: {entry} holds {number.why} (checkpoints hold finite "
                         f"numbers only)")
    return document


def read_checkpoint(path: PathLike) -> Dict[str, Any]:
    """Read and validate a checkpoint file (JSON or safetensors), without a model.

    Args:
        path: the checkpoint file.

    Returns:
        The checkpoint as a dict (``parameters`` maps names to floats;
        ``optimizer`` and ``scheduler`` are present if saved).

    Raises:
        ValueError: not a valid checkpoint (the message names the file and
            says why).
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
    if is_safetensors(path):
        document = _read_safetensors(raw, where)
    else:
        document = _parse_json(raw, where)
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
            raise ValueError(f"{where}: parameter {name!r:.80} must be a number, got "
                             f"{type(value).__name__} {value!r:.80}")
    count = document.get("num_parameters", len(parameters))
    if count != len(parameters):
        raise ValueError(f"{where} says it holds {count!r:.40} parameters but has "
                         f"{len(parameters)}; the file is corrupt")
    if not isinstance(document.get("architecture", {}), dict):
        raise ValueError(f"{where} has an \"architecture\" entry that is not a JSON object, "
                         f"got {type(document['architecture']).__name__}; the file is corrupt")
    metadata = document.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError(f"{where} has a \"metadata\" entry that is not a JSON object, "
                         f"got {type(metadata).__name__}; the file is corrupt")
    for key in ("optimizer", "scheduler"):
        if key not in document:
            continue
        entry = document[key]
        if (not isinstance(entry, dict) or not isinstance(entry.get("class"), str)
                or not isinstance(entry.get("state_dict"), dict)):
            raise ValueError(f"{where} has an invalid \"{key}\" entry (expected "
                             f"{{\"class\": name, \"state_dict\": {{...}}}}); the file is "
                             f"corrupt")
    document["parameters"] = {name: float(v) for name, v in parameters.items()}
    return document


def _read_safetensors(raw: bytes, where: str) -> Dict[str, Any]:
    """A safetensors file as the document a JSON checkpoint is.

    The header (8 bytes of length, then JSON) is read and checked here first,
    the architecture against the tensors it declares, so a hostile header
    costs no more than the file's size; then the safetensors package reads
    the tensors.
    """
    safetensors_numpy, np = _import_safetensors("read_checkpoint")
    if len(raw) < 8 or int.from_bytes(raw[:8], "little") > len(raw) - 8:
        raise ValueError(f"{where} is not a safetensors file (its header length does not "
                         f"fit the file); it is corrupt or truncated")
    header = _parse_json(raw[8:8 + int.from_bytes(raw[:8], "little")], f"{where}'s header")
    info = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise ValueError(f"{where} is not an autograd-lite checkpoint (its safetensors "
                         f"metadata lacks \"format\": \"{FORMAT}\")")
    fields: Dict[str, Any] = {}
    for key in ("architecture", "metadata"):
        if not isinstance(info.get(key), str):
            raise ValueError(f"{where}: the safetensors metadata lacks {key!r}")
        fields[key] = _parse_json(info[key].encode("utf-8"), f"{where}'s {key}")
    version = info.get("version")
    if not (isinstance(version, str) and version.isascii() and version.isdigit()
            and len(version) <= 18):
        raise ValueError(f"{where} has an invalid version {version!r:.40} in its safetensors "
                         f"metadata (expected an integer, as text); the file is corrupt")
    try:
        specs = linear_layers(fields["architecture"])
    except ValueError as error:
        raise ValueError(f"{where} records an invalid architecture: {error}") from None
    expected = {name: list(shape) for name, shape in tensor_shapes(specs).items()}
    declared = {name: entry.get("shape") if isinstance(entry, dict) else None
                for name, entry in header.items() if name != "__metadata__"}
    if declared != expected:
        raise ValueError(f"{where}: the tensors {_shapes(declared)} are not those of its "
                         f"architecture {_shapes(expected)}; the file is corrupt")
    try:
        tensors = safetensors_numpy.load(raw)
    except Exception as error:      # the package's own SafetensorError, among others
        raise ValueError(f"{where} is not a valid safetensors file ({error}); it is "
                         f"corrupt or truncated") from None
    for name in expected:
        tensor = tensors[name]
        if tensor.dtype != np.float64:
            raise ValueError(f"{where}: tensor {name!r} is {tensor.dtype}, expected "
                             f"float64 (F64)")
        if not np.isfinite(tensor).all():
            raise ValueError(f"{where}: tensor {name!r} holds nan or inf; checkpoints "
                             f"hold finite numbers only")
    values = parameter_values((tensors[f"{s.position}.weight"].tolist(),
                               tensors[f"{s.position}.bias"].tolist()) for s in specs)
    return {"format": FORMAT,
            "version": int(version),
            "architecture": fields["architecture"], "num_parameters": parameter_count(specs),
            "parameters": dict(zip(parameter_names(specs), values)),
            "metadata": fields["metadata"]}


def _shapes(shapes: Dict[str, Any]) -> str:
    text = ", ".join(f"{name}: {shape}" for name, shape in list(shapes.items())[:6])
    return "{" + text[:200] + (", ..." if len(shapes) > 6 or len(text) > 200 else "") + "}"


def _check_architecture(module: Any, saved: Any, where: str) -> None:
    if not isinstance(saved, dict) or not module.config():
        return
    mine = module.architecture()
    # The initializer only chose the starting weights, which are replaced.
    different = [key for key in sorted(set(mine) | set(saved))
                 if key != "init" and mine.get(key) != saved.get(key)]
    if different:
        details = ", ".join(f"{key}: checkpoint {saved.get(key)!r:.80}, model "
                            f"{mine.get(key)!r}" for key in different)
        raise ValueError(f"{where} was saved from a different architecture ({details}); "
                         f"build the model with the checkpoint's settings, or use "
                         f"nn.load_model(path)")


def load_parameters(module: Any, parameters: Dict[str, float], where: str) -> None:
    """``module.load_state_dict(parameters, strict=True)``, its error (a
    StateDictKeyError or a ValueError) prefixed with ``where`` (the file)."""
    try:
        module.load_state_dict(parameters, strict=True)
    except (KeyError, ValueError) as error:
        raise type(error)(f"{where}: {error}") from None


def _checked_training_state(obj: Any, key: str, document: Dict[str, Any],
                            where: str) -> Any:
    """The checked state of the optimizer or scheduler ``obj`` (nothing set)."""
    if key not in document:
        raise ValueError(f"{where} holds no {key} state (it was saved without "
                         f"{key}=); load it without {key}=")
    entry = document[key]
    if entry["class"] != type(obj).__name__:
        raise ValueError(f"{where} holds {key} state saved from {entry['class']:.40}, but "
                         f"the {key} given is {type(obj).__name__}; load it into a {key} "
                         f"of class {entry['class']:.40}")
    try:
        return obj._checked_state(entry["state_dict"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from None


def load_checkpoint(module: Any, path: PathLike, optimizer: Optional[Optimizer] = None,
                    scheduler: Optional[LRScheduler] = None) -> Dict[str, Any]:
    """Load a checkpoint into ``module`` (and ``optimizer``, ``scheduler``);
    on any mismatch, change nothing.

    Everything is checked (the file, the architecture, the parameter names,
    the optimizer's and scheduler's state) before anything is set.

    Args:
        module: an ``nn.Module`` of the same architecture.
        path: the checkpoint file (JSON or ``.safetensors``).
        optimizer: an optimizer of the saved class, on the module's
            parameters, to restore the saved state into.
        scheduler: a scheduler of the saved class, to restore.

    Returns:
        The checkpoint's ``metadata`` dict.

    Raises:
        ValueError: corrupt file, another format, a different architecture,
            an optimizer/scheduler state that does not fit (the message
            names the file), or an optimizer on other parameters than the
            module's.
        StateDictKeyError (a ValueError and a KeyError): the parameter
            names differ (the message lists them).
        TypeError: optimizer/scheduler are not ``nn`` ones.

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
    given = _training_objects("load_checkpoint", optimizer, scheduler)
    if optimizer is not None and (
            [id(p) for p in optimizer.params] != [id(p) for p in module.parameters()]):
        raise ValueError("load_checkpoint: the optimizer is not on this module's parameters "
                         "(in order); make it with the module's own: "
                         f"{type(optimizer).__name__}(module.parameters(), ...)")
    document = read_checkpoint(path)
    where = f"checkpoint {os.fspath(path)!r}"
    _check_architecture(module, document.get("architecture"), where)
    states = [(obj, _checked_training_state(obj, key, document, where)) for key, obj in given]
    load_parameters(module, document["parameters"], where)
    for obj, state in states:                   # checked above: cannot fail
        obj._apply_state(state)
    return document["metadata"]
