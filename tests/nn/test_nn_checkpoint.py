"""Checkpoints: exact round trips, mismatches, corrupt files, interrupted saves."""

import json
import os
import sys

import pytest

import nn
import nn.checkpoint
from autograd_lite import Value


@pytest.fixture
def model():
    return nn.MLP(3, [4, 2], activation="tanh", seed=0)


def files_in(directory):
    return sorted(os.listdir(directory))


# ---------------------------------------------------------------------------
# Round trip and format
# ---------------------------------------------------------------------------

def test_save_then_load_restores_every_parameter_bit_for_bit(tmp_path, model):
    tricky = [0.1 + 0.2, 1e-310, -0.0, 2.0 ** -1074, 1.7976931348623157e308, -1 / 3]
    for p, value in zip(model.parameters(), tricky):
        p.data = value
    path = tmp_path / "model.json"
    model.save(path)
    other = nn.MLP(3, [4, 2], activation="tanh", seed=1)
    other.load(path)
    assert [p.data.hex() for p in other.parameters()] == \
        [p.data.hex() for p in model.parameters()]
    assert other([0.5, -0.5, 1.0])[0].data == model([0.5, -0.5, 1.0])[0].data


def test_the_file_is_the_documented_json_format(tmp_path, model):
    path = tmp_path / "model.ckpt"
    model.save(path, metadata={"epoch": 3, "accuracy": 0.97})
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "autograd-lite-checkpoint"
    assert document["version"] == 1
    assert document["architecture"] == {"class": "MLP", "nin": 3, "nouts": [4, 2],
                                        "activation": "tanh", "output_activation": "linear",
                                        "init": "uniform"}
    assert document["parameters"] == model.state_dict()
    assert document["num_parameters"] == 26
    assert document["metadata"] == {"epoch": 3, "accuracy": 0.97}


def test_load_returns_the_metadata(tmp_path, model):
    path = tmp_path / "m.json"
    model.save(path, metadata={"note": "best so far"})
    assert model.load(path) == {"note": "best so far"}


def test_saving_overwrites_an_older_checkpoint_and_leaves_no_temporary_files(tmp_path, model):
    path = tmp_path / "m.json"
    model.save(path)
    model.parameters()[0].data = 42.0
    model.save(path)
    assert files_in(tmp_path) == ["m.json"]
    assert nn.read_checkpoint(path)["parameters"]["layers.0.neurons.0.w.0"] == 42.0


def test_load_model_rebuilds_the_architecture_and_the_weights(tmp_path, model):
    path = tmp_path / "m.json"
    model.save(path)
    rebuilt = nn.load_model(path)
    assert repr(rebuilt) == repr(model)
    assert rebuilt.state_dict() == model.state_dict()
    layer = nn.Layer(2, 3, activation="sigmoid", init="he", seed=0)
    layer.save(tmp_path / "layer.json")
    assert nn.load_model(tmp_path / "layer.json").state_dict() == layer.state_dict()


def test_load_model_rebuilds_a_model_built_with_an_initializer_function(tmp_path):
    for init in (nn.he_uniform, lambda fan_in, fan_out, rng: [0.5] * fan_in):
        model = nn.MLP(2, [3, 1], init=init, seed=0)
        model.save(tmp_path / "m.json")
        assert nn.load_model(tmp_path / "m.json").state_dict() == model.state_dict()


@pytest.mark.parametrize("change, message", [
    ({"activation": "swish"}, "activation must be one of"),
    ({"nin": None}, "nin must be a positive int"),
    ({"seed": 4}, "multiple values for keyword argument 'seed'"),
    ({"class": "Transformer"}, "does not record an architecture this library can build"),
])
def test_load_model_names_the_file_when_the_architecture_record_is_invalid(
        tmp_path, model, change, message):
    path = tmp_path / "m.json"
    model.save(path)
    document = json.loads(path.read_text())
    document["architecture"].update(change)
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=message) as info:
        nn.load_model(path)
    assert str(path) in str(info.value)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_saved_file_gets_the_usual_permissions_not_a_private_temp_files(tmp_path, model):
    model.save(tmp_path / "m.json")
    open(tmp_path / "plain.txt", "w").close()
    assert os.stat(tmp_path / "m.json").st_mode == os.stat(tmp_path / "plain.txt").st_mode


def test_a_checkpoint_is_never_unpickled(tmp_path, model, monkeypatch):
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("pickle used")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    model.save(tmp_path / "m.json")
    model.load(tmp_path / "m.json")


# ---------------------------------------------------------------------------
# Mismatches: clear errors, model unchanged
# ---------------------------------------------------------------------------

def test_loading_a_checkpoint_of_other_layer_widths_names_the_mismatch(tmp_path):
    nn.MLP(3, [5, 2], activation="tanh", seed=0).save(tmp_path / "wide.json")
    model = nn.MLP(3, [4, 2], activation="tanh", seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"nouts: checkpoint \[5, 2\], model \[4, 2\]"):
        model.load(tmp_path / "wide.json")
    assert model.state_dict() == before


def test_loading_a_checkpoint_of_another_activation_names_it(tmp_path):
    nn.MLP(3, [4, 2], activation="relu", seed=0).save(tmp_path / "relu.json")
    model = nn.MLP(3, [4, 2], activation="tanh", seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match="activation: checkpoint 'relu', model 'tanh'"):
        model.load(tmp_path / "relu.json")
    assert model.state_dict() == before


def test_a_model_built_with_another_initializer_loads_the_weights(tmp_path, model):
    model.save(tmp_path / "m.json")
    other = nn.MLP(3, [4, 2], activation="tanh", init="he", seed=3)
    other.load(tmp_path / "m.json")
    assert other.state_dict() == model.state_dict()


def test_parameter_names_that_do_not_match_raise_a_key_error_listing_them(tmp_path, model):
    path = tmp_path / "m.json"
    model.save(path)
    document = json.loads(path.read_text())
    del document["architecture"]                      # only the names can tell now
    parameters = document["parameters"]
    parameters["layers.9.neurons.0.b"] = parameters.pop("layers.1.neurons.1.b")
    path.write_text(json.dumps(document))
    before = model.state_dict()
    with pytest.raises(KeyError) as info:
        model.load(path)
    assert "missing: 'layers.1.neurons.1.b'" in str(info.value)
    assert "unexpected: 'layers.9.neurons.0.b'" in str(info.value)
    assert model.state_dict() == before


def test_a_checkpoint_of_a_custom_module_is_checked_by_names(tmp_path):
    class Scale(nn.Module):
        def __init__(self, n):
            self.k = [Value(1.0) for _ in range(n)]

    Scale(3).save(tmp_path / "s.json")
    target = Scale(2)
    with pytest.raises(KeyError, match="unexpected: 'k.2'"):
        target.load(tmp_path / "s.json")
    assert target.state_dict() == {"k.0": 1.0, "k.1": 1.0}


# ---------------------------------------------------------------------------
# Corrupt files: ValueError, model unchanged
# ---------------------------------------------------------------------------

def _saved_text(tmp_path, model):
    path = tmp_path / "good.json"
    model.save(path)
    return path.read_text(encoding="utf-8")


CORRUPTIONS = {
    "truncated": (lambda text: text[: len(text) // 2], "not valid JSON.*truncated"),
    "empty": (lambda text: "", "not valid JSON"),
    "not json": (lambda text: "hello, world", "not valid JSON"),
    "binary": (lambda text: "\udcff\udcfe", "not a text"),
    "another format": (lambda text: text.replace("autograd-lite-checkpoint", "other"),
                       "not an autograd-lite checkpoint"),
    "a json list": (lambda text: "[1, 2, 3]", "not an autograd-lite checkpoint"),
    "newer version": (lambda text: text.replace('"version": 1', '"version": 3'),
                      "version 3, newer than this library reads"),
    "a string parameter": (lambda text: text.replace('"layers.0.neurons.0.b": 0.0',
                                                     '"layers.0.neurons.0.b": "0.0"'),
                           "'layers.0.neurons.0.b' must be a number"),
    "nan": (lambda text: text.replace('"layers.0.neurons.0.b": 0.0',
                                      '"layers.0.neurons.0.b": NaN'), "non-finite number NaN"),
    "wrong count": (lambda text: text.replace('"num_parameters": 26', '"num_parameters": 27'),
                    "says it holds 27 parameters but has 26"),
    "no parameters": (lambda text: json.dumps({"format": "autograd-lite-checkpoint",
                                               "version": 1}), "no \"parameters\" object"),
    "metadata not an object": (lambda text: text.replace('"metadata": {}', '"metadata": [1]'),
                               "\"metadata\" entry that is not a JSON object, got list"),
}


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_a_corrupt_checkpoint_raises_a_clear_value_error_and_changes_nothing(
        tmp_path, model, kind):
    corrupt, message = CORRUPTIONS[kind]
    path = tmp_path / "bad.json"
    path.write_bytes(corrupt(_saved_text(tmp_path, model)).encode("utf-8", "surrogateescape"))
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        model.load(path)
    assert model.state_dict() == before


def test_a_missing_file_raises_file_not_found(tmp_path, model):
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "nope.json")


def test_saving_refuses_a_model_with_nan_weights_and_keeps_the_old_file(tmp_path, model):
    path = tmp_path / "m.json"
    model.save(path)
    old = path.read_bytes()
    model.parameters()[3].data = float("nan")
    with pytest.raises(ValueError, match="'layers.0.neurons.0.b' is nan.*diverged"):
        model.save(path)
    assert path.read_bytes() == old


def test_saving_into_a_missing_folder_or_onto_a_folder_names_the_path_given(tmp_path, model):
    with pytest.raises(FileNotFoundError, match="folder .*no-such-folder.* does not exist"):
        model.save(tmp_path / "no-such-folder" / "m.json")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        model.save(tmp_path)
    assert files_in(tmp_path) == []


def test_saving_rejects_metadata_that_is_not_json(tmp_path, model):
    with pytest.raises(ValueError, match="metadata must be JSON-serializable"):
        model.save(tmp_path / "m.json", metadata={"f": object()})
    assert files_in(tmp_path) == []


# ---------------------------------------------------------------------------
# Interrupted saves: the old file survives, no temporary file remains
# ---------------------------------------------------------------------------

class Crash(Exception):
    pass


def test_a_crash_while_writing_leaves_the_old_checkpoint_intact(tmp_path, model, monkeypatch):
    path = tmp_path / "m.json"
    model.save(path)
    old = path.read_bytes()
    real_dump = json.dump

    def dump_half_then_crash(obj, f, **kwargs):
        text = json.dumps(obj, **kwargs)
        f.write(text[: len(text) // 2])
        f.flush()
        raise Crash("power cut")

    monkeypatch.setattr(json, "dump", dump_half_then_crash)
    model.parameters()[0].data = 99.0
    with pytest.raises(Crash):
        model.save(path)
    monkeypatch.setattr(json, "dump", real_dump)
    assert path.read_bytes() == old
    assert files_in(tmp_path) == ["m.json"]
    restored = nn.MLP(3, [4, 2], activation="tanh", seed=5)
    restored.load(path)
    assert restored.parameters()[0].data != 99.0


def test_a_crash_at_the_rename_leaves_the_old_checkpoint_intact(tmp_path, model, monkeypatch):
    path = tmp_path / "m.json"
    model.save(path)
    old = path.read_bytes()

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    model.parameters()[0].data = 99.0
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert files_in(tmp_path) == ["m.json"]


def test_a_crash_on_a_first_save_leaves_no_file_at_all(tmp_path, model, monkeypatch):
    def crash(*args, **kwargs):
        raise Crash("killed")

    monkeypatch.setattr(json, "dump", crash)
    with pytest.raises(Crash):
        model.save(tmp_path / "new.json")
    assert files_in(tmp_path) == []


def test_write_atomic_is_used_with_fsync_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace",
                        lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    nn.checkpoint.write_atomic(tmp_path / "x.json", {"a": 1})
    assert calls[:2] == ["fsync", "replace"]


def test_the_checkpoint_module_imports_no_model_module_so_there_is_no_cycle():
    import ast

    tree = ast.parse(open(nn.checkpoint.__file__, encoding="utf-8").read())
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"module", "rebuild", "nn.module", "nn.rebuild"}, imported
