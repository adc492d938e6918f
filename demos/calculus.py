"""The calculus behind backpropagation, computed by the engine next to the closed forms.

Every worked example of the reference texts (derivative from first principles,
differentiation rules, chain rule, partial derivatives, gradient, Jacobian,
Hessian, Taylor series, Newton's method, vanishing gradients, optimizer updates)
is computed here with autograd-lite's ``grad``, ``jacobian``, ``hessian`` and
``jvp`` and printed next to its closed form. The numbers the texts print
for these examples (and for a few integrals and probabilities) are checked
against the math; where they disagree the output says so, and why.

Run:  python demos/calculus.py [--out out/calculus]

Pictures (in ``--out``): first-principles errors, Hessian landscapes, Taylor
polynomials, Newton versus gradient descent, and the vanishing gradient.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:           # run from a clean clone: import nn, autograd_lite, demos
    sys.path.insert(0, ROOT)

from typing import Callable, Dict, List, Optional, Sequence, Union  # noqa: E402

import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd_lite import (Value, dot, explain, grad, gradients, hessian, jacobian,  # noqa: E402
                           jvp, logsumexp, topological_order)
from demos._common import (demo_parser, lecture_neuron, output_dir, plt, progress,  # noqa: E402
                           require_at_least_one, save_figure)
from demos._common import run as run_demo  # noqa: E402 (run: a local name below)

__all__ = ["main", "Checker", "taylor_coefficients", "newton_1d", "gradient_descent_1d",
           "newton_2d", "chain_gradients", "lecture_neuron_backward"]

# ---------------------------------------------------------------------------
# Printing, and the ledger of engine-versus-closed-form comparisons
# ---------------------------------------------------------------------------

def section(title: str) -> None:
    print(f"\n{'=' * 78}\n{title}\n{'=' * 78}")


def fmt(x: float) -> str:
    """A number to 12 significant digits (enough to see exact agreement)."""
    return f"{x:.12g}"


class Checker:
    """Prints engine results next to closed forms, and reference-text numbers
    next to the math; keeps the largest disagreement and every discrepancy.

    Example:
        >>> c = Checker(quiet=True)
        >>> c.compare("f'(3)", 6.0, 6.0)
        >>> c.text("d/dx σ(3x + 2) at x = 0, 1", ["0.315", "0.044"], [0.31498, 0.01994])
        False
        >>> c.discrepancies[0]["text_says"], c.discrepancies[0]["correct"]
        ('[0.315, 0.044]', '[0.315, 0.0199]')
    """

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.max_error = 0.0
        self.comparisons = 0
        self.text_checks = 0
        self.discrepancies: List[Dict[str, object]] = []

    def say(self, line: str = "") -> None:
        if not self.quiet:
            print(line)

    def record(self, engine: float, exact: float) -> float:
        """Count one engine-versus-closed-form comparison; return |difference|."""
        error = abs(float(engine) - float(exact))
        self.max_error = max(self.max_error, error)
        self.comparisons += 1
        return error

    def header(self, first: str = "") -> None:
        self.say(f"  {first:<30} {'engine':>18} {'closed form':>18} {'|diff|':>8}")

    def compare(self, label: str, engine: float, exact: float) -> None:
        """Record ``engine`` against the closed form ``exact`` and print both."""
        error = self.record(engine, exact)
        self.say(f"  {label:<30} {fmt(engine):>18} {fmt(exact):>18} {error:8.1e}")

    def compare_matrix(self, label: str, engine: np.ndarray, exact) -> None:
        """Record a whole matrix; print it once, with the largest difference."""
        exact = np.asarray(exact, dtype=float)
        errors = [self.record(e, x) for e, x in zip(np.ravel(engine), np.ravel(exact))]
        self.say(f"  {label}: engine {_matrix_text(engine)}, closed form "
                 f"{_matrix_text(exact)}, max |diff| {max(errors):.1e}")

    def text(self, claim: str, printed: Union[str, Sequence[str]],
             exact: Union[float, Sequence[float]], why: str = "",
             decimals: Optional[int] = None, rounded: bool = False) -> bool:
        """Check numbers a reference text prints against their exact values.

        ``claim`` says, in words, what the numbers are (``"f'(0), f'(1),
        f'(2) of x²·eˣ"``), so the output reads on its own, without the text.

        A printed number agrees when it is the exact value rounded, or cut
        off, to the decimals it shows (a comment abbreviating a longer
        print). With ``rounded`` (the text's code formats the number itself,
        e.g. ``f"{x:.6f}"``) it must be the rounded value; ``decimals``
        overrides the places shown (``round(x, 6)`` printed as ``0.0``).
        Returns True when every number agrees.
        """
        many = not isinstance(printed, str)
        shown = [p.strip() for p in (printed if many else [printed])]
        values = [float(v) for v in (exact if many else [exact])]
        self.text_checks += len(shown)
        correct, agrees = [], True
        for text_value, value in zip(shown, values):
            places = decimals if decimals is not None else (
                len(text_value.split(".")[1]) if "." in text_value else 0)
            ok = _agrees(float(text_value), value, places, rounded or decimals is not None)
            correct.append(text_value if ok else _shown(value, places))
            agrees = agrees and ok
        said = f"[{', '.join(shown)}]" if many else shown[0]
        right = f"[{', '.join(correct)}]" if many else correct[0]
        if agrees:
            self.say(f"    the text prints {said} for {claim}: agrees")
            return True
        self.discrepancies.append({"claim": claim, "text_says": said, "correct": right,
                                   "why": why})
        self.say(f"    !! for {claim} the text prints {said}; the math gives {right}")
        if why:
            self.say(f"       ({why})")
        return False


def _agrees(printed: float, exact: float, places: int, rounded: bool) -> bool:
    unit = 10.0 ** -places
    if abs(printed - exact) <= 0.5 * unit * (1 + 1e-9) + 1e-15:
        return True                                          # rounded to `places`
    cut = math.trunc(exact / unit) * unit
    return not rounded and abs(printed - cut) <= 1e-9 * unit  # cut off to `places`


def _shown(value: float, places: int) -> str:
    """``value`` to the places the text shows, or 3 significant digits if
    that would leave fewer."""
    text = f"{round(value, places) + 0.0:.{places}f}"
    if len(text.lstrip("-0.").replace(".", "")) >= 3:
        return text
    return f"{value:.3g}"


def _matrix_text(m) -> str:
    return str(np.round(np.asarray(m, dtype=float) + 0.0, 12).tolist()).replace(".0,", ",") \
        .replace(".0]", "]")


# ---------------------------------------------------------------------------
# Tools used by several sections
# ---------------------------------------------------------------------------

def sigmoid(x: float) -> float:
    """The logistic function, stable for any x (closed forms only)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _bowl(w: Sequence[Value]) -> Value:
    """The texts' running example L(w) = w0² + 3w1²: ∇L = [2w0, 6w1], minimum at 0."""
    return w[0] ** 2 + 3 * w[1] ** 2


def _check_bowl_gradient(check: Checker, at: Sequence[float], claim: str,
                         printed: Sequence[str]) -> None:
    """∇L of the bowl at ``at`` by ``grad``, against [2w0, 6w1] and against
    the numbers the text prints for ``claim``."""
    g = grad(_bowl)(list(at))
    where = f"at [{at[0]:g}, {at[1]:g}]"
    check.header()
    check.compare(f"∂L/∂w0 {where} = 2w0", g[0], 2 * at[0])
    check.compare(f"∂L/∂w1 {where} = 6w1", g[1], 6 * at[1])
    check.text(f"{claim} of L(w) = w0² + 3w1²", printed, g)


def taylor_coefficients(f: Callable[[Value], Value], order: int, at: float = 0.0) -> List[float]:
    """Taylor coefficients f⁽ⁿ⁾(a)/n!, n = 0..order, from nested ``grad``.

    Args:
        f: a function of one Value.
        order: the highest power.
        at: the expansion point a.

    Returns:
        The coefficients c₀..c_order of f(x) ≈ Σ cₙ (x − a)ⁿ.

    Example:
        >>> [round(c, 6) for c in taylor_coefficients(lambda x: x.exp(), 3)]
        [1.0, 1.0, 0.5, 0.166667]
    """
    coefficients, derivative = [], f
    for n in range(order + 1):
        value = derivative(Value(at)).data if n == 0 else derivative(at)
        coefficients.append(float(value) / math.factorial(n))
        derivative = grad(derivative)
    return coefficients


def newton_1d(f: Callable[[Value], Value], x0: float, x_star: float, tol: float = 1e-10,
              max_iter: int = 100) -> List[float]:
    """Newton's method x ← x − f'(x)/f''(x), with f' and f'' from nested ``grad``.

    Args:
        f: a function of one Value.
        x0: the starting point.
        x_star: the known minimizer, to stop at.
        tol: stop once |x − x_star| < tol.
        max_iter: stop after this many steps in any case.

    Returns:
        The iterates x₀, x₁, ..., the last within ``tol`` of ``x_star``
        unless ``max_iter`` ran out.

    Example:
        >>> xs = newton_1d(lambda x: x.exp() - 2 * x, 0.0, math.log(2))
        >>> len(xs) - 1, abs(xs[-1] - math.log(2)) < 1e-10
        (5, True)
    """
    d1, d2 = grad(f), grad(grad(f))
    xs = [float(x0)]
    while abs(xs[-1] - x_star) >= tol and len(xs) <= max_iter:
        x = xs[-1]
        xs.append(x - d1(x) / d2(x))
    return xs


def gradient_descent_1d(f: Callable[[Value], Value], x0: float, x_star: float, lr: float,
                        tol: float = 1e-10, max_iter: int = 10_000) -> List[float]:
    """Gradient descent x ← x − lr·f'(x), f' by ``grad``; arguments and result
    as :func:`newton_1d`.

    Example:
        >>> xs = gradient_descent_1d(lambda x: (x - 1) ** 2, 0.0, 1.0, lr=0.5)
        >>> xs
        [0.0, 1.0]
    """
    d1 = grad(f)
    xs = [float(x0)]
    while abs(xs[-1] - x_star) >= tol and len(xs) <= max_iter:
        xs.append(xs[-1] - lr * d1(xs[-1]))
    return xs


def newton_2d(f: Callable[[Value, Value], Value], w0: Sequence[float], w_star: Sequence[float],
              tol: float = 1e-10, max_iter: int = 100) -> List[np.ndarray]:
    """Newton's method w ← w − H⁻¹∇f, with ∇f from ``grad`` and H from ``hessian``.

    Args and result as :func:`newton_1d`, for ``f`` of two Values and points
    given as pairs; the iterates are numpy arrays.

    Example:
        >>> ws = newton_2d(lambda x, y: x**2 + 3*y**2, [4.0, 2.0], [0.0, 0.0])
        >>> len(ws) - 1                      # exact in one step on a quadratic
        1
    """
    gradient = grad(f, argnums=(0, 1))
    curvature = hessian(f)
    ws = [np.asarray(w0, dtype=float)]
    target = np.asarray(w_star, dtype=float)
    while np.linalg.norm(ws[-1] - target) >= tol and len(ws) <= max_iter:
        w = ws[-1]
        g = np.array(gradient(*w))
        ws.append(w - np.linalg.solve(curvature(*w), g))
    return ws


def chain_gradients(x0: float, layers: int, activation: str = "sigmoid") -> Dict:
    """d a_L / d a_k for the chain a_k = act(a_(k-1)), a_0 = x0, k = 0..L.

    Args:
        x0: the input a_0.
        layers: L, the number of activations applied.
        activation: "sigmoid", "tanh" or "relu".

    Returns:
        ``activations`` a_0..a_L, ``engine`` (the gradients from one reverse
        sweep) and ``closed_form`` (the product of the local derivatives of
        the layers above k).

    Example:
        >>> r = chain_gradients(0.0, 2)            # σ'(0)·σ'(a_1) = 0.25·a_2(1 - a_2)
        >>> a2 = r["activations"][2]
        >>> exact = 0.25 * a2 * (1 - a2)
        >>> abs(r["engine"][0] - exact) < 1e-16, abs(r["closed_form"][0] - exact) < 1e-16
        (True, True)
    """
    if activation not in ("sigmoid", "tanh", "relu"):
        raise ValueError(f"chain_gradients: activation must be 'sigmoid', 'tanh' or 'relu', "
                         f"got {activation!r}")
    nodes = [Value(x0)]
    for _ in range(layers):
        nodes.append(getattr(nodes[-1], activation)())
    top = nodes[-1]
    engine = [float(g) for g in gradients(top, nodes)]   # interior nodes too
    acts = [n.data for n in nodes]
    if activation == "sigmoid":
        local = [a * (1 - a) for a in acts[1:]]                  # σ' = σ(1 − σ)
    elif activation == "tanh":
        local = [1 - a * a for a in acts[1:]]                    # tanh' = 1 − tanh²
    else:
        local = [1.0 if a > 0 else 0.0 for a in acts[:-1]]       # relu' = [x > 0]
    closed = [float(np.prod(local[k:])) for k in range(layers + 1)]
    return {"activations": acts, "engine": engine, "closed_form": closed}


# ---------------------------------------------------------------------------
# 1. Derivative from first principles
# ---------------------------------------------------------------------------

def first_principles(check: Checker) -> Dict:
    section("1. The derivative from first principles: f'(x) = lim (f(x+h) - f(x)) / h")
    print("f(x) = x² at x = 3. Algebra: ((x+h)² - x²)/h = 2x + h, so the forward quotient is")
    print("6 + h and tends to 6 as h -> 0; the central quotient (f(x+h) - f(x-h))/2h is exactly")
    print("2x for a parabola. In floating point, subtracting nearly equal numbers loses digits,")
    print("so for tiny h the rounding error (about 1e-16/h) takes over.\n")
    x = 3.0
    square = lambda t: t * t
    print(f"  {'h':>7} {'forward quotient':>20} {'forward - 6':>13} {'central - 6':>13}")
    rows = []
    for h in (10.0 ** -k for k in range(1, 13)):
        forward = (square(x + h) - square(x)) / h
        central = (square(x + h) - square(x - h)) / (2 * h)
        rows.append((h, forward - 6.0, central - 6.0))
        print(f"  {h:7.0e} {forward:20.14f} {forward - 6:13.2e} {central - 6:13.2e}")
    print("\nAutodiff has no h: it applies the rule d(x·x)/dx = x + x exactly.")
    check.header()
    check.compare("grad(x²) at 3", grad(square)(x), 2 * x)

    print("\nThe text's limit sin(h)/h -> 1 is the same quotient for sin at 0, "
          "(sin(0 + h) - sin 0)/h:")
    quotients = [math.sin(h) / h for h in (0.1, 0.01, 0.001, 0.0001)]
    for h, q in zip((0.1, 0.01, 0.001, 0.0001), quotients):
        print(f"  h = {h:<7} sin(h)/h = {q:.8f}   (series 1 - h²/6 + h⁴/120 = "
              f"{1 - h * h / 6 + h ** 4 / 120:.8f})")
    check.text("sin(h)/h for h = 0.1, 0.01, 0.001, 0.0001",
               ["0.99833417", "0.99998333", "0.99999983", "1.00000000"], quotients,
               rounded=True)
    check.header()
    check.compare("grad(sin) at 0 = cos 0", grad(lambda t: t.sin())(0.0), 1.0)
    check.compare("grad(sin) at 1 = cos 1", grad(lambda t: t.sin())(1.0), math.cos(1.0))

    # The same experiment on sin at x = 1, where both quotients also have a
    # truncation error (forward ~ h·sin(1)/2, central ~ h²·cos(1)/6).
    sin_rows = []
    for h in np.logspace(-1, -13, 49):
        fwd = (math.sin(1 + h) - math.sin(1)) / h
        ctr = (math.sin(1 + h) - math.sin(1 - h)) / (2 * h)
        sin_rows.append((h, abs(fwd - math.cos(1)), abs(ctr - math.cos(1))))
    best_f = min(sin_rows, key=lambda r: r[1])
    best_c = min(sin_rows, key=lambda r: r[2])
    print(f"\nFor sin at x = 1 the best forward quotient (h = {best_f[0]:.0e}) is off by "
          f"{best_f[1]:.1e}, the best\ncentral one (h = {best_c[0]:.0e}) by {best_c[2]:.1e}; "
          "autodiff is exact (see the picture).")

    print("\nThe text's numerical gradient of L(w) = w0² + 3w1² at [2, 1]; exact ∇L = [2w0, 6w1]:")
    _check_bowl_gradient(check, (2.0, 1.0), "the numerical gradient of L at [2, 1]",
                         ["4.0", "6.0"])
    return {"square_rows": rows, "sin_rows": sin_rows}


def plot_first_principles(data: Dict, out: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    h, fwd, ctr = map(np.array, zip(*data["square_rows"]))
    tiny = 1e-17   # an exact 0 has no logarithm: draw it at the bottom
    ax = axes[0]
    ax.loglog(h, np.maximum(np.abs(fwd), tiny), "o-", label="forward (f(x+h) - f(x))/h")
    ax.loglog(h, np.maximum(np.abs(ctr), tiny), "s-", label="central (f(x+h) - f(x-h))/2h")
    ax.loglog(h, h, "k:", lw=1, label="h (the algebra: 2x + h)")
    ax.set_title("f(x) = x² at x = 3")
    ax.set_ylim(1e-17, 1)
    ax.text(0.42, 0.06, "central: exact algebra for a parabola,\nonly rounding error "
            "(~1e-16/h) remains", transform=ax.transAxes, fontsize=8)
    h, fwd, ctr = map(np.array, zip(*data["sin_rows"]))
    ax = axes[1]
    ax.loglog(h, np.maximum(fwd, tiny), "-", label="forward")
    ax.loglog(h, np.maximum(ctr, tiny), "-", label="central")
    ax.loglog(h, 0.5 * math.sin(1) * h, "k:", lw=1, label="h·sin(1)/2 (truncation)")
    ax.loglog(h, math.cos(1) / 6 * h ** 2, "k--", lw=1, label="h²·cos(1)/6 (truncation)")
    ax.set_ylim(1e-17, 1)
    ax.set_title("f(x) = sin x at x = 1")
    ax.text(0.55, 0.06, "autodiff: error 0", transform=ax.transAxes,
            fontsize=10, color="C2", fontweight="bold")
    for ax in axes:
        ax.set_xlabel("step h")
        ax.set_ylabel("|quotient - f'(x)|")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        ax.invert_xaxis()
    fig.suptitle("Derivative from first principles: smaller h helps until rounding takes over")
    return save_figure(fig, out / "calculus_first_principles.png")


# ---------------------------------------------------------------------------
# 2. Differentiation rules and the chain rule
# ---------------------------------------------------------------------------

def _table(check: Checker, f: Callable, closed: Callable, points, label: str) -> List[float]:
    """Print f' (engine, by grad) and its closed form at each point."""
    d = grad(f)
    values = []
    check.header()
    for x in points:
        value = d(float(x))
        values.append(value)
        check.compare(label.format(x=f"{x:g}"), value, closed(x))
    return values


def rules_and_chain_rule(check: Checker) -> None:
    section("2. Differentiation rules and the chain rule")
    print("Power rule: f(x) = 3x⁴ + 2x² - 7x + 5, f'(x) = 12x³ + 4x - 7")
    v = _table(check, lambda x: 3 * x ** 4 + 2 * x ** 2 - 7 * x + 5,
               lambda x: 12 * x ** 3 + 4 * x - 7, (0, 1, 2), "f'({x})")
    check.text("f'(0), f'(1), f'(2) of 3x⁴ + 2x² - 7x + 5", ["-7", "9", "97"], v)

    print("\nSum rule: f(x) = 5x³ - 2x² + 7x - 3, f'(x) = 15x² - 4x + 7")
    _table(check, lambda x: 5 * x ** 3 - 2 * x ** 2 + 7 * x - 3,
           lambda x: 15 * x * x - 4 * x + 7, (-1, 2), "f'({x})")

    print("\nProduct rule: f(x) = x²·eˣ, f'(x) = 2x·eˣ + x²·eˣ = eˣ(2x + x²)")
    v = _table(check, lambda x: x ** 2 * x.exp(), lambda x: math.exp(x) * (2 * x + x * x),
               (0, 1, 2), "f'({x})")
    check.text("f'(0), f'(1), f'(2) of x²·eˣ", ["0.0", "8.154", "43.510"], v,
               "f'(2) = e²·(2·2 + 2²) = 8e² = 59.112")
    check.text("f'(1) of x²·eˣ, to four decimals", "8.1548", v[1])

    print("\nChain rule: d/dx sin(x²) = cos(x²)·2x")
    v = _table(check, lambda x: (x ** 2).sin(), lambda x: 2 * x * math.cos(x * x), (1,),
               "d/dx sin(x²) at {x}")
    check.text("d/dx sin(x²) at x = 1", "1.0806", v[0])

    print("\nChain rule: d/dx σ(3x + 2) = σ'(3x + 2)·3 = 3σ(1 - σ) at 3x + 2")
    v = _table(check, lambda x: (3 * x + 2).sigmoid(),
               lambda x: 3 * sigmoid(3 * x + 2) * (1 - sigmoid(3 * x + 2)), (0, 1, 2),
               "d/dx σ(3x + 2) at {x}")
    check.text("d/dx σ(3x + 2) at x = 0, 1, 2", ["0.315", "0.044", "0.005"], v,
               "3·σ'(5) = 3·0.006648 = 0.0199 at x = 1 and 3·σ'(8) = 3·0.000335 = 0.00101 "
               "at x = 2")

    print("\nChain rule (foundations text): (x² + 1)³ has derivative 3(x² + 1)²·2x; sin(exp(x²))")
    print("has derivative cos(exp(x²))·exp(x²)·2x")
    check.header()
    check.compare("d/dx (x² + 1)³ at 2", grad(lambda x: (x * x + 1) ** 3)(2.0), 300.0)
    e = math.exp(0.25)
    check.compare("d/dx sin(exp(x²)) at 0.5", grad(lambda x: (x * x).exp().sin())(0.5),
                  math.cos(e) * e * 1.0)

    print("\nMultivariable chain rule (step 2, exercise 3): z = exp(x² + y²), x = t², y = t³,")
    print("dz/dt = ∂z/∂x·dx/dt + ∂z/∂y·dy/dt = (4t³ + 6t⁵)·exp(t⁴ + t⁶), at t = 1: 10e²")
    z = lambda x, y: (x * x + y * y).exp()
    exact = 10 * math.exp(2)
    check.header()
    check.compare("dz/dt, grad through t", grad(lambda t: z(t ** 2, t ** 3))(1.0), exact)
    dz_dx, dz_dy = grad(z, argnums=(0, 1))(1.0, 1.0)
    dx_dt, dy_dt = grad(lambda t: t ** 2)(1.0), grad(lambda t: t ** 3)(1.0)
    check.compare("dz/dt, sum over the two paths", dz_dx * dx_dt + dz_dy * dy_dt, exact)

    print("\nz = sin(x² + y²) (step 2, example 2): ∂z/∂x = 2x·cos(x² + y²), "
          "∂z/∂y = 2y·cos(x² + y²)")
    gx, gy = grad(lambda x, y: (x * x + y * y).sin(), argnums=(0, 1))(1.0, 2.0)
    check.header()
    check.compare("∂z/∂x at (1, 2) = 2cos 5", gx, 2 * math.cos(5.0))
    check.compare("∂z/∂y at (1, 2) = 4cos 5", gy, 4 * math.cos(5.0))

    print("\nThe text's micrograd example: d = a·b + b at a = 2, b = 3: ∂d/∂a = b, ∂d/∂b = a + 1")
    ga, gb = grad(lambda a, b: a * b + b, argnums=(0, 1))(2.0, 3.0)
    check.header()
    check.compare("∂d/∂a", ga, 3.0)
    check.compare("∂d/∂b", gb, 3.0)
    check.text("∂d/∂a and ∂d/∂b of d = a·b + b at a = 2, b = 3", ["3.0", "3.0"], [ga, gb])

    lecture_neuron_backward(check)

    print("\nSigmoid: σ'(x) = σ(x)(1 - σ(x)), at most σ'(0) = 0.25")
    xs = np.linspace(-6, 6, 5)
    v = _table(check, lambda x: x.sigmoid(), lambda x: sigmoid(x) * (1 - sigmoid(x)), xs,
               "σ'({x})")
    check.text("σ'(x) at x = -6, -3, 0, 3, 6",
               ["0.0025", "0.0452", "0.25", "0.0452", "0.0025"], v, rounded=True)
    ds = grad(lambda x: x.sigmoid())
    check.text("σ'(0), σ'(5), σ'(-5)", ["0.25", "0.0066", "0.0066"], [ds(0.0), ds(5.0), ds(-5.0)])
    print(f"    0.25^10 = {0.25 ** 10:.4g}")
    check.text("0.25¹⁰, the largest gradient ten sigmoid layers pass back",
               "0.00000095", 0.25 ** 10)

    print("\nTanh: tanh'(x) = 1 - tanh²(x)")
    v = _table(check, lambda x: x.tanh(), lambda x: 1 - math.tanh(x) ** 2,
               (-2, -1, 0, 1, 2, 3), "tanh'({x})")
    check.text("tanh'(x) at x = -2, -1, 0, 1, 2",
               ["0.0707", "0.4200", "1.0", "0.4200", "0.0707"], v[:5], rounded=True)
    check.text("tanh'(3)", "0.0099", v[5])

    print("\nReLU: relu'(x) = 1 for x > 0, else 0 (0 at the kink, as relu-notes.md sets it)")
    _table(check, lambda x: x.relu(), lambda x: 1.0 if x > 0 else 0.0, (-2, -1, 0, 1, 2),
           "relu'({x})")

    print("\nSoftmax + cross-entropy: L = logsumexp(z) - z_target, so ∂L/∂z = softmax(z) - onehot")
    z0 = [2.0, 1.0, 0.1]
    g = grad(lambda z: logsumexp(z) - z[0])(z0)
    e = np.exp(np.array(z0) - max(z0))
    p = e / e.sum()
    check.header("at z = [2, 1, 0.1], target 0")
    for i in range(3):
        check.compare(f"∂L/∂z{i}", g[i], p[i] - (i == 0))
    check.text("softmax([2, 1, 0.1])", ["0.659", "0.242", "0.099"], p)
    check.text("the cross-entropy gradient softmax - one_hot at z = [2, 1, 0.1], target 0",
               ["-0.341", "0.242", "0.099"], g)


# ---------------------------------------------------------------------------
# 3. Partial derivatives and the gradient
# ---------------------------------------------------------------------------

def lecture_neuron_backward(check: Checker) -> str:
    """The micrograd lecture's neuron o = tanh(x1·w1 + x2·w2 + b), backward
    edge by edge with ``explain``: each line is one chain-rule step, the op
    table's local derivative times the gradient flowing in. Checks the
    gradients against the closed forms; returns the text printed."""
    check.say("\nThe micrograd lecture's neuron, o = tanh(x1·w1 + x2·w2 + b), backward edge by "
              "edge:\nevery input's gradient is the gradient flowing in times the local "
              "derivative.")
    o = lecture_neuron()
    named = {v.label: v for v in topological_order(o)}
    x1, x2, w1, w2, b, n = (named[k] for k in ("x1", "x2", "w1", "w2", "b", "n"))
    text = explain(o)
    check.say(text)
    do_dn = 1 - math.tanh(n.data) ** 2      # tanh' = 1 - tanh²
    check.header("closed form: do/dn = 1 - o²")
    check.compare("do/dn", n.grad, do_dn)
    check.compare("do/dx1 = w1·(1 - o²)", x1.grad, w1.data * do_dn)
    check.compare("do/dw1 = x1·(1 - o²)", w1.grad, x1.data * do_dn)
    check.compare("do/dx2 = w2·(1 - o²)", x2.grad, w2.data * do_dn)
    check.compare("do/dw2 = x2·(1 - o²)", w2.grad, x2.data * do_dn)
    check.compare("do/db = 1 - o²", b.grad, do_dn)
    return text


def partials_and_gradient(check: Checker) -> None:
    section("3. Partial derivatives and the gradient")
    print("f(x, y) = 3x²y + 2xy³ - 5: ∂f/∂x = 6xy + 2y³, ∂f/∂y = 3x² + 6xy²")
    gx, gy = grad(lambda x, y: 3 * x ** 2 * y + 2 * x * y ** 3 - 5, argnums=(0, 1))(1.0, 2.0)
    check.header()
    check.compare("∂f/∂x at (1, 2)", gx, 6 * 1 * 2 + 2 * 8)
    check.compare("∂f/∂y at (1, 2)", gy, 3 * 1 + 6 * 1 * 4)
    check.text("∂f/∂x and ∂f/∂y of 3x²y + 2xy³ - 5 at (1, 2)", ["28.0", "27.0"], [gx, gy])

    print("\nf(x, y) = x²y + 3xy² (step 2): ∂f/∂x = 2xy + 3y², ∂f/∂y = x² + 6xy")
    check.header()
    for x, y in ((1.0, 2.0), (-3.0, 0.5)):
        gx, gy = grad(lambda a, b: a ** 2 * b + 3 * a * b ** 2, argnums=(0, 1))(x, y)
        check.compare(f"∂f/∂x at ({x:g}, {y:g})", gx, 2 * x * y + 3 * y * y)
        check.compare(f"∂f/∂y at ({x:g}, {y:g})", gy, x * x + 6 * x * y)

    print("\nf(x, y) = x² + 2xy + y² (step 2, example 1): ∇f = [2x + 2y, 2x + 2y], "
          "[6, 6] at (1, 2)")
    g = grad(lambda w: w[0] ** 2 + 2 * w[0] * w[1] + w[1] ** 2)([1.0, 2.0])
    check.header()
    check.compare("∂f/∂x at (1, 2)", g[0], 6.0)
    check.compare("∂f/∂y at (1, 2)", g[1], 6.0)

    print("\nThe bowl L(w) = w0² + 3w1²: ∇L = [2w0, 6w1]")
    _check_bowl_gradient(check, (4.0, 2.0), "∇L at [4, 2]", ["8.0", "12.0"])

    print("\nf(x, y) = x³y² + 2xy - y³ (step 2, exercise 2): ∂f/∂x = 3x²y² + 2y, "
          "∂f/∂y = 2x³y + 2x - 3y²")
    gx, gy = grad(lambda x, y: x ** 3 * y ** 2 + 2 * x * y - y ** 3, argnums=(0, 1))(1.0, -1.0)
    check.header()
    check.compare("∂f/∂x at (1, -1)", gx, 3 - 2)
    check.compare("∂f/∂y at (1, -1)", gy, -2 + 2 - 3)
    print("  (Its critical points, where ∇f = 0, are found by Newton's method in section 5.)")


# ---------------------------------------------------------------------------
# 4. The Jacobian, and forward mode
# ---------------------------------------------------------------------------

def jacobians(check: Checker) -> None:
    section("4. The Jacobian (reverse mode) and Jacobian-vector products (forward mode)")
    print("f(x, y) = [x² + y, xy]: J = [[2x, 1], [y, x]]")
    f = lambda x, y: [x ** 2 + y, x * y]
    J = jacobian(f)(3.0, 2.0)
    check.compare_matrix("J at (3, 2)", J, [[6, 1], [2, 3]])
    check.text("the Jacobian of [x² + y, xy] at (3, 2)", ["6.", "1.", "2.", "3."], J.ravel())

    print("\nf(x) = [x1², x1·x2, x2²] (foundations text): J = [[2x1, 0], [x2, x1], [0, 2x2]]")
    J = jacobian(lambda w: [w[0] ** 2, w[0] * w[1], w[1] ** 2])([2.0, 3.0])
    check.compare_matrix("J at (2, 3)", J, [[4, 0], [3, 2], [0, 6]])

    print("\nForward mode: jvp(f, x, v) = J·v from one forward sweep (no backward pass);")
    print("v = e1, e2 give J's columns.")
    J = np.array([[6.0, 1.0], [2.0, 3.0]])
    check.header("f(x, y) = [x² + y, xy] at (3, 2)")
    for v in ((1.0, 0.0), (0.0, 1.0), (0.5, -2.0)):
        _, tangent = jvp(f, (3.0, 2.0), v)
        for i, expected in enumerate(J @ np.array(v)):
            check.compare(f"(J·v)[{i}], v = ({v[0]:g}, {v[1]:g})", tangent[i], expected)
    _, tangent = jvp(lambda x, y: (x * y).sin(), (0.5, 2.0), (1.0, 0.0))
    check.compare("∂/∂x sin(xy) = y cos(xy)", tangent, 2 * math.cos(1.0))


# ---------------------------------------------------------------------------
# 5. The Hessian, its eigenvalues, and critical points
# ---------------------------------------------------------------------------

def classify(eigenvalues: np.ndarray) -> str:
    if np.all(eigenvalues > 0):
        return "positive definite: a minimum"
    if np.all(eigenvalues < 0):
        return "negative definite: a maximum"
    if np.any(eigenvalues > 0) and np.any(eigenvalues < 0):
        return "indefinite: a saddle point"
    return "semidefinite: the test is inconclusive"


def hessians(check: Checker) -> Dict:
    section("5. The Hessian: curvature, eigenvalues, minimum or saddle")
    print("H[i][j] = ∂²f/∂xi∂xj, by reverse mode over reverse mode. At a critical point,")
    print("eigenvalues all > 0: a minimum; all < 0: a maximum; mixed signs: a saddle.\n")
    cases = [
        ("x² + 3y²", lambda x, y: x ** 2 + 3 * y ** 2, [[2, 0], [0, 6]], [2.0, 6.0]),
        ("x² + 4xy + y²", lambda x, y: x ** 2 + 4 * x * y + y ** 2, [[2, 4], [4, 2]], [-2.0, 6.0]),
        ("x² + 10y²", lambda x, y: x ** 2 + 10 * y ** 2, [[2, 0], [0, 20]], [2.0, 20.0]),
        ("x² + 100y²", lambda x, y: x ** 2 + 100 * y ** 2, [[2, 0], [0, 200]], [2.0, 200.0]),
    ]
    results = {}
    for name, f, H_exact, eig_exact in cases:
        H = hessian(f)(1.0, 1.0)
        eig = np.linalg.eigvalsh(H)
        cond = max(abs(eig)) / min(abs(eig))
        print(f"f = {name}:")
        check.compare_matrix("  H", H, H_exact)
        check.compare_matrix("  eigenvalues", eig, eig_exact)
        print(f"    -> {classify(eig)}; condition number |λ|max/|λ|min = {cond:g}")
        results[name] = {"hessian": H, "eigenvalues": eig, "condition": cond}
    check.text("the Hessian eigenvalues of x² + 3y²",
               ["2.", "6."], results["x² + 3y²"]["eigenvalues"])
    check.text("the condition number of x² + 3y²", "3.0", results["x² + 3y²"]["condition"])
    well = np.linalg.eigvalsh(hessian(lambda x, y: x ** 2 + y ** 2)(1.0, 1.0))
    check.text("the condition number of x² + y²",
               "1", well[1] / well[0])          # x² + y²: eigenvalues 2, 2
    check.text("the condition number of x² + 100y²", "100", results["x² + 100y²"]["condition"])
    print("\nGradient descent on a quadratic multiplies the error along an eigenvector by")
    print("(1 - lr·λ): it converges only if lr < 2/λmax. For the optimizers' bowl x² + 10y²")
    print("that is lr < 2/20 = 0.1; at lr = 0.1 exactly, the y error is multiplied by -1 every")
    print("step, so it bounces forever (see demos/optimizers.py).")

    print("\nRosenbrock f = (1 - x)² + 100(y - x²)² at its minimum (1, 1):")
    print("H = [[2 - 400y + 1200x², -400x], [-400x, 200]], eigenvalues 501 ± √(301² + 400²)")
    rosen = lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2
    H = hessian(rosen)(1.0, 1.0)
    eig = np.linalg.eigvalsh(H)
    check.compare_matrix("  H", H, [[802, -400], [-400, 200]])
    root = math.hypot(301, 400)
    check.header()
    check.compare("λmin", eig[0], 501 - root)
    check.compare("λmax", eig[1], 501 + root)
    print(f"    condition number {eig[1] / eig[0]:.0f}; gradient descent needs lr < 2/λmax = "
          f"{2 / eig[1]:.5f} near the minimum")

    print("\nCritical points of f = x³y² + 2xy - y³ (step 2, exercise 2). By hand: ∂f/∂x =")
    print("y(3x²y + 2) = 0 and ∂f/∂y = 2x³y + 2x - 3y² = 0 give (0, 0) and "
          "(2^(1/5), -(2/3)·2^(-2/5)).")
    print("By the engine: Newton's method on ∇f = 0, whose Jacobian is the Hessian.")
    f = lambda x, y: x ** 3 * y ** 2 + 2 * x * y - y ** 3
    exact_points = [(0.0, 0.0), (2 ** 0.2, -(2.0 / 3.0) * 2 ** -0.4)]
    critical = []
    for start, target in zip(((0.3, 0.2), (1.0, -0.5)), exact_points):
        ws = newton_2d(f, start, target, tol=1e-13)
        w = ws[-1]
        eig = np.linalg.eigvalsh(hessian(f)(*w))
        print(f"  from {start}: {len(ws) - 1} Newton steps -> ({w[0]:.12f}, {w[1]:.12f}) "
              f"(closed form ({target[0]:.12f}, {target[1]:.12f}))")
        print(f"    Hessian eigenvalues {np.round(eig, 6).tolist()}: {classify(eig)}")
        critical.append({"point": w.tolist(), "eigenvalues": eig.tolist(), "kind": classify(eig)})
    results["critical_points"] = critical
    return results


def plot_hessians(results: Dict, out: Path) -> Path:
    from matplotlib.colors import TwoSlopeNorm
    fig, axes = plt.subplots(1, 2, figsize=(11, 5))
    grid = np.linspace(-2, 2, 201)
    X, Y = np.meshgrid(grid, grid)
    panels = [("x² + 3y²", X ** 2 + 3 * Y ** 2, "a minimum"),
              ("x² + 4xy + y²", X ** 2 + 4 * X * Y + Y ** 2, "a saddle")]
    for ax, (name, Z, kind) in zip(axes, panels):
        # Colors centred on f(0, 0) = 0: red above the critical point, blue below.
        low, top = Z.min(), Z.max()
        levels = np.linspace(low, top, 33)
        cs = ax.contourf(X, Y, Z, levels=levels, cmap="RdBu_r",
                         norm=TwoSlopeNorm(vmin=low if low < 0 else -top, vcenter=0.0, vmax=top))
        ax.contour(X, Y, Z, levels=levels[::2], colors="k", linewidths=0.3, alpha=0.5)
        fig.colorbar(cs, ax=ax, shrink=0.8)
        eigenvalues, vectors = np.linalg.eigh(results[name]["hessian"])
        for lam, v in zip(eigenvalues, vectors.T):
            color = "darkgreen" if lam > 0 else "purple"
            for sign in (1, -1):
                ax.annotate("", xy=1.3 * sign * v, xytext=(0, 0),
                            arrowprops=dict(arrowstyle="->", color=color, lw=2.2))
            ax.text(*(1.55 * v), f"λ = {lam:g}", color=color, fontsize=11, fontweight="bold",
                    ha="center", va="center",
                    bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"))
        ax.plot(0, 0, "k*", ms=12)
        ax.set_title(f"f = {name}: {kind}\nHessian eigenvalues {eigenvalues.tolist()}")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_aspect("equal")
    fig.suptitle("Hessian eigenvectors at the critical point (0, 0): f curves up along λ > 0 "
                 "and down along λ < 0")
    return save_figure(fig, out / "calculus_hessians.png")


# ---------------------------------------------------------------------------
# 6. Taylor polynomials from nested grad
# ---------------------------------------------------------------------------

def polynomial(c: Sequence[float], x, degree: int):
    """The Taylor polynomial c₀ + c₁x + … + c_degree·x^degree (x a float or an array)."""
    return sum(c[n] * x ** n for n in range(degree + 1))


def taylor(check: Checker, order: int) -> Dict:
    section(f"6. Taylor polynomials at 0 from nested grad (orders 0..{order})")
    print("f(x) ≈ Σ cₙ xⁿ with cₙ = f⁽ⁿ⁾(0)/n!, f⁽ⁿ⁾ = grad applied n times.")
    print("Closed forms: exp: cₙ = 1/n!; sin: 0, 1, 0, -1/3!, 0, 1/5!, ...\n")
    exp_c = taylor_coefficients(lambda x: x.exp(), order)
    sin_c = taylor_coefficients(lambda x: x.sin(), order)
    sin_exact = [0.0 if n % 2 == 0 else (-1) ** (n // 2) / math.factorial(n)
                 for n in range(order + 1)]
    print(f"  {'n':>3} {'exp: engine':>20} {'1/n!':>20} {'sin: engine':>20} {'closed form':>20}")
    for n in range(order + 1):
        print(f"  {n:3d} {exp_c[n]:20.14g} {1 / math.factorial(n):20.14g} "
              f"{sin_c[n] + 0.0:20.14g} {sin_exact[n]:20.14g}")
        check.record(exp_c[n], 1 / math.factorial(n))
        check.record(sin_c[n], sin_exact[n])

    print("\nError |T_N(x) - f(x)| of the degree-N polynomial "
          "(about the next term, x^(N+1)/(N+1)!):")
    print(f"  {'N':>3} {'exp, x = 1':>12} {'exp, x = 2':>12} {'sin, x = 1':>12} "
          f"{'sin, x = π/2':>13}")
    for degree in range(1, order + 1, 2):
        row = [abs(polynomial(exp_c, 1.0, degree) - math.e),
               abs(polynomial(exp_c, 2.0, degree) - math.exp(2)),
               abs(polynomial(sin_c, 1.0, degree) - math.sin(1)),
               abs(polynomial(sin_c, math.pi / 2, degree) - 1.0)]
        print(f"  {degree:3d} " + " ".join(f"{e:12.2e}" for e in row))

    print("\nThe text's own sums:")
    ten = [sum(x ** n / math.factorial(n) for n in range(10)) for x in (0, 1, 2)]
    print(f"  taylor_exp([0, 1, 2]), 10 terms = {np.round(ten, 6).tolist()}; "
          f"e^x = {np.round(np.exp([0, 1, 2]), 6).tolist()}")
    check.text("eˣ at x = 0, 1, 2 from 10 terms of its Taylor series",
               ["1.", "2.718", "7.389"], ten)
    fifteen = sum(1 / math.factorial(n) for n in range(15))
    print(f"  taylor_exp(1), 15 terms = {fifteen!r} (e minus it: {math.e - fifteen:.1e})")
    check.text("e from 15 terms of its Taylor series", "2.71828", fifteen)
    s = sum((-1) ** n * (3.14159 / 2) ** (2 * n + 1) / math.factorial(2 * n + 1) for n in range(10))
    print(f"  taylor_sin(3.14159/2), 10 terms = {s!r}")
    check.text("sin(3.14159/2) from 10 terms of its Taylor series", "1.0", s)
    return {"exp": exp_c, "sin": sin_c}


def plot_taylor(data: Dict, out: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    order = len(data["exp"]) - 1
    degrees = [d for d in (1, 3, 5, 7, 9, 11) if d <= order]
    colors = plt.cm.viridis(np.linspace(0.1, 0.85, len(degrees)))
    panels = [(axes[0], "exp", np.linspace(-3, 3, 400), np.exp, (-2, 21), "eˣ"),
              (axes[1], "sin", np.linspace(-2 * np.pi, 2 * np.pi, 600), np.sin, (-2.2, 2.2),
               "sin x")]
    for ax, key, x, f, ylim, label in panels:
        ax.plot(x, f(x), "k", lw=3, label=label, zorder=5)
        c = data[key]
        for degree, color in zip(degrees, colors):
            ax.plot(x, polynomial(c, x, degree), color=color, lw=1.6, label=f"degree {degree}")
        ax.set_ylim(*ylim)
        ax.axhline(0, color="gray", lw=0.5)
        ax.axvline(0, color="gray", lw=0.5)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        ax.set_xlabel("x")
        ax.set_title(f"{label} and its Taylor polynomials at 0\n(coefficients f⁽ⁿ⁾(0)/n! "
                     "from nested grad)")
    return save_figure(fig, out / "calculus_taylor.png")


# ---------------------------------------------------------------------------
# 7. Newton's method versus gradient descent
# ---------------------------------------------------------------------------

def newton_vs_gd(gd_max_iter: int) -> Dict:
    section("7. Newton's method versus gradient descent")
    print("f(x) = eˣ - 2x: f' = eˣ - 2, f'' = eˣ > 0, so the minimum is at x* = ln 2.")
    print("Newton: x ← x - f'(x)/f''(x) (f' and f'' by nested grad), from the second-order")
    print("Taylor polynomial; gradient descent: x ← x - lr·f'(x). Converged: |x - x*| < 1e-10.\n")
    f = lambda x: x.exp() - 2 * x
    x_star = math.log(2)
    newton = newton_1d(f, 0.0, x_star)
    print(f"  {'step':>4} {'Newton x':>20} {'|x - ln 2|':>12}")
    for k, x in enumerate(newton):
        print(f"  {k:4d} {x:20.16f} {abs(x - x_star):12.2e}")
    print("  The error is roughly squared each step (quadratic convergence).")
    runs = {}
    for lr in (0.1, 0.3):
        runs[lr] = gradient_descent_1d(f, 0.0, x_star, lr=lr)
    print(f"\n  Newton: {len(newton) - 1} steps")
    for lr, xs in runs.items():
        # Near x* the error shrinks by |1 - lr·f''(x*)| = |1 - 2·lr| per step.
        print(f"  gradient descent, lr = {lr}: {len(xs) - 1} steps (near x* the error shrinks by"
              f" |1 - lr·f''(x*)| = {abs(1 - 2 * lr):.1f} per step)")

    tol = 1e-6
    print(f"\nRosenbrock f = (1 - x)² + 100(y - x²)² from (-1.2, 1) to (1, 1); converged: "
          f"|w - w*| < {tol:g}.")
    rosen = lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2
    ws = newton_2d(rosen, (-1.2, 1.0), (1.0, 1.0), tol=tol)
    print("  Newton, w ← w - H⁻¹∇f (∇f by grad, H by hessian):")
    for k, w in enumerate(ws):
        print(f"    {k:2d}  w = ({w[0]: .12f}, {w[1]: .12f})   |w - w*| = "
              f"{np.linalg.norm(w - 1):.2e}")
    lr = 0.001                       # below 2/λmax ≈ 0.002 (section 5)
    gradient = grad(rosen, argnums=(0, 1))
    w = np.array([-1.2, 1.0])
    gd_dist = [float(np.linalg.norm(w - 1))]
    for _ in progress(range(gd_max_iter), "gradient descent on Rosenbrock", unit="step"):
        if gd_dist[-1] < tol:
            break
        w = w - lr * np.array(gradient(*w))
        gd_dist.append(float(np.linalg.norm(w - 1)))
    converged = gd_dist[-1] < tol
    gd_steps = len(gd_dist) - 1
    print(f"  Newton: {len(ws) - 1} steps")
    print(f"  gradient descent, lr = {lr}: "
          + (f"{gd_steps} steps" if converged else
             f"not converged in {gd_max_iter} steps (|w - w*| = {gd_dist[-1]:.1e})")
          + " - it crawls along the curved valley, where the curvature is 0.4")
    return {"newton": newton, "gd": runs, "newton_2d": ws, "gd_2d_dist": gd_dist,
            "tol_2d": tol, "newton_iterations": len(newton) - 1,
            "gd_iterations": len(runs[0.1]) - 1,
            "newton_rosenbrock_iterations": len(ws) - 1,
            "gd_rosenbrock_iterations": gd_steps if converged else None}


def plot_newton(data: Dict, out: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    floor = 1e-17
    x_star = math.log(2)
    ax = axes[0]
    ax.semilogy([max(abs(x - x_star), floor) for x in data["newton"]], "o-", color="C3",
                label=f"Newton ({len(data['newton']) - 1} steps)")
    for lr, color in zip(sorted(data["gd"]), ("C0", "C2")):
        xs = data["gd"][lr]
        ax.semilogy([max(abs(x - x_star), floor) for x in xs], "-", color=color,
                    label=f"gradient descent, lr = {lr} ({len(xs) - 1} steps)")
    ax.axhline(1e-10, color="gray", ls=":", lw=1)
    ax.text(60, 2e-10, "converged: < 1e-10", fontsize=8, color="gray")
    ax.set_title("f(x) = eˣ - 2x from x = 0")
    ax.set_ylabel("|x - ln 2|")
    ax = axes[1]
    ax.loglog(np.arange(1, len(data["newton_2d"]) + 1),
              [max(np.linalg.norm(w - 1), floor) for w in data["newton_2d"]], "o-", color="C3",
              label=f"Newton ({len(data['newton_2d']) - 1} steps)")
    dist = np.array(data["gd_2d_dist"])
    steps = np.arange(1, len(dist) + 1)
    stride = max(1, len(dist) // 2000)
    n_gd = data["gd_rosenbrock_iterations"]
    status = f"{n_gd} steps" if n_gd is not None else f"not converged in {len(dist) - 1} steps"
    ax.loglog(steps[::stride], np.maximum(dist[::stride], floor), "-", color="C0",
              label=f"gradient descent, lr = 0.001 ({status})")
    ax.axhline(data["tol_2d"], color="gray", ls=":", lw=1)
    ax.text(1.1, data["tol_2d"] * 2, f"converged: < {data['tol_2d']:g}", fontsize=8, color="gray")
    ax.set_title("Rosenbrock from (-1.2, 1)")
    ax.set_ylabel("|w - (1, 1)|")
    ax.set_xlabel("iteration + 1 (log scale)")
    axes[0].set_xlabel("iteration")
    for ax in axes:
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="lower right" if ax is axes[1] else "upper right")
    fig.suptitle("Newton's method (gradient and Hessian by the engine) against gradient descent")
    return save_figure(fig, out / "calculus_newton_vs_gd.png")


# ---------------------------------------------------------------------------
# 8. The vanishing gradient
# ---------------------------------------------------------------------------

def vanishing_gradient(check: Checker, layers: int) -> Dict:
    section(f"8. The vanishing gradient through {layers} sigmoid layers a_k = σ(a_(k-1)), a_0 = 0")
    print("Chain rule: d a_L / d a_k = σ'(a_k)·σ'(a_(k+1))·…·σ'(a_(L-1)), each factor σ' =")
    print(f"a(1 - a) ≤ 0.25, so the gradient reaching the input is at most 0.25^{layers} = "
          f"{0.25 ** layers:.3g}.")
    print("The engine's gradients come from one reverse sweep (gradients(a_L, [a_0, ..., a_L]));")
    print("the closed form multiplies the a(1 - a) factors.\n")
    runs = {"sigmoid": chain_gradients(0.0, layers, "sigmoid"),
            "tanh": chain_gradients(0.5, layers, "tanh"),
            "relu": chain_gradients(0.5, layers, "relu")}
    sig = runs["sigmoid"]
    print(f"  {'layer k':>7} {'a_k':>10} {'engine':>14} {'closed form':>14} "
          f"{'bound 0.25^(L-k)':>17}")
    for k in range(layers + 1):
        print(f"  {k:7d} {sig['activations'][k]:10.6f} {sig['engine'][k]:14.6e} "
              f"{sig['closed_form'][k]:14.6e} {0.25 ** (layers - k):17.3e}")
    for run in runs.values():
        for engine, exact in zip(run["engine"], run["closed_form"]):
            check.record(engine, exact)
    print(f"\n  At the input: {sig['engine'][0]:.3e}, below the bound because σ' < 0.25 once a ≠ 0"
          " (a_k -> 0.659).")
    print(f"  For comparison, tanh from a_0 = 0.5: {runs['tanh']['engine'][0]:.3e}; ReLU from"
          f" a_0 = 0.5: {runs['relu']['engine'][0]:g} (derivative 1 on positive inputs).")
    return runs


def plot_vanishing(runs: Dict, out: Path) -> Path:
    layers = len(runs["sigmoid"]["engine"]) - 1
    k = np.arange(layers + 1)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    ax.semilogy(k, 0.25 ** (layers - k), "k:", lw=1.5, label=r"bound $0.25^{L-k}$ for sigmoid")
    styles = {"sigmoid": ("o-", "C3", r"sigmoid, $a_0 = 0$"),
              "tanh": ("s-", "C0", r"tanh, $a_0 = 0.5$"),
              "relu": ("^-", "C2", r"ReLU, $a_0 = 0.5$")}
    for act, (style, color, label) in styles.items():
        ax.semilogy(k, runs[act]["engine"], style, color=color, label=label)
    g0 = runs["sigmoid"]["engine"][0]
    ax.annotate(f"{g0:.1e}", xy=(0, g0), xytext=(0.6, g0 / 12), color="C3",
                arrowprops=dict(arrowstyle="->", color="C3"))
    ax.set_xticks(k)
    ax.set_xlabel(r"layer $k$ (0 = the input)")
    ax.set_ylabel(r"$|\partial a_L / \partial a_k|$  (log scale)")
    ax.set_title(rf"Gradient reaching each layer of the chain $a_k = \mathrm{{act}}(a_{{k-1}})$,"
                 rf" $L = {layers}$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_ylim(min(1e-8, g0 / 50), 3)
    return save_figure(fig, out / "calculus_vanishing_gradient.png")


# ---------------------------------------------------------------------------
# 9. Optimizer updates from the text, with nn's optimizers
# ---------------------------------------------------------------------------

def _minimize(opt_factory, steps: int, w0=(4.0, 2.0)) -> List[float]:
    """Run an nn optimizer on L(w) = w0² + 3w1² from w0; return the final w."""
    w = [Value(v) for v in w0]
    opt = opt_factory(w)
    for _ in range(steps):
        opt.zero_grad()
        _bowl(w).backward()
        opt.step()
    return [p.data for p in w]


def optimizer_updates(check: Checker) -> Dict:
    section("9. Gradient descent, momentum, Adam and schedules on L(w) = w0² + 3w1² (with nn)")
    print("One gradient-descent step from [4, 2] with lr 0.1: w - 0.1·[8, 12] = [3.2, 0.8]")
    w = _minimize(lambda p: nn.SGD(p, lr=0.1), 1)
    check.header()
    check.compare("w0 after one step", w[0], 4.0 - 0.1 * 8)
    check.compare("w1 after one step", w[1], 2.0 - 0.1 * 12)
    check.text("w after one gradient-descent step from [4, 2], lr 0.1", ["3.2", "0.8"], w)

    print("\nOne momentum step (β = 0.9, lr = 0.1) from v = [1, -0.5] with gradient g = [0.2, 2]:")
    print("v ← βv + g = [1.1, 1.55], w ← w - lr·v. (The loss g·w has the constant gradient g;")
    print("nn.SGD's first momentum step sets v = [1, -0.5], its second applies g.)")
    w = [Value(0.0), Value(0.0)]
    opt = nn.SGD(w, lr=0.1, momentum=0.9)
    for g in ([1.0, -0.5], [0.2, 2.0]):
        opt.zero_grad()
        dot(w, g).backward()
        before = [p.data for p in w]
        opt.step()
    step = [b - p.data for b, p in zip(before, w)]
    check.header()
    check.compare("lr·v0", step[0], 0.1 * 1.1)
    check.compare("lr·v1", step[1], 0.1 * 1.55)
    check.text("the momentum velocity after one step (β 0.9, v = [1, -0.5], g = [0.2, 2])",
               ["1.1", "1.55"], [x / 0.1 for x in step])
    check.text("that momentum step, lr·v with lr 0.1", ["0.11", "0.155"], step)

    print("\nThe text's full runs from [4, 2]:")
    runs = {}
    # Each GD step multiplies w0 by (1 - 0.1·2) = 0.8 and w1 by (1 - 0.1·6) = 0.4.
    w = _minimize(lambda p: nn.SGD(p, lr=0.1), 50)
    runs["gd"] = w
    print(f"  gradient descent, lr 0.1, 50 steps: w = [{w[0]:.6g}, {w[1]:.6g}], "
          f"round(w, 6) = {[round(x, 6) for x in w]}")
    check.header()
    check.compare("w0 = 4·0.8^50", w[0], 4 * 0.8 ** 50)
    check.compare("w1 = 2·0.4^50", w[1], 2 * 0.4 ** 50)
    check.text("w after 50 gradient-descent steps from [4, 2], lr 0.1, rounded to 6 decimals",
               ["0.0", "0.0"], w, decimals=6,
               why="w0 = 4·(1 - 0.1·2)^50 = 4·0.8^50 = 5.7e-05, and round(5.7e-05, 6) is 5.7e-05")
    w = _minimize(lambda p: nn.SGD(p, lr=0.01, momentum=0.9), 100)
    runs["momentum"] = w
    print(f"  momentum, lr 0.01, β 0.9, 100 steps: w = {np.round(w, 6).tolist()}")
    check.text("w after 100 momentum steps from [4, 2], lr 0.01, β 0.9, rounded to 4 decimals",
               ["0.0", "0.0"], w, decimals=4,
               why="with lr 0.01 and β 0.9 heavy-ball momentum shrinks the error by only "
                   "√β ≈ 0.95 per step on this bowl, so 100 steps leave w ≈ [0.0169, 0.0087]")
    w = _minimize(lambda p: nn.Adam(p, lr=0.001), 200)
    runs["adam"] = w
    print(f"  Adam, lr 0.001, 200 steps: w = {np.round(w, 6).tolist()}")
    why = ("an Adam step moves each weight by about lr = 0.001 (m̂/√v̂ ≈ ±1 while the gradient "
           "keeps its sign), so 200 steps move it by at most ~0.2: w ≈ [3.802, 1.804]")
    check.text("w after 200 Adam steps from [4, 2], lr 0.001, rounded to 4 decimals (NumPy code)",
               ["0", "0"], w, decimals=4, why=why)
    check.text("w after 200 Adam steps from [4, 2], lr 0.001, rounded to 4 decimals (pure Python)",
               ["0.0", "0.0"], w, decimals=4, why=why)

    print("\nLearning-rate schedules, α₀ = 0.1: nn's schedulers against the text's formulas")
    print("  StepLR: α₀·0.1^⌊t/30⌋;  ExponentialLR: α₀·e^(-0.05t);  "
          "CosineAnnealingLR: ½α₀(1 + cos(πt/100));")
    print("  LinearWarmup over 10 steps: α₀·(0.1 + 0.9·min(t, 10)/10) (it starts at 0.1·α₀, as")
    print("  PyTorch's LinearLR must, rather than at the text's 0)")
    schedules = (
        ("StepLR", lambda o: nn.StepLR(o, step_size=30, gamma=0.1),
         lambda t: 0.1 * 0.1 ** (t // 30)),
        ("ExponentialLR", lambda o: nn.ExponentialLR(o, gamma=math.exp(-0.05)),
         lambda t: 0.1 * math.exp(-0.05 * t)),
        ("CosineAnnealingLR", lambda o: nn.CosineAnnealingLR(o, T_max=100),
         lambda t: 0.5 * 0.1 * (1 + math.cos(math.pi * t / 100))),
        ("LinearWarmup", lambda o: nn.LinearWarmup(o, warmup_steps=10, start_factor=0.1),
         lambda t: 0.1 * (0.1 + 0.9 * min(t, 10) / 10)),
    )
    check.header()
    for name, make, formula in schedules:
        opt = nn.SGD([Value(1.0)], lr=0.1)
        scheduler = make(opt)
        lrs = []
        for _ in range(101):
            lrs.append(opt.lr)
            opt.step()
            scheduler.step()
        for t in ((0, 5, 10, 30) if name == "LinearWarmup" else (29, 30, 50, 100)):
            check.compare(f"{name} lr, t = {t}", lrs[t], formula(t))
    return runs


# ---------------------------------------------------------------------------
# 10. The texts' other printed numbers (integrals, probability)
# ---------------------------------------------------------------------------

def other_numbers(check: Checker) -> None:
    section("10. The texts' other printed numbers (integrals and probability), rechecked")

    def trapezoidal(f, a, b, n=1000):        # the text's own code
        dx = (b - a) / n
        total = (f(a) + f(b)) / 2
        for i in range(1, n):
            total += f(a + i * dx)
        return total * dx

    value = trapezoidal(lambda x: x * x, 0, 2)
    print(f"  trapezoidal rule for ∫₀² x² dx, n = 1000: {value:.6f}; 8/3 = {8 / 3:.6f}")
    check.text("the trapezoidal rule for ∫₀² x² dx, n = 1000", "2.666667", value, rounded=True,
               why="the rule overestimates ∫x² by (b - a)·h²·f''/12 = 2·0.002²·2/12 = 1.33e-06, "
                   "so the printed value is 2.666668")
    x = np.linspace(0, np.pi, 1001)
    y = np.sin(x)
    simpson = np.pi / 1000 / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-2:2].sum())
    print(f"  Simpson's rule for ∫₀^π sin x dx, n = 1000: {simpson:.10f}")
    check.text("Simpson's rule for ∫₀^π sin x dx, n = 1000", "2.0000000000", simpson, rounded=True)
    p, q = np.array([0.4, 0.3, 0.3]), np.array([0.33, 0.33, 0.34])
    kl = float(np.sum(p * np.log(p / q)))
    print(f"  KL([0.4, 0.3, 0.3] || [0.33, 0.33, 0.34]) = {kl:.6f}")
    check.text("KL([0.4, 0.3, 0.3] ‖ [0.33, 0.33, 0.34])", "0.0133", kl, rounded=True,
               why="0.4·ln(0.4/0.33) + 0.3·ln(0.3/0.33) + 0.3·ln(0.3/0.34) = "
                   "0.076948 - 0.028593 - 0.037549 = 0.010807")
    mean = sum(v / 6 for v in range(1, 7))
    var = sum(v * v / 6 for v in range(1, 7)) - mean ** 2
    print(f"  fair die: E[X] = {mean:g}, Var = E[X²] - E[X]² = 91/6 - 49/4 = 35/12 = {var:.4f}")
    check.text("the mean of a fair die", "3.5", mean)
    check.text("the variance of a fair die", "2.9167", var, rounded=True)


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = demo_parser("calculus", __doc__.split("\n\n")[0],
                         seed_help="accepted for a uniform command line; nothing here is random")
    parser.add_argument("--taylor-order", type=int, default=11,
                        help="highest Taylor coefficient from nested grad")
    parser.add_argument("--layers", type=int, default=10,
                        help="depth of the vanishing-gradient chain")
    parser.add_argument("--gd-max-iter", type=int, default=40_000,
                        help="budget for gradient descent on Rosenbrock")
    parser.add_argument("--no-plots", action="store_true", help="skip the pictures")
    args = parser.parse_args(argv)
    require_at_least_one(parser, args, ("taylor_order", "layers", "gd_max_iter"))
    return args


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, object]:
    """Run every worked example; return the key results.

    Returns:
        A dict with ``max_abs_error`` (engine versus closed forms, over
        ``comparisons`` values), ``discrepancies`` (reference-text numbers that
        the math contradicts), the Hessian eigenvalues, Taylor coefficients,
        Newton / gradient-descent iteration counts, the vanishing-gradient
        profile and the picture paths.
    """
    args = parse_args(argv)
    out = None if args.no_plots else output_dir(args.out)   # a bad --out fails first
    check = Checker()
    print("autograd-lite: the reference texts' worked examples, engine versus closed form.")
    print("'engine' = grad / jacobian / hessian / jvp; 'closed form' = the formula from the math.")

    first = first_principles(check)
    rules_and_chain_rule(check)
    partials_and_gradient(check)
    jacobians(check)
    curvature = hessians(check)
    series = taylor(check, args.taylor_order)
    newton = newton_vs_gd(args.gd_max_iter)
    chains = vanishing_gradient(check, args.layers)
    runs = optimizer_updates(check)
    other_numbers(check)

    figures = []
    if out is not None:
        figures = [str(plot_first_principles(first, out)),
                   str(plot_hessians(curvature, out)),
                   str(plot_taylor(series, out)),
                   str(plot_newton(newton, out)),
                   str(plot_vanishing(chains, out))]

    section("Summary")
    print(f"  {check.comparisons} engine results against closed forms: "
          f"max |engine - exact| = {check.max_error:.2e}")
    print(f"  {check.text_checks} numbers printed in the reference texts checked; "
          f"{len(check.discrepancies)} disagree with the math:")
    for d in check.discrepancies:
        print(f"    {d['claim']}: the text prints {d['text_says']}; "
              f"the math gives {d['correct']}")
    for path in figures:
        print(f"  wrote {path}")
    return {
        "max_abs_error": check.max_error,
        "comparisons": check.comparisons,
        "text_checks": check.text_checks,
        "discrepancies": check.discrepancies,
        "minimum_eigenvalues": curvature["x² + 3y²"]["eigenvalues"].tolist(),
        "saddle_eigenvalues": curvature["x² + 4xy + y²"]["eigenvalues"].tolist(),
        "critical_points": curvature["critical_points"],
        "taylor_exp": series["exp"],
        "taylor_sin": series["sin"],
        "newton_iterations": newton["newton_iterations"],
        "gd_iterations": newton["gd_iterations"],
        "newton_rosenbrock_iterations": newton["newton_rosenbrock_iterations"],
        "gd_rosenbrock_iterations": newton["gd_rosenbrock_iterations"],
        "vanishing_gradient": chains["sigmoid"]["engine"],
        "optimizer_runs": runs,
        "figures": figures,
    }


if __name__ == "__main__":
    run_demo(main, "calculus")
