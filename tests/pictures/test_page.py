"""The interactive page, save_graph(root, "graph.html"): one self-contained file
that steps through forward and backward. Its structure is checked here
directly, and its behaviour in headless Chromium (skipped, with the install
command, where Chromium, chromedriver or selenium is missing)."""

import re
import shutil
import time
import warnings
from pathlib import Path

import pytest

import nn
from autograd_lite import Value, dot, explain, save_graph, vsum
from autograd_lite.explain import backward_steps, node_name
from autograd_lite.text import number
from autograd_lite.graph import drawing_order
from autograd_lite.page import build_page, save_page
from support import ROOT, assert_no_temporary_files, page_data  # noqa: F401  (ROOT: demos import)
from demos import _browser
from lecture_cells import neuron

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="needs Graphviz's dot: sudo apt-get install graphviz")
pytestmark = needs_dot


def lecture_neuron():
    """The lecture's neuron, built by its own cells: its output o."""
    return neuron()["o"]


def reuse():
    a = Value(0.5, label="a")
    b = a * a
    c = a.exp()
    y = (b + c) * a - vsum([a, b, 2.0]) + dot([a, c], [3.0, -1.0])
    y.label = "y"
    return y


def xor_network():
    model = nn.MLP(2, [3, 1], activation="tanh", init="xavier", seed=0)
    logit = model([Value(1.0, label="x1"), Value(0.0, label="x2")])
    loss = nn.binary_cross_entropy_with_logits(logit, 1)
    loss.label = "loss"
    return loss


GRAPHS = {"lecture_neuron": lecture_neuron, "reuse": reuse, "xor_network": xor_network}


def values_in_order(root):
    """The values as the page numbers them (draw_graph's v0, v1, ...)."""
    return drawing_order(root)[0]


# ---------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------

def test_save_graph_writes_one_html_page_atomically(tmp_path):
    path = save_graph(lecture_neuron(), tmp_path / "neuron.html")
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "<svg" in text and "<script>" in text and "<style>" in text
    assert_no_temporary_files(tmp_path)


def test_the_page_fetches_nothing():
    text = build_page(lecture_neuron())
    assert not re.search(r"<script[^>]*\bsrc=|<link\b|<img\b|<iframe\b|@import|url\(|"
                         r"fetch\(|XMLHttpRequest|\bimport\(", text)
    # the only addresses are SVG's namespace names, which nothing fetches
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_the_pages_last_gradients_are_the_bits_backward_gives(name):
    data = page_data(build_page(GRAPHS[name]()))
    shown = {data["root"]: data["rootExact"]}
    for step in data["backward"]:                   # the last step to reach a value wins
        shown[step["input"]] = step["exact"]
    twin = GRAPHS[name]()
    twin.backward()
    assert [shown[i] for i in range(len(data["values"]))] == \
        [repr(v.grad) for v in values_in_order(twin)]


def grads_and_counts(root):
    return [(repr(v.grad), v._pending) for v in values_in_order(root)]


def set_grads_as_in_training(root):
    """After a backward and an optimizer step: every gradient non-zero, and
    different from what a backward from root would give."""
    root.backward()
    for i, v in enumerate(values_in_order(root)):
        v.grad = v.grad * 3.0 + 0.25 * (i + 1)


@pytest.mark.parametrize("suffix", [".html", ".svg", ".dot"])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_saving_a_picture_or_page_mid_training_changes_no_gradient(name, suffix, tmp_path):
    root = GRAPHS[name]()
    set_grads_as_in_training(root)
    before = grads_and_counts(root)
    save_graph(root, tmp_path / f"graph{suffix}")
    assert grads_and_counts(root) == before         # leaves and interior nodes alike


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_the_page_does_not_depend_on_gradients_left_from_before(name):
    used = GRAPHS[name]()
    set_grads_as_in_training(used)
    assert build_page(used) == build_page(GRAPHS[name]())


def test_a_gradient_that_is_a_value_comes_back_as_that_value(tmp_path):
    x = Value(3.0, label="x")
    y = x ** 3
    y.backward(create_graph=True)                   # x.grad = 3x², a Value with a graph
    grad = x.grad
    save_graph(y, tmp_path / "cube.html")
    assert x.grad is grad and y.grad == 1.0


def test_a_page_that_fails_part_way_puts_every_gradient_back():
    root = lecture_neuron()
    set_grads_as_in_training(root)
    before = grads_and_counts(root)
    n = [v for v in values_in_order(root) if v.label == "n"][0]
    n_op = n.op

    class Boom(Exception):
        pass

    seen_when_it_failed = []

    class Broken:                   # n's op fails to give partials: mid-walk
        def __getattr__(self, name):
            if name == "partials":
                seen_when_it_failed.append(grads_and_counts(root))
                raise Boom
            return getattr(n_op, name)
    try:
        n.op = Broken()
        with pytest.raises(Boom):
            build_page(root)
        changed = grads_and_counts(root)
    finally:
        n.op = n_op
    assert seen_when_it_failed and seen_when_it_failed[0] != before   # the walk had begun
    assert changed == before
    twin = lecture_neuron()
    for v in values_in_order(root):
        v.grad = 0.0
    root.backward()                 # and the next backward is backward's
    twin.backward()
    assert grads_and_counts(root) == grads_and_counts(twin)


def label_only_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    hand = Value(a.data + b.data, (a, b), "+")     # micrograd's way: a label, no rule
    return (hand * a).tanh()


def backward_warning():
    with pytest.warns(UserWarning) as caught:
        label_only_graph().backward()
    return str(caught[0].message)


@pytest.mark.parametrize("where, save", [
    ("build_page()", lambda root, folder: build_page(root)),
    ("save_page()", lambda root, folder: save_page(root, folder / "page.html")),
    ("save_graph()", lambda root, folder: save_graph(root, folder / "page.html")),
])
def test_the_page_warns_through_label_only_nodes_as_backward_does(where, save, tmp_path):
    root = label_only_graph()
    with pytest.warns(UserWarning, match="children get no gradient") as caught:
        save(root, tmp_path)
    assert len(caught) == 1
    assert str(caught[0].message) == backward_warning().replace("backward()", where, 1)
    assert caught[0].filename == __file__               # points at the caller's line


@pytest.mark.parametrize("save", [
    lambda root, folder: save_page(root, folder / "page.html"),
    lambda root, folder: save_graph(root, folder / "page.html"),
])
def test_a_warning_made_an_error_stops_the_save_before_it_writes(save, tmp_path):
    root = label_only_graph()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="children get no gradient"):
            save(root, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_page_steps_through_local_gradient_nodes_without_a_warning_as_backward():
    def build():
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        hand = Value(a.data * b.data, (a, b), (b.data, a.data))   # microgpt's way
        hand.label = "ab"
        return (hand + a).tanh()
    root, twin = build(), build()
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # backward() does not warn either
        data = page_data(build_page(root))
        twin.backward()
    ab = [v for v in data["values"] if v["name"] == "ab"][0]
    assert ab["formula"] == "local(a, b)" and ab["op"] == "local"
    last = {}                                           # each value's gradient at the end
    for step in data["backward"]:
        last[data["values"][step["input"]]["name"]] = step["exact"]
    assert last == {node_name(v): repr(v.grad) for v in values_in_order(twin) if v is not twin}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_the_pages_steps_are_explains_walk(name):
    root = GRAPHS[name]()
    data = page_data(build_page(root))
    twin = GRAPHS[name]()
    steps = backward_steps(twin)
    order = {id(v): i for i, v in enumerate(values_in_order(twin))}
    assert [(s["node"], s["input"]) for s in data["backward"]] == \
        [(order[id(s.node)], order[id(s.input)]) for s in steps]
    lines = explain(GRAPHS[name](), max_nodes=500).splitlines()[2:]
    for line, step in zip(lines, data["backward"]):
        assert step["local"] in line and line.endswith(step["total"])


def test_a_reused_input_shows_its_running_total_on_the_page():
    x = Value(3.0, label="x")
    data = page_data(build_page(x * x))
    assert [s["total"] for s in data["backward"]] == [
        "x.grad = 3.0000  (use 1 of 2)", "x.grad = 3.0000 + 3.0000 = 6.0000  (use 2 of 2)"]


def test_parameters_given_as_a_generator_are_marked_as_from_a_list():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = a * b
    from_a_list = build_page(y, params=[a])
    assert build_page(y, params=(v for v in [a])) == from_a_list
    assert from_a_list != build_page(y, params=[])      # a is marked a parameter


def test_the_page_refuses_what_it_cannot_show():
    y = Value(1.0) * 2
    with pytest.raises(TypeError, match="an .html page needs a Value"):
        build_page([y])
    with pytest.raises(TypeError, match="show_grad= does not apply to an .html page"):
        build_page(y, show_grad=False)
    with pytest.raises(ValueError, match="dpi applies to .png files only"):
        save_graph(y, "graph.html", dpi=150)
    xs = [Value(float(i)) for i in range(300)]
    big = sum(x * x for x in xs)
    with pytest.raises(ValueError, match="draw_graph: the graph has 900 values, more than "
                                         "max_nodes=500"):
        build_page(big)
    assert all(x.grad == 0.0 for x in xs)            # refused before running backward


PAGE_CALLS = {
    "build_page": lambda root, folder, **options: build_page(root, **options),
    "save_page": lambda root, folder, **options: save_page(root, folder / "page.html",
                                                           **options),
    "save_graph": lambda root, folder, **options: save_graph(root, folder / "page.html",
                                                             **options),
}


@pytest.mark.parametrize("name", sorted(PAGE_CALLS))
def test_the_pages_errors_name_the_function_called(name, tmp_path):
    call = PAGE_CALLS[name]
    with pytest.raises(TypeError, match=f"^{name}: an .html page needs a Value to step "
                                        "through, got int"):
        call(3, tmp_path)
    y = Value(1.0) * 2
    for option, value in (("show_grad", False), ("colour_by_grad", True), ("depth", 1)):
        with pytest.raises(TypeError, match=f"^{name}: {option}= does not apply to an "
                                            ".html page"):
            call(y, tmp_path, **{option: value})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, save", [("save_page", save_page), ("save_graph", save_graph)])
def test_a_page_that_cannot_be_written_names_the_function_called(name, save, tmp_path,
                                                                 monkeypatch):
    y = Value(1.0) * 2
    with pytest.raises(FileNotFoundError, match=f"^{name}: cannot write .* does not exist"):
        save(y, tmp_path / "missing" / "page.html")
    (tmp_path / "folder.html").mkdir()
    with pytest.raises(IsADirectoryError, match=f"^{name}: cannot write .* it is a folder"):
        save(y, tmp_path / "folder.html")
    # the folder goes away while the page is built: the write itself fails
    import autograd_lite.page as page_module
    folder = tmp_path / "vanishing"
    folder.mkdir()
    build = page_module._page

    def build_then_remove_the_folder(*args):
        built = build(*args)
        folder.rmdir()
        return built
    monkeypatch.setattr(page_module, "_page", build_then_remove_the_folder)
    with pytest.raises(FileNotFoundError, match=f"^{name}: cannot write .* does not exist"):
        save(y, folder / "page.html")


# ---------------------------------------------------------------------------
# In a browser
# ---------------------------------------------------------------------------

def open_page(driver, tmp_path, root, name="page.html"):
    path = save_graph(root, tmp_path / name)
    driver.get(_browser.file_url(path))
    driver.get_log("browser")                       # start each page with an empty log
    return page_data(Path(path).read_text(encoding="utf-8"))


def shown(driver):
    """What the page shows: per value box, its data text, grad text (None when
    hidden) and the exact gradient it holds."""
    return driver.execute_script("""
        const out = [];
        for (let i = 0; ; i++) {
            let g = null;
            for (const node of document.querySelectorAll('g.node')) {
                if (node.querySelector('title').textContent === 'v' + i) g = node;
            }
            if (!g) return out;
            const texts = g.querySelectorAll('text');      // ..., data, grad
            const grad = texts[texts.length - 1];
            out.push({data: texts[texts.length - 2].textContent,
                      grad: grad.classList.contains('hidden-text') ? null : grad.textContent,
                      exact: g.getAttribute('data-grad')});
        }""")


def step_of(driver):
    return driver.execute_script("return window.stepper.step")


def errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_stepping_to_the_end_shows_backwards_gradients(browser, tmp_path, name):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    data = open_page(browser, tmp_path, GRAPHS[name]())
    twin = GRAPHS[name]()
    twin.backward()
    expected = values_in_order(twin)
    total = len(data["values"]) + 1 + len(data["backward"])
    body = browser.find_element(By.TAG_NAME, "body")
    next_button = browser.find_element(By.ID, "next")
    assert step_of(browser) == 0
    assert all(box["grad"] is None for box in shown(browser))
    for k in range(total):
        if k % 2:
            body.send_keys(Keys.ARROW_RIGHT)
        else:
            next_button.click()
    assert step_of(browser) == total
    body.send_keys(Keys.ARROW_RIGHT)                 # past the end: stays at the end
    assert step_of(browser) == total
    boxes = shown(browser)
    assert len(boxes) == len(expected)
    for box, value in zip(boxes, expected):
        assert box["data"] == f"data {number(value.data)}"
        assert box["grad"] == f"grad {number(value.grad)}"
        assert float(box["exact"]) == value.grad      # the bits, not just 4 decimals
    assert errors(browser) == []


def test_the_forward_pass_shows_values_in_topological_order(browser, tmp_path):
    from selenium.webdriver.common.by import By

    data = open_page(browser, tmp_path, lecture_neuron())
    panel = browser.find_element(By.ID, "panel")
    visible = []
    for k in range(1, len(data["values"]) + 1):
        browser.find_element(By.ID, "next").click()
        boxes = shown(browser)
        visible.append(sum(not browser.execute_script(
            "return Array.from(document.querySelectorAll('g.node')).find("
            "n => n.querySelector('title').textContent === 'v' + arguments[0])"
            ".classList.contains('pending')", i) for i in range(len(boxes))))
        assert f"Forward {k} of {len(data['values'])}" in panel.text
        assert all(box["grad"] is None for box in boxes)
    assert visible == list(range(1, len(data["values"]) + 1))
    assert "o = n.tanh() = 0.7071" in panel.text
    assert errors(browser) == []


def test_the_backward_panel_shows_the_formula_and_product(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    data = open_page(browser, tmp_path, lecture_neuron())
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.END)
    slider = browser.find_element(By.ID, "slider")
    assert slider.get_attribute("value") == str(step_of(browser))
    first_backward = len(data["values"]) + 2          # the forward steps, the seed, o -> n
    browser.execute_script("window.stepper.go(arguments[0])", first_backward)
    panel = browser.find_element(By.ID, "panel").text
    assert "Backward 1 of 9: o → n" in panel
    assert "dout/dx = 1 - out * out = 0.5000" in panel
    assert "o.grad × local = 1.0000 × 0.5000 = 0.5000" in panel
    assert "n.grad = 0.5000" in panel
    body.send_keys(Keys.ARROW_LEFT)
    assert "Backward: seed the root's gradient" in browser.find_element(By.ID, "panel").text
    assert [box["grad"] for box in shown(browser)].count(None) == len(data["values"]) - 1
    browser.find_element(By.ID, "prev").click()
    assert step_of(browser) == first_backward - 2
    browser.find_element(By.ID, "reset").click()
    assert step_of(browser) == 0
    assert errors(browser) == []


def test_a_reused_inputs_accumulation_is_visible(browser, tmp_path):
    from selenium.webdriver.common.by import By

    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    data = open_page(browser, tmp_path, y)
    seen = []
    for step in range(len(data["values"]) + 2, len(data["values"]) + 4):
        browser.execute_script("window.stepper.go(arguments[0])", step)
        seen.append((browser.find_element(By.ID, "panel").text.splitlines()[-1],
                     shown(browser)[0]["grad"]))
    assert seen == [("x.grad = 3.0000 (use 1 of 2)", "grad 3.0000"),
                    ("x.grad = 3.0000 + 3.0000 = 6.0000 (use 2 of 2)", "grad 6.0000")]
    assert errors(browser) == []


def test_the_slider_and_play_move_through_the_steps(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, tmp_path, lecture_neuron())
    slider = browser.find_element(By.ID, "slider")
    slider.send_keys(Keys.ARROW_RIGHT)              # the slider's own keys move it one step
    slider.send_keys(Keys.ARROW_RIGHT)
    assert step_of(browser) == 2
    play = browser.find_element(By.ID, "play")
    play.click()
    assert play.text == "Pause"
    deadline = time.monotonic() + 30
    while step_of(browser) < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    play.click()
    assert play.text == "▶ Play"
    assert step_of(browser) >= 4
    assert errors(browser) == []


def test_a_javascript_error_would_be_seen(browser, tmp_path):
    open_page(browser, tmp_path, lecture_neuron())
    browser.execute_script("setTimeout(function () { undefinedFunction(); }, 0)")
    deadline = time.monotonic() + 10
    found = []
    while not found and time.monotonic() < deadline:
        found = errors(browser)
        time.sleep(0.1)
    assert found and "undefinedFunction" in found[0]["message"]


# ---------------------------------------------------------------------------
# The graph demo's pages and the README's screenshot
# ---------------------------------------------------------------------------

def graph_demo():
    import importlib.util
    spec = importlib.util.spec_from_file_location("graph_demo", Path(ROOT) / "demos" / "graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_graph_demo_writes_the_lecture_and_xor_pages(tmp_path):
    result = graph_demo().main(["--out", str(tmp_path), "--formats", "html"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lecture-neuron.html", "xor.html"]
    lecture = page_data(Path(result["pages"]["lecture-neuron"]).read_text(encoding="utf-8"))
    assert (len(lecture["values"]), len(lecture["backward"])) == (10, 9)
    assert lecture["title"].startswith("The micrograd lecture's neuron")
    xor = page_data(Path(result["pages"]["xor"]).read_text(encoding="utf-8"))
    assert xor["values"][xor["root"]]["name"] == "loss"
    assert any(v["name"] == "L0.n2.w1" for v in xor["values"])   # parameters named


def test_the_demo_photographs_the_page_mid_backward(tmp_path):
    problem = _browser.missing()
    if problem:
        pytest.skip(f"the screenshot: {problem}")
    demo = graph_demo()
    page = save_graph(demo.lecture_neuron(), tmp_path / "lecture.html")
    png = Path(demo.screenshot(page, str(tmp_path / "shot.png")))
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(header[16:20], "big")
    height = int.from_bytes(header[20:24], "big")
    assert width == 1300 and 300 < height < 1000     # the whole page, not one viewport


def test_the_readme_shows_the_pages_screenshot():
    readme = (Path(ROOT) / "README.md").read_text(encoding="utf-8")
    assert "![" in readme and "(demos/images/page-backward.png)" in readme
    assert (Path(ROOT) / "demos" / "images" / "page-backward.png").read_bytes()[:8] == \
        b"\x89PNG\r\n\x1a\n"
