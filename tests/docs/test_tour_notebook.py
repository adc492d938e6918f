"""docs/tour.ipynb, executed in a real Jupyter kernel (nbclient and ipykernel,
from the dev extra), its outputs checked; then its outputs shown as a notebook
shows them, in headless Chromium."""

import html
import os
import re
import shutil
from pathlib import Path

import pytest

from demos import _browser
from support import ROOT, page_data

nbformat = pytest.importorskip("nbformat", reason="pip install -e \".[dev]\" (nbclient)")
nbclient = pytest.importorskip("nbclient", reason="pip install -e \".[dev]\"")
pytest.importorskip("ipykernel", reason="pip install -e \".[dev]\"")
pytestmark = pytest.mark.skipif(shutil.which("dot") is None,
                                reason="needs Graphviz's dot: sudo apt-get install graphviz")

TOUR = Path(ROOT) / "docs" / "tour.ipynb"


@pytest.fixture(scope="module")
def tour():
    """The tour, executed top to bottom in a fresh kernel: {cell id: outputs}."""
    notebook = nbformat.read(TOUR, as_version=4)
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, saved]))  # this checkout
    try:
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(TOUR.parent)}}).execute()
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
    return {cell["id"]: cell["outputs"] for cell in notebook.cells if cell.cell_type == "code"}


def text_of(outputs):
    """What a cell printed and showed as text, in order."""
    parts = []
    for output in outputs:
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "text/plain" in output.get("data", {}):
            parts.append(output["data"]["text/plain"])
    return "".join(parts)


def only(outputs, kind):
    found = [o["data"][kind] for o in outputs if kind in o.get("data", {})]
    assert len(found) == 1, [list(o.get("data", {})) for o in outputs]
    return found[0]


def test_the_tour_is_saved_without_outputs_and_every_cell_has_an_id():
    notebook = nbformat.read(TOUR, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_the_tours_value_graph_page_and_explain_show_what_they_should(tour):
    assert text_of(tour["tour-02"]) == "y = -0.999329, dy/da = -0.002682, dy/db = 0.002682\n"
    svg = only(tour["tour-04"], "image/svg+xml")
    assert svg.count("data ") == 5 and "tanh" in svg
    frame = only(tour["tour-06"], "text/html")
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts".*</iframe>', frame)
    assert match
    data = page_data(html.unescape(match.group(1)))
    assert (len(data["values"]), len(data["backward"])) == (5, 5)
    assert data["backward"][-1]["total"] == "b.grad = 2.682e-03"
    lines = text_of(tour["tour-08"]).splitlines()            # shown as lines, not a repr
    assert lines[0] == "backward from y = -4.0000, y.grad = 1" and len(lines) == 6
    assert lines[-1].endswith("b.grad = 2.0000")


def test_the_tours_derivative_over_an_array_is_grads_at_each_point(tour):
    printed = text_of(tour["tour-10"])
    difference = float(re.search(r"largest difference from grad\(f\) at each point: (\S+)",
                                 printed).group(1))
    assert printed.startswith("f'(x) at 201 points") and difference < 1e-12
    assert "compile it: compile(grad(f))(xs)" in text_of(tour["tour-11"])
    assert only(tour["tour-12"], "image/png")


def test_the_tours_networks_learn(tour):
    assert text_of(tour["tour-14"]).endswith("predictions [0, 1, 1, 0]\n")
    assert text_of(tour["tour-16"]).endswith("accuracy 1.00\n")


def test_the_tours_page_steps_in_a_browser_beside_its_graph(tour, tmp_path):
    problem = _browser.missing()
    if problem:
        pytest.skip(f"the tour's page in a browser: {problem}")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    outputs = [only(tour["tour-04"], "image/svg+xml"), only(tour["tour-06"], "text/html")]
    path = tmp_path / "tour.html"
    path.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    + "".join(f"<div>{o}</div>" for o in outputs) + "</body></html>",
                    encoding="utf-8")
    with _browser.chromium() as driver:
        driver.get(_browser.file_url(str(path)))
        driver.switch_to.frame(driver.find_element(By.TAG_NAME, "iframe"))
        total = driver.execute_script("return window.stepper.total")
        body = driver.find_element(By.TAG_NAME, "body")
        driver.find_element(By.ID, "picture").click()      # as a reader clicks into it
        for _ in range(total):
            body.send_keys(Keys.ARROW_RIGHT)
        assert driver.execute_script("return window.stepper.step") == total
        assert "b.grad = 2.682e-03" in driver.find_element(By.ID, "panel").text
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
