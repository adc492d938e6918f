"""Training resumes to the last bit: 10 steps equal 5 steps, a checkpoint, and
5 more steps in another process, for every optimizer with a schedule.

The first half runs in a subprocess (this file run as a script), so nothing
but the checkpoint file carries the state across.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import nn  # noqa: E402

DATA = [([0.5, -1.0, 2.0], 0), ([-0.25, 0.75, 0.0], 1), ([1.5, 0.5, -0.5], 2),
        ([0.0, -2.0, 1.0], 1), ([2.0, 1.0, 1.0], 0)]


def warmup_then_cosine(opt):
    return nn.SequentialLR(opt, [nn.LinearWarmup(opt, warmup_steps=3, start_factor=0.25),
                                 nn.CosineAnnealingLR(opt, T_max=6, eta_min=1e-3)],
                           milestones=[3])


# name -> (optimizer, schedule); the schedules change the lr at every step
# or across the saving point, so a lost state would show.
SETUPS = {
    "SGD momentum, Nesterov, weight decay + StepLR":
        (lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
         lambda opt: nn.StepLR(opt, step_size=3, gamma=0.5)),
    "SGD momentum with dampening + ExponentialLR":
        (lambda ps: nn.SGD(ps, lr=0.1, momentum=0.8, dampening=0.1),
         lambda opt: nn.ExponentialLR(opt, gamma=0.9)),
    "Adam + cosine":
        (lambda ps: nn.Adam(ps, lr=0.05, weight_decay=1e-3),
         lambda opt: nn.CosineAnnealingLR(opt, T_max=7)),
    "AdamW amsgrad + warm-up then cosine":
        (lambda ps: nn.AdamW(ps, lr=0.05, amsgrad=True), warmup_then_cosine),
    "RMSprop centered with momentum + LinearLR":
        (lambda ps: nn.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, weight_decay=1e-3),
         lambda opt: nn.LinearLR(opt, start_factor=0.5, end_factor=1.0, total_iters=8)),
}


def fresh(name, seed):
    make_optimizer, make_schedule = SETUPS[name]
    model = nn.MLP(3, [4, 3], activation="tanh", seed=seed)
    opt = make_optimizer(model.parameters())
    return model, opt, make_schedule(opt)


def train(model, opt, sched, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.cross_entropy([model(x) for x, _ in DATA], [y for _, y in DATA])
        loss.backward()
        opt.step()
        sched.step()


def fingerprint(model, opt, sched):
    """Every weight's bits, the optimizer's and the schedule's state."""
    return {"weights": [p.data.hex() for p in model.parameters()],
            "optimizer": json.dumps(opt.state_dict(), sort_keys=True),
            "scheduler": json.dumps(sched.state_dict(), sort_keys=True),
            "lr": opt.lr.hex()}


def first_half(name, path):
    """Run in the subprocess: 5 steps from seed 0, then save everything."""
    model, opt, sched = fresh(name, seed=0)
    train(model, opt, sched, 5)
    nn.save_checkpoint(model, path, optimizer=opt, scheduler=sched, metadata={"step": 5})


@pytest.mark.parametrize("name", list(SETUPS))
def test_ten_steps_equal_five_a_checkpoint_in_another_process_and_five_more(tmp_path, name):
    path = tmp_path / "run.json"
    subprocess.run([sys.executable, __file__, name, str(path)], check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONHASHSEED": "0"})
    model, opt, sched = fresh(name, seed=1)          # other weights, a fresh state
    assert nn.load_checkpoint(model, path, optimizer=opt, scheduler=sched) == {"step": 5}
    train(model, opt, sched, 5)

    straight = fresh(name, seed=0)
    train(*straight, 10)
    assert fingerprint(model, opt, sched) == fingerprint(*straight)


def test_the_checkpoint_records_the_optimizer_and_scheduler_class_and_version_2(tmp_path):
    model, opt, sched = fresh("Adam + cosine", seed=0)
    train(model, opt, sched, 2)
    nn.save_checkpoint(model, tmp_path / "run.json", optimizer=opt, scheduler=sched)
    document = json.loads((tmp_path / "run.json").read_text())
    assert document["version"] == 2
    assert document["optimizer"]["class"] == "Adam"
    assert document["scheduler"]["class"] == "CosineAnnealingLR"
    assert document["optimizer"]["state_dict"]["state"]["0"]["step"] == 2
    assert document["scheduler"]["state_dict"]["last_epoch"] == 2


def test_a_model_only_checkpoint_is_still_version_1_so_older_readers_load_it(tmp_path):
    model, _, _ = fresh("Adam + cosine", seed=0)
    nn.save_checkpoint(model, tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["version"] == 1


def test_loading_an_optimizer_from_a_checkpoint_saved_without_one_is_a_value_error(tmp_path):
    model, opt, sched = fresh("Adam + cosine", seed=0)
    nn.save_checkpoint(model, tmp_path / "m.json")
    other, other_opt, _ = fresh("Adam + cosine", seed=1)
    before = fingerprint(other, other_opt, sched)
    with pytest.raises(ValueError, match="holds no optimizer state"):
        nn.load_checkpoint(other, tmp_path / "m.json", optimizer=other_opt)
    assert fingerprint(other, other_opt, sched) == before


def test_loading_into_another_optimizer_class_names_both_and_changes_nothing(tmp_path):
    model, opt, sched = fresh("Adam + cosine", seed=0)
    train(model, opt, sched, 2)
    nn.save_checkpoint(model, tmp_path / "run.json", optimizer=opt, scheduler=sched)
    other, other_opt, other_sched = fresh("SGD momentum with dampening + ExponentialLR", 1)
    before = fingerprint(other, other_opt, other_sched)
    with pytest.raises(ValueError, match="saved from Adam, but the optimizer given is SGD"):
        nn.load_checkpoint(other, tmp_path / "run.json", optimizer=other_opt)
    with pytest.raises(ValueError, match="CosineAnnealingLR, but the scheduler given is Exp"):
        nn.load_checkpoint(other, tmp_path / "run.json", scheduler=other_sched)
    assert fingerprint(other, other_opt, other_sched) == before


def test_a_model_of_other_widths_leaves_the_optimizer_and_scheduler_unchanged(tmp_path):
    model, opt, sched = fresh("Adam + cosine", seed=0)
    train(model, opt, sched, 2)
    nn.save_checkpoint(model, tmp_path / "run.json", optimizer=opt, scheduler=sched)
    wider = nn.MLP(3, [5, 3], activation="tanh", seed=1)
    wider_opt = nn.Adam(wider.parameters(), lr=0.05, weight_decay=1e-3)
    wider_sched = nn.CosineAnnealingLR(wider_opt, T_max=7)
    before = fingerprint(wider, wider_opt, wider_sched)
    with pytest.raises(ValueError, match="different architecture"):
        nn.load_checkpoint(wider, tmp_path / "run.json", optimizer=wider_opt,
                           scheduler=wider_sched)
    assert fingerprint(wider, wider_opt, wider_sched) == before


def test_saving_training_state_into_a_safetensors_file_is_refused(tmp_path):
    model, opt, _ = fresh("Adam + cosine", seed=0)
    with pytest.raises(ValueError, match="holds a model's weights only"):
        nn.save_checkpoint(model, tmp_path / "m.safetensors", optimizer=opt)
    assert not (tmp_path / "m.safetensors").exists()


def test_saving_something_that_is_not_an_optimizer_is_a_type_error(tmp_path):
    model, _, _ = fresh("Adam + cosine", seed=0)
    with pytest.raises(TypeError, match="optimizer must be an nn Optimizer"):
        nn.save_checkpoint(model, tmp_path / "m.json", optimizer={"lr": 0.1})


@pytest.mark.parametrize("keyword, wrong, expected", [
    ("optimizer", object(), "optimizer must be an nn Optimizer .*got object"),
    ("scheduler", {"last_epoch": 3}, "scheduler must be an nn LRScheduler .*got dict"),
])
def test_loading_into_something_that_is_not_an_optimizer_or_scheduler_is_a_type_error(
        tmp_path, keyword, wrong, expected):
    model, opt, sched = fresh("Adam + cosine", seed=0)
    nn.save_checkpoint(model, tmp_path / "run.json", optimizer=opt, scheduler=sched)
    before = [p.data for p in model.parameters()]
    with pytest.raises(TypeError, match=expected):
        nn.load_checkpoint(model, tmp_path / "run.json", **{keyword: wrong})
    assert [p.data for p in model.parameters()] == before


def test_an_optimizer_given_as_the_scheduler_is_refused_by_its_type(tmp_path):
    model, opt, sched = fresh("Adam + cosine", seed=0)
    nn.save_checkpoint(model, tmp_path / "run.json", optimizer=opt, scheduler=sched)
    with pytest.raises(TypeError, match="scheduler must be an nn LRScheduler .*got Adam"):
        nn.load_checkpoint(model, tmp_path / "run.json", scheduler=opt)


if __name__ == "__main__":
    first_half(sys.argv[1], sys.argv[2])


def test_an_optimizer_on_another_models_parameters_is_refused_before_anything_is_set(tmp_path):
    model = nn.MLP(2, [3, 1], seed=0)
    path = tmp_path / "run.json"
    nn.save_checkpoint(model, path, optimizer=nn.SGD(model.parameters(), lr=0.1))
    other = nn.MLP(2, [3, 1], seed=1)
    before = [p.data for p in other.parameters()]
    with pytest.raises(ValueError, match="not on this module's parameters"):
        nn.load_checkpoint(other, path, optimizer=nn.SGD(model.parameters(), lr=0.1))
    assert [p.data for p in other.parameters()] == before
