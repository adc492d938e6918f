"""The core alone (``AUTOGRAD_LITE_REFERENCE=1``) and the core with the
accelerator installed give the same gradients, bit for bit; the accelerator
replaces exactly the methods it lists.

Each mode runs in a subprocess of its own, since the mode is chosen once, when
the package is imported. (CI also runs the engine, functional, nn and
property tests a second time in reference mode: ``make test``.)
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_lite import Value, accelerator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _run(code_or_script, reference: bool) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("AUTOGRAD_LITE_REFERENCE", None)
    if reference:
        env["AUTOGRAD_LITE_REFERENCE"] = "1"
    args = ([sys.executable, str(code_or_script)] if isinstance(code_or_script, Path)
            else [sys.executable, "-c", code_or_script])
    return subprocess.run(args, env=env, cwd=str(ROOT), capture_output=True, text=True,
                          check=True, timeout=600).stdout


@pytest.fixture(scope="module")
def both_modes():
    script = HERE / "reference_workloads.py"
    return _run(script, reference=False), _run(script, reference=True)


def test_each_mode_runs_as_the_environment_asks(both_modes):
    accelerated, reference = both_modes
    assert accelerated.splitlines()[0] == "accelerated"
    assert reference.splitlines()[0] == "reference"


def test_the_core_alone_gives_the_accelerators_losses_and_gradients_bit_for_bit(both_modes):
    accelerated, reference = both_modes
    lines = accelerated.splitlines()[1:]
    assert len(lines) >= 20 and all(len(line.split()) >= 3 for line in lines)
    assert reference.splitlines()[1:] == lines


_METHODS = ("from autograd_lite import Value\n"
            "for name, v in sorted(vars(Value).items()):\n"
            "    print(name, getattr(v, '__module__', None))\n")


def test_the_accelerator_replaces_exactly_the_methods_it_lists():
    accelerated = dict(line.split(" ", 1) for line in _run(_METHODS, False).splitlines())
    reference = dict(line.split(" ", 1) for line in _run(_METHODS, True).splitlines())
    assert set(accelerated) == set(reference)
    changed = {name for name in reference if accelerated[name] != reference[name]}
    assert changed == set(accelerator.REPLACES)
    assert {accelerated[name] for name in changed} == {"autograd_lite.accelerator"}


def test_the_accelerator_says_whether_it_is_installed():
    fast = os.environ.get("AUTOGRAD_LITE_REFERENCE", "") in ("", "0")
    assert accelerator.installed() is fast
    assert (Value.backward.__module__ == "autograd_lite.accelerator") is fast


REPORTED = """
from autograd_lite import Value
from autograd_lite.tracing import TraceHook, set_trace_hook
made = []
class Hook(TraceHook):
    def created(self, node):
        made.append(node)
set_trace_hook(Hook())
try:
    x, y = Value(2.0), Value(3.0)
    nodes = [x + 2.0, 2 + x, x * y, 3.0 * y, x - y, x.exp()]
finally:
    set_trace_hook(None)
print(len(made), all(a is b for a, b in zip(made, nodes)))
"""


@pytest.mark.parametrize("reference", [False, True], ids=["accelerated", "reference"])
def test_a_tracer_is_told_of_each_node_once_in_either_mode(reference):
    assert _run(REPORTED, reference).split() == ["6", "True"]
