"""The GPT demo: microgpt's model in scalar Values, trained through compile (small runs)."""

import random

import numpy as np
import pytest
from support import PNG_MAGIC, import_demo

gpt = import_demo("gpt")

import nn  # noqa: E402
from autograd_lite import compile  # noqa: E402
from demos._common import run  # noqa: E402

NAMES = ("emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily "
         "ella avery sofia camila aria scarlett luna grace chloe layla riley zoey nora lily "
         "hannah stella leah hazel violet aurora bella claire lucy anna ruby eva ivy").split()
TINY = ["--n-embd", "4", "--n-head", "2", "--block-size", "6", "--batch-size", "8",
        "--samples", "3"]


@pytest.fixture
def names_file(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("\n".join(NAMES) + "\n\n")
    return path


def tiny_model(seed=0):
    tokenizer = gpt.Tokenizer(NAMES)
    return tokenizer, gpt.GPT(tokenizer.vocab_size, n_embd=4, n_head=2, block_size=6,
                              seed=seed)


def test_the_demo_trains_samples_and_draws_its_loss_curve(names_file, tmp_path, capsys):
    result = gpt.main(["--data", str(names_file), "--steps", "4", "--out", str(tmp_path),
                       *TINY])
    assert len(result["history"]["train"]) == 4
    assert result["held_out"] == result["history"]["held_out"][-1][1] > 0
    assert 0 < result["bigram"] < np.log(27)
    assert len(result["samples"]) == 3 and all(isinstance(s, str) for s in result["samples"])
    assert max(result["check"]) <= 1e-12
    assert (tmp_path / "loss.png").read_bytes().startswith(PNG_MAGIC)
    printed = capsys.readouterr().out
    assert "nats per character (a bigram model:" in printed
    assert "compiled" in printed and "eager" in printed


def test_the_demo_is_deterministic_by_seed(names_file, tmp_path):
    args = ["--data", str(names_file), "--steps", "3", *TINY]
    first = gpt.main([*args, "--out", str(tmp_path / "a")])
    again = gpt.main([*args, "--out", str(tmp_path / "b")])
    assert first["history"] == again["history"] and first["samples"] == again["samples"]


def test_eager_training_runs_the_same_code_document_by_document(names_file, tmp_path):
    result = gpt.main(["--data", str(names_file), "--steps", "3", "--eager",
                       "--out", str(tmp_path), *TINY])
    assert len(result["history"]["train"]) == 3 and result["held_out"] > 0


def test_the_compiled_loss_and_gradients_equal_the_scalar_engines():
    tokenizer, model = tiny_model()
    step = compile(lambda tokens: gpt.document_loss(model, tokens))
    batch = np.array([tokenizer.encode(n) for n in ("emma", "ella", "lily", "luna")])
    loss_error, grad_error = gpt.check_compiled(model, step, batch)
    assert loss_error <= 1e-12 and grad_error <= 1e-12
    assert all(p.grad == 0.0 for p in model.parameters())


def test_the_consistency_check_fails_when_the_compiled_step_computes_something_else():
    tokenizer, model = tiny_model()
    _, other = tiny_model(seed=1)
    step = compile(lambda tokens: gpt.document_loss(other, tokens))
    batch = np.array([tokenizer.encode(n) for n in ("emma", "ella")])
    with pytest.raises(AssertionError, match="compiled and eager disagree"):
        gpt.check_compiled(model, step, batch)


def test_a_document_loss_is_the_mean_cross_entropy_of_its_next_tokens():
    tokenizer, model = tiny_model()
    tokens = tokenizer.encode("ava")
    keys, values, total = [], [], 0.0
    for pos in range(len(tokens) - 1):
        logits = model(tokens[pos], pos, keys, values)
        probs = gpt.softmax(logits)
        total += -np.log(probs[tokens[pos + 1]].data)
    assert gpt.document_loss(model, tokens).data == pytest.approx(total / 4, rel=1e-12)


def test_softmax_sums_to_one_and_survives_large_logits():
    from autograd_lite import Value
    probs = gpt.softmax([Value(1000.0), Value(990.0)])
    assert sum(p.data for p in probs) == pytest.approx(1.0, rel=1e-15)
    assert probs[1].data == pytest.approx(np.exp(-10) / (1 + np.exp(-10)), rel=1e-9)


def test_the_bigram_baseline_is_the_smoothed_count_model():
    # after [2] the counts (plus one) are 2, 1, 1: P(0 | 2) = 1/2
    assert gpt.bigram_loss([[2, 0]], [[2, 0]], 3) == pytest.approx(np.log(2))


def test_sampling_is_seeded_and_stops_at_the_end_token():
    tokenizer, model = tiny_model()
    first = [gpt.sample(model, tokenizer, random.Random(1)) for _ in range(3)]
    again = [gpt.sample(model, tokenizer, random.Random(1)) for _ in range(3)]
    assert first == again
    assert all(len(name) <= model.block_size and set(name) <= set(tokenizer.chars)
               for name in first)


def test_the_model_is_a_module_with_named_matrices():
    tokenizer, model = tiny_model()
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "wte.weight.0.0" and "attn_wq.3.3" in names and "mlp_fc2.3.15" in names
    # wte and lm_head vocab x 4, wpe 6x4, four 4x4, fc1 16x4, fc2 4x16
    assert model.num_parameters() == 2 * tokenizer.vocab_size * 4 + 6 * 4 + 4 * 16 + 2 * 64


def test_the_default_data_are_the_names_packages_first_names():
    docs = gpt.load_documents()
    assert len(docs) > 5000 and len(set(docs)) == len(docs)
    assert "mary" in docs and "james" in docs and all(d == d.lower() for d in docs)


@pytest.mark.parametrize("text, fragment", [
    ("\n \n", "holds no document"),
    ("emma\n", "one document is too few"),
    (None, "missing.txt"),
], ids=["empty", "one document", "missing"])
def test_a_data_file_that_cannot_be_trained_on_is_one_line(text, fragment, tmp_path, capsys):
    path = tmp_path / "missing.txt"
    if text is not None:
        path = tmp_path / "names.txt"
        path.write_text(text)
    with pytest.raises(SystemExit) as stopped:
        run(gpt.main, "gpt", ["--data", str(path), "--out", str(tmp_path)])
    assert stopped.value.code == 1
    error = capsys.readouterr().err
    assert fragment in error and "Traceback" not in error and error.count("\n") == 1


def test_an_n_embd_that_does_not_divide_by_the_heads_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        gpt.parse_args(["--n-embd", "6", "--n-head", "4"])
    assert stopped.value.code == 2
    assert "--n-embd (6) must divide by --n-head (4)" in capsys.readouterr().err


def test_grouping_the_names_by_length_gives_only_rectangular_batches():
    tokenizer, _ = tiny_model()
    batches = nn.group_by_length([tokenizer.encode(n) for n in NAMES], 8, seed=0)
    assert all(b.ndim == 2 for b in batches)
    assert sum(len(b) for b in batches) == len(NAMES)


