"""What every demo shares: its command line, its output folder, saving figures, progress bars.

A demo starts with::

    import sys
    from pathlib import Path
    ROOT = str(Path(__file__).resolve().parents[1])
    if ROOT not in sys.path:        # run from a clean clone: import nn, autograd_lite, demos
        sys.path.insert(0, ROOT)
    from demos._common import demo_parser, output_dir, save_figure, progress

Importing this module selects matplotlib's Agg backend, so the demos run
without a display, and figures are only ever written to files.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Iterable, Optional, TypeVar, Union

import matplotlib

matplotlib.use("Agg")                    # headless: before pyplot is imported anywhere
import matplotlib.pyplot as plt          # noqa: E402
from tqdm.auto import tqdm               # noqa: E402

from autograd_lite.files import write_atomically  # noqa: E402

__all__ = ["demo_parser", "output_dir", "save_figure", "save_text", "progress",
           "positive_int", "positive_float", "require_at_least_one", "plt"]

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
    """argparse type: a float > 0."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
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


def output_dir(path: Union[str, "os.PathLike[str]"]) -> Path:
    """``path`` as a Path, created (with its parents) if missing."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
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
