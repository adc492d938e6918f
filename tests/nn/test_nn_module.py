"""Modules: micrograd compatibility, activations, initializers, seeds, state dicts."""

import math
import random

import numpy as np
import pytest

import nn
from autograd_lite import Value
from support import micrograd_notebook_training


# ---------------------------------------------------------------------------
# micrograd compatibility
# ---------------------------------------------------------------------------

def make_moons(n, noise, seed):
    """Two interleaving half circles, as sklearn.datasets.make_moons."""
    rs = np.random.RandomState(seed)
    n_out, n_in = n // 2, n - n // 2
    outer, inner = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(outer), 1 - np.cos(inner)),
                   np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return X + rs.normal(scale=noise, size=X.shape), y


def micrograd_demo(MLP, Value, X, y, steps):
    """The training loop of micrograd's demo.ipynb, verbatim but for the loop
    length; returns the loss and accuracy of every step."""
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    print(model)
    print("number of parameters", len(model.parameters()))

    return micrograd_notebook_training(model, Value, X, y, steps)


def test_micrographs_demo_runs_unchanged_and_follows_micrographs_own_run():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    micrograd_engine = pytest.importorskip("micrograd.engine")
    X, y = make_moons(30, noise=0.1, seed=1337)
    y = y * 2 - 1
    saved = random.getstate()
    try:
        random.seed(1337)
        theirs = micrograd_demo(micrograd_nn.MLP, micrograd_engine.Value, X, y, steps=3)
    finally:
        random.setstate(saved)

    def seeded_mlp(nin, nouts):
        return nn.MLP(nin, nouts, seed=1337)     # micrograd reads random.seed(1337)

    ours = micrograd_demo(seeded_mlp, Value, X, y, steps=3)
    assert [acc for _, acc in ours] == [acc for _, acc in theirs]
    assert [loss for loss, _ in ours] == pytest.approx([loss for loss, _ in theirs], rel=1e-9)
    assert ours[-1][0] < ours[0][0]


def test_uniform_init_draws_micrographs_weights_in_micrographs_order():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    saved = random.getstate()
    try:
        random.seed(42)
        theirs = [p.data for p in micrograd_nn.MLP(3, [4, 2]).parameters()]
    finally:
        random.setstate(saved)
    ours = [p.data for p in nn.MLP(3, [4, 2], seed=42).parameters()]
    assert ours == theirs


def test_mlp_has_relu_hidden_layers_and_a_linear_output():
    model = nn.MLP(2, [3, 3, 1], seed=0)
    assert [n.activation for layer in model.layers for n in layer.neurons] == \
        ["relu"] * 6 + ["linear"]
    assert [n.nonlin for n in model.layers[-1].neurons] == [False]


def test_neuron_takes_micrographs_nonlin_flag():
    assert nn.Neuron(3, nonlin=True, seed=0).activation == "relu"
    assert nn.Neuron(3, nonlin=False, seed=0).activation == "linear"
    assert nn.Neuron(3, False, seed=0).nonlin is False
    assert repr(nn.Neuron(3, seed=0)) == "ReLUNeuron(3)"


def test_neuron_computes_activation_of_w_dot_x_plus_b():
    n = nn.Neuron(2, activation="tanh", seed=0)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -2.0, 0.25
    assert n([1.0, 0.5]).data == math.tanh(0.5 - 1.0 + 0.25)


def test_layer_always_returns_a_list_even_for_one_neuron():
    out = nn.Layer(2, 1, seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)


def test_mlp_returns_one_value_for_one_output_and_a_list_otherwise():
    assert isinstance(nn.MLP(2, [4, 1], seed=0)([1.0, 2.0]), Value)
    out = nn.MLP(2, [4, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_layer_with_micrographs_keyword_arguments_builds_linear_neurons():
    layer = nn.Layer(2, 3, nonlin=False, seed=0)
    assert all(n.activation == "linear" for n in layer.neurons)


def test_zero_grad_and_micrographs_manual_zeroing_both_reset_gradients():
    model = nn.MLP(2, [4, 1], seed=0)
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    model([1.0, -1.0]).backward()
    for p in model.parameters():
        p.grad = 0
    assert all(p.grad == 0 for p in model.parameters())


# ---------------------------------------------------------------------------
# The fused neuron
# ---------------------------------------------------------------------------

def test_neuron_on_numbers_is_one_dot_node_with_the_inputs_folded_as_constants():
    n = nn.Neuron(3, seed=0)
    out = n([1.0, 2.0, 3.0])
    assert out._op == "ReLU"
    (pre,) = out._prev
    assert pre._op == "+"
    dot_node, bias = pre._prev
    assert dot_node._op == "dot" and bias is n.b
    assert dot_node._prev == n.w                  # no leaf nodes for the inputs


def test_neuron_accepts_values_numpy_arrays_and_iterators():
    n = nn.Neuron(2, nonlin=False, seed=0)
    expected = n([1.0, 2.0]).data
    assert n([Value(1.0), Value(2.0)]).data == expected
    assert n(np.array([1.0, 2.0])).data == expected
    assert n(iter([1.0, 2.0])).data == expected


def test_neuron_gradient_is_the_input_for_weights_and_one_for_the_bias():
    n = nn.Neuron(3, nonlin=False, seed=0)
    n([0.5, -1.0, 2.0]).backward()
    assert [p.grad for p in n.parameters()] == [0.5, -1.0, 2.0, 1.0]


def test_wrong_number_of_inputs_is_a_clear_error():
    with pytest.raises(ValueError, match=r"ReLUNeuron\(3\): expects 3 inputs, got 2"):
        nn.Neuron(3, seed=0)([1.0, 2.0])
    with pytest.raises(TypeError, match="one sample, .* got a single float; wrap it"):
        nn.Layer(1, 2, seed=0)(1.0)


# ---------------------------------------------------------------------------
# Activations and initializers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, f", [
    ("relu", lambda x: max(x, 0.0)),
    ("tanh", math.tanh),
    ("sigmoid", lambda x: 1 / (1 + math.exp(-x))),
    ("leaky_relu", lambda x: x if x > 0 else 0.01 * x),
    ("gelu", lambda x: 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi)
                                                 * (x + 0.044715 * x ** 3)))),
    ("linear", lambda x: x),
])
def test_each_activation_applies_its_function(name, f):
    n = nn.Neuron(1, activation=name, seed=0)
    n.w[0].data, n.b.data = 1.0, 0.0
    for x in (-1.5, 0.7):
        assert n([x]).data == pytest.approx(f(x), abs=1e-15)


def test_mlp_activation_applies_to_hidden_layers_only():
    model = nn.MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=0)
    assert [layer.neurons[0].activation for layer in model.layers] == ["tanh", "sigmoid"]


def test_xavier_and_he_weights_lie_within_their_bounds_and_fill_them():
    model = nn.MLP(50, [30, 10], init="xavier", seed=0)
    first = [w.data for n in model.layers[0].neurons for w in n.w]
    bound = math.sqrt(6 / (50 + 30))
    assert max(map(abs, first)) <= bound and max(map(abs, first)) > 0.95 * bound
    he = nn.MLP(50, [30], init="he", seed=0)
    first = [w.data for n in he.layers[0].neurons for w in n.w]
    bound = math.sqrt(2) * math.sqrt(3 / 50)
    assert max(map(abs, first)) <= bound and max(map(abs, first)) > 0.95 * bound


def test_he_init_variance_is_2_over_fan_in():
    ws = nn.he_uniform(4000, seed=0)
    assert np.var(ws) == pytest.approx(2 / 4000, rel=0.05)


def test_biases_start_at_zero_under_every_init():
    for init in ("uniform", "xavier", "he"):
        model = nn.MLP(3, [4, 2], init=init, seed=0)
        assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


def test_same_seed_gives_the_same_model_and_another_seed_another():
    a = nn.MLP(4, [5, 3], init="xavier", seed=7).state_dict()
    assert nn.MLP(4, [5, 3], init="xavier", seed=7).state_dict() == a
    assert nn.MLP(4, [5, 3], init="xavier", seed=8).state_dict() != a


def test_models_with_a_seed_never_read_or_change_the_global_random_state():
    random.seed(123)
    state = random.getstate()
    nn.MLP(3, [4, 1], seed=1)
    nn.Neuron(3, init="he", seed=2)
    nn.xavier_uniform(5, 2, seed=3)
    assert random.getstate() == state


def test_models_without_a_seed_draw_from_the_global_random_state_as_micrograd():
    random.seed(123)
    first = nn.MLP(3, [4, 1]).state_dict()
    assert random.getstate() != random.Random(123).getstate()
    random.seed(123)
    assert nn.MLP(3, [4, 1]).state_dict() == first


def test_a_shared_random_generator_draws_different_weights_per_neuron():
    layer = nn.Layer(3, 2, seed=random.Random(0))
    assert layer.neurons[0].state_dict() != layer.neurons[1].state_dict()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"nin": 0}, ValueError, "nin must be a positive int"),
    ({"activation": "swish"}, ValueError, "activation must be one of"),
    ({"init": "normal"}, ValueError, "init: expected one of"),
    ({"seed": 1.5}, TypeError, "seed: expected an int"),
    ({"nonlin": False, "activation": "tanh"}, ValueError, "give only one of them"),
])
def test_neuron_rejects_bad_arguments_clearly(kwargs, error, message):
    args = {"nin": 3, **kwargs}
    with pytest.raises(error, match=message):
        nn.Neuron(**args)


def test_mlp_rejects_bad_layer_sizes_clearly():
    with pytest.raises(ValueError, match="at least one layer"):
        nn.MLP(2, [])
    with pytest.raises(TypeError, match="list of layer widths"):
        nn.MLP(2, 3)
    with pytest.raises(ValueError, match="each entry of nouts must be a positive int"):
        nn.MLP(2, [4, 0])
    with pytest.raises(ValueError, match="output_activation must be one of"):
        nn.MLP(2, [4, 1], output_activation="softmax")


def test_a_module_and_an_architecture_record_accept_the_same_activation_names():
    from nn.interop import TORCH_ACTIVATIONS, linear_layers
    from nn.module import ACTIVATIONS
    assert set(TORCH_ACTIVATIONS) | {"linear"} == set(ACTIVATIONS)   # to_torch maps each
    for name in ACTIVATIONS:
        record = {"class": "Neuron", "nin": 2, "activation": name}
        assert linear_layers(record)[0].activation == nn.Neuron(2, activation=name).activation
    with pytest.raises(ValueError) as from_module:
        nn.MLP(2, [1], activation="swish")
    with pytest.raises(ValueError) as from_record:
        linear_layers({"class": "MLP", "nin": 2, "nouts": [1], "activation": "swish"})
    assert str(from_module.value) == "MLP: " + str(from_record.value)


# ---------------------------------------------------------------------------
# Parameters, names, state dicts
# ---------------------------------------------------------------------------

def test_named_parameters_are_dotted_attribute_paths_in_parameter_order():
    model = nn.MLP(2, [2, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b",
                     "layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1", "layers.0.neurons.1.b",
                     "layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.b"]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert model.num_parameters() == 9


def test_a_custom_module_finds_values_lists_and_submodules():
    class Net(nn.Module):
        def __init__(self):
            self.scale = Value(2.0)
            self.head = nn.Neuron(2, seed=0)
            self.extra = [Value(1.0), nn.Neuron(1, seed=1)]
            self._cache = Value(9.0)          # private: not a parameter

        def __call__(self, x):
            return self.head(x) * self.scale

    names = [name for name, _ in Net().named_parameters()]
    assert names == ["scale", "head.w.0", "head.w.1", "head.b", "extra.0",
                     "extra.1.w.0", "extra.1.b"]
    assert len(Net().parameters()) == 7


class Gated(nn.Module):
    """A custom module keeping parameters in dicts, as torch's ParameterDict
    and ModuleDict would."""

    def __init__(self):
        self.scales = {"gain": Value(2.0), "bias": Value(0.5)}
        self.heads = {"left": nn.Neuron(2, seed=0), "right": nn.Neuron(1, seed=1)}
        self.config_ = {1: "not a parameter", "lr": 0.1}       # nothing to find here

    def __call__(self, x):
        return self.heads["left"](x) * self.scales["gain"] + self.scales["bias"]


def test_values_and_modules_in_a_dict_attribute_are_parameters_named_by_key():
    model = Gated()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scales.gain", "scales.bias", "heads.left.w.0", "heads.left.w.1",
                     "heads.left.b", "heads.right.w.0", "heads.right.b"]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert model.parameters()[0] is model.scales["gain"]


def test_an_optimizer_trains_the_values_kept_in_a_dict():
    model = Gated()
    opt = nn.SGD(model.parameters(), lr=0.5)
    model([1.0, 2.0]).backward()
    before = model.scales["bias"].data
    opt.step()
    assert model.scales["bias"].data == before - 0.5 * 1.0     # d out / d bias = 1
    copy = Gated()
    copy.load_state_dict(model.state_dict())
    assert copy.state_dict() == model.state_dict()


def test_dict_parameter_names_match_torchs_parameterdict_and_moduledict():
    torch = pytest.importorskip("torch")

    class TorchGated(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = torch.nn.ParameterDict()      # keys in insertion order
            self.scales["gain"] = torch.nn.Parameter(torch.tensor(2.0))
            self.scales["bias"] = torch.nn.Parameter(torch.tensor(0.5))
            self.heads = torch.nn.ModuleDict({"left": torch.nn.Linear(2, 1),
                                              "right": torch.nn.Linear(1, 1)})

    def owners(names):          # the module or dict entry each parameter belongs to
        return list(dict.fromkeys(".".join(n.split(".")[:2]) for n in names))

    theirs = [name for name, _ in TorchGated().named_parameters()]
    ours = [name for name, _ in Gated().named_parameters()]
    assert ours[:2] == theirs[:2] == ["scales.gain", "scales.bias"]
    assert owners(ours) == owners(theirs) == ["scales.gain", "scales.bias",
                                              "heads.left", "heads.right"]


def _nested(rng, depth):
    """A random nest of lists, tuples and dicts with Values (and noise) inside."""
    kind = rng.choice(["value", "noise"] if depth == 0 else
                      ["value", "noise", "list", "tuple", "dict", "dict"])
    if kind == "value":
        return Value(rng.random())
    if kind == "noise":
        return rng.choice([1.0, "text", None])
    items = [_nested(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    if kind == "dict":
        return {f"k{i}": item for i, item in reversed(list(enumerate(items)))}
    return items if kind == "list" else tuple(items)


def _walk(value, name):
    """The (name, Value) pairs of a nest, by the documented rule."""
    if type(value) is Value:
        return [(name, value)]
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _walk(v, f"{name}.{k}")]
    if isinstance(value, (list, tuple)):
        return [e for i, v in enumerate(value) for e in _walk(v, f"{name}.{i}")]
    return []


@pytest.mark.parametrize("seed", range(40))
def test_every_value_in_nested_lists_tuples_and_dicts_is_found_once_in_order(seed):
    rng = random.Random(seed)

    class Holder(nn.Module):
        def __init__(self):
            self.a = _nested(rng, 3)
            self.b = {"x": _nested(rng, 3), "y": [_nested(rng, 2)]}

    model = Holder()
    expected = _walk(model.a, "a") + _walk(model.b, "b")
    assert list(model.named_parameters()) == expected
    assert model.parameters() == [v for _, v in expected]


@pytest.mark.parametrize("holding, error, message", [
    ({0: Value(1.0)}, TypeError, r"Holder.d: a dict holding parameters or modules needs "
                                 r"str keys.*got the int key 0; use str\(0\)"),
    ({1: nn.Module()}, TypeError, r"Holder.d: a dict holding parameters or modules needs "
                                  r"str keys.*got the int key 1"),
    ({"a.b": Value(1.0)}, ValueError, r"Holder.d: a dict key .* without '.'.*got 'a.b'"),
    ({"": [Value(1.0)]}, ValueError, r"must be non-empty"),
    ([{Value(1.0), Value(2.0)}], TypeError, r"Holder.d.0: parameters in a set have no fixed "
                                            r"order.*list or a dict"),
])
def test_parameters_under_keys_that_cannot_name_them_are_refused(holding, error, message):
    class Holder(nn.Module):
        def __init__(self):
            self.d = holding

    for call in (lambda m: m.parameters(), lambda m: list(m.named_parameters())):
        with pytest.raises(error, match=message):
            call(Holder())


def test_a_parameter_shared_by_two_modules_is_listed_once():
    a = nn.Neuron(2, seed=0)
    b = nn.Neuron(2, seed=1)
    b.w = a.w                                  # weight tying

    class Pair(nn.Module):
        def __init__(self):
            self.a, self.b = a, b

    pair = Pair()
    assert len(pair.parameters()) == 4         # a.w (2), a.b, b.b
    assert [n for n, _ in pair.named_parameters()] == ["a.w.0", "a.w.1", "a.b", "b.b"]


def test_state_dict_round_trips_into_another_model():
    a, b = nn.MLP(3, [4, 2], seed=0), nn.MLP(3, [4, 2], seed=1)
    result = b.load_state_dict(a.state_dict())
    assert result == nn.IncompatibleKeys([], [])
    assert b.state_dict() == a.state_dict()
    assert b([0.1, 0.2, 0.3])[1].data == a([0.1, 0.2, 0.3])[1].data


def test_load_state_dict_names_missing_and_unexpected_keys_and_changes_nothing():
    model = nn.MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    state = dict(before)
    del state["layers.0.neurons.1.b"]
    state["layers.2.neurons.0.b"] = 1.0
    with pytest.raises(KeyError) as info:
        model.load_state_dict({name: 5.0 for name in state})
    message = str(info.value)
    assert "missing: 'layers.0.neurons.1.b'" in message
    assert "unexpected: 'layers.2.neurons.0.b'" in message
    assert model.state_dict() == before


def test_load_state_dict_rejects_values_that_are_not_numbers_and_changes_nothing():
    model = nn.Neuron(2, seed=0)
    before = model.state_dict()
    for bad in ("0.5", None, True, Value(1.0), [1.0]):
        with pytest.raises(ValueError, match="'b' must be a number"):
            model.load_state_dict({"w.0": 9.0, "w.1": 9.0, "b": bad})
        assert model.state_dict() == before
    with pytest.raises(TypeError, match="expected a mapping"):
        model.load_state_dict([("w.0", 1.0)])


def test_load_state_dict_refuses_nan_inf_and_ints_too_large_for_a_float_and_changes_nothing():
    # A checkpoint holds finite numbers only; a state dict loads under the same rule
    # (nan and inf were loaded, an int past 1.8e308 raised a bare OverflowError).
    model = nn.Neuron(2, seed=0)
    before = model.state_dict()
    for bad in (math.nan, math.inf, -math.inf, np.float32("nan"), 10 ** 400):
        with pytest.raises(ValueError, match="'b' must be finite"):
            model.load_state_dict({"w.0": 9.0, "w.1": 9.0, "b": bad})
        assert model.state_dict() == before


def test_load_state_dict_takes_numpy_scalars_exactly_but_not_numpy_bools():
    model = nn.Neuron(2, seed=0)
    model.load_state_dict({"w.0": np.float32(0.1), "w.1": np.int64(-3), "b": np.array(0.25)})
    assert model.state_dict() == {"w.0": float(np.float32(0.1)), "w.1": -3.0, "b": 0.25}
    assert {type(v) for v in model.state_dict().values()} == {float}
    with pytest.raises(ValueError, match="'b' must be a number, got bool"):
        model.load_state_dict({"w.0": 1.0, "w.1": 1.0, "b": np.True_})


def test_load_state_dict_non_strict_loads_the_matching_names_and_reports_the_rest():
    model = nn.Neuron(2, seed=0)
    result = model.load_state_dict({"w.0": 3.0, "extra": 1.0}, strict=False)
    assert result.missing_keys == ["w.1", "b"] and result.unexpected_keys == ["extra"]
    assert model.w[0].data == 3.0


def test_load_state_dict_accepts_numpy_numbers():
    model = nn.Neuron(1, seed=0)
    model.load_state_dict({"w.0": np.float64(0.25), "b": np.int64(2)})
    assert model.state_dict() == {"w.0": 0.25, "b": 2.0}


def test_reprs_describe_the_architecture():
    assert repr(nn.MLP(3, [4, 1], activation="tanh", seed=0)) == \
        "MLP(3, [4, 1], activation='tanh', output_activation='linear', init='uniform')"
    assert repr(nn.Layer(3, 4, seed=0)) == "Layer(3 -> 4, relu)"
    assert repr(nn.Neuron(2, activation="leaky_relu", seed=0)) == "LeakyReLUNeuron(2)"
