"""The examples of the README and of docs/*.md type-check as users run them, operators have types,
and what would drop a gradient is a type error before it runs.

mypy (in the dev extra) checks them; pyright too when it is installed with its
bundled server and Node.js is on the PATH (it is never downloaded here).
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a user writes: each line's revealed type, or the error it must be.
SNIPPET = '''\
import math
import nn
from autograd_lite import Value, vsum
a = Value(1.0); b = Value(2.0)
reveal_type(a * b)                                              # Value
reveal_type(2 * a + 1.5)                                        # Value
reveal_type(1 / a - b ** 2)                                     # Value
reveal_type(2 ** a)                                             # Value
reveal_type(-abs(a).exp().tanh())                               # Value
reveal_type(a < b)                                              # bool
reveal_type(a.item())                                           # float
reveal_type(vsum([a, b]))                                       # Value
reveal_type(nn.mse_loss([a], [1.0]))                            # Value
reveal_type(nn.mse_loss([a], [1.0], reduction="sum"))           # Value
reveal_type(nn.mse_loss([a], [1.0], reduction="none"))          # List[Value]
reveal_type(nn.cross_entropy([a, b], 0))                        # Value
reveal_type(nn.huber_loss([a], [1.0], 0.5, reduction="none"))   # List[Value]
reveal_type(nn.binary_cross_entropy_with_logits(a, 1.0))        # Value
reveal_type(nn.Layer(2, 3)([a, b]))                             # List[Value]
reveal_type(nn.Neuron(2)([a, b]))                               # Value
math.exp(a)                                                     # error
float(a)                                                        # error
a + "3"                                                         # error
'''


PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def script_name(page: Path) -> str:
    """The file a page's examples are checked as: readme_examples.py, docs_nn.py, ..."""
    if page.name == "README.md":
        return "readme_examples.py"
    return "docs_" + page.stem.replace("-", "_") + ".py"


def readme_examples(page: Path = ROOT / "README.md") -> str:
    """A page's Python examples as one script, in order, as a user would
    paste them: the prompts stripped, and the statements the page shows
    failing (their output is a traceback) left out."""
    text = page.read_text(encoding="utf-8")
    lines: List[str] = []
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        statements: List[List[List[str]]] = []        # [code lines, output lines]
        for line in block.splitlines():
            if line.startswith(">>> ") or line == ">>>":
                statements.append([[line[4:]], []])
            elif (line.startswith("... ") or line == "...") and statements \
                    and not statements[-1][1]:
                statements[-1][0].append(line[4:])
            elif statements:
                statements[-1][1].append(line)
        for code, output in statements:
            if not (output and output[0].startswith("Traceback")):
                lines.extend(code)
    return "\n".join(lines) + "\n"


def expectations() -> Dict[int, str]:
    """Line number -> the type or "error" the snippet's comment states."""
    return {number: line.rsplit("# ", 1)[1].strip()
            for number, line in enumerate(SNIPPET.splitlines(), 1) if "# " in line}


def test_the_readme_has_examples_to_check():
    script = readme_examples()
    assert "loss.backward()" in script and "Value(\"3\")" not in script
    compile(script, "README.md", "exec")


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("typing")
    for page in PAGES:
        (folder / script_name(page)).write_text(readme_examples(page), encoding="utf-8")
    (folder / "snippet.py").write_text(SNIPPET, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def mypy_output(sources) -> str:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    # --follow-imports=silent: report the user's files only, as mypy does for
    # an installed package; the package itself is not what is checked here.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-error-summary",
         "--show-error-codes", "--cache-dir", str(sources / ".mypy_cache"),
         *map(script_name, PAGES), "snippet.py"],
        cwd=sources, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, MYPYPATH=str(ROOT)))
    assert result.stderr == "", result.stderr
    return result.stdout


def test_the_readme_and_docs_examples_type_check_under_mypy(mypy_output):
    pages = tuple(script_name(page) for page in PAGES)
    assert len(pages) >= 7
    errors = [line for line in mypy_output.splitlines() if line.startswith(pages)]
    assert errors == []


def test_operators_and_losses_have_precise_types_under_mypy(mypy_output):
    revealed = {int(m.group(1)): m.group(2).replace("builtins.", "") for m in re.finditer(
        r'^snippet\.py:(\d+): note: Revealed type is "(.*)"$', mypy_output, re.M)}
    errors = {int(m.group(1)) for m in re.finditer(r"^snippet\.py:(\d+): error:",
                                                   mypy_output, re.M)}
    for line, expected in expectations().items():
        if expected == "error":
            assert line in errors, (line, mypy_output)
            continue
        assert line not in errors, (line, mypy_output)
        name = {"Value": "autograd_lite.core.Value", "bool": "bool", "float": "float",
                "List[Value]": "list[autograd_lite.core.Value]"}[expected]
        assert revealed.get(line) == name, (line, mypy_output)


def _pyright() -> List[str]:
    """The pyright command, if it can run without downloading anything: the
    PyPI package with the bundled server, and Node.js on the PATH."""
    spec = importlib.util.find_spec("pyright")
    if spec is None or spec.origin is None or shutil.which("node") is None:
        pytest.skip("pyright (with Node.js on the PATH) is not installed; mypy checks these")
    if not (Path(spec.origin).parent / "dist" / "package.json").exists():
        pytest.skip("this pyright package does not bundle its server (it would download it)")
    return [sys.executable, "-m", "pyright"]


def test_the_readme_examples_and_the_snippet_type_check_under_pyright(sources):
    command = _pyright()
    result = subprocess.run(
        command + ["--pythonpath", sys.executable, "--outputjson",
                   *map(script_name, PAGES), "snippet.py"],
        cwd=sources, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=str(ROOT), PYRIGHT_PYTHON_IGNORE_WARNINGS="1"))
    report = json.loads(result.stdout)
    found: Dict[str, Dict[int, List[str]]] = {}
    for d in report["generalDiagnostics"]:
        found.setdefault(Path(d["file"]).name, {}).setdefault(
            d["range"]["start"]["line"] + 1, []).append(f"{d['severity']}: {d['message']}")
    page_errors = {(page, line): notes for page in map(script_name, PAGES)
                   for line, notes in found.get(page, {}).items()
                   if any(n.startswith("error") for n in notes)}
    assert page_errors == {}
    snippet = found.get("snippet.py", {})
    for line, expected in expectations().items():
        notes = snippet.get(line, [])
        if expected == "error":
            assert any(n.startswith("error") for n in notes), (line, notes)
        else:
            assert any(n.endswith(f'is "{expected}"') for n in notes), (line, notes)
