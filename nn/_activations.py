"""The activations a neuron may apply, by name: the one list of them.

``nn.module`` applies them and ``nn._checks`` checks a name against them
(for ``nn.interop`` too, which keeps its own ``TORCH_ACTIVATIONS``, torch's
module for each; a test checks that table against this one). It lives here,
below them, so none of them imports another for it.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional

from autograd_lite import Value

__all__ = ["ACTIVATIONS"]

# name -> function applied to a neuron's pre-activation (None: identity).
# Unbound methods of Value, so applying one costs a single call.
ACTIVATIONS: Dict[str, Optional[Callable[[Value], Value]]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,   # negative slope 0.01, as torch's default
    "gelu": Value.gelu,               # tanh approximation (torch approximate='tanh')
    "linear": None,
}
