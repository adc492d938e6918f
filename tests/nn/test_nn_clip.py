"""Gradient clipping: the rule by hand, and PyTorch's clip_grad_norm_."""

import math
import random

import pytest

import nn
from autograd_lite import Value


def with_grads(grads):
    params = [Value(0.0) for _ in grads]
    for p, g in zip(params, grads):
        p.grad = g
    return params


def test_a_gradient_of_norm_5_is_scaled_to_norm_1_and_the_norm_returned():
    params = with_grads([3.0, 4.0])
    total = nn.clip_grad_norm_(params, max_norm=1.0)
    assert total == 5.0
    scale = 1.0 / (5.0 + 1e-6)                          # PyTorch's guard against 0
    assert [p.grad for p in params] == [3.0 * scale, 4.0 * scale]
    assert math.hypot(*(p.grad for p in params)) == pytest.approx(1.0, abs=1e-6)


def test_gradients_below_the_maximum_are_left_untouched():
    params = with_grads([0.3, -0.4])
    assert nn.clip_grad_norm_(params, 1.0) == pytest.approx(0.5, abs=1e-16)
    assert [p.grad for p in params] == [0.3, -0.4]


@pytest.mark.parametrize("norm_type, expected", [
    (1.0, 7.0), (2.0, 5.0), (float("inf"), 4.0), (3.0, (27 + 64) ** (1 / 3)),
])
def test_norm_type_selects_the_p_norm(norm_type, expected):
    assert nn.clip_grad_norm_(with_grads([3.0, -4.0]), 100.0, norm_type) == \
        pytest.approx(expected, abs=1e-15)


def test_clipping_keeps_the_direction_of_the_gradient():
    params = with_grads([1.0, -2.0, 2.0])
    nn.clip_grad_norm_(params, 0.3)
    assert [p.grad / params[0].grad for p in params] == pytest.approx([1.0, -2.0, 2.0])


def test_a_model_parameters_and_a_single_value_are_accepted():
    model = nn.MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert nn.clip_grad_norm_(model.parameters(), 1e-3) > 0
    assert math.hypot(*(p.grad for p in model.parameters())) <= 1e-3
    single = with_grads([-2.0])[0]
    assert nn.clip_grad_norm_(single, 1.0) == 2.0


def test_an_empty_parameter_list_has_norm_0():
    assert nn.clip_grad_norm_([], 1.0) == 0.0


def test_a_non_finite_norm_raises_only_when_asked():
    with pytest.raises(RuntimeError, match="non-finite|is inf"):
        nn.clip_grad_norm_(with_grads([math.inf, 1.0]), 1.0, error_if_nonfinite=True)
    assert nn.clip_grad_norm_(with_grads([math.inf, 1.0]), 1.0) == math.inf


@pytest.mark.parametrize("kwargs, error, message", [
    ({"max_norm": -1.0}, ValueError, "max_norm must be a number >= 0"),
    ({"max_norm": 1.0, "norm_type": 0}, ValueError, "norm_type must be a number > 0"),
    ({"max_norm": "1"}, ValueError, "max_norm must be a number"),
])
def test_bad_arguments_are_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        nn.clip_grad_norm_(with_grads([1.0]), **kwargs)


def test_non_values_are_rejected():
    with pytest.raises(TypeError, match=r"parameters\[1\] must be a Value"):
        nn.clip_grad_norm_([Value(0.0), 1.0], 1.0)
    with pytest.raises(TypeError, match=r"parameters must be an iterable of Values .*got float"):
        nn.clip_grad_value_(3.0, 1.0)


def test_clip_grad_value_clamps_each_gradient():
    params = with_grads([5.0, -0.2, -3.0])
    nn.clip_grad_value_(params, 1.0)
    assert [p.grad for p in params] == [1.0, -0.2, -1.0]
    with pytest.raises(ValueError, match="clip_value must be a number >= 0"):
        nn.clip_grad_value_(params, -1.0)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    rng = random.Random(0)
    grads = [rng.uniform(-2, 2) for _ in range(17)]
    params = with_grads(grads)
    total = nn.clip_grad_norm_(params, max_norm, norm_type)
    tensors = [torch.zeros(1, dtype=torch.float64, requires_grad=True) for _ in grads]
    for t, g in zip(tensors, grads):
        t.grad = torch.tensor([g], dtype=torch.float64)
    expected = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type)
    assert total == pytest.approx(expected.item(), rel=1e-12)
    assert [p.grad for p in params] == pytest.approx([t.grad.item() for t in tensors],
                                                     rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------------------
# Non-finite and extreme gradients, as torch
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("norm_type", [float("inf"), 2.0, 1.0, 3.0, 0.5])
@pytest.mark.parametrize("where", range(4))
def test_a_nan_gradient_anywhere_makes_the_norm_nan_and_is_refused_when_asked(norm_type,
                                                                             where):
    grads = [1.0, -2.0, 0.5, 3.0]
    grads[where] = math.nan
    with pytest.raises(RuntimeError, match="is nan, so it cannot be clipped"):
        nn.clip_grad_norm_(with_grads(grads), 1.0, norm_type, error_if_nonfinite=True)
    params = with_grads(grads)
    assert math.isnan(nn.clip_grad_norm_(params, 1.0, norm_type))
    assert all(math.isnan(p.grad) for p in params)            # torch: every gradient nan


@pytest.mark.parametrize("norm_type, grads", [(2.0, [1e200, 1.0, 1e300]),
                                               (3.0, [1e200, 1.0, 1e300]),
                                               (0.5, [1e308, 1e308, 1e308])])
def test_a_norm_beyond_the_largest_float_is_inf_not_an_overflow_error(norm_type, grads):
    params = with_grads(grads)
    assert nn.clip_grad_norm_(params, 1.0, norm_type) == math.inf
    assert [p.grad for p in params] == [0.0, 0.0, 0.0]          # scaled by 1 / inf
    with pytest.raises(RuntimeError, match="is inf, so it cannot be clipped"):
        nn.clip_grad_norm_(with_grads(grads), 1.0, norm_type, error_if_nonfinite=True)


def test_one_gradient_is_its_own_norm_whatever_the_order_as_torch():
    assert nn.clip_grad_norm_(with_grads([-1e200]), 1.0, 3.0) == 1e200


EXTREMES = [0.0, -0.0, 5e-324, 1e-200, -0.5, 1.0, 3.0, -1e150, 1e200, 1.7e308,
            math.inf, -math.inf, math.nan]


def _same(ours, theirs):
    if math.isnan(theirs) or math.isinf(theirs) or theirs == 0:
        return ours == theirs or (math.isnan(ours) and math.isnan(theirs))
    return ours == pytest.approx(theirs, rel=1e-12)


@pytest.mark.parametrize("seed", range(60))
def test_extreme_gradients_clip_as_torchs_clip_grad_norm(seed):
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    grads = [rng.choice(EXTREMES) * rng.choice([1, -1]) for _ in range(rng.randint(1, 5))]
    norm_type = rng.choice([float("inf"), 2.0, 1.0, 3.0, 0.5, 7.5])
    max_norm = rng.choice([0.0, 1.0, 1e300])
    refuse = rng.random() < 0.5
    tensors = [torch.zeros((), dtype=torch.float64, requires_grad=True) for _ in grads]
    for t, g in zip(tensors, grads):
        t.grad = torch.tensor(g, dtype=torch.float64)
    params = with_grads(grads)
    try:
        expected = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type,
                                                  error_if_nonfinite=refuse).item()
    except RuntimeError:
        with pytest.raises(RuntimeError, match="cannot be clipped"):
            nn.clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite=refuse)
        assert [p.grad for p in params] == pytest.approx(grads, nan_ok=True)   # unchanged
        return
    total = nn.clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite=refuse)
    assert _same(total, expected), (grads, norm_type, total, expected)
    for p, t in zip(params, tensors):
        assert _same(p.grad, t.grad.item()) or abs(p.grad - t.grad.item()) < 1e-300, \
            (grads, norm_type, max_norm, p.grad, t.grad.item())
