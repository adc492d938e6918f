"""The page in a notebook, show_page(root), and labels that try to break a
picture: checked in the HTML, and in headless Chromium as a notebook shows
them, two pages beside an inline graph (skipped, with the install command,
where Chromium, chromedriver or selenium is missing)."""

import html
import re
import shutil
from pathlib import Path

import pytest

from autograd_lite import Value, draw_graph, explain, save_graph, show_page, vsum
from autograd_lite.explain import Explanation
from autograd_lite.graph import drawing_order
from autograd_lite.page import InlinePage, build_page
from autograd_lite.text import SHORT_LABEL, number
from demos import _browser
from support import page_data

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="needs Graphviz's dot: sudo apt-get install graphviz")

# Each would, if a label could end or comment out the page's script or be
# read back as markup, run code (setting window.pwned), stop the script, or
# be taken for the box's numbers.
HOSTILE = ["</script><script>window.pwned = 1; alert(1)</script>", "<!--<script>",
           "grad 9.0", "data 7.0", "line\u2028sep\u2029para", "v0 -> op1",
           '<img src=x onerror="window.pwned = 2">', "-->]]>", "\\N\\G",
           "'\"`${window.pwned = 3}`", "</svg><script>window.pwned = 4</script>"]
HOSTILE_TITLE = "</title><script>window.pwned = 5</script><!--"


def hostile_graph():
    leaves = [Value(float(i + 1), label=text) for i, text in enumerate(HOSTILE)]
    y = vsum([x * x for x in leaves])
    y.label = "</script><!--"
    return y


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432,
                                                                         label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def square():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    return y


# ---------------------------------------------------------------------------
# In Python
# ---------------------------------------------------------------------------

def test_explain_is_a_str_that_ipython_shows_as_its_lines():
    text = explain(square())
    assert isinstance(text, str) and isinstance(text, Explanation)
    assert text.startswith("backward from y = 9.0000")

    class Printer:                      # IPython's pretty printer, as far as it is used
        def __init__(self):
            self.out = []

        def text(self, part):
            self.out.append(part)
    printer = Printer()
    text._repr_pretty_(printer, False)
    assert printer.out == [str(text)] and printer.out[0].count("\n") == 3
    assert "\\n" not in printer.out[0]


def test_show_page_is_the_page_in_an_iframe_whose_srcdoc_is_escaped():
    root = square()
    shown = show_page(root, title='a "quoted" & <b>title</b>')
    page = build_page(square(), title='a "quoted" & <b>title</b>')
    assert isinstance(shown, InlinePage) and page_data(shown.html) == page_data(page)
    assert shown.html.replace('<svg id="graph" width="', '<svg id="graph" "') != page
    frame = shown._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts" '
                         r'title="([^"]*)" style="[^"]*height: (\d+)px;[^"]*"></iframe>', frame)
    assert match, frame[:200]
    assert html.unescape(match.group(1)) == shown.html        # the page, whole
    assert "<" not in match.group(1) and ">" not in match.group(1)
    assert html.unescape(html.unescape(match.group(2))) == 'a "quoted" & <b>title</b>'
    assert 250 < int(match.group(3)) <= 900
    assert root.grad == 0.0                                     # changes no gradient


def test_show_page_names_itself_in_its_errors():
    with pytest.raises(TypeError, match="^show_page: an .html page needs a Value"):
        show_page(3.0)
    with pytest.raises(TypeError, match="^show_page: depth= does not apply"):
        show_page(square(), depth=1)


def test_no_label_or_title_can_end_or_comment_out_the_pages_script():
    page = build_page(hostile_graph(), title=HOSTILE_TITLE)
    data_line = re.search(r"\nconst DATA = .*\n", page).group(0)
    assert page.count("<script") == 1 and page.count("</script>") == 1
    assert not set("<>&\u2028\u2029") & set(data_line)
    data = page_data(page)
    names = {v["name"] for v in data["values"]}
    assert "'grad 9.0'" in names and "</script><!--" in names and data["title"] == HOSTILE_TITLE
    assert f"<title>{html.escape(HOSTILE_TITLE)}</title>" in page


def test_a_label_that_looks_like_a_number_stays_a_label_on_the_page():
    a = Value(2.0, label="grad 5.0")
    b = Value(3.0, label="data 1.0")
    y = a * b
    data = page_data(build_page(y))
    assert [v["name"] for v in data["values"]] == ["'grad 5.0'", "'data 1.0'", "(* 6.0000)"]


@needs_dot
def test_a_long_label_is_shortened_in_its_box_and_whole_on_hover():
    long = "w" * 5000 + "\\N \"end\"\nnext line"
    y = Value(1.0, label=long) * 2.0
    source = draw_graph(y).source
    shown = "w" * (SHORT_LABEL - 1) + "…"
    assert f"<B>{shown}</B>" in source and "w" * SHORT_LABEL not in source.split("tooltip")[0]
    svg = draw_graph(y).pipe(format="svg").decode("utf-8")
    tooltip = re.search(r'<a xlink:title="([^"]*)"', svg).group(1)
    assert html.unescape(tooltip) == long
    assert page_data(build_page(y))["values"][0]["name"] == shown


@needs_dot
@pytest.mark.parametrize("length", [16_384, 100_000])
def test_a_label_too_long_for_graphviz_is_refused_naming_it(length):
    y = Value(1.0, label="z" * length) * 2.0
    with pytest.raises(ValueError, match=rf"^draw_graph: the label 'z{{{SHORT_LABEL - 1}}}…' "
                                         rf"is {length} characters long"):
        draw_graph(y)
    with pytest.raises(ValueError, match="is 20000 characters long, more than Graphviz"):
        draw_graph(Value(1.0), title="t" * 20_000)


@pytest.mark.parametrize("call", [
    lambda: draw_graph(Value(1.0, label="bad \udc80")),
    lambda: draw_graph(Value(1.0), title="bad \udc80"),
    lambda: build_page(Value(1.0) * 2, title="bad \udc80"),
    lambda: show_page(Value(1.0, label="bad \udc80") * 2),
])
def test_text_utf8_cannot_write_is_refused_naming_it(call):
    with pytest.raises(ValueError, match=r"(the label|title=) 'bad \\udc80' has a character "
                                         r"UTF-8 cannot encode, U\+DC80 at index 4"):
        call()


@needs_dot
def test_a_hostile_label_or_title_on_a_picture_is_shown_as_written(tmp_path):
    path = save_graph(hostile_graph(), tmp_path / "hostile.svg", title=HOSTILE_TITLE)
    svg = Path(path).read_text(encoding="utf-8")
    texts = [html.unescape(t).replace("\xa0", " ")
             for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    for label in HOSTILE[:4] + HOSTILE[5:] + [HOSTILE_TITLE]:
        assert label in texts, label
    assert {"line", "sep", "para"} <= set(texts)          # U+2028, U+2029: line breaks
    assert "<script" not in svg


# ---------------------------------------------------------------------------
# In a browser, as a notebook shows them
# ---------------------------------------------------------------------------

NOTEBOOK_STYLE = "body { background: rgb(255, 255, 255); font-family: serif; } " \
                 ".output { margin: 12px; }"


def notebook_html(outputs):
    """A page holding outputs as a notebook shows them, one after another."""
    cells = "\n".join(f'<div class="output">{output}</div>' for output in outputs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{NOTEBOOK_STYLE}"
            f"</style></head><body>{cells}</body></html>")


def frame_state(driver):
    """What the current page shows: its step, and per value box its grad text."""
    return driver.execute_script("""
        const boxes = [];
        for (let i = 0; ; i++) {
            const g = Array.from(document.querySelectorAll('g.node')).find(
                n => n.querySelector('title').textContent === 'v' + i);
            if (!g) break;
            const texts = g.querySelectorAll('text');
            const grad = texts[texts.length - 1];
            boxes.push(grad.classList.contains('hidden-text') ? null : grad.textContent);
        }
        return {step: window.stepper.step, total: window.stepper.total, grads: boxes,
                pwned: window.pwned === undefined ? null : window.pwned};""")


def severe(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@needs_dot
def test_two_inline_pages_beside_an_inline_graph_each_step_on_their_own(browser, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    graphs = [neuron, hostile_graph]
    outputs = [draw_graph(neuron())._repr_image_svg_xml(),       # ids graph0, node1, edge1...
               show_page(neuron())._repr_html_(),
               show_page(hostile_graph(), title=HOSTILE_TITLE)._repr_html_(),
               draw_graph(hostile_graph())._repr_image_svg_xml()]
    path = tmp_path / "notebook.html"
    path.write_text(notebook_html(outputs), encoding="utf-8")
    browser.get(_browser.file_url(str(path)))
    frames = browser.find_elements(By.TAG_NAME, "iframe")
    assert len(frames) == 2
    for k, (frame, build) in enumerate(zip(frames, graphs)):
        browser.switch_to.frame(frame)
        state = frame_state(browser)
        assert state["step"] == 0 and state["pwned"] is None
        body = browser.find_element(By.TAG_NAME, "body")
        next_button = browser.find_element(By.ID, "next")
        for n in range(state["total"]):
            if n % 2:
                body.send_keys(Keys.ARROW_RIGHT)
            else:
                next_button.click()
        state = frame_state(browser)
        twin = build()
        twin.backward()
        assert state["step"] == state["total"] and state["pwned"] is None
        assert state["grads"] == [f"grad {number(v.grad)}" for v in drawing_order(twin)[0]]
        body.send_keys(Keys.HOME)
        assert frame_state(browser)["step"] == 0
        body.send_keys(Keys.END)
        browser.switch_to.default_content()
        # the other page did not move: keys and ids stay in their own frame
        other = frames[1 - k]
        browser.switch_to.frame(other)
        assert frame_state(browser)["step"] == (0 if k == 0 else frame_state(browser)["total"])
        browser.switch_to.default_content()
    outside = browser.execute_script("""
        return {pwned: window.pwned === undefined ? null : window.pwned,
                background: getComputedStyle(document.body).backgroundColor,
                font: getComputedStyle(document.body).fontFamily,
                slider: document.getElementById('slider') !== null,
                svgs: document.querySelectorAll('body > .output > svg').length};""")
    assert outside == {"pwned": None, "background": "rgb(255, 255, 255)", "font": "serif",
                       "slider": False, "svgs": 2}
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.accept()
    assert severe(browser) == []


@needs_dot
def test_a_hostile_pages_own_file_steps_and_runs_no_injected_script(browser, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException

    path = save_graph(hostile_graph(), tmp_path / "hostile.html", title=HOSTILE_TITLE)
    browser.get(_browser.file_url(path))
    state = frame_state(browser)
    browser.execute_script("window.stepper.go(window.stepper.total)")
    state = frame_state(browser)
    twin = hostile_graph()
    twin.backward()
    assert state["pwned"] is None
    assert state["grads"] == [f"grad {number(v.grad)}" for v in drawing_order(twin)[0]]
    texts = browser.execute_script(
        "return Array.from(document.querySelectorAll('g.node text'), t => t.textContent)")
    assert "grad 9.0" in texts and "data 7.0" in texts       # labels still, after stepping
    assert browser.title == HOSTILE_TITLE
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.accept()
    assert severe(browser) == []
