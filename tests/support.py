"""Shared by several test modules: the worked example and derivatives by
repeated backward.

Test modules import it as ``from support import ...`` (pytest puts ``tests/``
on ``sys.path``, as the folder has no ``__init__.py``).
"""

from typing import List

from autograd_lite import Value

__all__ = ["worked_example", "derivatives_by_repeated_backward"]


def worked_example(a, b):
    """The README's worked example y = tanh(ab + b²/a) + ln(a)·σ(b), on Values or tensors."""
    return (a * b + b ** 2 / a).tanh() + a.log() * b.sigmoid()


def derivatives_by_repeated_backward(x: Value, y: Value, order: int) -> List[float]:
    """dⁿy/dxⁿ for n = 1..order: ``backward(create_graph=True)`` on y, then on
    each derivative in turn, with ``x.grad`` reset before each sweep (the last
    sweep builds no graph, so ``x.grad`` ends as a float)."""
    derivatives = []
    current = y
    for n in range(1, order + 1):
        x.grad = 0.0
        current.backward(create_graph=n < order)
        current = x.grad
        derivatives.append(current.data if isinstance(current, Value) else current)
    return derivatives
