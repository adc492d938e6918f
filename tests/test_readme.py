"""The README keeps up with the code: its op table is the one the table
generates, and its Quick start is two commands, the second of which CI runs."""

import os
import re
from pathlib import Path

from autograd_lite.ops import markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

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
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return [line.strip() for line in script.splitlines()
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
        assert "setup" in prerequisites and "demos/" in recipe
