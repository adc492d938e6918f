"""Weight initializers: the random starting point of a network's weights.

Each initializer returns the ``fan_in`` starting weights of one neuron. With
no ``seed`` they are drawn from the ``random`` module's global generator, as
micrograd's are (and as PyTorch draws from the generator ``torch.manual_seed``
fixes), so ``random.seed(1337)`` fixes them. With ``seed=`` they come from a
private ``random.Random`` and the global state is neither read nor changed.

* :func:`uniform_init` - micrograd's U(-1, 1), whatever the layer sizes.
* :func:`xavier_uniform` - Xavier/Glorot (2010): U(-a, a) with
  a = gain * sqrt(6 / (fan_in + fan_out)), keeping the variance of the signal
  the same forwards and of the gradient backwards through tanh/sigmoid layers.
* :func:`he_uniform` - He/Kaiming (2015): U(-a, a) with
  a = gain * sqrt(3 / fan_in) and gain = sqrt(2) for ReLU (ReLU zeroes half its
  inputs, so the variance is doubled to make up for it). Matches
  ``torch.nn.init.kaiming_uniform_(w, nonlinearity='relu')``.

Biases start at 0 under every scheme (as in micrograd).

>>> uniform_init(3, seed=0) == uniform_init(3, seed=0)
True
>>> bound = (6 / 4) ** 0.5                         # He, fan_in = 4
>>> all(-bound <= w <= bound for w in he_uniform(4, seed=1))
True
"""

from __future__ import annotations

import math
import random
from typing import Callable, Dict, List, Union

from ._checks import positive_int

__all__ = ["Seed", "make_rng", "uniform_init", "xavier_uniform", "he_uniform",
           "INITIALIZERS", "get_initializer"]

Seed = Union[int, random.Random, None]
Initializer = Callable[..., List[float]]

_GLOBAL_RNG: random.Random = random.random.__self__  # type: ignore[attr-defined]


def make_rng(seed: Seed = None) -> random.Random:
    """The generator for ``seed``: an int seeds a new one, a ``random.Random``
    is used as is (so a model's neurons can share one stream), None gives the
    ``random`` module's global generator (the one ``random.seed`` seeds).

    Args:
        seed: an int, a ``random.Random``, or None.

    Returns:
        A ``random.Random``. Only None gives the global one; an int leaves
        the global ``random`` state alone.

    Example:
        >>> make_rng(7).random() == make_rng(7).random()
        True
        >>> random.seed(1); a = make_rng().random(); random.seed(1)
        >>> a == random.random()
        True
    """
    if seed is None:
        # The random module's functions are bound methods of one hidden
        # random.Random (documented in the random module's docs): the very
        # generator random.seed() seeds and micrograd's random.uniform reads.
        return _GLOBAL_RNG
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed: expected an int, a random.Random or None, got "
                        f"{type(seed).__name__}; e.g. seed=0")
    return random.Random(seed)


def uniform_init(fan_in: int, fan_out: int = 1, seed: Seed = None) -> List[float]:
    """micrograd's initializer: each weight from U(-1, 1).

    Args:
        fan_in: inputs of the neuron (the number of weights returned).
        fan_out: unused; accepted so every initializer has one signature.
        seed: see :func:`make_rng`.

    Returns:
        ``fan_in`` floats in [-1, 1].

    Example:
        >>> ws = uniform_init(5, seed=3); len(ws), all(-1 <= w <= 1 for w in ws)
        (5, True)
    """
    fan_in = positive_int("uniform_init", "fan_in", fan_in)
    rng = make_rng(seed)
    return [rng.uniform(-1.0, 1.0) for _ in range(fan_in)]


def xavier_uniform(fan_in: int, fan_out: int = 1, seed: Seed = None,
                   gain: float = 1.0) -> List[float]:
    """Xavier/Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)).

    Args:
        fan_in: inputs of the neuron (the number of weights returned).
        fan_out: neurons in the layer (outputs of the layer).
        seed: see :func:`make_rng`.
        gain: scale factor (1 for tanh/sigmoid/linear, as PyTorch's default).

    Returns:
        ``fan_in`` floats in [-a, a].

    Example:
        >>> a = math.sqrt(6 / (2 + 3))
        >>> all(abs(w) <= a for w in xavier_uniform(2, 3, seed=0))
        True
    """
    fan_in = positive_int("xavier_uniform", "fan_in", fan_in)
    fan_out = positive_int("xavier_uniform", "fan_out", fan_out)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    rng = make_rng(seed)
    return [rng.uniform(-bound, bound) for _ in range(fan_in)]


def he_uniform(fan_in: int, fan_out: int = 1, seed: Seed = None,
               gain: float = math.sqrt(2.0)) -> List[float]:
    """He/Kaiming uniform: U(-a, a), a = gain * sqrt(3 / fan_in), gain sqrt(2).

    Args:
        fan_in: inputs of the neuron (the number of weights returned).
        fan_out: unused (He scales by fan_in only, PyTorch's default mode).
        seed: see :func:`make_rng`.
        gain: sqrt(2) for ReLU; sqrt(2 / (1 + slope^2)) for leaky ReLU.

    Returns:
        ``fan_in`` floats in [-a, a].

    Example:
        >>> max(abs(w) for w in he_uniform(600, seed=0)) <= 0.1
        True
    """
    fan_in = positive_int("he_uniform", "fan_in", fan_in)
    bound = gain * math.sqrt(3.0 / fan_in)
    rng = make_rng(seed)
    return [rng.uniform(-bound, bound) for _ in range(fan_in)]


INITIALIZERS: Dict[str, Initializer] = {
    "uniform": uniform_init,
    "xavier": xavier_uniform,
    "glorot": xavier_uniform,
    "he": he_uniform,
    "kaiming": he_uniform,
}


def get_initializer(init: Union[str, Initializer]) -> Initializer:
    """The initializer named ``init`` (or ``init`` itself if it is callable).

    Args:
        init: "uniform" (micrograd), "xavier"/"glorot", "he"/"kaiming", or a
            function ``f(fan_in, fan_out, seed) -> list of fan_in floats``.

    Returns:
        The initializer function.

    Example:
        >>> get_initializer("glorot") is xavier_uniform
        True
    """
    if callable(init):
        return init
    found = INITIALIZERS.get(init) if isinstance(init, str) else None
    if found is None:
        raise ValueError(f"init: expected one of {sorted(INITIALIZERS)} or a "
                         f"function, got {init!r}")
    return found
