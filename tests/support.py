"""Shared by several test modules: the worked example, derivatives by repeated
backward, and the checks every demo's tests make.

Test modules import it as ``from support import ...`` (tests/conftest.py
puts ``tests/`` on ``sys.path``).
"""

import doctest
import importlib
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable, List, Sequence

import pytest

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:             # the repository root: autograd_lite, nn and demos import
    sys.path.insert(0, ROOT)

from autograd_lite import Value  # noqa: E402

__all__ = ["worked_example", "derivatives_by_repeated_backward", "PNG_MAGIC", "import_demo",
           "micrograd_notebook_training",
           "assert_pictures_written", "assert_no_temporary_files",
           "assert_docstring_examples_pass", "assert_usage_error", "page_data"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def worked_example(a, b):
    """The README's worked example y = tanh(ab + b²/a) + ln(a)·σ(b), on Values or tensors."""
    return (a * b + b ** 2 / a).tanh() + a.log() * b.sigmoid()


def derivatives_by_repeated_backward(x: Value, y: Value, order: int) -> List[float]:
    """dⁿy/dxⁿ for n = 1..order: ``backward(create_graph=True)`` on y, then on
    each derivative in turn, with ``x.grad`` reset before each sweep (the last
    sweep builds no graph, so ``x.grad`` ends as a float)."""
    derivatives = []
    current = y
    for n in range(1, order + 1):
        x.grad = 0.0
        current.backward(create_graph=n < order)
        current = x.grad
        derivatives.append(current.data if isinstance(current, Value) else current)
    return derivatives


# ---------------------------------------------------------------------------
# Demos
# ---------------------------------------------------------------------------

def import_demo(name: str) -> ModuleType:
    """``demos/<name>.py``, imported as ``demos.<name>``; called at the top of a
    test module, it skips the module when matplotlib or tqdm is missing."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    return importlib.import_module(f"demos.{name}")


def assert_pictures_written(folder: Path, paths: Iterable[str], names: Iterable[str]) -> None:
    """``paths`` are exactly the files ``names`` in ``folder``, each a PNG of
    more than 10 kB, and no temporary file of an atomic write is left there."""
    paths = [Path(p) for p in paths]
    assert {p.name for p in paths} == set(names)
    for path in paths:
        data = (folder / path.name).read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 10_000, path
    assert_no_temporary_files(folder)


def assert_no_temporary_files(folder: Path) -> None:
    """No temporary file of an atomic write (a name starting with ".") is left in ``folder``."""
    assert not [p.name for p in Path(folder).iterdir() if p.name.startswith(".")]


def assert_docstring_examples_pass(module: ModuleType) -> None:
    """The module has docstring examples, and they all pass."""
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def assert_usage_error(main: Callable, argv: Sequence[str], message: str, capsys) -> None:
    """``main(argv)`` exits (argparse's usage error) printing ``message`` on stderr."""
    with pytest.raises(SystemExit):
        main(argv)
    assert message in capsys.readouterr().err


def micrograd_notebook_training(model, Value, X, y, steps: int) -> List[tuple]:
    """The training loop of micrograd's demo.ipynb, verbatim but for the loop
    length, on ``model`` (the notebook's ``MLP(2, [16, 16, 1])``) and its data;
    returns (loss, accuracy) of every step, the numbers the notebook prints."""
    import numpy as np

    def loss(batch_size=None):
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]
        # forward the model to get scores
        scores = list(map(model, inputs))
        # svm "max-margin" loss
        losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum((p*p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    history = []
    for k in range(steps):
        # forward
        total_loss, acc = loss()
        # backward
        model.zero_grad()
        total_loss.backward()
        # update (sgd)
        learning_rate = 1.0 - 0.9*k/100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((total_loss.data, acc))
    return history


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------

def page_data(text: str) -> dict:
    """The data a stepping page's script plays (its ``const DATA``), read back."""
    match = re.search(r"const DATA = (\{.*?\});\n", text)
    return json.loads(match.group(1))
