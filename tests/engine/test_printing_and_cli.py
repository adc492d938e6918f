"""What a model prints, the version, and ``python -m autograd_lite``."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import autograd_lite
import nn
from autograd_lite import Value

ROOT = Path(__file__).resolve().parents[2]


# ---- print(model) ---------------------------------------------------------------

@pytest.mark.parametrize("nin, nouts", [(2, [1]), (2, [16, 16, 1]), (784, [64, 10]),
                                        (3, [5, 4, 3, 2])])
def test_printing_an_mlp_shows_each_layer_and_the_parameter_counts(nin, nouts):
    model = nn.MLP(nin, nouts, activation="tanh", seed=0)
    lines = str(model).splitlines()
    assert lines[0] == f"{model!r}: {model.num_parameters():,} parameters"
    sizes = [nin] + nouts
    assert len(lines) == 1 + len(nouts)
    for i, line in enumerate(lines[1:]):
        layer = model.layers[i]
        activation = "linear" if i == len(nouts) - 1 else "tanh"
        assert line == (f"  (layers.{i}): Layer({sizes[i]} -> {sizes[i + 1]}, {activation}): "
                        f"{layer.num_parameters():,} parameters")
    counts = [int(re.search(r": ([\d,]+) parameters$", line).group(1).replace(",", ""))
              for line in lines[1:]]
    assert sum(counts) == model.num_parameters()


class Encoder(nn.Module):
    def __init__(self):
        self.body = nn.MLP(4, [3, 2], seed=0)
        self.scale = Value(2.0)


class Net(nn.Module):
    def __init__(self):
        self.encoder = Encoder()
        self.head = nn.Neuron(2, seed=1)
        self.offsets = [Value(0.0), Value(1.0), Value(2.0)]
        self.blocks = [nn.Layer(2, 2, seed=2), nn.Layer(2, 1, seed=3)]
        self.note = "not a parameter"


def test_a_custom_module_prints_its_tree_of_children_and_counts():
    assert repr(Net()) == str(Net()) == "\n".join([
        "Net: 39 parameters",
        "  (encoder): Encoder: 24 parameters",
        "    (body): MLP(4, [3, 2], activation='relu', output_activation='linear', "
        "init='uniform'): 23 parameters",
        "      (layers.0): Layer(4 -> 3, relu): 15 parameters",
        "      (layers.1): Layer(3 -> 2, linear): 8 parameters",
        "    (scale): Value(data=2.0, grad=0.0)",
        "  (head): ReLUNeuron(2): 3 parameters",
        "  (offsets): 3 parameters",
        "  (blocks.0): Layer(2 -> 2, relu): 6 parameters",
        "  (blocks.1): Layer(2 -> 1, relu): 3 parameters",
    ])
    assert Net().num_parameters() == 24 + 3 + 3 + 6 + 3


class Nested(nn.Module):
    def __init__(self):
        self.stages = [[nn.Layer(2, 2, seed=0), nn.Neuron(2, seed=1)], [nn.Layer(2, 1, seed=2)]]
        self.gains = {"in": [Value(1.0)], "out": {"scale": Value(2.0)}}
        self.grid = [[Value(0.0), Value(1.0)], [Value(2.0)]]


def test_lists_and_dicts_nested_in_an_attribute_print_each_indexed_child():
    # As torch prints a ModuleList of ModuleLists, one child per entry, named
    # as its parameters are (``stages.0.1.w.0``).
    assert str(Nested()) == "\n".join([
        "Nested: 17 parameters",
        "  (stages.0.0): Layer(2 -> 2, relu): 6 parameters",
        "  (stages.0.1): ReLUNeuron(2): 3 parameters",
        "  (stages.1.0): Layer(2 -> 1, relu): 3 parameters",
        "  (gains.in): 1 parameter",
        "  (gains.out.scale): Value(data=2.0, grad=0.0)",
        "  (grid.0): 2 parameters",
        "  (grid.1): 1 parameter",
    ])
    names = [name for name, _ in Nested().named_parameters()]
    assert names[6:9] == ["stages.0.1.w.0", "stages.0.1.w.1", "stages.0.1.b"]
    assert names[12:] == ["gains.in.0", "gains.out.scale", "grid.0.0", "grid.0.1", "grid.1.0"]


def test_a_module_without_parameters_says_so():
    class Empty(nn.Module):
        pass
    assert repr(Empty()) == "Empty: 0 parameters"


def test_one_parameter_is_singular():
    class One(nn.Module):
        def __init__(self):
            self.w = Value(1.0)
    assert repr(One()).splitlines()[0] == "One: 1 parameter"


# ---- versions ---------------------------------------------------------------------

def test_nn_and_autograd_lite_share_one_version():
    assert nn.__version__ == autograd_lite.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", nn.__version__)


# ---- python -m autograd_lite ---------------------------------------------------------

def _run(*args):
    return subprocess.run([sys.executable, "-m", "autograd_lite", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_command_line_has_help():
    result = _run("--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: python -m autograd_lite")
    assert "op table" in result.stdout and "--version" in result.stdout


def test_the_command_line_prints_its_version():
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout == f"autograd-lite {autograd_lite.__version__}\n"


def test_the_command_line_prints_the_op_table():
    result = _run()
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == autograd_lite.ops.markdown_table() + "\n"


def test_an_unknown_option_is_a_usage_error():
    result = _run("--bogus")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unrecognized arguments: --bogus" in result.stderr


def test_a_closed_pipe_ends_the_output_without_a_traceback():
    # The reader closes its end before the table is written: the write fails
    # with EPIPE, as with `python -m autograd_lite | head -1` on a long table.
    process = subprocess.Popen([sys.executable, "-m", "autograd_lite"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr, stderr
    assert process.returncode in (0, 1)
