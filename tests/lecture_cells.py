"""Cells of Karpathy's micrograd lecture (nn-zero-to-hero,
"micrograd_lecture_first_half_roughly") as written, on our Value: the
expression and the neuron that ``test_lecture`` checks against the lecture's
numbers and ``test_page`` steps through.

Test modules import it as ``from lecture_cells import ...`` (tests/conftest.py
puts ``tests/`` on ``sys.path``).
"""

from autograd_lite import Value

__all__ = ["expression", "neuron"]


def expression():
    """L = (a*b + c) * f; returns a, b, c, e, d, f, L."""
    a = Value(2.0, label='a')
    b = Value(-3.0, label='b')
    c = Value(10.0, label='c')
    e = a*b; e.label = 'e'
    d = e + c; d.label = 'd'
    f = Value(-2.0, label='f')
    L = d * f; L.label = 'L'
    return a, b, c, e, d, f, L


def neuron():
    """o = tanh(x1*w1 + x2*w2 + b), not yet differentiated; returns its
    nodes by name (``neuron()["o"]`` is the output)."""
    # inputs x1,x2
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    # weights w1,w2
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    # bias of the neuron
    b = Value(6.8813735870195432, label='b')
    # x1*w1 + x2*w2 + b
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    o = n.tanh(); o.label = 'o'
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2,
                x1w1x2w2=x1w1x2w2, n=n, o=o)
