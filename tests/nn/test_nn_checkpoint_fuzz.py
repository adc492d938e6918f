"""Hostile checkpoint files: every bad file is a ValueError naming the file,
read in bounded time and memory, and the model, optimizer and scheduler the
caller holds are left as they were.

Mutations of a valid training checkpoint: truncations, bit flips, huge
numbers and claims, deep nesting, wrong structure. A bit flip can leave the
file valid (a digit of a weight becomes another digit); the test then only
asks that loading succeeded. Seeded, so every run tries the same files.
"""

import json
import random

import pytest

import nn
from autograd_lite import Value

N_TRUNCATIONS = 80
N_BIT_FLIPS = 250


def training_objects(seed=1):
    model = nn.MLP(3, [4, 2], activation="tanh", seed=seed)
    opt = nn.Adam(model.parameters(), lr=0.05, amsgrad=True)
    sched = nn.SequentialLR(opt, [nn.LinearWarmup(opt, warmup_steps=2),
                                  nn.CosineAnnealingLR(opt, T_max=5)], milestones=[2])
    return model, opt, sched


def snapshot(model, opt, sched):
    return (json.dumps(model.state_dict()), json.dumps(opt.state_dict(), sort_keys=True),
            json.dumps(sched.state_dict(), sort_keys=True), opt.lr, opt.steps)


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory):
    model, opt, sched = training_objects(seed=0)
    for step in range(3):
        opt.zero_grad()
        nn.cross_entropy([model([1.0, -0.5, 0.25 * step])], [1]).backward()
        opt.step()
        sched.step()
    path = tmp_path_factory.mktemp("good") / "run.json"
    nn.save_checkpoint(model, path, optimizer=opt, scheduler=sched, metadata={"epoch": 3})
    return path.read_bytes()


def assert_refused_or_loaded(path, data):
    """Loading ``data`` either works or is a ValueError naming ``path`` that
    changes nothing; the same for load_model. True if it was refused."""
    path.write_bytes(data)
    objects = training_objects()
    before = snapshot(*objects)
    model, opt, sched = objects
    refused = False
    try:
        nn.load_checkpoint(model, path, optimizer=opt, scheduler=sched)
    except ValueError as error:
        assert str(path) in str(error), str(error)
        assert snapshot(*objects) == before
        refused = True
    try:
        nn.load_model(path)
    except ValueError as error:
        assert str(path) in str(error), str(error)
    return refused


def test_every_truncation_is_refused_naming_the_file(tmp_path, good_bytes):
    path = tmp_path / "cut.json"
    lengths = sorted({round(i * len(good_bytes) / N_TRUNCATIONS) for i in range(N_TRUNCATIONS)})
    for length in lengths:
        path.write_bytes(good_bytes[:length])
        objects = training_objects()
        before = snapshot(*objects)
        with pytest.raises(ValueError) as error:
            nn.load_checkpoint(objects[0], path, optimizer=objects[1], scheduler=objects[2])
        assert str(path) in str(error.value)
        assert snapshot(*objects) == before


def test_bit_flips_are_refused_naming_the_file_or_load_a_valid_file(tmp_path, good_bytes):
    rng = random.Random(0)
    path = tmp_path / "flipped.json"
    refused = 0
    valid = []
    for _ in range(N_BIT_FLIPS):
        data = bytearray(good_bytes)
        position = rng.randrange(len(data))
        data[position] ^= 1 << rng.randrange(8)
        try:
            if assert_refused_or_loaded(path, bytes(data)):
                refused += 1
            else:
                valid.append(bytes(data[max(0, position - 8):position + 8]))
        except AssertionError as error:
            context = bytes(data[max(0, position - 20):position + 20])
            raise AssertionError(f"flip at byte {position} ({context!r}): {error}") from None
    # Most flips break the file (the others change a digit): the test bites.
    assert refused >= N_BIT_FLIPS // 2, f"only {refused} refused; still valid: {valid[:5]}"


def edits(good):
    document = json.loads(good)
    depth = 100_000

    def changed(change):
        copy = json.loads(good)
        change(copy)
        return json.dumps(copy).encode()

    def replaced(old, new):
        assert old in good.decode()
        return good.decode().replace(old, new, 1).encode()

    first = next(iter(document["parameters"]))
    return {
        # numbers the format does not hold
        "a weight of 1e400": replaced(f'"{first}": ', f'"{first}": 1e400, "x": '),
        "a weight of 10**400": changed(lambda d: d["parameters"].update({first: 10 ** 400})),
        "a 10000-digit count": replaced('"num_parameters": 26', '"num_parameters": ' + "9" * 10000),
        "a huge step": changed(lambda d: d["optimizer"]["state_dict"]["state"]["0"].update(
            step=10 ** 30)),
        "a step of 1e300": changed(lambda d: d["optimizer"]["state_dict"]["state"]["0"].update(
            step=1e300)),
        "NaN in the optimizer": replaced('"exp_avg": ', '"exp_avg": NaN, "x": '),
        # nesting
        "deep nesting in metadata": replaced('"metadata": {', '"metadata": {"deep": '
                                             + "[" * depth + "]" * depth + ", "),
        "65 levels of nesting": changed(lambda d: d["metadata"].update(
            deep=json.loads("[" * 65 + "]" * 65))),
        "a deep list as the file": b"[" * depth + b"]" * depth,
        # claims the parameters do not back
        "a huge architecture": changed(lambda d: d["architecture"].update(nin=2000,
                                                                          nouts=[2000])),
        "a billion layers claimed": changed(lambda d: d["architecture"].update(
            nouts=[10 ** 9] * 3)),
        "a huge num_parameters": changed(lambda d: d.update(num_parameters=10 ** 18)),
        # wrong structure
        "optimizer is a list": changed(lambda d: d.update(optimizer=[1, 2])),
        "optimizer without class": changed(lambda d: d["optimizer"].pop("class")),
        "optimizer of another class": changed(lambda d: d["optimizer"].update(class_="SGD")
                                              or d["optimizer"].update({"class": "SGD"})),
        "state_dict is a string": changed(lambda d: d["optimizer"].update(state_dict="x")),
        "two param groups": changed(lambda d: d["optimizer"]["state_dict"]["param_groups"]
                                    .append({})),
        "an entry per parameter missing": changed(
            lambda d: d["optimizer"]["state_dict"]["state"].pop("3")),
        "a state index that is not a number": changed(
            lambda d: d["optimizer"]["state_dict"]["state"].update(x={})),
        "scheduler state of another class": changed(
            lambda d: d["scheduler"]["state_dict"].update(gamma=0.5)),
        "inner scheduler missing": changed(
            lambda d: d["scheduler"]["state_dict"]["_schedulers"].pop()),
        "parameters is a list": changed(lambda d: d.update(parameters=[0.0] * 26)),
        "a parameter renamed": changed(lambda d: d["parameters"].update(
            {"zzz": d["parameters"].pop(first)})),
        "a boolean parameter": changed(lambda d: d["parameters"].update({first: True})),
        "architecture is a string": changed(lambda d: d.update(architecture="MLP")),
        "metadata is a list": changed(lambda d: d.update(metadata=[])),
        "version 99": changed(lambda d: d.update(version=99)),
        "not an object": b'"autograd-lite-checkpoint"',
        "empty": b"",
        "invalid UTF-8": good.replace(b"tanh", b"\xff\xfe\xfd\xfc"),
    }


def test_hostile_headers_and_wrong_structure_are_refused_naming_the_file(tmp_path, good_bytes):
    path = tmp_path / "hostile.json"
    for kind, data in edits(good_bytes).items():
        path.write_bytes(data)
        objects = training_objects()
        before = snapshot(*objects)
        with pytest.raises(ValueError) as error:
            nn.load_checkpoint(objects[0], path, optimizer=objects[1], scheduler=objects[2])
        assert str(path) in str(error.value), (kind, str(error.value))
        assert snapshot(*objects) == before, kind
        if kind not in ("optimizer is a list", "optimizer without class",
                        "optimizer of another class", "state_dict is a string",
                        "two param groups", "an entry per parameter missing",
                        "a state index that is not a number", "scheduler state of another class",
                        "inner scheduler missing", "a step of 1e300", "a huge step"):
            with pytest.raises(ValueError, match="checkpoint '.*hostile.json'"):
                nn.load_model(path)


def test_a_179_byte_file_claiming_4_million_parameters_fails_before_building(
        tmp_path, monkeypatch):
    monkeypatch.setattr(Value, "__init__", None)            # allocating one would fail
    path = tmp_path / "claim.json"
    path.write_text('{"format": "autograd-lite-checkpoint", "version": 1, "architecture": '
                    '{"class": "MLP", "nin": 2000, "nouts": [2000]}, "parameters": '
                    '{"layers.0.neurons.0.b": 0.0}}')
    with pytest.raises(ValueError, match=r"which has 4002000 parameters, but holds 1"):
        nn.load_model(path)


def test_a_claimed_architecture_of_the_same_count_but_other_sizes_fails_before_building(
        tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    nn.MLP(3, [4, 2], seed=0).save(path)                    # (3+1)*4 + (4+1)*2 = 26
    document = json.loads(path.read_text())
    document["architecture"].update(nin=5, nouts=[3, 2])    # (5+1)*3 + (3+1)*2 = 26
    path.write_text(json.dumps(document))
    monkeypatch.setattr(nn.MLP, "__init__", None)            # building would fail loudly
    with pytest.raises(ValueError, match="holds parameters such a model has not"):
        nn.load_model(path)


def test_huge_numbers_and_deep_nesting_are_value_errors_not_overflow_or_recursion(tmp_path):
    model = nn.MLP(3, [4, 2], seed=0)
    path = tmp_path / "m.json"
    model.save(path)
    text = path.read_text()
    for bad, message in ((text.replace('"version": 1', '"version": 1e400'), "too large"),
                         (text.replace('"version": 1', '"version": ' + "1" * 5000),
                          "integer of 5000 digits"),
                         (text.replace('"metadata": {}', '"metadata": ' + "[" * 10 ** 5
                                       + "]" * 10 ** 5), "nests")):
        path.write_text(bad)
        with pytest.raises(ValueError, match=message):
            model.load(path)


def test_saving_refuses_metadata_nested_deeper_than_a_checkpoint_may_be(tmp_path):
    deep = json.loads("[" * 70 + "]" * 70)
    with pytest.raises(ValueError, match="nests deeper"):
        nn.MLP(2, [1], seed=0).save(tmp_path / "m.json", metadata={"x": deep})
    assert not (tmp_path / "m.json").exists()


def test_truncated_and_bit_flipped_safetensors_files_are_refused_naming_the_file(tmp_path):
    pytest.importorskip("safetensors")
    model = nn.MLP(3, [4, 2], activation="tanh", seed=0)
    path = tmp_path / "m.safetensors"
    model.save(path)
    good = path.read_bytes()
    rng = random.Random(1)
    cases = [good[:n] for n in range(0, len(good), max(1, len(good) // 60))]
    for _ in range(150):
        data = bytearray(good)
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        cases.append(bytes(data))
    cases.append((2 ** 63).to_bytes(8, "little") + good[8:])      # a header length past the end
    for data in cases:
        assert_refused_or_loaded(tmp_path / "bad.safetensors", data)
