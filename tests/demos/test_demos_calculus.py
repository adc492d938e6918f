"""Smoke and correctness tests for demos/calculus.py (run with small arguments)."""

import math

import pytest
from support import (assert_docstring_examples_pass, assert_pictures_written,
                     assert_usage_error, import_demo)

calculus = import_demo("calculus")

# The printed values of the reference texts that the math contradicts, by what
# they claim to be, and the numbers the math gives.
KNOWN_WRONG = {
    "f'(0), f'(1), f'(2) of x²·eˣ": "[0.0, 8.154, 59.112]",
    "d/dx σ(3x + 2) at x = 0, 1, 2": "[0.315, 0.0199, 0.00101]",
    "the trapezoidal rule for ∫₀² x² dx, n = 1000": "2.666668",
    "KL([0.4, 0.3, 0.3] ‖ [0.33, 0.33, 0.34])": "0.0108",
    "w after 50 gradient-descent steps from [4, 2], lr 0.1, rounded to 6 decimals":
        "[5.71e-05, 0.0]",
    "w after 100 momentum steps from [4, 2], lr 0.01, β 0.9, rounded to 4 decimals":
        "[0.0169, 0.00873]",
    "w after 200 Adam steps from [4, 2], lr 0.001, rounded to 4 decimals (NumPy code)":
        "[3.8020, 1.8041]",
    "w after 200 Adam steps from [4, 2], lr 0.001, rounded to 4 decimals (pure Python)":
        "[3.8020, 1.8041]",
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("calculus")
    result = calculus.main(["--out", str(out), "--gd-max-iter", "300", "--taylor-order", "9"])
    return out, result


def test_engine_matches_every_closed_form_to_1e_9(run):
    _, result = run
    assert result["comparisons"] > 150
    assert result["max_abs_error"] < 1e-9


def test_saddle_eigenvalues_have_opposite_signs(run):
    low, high = run[1]["saddle_eigenvalues"]
    assert low < 0 < high
    assert (low, high) == pytest.approx((-2.0, 6.0), abs=1e-12)


def test_minimum_eigenvalues_are_both_positive(run):
    assert run[1]["minimum_eigenvalues"] == pytest.approx([2.0, 6.0], abs=1e-12)


def test_taylor_coefficients_of_exp_and_sin_from_nested_grad_are_exact(run):
    result = run[1]
    assert len(result["taylor_exp"]) == 10
    for n, c in enumerate(result["taylor_exp"]):
        assert c == pytest.approx(1 / math.factorial(n), rel=1e-14)
    sin_exact = [0.0 if n % 2 == 0 else (-1) ** (n // 2) / math.factorial(n) for n in range(10)]
    assert result["taylor_sin"] == pytest.approx(sin_exact, rel=1e-14, abs=1e-15)


def test_newton_needs_fewer_steps_than_gradient_descent(run):
    result = run[1]
    assert result["newton_iterations"] == 5
    assert result["newton_iterations"] < result["gd_iterations"]
    assert result["newton_rosenbrock_iterations"] <= 7
    assert result["gd_rosenbrock_iterations"] is None       # not within the 300-step budget


def test_critical_points_of_the_exercise_are_a_saddle_and_a_minimum(run):
    saddle, minimum = run[1]["critical_points"]
    assert saddle["point"] == pytest.approx([0.0, 0.0], abs=1e-12)
    assert "saddle" in saddle["kind"]
    assert minimum["point"] == pytest.approx([2 ** 0.2, -(2 / 3) * 2 ** -0.4], abs=1e-12)
    assert "minimum" in minimum["kind"]


def test_vanishing_gradient_stays_below_the_quarter_power_bound(run):
    gradients = run[1]["vanishing_gradient"]
    layers = len(gradients) - 1
    assert layers == 10
    for k, g in enumerate(gradients):
        assert 0 < g <= 0.25 ** (layers - k)
    assert gradients[0] == pytest.approx(3.875220e-07, rel=1e-6)


def test_the_known_wrong_values_of_the_reference_texts_are_reported(run):
    found = {d["claim"]: d["correct"] for d in run[1]["discrepancies"]}
    assert set(found) == set(KNOWN_WRONG)
    for claim, correct in KNOWN_WRONG.items():
        assert found[claim] == correct, claim


def test_the_output_states_each_claim_and_points_into_no_file(capsys, tmp_path):
    calculus.main(["--no-plots", "--gd-max-iter", "300", "--taylor-order", "9"])
    output = capsys.readouterr().out
    assert ".txt" not in output and ".md:" not in output
    for claim in KNOWN_WRONG:
        assert f"!! for {claim} the text prints " in output
        assert f"{claim}: the text prints " in output
    assert "the text prints 8.1548 for f'(1) of x²·eˣ, to four decimals: agrees" in output


def test_text_optimizer_runs_end_where_the_update_rules_put_them(run):
    runs = run[1]["optimizer_runs"]
    assert runs["gd"] == pytest.approx([4 * 0.8 ** 50, 2 * 0.4 ** 50], rel=1e-12)
    assert runs["momentum"] == pytest.approx([0.0169, 0.0087], abs=1e-4)
    assert runs["adam"] == pytest.approx([3.8020, 1.8041], abs=1e-4)


def test_pictures_are_written_as_png(run):
    out, result = run
    assert_pictures_written(out, result["figures"], [
        "calculus_first_principles.png", "calculus_hessians.png", "calculus_taylor.png",
        "calculus_newton_vs_gd.png", "calculus_vanishing_gradient.png"])


def test_checker_accepts_rounded_or_cut_off_values_and_flags_wrong_ones():
    check = calculus.Checker(quiet=True)
    assert check.text("a", "8.154", 8.1548454)                  # cut off
    assert check.text("b", "8.155", 8.1548454)                  # rounded
    assert not check.text("c", "2.666667", 2.666668, rounded=True)
    assert not check.text("d", "0.0", 5.7e-05, decimals=6)
    assert check.text("e", "0.0", 2.5e-20, decimals=6)
    assert [d["claim"] for d in check.discrepancies] == ["c", "d"]


def test_tools_compute_derivatives_by_nested_grad():
    assert calculus.taylor_coefficients(lambda x: x.cos(), 4) == pytest.approx(
        [1.0, 0.0, -0.5, 0.0, 1 / 24], abs=1e-15)
    xs = calculus.newton_1d(lambda x: x.exp() - 2 * x, 0.0, math.log(2))
    assert abs(xs[-1] - math.log(2)) < 1e-10
    r = calculus.chain_gradients(0.3, 4, "tanh")
    assert r["engine"] == pytest.approx(r["closed_form"], rel=1e-13)


def test_the_module_docstring_examples_run():
    assert_docstring_examples_pass(calculus)


def test_bad_arguments_are_rejected_with_a_message(capsys):
    assert_usage_error(calculus.main, ["--layers", "0"], "--layers must be at least 1", capsys)


def test_the_lectures_neuron_is_explained_edge_by_edge():
    check = calculus.Checker(quiet=True)
    text = calculus.lecture_neuron_backward(check)
    lines = text.splitlines()
    assert len(lines) == 2 + 9                  # heading, header, one line per edge
    assert lines[2].split()[:3] == ["o", "->", "n"]
    assert "dout/dx = 1 - out * out = 0.5000" in lines[2]
    assert lines[-1].endswith("w1.grad = 1.0000")
    assert check.comparisons == 6 and check.max_error < 1e-15
