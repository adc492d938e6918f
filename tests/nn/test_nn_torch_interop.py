"""To PyTorch and back: to_torch, MLP.from_torch and safetensors files,
checked against torch itself."""

import random

import pytest

import nn

torch = pytest.importorskip("torch")

ARCHITECTURES = {
    "relu, linear output": dict(nin=3, nouts=[5, 4, 2]),
    "tanh, sigmoid output": dict(nin=2, nouts=[6, 1], activation="tanh",
                                 output_activation="sigmoid"),
    "gelu": dict(nin=4, nouts=[3, 3, 3], activation="gelu"),
    "leaky relu, one layer": dict(nin=3, nouts=[2], output_activation="leaky_relu"),
    "linear hidden layers": dict(nin=2, nouts=[3, 2], activation="linear"),
}


def inputs(nin, count=8, seed=0):
    rng = random.Random(seed)
    return [[rng.uniform(-3, 3) for _ in range(nin)] for _ in range(count)]


def outputs(model, x):
    out = model(x)
    return [v.data for v in out] if isinstance(out, list) else [out.data]


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_to_torch_computes_the_same_function_within_1e_12(name):
    model = nn.MLP(seed=0, **ARCHITECTURES[name])
    net = model.to_torch()
    assert isinstance(net, torch.nn.Sequential)
    assert all(p.dtype == torch.float64 for p in net.parameters())
    for x in inputs(model.config()["nin"]):
        theirs = net(torch.tensor(x, dtype=torch.float64)).tolist()
        assert theirs == pytest.approx(outputs(model, x), abs=1e-12, rel=0)


def test_to_torch_is_a_sequential_of_linear_layers_and_activation_modules():
    net = nn.MLP(2, [3, 3, 1], activation="gelu", seed=0).to_torch()
    assert [type(m).__name__ for m in net] == ["Linear", "GELU", "Linear", "GELU", "Linear"]
    assert net[1].approximate == "tanh"
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias",
                                      "4.weight", "4.bias"]


def test_to_torch_copies_the_weights_so_the_model_and_the_copy_are_independent():
    model = nn.MLP(2, [2], seed=0)
    before = model.state_dict()
    net = model.to_torch()
    with torch.no_grad():
        net[0].weight.add_(1.0)
    assert model.state_dict() == before


def test_a_layer_and_a_neuron_convert_too():
    layer, neuron = nn.Layer(3, 2, activation="tanh", seed=0), nn.Neuron(3, seed=0)
    x = [0.5, -1.0, 2.0]
    assert layer.to_torch()(torch.tensor(x, dtype=torch.float64)).tolist() == \
        pytest.approx([v.data for v in layer(x)], abs=1e-12, rel=0)
    assert neuron.to_torch()(torch.tensor(x, dtype=torch.float64)).item() == \
        pytest.approx(neuron(x).data, abs=1e-12, rel=0)


def test_a_custom_module_cannot_convert_and_says_so():
    class Affine(nn.Module):
        def __init__(self):
            self.w = nn.Neuron(1, seed=0)

    with pytest.raises(TypeError, match="only an MLP, Layer or Neuron converts"):
        Affine().to_torch()


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_from_torch_of_to_torch_gives_back_every_weight_bit_for_bit(name):
    model = nn.MLP(seed=0, **ARCHITECTURES[name])
    back = nn.MLP.from_torch(model.to_torch())
    assert back.config() == model.config()
    assert back.state_dict() == model.state_dict()


def test_from_torch_reads_a_module_trained_in_torch():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Identity(),
                              torch.nn.Linear(4, 2)).double()
    model = nn.MLP.from_torch(net)
    assert model.config()["nouts"] == [4, 2] and model.config()["activation"] == "tanh"
    for x in inputs(3):
        assert outputs(model, x) == pytest.approx(
            net(torch.tensor(x, dtype=torch.float64)).tolist(), abs=1e-12, rel=0)


def test_from_torch_converts_float32_weights_exactly():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 2))
    model = nn.MLP.from_torch(net)
    assert [p.data for p in model.parameters()] == \
        net[0].weight[0].tolist() + net[0].bias[:1].tolist() + \
        net[0].weight[1].tolist() + net[0].bias[1:].tolist()


def diverged(net):
    """``net`` with a nan bias in its last layer, as training that diverged leaves it."""
    with torch.no_grad():
        net[-1].bias[0] = float("nan")
    return net


@pytest.mark.parametrize("build, message", [
    (lambda: torch.nn.Linear(2, 2), "expected a torch.nn.Sequential"),
    (lambda: torch.nn.Sequential(), "has no Linear layer"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Softplus()),
     "layer 1 is Softplus, which an MLP cannot represent"),
    (lambda: torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 2)),
     "comes before any Linear"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Tanh()),
     "follows another activation"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2, bias=False)), "bias=False"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(2, 1)),
     "takes 2 inputs but the layer before gives 3"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 3),
                                 torch.nn.Tanh(), torch.nn.Linear(3, 1)),
     "hidden layers use different activations"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LeakyReLU(0.2)),
     "slope 0.01"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU()),
     "GELU\\(approximate='tanh'\\)"),
    (lambda: torch.nn.Sequential(torch.nn.Conv1d(1, 1, 1)), "Conv1d, which an MLP cannot"),
    (lambda: diverged(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(),
                                          torch.nn.Linear(2, 1))),
     r"layer 2 \(Linear.*\) holds nan or inf"),
])
def test_from_torch_refuses_what_an_mlp_cannot_represent_naming_the_layer(build, message):
    error = TypeError if "Sequential" in message else ValueError
    with pytest.raises(error, match=message):
        nn.MLP.from_torch(build())


# ---- safetensors ------------------------------------------------------------------

def test_a_safetensors_file_loads_into_to_torch_with_safetensors_torch(tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    model = nn.MLP(3, [5, 2], activation="tanh", seed=0)
    path = tmp_path / "model.safetensors"
    model.save(path)
    net = nn.MLP(3, [5, 2], activation="tanh", seed=7).to_torch()
    tensors = safetensors_torch.load_file(str(path))
    assert {name: tuple(t.shape) for name, t in tensors.items()} == \
        {"0.weight": (5, 3), "0.bias": (5,), "2.weight": (2, 5), "2.bias": (2,)}
    net.load_state_dict(tensors)
    for a, b in zip(net.state_dict().values(), model.to_torch().state_dict().values()):
        assert torch.equal(a, b)


def test_load_model_rebuilds_a_safetensors_file_from_its_metadata(tmp_path):
    pytest.importorskip("safetensors")
    model = nn.MLP(4, [3, 3, 2], activation="gelu", output_activation="sigmoid", seed=0)
    path = tmp_path / "model.safetensors"
    nn.save_checkpoint(model, path, metadata={"epoch": 7})
    rebuilt = nn.load_model(path)
    assert repr(rebuilt) == repr(model)
    assert [p.data.hex() for p in rebuilt.parameters()] == \
        [p.data.hex() for p in model.parameters()]
    assert nn.read_checkpoint(path)["metadata"] == {"epoch": 7}
    other = nn.MLP(4, [3, 3, 2], activation="gelu", output_activation="sigmoid", seed=1)
    assert other.load(path) == {"epoch": 7}
    assert other.state_dict() == model.state_dict()


def test_a_file_written_by_safetensors_torch_from_a_torch_model_is_refused_without_metadata(
        tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    path = tmp_path / "plain.safetensors"
    safetensors_torch.save_file(nn.MLP(2, [2], seed=0).to_torch().state_dict(), str(path))
    with pytest.raises(ValueError, match="not an autograd-lite checkpoint"):
        nn.load_model(path)


def test_a_safetensors_file_of_another_architecture_is_refused_and_changes_nothing(tmp_path):
    pytest.importorskip("safetensors")
    path = tmp_path / "m.safetensors"
    nn.MLP(3, [4, 2], seed=0).save(path)
    model = nn.MLP(3, [5, 2], seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match="different architecture"):
        model.load(path)
    assert model.state_dict() == before


def test_a_custom_module_cannot_be_saved_as_safetensors(tmp_path):
    pytest.importorskip("safetensors")

    class Scale(nn.Module):
        def __init__(self):
            self.k = nn.Neuron(1, seed=0)

    with pytest.raises(ValueError, match="use a .json path"):
        Scale().save(tmp_path / "s.safetensors")
    assert not (tmp_path / "s.safetensors").exists()


@pytest.mark.parametrize("version", ["two", "1.5", "²", "-1", "", "1" * 5000])
def test_a_safetensors_file_whose_version_is_not_an_integer_is_refused_naming_the_file(
        tmp_path, version):
    safetensors = pytest.importorskip("safetensors")
    from safetensors.numpy import load_file, save_file
    path = tmp_path / "m.safetensors"
    nn.MLP(2, [3, 1], seed=0).save(path)
    with safetensors.safe_open(str(path), "np") as f:
        metadata = f.metadata()
    save_file(load_file(str(path)), str(path), metadata={**metadata, "version": version})
    model = nn.MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"m\.safetensors' has an invalid version .*expected "
                                         r"an integer"):
        model.load(path)
    assert model.state_dict() == before
