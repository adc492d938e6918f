"""A GPT written in scalar Values, as Karpathy's microgpt writes it, trained through compile.

The model is microgpt's one-layer GPT: token and position embeddings
(``nn.Embedding``), RMSNorm, 4-head causal attention over a KV cache built
token by token, a ReLU MLP, residual connections and an lm head, every
weight one ``Value`` and every matrix product a ``sum(wi * xi ...)``. A
document (a name) is ``[BOS] + letters + [BOS]``; its loss is the
cross-entropy of each next token, averaged over its positions.

By default :func:`autograd_lite.compile` traces that per-document code once
per document length and replays it with numpy over a batch of documents of
that length (``nn.group_by_length`` makes the batches). ``--eager`` trains
the same code document by document on the scalar engine, as microgpt does.
Before training, one batch's compiled losses and gradients are checked
against the scalar engine's, document by document.

Two differences from microgpt, both so that compile runs the code as one
trace per length:

* softmax is ``exp(l - logsumexp(logits))``: microgpt subtracts
  ``max(v.data for v in logits)``, and under compile which logit is largest
  is a branch; with a softmax per position and head, documents take so many
  branch patterns that compile refuses them (it keeps 8), where logsumexp
  has no branch;
* the loss of a position is ``nn.cross_entropy(logits, target)``
  (``logsumexp(logits) - logits[target]``, which is ``-log softmax[target]``,
  microgpt's loss, without forming the softmax); the target is a per-document
  integer, which indexes only through ``select`` (or the losses that use it).

Data: by default the US-census first names of the ``names`` package
(``pip install -e ".[demos]"``), lower-cased, each once; ``--data FILE``
reads any file of one document per line (e.g. makemore's ``names.txt``).
A seeded 10% is held out; its loss is computed through compile in both
modes (the scalar engine's numbers, to rounding), at eight points of the
run and at the end. At the end the demo prints the held-out loss in
nats per character (each letter and the end of the name are predicted)
next to a bigram model's on the same split, a dozen sampled names, and the
CPU time per document compiled and eager; it writes ``loss.png`` under
``--out`` (default ``out/gpt/``).

Run: ``python demos/gpt.py`` (see ``--help`` for the options).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:           # run from a clean clone: import nn, autograd_lite, demos
    sys.path.insert(0, ROOT)

import os  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from typing import Any, Dict, List, Optional, Sequence, Tuple  # noqa: E402

# The compiled step multiplies small matrices: one BLAS thread does that
# faster than several fighting for two shared cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd_lite import Leaves, Value, compile, logsumexp, no_grad  # noqa: E402
from demos._common import (DemoError, demo_parser, output_dir, plt, positive_float,  # noqa: E402
                           positive_int, progress, run, save_figure, user_input)

__all__ = ["main", "GPT", "Tokenizer", "load_documents", "document_loss", "softmax",
           "rmsnorm", "linear", "bigram_loss", "sample", "check_compiled"]

HELD_OUT = 0.1           # the share of the documents held out


# ---- data -----------------------------------------------------------------------

def load_documents(path: Optional[str] = None) -> List[str]:
    """The documents: one per non-empty line of ``path``, or by default the
    ``names`` package's US-census first names (female and male), lower-cased,
    each once, in alphabetical order.

    Raises:
        ImportError: no ``path`` and the ``names`` package is not installed.
        ValueError: the file holds no document.
    """
    if path is None:
        try:
            import names
        except ImportError:
            raise ImportError("the default data are the names package's first names: "
                              "pip install names (the demos extra), or pass --data FILE "
                              "with one document per line") from None
        lines = []
        for key in ("first:female", "first:male"):
            with open(names.FILES[key], encoding="utf-8") as table:
                lines += [line.split()[0].lower() for line in table if line.strip()]
        return sorted(set(lines))
    with open(path, encoding="utf-8") as file:
        docs = [line.strip() for line in file if line.strip()]
    if not docs:
        raise ValueError(f"--data {path}: the file holds no document (one per line)")
    return docs


class Tokenizer:
    """microgpt's tokenizer: each character seen is a token id (in sorted
    order), and one more id, BOS, begins and ends every document.

    >>> tok = Tokenizer(["ab", "ba"]); tok.encode("ab"), tok.decode([1, 0])
    ([2, 0, 1, 2], 'ba')
    """

    def __init__(self, docs: Sequence[str]):
        self.chars = sorted(set("".join(docs)))
        self.bos = len(self.chars)
        self.vocab_size = len(self.chars) + 1
        self._ids = {ch: i for i, ch in enumerate(self.chars)}

    def encode(self, doc: str) -> List[int]:
        """``[BOS] + ids + [BOS]``."""
        return [self.bos] + [self._ids[ch] for ch in doc] + [self.bos]

    def decode(self, ids: Sequence[int]) -> str:
        """The characters of ``ids`` (BOS ids skipped)."""
        return "".join(self.chars[i] for i in ids if i != self.bos)


# ---- the model, as microgpt writes it ----------------------------------------

def linear(x: Sequence[Value], w: Sequence[Sequence[Value]]) -> List[Value]:
    """microgpt's ``linear``: one ``sum(wi * xi ...)`` per output row of ``w``."""
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits: Sequence[Value]) -> List[Value]:
    """``exp(l - logsumexp(logits))`` for each logit.

    microgpt shifts by ``max(v.data for v in logits)`` to keep ``exp`` from
    overflowing; logsumexp is that shift made a Value (it subtracts the max
    inside its own op), so compile follows it without a branch: which logit
    is largest differs from document to document, and a branch per softmax
    would multiply the traces.

    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0)])]
    [0.2689, 0.7311]
    """
    total = logsumexp(logits)
    return [(v - total).exp() for v in logits]


def rmsnorm(x: Sequence[Value]) -> List[Value]:
    """microgpt's RMSNorm: ``x / sqrt(mean(x²) + 1e-5)``, no learned gain."""
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def _matrix(rng: random.Random, nout: int, nin: int, std: float = 0.08) -> List[Leaves]:
    return [Leaves(Value(rng.gauss(0, std)) for _ in range(nin)) for _ in range(nout)]


class GPT(nn.Module):
    """microgpt's one-layer GPT: embeddings, RMSNorm, causal attention, ReLU MLP, lm head.

    Every weight is drawn from N(0, 0.08²), as microgpt draws them.

    Args:
        vocab_size: token ids (the tokenizer's, BOS included).
        n_embd: the width of the residual stream.
        n_head: attention heads (``n_embd`` must divide by it).
        block_size: the longest context (positions).
        seed: int, ``random.Random`` or None (see :func:`nn.make_rng`).

    Example:
        >>> model = GPT(5, n_embd=4, n_head=2, block_size=3, seed=0)
        >>> keys, values = [], []
        >>> len(model(4, 0, keys, values)), len(keys)
        (5, 1)
    """

    def __init__(self, vocab_size: int, *, n_embd: int = 16, n_head: int = 4,
                 block_size: int = 16, seed: nn.init.Seed = None):
        if n_embd % n_head:
            raise ValueError(f"GPT: n_embd ({n_embd}) must divide by n_head ({n_head})")
        rng = nn.make_rng(seed)
        self.wte = nn.Embedding(vocab_size, n_embd, std=0.08, seed=rng)
        self.wpe = nn.Embedding(block_size, n_embd, std=0.08, seed=rng)
        self.lm_head = _matrix(rng, vocab_size, n_embd)
        self.attn_wq = _matrix(rng, n_embd, n_embd)
        self.attn_wk = _matrix(rng, n_embd, n_embd)
        self.attn_wv = _matrix(rng, n_embd, n_embd)
        self.attn_wo = _matrix(rng, n_embd, n_embd)
        self.mlp_fc1 = _matrix(rng, 4 * n_embd, n_embd)
        self.mlp_fc2 = _matrix(rng, n_embd, 4 * n_embd)
        self.n_head = n_head
        self.block_size = block_size

    def __call__(self, token_id: Any, pos_id: int, keys: List[List[Value]],
                 values: List[List[Value]]) -> List[Value]:
        """The logits of the token after ``token_id`` at position ``pos_id``;
        appends this position's key and value to the cache (``keys``, ``values``)."""
        n_embd = self.wte.embedding_dim
        head_dim = n_embd // self.n_head
        tok_emb = self.wte(token_id)
        pos_emb = self.wpe(pos_id)
        x = [t + p for t, p in zip(tok_emb, pos_emb)]
        x = rmsnorm(x)
        # the layer: attention, then the MLP, each around a residual connection
        x_residual = x
        x = rmsnorm(x)
        q = linear(x, self.attn_wq)
        k = linear(x, self.attn_wk)
        v = linear(x, self.attn_wv)
        keys.append(k)
        values.append(v)
        x_attn: List[Value] = []
        for h in range(self.n_head):
            hs = h * head_dim
            q_h = q[hs:hs + head_dim]
            k_h = [ki[hs:hs + head_dim] for ki in keys]
            v_h = [vi[hs:hs + head_dim] for vi in values]
            attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim ** 0.5
                           for t in range(len(k_h))]
            attn_weights = softmax(attn_logits)
            head_out = [sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                        for j in range(head_dim)]
            x_attn.extend(head_out)
        x = linear(x_attn, self.attn_wo)
        x = [a + b for a, b in zip(x, x_residual)]
        x_residual = x
        x = rmsnorm(x)
        x = linear(x, self.mlp_fc1)
        x = [xi.relu() for xi in x]
        x = linear(x, self.mlp_fc2)
        x = [a + b for a, b in zip(x, x_residual)]
        return linear(x, self.lm_head)

    def config(self) -> Dict[str, Any]:
        return {"vocab_size": self.wte.num_embeddings, "n_embd": self.wte.embedding_dim,
                "n_head": self.n_head, "block_size": self.block_size}

    def __repr__(self) -> str:
        c = self.config()
        return (f"GPT(vocab_size={c['vocab_size']}, n_embd={c['n_embd']}, "
                f"n_head={c['n_head']}, block_size={c['block_size']})")


def document_loss(model: GPT, tokens: Sequence[Any]) -> Value:
    """The mean cross-entropy of each next token of one document, as microgpt's step.

    Args:
        model: the GPT.
        tokens: ``[BOS] + ids + [BOS]``, at most ``block_size + 1`` of them:
            ints, or the per-document integers of a compiled function.
    """
    n = len(tokens) - 1
    keys: List[List[Value]] = []
    values: List[List[Value]] = []
    losses = []
    for pos_id in range(n):
        logits = model(tokens[pos_id], pos_id, keys, values)
        losses.append(nn.cross_entropy(logits, tokens[pos_id + 1]))
    return (1 / n) * sum(losses)


# ---- checks, baselines, sampling ---------------------------------------------

def check_compiled(model: GPT, step: Any, batch: np.ndarray,
                   rtol: float = 1e-12) -> Tuple[float, float]:
    """Check one batch's compiled losses and gradients against the scalar engine's.

    The compiled replay merges sums of products into matrix products, which
    add in another order than the scalar engine's left-to-right ``+``: the
    numbers agree to rounding (about 1e-15 relative), not to the last bit.
    So the check is to ``rtol`` relative (1e-12 by default): far above
    rounding, far below any real difference.

    Args:
        model: the GPT; its ``.grad`` are overwritten (zeroed after).
        step: ``compile(lambda tokens: document_loss(model, tokens))``.
        batch: documents of one length, an int array (documents, tokens).

    Returns:
        (largest relative difference of the losses, of the gradients).

    Raises:
        AssertionError: a difference above ``rtol``.
    """
    params = model.parameters()
    model.zero_grad()
    out = step(batch)
    out.mean().backward()
    compiled_grads = np.array([p.grad for p in params])
    model.zero_grad()
    eager = [document_loss(model, row.tolist()) for row in batch]
    (sum(eager) / len(eager)).backward()
    eager_grads = np.array([p.grad for p in params])
    model.zero_grad()
    eager_losses = np.array([loss.data for loss in eager])
    loss_error = float(np.max(np.abs(out.data - eager_losses) / np.abs(eager_losses)))
    grad_error = float(np.max(np.abs(compiled_grads - eager_grads))
                       / np.max(np.abs(eager_grads)))
    if not (loss_error <= rtol and grad_error <= rtol):
        raise AssertionError(f"compiled and eager disagree on one batch: losses by "
                             f"{loss_error:.1e}, gradients by {grad_error:.1e} "
                             f"(relative; allowed {rtol:g})")
    return loss_error, grad_error


def bigram_loss(train: Sequence[Sequence[int]], test: Sequence[Sequence[int]],
                vocab_size: int) -> float:
    """A bigram model's held-out loss, nats per predicted token.

    P(next | previous) from the training counts plus one (add-one smoothing,
    as makemore's bigram model), evaluated on ``test``.

    >>> round(bigram_loss([[2, 0, 2]], [[2, 0, 2]], 3), 4)   # (ln 2 + ln 2) / 2
    0.6931
    """
    counts = np.ones((vocab_size, vocab_size))
    for tokens in train:
        np.add.at(counts, (tokens[:-1], tokens[1:]), 1.0)
    logp = np.log(counts / counts.sum(axis=1, keepdims=True))
    total = sum(float(-logp[tokens[:-1], tokens[1:]].sum()) for tokens in test)
    return total / sum(len(tokens) - 1 for tokens in test)


def sample(model: GPT, tokenizer: Tokenizer, rng: random.Random,
           temperature: float = 0.5) -> str:
    """One new document, drawn token by token as microgpt's inference loop does.

    The logits are divided by ``temperature`` (below 1: surer, more common
    names; above 1: more varied) before the softmax.
    """
    keys: List[List[Value]] = []
    values: List[List[Value]] = []
    token_id, out = tokenizer.bos, []
    with no_grad():
        for pos_id in range(model.block_size):
            logits = model(token_id, pos_id, keys, values)
            probs = softmax([logit / temperature for logit in logits])
            token_id = rng.choices(range(tokenizer.vocab_size),
                                   weights=[p.data for p in probs])[0]
            if token_id == tokenizer.bos:
                break
            out.append(token_id)
    return tokenizer.decode(out)


# ---- training ---------------------------------------------------------------------

def parse_args(argv: Optional[Sequence[str]]):
    parser = demo_parser("gpt", "A one-layer GPT in scalar Values (microgpt's), trained on "
                                "names through compile.", seed=42,
                         seed_help="seed for the split, the weights, the batches and "
                                   "the samples")
    parser.add_argument("--data", metavar="FILE", default=None,
                        help="one document per line (default: the names package's "
                             "US-census first names)")
    parser.add_argument("--steps", type=positive_int, default=1500,
                        help="optimizer steps (--eager: one document each)")
    parser.add_argument("--batch-size", type=positive_int, default=64,
                        help="documents per compiled step (of one length)")
    parser.add_argument("--lr", type=positive_float, default=0.01,
                        help="Adam's learning rate, decaying linearly to 0")
    parser.add_argument("--n-embd", type=positive_int, default=16, help="embedding width")
    parser.add_argument("--n-head", type=positive_int, default=4, help="attention heads")
    parser.add_argument("--block-size", type=positive_int, default=16,
                        help="longest context; longer documents are cut")
    parser.add_argument("--temperature", type=positive_float, default=0.5,
                        help="sampling temperature")
    parser.add_argument("--samples", type=positive_int, default=12, help="names to sample")
    parser.add_argument("--eager", action="store_true",
                        help="train document by document on the scalar engine, as microgpt")
    args = parser.parse_args(argv)
    if args.n_embd % args.n_head:
        parser.error(f"--n-embd ({args.n_embd}) must divide by --n-head ({args.n_head})")
    return args


def _split(docs: List[str], seed: int) -> Tuple[List[str], List[str]]:
    shuffled = list(docs)
    random.Random(seed).shuffle(shuffled)
    n_test = max(1, int(len(shuffled) * HELD_OUT))
    return shuffled[n_test:], shuffled[:n_test]


def _batches(tokens: List[List[int]], batch_size: int, seed: int):
    """Endless batches of equal-length documents, a new order each epoch."""
    rng = np.random.default_rng(seed)
    while True:
        yield from nn.group_by_length(tokens, batch_size, seed=rng)


def held_out_loss(step: Any, tokens: List[List[int]]) -> float:
    """Nats per predicted token over ``tokens``, through the compiled step."""
    total = count = 0.0
    for batch in nn.group_by_length(tokens, 4096, seed=0):
        n = batch.shape[1] - 1
        total += float(step(batch).data.sum()) * n
        count += n * len(batch)
    return total / count


def _speed(model: GPT, step: Any, batch: np.ndarray) -> Tuple[float, float]:
    """CPU seconds per document, forward + backward: the compiled step on
    ``batch`` over its size (best of 3, after an untimed call that traces the
    length if training did not), and the eager step on 4 of its documents.
    CPU time, not wall time: other processes on the machine do not count."""
    step(batch).mean().backward()
    times = []
    for _ in range(3):
        started = time.process_time()
        step(batch).mean().backward()
        times.append(time.process_time() - started)
    compiled = min(times) / len(batch)
    rows = batch[:4]
    started = time.process_time()
    for row in rows:
        document_loss(model, row.tolist()).backward()
    eager = (time.process_time() - started) / len(rows)
    model.zero_grad()
    return compiled, eager


def plot_loss(history: Dict[str, list], bigram: float, title: str, path: Path) -> Path:
    """The training loss per step (and its running mean), the held-out loss,
    and the bigram model's held-out loss as a line."""
    fig, ax = plt.subplots(figsize=(7, 4))
    steps = np.arange(1, len(history["train"]) + 1)
    ax.plot(steps, history["train"], color="#9ecae1", lw=0.6, label="training batch")
    window = max(1, len(steps) // 30)
    if len(steps) >= window:
        smooth = np.convolve(history["train"], np.ones(window) / window, mode="valid")
        ax.plot(steps[window - 1:], smooth, color="#08519c", lw=1.5,
                label=f"training, mean of {window} steps")
    if history["held_out"]:
        at, loss = zip(*history["held_out"])
        ax.plot(at, loss, "o-", color="#d94801", ms=4, label="held out")
    ax.axhline(bigram, color="#636363", ls="--", lw=1, label=f"bigram, held out ({bigram:.2f})")
    ax.set_xlabel("step")
    ax.set_ylabel("loss, nats per character")
    ax.set_title(title)
    ax.legend(frameon=False)
    top = max(bigram + 0.6, min(max(history["train"]), 3.6))
    ax.set_ylim(min(min(history["train"]), bigram) - 0.2, top)
    return save_figure(fig, path)


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Train, evaluate, sample and time the GPT; returns the metrics."""
    args = parse_args(argv)
    started, cpu_started = time.perf_counter(), time.process_time()
    out = output_dir(args.out)
    with user_input():
        docs = load_documents(args.data)
    if len(docs) < 2:
        raise DemoError(f"--data {args.data}: one document is too few to train on and "
                        "hold one out; give a file of many (one per line)")
    train_docs, test_docs = _split(docs, args.seed)
    tokenizer = Tokenizer(docs)
    cut = args.block_size + 1
    train = [tokenizer.encode(d)[:cut] for d in train_docs]
    test = [tokenizer.encode(d)[:cut] for d in test_docs]
    source = args.data or "the names package's US-census first names"
    print(f"data: {len(docs):,} documents from {source}, {len(train):,} to train on, "
          f"{len(test):,} held out; vocabulary of {tokenizer.vocab_size}")

    model = GPT(tokenizer.vocab_size, n_embd=args.n_embd, n_head=args.n_head,
                block_size=args.block_size, seed=args.seed)
    print(f"model: {model!r}, {model.num_parameters():,} parameters")
    opt = nn.Adam(model.parameters(), lr=args.lr, betas=(0.85, 0.99), eps=1e-8)
    schedule = nn.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=args.steps)
    step = compile(lambda tokens: document_loss(model, tokens))
    batches = _batches(train, 1 if args.eager else args.batch_size, args.seed)

    # a batch of (at most) 8 documents: the eager side costs ~0.15 s a document
    first = max(nn.group_by_length(train, 8, seed=args.seed), key=len)
    loss_error, grad_error = check_compiled(model, step, first)
    print(f"check: on {len(first)} documents of {first.shape[1]} tokens the compiled losses "
          f"and gradients equal the scalar engine's to {max(loss_error, grad_error):.1e} "
          f"relative (allowed 1e-12: the replay's matrix products add in another order)")

    history: Dict[str, list] = {"train": [], "held_out": []}
    evaluate_every = max(1, args.steps // 8)
    how = "document by document (eager)" if args.eager else \
        f"batches of up to {args.batch_size} same-length documents (compiled)"
    print(f"training: {args.steps} steps on {how}, Adam lr {args.lr:g} decaying linearly to 0")
    train_started = time.perf_counter()
    bar = progress(range(args.steps), desc="training", unit="step")
    for i in bar:
        batch = next(batches)
        model.zero_grad()
        if args.eager:
            loss = document_loss(model, batch[0].tolist())
            loss.backward()
            value = loss.data
        else:
            reduced = step(batch).mean()
            reduced.backward()
            value = reduced.data
        opt.step()
        schedule.step()
        history["train"].append(value)
        if (i + 1) % evaluate_every == 0 or i + 1 == args.steps:
            held = held_out_loss(step, test)
            history["held_out"].append((i + 1, held))
            bar.set_postfix(loss=f"{value:.3f}", held_out=f"{held:.3f}")
    train_seconds = time.perf_counter() - train_started

    held = history["held_out"][-1][1]
    bigram = bigram_loss(train, test, tokenizer.vocab_size)
    print(f"held out: {held:.3f} nats per character (a bigram model: {bigram:.3f}), "
          f"{len(test):,} documents")
    rng = random.Random(args.seed)
    names = [sample(model, tokenizer, rng, args.temperature) for _ in range(args.samples)]
    print(f"samples (temperature {args.temperature:g}): {', '.join(names)}")
    # the most common length's first batch (a full one, unless the data are few)
    speed_batch = max(nn.group_by_length(train, args.batch_size, seed=args.seed),
                      key=len)
    compiled_s, eager_s = _speed(model, step, speed_batch)
    print(f"CPU time per document of {speed_batch.shape[1] - 1} positions (forward + backward): "
          f"compiled {compiled_s * 1e3:.2f} ms at a batch of {len(speed_batch)}, eager "
          f"{eager_s * 1e3:.1f} ms: {eager_s / compiled_s:.0f}x")
    title = (f"GPT (n_embd {args.n_embd}, {args.n_head} heads), "
             f"{'eager' if args.eager else 'compiled'}, {len(train):,} names")
    picture = plot_loss(history, bigram, title, out / "loss.png")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"wrote {picture}; {seconds:.1f} s in all ({train_seconds:.1f} s training), "
          f"{cpu:.1f} s of CPU")
    return {"held_out": held, "bigram": bigram, "samples": names, "history": history,
            "check": (loss_error, grad_error), "seconds": seconds,
            "speed": {"compiled": compiled_s, "eager": eager_s}, "pictures": [picture]}


if __name__ == "__main__":
    run(main, "gpt")
