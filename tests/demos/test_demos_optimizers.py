"""Smoke and correctness tests for demos/optimizers.py (run with small budgets)."""

import math

import pytest
from support import (assert_docstring_examples_pass, assert_pictures_written,
                     assert_usage_error, import_demo)

optimizers = import_demo("optimizers")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("optimizers")
    result = optimizers.main(["--out", str(out), "--max-iter-bowl", "800",
                              "--max-iter-rosenbrock", "300", "--no-progress"])
    return out, result


def gd_steps_on_bowl(lr, tol=1e-6):
    """Closed form: GD on x² + 10y² from (-4, 2) gives x_k = -4(1 - 2lr)^k and
    y_k = 2(1 - 20lr)^k; the first k with |(x_k, y_k)| < tol."""
    k = 0
    while math.hypot(4 * (1 - 2 * lr) ** k, 2 * (1 - 20 * lr) ** k) >= tol:
        k += 1
    return k


def test_gradient_descent_below_the_stability_edge_converges_as_the_closed_form_says(run):
    iterations = run[1]["iterations"]["bowl"]
    assert iterations["GD lr=0.01"] == gd_steps_on_bowl(0.01) == 753
    assert iterations["GD lr=0.05"] == gd_steps_on_bowl(0.05) == 145


def test_gradient_descent_at_lr_0_1_bounces_on_the_bowl_and_never_converges(run):
    # 1 - 0.1·20 = -1: y flips between +2 and -2 while x shrinks to 0.
    result = run[1]
    assert result["status"]["bowl"]["GD lr=0.1"] == "not converged"
    assert result["iterations"]["bowl"]["GD lr=0.1"] is None
    assert result["distance"]["bowl"]["GD lr=0.1"] == pytest.approx(2.0, abs=1e-12)


def test_gradient_descent_past_the_stability_edge_diverges_on_the_bowl(run):
    assert run[1]["status"]["bowl"]["GD lr=0.11"] == "diverged"


def test_momentum_adam_and_rmsprop_converge_on_the_bowl(run):
    iterations = run[1]["iterations"]["bowl"]
    assert iterations["momentum lr=0.01 β=0.9"] == 269
    assert iterations["Adam lr=0.1"] == 287
    assert iterations["RMSprop lr=0.01"] == 783


def test_gradient_descent_at_the_bowl_rates_diverges_on_rosenbrock(run):
    status = run[1]["status"]["rosenbrock"]
    for lr in ("0.01", "0.05", "0.1"):
        assert status[f"GD lr={lr}"] == "diverged"
    assert status["GD lr=0.001"] == "not converged"        # alive, but 300 steps is too few


def test_lambda_max_comes_from_the_engine_hessian(run):
    lam = run[1]["lambda_max"]
    assert lam["bowl"] == pytest.approx(20.0, abs=1e-12)
    assert lam["rosenbrock"] == pytest.approx(501 + math.hypot(301, 400), rel=1e-14)


def test_adam_converges_on_rosenbrock_and_constant_lr_rmsprop_does_not():
    surface = optimizers.SURFACES["rosenbrock"]
    racers = {r.name: r for r in optimizers.racers_for("rosenbrock")}
    adam = optimizers.race(surface, racers["Adam lr=0.1"], 2000, 1e-6, progress=False)
    assert adam["status"] == "converged" and adam["iterations"] == 1507
    rms = optimizers.race(surface, racers["RMSprop lr=0.01"], 6000, 1e-6, progress=False)
    assert rms["status"] == "not converged" and rms["distance"] > 0.03
    step = rms["path"][-1] - rms["path"][-2]
    assert abs(step) == pytest.approx([0.01, 0.01], rel=1e-3)    # settling into a ±lr 2-cycle


def test_pictures_are_written_as_png(run):
    out, result = run
    assert_pictures_written(out, result["figures"],
                            ["optimizers_bowl.png", "optimizers_rosenbrock.png"])


def test_unknown_surface_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown surface 'saddle'"):
        optimizers.racers_for("saddle")


def test_the_module_docstring_examples_run():
    assert_docstring_examples_pass(optimizers)


def test_bad_arguments_are_rejected_with_a_message(capsys):
    assert_usage_error(optimizers.main, ["--tol", "0"], "--tol must be > 0", capsys)
