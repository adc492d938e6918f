"""Graph pictures: draw_graph's DOT text, and real SVG from Graphviz's dot parsed as XML."""

import importlib.util
import inspect
import math
import os
import random
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import graphviz
import pytest

import autograd_lite.graph as graph_module
from autograd_lite import (Value, dot, draw_dot, draw_graph, logsumexp, save_graph,
                           topological_order, vsum)
from autograd_lite.graph import DEFAULT_MAX_NODES, GraphDrawing, GraphvizNotFoundError
from autograd_lite.text import number

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (apt-get install graphviz, or "
           "brew install graphviz); CI installs it, so these run there")

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]          # the repository


# ---------------------------------------------------------------------------
# Reading the pictures
# ---------------------------------------------------------------------------

def render(graph) -> ET.Element:
    return ET.fromstring(graph.pipe(format="svg"))


def svg_nodes(svg: ET.Element) -> dict:
    """{node name: [its text lines]} for every node of the picture."""
    return {g.find(SVG + "title").text: [t.text for t in g.iter(SVG + "text")]
            for g in svg.iter(SVG + "g") if g.get("class") == "node"}


def svg_edges(svg: ET.Element) -> list:
    """[(tail, head, [label texts])] for every edge, duplicates kept."""
    edges = []
    for g in svg.iter(SVG + "g"):
        if g.get("class") == "edge":
            tail, head = g.find(SVG + "title").text.split("->")
            edges.append((tail, head, [t.text for t in g.iter(SVG + "text")]))
    return edges


def all_text(svg: ET.Element) -> list:
    return [t.text for t in svg.iter(SVG + "text")]


def expected_counts(root: Value):
    """(nodes, edges) the picture of root's whole graph must have: a box per
    value (the engine's nodes, as written) and an op node
    per computed value; an edge per use of an input and one from each op node
    to its result."""
    values = topological_order(root)
    computed = [v for v in values if v._prev or v._op]
    uses = sum(len(v._prev) for v in values)
    return len(values) + len(computed), uses + len(computed)


# ---------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------

def issue_example():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    y = (a * b + a).tanh()
    y.label = "y"
    y.backward()
    return a, b, y


def source_counts(source: str):
    """(value boxes, op nodes, edges) in a picture's DOT text."""
    return (len(re.findall(r"^\tv\d+ \[", source, re.M)),
            len(re.findall(r"^\top\d+ \[", source, re.M)),
            len(re.findall(r"^\t\w+ -> \w+", source, re.M)))


def mixed_graph():
    """Reuse, constants kept in nodes, a shift, and every n-ary op."""
    x = Value(1.5, label="x")
    w = [Value(0.5, label="w1"), Value(-1.0, label="w2")]
    u = [Value(0.25, label="u1"), Value(2.0, label="u2")]
    square = x * x                                  # x used twice by one node
    scaled = dot(w, [3.0, 4.0]) * 2.0               # DOT_CONST, then CONST_RIGHT
    flipped = 1.0 - scaled                          # CONST_LEFT
    shifted = w[0] * u[0] + 1.0                     # a * node, then a + 1.0 node
    both = dot(w, u)                                # DOT: Values on both sides
    total = vsum([square, flipped, shifted, both, x ** 2, x.leaky_relu(0.1)])
    loss = logsumexp([total, x, w[1]]) / 3
    loss.label = "loss"
    loss.backward()
    return loss


def chain(n_values: int) -> Value:
    """x, then alternately * 1.5 and sin: n_values values in a line."""
    y = Value(0.5, label="x")
    for i in range(n_values - 1):
        y = y.sin() if i % 2 else y * 1.5
    y.label = "end"
    return y


# ---------------------------------------------------------------------------
# What the picture shows
# ---------------------------------------------------------------------------

@needs_dot
def test_issue_example_has_a_box_per_value_and_an_op_node_per_computed_value():
    _, _, y = issue_example()
    svg = render(draw_graph(y))
    nodes, edges = svg_nodes(svg), svg_edges(svg)
    assert len(nodes) == 5 + 3
    assert len(edges) == 8               # a, b -> *; *, a -> +; + -> tanh; 3 op -> value
    assert (len(nodes), len(edges)) == expected_counts(y)
    assert sorted(name for name in nodes if name.startswith("op")) == ["op2", "op3", "op4"]
    assert [nodes[name] for name in ("op2", "op3", "op4")] == [["*"], ["+"], ["tanh"]]


@needs_dot
def test_svg_shows_every_label_data_grad_and_op_name():
    a, b, y = issue_example()
    text = all_text(render(draw_graph(y)))
    slope = 1 - math.tanh(-4.0) ** 2                     # d tanh(u) / du at u = a*b + a
    assert a.grad == pytest.approx(slope * (b.data + 1))  # d y / d a = slope * (b + 1)
    for expected in ["a", "b", "y", "*", "+", "tanh",
                     "data 2.0000", "data -3.0000", "data -6.0000", "data -4.0000",
                     f"data {math.tanh(-4.0):.4f}", "grad 1.0000",
                     f"grad {slope * (b.data + 1):.3e}", f"grad {slope * a.data:.3e}",
                     f"grad {slope:.3e}"]:
        assert expected in text, expected


@needs_dot
def test_counts_match_a_graph_with_reuse_constants_and_n_ary_nodes():
    loss = mixed_graph()
    svg = render(draw_graph(loss))
    assert (len(svg_nodes(svg)), len(svg_edges(svg))) == expected_counts(loss)


@needs_dot
def test_reused_input_draws_one_edge_per_use():
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    edges = Counter((tail, head) for tail, head, _ in svg_edges(render(draw_graph(y))))
    assert edges == {("v0", "op1"): 2, ("op1", "v1"): 1}


@needs_dot
def test_sum_dot_and_logsumexp_are_one_op_node_each_with_all_their_inputs():
    xs = [Value(float(i), label=f"x{i}") for i in range(6)]
    ws = [Value(0.1 * i, label=f"w{i}") for i in range(6)]
    total = vsum(xs)
    out = logsumexp([total, dot(ws, xs), xs[0]])
    out.backward()
    svg = render(draw_graph(out))
    nodes, edges = svg_nodes(svg), svg_edges(svg)
    fan_in = Counter(head for _, head, _ in edges if head.startswith("op"))
    op_of = {nodes[name][0]: name for name in nodes if name.startswith("op")}
    assert fan_in[op_of["sum"]] == 6
    assert fan_in[op_of["dot"]] == 12                     # w0..w5 and x0..x5
    assert fan_in[op_of["logsumexp"]] == 3
    assert sorted(texts[0] for name, texts in nodes.items() if name.startswith("op")) == [
        "dot", "logsumexp", "sum"]


@needs_dot
def test_a_micrograd_neuron_is_drawn_as_its_products_and_chain_of_additions():
    xs = [Value(float(i), label=f"x{i}") for i in range(6)]
    ws = [Value(0.1 * i, label=f"w{i}") for i in range(6)]
    b = Value(0.5, label="b")
    neuron = sum((w * x for w, x in zip(ws, xs)), b)      # as in micrograd's Neuron
    assert neuron._op == "+" and neuron._prev[1]._op == "*"
    neuron.backward()
    nodes = svg_nodes(render(draw_graph(neuron)))
    op_texts = Counter(texts[0] for name, texts in nodes.items() if name.startswith("op"))
    assert op_texts == {"*": 6, "+": 6}                  # b + w0*x0, then + w_i*x_i


@needs_dot
def test_constants_kept_inside_nodes_are_shown():
    svg = render(draw_graph(mixed_graph()))
    text = all_text(svg)
    for expected in ["* 2.0", "1.0 -", "**2", "leaky_relu alpha=0.1", "/ 3", "dot", "sum"]:
        assert expected in text, expected
    ops = [texts for name, texts in svg_nodes(svg).items() if name.startswith("op")]
    assert ["*"] in ops and ["+ 1.0"] in ops     # w1 * u1 + 1.0: a * node, then + 1.0
    # dot(w, [3.0, 4.0]): each weight's edge carries the number it multiplies
    edge_labels = sorted(t for _, _, texts in svg_edges(svg) for t in texts)
    assert edge_labels == ["× 3.0", "× 4.0"]


def test_leaves_parameters_and_root_are_drawn_differently():
    w = Value(0.5, label="w")
    x = Value(2.0, label="x")
    y = (w * x).tanh()
    y.backward()
    source = draw_graph(y, params=[w]).source
    fills = {name: re.search(r'BGCOLOR="(#\w+)"', line).group(1)
             for name, line in re.findall(r"^\t(v\d+) \[(.*)$", source, re.M)}
    kinds = {"w": fills["v0"], "x": fills["v1"], "w*x": fills["v2"], "y": fills["v3"]}
    assert len(set(kinds.values())) == 4, kinds
    assert "parameter" in source and "input" in source       # the legend names them
    plain = draw_graph(y).source                              # no params: leaves alike
    assert plain.count('BGCOLOR="%s"' % kinds["x"]) == 2
    assert "parameter" not in plain


@needs_dot
def test_colour_by_grad_colours_grad_cells_by_size_with_a_legend():
    big, small, unused = Value(3.0, label="big"), Value(1e-4, label="small"), Value(1.0)
    y = big * small + unused * 0.0
    y.backward()                       # big.grad = 1e-4, small.grad = 3, unused.grad = 0
    source = draw_graph(y, colour_by_grad=True).source
    top, bottom = graph_module._GRAD_BINS[0][1], graph_module._GRAD_BINS[-1][1]
    line = {m.group(1): m.group(2) for m in re.finditer(r"^\t(v\d+) \[(.*)$", source, re.M)}
    by_label = {re.search(r"<B>(\w+)</B>", text).group(1) if "<B>" in text else name: text
                for name, text in line.items()}
    assert re.search(f'BGCOLOR="{top}"[^>]*>grad 3.0000', by_label["small"])
    assert re.search(f'BGCOLOR="{bottom}"[^>]*>grad 1.000e-04', by_label["big"])
    unused_line = next(text for text in line.values() if "data 1.0000" in text)
    assert "<TD>grad 0.0000</TD>" in unused_line           # zero: no colour
    text = all_text(render(draw_graph(y, colour_by_grad=True)))
    assert "|grad|:" in text and "≥ 1.5" in text


def test_show_grad_false_hides_grads_and_rankdir_is_passed_on():
    _, _, y = issue_example()
    source = draw_graph(y, rankdir="TB", show_grad=False).source
    assert "grad " not in source and "data 2.0000" in source
    assert "rankdir=TB" in source


def test_gradients_kept_as_values_are_drawn_as_numbers():
    x = Value(3.0, label="x")
    y = x ** 3
    y.backward(create_graph=True)                  # x.grad is a Value: 3 x^2 = 27
    assert isinstance(x.grad, Value)
    assert "grad 27.0000" in draw_graph(y).source


def test_title_is_shown_under_the_graph():
    _, _, y = issue_example()
    source = draw_graph(y, title="y = tanh(a·b + a) <demo>").source
    assert "y = tanh(a·b + a) &lt;demo&gt;" in source and "labelloc=b" in source


# ---------------------------------------------------------------------------
# The picture is the graph as written
# ---------------------------------------------------------------------------

def neuron_3(a, b, c, d):
    """micrograd's Neuron: sum((wi*xi for ...), b).tanh(), weights a, b, c, bias d."""
    xs = [Value(0.5, label="x1"), Value(-1.5, label="x2"), Value(2.0, label="x3")]
    return sum((w * x for w, x in zip([a, b, c], xs)), d).tanh()


AS_WRITTEN = {
    "issue example": (lambda a, b, c, d: (a * b + a).tanh(), ["*", "+", "tanh"]),
    "micrograd neuron": (neuron_3, ["*", "+", "*", "+", "*", "+", "tanh"]),
    "shifted sum of products": (lambda a, b, c, d: a * b + c * d + 1.0,
                                ["*", "*", "+", "+ 1.0"]),
    "shifted product by a constant": (lambda a, b, c, d: a * 3.0 + 1.0, ["* 3.0", "+ 1.0"]),
    "sum of values": (lambda a, b, c, d: (a + b + c) * a, ["+", "+", "*"]),
    "shift by a long constant": (lambda a, b, c, d: (a * 3.0 + 0.123456) * b,
                                 ["* 3.0", "+ 0.123456", "*"]),
    "subtracted constant": (lambda a, b, c, d: (a * b + 0.3) * a - 1.7,
                            ["*", "+ 0.3", "*", "- 1.7"]),
    "a product by one": (lambda a, b, c, d: a * 1.0 + b, ["* 1.0", "+"]),
    "two shifts": (lambda a, b, c, d: (a * b + 1.0 + 2.0) * a, ["*", "+ 1.0", "+ 2.0", "*"]),
}


def build_labelled(build, values=(2.0, -3.0, 0.7, 1.3)):
    leaves = [Value(v, label=name) for v, name in zip(values, "abcd")]
    y = build(*leaves)
    y.label = "y"
    y.backward()
    return y


def op_texts(root, **options):
    return re.findall(r"^\top\d+ \[label=<(.*?)> ", draw_graph(root, **options).source, re.M)


@pytest.mark.parametrize("name", sorted(AS_WRITTEN))
def test_the_picture_shows_every_op_as_written_with_a_box_per_value(name):
    build, written = AS_WRITTEN[name]
    y = build_labelled(build)
    assert op_texts(y) == written
    values, ops, edges = source_counts(draw_graph(y).source)
    assert (values + ops, edges) == expected_counts(y)


@pytest.mark.parametrize("name", sorted(AS_WRITTEN))
def test_each_box_shows_the_nodes_own_data_and_grad(name):
    rng = random.Random(name)
    y = build_labelled(AS_WRITTEN[name][0], [rng.uniform(-2.0, 2.0) for _ in range(4)])
    order, _ = graph_module.drawing_order(y, None, DEFAULT_MAX_NODES)
    assert [id(v) for v in order] != [] and set(map(id, order)) == set(
        map(id, topological_order(y)))
    source = draw_graph(y).source
    for i, value in enumerate(order):
        line = re.search(rf"^\tv{i} \[(.*)$", source, re.M).group(1)
        assert f"data {number(value.data)}" in line
        assert f"grad {number(value.grad)}" in line


def test_a_graph_redrawn_after_an_optimizer_step_shows_the_new_numbers():
    x = Value(2.0, label="x")
    y = x.log() + 1.0
    x.data = -1.0                          # as an optimizer step might
    source = draw_graph(y).source
    assert "nan" not in source and "data -1.0000" in source and "data 1.6931" in source


def test_max_nodes_counts_the_engines_values():
    ws = [Value(0.5) for _ in range(300)]
    xs = [Value(2.0) for _ in range(300)]
    y = sum(w * x for w, x in zip(ws, xs))
    # 600 leaves, 300 products, 0 + the first (a constant shift), 299 sums
    assert len(topological_order(y)) == 1200
    with pytest.raises(ValueError, match="1200 values"):
        draw_graph(y, max_nodes=1000)
    assert source_counts(draw_graph(y, max_nodes=1200).source)[0] == 1200


@pytest.mark.parametrize("depth, ops", [
    (0, ["tanh"]), (1, ["+", "tanh"]), (2, ["+", "*", "+", "tanh"]),
    (3, ["+", "*", "+", "*", "+", "tanh"]), (4, ["*", "+", "*", "+", "*", "+", "tanh"])])
def test_depth_counts_the_engines_ops(depth, ops):
    # the ops of the values within depth ops of the root (the last one drawn
    # dashed, its inputs cut off): one + per term of the neuron's sum
    assert op_texts(build_labelled(neuron_3), depth=depth) == ops


# ---------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------

ODD_LABELS = ['he said "hi"', "<b>not bold</b>", "{x|y} [z]", "back\\slash \\n",
              "a & b &amp;", "∑ε→ü 🙂", "'single'", "%s %d {}", "]]>", "x\ty"]


@needs_dot
def test_any_label_text_renders_as_written():
    leaves = [Value(float(i), label=text) for i, text in enumerate(ODD_LABELS)]
    two_lines = Value(1.0, label="line one\nline two")
    control = Value(1.0, label="bell\x07")
    hand_built = Value(1.0, (leaves[0], leaves[1]), "<|>")   # a node built by hand
    root = vsum(leaves + [two_lines, control, hand_built])
    root.label = "r"
    text = [t.replace("\xa0", " ") for t in all_text(render(draw_graph(root)))]
    for label in ODD_LABELS[:-1]:
        assert label in text, label
    assert "x    y" in text                      # a tab shows as spaces
    assert "line one" in text and "line two" in text
    assert "bell\\x07" in text                   # XML cannot carry \x07 itself
    assert "<|>" in text


# Graphviz expands \\N (node name), \\G (graph), \\E, \\T, \\H (edge), \\L and
# \\\\ in labels; every other character here is plain or an entity in DOT.
BACKSLASH_ALPHABET = "\\NGETHLnlrx0{}|<>&\"'ab"


@needs_dot
def test_backslashes_in_any_label_title_or_op_render_as_written():
    rng = random.Random(15)
    labels = ["\\Gamma", "C:\\Net", "\\", "end\\", "\\\\N"] + [
        "".join(rng.choice(BACKSLASH_ALPHABET) for _ in range(rng.randint(1, 8)))
        for _ in range(80)]
    labels = list(dict.fromkeys(labels))             # each label once
    leaves = [Value(float(i), label=text) for i, text in enumerate(labels)]
    hand_built = Value(1.0, (leaves[0],), "\\N\\G")    # its op shows this symbol
    root = vsum(leaves + [hand_built])
    text = all_text(render(draw_graph(root, title="\\G: \\N")))
    for label in labels:
        assert label in text, label
    assert "\\N\\G" in text and "\\G: \\N" in text


def test_escaped_labels_keep_the_dot_text_well_formed():
    leaves = [Value(float(i), label=text) for i, text in enumerate(ODD_LABELS)]
    source = draw_graph(vsum(leaves)).source
    for label in ['<b>not bold</b>', 'he said "hi"', "a & b"]:
        assert label not in source                # only ever as entities
    assert "&lt;b&gt;not bold&lt;/b&gt;" in source and "he said &quot;hi&quot;" in source


# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------

@needs_dot
def test_the_same_graph_gives_identical_dot_source_and_svg():
    _, _, y = issue_example()
    first, second = draw_graph(y), draw_graph(y)
    assert first.source == second.source
    assert first.pipe(format="svg") == second.pipe(format="svg")


@needs_dot
def test_a_rebuilt_graph_with_constants_and_n_ary_nodes_gives_the_same_bytes():
    first, second = draw_graph(mixed_graph()), draw_graph(mixed_graph())
    assert first.source == second.source           # other objects, other addresses
    assert first.pipe(format="svg") == second.pipe(format="svg")
    assert not re.search(r"0x[0-9a-f]{6,}|\b\d{9,}\b", first.source)   # no ids in it


def test_nodes_are_numbered_in_an_order_with_inputs_before_their_users():
    loss = mixed_graph()
    source = draw_graph(loss).source
    edges = re.findall(r"^\t(v|op)(\d+) -> (v|op)(\d+)", source, re.M)
    for tail_kind, tail, _head_kind, head in edges:
        if tail_kind == "v":                       # input value -> op node of a later value
            assert int(tail) < int(head)
        else:                                      # op node -> its own value
            assert tail == head
    assert len(re.findall(r"^\tv\d+ \[", source, re.M)) == len(topological_order(loss))


# ---------------------------------------------------------------------------
# Size limit
# ---------------------------------------------------------------------------

def test_a_10k_value_graph_is_refused_under_the_default_limit_before_drawing(monkeypatch):
    y = chain(10_000)

    def no_drawing(*args, **kwargs):
        raise AssertionError("the size must be checked before building the Digraph")

    monkeypatch.setattr(graph_module, "GraphDrawing", no_drawing)
    with pytest.raises(ValueError) as info:
        draw_graph(y)
    message = str(info.value)
    assert "10000 values" in message
    assert f"max_nodes={DEFAULT_MAX_NODES}" in message
    assert "draw_graph(root, max_nodes=10000)" in message     # how to raise the limit
    assert "depth=" in message and "intermediate value" in message   # or draw a part


@needs_dot
def test_a_10k_value_graph_renders_when_the_limit_is_raised():
    y = chain(10_000)
    y.backward()
    svg = render(draw_graph(y, max_nodes=10_000))
    nodes, edges = svg_nodes(svg), svg_edges(svg)
    assert len(nodes) == 10_000 + 9_999 and len(edges) == 2 * 9_999
    assert nodes["v0"][:2] == ["x", "data 0.5000"] and nodes["v9999"][0] == "end"


@needs_dot
def test_depth_draws_only_the_values_near_root():
    y = chain(10_000)
    svg = render(draw_graph(y, depth=3))             # within the default limit
    nodes, edges = svg_nodes(svg), svg_edges(svg)
    values = [n for n in nodes if n.startswith("v")]
    ops = [n for n in nodes if n.startswith("op")]
    assert len(values) == 4 and len(ops) == 4        # the deepest one's op is cut off
    assert len(edges) == 3 * 2 + 1
    assert sum(1 for tail, _, _ in edges if tail == "v0") == 1
    assert "dashed" in draw_graph(y, depth=3).source


def test_depth_zero_draws_only_the_root():
    y = chain(5)
    source = draw_graph(y, depth=0).source
    assert len(re.findall(r"^\tv\d+ \[", source, re.M)) == 1


def test_traversal_is_iterative_on_a_chain_deeper_than_the_recursion_limit():
    y = chain(30_000)
    with pytest.raises(ValueError, match="30000 values"):
        draw_graph(y, max_nodes=1000)
    assert draw_graph(y, depth=2).source.count("data ") == 3


# ---------------------------------------------------------------------------
# Rendering and files
# ---------------------------------------------------------------------------

def test_missing_dot_names_the_install_command_and_source_still_works(monkeypatch, tmp_path):
    _, _, y = issue_example()
    monkeypatch.setenv("PATH", str(tmp_path))          # no dot anywhere on PATH
    graph = draw_graph(y)
    assert graph.source.startswith("digraph {") and "tanh" in graph.source
    for attempt in (lambda: graph.pipe(format="svg"),
                    lambda: graph.render(str(tmp_path / "g"), format="svg"),
                    lambda: graph._repr_image_svg_xml(),
                    lambda: save_graph(y, tmp_path / "g.svg"),
                    lambda: save_graph(graphviz.Digraph(), tmp_path / "plain.svg")):
        with pytest.raises(GraphvizNotFoundError) as info:
            attempt()
        message = str(info.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert ".source" in message
        assert isinstance(info.value, graphviz.ExecutableNotFound)   # old handlers still work
    assert not (tmp_path / "g.svg").exists() and not (tmp_path / "plain.svg").exists()
    save_graph(y, tmp_path / "g.dot")                    # DOT text needs no Graphviz
    assert (tmp_path / "g.dot").read_text(encoding="utf-8") == graph.source


@needs_dot
def test_save_graph_writes_the_format_of_the_suffix_atomically(tmp_path, monkeypatch):
    _, _, y = issue_example()
    path = save_graph(y, tmp_path / "graph.svg", title="t")
    assert path == str(tmp_path / "graph.svg")
    assert len(svg_nodes(ET.parse(path).getroot())) == 8
    png = save_graph(draw_graph(y), tmp_path / "graph.png", dpi=150)
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(os.listdir(tmp_path)) == ["graph.png", "graph.svg"]   # no temporaries

    before = Path(path).read_bytes()

    def interrupted(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(OSError, match="disk full"):
        save_graph(y, path, show_grad=False)
    assert Path(path).read_bytes() == before             # the old file is untouched
    assert sorted(os.listdir(tmp_path)) == ["graph.png", "graph.svg"]


def test_save_graph_rejects_unknown_suffixes_and_misplaced_options(tmp_path):
    _, _, y = issue_example()
    with pytest.raises(ValueError, match=r"\.svg"):
        save_graph(y, tmp_path / "graph.jpeg")
    with pytest.raises(ValueError, match="dpi applies to .png"):
        save_graph(y, tmp_path / "graph.svg", dpi=150)
    with pytest.raises(TypeError, match="only when given a Value"):
        save_graph(draw_graph(y), tmp_path / "graph.dot", rankdir="TB")
    with pytest.raises(TypeError, match="expected a Value or a graphviz.Digraph, got str"):
        save_graph("digraph {}", tmp_path / "graph.dot")
    with pytest.raises(FileNotFoundError, match="does not exist; create it first") as info:
        save_graph(y, tmp_path / "missing" / "graph.dot")
    assert str(tmp_path / "missing") in str(info.value) and ".tmp" not in str(info.value)
    assert os.listdir(tmp_path) == []


def test_save_graph_refuses_a_folder_as_its_path_as_its_docstring_says(tmp_path):
    _, _, y = issue_example()
    (tmp_path / "graph.dot").mkdir()
    with pytest.raises(IsADirectoryError, match="^save_graph: cannot write .* it is a folder"):
        save_graph(y, tmp_path / "graph.dot")
    assert "IsADirectoryError" in save_graph.__doc__


# ---------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------

def test_draw_dot_is_draw_graph_and_returns_a_graphviz_digraph():
    _, _, y = issue_example()
    assert draw_dot is draw_graph
    graph = draw_dot(y)
    assert isinstance(graph, graphviz.Digraph) and isinstance(graph, GraphDrawing)


def test_a_leaf_alone_is_one_box():
    source = draw_graph(Value(4.0, label="c")).source
    assert source.count("data 4.0000") == 1 and "->" not in source


@pytest.mark.parametrize("call, error, words", [
    (lambda y: draw_graph(2.0), TypeError, "root must be a Value"),
    (lambda y: draw_graph([y]), TypeError, "got list"),
    (lambda y: draw_graph(y, rankdir="XY"), ValueError, "rankdir must be one of"),
    (lambda y: draw_graph(y, max_nodes=0), ValueError, "max_nodes must be a positive int"),
    (lambda y: draw_graph(y, max_nodes=1.5), ValueError, "max_nodes must be a positive int"),
    (lambda y: draw_graph(y, depth=-1), ValueError, "depth must be None or an int >= 0"),
    (lambda y: draw_graph(y, params=[1.0]), TypeError, "params must be Values"),
    (lambda y: draw_graph(y, params=y), TypeError, "wrap it in a list: params=[w]"),
    (lambda y: draw_graph(y, colour_by_grad=True, show_grad=False), ValueError,
     "needs show_grad=True"),
    (lambda y: draw_graph(y, fontsize=0), ValueError, "fontsize must be a positive"),
])
def test_bad_arguments_say_what_was_expected(call, error, words):
    _, _, y = issue_example()
    with pytest.raises(error, match=re.escape(words)):
        call(y)


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------

def load_demo():
    path = ROOT / "demos" / "graph.py"
    spec = importlib.util.spec_from_file_location("graph_demo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_dot
def test_demo_writes_svgs_of_the_expression_and_the_neuron(tmp_path):
    demo = load_demo()
    result = demo.main(["--out", str(tmp_path), "--formats", "svg,png,dot"])
    assert (result["expression"]["values"], result["expression"]["ops"]) == (5, 3)
    # o = tanh(b + w1*x1 + w2*x2 + w3*x3) as written: 7 leaves, 3 products,
    # 3 partial sums (the last is n), o; ops: 3 *, 3 +, tanh
    assert (result["neuron"]["values"], result["neuron"]["ops"]) == (14, 7)
    for name, build in (("expression", demo.expression), ("neuron", lambda: demo.neuron(0)[0])):
        files = result[name]["files"]
        svg = ET.parse(files["svg"]).getroot()
        assert (len(svg_nodes(svg)), len(svg_edges(svg))) == expected_counts(build())
        assert Path(files["png"]).stat().st_size > 1000
        assert Path(files["dot"]).read_text(encoding="utf-8").startswith("digraph")
    neuron_text = all_text(ET.parse(result["neuron"]["files"]["svg"]).getroot())
    assert {"*", "+", "tanh", "w1", "x3", "b", "n", "o", "parameter", "input"} <= set(neuron_text)


def test_demo_writes_dot_text_without_graphviz(tmp_path, monkeypatch):
    demo = load_demo()
    monkeypatch.setenv("PATH", str(tmp_path))
    result = demo.main(["--out", str(tmp_path / "pictures"), "--formats", "dot"])
    assert sorted(os.listdir(tmp_path / "pictures")) == ["expression.dot", "neuron.dot"]
    assert result["neuron"]["files"]["dot"].endswith("neuron.dot")


# ---------------------------------------------------------------------------
# The docs' graph section says what the code does
# ---------------------------------------------------------------------------

PICTURES_DOC = ROOT / "docs" / "pictures.md"


def readme_graph_section() -> str:
    text = PICTURES_DOC.read_text(encoding="utf-8")
    match = re.search(r"^## Seeing the graph\n(.*?)^## ", text, re.M | re.S)
    assert match, "docs/pictures.md needs a '## Seeing the graph' section"
    return match.group(1)


def test_readme_options_are_draw_graphs_parameters_with_the_defaults_it_states():
    section = readme_graph_section()
    parameters = inspect.signature(draw_graph).parameters
    named = set(re.findall(r"`(\w+)=", section))
    assert {"rankdir", "show_grad", "params", "colour_by_grad", "title", "depth"} <= named
    assert named <= set(parameters), named - set(parameters)
    default = re.search(r"`max_nodes` values \(default (\d+)\)", section)
    assert default and int(default.group(1)) == parameters["max_nodes"].default
    assert DEFAULT_MAX_NODES == parameters["max_nodes"].default
    assert parameters["rankdir"].default == "LR" and parameters["show_grad"].default is True


def test_readme_pictures_exist():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme_graph_section())
    assert len(pictures) == 2
    for picture in pictures:
        assert (PICTURES_DOC.parent / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture


@needs_dot
def test_save_graph_writes_every_format_the_readme_lists(tmp_path):
    _, _, y = issue_example()
    listed = re.search(r"`save_graph\(y, \"graph\.png\"\)` writes one (.*?) file,\s*atomically",
                       readme_graph_section(), re.S)
    suffixes = re.findall(r"`(\.\w+)`", listed.group(1))
    assert suffixes == [".svg", ".png", ".pdf", ".dot", ".gv"]
    magic = {".svg": b"<?xml", ".png": b"\x89PNG", ".pdf": b"%PDF", ".dot": b"digraph",
             ".gv": b"digraph"}
    for suffix in suffixes:
        path = save_graph(y, tmp_path / f"graph{suffix}")
        assert Path(path).read_bytes().startswith(magic[suffix]), suffix


@needs_dot
def test_demo_with_no_options_writes_svg_and_png_under_out_graph(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)         # "writes both pictures as SVG and PNG under out/graph/"
    load_demo().main([])
    assert sorted(os.listdir(tmp_path / "out" / "graph")) == [
        "expression.png", "expression.svg", "lecture-neuron.html", "neuron.png", "neuron.svg",
        "xor.html"]


def test_params_that_are_not_an_iterable_are_refused_with_an_example():
    from autograd_lite.page import build_page
    y = Value(1.0) * 2.0
    for draw in (draw_graph, build_page):
        with pytest.raises(TypeError, match=r"params must be an iterable of Values, got int; "
                                            r"e\.g\. params=model\.parameters\(\)"):
            draw(y, params=3)
