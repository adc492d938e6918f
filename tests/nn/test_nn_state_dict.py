"""Optimizer and scheduler state_dict / load_state_dict: torch.optim's layout,
plain JSON data, and every mismatch refused before anything changes."""

import copy
import json

import pytest

import nn
from autograd_lite import Value

OPTIMIZERS = {
    "SGD": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": lambda ps: nn.Adam(ps, lr=0.1, amsgrad=True),
    "AdamW": lambda ps: nn.AdamW(ps, lr=0.1),
    "RMSprop": lambda ps: nn.RMSprop(ps, lr=0.1, momentum=0.5, centered=True),
}


def stepped(name, n=3, steps=2):
    params = [Value(0.5 * (i + 1)) for i in range(n)]
    opt = OPTIMIZERS[name](params)
    for step in range(steps):
        for i, p in enumerate(params):
            p.grad = (-1.0) ** (i + step) * (i + 1.5)
        opt.step()
    return opt


def snapshot(opt):
    return json.dumps(opt.state_dict(), sort_keys=True), opt.lr, opt.steps


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_an_optimizer_state_survives_json_and_loads_into_a_fresh_optimizer(name):
    opt = stepped(name)
    text = json.dumps(opt.state_dict(), allow_nan=False)
    other = OPTIMIZERS[name]([Value(0.0) for _ in range(3)])
    other.lr = 0.7
    other.load_state_dict(json.loads(text))
    assert other.state_dict() == opt.state_dict()
    assert other.lr == opt.lr and other.steps == opt.steps == 2


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_state_dict_shares_no_list_with_the_optimizer(name):
    opt = stepped(name)
    state = opt.state_dict()
    before = copy.deepcopy(state)
    loaded = OPTIMIZERS[name]([Value(0.0) for _ in range(3)])
    loaded.load_state_dict(state)
    state["state"][0]["step"] = 99
    state["param_groups"][0]["params"].append(3)
    assert opt.state_dict() == before == loaded.state_dict()


def test_the_state_is_empty_before_the_first_step_as_in_torch():
    opt = nn.Adam([Value(1.0)], lr=0.1)
    assert opt.state_dict()["state"] == {}
    stepped_opt = stepped("Adam", n=1)
    stepped_opt.load_state_dict(opt.state_dict())
    assert stepped_opt.steps == 0 and stepped_opt.exp_avg == [0.0]


def test_sgd_momentum_state_names_the_buffer_as_torch_does():
    opt = stepped("SGD", n=1, steps=1)
    assert opt.state_dict() == {
        "state": {0: {"step": 1, "momentum_buffer": opt.momentum_buffer[0]}},
        "param_groups": [{"lr": 0.1, "momentum": 0.9, "dampening": 0.0,
                          "weight_decay": 0.01, "nesterov": True, "maximize": False,
                          "params": [0]}]}


def test_a_scheduler_records_initial_lr_in_the_group_and_it_is_restored():
    opt = stepped("Adam")
    nn.StepLR(opt, step_size=2)
    group = opt.state_dict()["param_groups"][0]
    assert group["initial_lr"] == 0.1
    other = OPTIMIZERS["Adam"]([Value(0.0) for _ in range(3)])
    other.load_state_dict(opt.state_dict())
    assert other.initial_lr == 0.1


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_state_keys_and_settings_are_torch_optims(name):
    torch = pytest.importorskip("torch")
    ours = stepped(name, n=1).state_dict()
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    kwargs = {"SGD": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
              "Adam": dict(lr=0.1, amsgrad=True), "AdamW": dict(lr=0.1),
              "RMSprop": dict(lr=0.1, momentum=0.5, centered=True)}[name]
    theirs_opt = getattr(torch.optim, name)([w], **kwargs)
    w.grad = torch.ones(1, dtype=torch.float64)
    theirs_opt.step()
    theirs = theirs_opt.state_dict()
    assert set(ours["state"][0]) - {"step"} == set(theirs["state"][0]) - {"step"}
    assert set(ours["param_groups"][0]) <= set(theirs["param_groups"][0])
    for key, value in ours["param_groups"][0].items():
        assert theirs["param_groups"][0][key] == value, key


# ---- refusals: ValueError naming what differs, optimizer unchanged ----------------

def bad_states():
    good = stepped("Adam").state_dict()

    def edit(change):
        state = copy.deepcopy(good)
        change(state)
        return state

    def pop(key):
        return lambda s: s["state"][1].pop(key)

    return {
        "another number of parameters": (stepped("Adam", n=4).state_dict(),
                                         "the state is for 4 parameters, this optimizer has 3"),
        "another class": (stepped("RMSprop").state_dict(), "was not saved from Adam"),
        "AdamW's state in an Adam": (stepped("AdamW").state_dict(), "saved from AdamW"),
        "a missing buffer": (edit(pop("exp_avg")), r"state\[1\] must have the keys.*missing"),
        "an extra buffer": (edit(lambda s: s["state"][0].update(momentum_buffer=0.0)),
                            "unexpected"),
        "a missing entry": (edit(lambda s: s["state"].pop(2)), "entries for 2 of the 3"),
        "an entry past the end": (edit(lambda s: s["state"].update({7: s["state"][0]})),
                                  "entry for parameter 7"),
        "steps that disagree": (edit(lambda s: s["state"][2].update(step=5)),
                                "every parameter steps together"),
        "a string buffer": (edit(lambda s: s["state"][0].update(exp_avg="0.1")),
                            "must be a number"),
        "a bool buffer": (edit(lambda s: s["state"][0].update(exp_avg=True)),
                          r"state\[0\]\['exp_avg'\] must be a number, got bool"),
        "a nan buffer": (edit(lambda s: s["state"][1].update(exp_avg=float("nan"))),
                         r"state\[1\]\['exp_avg'\] must be finite, got nan"),
        "an infinite buffer": (edit(lambda s: s["state"][1].update(max_exp_avg_sq=float("inf"))),
                               r"state\[1\]\['max_exp_avg_sq'\] must be finite, got inf"),
        "a buffer too large for a float": (edit(lambda s: s["state"][2].update(exp_avg=10**400)),
                                           r"state\[2\]\['exp_avg'\] must be finite"),
        "a float step": (edit(lambda s: [e.update(step=2.0) for e in s["state"].values()]),
                         r"state\[0\]\['step'\] must be an int, got float 2.0"),
        "betas out of range": (edit(lambda s: s["param_groups"][0].update(betas=[1.5, 0.9])),
                               r"betas\[0\] must be in \[0, 1\)"),
        "a negative lr": (edit(lambda s: s["param_groups"][0].update(lr=-1.0)),
                          "lr must be >= 0"),
        "a string lr": (edit(lambda s: s["param_groups"][0].update(lr="x")),
                        "lr must be a number, got str 'x'"),
        "a string initial_lr": (edit(lambda s: s["param_groups"][0].update(initial_lr="x")),
                                "initial_lr must be a number, got str 'x'"),
        "a string eps": (edit(lambda s: s["param_groups"][0].update(eps="x")),
                         "eps must be a number, got str 'x'"),
        "a bool as a string": (edit(lambda s: s["param_groups"][0].update(amsgrad="yes")),
                               "amsgrad must be True or False"),
        "no param_groups": (edit(lambda s: s.pop("param_groups")), "missing.*param_groups"),
        "two groups": (edit(lambda s: s["param_groups"].append(s["param_groups"][0])),
                       "a list of one group"),
    }


@pytest.mark.parametrize("kind", list(bad_states()))
def test_a_state_that_does_not_fit_is_a_value_error_naming_it_and_changes_nothing(kind):
    state, message = bad_states()[kind]
    opt = stepped("Adam", steps=1)
    before = snapshot(opt)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state)
    assert snapshot(opt) == before


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_an_optimizer_state_of_numpy_scalars_loads_as_the_same_floats(name):
    # What numpy (and safetensors) give: float32, int64 and 0-d arrays; all were refused.
    np = pytest.importorskip("numpy")
    state = stepped(name).state_dict()
    kinds = [np.float32, np.float64, np.array]         # one per parameter
    as_numpy = copy.deepcopy(state)
    for i, entry in as_numpy["state"].items():
        for key, value in entry.items():
            entry[key] = np.int64(value) if key == "step" else kinds[i](value)
    opt = OPTIMIZERS[name]([Value(0.0) for _ in range(3)])
    opt.load_state_dict(as_numpy)
    loaded = opt.state_dict()["state"]
    assert loaded == {i: {key: value if key == "step" else float(kinds[i](value))
                          for key, value in entry.items()}
                      for i, entry in state["state"].items()}
    assert type(opt.steps) is int and loaded[1] == state["state"][1]
    assert {type(v) for entry in loaded.values() for v in entry.values()} == {int, float}


def test_a_state_that_is_not_a_mapping_is_a_type_error():
    with pytest.raises(TypeError, match="expected a mapping"):
        stepped("SGD").load_state_dict([1, 2])


# ---- schedulers -------------------------------------------------------------------

def test_a_scheduler_state_is_its_attributes_but_the_optimizer():
    opt = nn.SGD([Value(0.0)], lr=1.0)
    sched = nn.StepLR(opt, step_size=2, gamma=0.5)
    sched.step()
    sched.step()
    assert sched.state_dict() == {"step_size": 2, "gamma": 0.5, "base_lr": 1.0,
                                  "last_epoch": 2, "_last_lr": 0.5}


def test_a_sequential_schedule_resumes_with_each_schedule_where_it_was():
    def build():
        opt = nn.SGD([Value(0.0)], lr=1.0)
        return opt, nn.SequentialLR(opt, [nn.LinearWarmup(opt, warmup_steps=3),
                                          nn.CosineAnnealingLR(opt, T_max=5)], milestones=[3])
    opt, sched = build()
    for _ in range(4):
        sched.step()
    resumed_opt, resumed = build()
    resumed.load_state_dict(json.loads(json.dumps(sched.state_dict())))
    resumed_opt.load_state_dict(json.loads(json.dumps(opt.state_dict())))
    lrs, resumed_lrs = [], []
    for _ in range(6):
        sched.step()
        resumed.step()
        lrs.append(opt.lr)
        resumed_lrs.append(resumed_opt.lr)
    assert resumed_lrs == lrs


@pytest.mark.parametrize("state, message", [
    ({"gamma": 0.5}, "not saved from StepLR.*lacks"),
    ({"step_size": 0, "gamma": 0.5, "base_lr": 1.0, "last_epoch": 2, "_last_lr": 0.5},
     "step_size must be >= 1"),
    ({"step_size": 2, "gamma": "0.5", "base_lr": 1.0, "last_epoch": 2, "_last_lr": 0.5},
     "gamma must be a number"),
    ({"step_size": 2.0, "gamma": 0.5, "base_lr": 1.0, "last_epoch": 2, "_last_lr": 0.5},
     "step_size must be an int"),
    ({"step_size": 2, "gamma": 0.5, "base_lr": 1.0, "last_epoch": -3, "_last_lr": 0.5},
     "last_epoch must be >= -1"),
    ({"step_size": 2, "gamma": 10 ** 400, "base_lr": 1.0, "last_epoch": 2, "_last_lr": 0.5},
     "gamma must be finite, got int too large for a float"),
    ({"step_size": 2, "gamma": 0.5, "base_lr": 1.0, "last_epoch": 2, "_last_lr": True},
     "_last_lr must be a number, got bool"),
    ({"step_size": 2, "gamma": 0.5, "base_lr": 1.0, "last_epoch": 2, "_last_lr": float("nan")},
     "_last_lr must be finite, got nan"),
    ({"step_size": 2, "gamma": 0.5, "base_lr": 1.0, "last_epoch": 2, "_last_lr": 0.5,
      "T_max": 3}, "which StepLR has not"),
])
def test_a_scheduler_state_that_does_not_fit_is_refused_and_changes_nothing(state, message):
    sched = nn.StepLR(nn.SGD([Value(0.0)], lr=1.0), step_size=3)
    before = sched.state_dict()
    with pytest.raises(ValueError, match=message):
        sched.load_state_dict(state)
    assert sched.state_dict() == before


def test_a_scheduler_state_of_numpy_scalars_loads_as_python_numbers():
    # int64 for the ints, float32 and 0-d arrays for the floats: all were refused.
    np = pytest.importorskip("numpy")
    sched = nn.StepLR(nn.SGD([Value(0.0)], lr=1.0), step_size=3)
    sched.load_state_dict({"step_size": np.int64(2), "gamma": np.float32(0.5),
                           "base_lr": np.array(1.0), "last_epoch": np.int32(2),
                           "_last_lr": np.float64(0.5)})
    state = sched.state_dict()
    assert state == {"step_size": 2, "gamma": 0.5, "base_lr": 1.0, "last_epoch": 2,
                     "_last_lr": 0.5}
    assert [type(state[key]) for key in state] == [int, float, float, int, float]


def test_a_sequential_schedule_refuses_a_bad_inner_state_and_changes_no_schedule():
    opt = nn.SGD([Value(0.0)], lr=1.0)
    warm, cos = nn.LinearWarmup(opt, warmup_steps=3), nn.CosineAnnealingLR(opt, T_max=5)
    sched = nn.SequentialLR(opt, [warm, cos], milestones=[3])
    state = sched.state_dict()
    state["last_epoch"] = 4
    state["_schedulers"][0]["last_epoch"] = 3
    state["_schedulers"][1]["eta_min"] = -1.0
    before = (sched.state_dict(), warm.state_dict(), cos.state_dict())
    with pytest.raises(ValueError, match=r"_schedulers\[1\].*eta_min must be >= 0"):
        sched.load_state_dict(state)
    assert (sched.state_dict(), warm.state_dict(), cos.state_dict()) == before


def test_a_scheduler_state_the_constructor_would_refuse_is_refused_and_nothing_changes():
    scheduler = nn.ExponentialLR(nn.SGD([Value(0.0)], lr=0.1), gamma=0.5)
    state = scheduler.state_dict()
    state["gamma"] = -2.0
    with pytest.raises(ValueError, match="gamma must be >= 0, got -2.0"):
        scheduler.load_state_dict(state)
    assert scheduler.gamma == 0.5
