"""Optimizers: hand-derived steps, PyTorch trajectories, argument checks, XOR."""

import inspect
import math

import pytest

import nn
from autograd_lite import Value


def bowl(w):
    """w0^2 + 3 w1^2: gradient [2 w0, 6 w1]."""
    return w[0] ** 2 + 3 * w[1] ** 2


def set_grads(params, grads):
    for p, g in zip(params, grads):
        p.grad = g


# ---------------------------------------------------------------------------
# Hand-derived steps (always run)
# ---------------------------------------------------------------------------

def test_one_gradient_descent_step_on_the_bowl_from_4_2_with_lr_0_1_gives_3_2_0_8():
    w = [Value(4.0), Value(2.0)]
    opt = nn.SGD(w, lr=0.1)
    bowl(w).backward()
    assert [p.grad for p in w] == [8.0, 12.0]
    opt.step()
    assert [p.data for p in w] == pytest.approx([3.2, 0.8], abs=1e-15)


def test_one_momentum_step_from_v_1_minus_half_with_g_0_2_and_2_gives_v_1_1_and_1_55():
    w = [Value(0.0), Value(0.0)]
    opt = nn.SGD(w, lr=0.1, momentum=0.9)
    set_grads(w, [1.0, -0.5])
    opt.step()                       # first step: the buffer starts as the gradient
    assert opt.momentum_buffer == [1.0, -0.5]
    before = [p.data for p in w]
    set_grads(w, [0.2, 2.0])
    opt.step()                       # v = 0.9 v + g
    assert opt.momentum_buffer == pytest.approx([1.1, 1.55], abs=1e-15)
    # w = w - lr * v
    assert [p.data - b for p, b in zip(w, before)] == pytest.approx([-0.11, -0.155], abs=1e-15)


def test_nesterov_steps_along_the_gradient_plus_momentum_times_the_new_buffer():
    w = [Value(0.0)]
    opt = nn.SGD(w, lr=0.5, momentum=0.5, nesterov=True)
    set_grads(w, [2.0])
    opt.step()                       # buf = 2; step = g + 0.5 * buf = 3
    assert w[0].data == -1.5
    set_grads(w, [1.0])
    opt.step()                       # buf = 0.5 * 2 + 1 = 2; step = 1 + 1 = 2
    assert w[0].data == -2.5


def test_weight_decay_adds_decay_times_the_weight_to_the_gradient():
    w = [Value(2.0)]
    opt = nn.SGD(w, lr=0.1, weight_decay=0.5)
    set_grads(w, [1.0])
    opt.step()                       # 2 - 0.1 * (1 + 0.5 * 2)
    assert w[0].data == pytest.approx(1.8, abs=1e-15)


def test_adam_first_step_moves_each_parameter_by_lr_against_its_gradient_sign():
    # t = 1: m-hat = g and v-hat = g^2, so the step is lr * g / (|g| + eps)
    w = [Value(1.0), Value(1.0), Value(1.0)]
    opt = nn.Adam(w, lr=0.01)
    set_grads(w, [1e3, -2.0, 1e-3])
    opt.step()
    expected = [1 - 0.01 * 1e3 / (1e3 + 1e-8), 1 + 0.01 * 2 / (2 + 1e-8),
                1 - 0.01 * 1e-3 / (1e-3 + 1e-8)]
    assert [p.data for p in w] == pytest.approx(expected, abs=1e-15)


def test_adam_second_step_uses_bias_corrected_moments():
    w = [Value(0.0)]
    b1, b2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    opt = nn.Adam(w, lr=lr, betas=(b1, b2), eps=eps)
    for g in (1.0, 3.0):
        set_grads(w, [g])
        opt.step()
    m = (1 - b1) * (b1 * 1.0 + 3.0)
    v = (1 - b2) * (b2 * 1.0 + 9.0)
    m_hat, v_hat = m / (1 - b1 ** 2), v / (1 - b2 ** 2)
    expected = -lr * 1.0 / (1 + eps) - lr * m_hat / (math.sqrt(v_hat) + eps)
    assert w[0].data == pytest.approx(expected, abs=1e-12)


def test_adamw_decays_the_weight_directly_while_adam_adds_it_to_the_gradient():
    a, b = [Value(1.0)], [Value(1.0)]
    adamw = nn.AdamW(a, lr=0.1, weight_decay=0.5)
    adam = nn.Adam(b, lr=0.1, weight_decay=0.5)
    set_grads(a, [0.0])
    set_grads(b, [0.0])
    adamw.step()
    adam.step()
    assert a[0].data == pytest.approx(0.95, abs=1e-15)     # 1 * (1 - 0.1 * 0.5)
    assert b[0].data == pytest.approx(1 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)   # g = 0.5


def test_adamw_default_weight_decay_is_pytorchs_1e_2():
    assert nn.AdamW([Value(0.0)]).weight_decay == 0.01
    assert nn.Adam([Value(0.0)]).weight_decay == 0.0


def test_rmsprop_divides_the_gradient_by_the_root_mean_square():
    w = [Value(1.0)]
    opt = nn.RMSprop(w, lr=0.01, alpha=0.75, eps=0.0)
    set_grads(w, [2.0])
    opt.step()                       # s = 0.25 * 4 = 1; step = 0.01 * 2 / 1
    assert w[0].data == pytest.approx(0.98, abs=1e-15)
    set_grads(w, [2.0])
    opt.step()                       # s = 0.75 + 1 = 1.75
    assert w[0].data == pytest.approx(0.98 - 0.02 / math.sqrt(1.75), abs=1e-15)


def test_defaults_are_pytorchs():
    p = [Value(0.0)]
    assert nn.SGD(p).lr == 1e-3
    adam = nn.Adam(p)
    assert (adam.lr, adam.betas, adam.eps) == (1e-3, (0.9, 0.999), 1e-8)
    rms = nn.RMSprop(p)
    assert (rms.lr, rms.alpha, rms.eps, rms.momentum, rms.centered) == \
        (1e-2, 0.99, 1e-8, 0.0, False)


def test_lr_can_be_set_between_steps_and_is_used_by_the_next_step():
    w = [Value(1.0)]
    opt = nn.SGD(w, lr=0.1)
    opt.lr = 0.5
    set_grads(w, [1.0])
    opt.step()
    assert w[0].data == 0.5
    with pytest.raises(ValueError, match="lr must be >= 0"):
        opt.lr = -1.0


def test_zero_grad_resets_every_gradient():
    w = [Value(1.0), Value(2.0)]
    opt = nn.Adam(w)
    bowl(w).backward()
    opt.zero_grad()
    assert [p.grad for p in w] == [0.0, 0.0]


def test_maximize_climbs_the_gradient():
    w = [Value(1.0)]
    opt = nn.SGD(w, lr=0.1, maximize=True)
    set_grads(w, [2.0])
    opt.step()
    assert w[0].data == pytest.approx(1.2)


def test_gradients_that_are_values_from_create_graph_are_read_by_their_data():
    x = Value(3.0)
    (x ** 2).backward(create_graph=True)
    assert isinstance(x.grad, Value)
    nn.SGD([x], lr=0.5).step()
    assert x.data == 0.0


# ---------------------------------------------------------------------------
# Bad arguments
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("make, error, message", [
    (lambda p: nn.SGD(p, lr=0.0), ValueError, "lr must be > 0"),
    (lambda p: nn.Adam(p, lr=-1e-3), ValueError, "lr must be > 0"),
    (lambda p: nn.SGD(p, lr=float("nan")), ValueError, "lr must be finite"),
    (lambda p: nn.SGD(p, lr="0.1"), TypeError, "lr must be a number"),
    (lambda p: nn.SGD(p, lr=10 ** 400), ValueError, "lr must be finite, got int too large"),
    (lambda p: nn.SGD(p, lr=0.1, momentum=-0.9), ValueError, "momentum must be >= 0"),
    (lambda p: nn.SGD(p, lr=0.1, nesterov=True), ValueError, "Nesterov momentum needs"),
    (lambda p: nn.SGD(p, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be >= 0"),
    (lambda p: nn.Adam(p, betas=(1.0, 0.999)), ValueError, r"betas\[0\] must be in \[0, 1\)"),
    (lambda p: nn.Adam(p, betas=(0.9, -0.1)), ValueError, r"betas\[1\] must be in \[0, 1\)"),
    (lambda p: nn.AdamW(p, betas=(0.9,)), ValueError, "betas must be a pair"),
    (lambda p: nn.Adam(p, eps=-1e-8), ValueError, "eps must be >= 0"),
    (lambda p: nn.RMSprop(p, alpha=1.0), ValueError, r"alpha must be in \[0, 1\)"),
    (lambda p: nn.RMSprop(p, momentum=-0.1), ValueError, "momentum must be >= 0"),
])
def test_bad_hyperparameters_are_rejected_at_construction(make, error, message):
    with pytest.raises(error, match=message):
        make([Value(1.0)])


@pytest.mark.parametrize("optimizer", [nn.SGD, nn.Adam, nn.AdamW, nn.RMSprop])
def test_the_settings_shown_and_saved_are_the_constructors_arguments(optimizer):
    arguments = list(inspect.signature(optimizer).parameters)
    assert arguments[:2] == ["params", "lr"]
    opt = optimizer([Value(1.0)], lr=0.5)
    shown = opt.hyperparameters()
    assert list(shown) == ["lr"] + arguments[2:]
    assert all(shown[name] == getattr(opt, name) for name in arguments[2:])
    group = opt.state_dict()["param_groups"][0]
    assert {k: v for k, v in group.items() if k in shown} == shown
    assert repr(opt).endswith(", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")")


@pytest.mark.parametrize("optimizer", [nn.SGD, nn.Adam, nn.AdamW, nn.RMSprop])
def test_parameter_lists_must_be_non_empty_values_without_duplicates(optimizer):
    with pytest.raises(ValueError, match="empty parameter list"):
        optimizer([], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\] must be a Value, got float"):
        optimizer([Value(1.0), 2.0], lr=0.1)
    with pytest.raises(TypeError, match="got a single Value; wrap it"):
        optimizer(Value(1.0), lr=0.1)
    p = Value(1.0)
    with pytest.raises(ValueError, match="more than once"):
        optimizer([p, p], lr=0.1)


def test_optimizers_accept_a_generator_of_parameters():
    model = nn.MLP(2, [3, 1], seed=0)
    opt = nn.SGD((p for p in model.parameters()), lr=0.1)
    assert len(opt.params) == 13


# ---------------------------------------------------------------------------
# PyTorch: 60 steps on a non-quadratic loss
# ---------------------------------------------------------------------------

START = [-1.2, 1.0, 0.5]


def curved_loss(w, softplus):
    """A Rosenbrock valley plus a softplus and a quartic: curvature changes
    along the way, so every term of each update rule matters."""
    x, y, z = w[0], w[1], w[2]
    return (1 - x) ** 2 + 5 * (y - x * x) ** 2 + softplus(z - x) + 0.25 * z ** 4


TRAJECTORY_CASES = [
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.01, "momentum": 0.9}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.01, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "momentum": 0.5, "centered": True}),
]


@pytest.mark.parametrize("name, settings", TRAJECTORY_CASES,
                         ids=[f"{n}({', '.join(f'{k}={v}' for k, v in s.items())})"
                              for n, s in TRAJECTORY_CASES])
def test_optimizer_follows_pytorchs_trajectory_for_60_steps(name, settings):
    torch = pytest.importorskip("torch")
    w = [Value(v) for v in START]
    ours = getattr(nn, name)(w, **settings)
    t = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.optim, name)([t], **settings)
    moved = 0.0
    for step in range(60):
        ours.zero_grad()
        curved_loss(w, Value.softplus).backward()
        ours.step()
        theirs.zero_grad()
        curved_loss(t, torch.nn.functional.softplus).backward()
        theirs.step()
        expected = t.detach().tolist()
        assert [p.data for p in w] == pytest.approx(expected, rel=1e-10, abs=1e-10), \
            f"step {step + 1}"
        moved = max(moved, max(abs(a - b) for a, b in zip(expected, START)))
    assert moved > 0.1                     # the trajectory went somewhere


def test_scheduled_lr_changes_follow_pytorch():
    torch = pytest.importorskip("torch")
    w = [Value(v) for v in START]
    ours = nn.Adam(w, lr=0.05)
    sched = nn.CosineAnnealingLR(ours, T_max=20)
    t = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    theirs = torch.optim.Adam([t], lr=0.05)
    their_sched = torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=20)
    for _ in range(30):
        ours.zero_grad()
        curved_loss(w, Value.softplus).backward()
        ours.step()
        sched.step()
        theirs.zero_grad()
        curved_loss(t, torch.nn.functional.softplus).backward()
        theirs.step()
        their_sched.step()
    assert [p.data for p in w] == pytest.approx(t.detach().tolist(), rel=1e-10, abs=1e-10)


# ---------------------------------------------------------------------------
# XOR, learnt to 100% by every optimizer
# ---------------------------------------------------------------------------

XOR = [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)]

XOR_OPTIMIZERS = {
    "SGD": lambda ps: nn.SGD(ps, lr=0.5),
    "SGD momentum": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9),
    "SGD nesterov": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "Adam": lambda ps: nn.Adam(ps, lr=0.05),
    "AdamW": lambda ps: nn.AdamW(ps, lr=0.05),
    "RMSprop": lambda ps: nn.RMSprop(ps, lr=0.01),
}


@pytest.mark.parametrize("name", list(XOR_OPTIMIZERS))
def test_an_mlp_learns_xor_to_100_percent_with_each_optimizer(name):
    model = nn.MLP(2, [8, 1], activation="tanh", seed=3)
    opt = XOR_OPTIMIZERS[name](model.parameters())
    xs, ys = [x for x, _ in XOR], [y for _, y in XOR]
    for _ in range(300):
        opt.zero_grad()
        loss = nn.binary_cross_entropy_with_logits([model(x) for x in xs], ys)
        loss.backward()
        opt.step()
    predictions = [float(model(x).data > 0) for x in xs]
    assert predictions == ys, f"{name}: loss {loss.data:.4f}"
    assert loss.data < 0.1


def test_repr_counts_one_parameter_in_the_singular():
    assert repr(nn.SGD([Value(1.0)], lr=0.1)).startswith("SGD(1 parameter, lr=0.1")
    assert repr(nn.SGD([Value(1.0), Value(2.0)], lr=0.1)).startswith("SGD(2 parameters, ")


def test_a_learning_rate_loaded_as_a_numpy_scalar_or_0d_array_reads_as_a_float():
    # As every other loaded number (what numpy and safetensors give).
    np = pytest.importorskip("numpy")
    source = nn.SGD([Value(1.0)], lr=0.1)
    nn.StepLR(source, step_size=2)
    state = source.state_dict()
    state["param_groups"][0].update(lr=np.array(0.05), initial_lr=np.float32(0.5))
    opt = nn.SGD([Value(1.0)], lr=0.3)
    opt.load_state_dict(state)
    assert (opt.lr, opt.initial_lr) == (0.05, 0.5)
    assert type(opt.lr) is float and type(opt.initial_lr) is float
