"""The benchmark script runs, writes its table, and compares like with like.

Correctness only: timings on a shared machine are noise, so nothing here
asserts a speed. What is checked is that every engine computes the same loss
and gradients on each workload (so the timings compare the same work), that
the node count is micrograd's own, and that the script produces its table.
"""

import math
import os
import re
import stat
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import run, workloads as W  # noqa: E402

TOLERANCE = run.TOLERANCE

@pytest.fixture(scope="module")
def engines():
    found, _ = W.available_engines()
    return found


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.md"
    return run.main(["--quick", "--quiet", "--out", str(out)])


@pytest.mark.parametrize("name", ["chain", "moons", "mnist", "microgpt"])
def test_every_engine_computes_the_same_loss_and_gradients(engines, name):
    floats = W.WORKLOADS[name].build(engines["floats"], W.QUICK).forward()
    reference = None
    for engine in engines.values():
        if engine.backward is None:
            continue
        loss, grads = run._result(engine, W.WORKLOADS[name].build(engine, W.QUICK))
        assert loss == pytest.approx(floats, rel=TOLERANCE), engine.name
        assert any(g != 0.0 for g in grads), engine.name
        if reference is None:
            reference = grads
        else:
            assert len(grads) == len(reference)
            assert run._relative_error(grads, reference) <= TOLERANCE, engine.name


def test_nn_mlp_computes_micrograds_loss_and_gradients(engines):
    if "micrograd" not in engines:
        pytest.skip("micrograd is not installed")
    ours = run._result(engines["autograd-lite"],
                       W.WORKLOADS["mnist-nn"].build(engines["autograd-lite"], W.QUICK))
    theirs = run._result(engines["micrograd"],
                         W.WORKLOADS["mnist-nn"].build(engines["micrograd"], W.QUICK))
    assert ours[0] == pytest.approx(theirs[0], rel=TOLERANCE)
    assert run._relative_error(ours[1], theirs[1]) <= TOLERANCE


@pytest.mark.parametrize("name", ["chain", "moons", "mnist", "microgpt"])
def test_node_count_is_that_of_micrograds_own_graph(engines, name):
    if "micrograd" not in engines:
        pytest.skip("micrograd is not installed")
    graph = W.WORKLOADS[name].build(engines["micrograd"], W.QUICK).forward()
    assert W.count_nodes(graph) == W.micrograd_node_count(W.WORKLOADS[name], W.QUICK)


def test_chain_counts_four_micrograd_nodes_per_step():
    # x, then per step: the constant 1.0001, *, the constant 0.0001, +
    sizes = W.Sizes(chain_steps=7)
    assert W.micrograd_node_count(W.WORKLOADS["chain"], sizes) == 1 + 4 * 7


def test_workload_mlp_builds_the_graph_of_micrograds_own_mlp(engines):
    if "micrograd" not in engines:
        pytest.skip("micrograd is not installed")
    from micrograd.nn import MLP as MicrogradMLP
    engine = engines["micrograd"]
    weights = W.mlp_weights(3, [4, 4, 1], seed=1)
    ours = W.MLP(engine, weights)
    theirs = MicrogradMLP(3, [4, 4, 1])
    for p, q in zip(theirs.parameters(), ours.parameters()):
        p.data = q.data
    x = [0.5, -1.25, 2.0]
    out_ours, out_theirs = ours(list(map(engine.Value, x))), theirs(list(map(engine.Value, x)))
    assert out_ours.data == out_theirs.data
    assert W.count_nodes(out_ours) == W.count_nodes(out_theirs)
    out_ours.backward()
    out_theirs.backward()
    assert [p.grad for p in ours.parameters()] == [p.grad for p in theirs.parameters()]


def test_quick_run_writes_a_table_for_every_workload(quick_run):
    text = Path(quick_run["out"]).read_text(encoding="utf-8")
    for heading in ("## Targets", "## chain", "## moons", "## mnist:", "## mnist-nn",
                    "## microgpt", "## Deepest chain"):
        assert heading in text
    assert "| engine | forward ns/node |" in text
    assert quick_run["ok"], "engines disagree on some workload"
    for name in ("chain", "moons", "mnist"):
        rows = quick_run["workloads"][name]["rows"]
        assert {"floats", "autograd-lite"} <= set(rows)
        assert all(r["total_ns"] > 0 for r in rows.values())
        assert quick_run["workloads"][name]["check"]["ok"]


def test_quick_run_times_the_compiled_step_against_numpy_after_checking_they_agree(quick_run):
    compiled = quick_run["compiled"]
    assert compiled["check"]["ok"]
    assert compiled["per_sample_ns"]["compile"] > 0 and compiled["vs_numpy"] > 0
    assert compiled["batch"] == W.QUICK.compiled_batch
    text = Path(quick_run["out"]).read_text(encoding="utf-8")
    assert "## compiled: MLP 784-2-10" in text
    assert "compile: one MNIST sample" in text


def test_quick_run_times_each_part_of_a_whole_step_after_checking_the_three_take_the_same(
        quick_run):
    step = quick_run["step"]
    assert step["check"]["ok"] and step["check"]["loss_error"] < 1e-9
    assert step["batch"] == W.QUICK.step_batch and step["hidden"] == W.QUICK.step_hidden
    assert {"numpy", "autograd-lite"} <= set(step["ns"])
    for ns in step["ns"].values():
        assert ns["step"] >= ns["forward_backward"] > 0
    text = Path(quick_run["out"]).read_text(encoding="utf-8")
    assert "## step: a whole training step, MLP 784-2-10, batch 8, Adam" in text
    assert "| autograd-lite | " in text.split("## step:")[1]


def test_quick_run_also_times_nn_mlp_against_micrograd_by_each_ones_fastest_run(quick_run):
    if "mnist_nn_fastest" not in quick_run:
        pytest.skip("micrograd is not installed")
    fastest = quick_run["mnist_nn_fastest"]
    assert fastest["reps"] == run.QUICK_REPS and fastest["speedup"] > 0
    assert set(fastest["best_ns"]) == {"autograd-lite", "micrograd"}
    target = next(t for t in quick_run["targets"] if t["target"].startswith("nn.MLP"))
    assert "fastest of 2 interleaved runs, the collector frozen" in target["measured"]


def test_compile_target_names_the_model_and_batch_the_run_measured(quick_run):
    target = next(t["target"] for t in quick_run["targets"] if t["target"].startswith("compile:"))
    assert f"(MLP 784-{W.QUICK.mnist_hidden}-10, " in target
    assert f" at batch {W.QUICK.compiled_batch} " in target


def test_compile_target_not_measured_names_the_full_runs_sizes_as_the_readme_quotes_them():
    target = next(t["target"] for t in run._targets({"workloads": {}})
                  if t["target"].startswith("compile:"))
    assert "(MLP 784-32-10, forward + backward) at batch 256 " in target
    assert f"| {target} |" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_table_is_written_with_the_permissions_of_any_new_file(quick_run):
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(quick_run["out"]).st_mode) == 0o666 & ~umask
    assert not [p for p in Path(quick_run["out"]).parent.iterdir() if p.name.endswith(".tmp")]


def test_quick_run_judges_no_target(quick_run):
    assert all(t["met"] is None for t in quick_run["targets"])
    assert "not judged" in Path(quick_run["out"]).read_text(encoding="utf-8")


def test_autograd_lite_runs_the_deepest_probe_and_micrograd_hits_its_recursion_limit(quick_run):
    depth = quick_run["depth"]
    assert depth["autograd-lite"]["failed_at"] is None
    assert depth["autograd-lite"]["deepest"] == W.QUICK.max_depth
    assert quick_run["deep_chain"]["ok"]
    if "micrograd" in depth:
        assert depth["micrograd"]["error"] == "RecursionError"
        assert depth["micrograd"]["deepest"] < run.STARTING_RECURSION_LIMIT


def test_check_flags_engines_that_disagree():
    agreeing = run._check({"a": (1.0, [0.5, 2.0]), "b": (1.0, [0.5, 2.0])})
    differing = run._check({"a": (1.0, [0.5, 2.0]), "b": (1.0, [0.5, 2.1])})
    assert agreeing["ok"] and not differing["ok"]
    assert differing["grad_error"] == pytest.approx(0.1 / 2.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_check_flags_a_gradient_that_is_not_finite(bad):
    # wherever the NaN sits, and even when every engine gets the same inf
    assert not run._check({"a": (1.0, [0.5, 2.0]), "b": (1.0, [0.5, bad])})["ok"]
    assert not run._check({"a": (1.0, [bad, 2.0]), "b": (1.0, [0.5, 2.0])})["ok"]
    assert not run._check({"a": (1.0, [0.5, bad]), "b": (1.0, [0.5, bad])})["ok"]


def test_reps_below_one_is_rejected_with_a_message(capsys):
    with pytest.raises(SystemExit):
        run.main(["--reps", "0", "--quick"])
    assert "--reps must be at least 1" in capsys.readouterr().err


def test_dropped_nn_model_leaves_no_value_alive():
    import gc
    import nn
    from autograd_lite import Value

    def alive():
        gc.collect()
        return sum(1 for o in gc.get_objects() if type(o) is Value)

    before = alive()
    model = nn.MLP(20, [4, 3], seed=0)
    model([0.5] * 20)
    del model
    assert alive() == before


# ---- the tracked table is written only when asked ---------------------------------

def test_a_run_writes_no_file_unless_asked(capsys):
    before = run.RESULTS.read_bytes()
    results = run.main(["--quick", "--engines", "floats", "autograd-lite",
                        "--workloads", "chain", "--max-depth", "100"])
    assert results["out"] is None and run.RESULTS.read_bytes() == before
    assert "chain" in capsys.readouterr().out          # the table is printed


def test_write_names_the_tracked_table_and_out_any_other_path(tmp_path, capsys):
    assert run._parse([]).out is None
    assert run._parse(["--write"]).out == run.RESULTS
    assert run._parse(["--out", str(tmp_path / "t.md")]).out == tmp_path / "t.md"
    with pytest.raises(SystemExit):
        run._parse(["--write", "--out", str(tmp_path / "t.md")])
    assert "argument --out: not allowed with argument --write" in capsys.readouterr().err


def test_make_bench_leaves_the_tracked_table_alone_and_bench_results_updates_it():
    makefile = (Path(run.ROOT) / "Makefile").read_text(encoding="utf-8")
    recipes = dict(re.findall(r"^([\w-]+):[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.M))
    assert "benchmarks/run.py" in recipes["bench"] and "--write" not in recipes["bench"]
    assert "benchmarks/run.py --write" in recipes["bench-results"]


# ---- the microgpt workload ----------------------------------------------------

def test_microgpts_names_give_its_vocabulary_of_26_letters_and_a_boundary_token():
    from benchmarks import microgpt
    assert microgpt.VOCABULARY == "abcdefghijklmnopqrstuvwxyz"
    assert microgpt.BOS + 1 == 27
    assert len(microgpt.tokens(microgpt.DOCUMENT)) - 1 == W.DEFAULT.gpt_block


def test_microgpts_value_agrees_with_autograd_lite_to_rounding_and_floats_to_the_last_bit(engines):
    # the full-size model: the claim the benchmark's table makes
    workload = W.WORKLOADS["microgpt"]
    floats = workload.build(engines["floats"], W.DEFAULT).forward()
    lite = engines["autograd-lite"]
    ours = run._result(lite, workload.build(lite, W.DEFAULT))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))   # the baseline's backward recurses
    try:
        theirs = run._result(engines["microgpt"], workload.build(engines["microgpt"], W.DEFAULT))
    finally:
        sys.setrecursionlimit(limit)
    # microgpt's a / b is a * b**-1: another rounding than autograd-lite's division
    assert ours[0] == pytest.approx(theirs[0], rel=1e-14)
    # plain floats do autograd-lite's arithmetic, where Python's sum() of floats
    # adds left to right as the Values' + does: from 3.12 it compensates its rounding
    if sys.version_info < (3, 12):
        assert floats == ours[0]
    else:
        assert floats == pytest.approx(ours[0], rel=1e-14)
    # gradients add up a node's contributions in another order: rounding only
    assert run._relative_error(ours[1], theirs[1]) <= 1e-13


@pytest.mark.parametrize("expression", [
    lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / b,
    lambda a, b: 2.5 - a, lambda a, b: 3.0 / b, lambda a, b: -a + b * 2.0,
    lambda a, b: a ** 3, lambda a, b: (a * a) ** -0.5, lambda a, b: a.exp() * b,
    lambda a, b: (a * a).log(), lambda a, b: b.relu() + a.relu() ** 2,
])
def test_each_op_of_microgpts_value_computes_autograd_lites_value_and_gradients(expression):
    from autograd_lite import Value
    from benchmarks.microgpt import LocalGradValue
    a, b = Value(1.5), Value(-0.75)
    p, q = LocalGradValue(1.5), LocalGradValue(-0.75)
    ours, theirs = expression(a, b), expression(p, q)
    assert ours.data == pytest.approx(theirs.data, rel=1e-15)   # / is * **-1 there
    ours.backward()
    theirs.backward()
    assert (a.grad, b.grad) == pytest.approx((p.grad, q.grad), rel=1e-15, abs=1e-300)


def test_microgpts_value_writes_negation_subtraction_and_division_as_microgpt_does():
    from benchmarks.microgpt import LocalGradValue
    a, b = LocalGradValue(1.5), LocalGradValue(-0.75)
    neg, diff, quotient = -a, a - b, a / b
    assert neg._children[1].data == -1                     # x * -1
    assert diff._children[0] is a and diff._children[1]._children[0] is b   # a + (-b)
    assert quotient._children[0] is a and quotient._children[1]._children == (b,)  # a * b**-1
    assert isinstance((a + 2)._children[1], LocalGradValue)   # numbers become leaves


def test_microgpt_adam_step_changes_every_engines_weights_alike(engines):
    workload = W.WORKLOADS["microgpt"]
    after = {}
    for name in ("autograd-lite", "micrograd", "torch"):
        if name not in engines:
            continue
        engine = engines[name]
        case = workload.build(engine, W.QUICK)
        before = [engine.data(p) for p in case.leaves]
        run._result(engine, case)                     # forward, backward, Adam
        after[name] = [engine.data(p) for p in case.leaves]
        assert after[name] != before
        assert run._result(engine, case)[0] < engine.data(workload.build(engine, W.QUICK).forward())
    reference = after["autograd-lite"]
    for weights in after.values():
        assert run._relative_error(weights, reference) <= TOLERANCE


def test_check_flags_engines_that_should_agree_to_the_last_bit():
    results = {"a": (1.0, [0.5]), "b": (1.0 + 2 ** -52, [0.5])}
    assert run._check(results)["ok"]
    assert not run._check(results, same_bits=("a", "b"))["ok"]


# ---- the README's performance section ---------------------------------------

def test_readme_option_rewrites_only_the_performance_section(quick_run, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- performance:start -->\nold figures\n"
                      "<!-- performance:end -->\n\n## Next\n", encoding="utf-8")
    run._write_readme(readme, run.readme_section(quick_run))
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n<!-- performance:start -->\n`make bench`")
    assert text.endswith("<!-- performance:end -->\n\n## Next\n")
    assert "old figures" not in text
    for target in quick_run["targets"]:
        assert f"| {target['target']} |" in text


def test_readme_option_keeps_the_readme_short_and_the_whole_story_in_the_docs(quick_run):
    short, whole = run.readme_section(quick_run), run.performance_section(quick_run)
    for target in quick_run["targets"]:
        assert f"| {target['target']} |" in short and f"| {target['target']} |" in whole
    assert "(docs/performance.md)" in short and "Where the time goes" not in short
    assert "Where the time goes, and what made it so:" in whole
    assert len(short.splitlines()) < 40 < len(whole.splitlines())


def test_the_docs_performance_section_is_between_its_markers():
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    start, end = run.README_MARKERS
    section = text[text.index(start) + len(start):text.index(end)]
    assert re.search(r"`python benchmarks/run\.py [^`]*--readme[^`]*`", section)
    assert "Where the time goes, and what made it so:" in section


def test_readme_option_refuses_the_quick_sizes(capsys):
    with pytest.raises(SystemExit):
        run.main(["--quick", "--readme"])
    assert "--readme writes the full run's figures" in capsys.readouterr().err


def test_readme_performance_section_is_a_full_run_of_the_current_targets():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = run.README_MARKERS
    section = text[text.index(start) + len(start):text.index(end)]
    # the command of the run shown, which wrote this section
    assert re.search(r"`python benchmarks/run\.py [^`]*--readme[^`]*`", section)
    assert "not judged" not in section
    for phrase in (*(f"≥ {target:.0f}× faster than micrograd, forward + backward, {name}"
                     for name, target in run.TARGET_SPEEDUPS.items()),
                   f"≥ {run.TARGET_GPT_SPEEDUP:g}× faster than microgpt's local-gradient Value",
                   f"≥ {run.TARGET_NN_SPEEDUP:.0f}× faster than micrograd's MLP"):
        assert phrase in section


def test_a_ratio_nearer_its_line_than_the_runs_spread_is_said_to_be_close():
    near = run._close("chain", 10.5, 10.0, {"spread": 0.04}, {"spread": 0.2})
    assert "10.50× against 10×" in near and "20%" in near
    assert run._close("moons", 13.0, 10.0, {"spread": 0.1}, {"spread": 0.2}) == ""
    assert run._close_notes([{"met": True, "close": near}])[1].startswith("Close to the line: ")


# ---- where a node's time goes ---------------------------------------------------

def test_node_cost_times_every_part_of_a_node_on_a_short_chain():
    from benchmarks import node_cost
    rows = node_cost.measure(steps=50, reps=1)
    assert list(rows) == list(node_cost.ROWS)
    assert all(ns > 0 for ns in rows.values())      # each part was timed, on its own clock


def test_node_costs_bare_node_does_the_arithmetic_of_floats():
    from benchmarks import node_cost
    bare = node_cost._chain(node_cost._bare_leaf(), 50)
    assert bare.data == node_cost._chain(1.0, 50)
    assert bare.op == "+" and bare.a.op == "*"


def test_node_cost_refuses_reps_below_one(capsys):
    from benchmarks import node_cost
    with pytest.raises(SystemExit):
        node_cost.main(["--reps", "0"])
    assert "--reps must be at least 1, got 0" in capsys.readouterr().err


def test_the_readme_names_the_targets_near_their_line_and_the_docs_give_the_notes():
    near = run._close("chain", 10.5, 10.0, {"spread": 0.04}, {"spread": 0.2})
    results = {"targets": [{"target": "t", "measured": "10.50×", "met": True, "close": near}]}
    short = "\n".join(run._targets_table(results, notes=False))
    assert "Nearer their line than this run's spread: chain " in short
    assert "Close to the line" not in short
    assert "Close to the line: chain" in "\n".join(run._targets_table(results))
