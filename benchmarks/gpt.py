"""The gpt workload: microgpt's GPT per document, through ``compile`` against eager.

The GPT of ``demos/gpt.py`` (microgpt's one-layer model written in scalar
Values: n_embd {gpt_embd}, {gpt_heads} heads, ReLU MLP, a vocabulary of 27),
one training step's forward + backward on documents of {gpt_block}
positions, two ways, timed in one run, interleaved:

* ``eager``: one document, the scalar engine's graph and backward (what
  ``demos/gpt.py --eager`` and microgpt do per step);
* ``compile``: ``compile(lambda tokens: document_loss(model, tokens))`` over
  a batch of {gpt_batch} documents of that length, ``.mean().backward()``
  included (it writes every parameter's ``.grad``).

Per-document times are the batch's time over the batch size. The documents
are seeded random letters between the token that begins and ends a name:
the cost of a document depends on its length only. Before timing, the
compiled losses and gradients are checked against the scalar engine's on
the batch (``demos.gpt.check_compiled``, to 1e-12 relative); run.py's
correctness guard fails the run when they disagree.
"""

from __future__ import annotations

import random
import statistics
from typing import Any, Callable, Dict

import numpy as np

from benchmarks import workloads as W

__all__ = ["measure", "documents"]

VOCAB_SIZE = 27          # 26 letters and the token that begins and ends a name


def documents(batch: int, positions: int, seed: int) -> np.ndarray:
    """``batch`` token rows of ``positions + 1`` tokens: BOS, random letters, BOS.

    >>> documents(2, 4, seed=0).shape
    (2, 5)
    """
    rng = random.Random(seed)
    bos = VOCAB_SIZE - 1
    return np.array([[bos] + [rng.randrange(bos) for _ in range(positions - 1)] + [bos]
                     for _ in range(batch)])


def measure(sizes: W.Sizes, reps: int, clock: Callable[[], int],
            log: Callable[[str], None]) -> Dict[str, Any]:
    """Time the two steps; returns per-document medians (ns), the ratio and the check."""
    from autograd_lite import compile
    from demos.gpt import GPT, check_compiled, document_loss

    model = GPT(VOCAB_SIZE, n_embd=sizes.gpt_embd, n_head=sizes.gpt_heads,
                block_size=sizes.gpt_block, seed=42)
    batch = documents(sizes.gpt_batch, sizes.gpt_block, seed=sizes.seed)
    step = compile(lambda tokens: document_loss(model, tokens))
    try:
        loss_error, grad_error = check_compiled(model, step, batch)
        ok = True
    except AssertionError:
        loss_error = grad_error = float("nan")
        ok = False
    first = batch[0].tolist()

    def compiled():
        step(batch).mean().backward()

    def eager():
        document_loss(model, first).backward()

    runs = {"compile": compiled, "eager": eager}
    times = W.time_interleaved(runs, reps, clock, model.zero_grad, log, "gpt")
    per_document = {"compile": statistics.median(times["compile"]) / len(batch),
                    "eager": statistics.median(times["eager"])}
    return {
        "batch": len(batch), "positions": sizes.gpt_block, "n_embd": sizes.gpt_embd,
        "heads": sizes.gpt_heads, "reps": reps, "parameters": model.num_parameters(),
        "per_document_ns": per_document,
        "vs_eager": per_document["eager"] / per_document["compile"],
        "check": {"loss_error": loss_error, "grad_error": grad_error, "ok": ok},
    }
