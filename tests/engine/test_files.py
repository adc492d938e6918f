"""write_atomically: the old file or the complete new one, never a mix."""

import os
import stat

import pytest

from autograd_lite.files import write_atomically


def test_a_new_file_gets_the_permissions_the_umask_gives(tmp_path):
    path = tmp_path / "a.txt"
    write_atomically(path, lambda f: f.write("x"))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert path.read_text() == "x"


def test_an_error_while_writing_leaves_the_old_file_and_no_debris(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"old")

    def half_then_fail(f):
        f.write(b"new, half")
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        write_atomically(path, half_then_fail, binary=True)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.bin"]


def test_a_missing_folder_or_a_folder_as_the_path_is_said_plainly(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder .* does not exist; create it first"):
        write_atomically(tmp_path / "nope" / "a.txt", lambda f: f.write("x"), where="save")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        write_atomically(tmp_path, lambda f: f.write("x"))
    assert os.listdir(tmp_path) == []
