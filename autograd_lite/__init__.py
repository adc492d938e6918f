"""autograd-lite: exact scalar reverse-mode automatic differentiation.

>>> from autograd_lite import Value
>>> a = Value(2.0); b = Value(-3.0)
>>> y = (a * b).tanh() + a.log() * b.sigmoid()
>>> y.backward()
>>> round(a.grad, 6), round(b.grad, 6)
(0.023639, 0.031363)
"""

import os

from . import accelerator
from .coerce import is_real_number
from .core import Value, topological_order
from .fused import Leaves, apply_op, dot, logsumexp, vsum
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

# The one place the accelerator goes over the core (accelerator.REPLACES lists
# what it replaces); AUTOGRAD_LITE_REFERENCE=1 runs the core alone.
if os.environ.get("AUTOGRAD_LITE_REFERENCE", "") in ("", "0"):
    accelerator.install()

from .functional import grad, gradients, hessian, jacobian, jvp, value_and_grad
from .gradcheck import GradcheckError, check_op, gradcheck, gradgradcheck
from .explain import explain
from .graph import draw_dot, draw_graph
from .page import show_page
from .pictures import save_graph
from .ops import OPS, DivisionByZeroError, DomainError, FloatOverflowError, Op
from .user_ops import define_op, remove_op
from .compile import compile as compile  # public; kept out of __all__, see below
from .compile import select

__version__ = "0.1.0"

__all__ = [
    "Value", "Leaves", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "vsum", "dot", "logsumexp",
    "apply_op", "topological_order", "is_real_number",
    "OPS", "Op", "DomainError", "DivisionByZeroError", "FloatOverflowError",
    "define_op", "remove_op",
    "gradcheck", "gradgradcheck", "check_op", "GradcheckError",
    "draw_graph", "draw_dot", "save_graph", "show_page", "explain",
    "grad", "value_and_grad", "jacobian", "hessian", "jvp", "gradients",
    "select",
]
# compile is public (``from autograd_lite import compile``) but not in __all__:
# ``from autograd_lite import *`` would shadow Python's builtin compile.
