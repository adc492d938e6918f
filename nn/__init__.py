"""nn: neural networks on autograd-lite, with PyTorch's semantics.

Modules (micrograd-compatible), losses, optimizers, learning-rate schedules,
gradient clipping, initializers and checkpoints:

>>> import nn
>>> model = nn.MLP(2, [8, 2], activation="tanh", seed=0)
>>> opt = nn.Adam(model.parameters(), lr=0.05)
>>> data = [([0.0, 0.0], 0), ([0.0, 1.0], 1), ([1.0, 0.0], 1), ([1.0, 1.0], 0)]
>>> for step in range(100):
...     opt.zero_grad()
...     loss = nn.cross_entropy([model(x) for x, _ in data], [y for _, y in data])
...     loss.backward()
...     _ = nn.clip_grad_norm_(model.parameters(), 5.0)
...     opt.step()
>>> [max(range(2), key=lambda k: model(x)[k].data) for x, _ in data]   # XOR learnt
[0, 1, 1, 0]
"""

from autograd_lite import __version__ as __version__  # one version for both packages

from .checkpoint import load_checkpoint, read_checkpoint, save_checkpoint
from .clip import clip_grad_norm_, clip_grad_value_
from .data import batches, group_by_length, load_idx, load_mnist
from .embedding import Embedding
from .functional import (TargetOutOfRangeError, binary_cross_entropy,
                         binary_cross_entropy_with_logits, cross_entropy, hinge_loss,
                         huber_loss, l1_loss, log_softmax, mse_loss, softmax)
from .init import he_uniform, make_rng, uniform_init, xavier_uniform
from .module import MLP, IncompatibleKeys, Layer, Module, Neuron, StateDictKeyError
from .optim import SGD, Adam, AdamW, Optimizer, RMSprop
from .rebuild import load_model
from .schedulers import (CosineAnnealingLR, ExponentialLR, LinearLR, LinearWarmup,
                         LRScheduler, SequentialLR, StepLR)

__all__ = [
    # modules
    "Module", "Neuron", "Layer", "MLP", "Embedding", "IncompatibleKeys", "StateDictKeyError",
    # losses and softmax
    "softmax", "log_softmax", "cross_entropy", "mse_loss", "l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge_loss",
    "TargetOutOfRangeError",
    # optimizers and schedules
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop",
    "LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
    "LinearWarmup", "SequentialLR",
    # gradient clipping
    "clip_grad_norm_", "clip_grad_value_",
    # initializers
    "uniform_init", "xavier_uniform", "he_uniform", "make_rng",
    # checkpoints
    "save_checkpoint", "load_checkpoint", "read_checkpoint", "load_model",
    # data
    "load_idx", "load_mnist", "batches", "group_by_length",
]
