"""Losses and softmax: hand-derived values, numerical gradient checks, PyTorch."""

import math
import random

import pytest

import nn
from autograd_lite import Value, gradcheck


def values(xs):
    return [Value(x) for x in xs]


def grads(vs):
    return [v.grad for v in vs]


# ---------------------------------------------------------------------------
# Hand-derived results (always run)
# ---------------------------------------------------------------------------

def test_softmax_of_2_1_and_0_1_is_0_659_0_242_0_099():
    probs = nn.softmax([2.0, 1.0, 0.1])
    # e^2, e^1, e^0.1 over their sum 11.2116...
    exact = [math.exp(z) / (math.exp(2) + math.exp(1) + math.exp(0.1)) for z in (2, 1, 0.1)]
    assert [round(p.data, 3) for p in probs] == [0.659, 0.242, 0.099]
    assert [p.data for p in probs] == pytest.approx(exact, abs=1e-15)


def test_softmax_sums_to_one_and_does_not_overflow_for_huge_logits():
    probs = nn.softmax([1000.0, 999.0, -1000.0])
    assert sum(p.data for p in probs) == pytest.approx(1.0, abs=1e-15)
    assert probs[0].data == pytest.approx(1 / (1 + math.exp(-1)), abs=1e-15)
    assert probs[2].data == 0.0


def test_log_softmax_is_the_log_of_softmax():
    z = [0.3, -1.2, 2.5, 0.0]
    logs = [v.data for v in nn.log_softmax(z)]
    assert logs == pytest.approx([math.log(p.data) for p in nn.softmax(z)], abs=1e-14)


def test_softmax_of_a_batch_is_a_list_of_rows():
    rows = nn.softmax([[0.0, 0.0], [math.log(3.0), 0.0]])
    assert [[round(p.data, 12) for p in row] for row in rows] == [[0.5, 0.5], [0.75, 0.25]]


def test_softmax_gradient_is_the_jacobian_row_of_the_chosen_output():
    z = values([0.5, -0.5, 1.5])
    p = nn.softmax(z)
    p[0].backward()
    # d p0 / d z_j = p0 (delta_0j - p_j)
    expected = [p[0].data * ((j == 0) - p[j].data) for j in range(3)]
    assert grads(z) == pytest.approx(expected, abs=1e-15)


def test_cross_entropy_is_minus_log_softmax_of_the_target():
    z = [2.0, 1.0, 0.1]
    loss = nn.cross_entropy(z, 2)
    assert loss.data == pytest.approx(-math.log(nn.softmax(z)[2].data), abs=1e-14)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    z = values([2.0, 1.0, 0.1])
    nn.cross_entropy(z, 0).backward()
    probs = [p.data for p in nn.softmax([2.0, 1.0, 0.1])]
    assert grads(z) == pytest.approx([probs[0] - 1, probs[1], probs[2]], abs=1e-15)
    assert [round(g, 3) for g in grads(z)] == [-0.341, 0.242, 0.099]


@pytest.mark.parametrize("logits, target, expected_loss, expected_grad", [
    ([1000.0, -1000.0], 0, 0.0, [0.0, 0.0]),
    ([1000.0, -1000.0], 1, 2000.0, [1.0, -1.0]),
    ([1000.0, 1000.0, -1000.0], 2, 2000.0 + math.log(2), [0.5, 0.5, -1.0]),
])
def test_cross_entropy_of_logits_of_plus_minus_1000_is_finite_and_exact(
        logits, target, expected_loss, expected_grad):
    z = values(logits)
    loss = nn.cross_entropy(z, target)
    loss.backward()
    assert loss.data == pytest.approx(expected_loss, abs=1e-12)
    # logsumexp's gradient e^(z - lse) carries lse's rounding (~1e-13 at 1000)
    assert grads(z) == pytest.approx(expected_grad, abs=1e-12)
    assert all(math.isfinite(g) for g in grads(z))


def test_cross_entropy_of_a_batch_is_the_mean_of_the_samples():
    batch = [[0.2, 1.0, -0.3], [1.5, 0.1, 0.0]]
    targets = [1, 2]
    single = [nn.cross_entropy(row, t).data for row, t in zip(batch, targets)]
    assert nn.cross_entropy(batch, targets).data == pytest.approx(sum(single) / 2, abs=1e-15)
    assert nn.cross_entropy(batch, targets, reduction="sum").data == pytest.approx(sum(single))
    assert [v.data for v in nn.cross_entropy(batch, targets, reduction="none")] == single


def test_cross_entropy_with_class_probabilities_matches_the_index_form_for_one_hot():
    z = [0.3, -0.2, 1.1]
    assert nn.cross_entropy(z, [0.0, 1.0, 0.0]).data == pytest.approx(
        nn.cross_entropy(z, 1).data, abs=1e-15)


@pytest.mark.parametrize("target", [3, -1, 100])
def test_cross_entropy_rejects_a_target_index_out_of_range(target):
    with pytest.raises(IndexError, match=r"out of range for 3 classes \(valid: 0..2\)"):
        nn.cross_entropy([0.1, 0.2, 0.3], target)
    with pytest.raises(ValueError, match="out of range"):
        nn.cross_entropy([[0.1, 0.2, 0.3]], [target])


@pytest.mark.parametrize("target", [1.0, True, "1"])
def test_cross_entropy_rejects_a_target_that_is_not_an_int(target):
    with pytest.raises((TypeError, ValueError), match="class"):
        nn.cross_entropy([0.1, 0.2, 0.3], target)


def test_cross_entropy_rejects_a_batch_with_the_wrong_number_of_targets():
    with pytest.raises(ValueError, match="2 samples of logits but 3 targets"):
        nn.cross_entropy([[0.0, 1.0], [1.0, 0.0]], [0, 1, 1])
    with pytest.raises(ValueError, match="one target per sample"):
        nn.cross_entropy([[0.0, 1.0], [1.0, 0.0]], 0)


def test_mse_loss_is_the_mean_of_squared_differences_with_gradient_2d_over_n():
    x = values([1.0, 3.0, -2.0])
    loss = nn.mse_loss(x, [0.0, 1.0, 0.0])
    loss.backward()
    assert loss.data == pytest.approx((1 + 4 + 4) / 3)
    assert grads(x) == pytest.approx([2 / 3, 4 / 3, -4 / 3])


def test_l1_loss_is_the_mean_absolute_difference_with_sign_gradient():
    x = values([1.0, -3.0])
    loss = nn.l1_loss(x, [0.0, 0.0])
    loss.backward()
    assert loss.data == 2.0
    assert grads(x) == [0.5, -0.5]


def test_huber_loss_is_quadratic_inside_delta_and_linear_outside():
    x = values([0.5, 3.0, -4.0])
    loss = nn.huber_loss(x, [0.0, 0.0, 0.0], delta=2.0)
    loss.backward()
    # 0.5 * 0.25; 2 * (3 - 1); 2 * (4 - 1)
    assert loss.data == pytest.approx((0.125 + 4.0 + 6.0) / 3)
    assert grads(x) == pytest.approx([0.5 / 3, 2.0 / 3, -2.0 / 3])


def test_binary_cross_entropy_matches_its_formula_and_gradient():
    p = values([0.9, 0.2])
    loss = nn.binary_cross_entropy(p, [1.0, 0.0])
    loss.backward()
    assert loss.data == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2, abs=1e-15)
    # d/dp = (p - y) / (p (1 - p)) / n
    assert grads(p) == pytest.approx([(0.9 - 1) / (0.9 * 0.1) / 2, 0.2 / (0.2 * 0.8) / 2])


def test_binary_cross_entropy_clamps_each_log_at_minus_100_as_pytorch():
    loss = nn.binary_cross_entropy([0.0, 1.0], [1.0, 0.0])
    assert loss.data == 100.0


def test_binary_cross_entropy_with_logits_is_stable_with_gradient_sigmoid_minus_y():
    z = values([-1000.0, 1000.0, 0.5])
    loss = nn.binary_cross_entropy_with_logits(z, [1.0, 1.0, 0.0])
    loss.backward()
    expected = (1000.0 + 0.0 + math.log1p(math.exp(0.5))) / 3
    assert loss.data == pytest.approx(expected, abs=1e-12)
    sigmoid = 1 / (1 + math.exp(-0.5))
    assert grads(z) == pytest.approx([-1 / 3, 0.0, sigmoid / 3], abs=1e-15)


def test_hinge_loss_is_micrographs_svm_loss():
    scores = values([2.0, 0.5, -0.5, 0.25])
    labels = [1, 1, 1, -1]
    loss = nn.hinge_loss(scores, labels)
    loss.backward()
    micrograd_style = sum((1 + -y * s.data) if 1 - y * s.data > 0 else 0.0
                          for y, s in zip(labels, scores)) / 4
    assert loss.data == pytest.approx(micrograd_style)
    assert grads(scores) == [0.0, -0.25, -0.25, 0.25]


def test_losses_accept_one_sample_a_batch_and_nested_batches():
    one = nn.mse_loss(Value(3.0), 1.0)
    nested = nn.mse_loss([[Value(3.0), Value(1.0)], [Value(0.0), Value(2.0)]],
                         [[1.0, 1.0], [0.0, 0.0]])
    assert one.data == 4.0
    assert nested.data == 2.0


def test_reduction_none_returns_per_element_losses_and_sum_their_sum():
    per = nn.l1_loss([1.0, -2.0, 0.5], [0.0, 0.0, 0.0], reduction="none")
    assert [v.data for v in per] == [1.0, 2.0, 0.5]
    assert nn.l1_loss([1.0, -2.0, 0.5], [0.0, 0.0, 0.0], reduction="sum").data == 3.5


# ---------------------------------------------------------------------------
# Bad arguments
# ---------------------------------------------------------------------------

def test_losses_reject_inputs_and_targets_of_different_shapes():
    with pytest.raises(ValueError, match=r"input has shape \(2,\) but target has shape \(3,\)"):
        nn.mse_loss([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="shape"):
        nn.mse_loss([1.0, 2.0], [[1.0], [2.0]])


def test_cross_entropy_of_a_single_score_points_to_the_binary_loss():
    with pytest.raises(TypeError, match="binary_cross_entropy_with_logits"):
        nn.cross_entropy(Value(0.5), 0)


def test_losses_accept_numpy_arrays_and_scalars():
    np = pytest.importorskip("numpy")
    assert nn.mse_loss(np.array([1.0, 3.0]), np.array([0.0, 1.0])).data == 2.5
    assert nn.mse_loss(Value(2.0), np.float64(1.0)).data == 1.0
    assert nn.mse_loss(Value(2.0), np.array(1.0)).data == 1.0
    assert nn.cross_entropy(np.zeros((2, 4)), np.array([3, 0])).data == \
        pytest.approx(math.log(4), abs=1e-15)


def test_losses_reject_empty_inputs_and_unknown_reductions():
    with pytest.raises(ValueError, match="empty"):
        nn.l1_loss([], [])
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.mse_loss([1.0], [1.0], reduction="average")


def test_binary_cross_entropy_rejects_probabilities_outside_0_1():
    with pytest.raises(ValueError, match="in \\[0, 1\\].*with_logits"):
        nn.binary_cross_entropy([1.5], [1.0])
    with pytest.raises(ValueError, match="target must be in"):
        nn.binary_cross_entropy([0.5], [2.0])


def test_hinge_loss_rejects_labels_other_than_plus_minus_one():
    with pytest.raises(ValueError, match="labels must be -1 or \\+1.*2 \\* y - 1"):
        nn.hinge_loss([0.5, 0.2], [1, 0])


def test_huber_loss_rejects_a_delta_that_is_not_positive():
    with pytest.raises(ValueError, match="delta must be a number > 0"):
        nn.huber_loss([1.0], [0.0], delta=0.0)


# ---------------------------------------------------------------------------
# Numerical gradient checks (always run): each loss as a function of its inputs
# ---------------------------------------------------------------------------

GRADCHECK_CASES = {
    "cross_entropy": (lambda a, b, c, d: nn.cross_entropy([[a, b], [c, d]], [1, 0]),
                      [0.3, -1.2, 2.0, 0.4]),
    "cross_entropy_probs": (lambda a, b, c: nn.cross_entropy([a, b, c], [0.2, 0.5, 0.3]),
                            [0.3, -1.2, 2.0]),
    "softmax": (lambda a, b, c: nn.softmax([a, b, c])[1] * 3 + nn.log_softmax([a, b, c])[2],
                [0.3, -1.2, 2.0]),
    "mse_loss": (lambda a, b, c: nn.mse_loss([a, b], [c, 0.5]), [0.3, -1.2, 2.0]),
    "l1_loss": (lambda a, b, c: nn.l1_loss([a, b], [c, 0.5]), [0.3, -1.2, 2.0]),
    "huber_loss": (lambda a, b, c: nn.huber_loss([a, b], [c, 0.5], delta=1.0),
                   [0.3, -1.2, 2.0]),
    "binary_cross_entropy": (lambda a, b: nn.binary_cross_entropy([a, b], [1.0, 0.3]),
                             [0.7, 0.2]),
    "binary_cross_entropy_with_logits": (
        lambda a, b: nn.binary_cross_entropy_with_logits([a, b], [1.0, 0.3]), [0.7, -2.0]),
    "hinge_loss": (lambda a, b: nn.hinge_loss([a, b], [1, -1]), [0.5, 0.2]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK_CASES))
def test_loss_gradients_match_central_differences(name):
    f, point = GRADCHECK_CASES[name]
    assert gradcheck(f, point, name=name)


# ---------------------------------------------------------------------------
# PyTorch: values and gradients to 1e-10
# ---------------------------------------------------------------------------

def _random_matrix(rng, rows, cols, scale=2.0):
    return [[rng.uniform(-scale, scale) for _ in range(cols)] for _ in range(rows)]


def _torch_case(name, rng):
    """(our loss on Values, torch loss on a tensor, input data)."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = _random_matrix(rng, 4, 3)
    y = _random_matrix(rng, 4, 3)
    labels = [rng.randrange(3) for _ in range(4)]
    probs01 = [[rng.uniform(0.05, 0.95) for _ in range(3)] for _ in range(4)]
    bits = [[float(rng.random() < 0.5) for _ in range(3)] for _ in range(4)]
    signs = [[rng.choice((-1.0, 1.0)) for _ in range(3)] for _ in range(4)]

    def t(data, dtype=torch.float64):
        return torch.tensor(data, dtype=dtype)

    cases = {
        "cross_entropy": (lambda v: nn.cross_entropy(v, labels),
                          lambda v: F.cross_entropy(v, t(labels, torch.long)), x),
        "cross_entropy_probs": (
            lambda v: nn.cross_entropy(v, [[p / sum(r) for p in r] for r in probs01]),
            lambda v: F.cross_entropy(v, t([[p / sum(r) for p in r] for r in probs01])), x),
        "cross_entropy_huge_logits": (
            lambda v: nn.cross_entropy(v, labels),
            lambda v: F.cross_entropy(v, t(labels, torch.long)),
            [[500.0 * a for a in row] for row in x]),
        "mse_loss": (lambda v: nn.mse_loss(v, y), lambda v: F.mse_loss(v, t(y)), x),
        "l1_loss": (lambda v: nn.l1_loss(v, y), lambda v: F.l1_loss(v, t(y)), x),
        "huber_loss": (lambda v: nn.huber_loss(v, y, delta=1.5),
                       lambda v: F.huber_loss(v, t(y), delta=1.5), x),
        "binary_cross_entropy": (lambda v: nn.binary_cross_entropy(v, bits),
                                 lambda v: F.binary_cross_entropy(v, t(bits)), probs01),
        "binary_cross_entropy_soft": (lambda v: nn.binary_cross_entropy(v, probs01[::-1]),
                                      lambda v: F.binary_cross_entropy(v, t(probs01[::-1])),
                                      probs01),
        "binary_cross_entropy_with_logits": (
            lambda v: nn.binary_cross_entropy_with_logits(v, bits),
            lambda v: F.binary_cross_entropy_with_logits(v, t(bits)),
            [[30.0 * a for a in row] for row in x]),
        "hinge_loss": (lambda v: nn.hinge_loss(v, signs),
                       lambda v: torch.clamp(1 - t(signs) * v, min=0).mean(), x),
        "softmax": (lambda v: nn.mse_loss(nn.softmax(v), y),
                    lambda v: F.mse_loss(F.softmax(v, dim=-1), t(y)), x),
        "log_softmax": (lambda v: nn.mse_loss(nn.log_softmax(v), y),
                        lambda v: F.mse_loss(F.log_softmax(v, dim=-1), t(y)), x),
    }
    return cases[name]


TORCH_CASES = ["cross_entropy", "cross_entropy_probs", "cross_entropy_huge_logits",
               "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
               "binary_cross_entropy_soft", "binary_cross_entropy_with_logits",
               "hinge_loss", "softmax", "log_softmax"]


@pytest.mark.parametrize("name", TORCH_CASES)
def test_loss_value_and_gradient_match_pytorch_to_1e_10(name):
    torch = pytest.importorskip("torch")
    ours, theirs, data = _torch_case(name, random.Random(sorted(TORCH_CASES).index(name)))
    vs = [[Value(a) for a in row] for row in data]
    loss = ours(vs)
    loss.backward()
    tensor = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    expected = theirs(tensor)
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-10, abs=1e-10)
    ours_grad = [v.grad for row in vs for v in row]
    assert ours_grad == pytest.approx(tensor.grad.flatten().tolist(), rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("reduction", ["sum", "none"])
def test_reductions_match_pytorch(reduction):
    torch = pytest.importorskip("torch")
    x = [[0.2, -1.0, 3.0], [1.5, 0.5, -0.5]]
    y = [[0.0, 0.5, 1.0], [1.0, -1.0, 0.0]]
    ours = nn.huber_loss(x, y, reduction=reduction)
    theirs = torch.nn.functional.huber_loss(torch.tensor(x, dtype=torch.float64),
                                            torch.tensor(y, dtype=torch.float64),
                                            reduction=reduction)
    got = [v.data for v in ours] if reduction == "none" else [ours.data]
    assert got == pytest.approx(theirs.flatten().tolist(), abs=1e-12)
