"""nn.Embedding: PyTorch's lookup table, one Value per weight, eager and compiled."""

import importlib.util
import random
import statistics

import numpy as np
import pytest

import nn
from autograd_lite import Value, compile

HAVE_TORCH = importlib.util.find_spec("torch") is not None


def test_a_lookup_returns_the_row_parameters_themselves():
    emb = nn.Embedding(5, 3, seed=0)
    row = emb(2)
    assert isinstance(row, list) and len(row) == 3
    assert all(a is b for a, b in zip(row, emb.weight[2]))


def test_a_lookup_returns_a_new_list_each_time():
    emb = nn.Embedding(5, 3, seed=0)
    row = emb(1)
    row.append(Value(9.0))
    assert len(emb(1)) == 3


def test_the_gradient_reaches_the_selected_row_only():
    emb = nn.Embedding(4, 2, seed=0)
    loss = sum(v * v for v in emb(1)) + 3.0 * emb(3)[0]
    loss.backward()
    for i, row in enumerate(emb.weight):
        for j, p in enumerate(row):
            if i == 1:
                assert p.grad == 2 * p.data
            elif (i, j) == (3, 0):
                assert p.grad == 3.0
            else:
                assert p.grad == 0.0


def test_a_row_looked_up_twice_accumulates_both_gradients():
    emb = nn.Embedding(3, 2, seed=0)
    (emb(0)[0] + emb(0)[0]).backward()
    assert emb.weight[0][0].grad == 2.0


def test_weights_are_drawn_from_a_standard_normal_as_in_pytorch():
    emb = nn.Embedding(200, 50, seed=1)
    weights = [p.data for p in emb.parameters()]
    assert abs(statistics.fmean(weights)) < 0.05          # 10,000 draws: sd of mean 0.01
    assert abs(statistics.pstdev(weights) - 1.0) < 0.03


def test_std_scales_the_initial_weights():
    unit = nn.Embedding(4, 3, seed=7)
    small = nn.Embedding(4, 3, std=0.08, seed=7)
    assert [p.data * 0.08 for p in unit.parameters()] == \
        pytest.approx([p.data for p in small.parameters()], rel=1e-12)


def test_the_same_seed_gives_the_same_table_and_leaves_the_global_generator_alone():
    random.seed(3)
    state = random.getstate()
    a, b = nn.Embedding(6, 4, seed=11), nn.Embedding(6, 4, seed=11)
    assert a.state_dict() == b.state_dict()
    assert random.getstate() == state
    assert nn.Embedding(6, 4, seed=12).state_dict() != a.state_dict()


def test_no_seed_draws_from_the_global_generator():
    random.seed(5)
    first = nn.Embedding(3, 2).state_dict()
    random.seed(5)
    assert nn.Embedding(3, 2).state_dict() == first


def test_parameters_are_named_by_row_and_column_in_row_order():
    emb = nn.Embedding(2, 3, seed=0)
    assert list(emb.state_dict()) == ["weight.0.0", "weight.0.1", "weight.0.2",
                                      "weight.1.0", "weight.1.1", "weight.1.2"]
    assert emb.num_parameters() == 6
    assert (emb.num_embeddings, emb.embedding_dim) == (2, 3)


def test_printing_shows_the_sizes_and_the_parameter_count():
    assert repr(nn.Embedding(27, 16, seed=0)) == "Embedding(27, 16)"

    class Model(nn.Module):
        def __init__(self):
            self.wte = nn.Embedding(27, 16, seed=0)

    assert str(Model()).splitlines()[1] == "  (wte): Embedding(27, 16): 432 parameters"


def test_an_embedding_round_trips_through_a_checkpoint_and_load_model(tmp_path):
    emb = nn.Embedding(5, 3, seed=0)
    path = tmp_path / "emb.json"
    emb.save(path)
    other = nn.Embedding(5, 3, seed=1)
    other.load(path)
    assert other.state_dict() == emb.state_dict()
    rebuilt = nn.load_model(path)
    assert isinstance(rebuilt, nn.Embedding) and rebuilt.state_dict() == emb.state_dict()


def test_load_model_refuses_an_embedding_record_that_does_not_match_its_parameters(tmp_path):
    import json
    path = tmp_path / "emb.json"
    nn.Embedding(5, 3, seed=0).save(path)
    document = json.loads(path.read_text())
    document["architecture"]["num_embeddings"] = 500
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="Embedding.*15"):
        nn.load_model(path)


@pytest.mark.parametrize("index, error, message", [
    (3, IndexError, "token id 3 is out of range for 3 values"),
    (-1, IndexError, "token id -1 is out of range"),
    (1.0, TypeError, "must be an int"),
    (True, TypeError, "must be an int"),
    ([0, 1], TypeError, r"one token id .* \[emb\(i\) for i in ids\]"),
    (np.array([0, 1]), TypeError, r"one token id .* got ndarray"),
    (Value(1.0), TypeError, "must be an int"),
])
def test_a_bad_index_says_what_was_expected(index, error, message):
    with pytest.raises(error, match=message):
        nn.Embedding(3, 2, seed=0)(index)


def test_a_numpy_integer_index_works_as_an_int():
    emb = nn.Embedding(3, 2, seed=0)
    assert emb(np.int64(2)) == emb(2)


@pytest.mark.parametrize("args, message", [
    ((0, 2), "num_embeddings must be a positive int"),
    ((3, 0), "embedding_dim must be a positive int"),
])
def test_bad_sizes_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        nn.Embedding(*args)


def test_a_negative_std_is_refused():
    with pytest.raises(ValueError, match="std must be >= 0"):
        nn.Embedding(3, 2, std=-1.0)


def test_compiled_lookups_equal_eager_ones_sample_by_sample():
    emb = nn.Embedding(6, 3, seed=0)
    w = Value(0.5)

    def f(i, j):
        return [w * a * b for a, b in zip(emb(i), emb(j))]

    i, j = np.array([0, 5, 2, 2, 4]), np.array([1, 5, 0, 3, 3])
    out = compile(f)(i, j)
    out.sum().backward()
    compiled_grads = [p.grad for p in emb.parameters()] + [w.grad]
    emb.zero_grad()
    w.grad = 0.0
    eager = [f(int(a), int(b)) for a, b in zip(i, j)]
    sum(v for row in eager for v in row).backward()
    assert out.data.tolist() == [[v.data for v in row] for row in eager]
    assert compiled_grads == pytest.approx([p.grad for p in emb.parameters()] + [w.grad],
                                           rel=1e-12, abs=1e-15)


def test_a_compiled_lookup_out_of_range_names_the_sample():
    emb = nn.Embedding(3, 2, seed=0)
    with pytest.raises(IndexError, match="sample 2"):
        compile(lambda i: emb(i))(np.array([0, 1, 3]))


@pytest.mark.skipif(not HAVE_TORCH, reason="needs torch")
def test_the_table_and_its_gradient_match_torch_embedding():
    import torch
    emb = nn.Embedding(7, 4, seed=0)
    table = emb.to_torch()
    assert table.weight.shape == (7, 4) and table.weight.dtype == torch.float64
    ids = [3, 1, 3]
    ours = [v for i in ids for v in emb(i)]
    theirs = table(torch.tensor(ids))
    assert [v.data for v in ours] == theirs.ravel().tolist()
    coefficients = [0.5 * k for k in range(len(ours))]
    sum(c * v for c, v in zip(coefficients, ours)).backward()
    (theirs.ravel() * torch.tensor(coefficients, dtype=torch.float64)).sum().backward()
    assert [[p.grad for p in row] for row in emb.weight] == table.weight.grad.tolist()


@pytest.mark.skipif(not HAVE_TORCH, reason="needs torch")
def test_torch_embedding_is_also_initialised_from_a_standard_normal():
    import torch
    torch.manual_seed(0)
    weight = torch.nn.Embedding(200, 50).weight.detach()
    assert abs(weight.mean().item()) < 0.05 and abs(weight.std().item() - 1.0) < 0.03


@pytest.mark.skipif(not HAVE_TORCH, reason="needs torch")
def test_a_torch_embedding_converts_both_ways_exactly():
    import torch
    torch.manual_seed(0)
    table = torch.nn.Embedding(5, 3, dtype=torch.float64)
    emb = nn.Embedding.from_torch(table)
    assert [[v.data for v in row] for row in emb.weight] == table.weight.tolist()
    assert torch.equal(emb.to_torch().weight, table.weight)
    with pytest.raises(TypeError, match="expected a torch.nn.Embedding, got Linear"):
        nn.Embedding.from_torch(torch.nn.Linear(2, 2))
