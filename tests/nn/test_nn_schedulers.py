"""Learning-rate schedules: closed forms by hand, and PyTorch's exact sequences."""

import math
import random
import warnings

import pytest

import nn
from autograd_lite import Value


def optimizer(lr=0.1):
    return nn.SGD([Value(0.0)], lr=lr)


def lr_sequence(opt, scheduler, steps):
    """The lr in force at steps 0..steps (read before each scheduler.step())."""
    lrs = [opt.lr]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(opt.lr)
    return lrs


# ---------------------------------------------------------------------------
# Closed forms (always run)
# ---------------------------------------------------------------------------

def test_step_lr_multiplies_by_gamma_every_step_size_steps():
    opt = optimizer(0.05)
    lrs = lr_sequence(opt, nn.StepLR(opt, step_size=3, gamma=0.1), 9)
    expected = [0.05 * 0.1 ** (t // 3) for t in range(10)]
    assert lrs == pytest.approx(expected, rel=1e-14)


def test_exponential_lr_is_base_times_gamma_to_the_t():
    opt = optimizer(0.2)
    lrs = lr_sequence(opt, nn.ExponentialLR(opt, gamma=0.9), 30)
    assert lrs == pytest.approx([0.2 * 0.9 ** t for t in range(31)], rel=1e-13)


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (7, 0.001), (1, 0.01)])
def test_cosine_annealing_follows_half_a_cosine_down_to_eta_min_and_back(T_max, eta_min):
    opt = optimizer(0.1)
    lrs = lr_sequence(opt, nn.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min), 3 * T_max)
    closed = [eta_min + (0.1 - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
              for t in range(3 * T_max + 1)]
    assert lrs == pytest.approx(closed, abs=1e-14)
    assert lrs[T_max] == pytest.approx(eta_min, abs=1e-15)


def test_cosine_annealing_reaches_exactly_zero_at_t_max():
    opt = optimizer(1.0)
    assert lr_sequence(opt, nn.CosineAnnealingLR(opt, T_max=4), 4)[-1] == 0.0


def test_linear_warmup_rises_linearly_to_the_base_lr_then_stays():
    opt = optimizer(0.1)
    lrs = lr_sequence(opt, nn.LinearWarmup(opt, warmup_steps=4, start_factor=0.2), 6)
    assert lrs == pytest.approx([0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.1], rel=1e-14)


def test_linear_lr_can_also_decay_linearly():
    opt = optimizer(1.0)
    lrs = lr_sequence(opt, nn.LinearLR(opt, start_factor=1.0, end_factor=0.5,
                                       total_iters=5), 6)
    assert lrs == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5], rel=1e-14)


def test_warmup_then_cosine_switches_at_the_milestone():
    opt = optimizer(1.0)
    warm = nn.LinearWarmup(opt, warmup_steps=4, start_factor=0.25)
    cosine = nn.CosineAnnealingLR(opt, T_max=4)
    lrs = lr_sequence(opt, nn.SequentialLR(opt, [warm, cosine], milestones=[4]), 8)
    expected = [0.25, 0.4375, 0.625, 0.8125] + \
        [(1 + math.cos(math.pi * t / 4)) / 2 for t in range(5)]
    assert lrs == pytest.approx(expected, abs=1e-14)


def test_the_scheduled_lr_is_the_one_the_optimizer_steps_with():
    w = Value(0.0)
    opt = nn.SGD([w], lr=1.0)
    sched = nn.StepLR(opt, step_size=1, gamma=0.5)
    moves = []
    for _ in range(3):
        before = w.data
        w.grad = 1.0
        opt.step()
        sched.step()
        moves.append(before - w.data)
    assert moves == [1.0, 0.5, 0.25]


def test_get_last_lr_returns_the_current_lr_in_a_list_as_pytorch():
    opt = optimizer(0.1)
    sched = nn.ExponentialLR(opt, gamma=0.5)
    sched.step()
    assert sched.get_last_lr() == [0.05] and opt.lr == 0.05


@pytest.mark.parametrize("make, error, message", [
    (lambda o: nn.StepLR(o, step_size=0), ValueError, "step_size must be a positive int"),
    (lambda o: nn.StepLR(o, step_size=2.5), ValueError, "step_size must be a positive int"),
    (lambda o: nn.ExponentialLR(o, gamma="0.9"), TypeError,
     "ExponentialLR: gamma must be a number, got str '0.9'"),
    (lambda o: nn.ExponentialLR(o, gamma=math.inf), ValueError,
     "ExponentialLR: gamma must be finite, got inf"),
    (lambda o: nn.StepLR(o, 2, gamma=-0.5), ValueError,
     "StepLR: gamma must be >= 0, got -0.5; a negative factor would make the learning rate"),
    (lambda o: nn.LinearLR(o, start_factor=None), TypeError,
     "LinearLR: start_factor must be a number, got NoneType"),
    (lambda o: nn.CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be a positive int"),
    (lambda o: nn.CosineAnnealingLR(o, T_max=5, eta_min=-1), ValueError, "eta_min must be >= 0"),
    (lambda o: nn.LinearLR(o, start_factor=0.0), ValueError, r"start_factor must be in \(0, 1\]"),
    (lambda o: nn.LinearLR(o, end_factor=1.5), ValueError, r"end_factor must be in \[0, 1\]"),
    (lambda o: nn.LinearWarmup(o, warmup_steps=0), ValueError, "total_iters must be a positive"),
    (lambda o: nn.StepLR("optimizer", step_size=2), TypeError, "expected an optimizer"),
    (lambda o: nn.SequentialLR("optimizer", [nn.StepLR(o, 2)], []), TypeError,
     "SequentialLR: expected an optimizer"),
    (lambda o: nn.SequentialLR(o, [nn.StepLR(o, 2), nn.StepLR(o, 3)], [2, 3]), ValueError,
     "2 schedulers need 1 milestones, got 2"),
    (lambda o: nn.SequentialLR(o, [nn.StepLR(optimizer(), 2)], []), ValueError,
     "different optimizer"),
    (lambda o: nn.SequentialLR(o, [], []), ValueError, "at least one scheduler"),
])
def test_bad_scheduler_arguments_are_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(optimizer())


# ---------------------------------------------------------------------------
# PyTorch: the same floats, step after step
# ---------------------------------------------------------------------------

def _schedules(torch):
    S = torch.optim.lr_scheduler
    return {
        "StepLR": (lambda o: nn.StepLR(o, 7, 0.5), lambda t: S.StepLR(t, 7, 0.5)),
        "ExponentialLR": (lambda o: nn.ExponentialLR(o, 0.93),
                          lambda t: S.ExponentialLR(t, 0.93)),
        "CosineAnnealingLR": (lambda o: nn.CosineAnnealingLR(o, 10, 0.001),
                              lambda t: S.CosineAnnealingLR(t, 10, 0.001)),
        "CosineAnnealingLR-odd": (lambda o: nn.CosineAnnealingLR(o, 7),
                                  lambda t: S.CosineAnnealingLR(t, 7)),
        "LinearLR-up": (lambda o: nn.LinearLR(o, 0.1, 1.0, 8),
                        lambda t: S.LinearLR(t, 0.1, 1.0, 8)),
        "LinearLR-down": (lambda o: nn.LinearLR(o, 1.0, 0.2, 8),
                          lambda t: S.LinearLR(t, 1.0, 0.2, 8)),
        "LinearWarmup": (lambda o: nn.LinearWarmup(o, 10),
                         lambda t: S.LinearLR(t, 0.1, 1.0, 10)),
        "warmup+cosine": (
            lambda o: nn.SequentialLR(o, [nn.LinearWarmup(o, 5), nn.CosineAnnealingLR(o, 20)],
                                      [5]),
            lambda t: S.SequentialLR(t, [S.LinearLR(t, 0.1, 1.0, 5), S.CosineAnnealingLR(t, 20)],
                                     [5])),
        "warmup+step+exponential": (
            lambda o: nn.SequentialLR(o, [nn.LinearWarmup(o, 5), nn.StepLR(o, 4, 0.5),
                                          nn.ExponentialLR(o, 0.9)], [5, 15]),
            lambda t: S.SequentialLR(t, [S.LinearLR(t, 0.1, 1.0, 5), S.StepLR(t, 4, 0.5),
                                         S.ExponentialLR(t, 0.9)], [5, 15])),
    }


SCHEDULE_NAMES = ["StepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingLR-odd",
                  "LinearLR-up", "LinearLR-down", "LinearWarmup", "warmup+cosine",
                  "warmup+step+exponential"]


@pytest.mark.parametrize("name", SCHEDULE_NAMES)
def test_lr_sequence_equals_pytorchs_for_45_steps(name):
    torch = pytest.importorskip("torch")
    make_ours, make_theirs = _schedules(torch)[name]
    ours = optimizer(0.1)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    ours_sched = make_ours(ours)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # torch's "step order" hints
        their_sched = make_theirs(theirs)
        expected = [theirs.param_groups[0]["lr"]]
        for _ in range(45):
            theirs.step()
            their_sched.step()
            expected.append(theirs.param_groups[0]["lr"])
    assert lr_sequence(ours, ours_sched, 45) == expected       # the same floats
    assert ours_sched.get_last_lr() == their_sched.get_last_lr()


def test_a_hand_set_lr_carries_forward_as_in_pytorch():
    torch = pytest.importorskip("torch")
    ours = optimizer(0.1)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    ours_sched = nn.CosineAnnealingLR(ours, T_max=12)
    their_sched = torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=12)
    got, expected = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for step in range(20):
            if step == 5:
                ours.lr = 0.5
                theirs.param_groups[0]["lr"] = 0.5
            ours.step()
            ours_sched.step()
            theirs.step()
            their_sched.step()
            got.append(ours.lr)
            expected.append(theirs.param_groups[0]["lr"])
    assert got == expected


# ---------------------------------------------------------------------------
# Schedules that reach 0, and steps the optimizer refuses
# ---------------------------------------------------------------------------

def test_linear_lr_decaying_to_zero_ends_at_exactly_zero_and_sgd_takes_it():
    opt = nn.SGD([Value(0.0)], lr=0.1)
    sched = nn.LinearLR(opt, start_factor=1 / 3, end_factor=0.0, total_iters=4)
    lrs = lr_sequence(opt, sched, 6)
    assert lrs[4:] == [0.0, 0.0, 0.0] and sched.last_epoch == 6
    assert all(lr >= 0 for lr in lrs)


def _random_schedule(rng, torch, sequential=True):
    """(ours, theirs) makers for a random schedule, zero ends and edges included."""
    S = torch.optim.lr_scheduler
    kind = rng.choice(["step", "exp", "cos", "linear"] + (["sequential"] if sequential else []))
    if kind == "step":
        size, gamma = rng.randint(1, 5), rng.choice([0.0, 0.1, 0.5, 0.93, 1.0, 1.5])
        return (lambda o: nn.StepLR(o, size, gamma), lambda t: S.StepLR(t, size, gamma))
    if kind == "exp":
        gamma = rng.choice([0.0, 0.3, 0.9, 0.999, 1.0, 1.1])
        return (lambda o: nn.ExponentialLR(o, gamma), lambda t: S.ExponentialLR(t, gamma))
    if kind == "cos":
        T, eta = rng.randint(1, 9), rng.choice([0.0, 0.0, 1e-3, 0.05, 0.2])
        return (lambda o: nn.CosineAnnealingLR(o, T, eta),
                lambda t: S.CosineAnnealingLR(t, T, eta))
    if kind == "linear":
        start = rng.choice([1 / 3, 0.1, 0.25, 0.5, 0.7, 1.0, rng.uniform(0.01, 1.0)])
        end = rng.choice([0.0, 0.0, 1.0, 0.2, 1 / 3, rng.uniform(0.0, 1.0)])
        n = rng.randint(1, 9)
        return (lambda o: nn.LinearLR(o, start, end, n), lambda t: S.LinearLR(t, start, end, n))
    (ours_1, theirs_1), (ours_2, theirs_2) = (_random_schedule(rng, torch, False)
                                              for _ in range(2))
    milestone = rng.randint(1, 8)
    return (lambda o: nn.SequentialLR(o, [ours_1(o), ours_2(o)], [milestone]),
            lambda t: S.SequentialLR(t, [theirs_1(t), theirs_2(t)], [milestone]))


@pytest.mark.parametrize("seed", range(150))
def test_every_schedule_follows_torchs_whole_sequence_and_never_goes_below_zero(seed):
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    make_ours, make_theirs = _random_schedule(rng, torch)
    lr = rng.choice([0.1, 1.0, 3e-4])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
        their_sched = make_theirs(theirs)
        expected = [theirs.param_groups[0]["lr"]]
        for _ in range(30):
            theirs.step()
            their_sched.step()
            expected.append(theirs.param_groups[0]["lr"])
    ours = nn.SGD([Value(0.0)], lr=lr)
    got = lr_sequence(ours, make_ours(ours), 30)         # the optimizer refuses nothing
    # the same floats, except that torch's rounding below 0 is the exact 0.0
    assert got == [max(0.0, x) for x in expected]
    assert min(expected) > -1e-15                        # only rounding is clamped


def test_a_step_the_optimizer_refuses_leaves_scheduler_and_optimizer_as_they_were():
    opt = nn.SGD([Value(0.0)], lr=1.0)
    sched = nn.ExponentialLR(opt, gamma=1e100)
    for _ in range(3):
        sched.step()                                      # up to lr 1e300
    state = (sched.last_epoch, sched.get_last_lr(), opt.lr)
    for _ in range(2):                                    # 1e400 is inf: refused, twice
        with pytest.raises(ValueError, match=r"ExponentialLR: step 4 cannot set the "
                                             r"learning rate .*must be finite, got inf.*"
                                             r"stays at step 3"):
            sched.step()
        assert (sched.last_epoch, sched.get_last_lr(), opt.lr) == state


def test_a_sequential_step_the_optimizer_refuses_moves_nothing():
    opt = nn.SGD([Value(0.0)], lr=1.0)
    grow = nn.ExponentialLR(opt, gamma=1e160)
    sched = nn.SequentialLR(opt, [nn.StepLR(opt, 1, 1.0), grow], milestones=[1])
    for _ in range(2):
        sched.step()                                      # the milestone, then 1e160
    state = (sched.last_epoch, grow.last_epoch, sched._last_lr, opt.lr)
    with pytest.raises(ValueError, match="ExponentialLR: step 2 cannot set"):
        sched.step()
    assert (sched.last_epoch, grow.last_epoch, sched._last_lr, opt.lr) == state


@pytest.mark.parametrize("make", [lambda o: nn.StepLR(o, 2, gamma=-0.5),
                                  lambda o: nn.ExponentialLR(o, gamma=-1.0)])
def test_a_negative_gamma_is_refused_when_the_scheduler_is_made(make):
    with pytest.raises(ValueError, match="gamma must be >= 0, got -.*negative"):
        make(optimizer())


def test_a_scheduler_subclass_flag_loads_only_as_true_or_false_as_an_optimizers_does():
    class FlaggedStepLR(nn.StepLR):
        def __init__(self, optimizer, step_size, restart=False):
            self.restart = restart
            super().__init__(optimizer, step_size)

    sched = FlaggedStepLR(nn.SGD([Value(0.0)], lr=1.0), step_size=2)
    state = sched.state_dict()
    for wrong in (1, "yes", None):
        with pytest.raises(ValueError, match=r"FlaggedStepLR.load_state_dict: restart must "
                                             r"be True or False, got"):
            sched.load_state_dict({**state, "restart": wrong})
        assert sched.restart is False
    sched.load_state_dict({**state, "restart": True})
    assert sched.restart is True


def test_a_state_with_many_unexpected_keys_names_the_first_six_as_an_optimizers_does():
    extra = {f"setting_{i}": 0 for i in range(9)}
    sched = nn.StepLR(optimizer(), step_size=2)
    opt = optimizer()
    group_state = opt.state_dict()
    group_state["param_groups"][0].update(extra)
    expected = "['setting_0', 'setting_1', 'setting_2', 'setting_3', 'setting_4', 'setting_5', ...]"
    for load, state in ((sched.load_state_dict, {**sched.state_dict(), **extra}),
                        (opt.load_state_dict, group_state)):
        with pytest.raises(ValueError) as info:
            load(state)
        assert f"{expected}, which" in str(info.value)
