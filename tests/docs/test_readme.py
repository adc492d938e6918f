"""The README keeps up with the code: it is a front page of at most 250 lines
linking to docs/ for the rest, its op table is the one the table generates,
and its Quick start is two commands, the second of which CI runs."""

import os
import re
import shutil
import subprocess
import types
from pathlib import Path

import pytest

from autograd_lite.ops import markdown_table

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").glob("*.md"))

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def quick_start_section() -> str:
    """The README text from the Quick start heading to the next heading."""
    match = re.search(r"^(#+)\s*Quick start\s*$(.*?)(?=^#+\s|\Z)", README, re.M | re.S | re.I)
    assert match, "README.md needs a 'Quick start' heading"
    return match.group(2)


def quick_start_commands():
    blocks = FENCE.findall(quick_start_section())
    assert len(blocks) == 1, f"Quick start needs exactly one fenced block, found {len(blocks)}"
    return [line.strip() for line in blocks[0].splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_readme_op_table_is_the_generated_one():
    match = re.search(r"<!-- op-table:start -->\n(.*?)\n<!-- op-table:end -->", README, re.S)
    assert match, "README.md needs the op-table:start / op-table:end markers"
    assert match.group(1) == markdown_table(), (
        "README.md's op table is out of date: replace it with the output of "
        "`python -m autograd_lite`")


def test_quick_start_is_one_fenced_block_of_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2, f"Quick start needs exactly two commands, got {commands}"


def test_quick_start_block_follows_the_heading_directly():
    section = quick_start_section()
    assert section.lstrip().startswith("```"), "the command block should come first"


def ci_commands():
    """.ci/run's commands, without the environment assignments before them
    (``AUTOGRAD_LITE_NO_SKIPS=1 make test`` runs ``make test``)."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return [re.sub(r"^(\w+=\S*\s+)+", "", line.strip()) for line in script.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_ci_runs_the_readme_test_command():
    demo, test = quick_start_commands()
    assert test in ci_commands(), f".ci/run must run {test!r}"
    assert demo not in ci_commands()


def test_ci_script_is_executable():
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def make_rule(target: str):
    """A Makefile target's prerequisites and recipe."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:([^\n]*)\n((?:\t[^\n]*\n)*)", makefile, re.M)
    assert match, f"Makefile has no {target!r} target"
    return match.group(1).split(), match.group(2)


def test_readme_make_commands_set_up_and_run_the_demo_and_the_tests():
    demo, test = quick_start_commands()
    if test.startswith("make "):
        prerequisites, recipe = make_rule(test.split()[1])
        assert "setup" in prerequisites and "pytest" in recipe
    if demo.startswith("make "):
        prerequisites, recipe = make_rule(demo.split()[1])
        assert "demo-setup" in prerequisites and "demos/" in recipe


def make(venv, *targets, dry=False):
    """The pip commands ``make targets`` runs (or would, ``dry``) with the venv
    at ``venv`` and ``/bin/true`` for its Python: it installs nothing."""
    result = subprocess.run(["make", "-C", str(ROOT), f"VENV={venv}", "PY=/bin/true",
                             *(["-n"] if dry else []), *targets],
                            capture_output=True, text=True, check=True)
    return [line.split("install -q -e ")[1] for line in result.stdout.splitlines()
            if "pip install" in line]


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("cksum") is None,
                    reason="needs make and cksum")
def test_make_demo_installs_the_demos_extra_and_make_test_then_the_dev_extra(tmp_path):
    assert make_rule("demo")[0] == ["demo-setup"]
    assert make_rule("demo-setup")[0] == ["system-deps", "$(DEMO_STAMP)"]
    assert make_rule("setup")[0] == ["system-deps", "browser-deps", "$(DEV_STAMP)"]
    checksum = subprocess.run("cksum < pyproject.toml", shell=True, cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.split()[0]
    venv = tmp_path / "venv"
    venv.mkdir()
    demos, dev = (str(venv / f".installed-{extra}-{checksum}") for extra in ("demos", "dev"))
    assert make(venv, demos, dry=True) == ['".[demos]"']      # make demo: the demos only
    assert make(venv, demos) == ['".[demos]"']
    assert make(venv, demos, dry=True) == []                   # once
    assert make(venv, dev) == ['".[dev]"']                     # then make test: dev
    assert make(venv, demos, dev, dry=True) == []              # which has the demos' too
    Path(dev).rename(venv / ".installed-dev-1")                # pyproject.toml edited
    assert make(venv, dev, dry=True) == ['".[dev]"']


def test_the_readme_is_a_front_page_of_at_most_250_lines():
    assert len(README.splitlines()) <= 250


def test_the_readme_tours_each_part_with_an_example_and_a_link_to_its_doc():
    tour = re.search(r"^## A short tour\n(.*?)^## ", README, re.M | re.S).group(1)
    for part, doc in [("Your own ops", "custom-ops.md"), ("Transforms", "transforms.md"),
                      ("Training networks", "nn.md"), ("Compile", "compile.md"),
                      ("Pictures and the stepping page", "pictures.md"),
                      ("Notebooks", "tour.ipynb")]:
        paragraph = re.search(rf"^\*\*{re.escape(part)}.*?(?=^\*\*|\Z)", tour, re.M | re.S)
        assert paragraph, part
        assert f"(docs/{doc})" in paragraph.group(0), part
        assert doc.endswith(".ipynb") or ">>> " in paragraph.group(0), part


def test_every_link_of_the_readme_and_the_docs_to_a_file_of_the_project_exists():
    for page in [ROOT / "README.md"] + DOCS:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (page.parent / target).exists(), (page.name, target)


def test_the_reference_docs_are_all_there_and_doctested():
    names = {path.name for path in DOCS}
    assert {"engine.md", "custom-ops.md", "transforms.md", "nn.md", "compile.md",
            "pictures.md", "performance.md", "development.md"} <= names
    config = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert re.search(r"^testpaths = .*\bdocs\b", config, re.M)
    assert "--doctest-glob=docs/*.md" in config and "--doctest-glob=README.md" in config
    examples = [path.name for path in DOCS if ">>> " in path.read_text(encoding="utf-8")]
    assert len(examples) >= 6, examples


def test_the_tests_index_names_every_test_file_and_no_two_share_a_name():
    tests = ROOT / "tests"
    files = sorted(tests.glob("*/test_*.py"))
    assert not list(tests.glob("test_*.py"))             # every test file is in a folder
    names = [path.name for path in files]
    assert len(names) == len(set(names))                 # pytest imports them by base name
    assert not list(tests.rglob("__init__.py"))          # tests/nn/ must not shadow nn
    index = (tests / "README.md").read_text(encoding="utf-8")
    for path in files:
        row = re.search(rf"^\| \[`{path.parent.name}/`\].*$", index, re.M)
        assert row and re.search(rf"\b{path.stem}\b", row.group(0)), path


def readme_block(containing: str) -> str:
    """The one code block of the README or of docs/*.md that holds ``containing``."""
    texts = [README] + [path.read_text(encoding="utf-8") for path in DOCS]
    blocks = [block for text in texts for block in FENCE.findall(text) if containing in block]
    assert len(blocks) == 1, f"README.md and docs/ need one code block with {containing!r}"
    return blocks[0]


def test_the_readme_moves_a_trained_model_to_pytorch_in_three_lines(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    import nn

    code = readme_block("model.to_torch()")
    lines = [line for line in code.splitlines() if line.strip()]
    assert len(lines) == 3
    model = nn.MLP(2, [8, 1], activation="tanh", seed=0)
    namespace = {"model": model}
    exec(compile(code, "README.md", "exec"), namespace)
    net = namespace["net"]
    assert isinstance(net, torch.nn.Sequential)
    assert net(torch.tensor([1.0, 0.0], dtype=torch.float64)).item() == \
        pytest.approx(model([1.0, 0.0]).data, abs=1e-12, rel=0)

    monkeypatch.chdir(tmp_path)
    trained = nn.MLP(2, [8, 1], activation="tanh", seed=1)
    namespace["model"] = trained
    namespace["safetensors"] = types.SimpleNamespace(torch=safetensors_torch)
    exec(compile(readme_block("safetensors.torch.load_file"), "README.md", "exec"), namespace)
    assert net(torch.tensor([1.0, 0.0], dtype=torch.float64)).item() == \
        pytest.approx(trained([1.0, 0.0]).data, abs=1e-12, rel=0)
    assert nn.load_model("model.safetensors").state_dict() == trained.state_dict()


def test_the_readme_resume_example_runs(tmp_path, monkeypatch):
    import nn
    from autograd_lite import Value

    monkeypatch.chdir(tmp_path)
    model = nn.MLP(2, [3, 1], seed=0)
    opt = nn.Adam(model.parameters(), lr=0.1)
    sched = nn.StepLR(opt, step_size=2)
    model.parameters()[0].grad = 1.0
    opt.step()
    namespace = {"nn": nn, "model": model, "opt": opt, "sched": sched, "Value": Value}
    exec(compile(readme_block("nn.save_checkpoint(model"), "README.md", "exec"), namespace)
    assert nn.read_checkpoint("run.json")["metadata"] == {"epoch": 5}
