"""A one-layer GPT written as Karpathy's microgpt writes it, and microgpt's kind of Value.

microgpt (2026) trains a character-level GPT on names with nothing but scalar
``Value`` nodes: token and position embeddings are lists of lists of Values,
``linear`` is ``sum(wi * xi ...)`` per output, RMSNorm, multi-head causal
attention over a KV cache built token by token, an MLP, residual connections,
a cross-entropy averaged over the positions of one name, then ``backward()``
and an Adam step. :class:`GPT` is that model, written once against an engine's
leaf constructor and its ``relu``/``exp``/``log`` (as the other workloads
are), so every engine runs the same statements.

:class:`LocalGradValue` is the baseline: the ``Value`` class microgpt
publishes, method for method, so the speed-up reported is the one a microgpt
user sees. A ``Value(data, children, local_grads)`` that backward multiplies
out; a number operand becomes a leaf (``isinstance`` check, as there); ``-x``
is ``x * -1``, ``a - b`` is ``a + (-b)`` and ``a / b`` is ``a * b**-1``, as
microgpt writes them. So a quotient rounds as ``a * b**-1`` does, not as a
true division (autograd-lite's and plain floats' ``/``): the losses agree
with theirs to rounding, not to the last bit; and every ``-``, ``/`` costs
microgpt's two or three nodes.

>>> a, b = LocalGradValue(2.0), LocalGradValue(-3.0)
>>> y = (a * b + a / b).exp(); y.backward()
>>> round(a.grad, 9), round(b.grad, 9)
(-0.004242113, 0.00226246)
>>> len((a - b)._children), (a / b)._children[1].data == b.data ** -1   # a + (-b); a * b**-1
(2, True)
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any, Callable, List, Sequence

__all__ = ["LocalGradValue", "NAMES", "VOCABULARY", "BOS", "DOCUMENT", "tokens", "gpt_weights",
           "GPT", "Adam"]


class LocalGradValue:
    """microgpt's ``Value``: data, grad, the children and d data / d child for each.

    Every op returns ``LocalGradValue(data, children, local_grads)``; a number
    operand becomes a leaf, as in microgpt, and ``-``, ``/`` are written
    through ``*`` and ``**`` as there. ``backward`` builds a topological
    order with a visited set (recursively, as microgpt does), then walks it
    in reverse, adding ``local_grad * v.grad`` to each child.
    """

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, LocalGradValue) else LocalGradValue(other)
        return LocalGradValue(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, LocalGradValue) else LocalGradValue(other)
        return LocalGradValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other):
        return LocalGradValue(self.data ** other, (self,), (other * self.data ** (other - 1),))

    def log(self):
        return LocalGradValue(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        return LocalGradValue(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self):
        return LocalGradValue(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


# ---------------------------------------------------------------------------
# Data: names, one per document, and microgpt's character tokenizer
# ---------------------------------------------------------------------------

NAMES = tuple("""
emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily
elizabeth mila ella avery sofia camila aria scarlett victoria madison luna grace
chloe penelope layla riley zoey nora lily eleanor hannah lillian addison aubrey
ellie stella natalie leah hazel violet aurora savannah audrey brooklyn bella
claire skylar lucy paisley everly anna caroline nova genesis kennedy samantha
maya willow kinsley naomi elena sarah ariana allison gabriella alice madelyn
cora ruby eva serenity autumn adeline hailey gianna valentina isla quinn ivy
sadie piper lydia alexa josephine emery julia delilah vivian kaylee sophie
""".split())

VOCABULARY = "".join(sorted(set("".join(NAMES))))   # the 26 letters
BOS = len(VOCABULARY)                                  # token 26 begins and ends a name
DOCUMENT = "charlotte"                                 # 9 letters: 10 positions


def tokens(name: str) -> List[int]:
    """``[BOS] + letters + [BOS]``, as microgpt tokenizes a document.

    >>> tokens("ava")
    [26, 0, 21, 0, 26]
    """
    return [BOS] + [VOCABULARY.index(ch) for ch in name] + [BOS]


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------

def gpt_weights(n_embd: int, block_size: int, seed: int):
    """microgpt's initial weights, drawn once: every matrix ~ N(0, 0.08²),
    in microgpt's order (wte, wpe, lm_head, then the layer's attn_wq, attn_wk,
    attn_wv, attn_wo, mlp_fc1, mlp_fc2).

    Returns:
        A tuple of (name, rows), rows a tuple of tuples of floats.

    >>> [(name, len(rows), len(rows[0])) for name, rows in gpt_weights(16, 10, 42)][:3]
    [('wte', 27, 16), ('wpe', 10, 16), ('lm_head', 27, 16)]
    """
    return _gpt_weights(n_embd, block_size, seed)


@functools.lru_cache(maxsize=4)
def _gpt_weights(n_embd: int, block_size: int, seed: int):
    rng = random.Random(seed)
    vocab_size = BOS + 1
    shapes = [("wte", vocab_size, n_embd), ("wpe", block_size, n_embd),
              ("lm_head", vocab_size, n_embd),
              ("attn_wq", n_embd, n_embd), ("attn_wk", n_embd, n_embd),
              ("attn_wv", n_embd, n_embd), ("attn_wo", n_embd, n_embd),
              ("mlp_fc1", 4 * n_embd, n_embd), ("mlp_fc2", n_embd, 4 * n_embd)]
    return tuple((name, tuple(tuple(rng.gauss(0, 0.08) for _ in range(nin))
                              for _ in range(nout)))
                 for name, nout, nin in shapes)


class GPT:
    """microgpt's one-layer GPT over an engine's leaves and functions.

    Args:
        engine: anything with ``Value`` (a leaf from a float), ``relu``,
            ``exp``, ``log`` and ``data`` (a node's float), such as
            ``benchmarks.workloads.Engine``.
        weights: :func:`gpt_weights`.
        n_head: attention heads (``n_embd`` must divide by it).
    """

    def __init__(self, engine: Any, weights, n_head: int):
        self.state_dict = {name: [[engine.Value(w) for w in row] for row in rows]
                           for name, rows in weights}
        self.params = [p for mat in self.state_dict.values() for row in mat for p in row]
        self.n_embd = len(self.state_dict["wte"][0])
        self.n_head = n_head
        self.head_dim = self.n_embd // n_head
        self.relu, self.exp, self.log, self.data = engine.relu, engine.exp, engine.log, engine.data

    # microgpt's helpers, word for word but for exp/relu/log taken from the engine
    def linear(self, x, w):
        return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]

    def softmax(self, logits):
        max_val = max(self.data(val) for val in logits)
        exps = [self.exp(val - max_val) for val in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def rmsnorm(self, x):
        ms = sum(xi * xi for xi in x) / len(x)
        scale = (ms + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def __call__(self, token_id: int, pos_id: int, keys: list, values: list):
        """The logits after ``token_id`` at ``pos_id``; appends to the KV cache."""
        sd, head_dim = self.state_dict, self.head_dim
        tok_emb = sd["wte"][token_id]
        pos_emb = sd["wpe"][pos_id]
        x = [t + p for t, p in zip(tok_emb, pos_emb)]
        x = self.rmsnorm(x)
        # the layer: attention, then the MLP, each around a residual connection
        x_residual = x
        x = self.rmsnorm(x)
        q = self.linear(x, sd["attn_wq"])
        k = self.linear(x, sd["attn_wk"])
        v = self.linear(x, sd["attn_wv"])
        keys.append(k)
        values.append(v)
        x_attn = []
        for h in range(self.n_head):
            hs = h * head_dim
            q_h = q[hs:hs + head_dim]
            k_h = [ki[hs:hs + head_dim] for ki in keys]
            v_h = [vi[hs:hs + head_dim] for vi in values]
            attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim ** 0.5
                           for t in range(len(k_h))]
            attn_weights = self.softmax(attn_logits)
            head_out = [sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                        for j in range(head_dim)]
            x_attn.extend(head_out)
        x = self.linear(x_attn, sd["attn_wo"])
        x = [a + b for a, b in zip(x, x_residual)]
        x_residual = x
        x = self.rmsnorm(x)
        x = self.linear(x, sd["mlp_fc1"])
        x = [self.relu(xi) ** 2 for xi in x]          # ReLU²
        x = self.linear(x, sd["mlp_fc2"])
        x = [a + b for a, b in zip(x, x_residual)]
        return self.linear(x, sd["lm_head"])

    def loss(self, token_ids: Sequence[int], block_size: int):
        """The cross-entropy of each next token, averaged over the name's positions."""
        n = min(block_size, len(token_ids) - 1)
        keys, values = [], []
        losses = []
        for pos_id in range(n):
            token_id, target_id = token_ids[pos_id], token_ids[pos_id + 1]
            logits = self(token_id, pos_id, keys, values)
            probs = self.softmax(logits)
            loss_t = -self.log(probs[target_id])
            losses.append(loss_t)
        return (1 / n) * sum(losses)


class Adam:
    """microgpt's Adam with its linearly decaying learning rate, on floats.

    Reads each parameter's gradient and data through the engine and writes
    the data back with ``set_data``, so it is the same arithmetic for every
    engine.
    """

    def __init__(self, params: List[Any], grad: Callable[[Any], float],
                 data: Callable[[Any], float], set_data: Callable[[Any, float], None],
                 learning_rate: float = 0.01, beta1: float = 0.85, beta2: float = 0.99,
                 eps: float = 1e-8, num_steps: int = 1000):
        self.params, self.grad, self.data, self.set_data = params, grad, data, set_data
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.num_steps = num_steps
        self.m = [0.0] * len(params)
        self.v = [0.0] * len(params)
        self.step_count = 0

    def step(self) -> None:
        step, beta1, beta2 = self.step_count, self.beta1, self.beta2
        lr_t = self.learning_rate * (1 - step / self.num_steps)
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = self.grad(p)
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g ** 2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            self.set_data(p, self.data(p) - lr_t * m_hat / (v_hat ** 0.5 + self.eps))
        self.step_count += 1

