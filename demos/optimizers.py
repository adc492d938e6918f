"""Optimizers racing on an ill-conditioned bowl and on Rosenbrock's valley.

Gradient descent (learning rates 0.01, 0.05, 0.1 and more), momentum, Adam and
RMSprop - nn's optimizers, updating two Value parameters - minimize

* the bowl f(x, y) = x² + 10y² (Hessian eigenvalues 2 and 20, condition 10),
  from (-4, 2), minimum (0, 0);
* Rosenbrock f(x, y) = (1 - x)² + 100(y - x²)², from (-1.5, 2), minimum (1, 1).

Convergence criterion: the distance to the minimum |w - w*| < --tol (1e-6).
A run diverges when it leaves the plane (|w - w*| > 1e6 or an overflow); any
other run that has not converged within its budget is "not converged in N".

Why gradient descent diverges: near a minimum with Hessian eigenvalues λ, a
step multiplies the error along each eigenvector by (1 - lr·λ). That shrinks
only when lr·λ < 2. On the bowl λmax = 20, so lr = 0.1 gives 1 - 2 = -1
exactly: the y coordinate flips sign every step and never converges (it does
not blow up either); any lr > 0.1 diverges. Rosenbrock's valley has
λmax ≈ 1000-2000, so GD needs lr < 0.001-0.002 there.

Run:  python demos/optimizers.py [--out out/optimizers]
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:           # run from a clean clone: import nn, autograd_lite, demos
    sys.path.insert(0, ROOT)

from typing import Callable, Dict, List, Optional, Sequence  # noqa: E402

import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd_lite import DomainError, Value, hessian  # noqa: E402
from demos._common import (demo_parser, output_dir, plt, progress as progress_bar,  # noqa: E402
                           require_at_least_one, run, save_figure)

__all__ = ["main", "Surface", "Racer", "SURFACES", "race", "racers_for"]


# ---------------------------------------------------------------------------
# The two surfaces and the racers
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Surface:
    """A function of two Values to minimize, with its start and minimum."""
    name: str
    formula: str
    f: Callable[[Value, Value], Value]
    start: tuple
    minimum: tuple
    window: tuple                      # (xmin, xmax, ymin, ymax) for the picture
    log_levels: bool                   # log-spaced contours (Rosenbrock)


SURFACES = {
    "bowl": Surface("bowl", "x² + 10y²", lambda x, y: x * x + 10 * y * y,
                    start=(-4.0, 2.0), minimum=(0.0, 0.0), window=(-4.6, 1.6, -2.6, 2.6),
                    log_levels=False),
    "rosenbrock": Surface("rosenbrock", "(1 - x)² + 100(y - x²)²",
                          lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
                          start=(-1.5, 2.0), minimum=(1.0, 1.0), window=(-2.0, 2.0, -1.0, 3.0),
                          log_levels=True),
}


@dataclass(frozen=True)
class Racer:
    """An optimizer configuration: ``make(params)`` builds the nn optimizer
    (and optionally a scheduler, stepped once per iteration)."""
    name: str
    make: Callable[[List[Value]], object]
    color: str
    lr: float
    gd: bool = False                   # plain gradient descent: lr·λmax decides stability
    schedule: Optional[Callable[[object], object]] = None
    linestyle: str = "-"
    note: str = ""                     # printed when the run does not converge


def racers_for(surface: str) -> List[Racer]:
    """The optimizers and learning rates raced on ``surface``.

    Gradient descent runs at 0.01, 0.05 and 0.1 on both surfaces (on the
    bowl also at 0.11, just past the stability edge; on Rosenbrock also at
    0.001, a rate it survives). The others use rates that suit the surface.

    Example:
        >>> [r.name for r in racers_for("bowl")][:3]
        ['GD lr=0.01', 'GD lr=0.05', 'GD lr=0.1']
    """
    def gd(lr, color, linestyle="-"):
        return Racer(f"GD lr={lr:g}", lambda p: nn.SGD(p, lr=lr), color, lr, gd=True,
                     linestyle=linestyle)

    blues = ("#6baed6", "#2171b5", "#08306b")
    if surface == "bowl":
        return [gd(0.01, blues[0]), gd(0.05, blues[1]), gd(0.1, "black"),
                gd(0.11, "#8c8c8c", "--"),
                Racer("momentum lr=0.01 β=0.9", lambda p: nn.SGD(p, lr=0.01, momentum=0.9),
                      "#ff7f0e", 0.01),
                Racer("Adam lr=0.1", lambda p: nn.Adam(p, lr=0.1), "#d62728", 0.1),
                Racer("RMSprop lr=0.01", lambda p: nn.RMSprop(p, lr=0.01), "#9467bd", 0.01)]
    if surface == "rosenbrock":
        return [gd(0.01, blues[0]), gd(0.05, blues[1]), gd(0.1, blues[2]),
                gd(0.001, "#17becf"),
                Racer("momentum lr=0.001 β=0.9", lambda p: nn.SGD(p, lr=0.001, momentum=0.9),
                      "#ff7f0e", 0.001),
                Racer("Adam lr=0.1", lambda p: nn.Adam(p, lr=0.1), "#d62728", 0.1),
                Racer("RMSprop lr=0.01", lambda p: nn.RMSprop(p, lr=0.01), "#9467bd", 0.01,
                      note="RMSprop's step is lr·g/√v with v a running mean of g²: once it "
                           "bounces across the valley floor with a repeating |g|, v -> g² and "
                           "each coordinate moves by exactly ±lr = 0.01 per step, a 2-cycle that "
                           "never settles. Decaying the lr (next row) lets it converge."),
                Racer("RMSprop lr=0.01, ExponentialLR(0.999)",
                      lambda p: nn.RMSprop(p, lr=0.01), "#e377c2", 0.01,
                      schedule=lambda opt: nn.ExponentialLR(opt, gamma=0.999))]
    raise ValueError(f"racers_for: unknown surface {surface!r}; expected one of "
                     f"{sorted(SURFACES)}")


# ---------------------------------------------------------------------------
# One race
# ---------------------------------------------------------------------------

DIVERGED_DISTANCE = 1e6


def race(surface: Surface, racer: Racer, max_iter: int, tol: float,
         progress: bool = True) -> Dict[str, object]:
    """Minimize ``surface`` with ``racer`` for at most ``max_iter`` steps.

    Returns:
        ``status`` ("converged", "diverged" or "not converged"),
        ``iterations`` (steps to converge, or None), ``steps`` (taken),
        ``distance`` (final |w - w*|) and ``path`` (the iterates, an array
        of shape (steps + 1, 2)).

    Example:
        >>> r = race(SURFACES["bowl"], racers_for("bowl")[1], 500, 1e-6, progress=False)
        >>> r["status"], r["iterations"]
        ('converged', 145)
    """
    params = [Value(v) for v in surface.start]
    opt = racer.make(params)
    scheduler = racer.schedule(opt) if racer.schedule else None
    (tx, ty) = surface.minimum
    path = [np.array(surface.start)]
    distance = math.hypot(surface.start[0] - tx, surface.start[1] - ty)
    status, iterations = "not converged", None
    steps = progress_bar(range(max_iter), f"{surface.name}: {racer.name}", unit="step",
                         disable=not progress)
    for step in steps:
        try:
            opt.zero_grad()
            loss = surface.f(*params)
            loss.backward()
            opt.step()
        except (DomainError, OverflowError):   # a coordinate overflowed: it left the plane
            status = "diverged"
            break
        if scheduler is not None:
            scheduler.step()
        x, y = params[0].data, params[1].data
        distance = math.hypot(x - tx, y - ty)      # no overflow warning for huge x, y
        if not math.isfinite(distance) or distance > DIVERGED_DISTANCE:
            status = "diverged"
            break
        path.append(np.array([x, y]))
        if distance < tol:
            status, iterations = "converged", step + 1
            break
    steps.close()
    return {"status": status, "iterations": iterations, "steps": len(path) - 1,
            "distance": distance, "path": np.array(path)}


def describe(result: Dict[str, object], max_iter: int) -> str:
    """The table cell for one run."""
    if result["status"] == "converged":
        return f"{result['iterations']}"
    if result["status"] == "diverged":
        return f"diverged (step {result['steps'] + 1})"
    return f"not converged in {max_iter} (|w - w*| = {result['distance']:.1e})"


def stability_note(racer: Racer, lam_max: float, path: np.ndarray) -> str:
    """For gradient descent: lr·λmax against the limit 2, and what it means."""
    if not racer.gd:
        return ""
    k = racer.lr * lam_max
    if abs(k - 2) < 1e-9:
        ys = path[-3:, 1]
        return (f"lr·λmax = {k:.2f}: the error along λmax is multiplied by 1 - 2 = -1 each step; "
                f"y bounces {ys[-2]:+.3g}, {ys[-1]:+.3g}, ... forever (neither converges nor "
                "blows up)")
    if k > 2:
        return f"lr·λmax = {k:.3g} > 2: |1 - lr·λ| > 1, the error grows each step"
    return f"lr·λmax = {k:.3g} < 2: stable near the minimum"


# ---------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------

def _contours(ax, surface: Surface) -> None:
    x0, x1, y0, y1 = surface.window
    X, Y = np.meshgrid(np.linspace(x0, x1, 400), np.linspace(y0, y1, 400))
    Z = surface.f(X, Y)                 # the same formula evaluates on numpy arrays
    if surface.log_levels:
        from matplotlib.colors import LogNorm
        levels = np.logspace(-1, np.log10(Z.max()), 22)
        ax.contourf(X, Y, Z, levels=levels, norm=LogNorm(), cmap="Blues_r", alpha=0.25)
        ax.contour(X, Y, Z, levels=levels, norm=LogNorm(), colors="gray", linewidths=0.4)
    else:
        levels = np.linspace(0, Z.max() ** 0.5, 21)[1:] ** 2    # evenly spaced in √f
        ax.contourf(X, Y, Z, levels=np.r_[0, levels], cmap="Blues_r", alpha=0.25)
        ax.contour(X, Y, Z, levels=levels, colors="gray", linewidths=0.4)
    ax.plot(*surface.start, "o", color="black", ms=7, zorder=5)
    ax.annotate("start", surface.start, textcoords="offset points", xytext=(6, 6))
    ax.plot(*surface.minimum, "*", color="gold", mec="black", ms=16, zorder=6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")


# A path that never converges is drawn up to this many iterates (gradient
# descent bouncing at lr = 2/λmax retraces one segment for thousands of
# steps); dots mark every MARK_EVERY-th iterate, so their spacing shows speed.
MAX_DRAWN_UNCONVERGED = {"bowl": 25, "rosenbrock": None}
MARK_EVERY = {"bowl": 10, "rosenbrock": 250}


def plot_race(surface: Surface, racers: Sequence[Racer], results: Dict[str, Dict],
              max_iter: int, tol: float, out: Path) -> Path:
    """Gradient-descent paths, the other optimizers' paths, and the distance to
    the minimum per iteration, side by side."""
    fig, axes = plt.subplots(1, 3, figsize=(19, 6.4),
                             gridspec_kw={"width_ratios": [1, 1, 1.1]})
    groups = [[r for r in racers if r.gd], [r for r in racers if not r.gd]]
    titles = ["gradient descent", "momentum, Adam, RMSprop"]
    every = MARK_EVERY[surface.name]
    for ax, group, title in zip(axes[:2], groups, titles):
        _contours(ax, surface)
        for racer in group:
            r = results[racer.name]
            path = r["path"]
            limit = MAX_DRAWN_UNCONVERGED[surface.name]
            shown = path if r["status"] == "converged" or limit is None else path[:limit + 1]
            cut = f" (first {len(shown) - 1} steps drawn)" if len(shown) < len(path) else ""
            # shorter paths on top, so a fast optimizer is not hidden under a slow one
            ax.plot(shown[:, 0], shown[:, 1], racer.linestyle, color=racer.color, lw=1.6,
                    alpha=0.95, zorder=3 + 1 / len(shown),
                    marker="o", ms=2.8, markevery=every if len(shown) > 3 * every else 1,
                    label=f"{racer.name}: {describe(r, max_iter)}{cut}")
        ax.set_title(f"{title} on f = {surface.formula}\n(dots every {every} steps"
                     + ("; log-spaced contours)" if surface.log_levels else ")"))
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.11),
                  title=f"iterations to |w - w*| < {tol:g}", title_fontsize=8)
    ax = axes[2]
    for racer in racers:
        r = results[racer.name]
        dist = np.linalg.norm(r["path"] - np.array(surface.minimum), axis=1)
        steps = np.arange(1, len(dist) + 1)
        stride = max(1, len(dist) // 3000)
        ax.loglog(steps[::stride], np.maximum(dist[::stride], 1e-12), racer.linestyle,
                  color=racer.color, lw=1.5, label=racer.name)
        if r["status"] == "diverged":
            ax.plot(len(dist) + 1, DIVERGED_DISTANCE, "x", color=racer.color, ms=10, mew=2.5)
    ax.axhline(tol, color="gray", ls=":", lw=1)
    ax.text(1.1, tol * 2, f"converged: |w - w*| < {tol:g}", fontsize=8, color="gray")
    ax.axhline(DIVERGED_DISTANCE, color="gray", ls="--", lw=1)
    ax.text(1.1, DIVERGED_DISTANCE * 2, f"diverged (x): |w - w*| > {DIVERGED_DISTANCE:g}",
            fontsize=8, color="gray")
    ax.set_ylim(tol / 100, DIVERGED_DISTANCE * 30)
    ax.set_xlabel("iteration (log scale)")
    ax.set_ylabel("|w - w*|  (log scale)")
    ax.set_title("distance to the minimum")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2)
    fig.suptitle(f"{surface.name.capitalize()}: nn's optimizers on two Value parameters, "
                 f"from {surface.start} to the minimum {surface.minimum}", fontsize=13)
    return save_figure(fig, out / f"optimizers_{surface.name}.png")


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = demo_parser("optimizers", __doc__.split("\n\n")[0],
                         seed_help="accepted for a uniform command line; the races are "
                                   "deterministic")
    parser.add_argument("--max-iter-bowl", type=int, default=5000,
                        help="step budget on the bowl")
    parser.add_argument("--max-iter-rosenbrock", type=int, default=40_000,
                        help="step budget on Rosenbrock (plain GD needs ~35000)")
    parser.add_argument("--tol", type=float, default=1e-6,
                        help="converged when |w - w*| < tol")
    parser.add_argument("--surfaces", nargs="+", choices=sorted(SURFACES),
                        default=["bowl", "rosenbrock"], help="which surfaces to race on")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    args = parser.parse_args(argv)
    require_at_least_one(parser, args, ("max_iter_bowl", "max_iter_rosenbrock"))
    if not args.tol > 0:
        parser.error(f"--tol must be > 0, got {args.tol}")
    return args


def main(argv: Optional[Sequence[str]] = None) -> Dict[str, object]:
    """Race every optimizer on each surface; print the table, draw the paths.

    Returns:
        ``iterations``: {surface: {optimizer: steps to converge, or None}};
        ``status``: {surface: {optimizer: "converged" / "diverged" /
        "not converged"}}; ``distance``: the final |w - w*| of each run;
        ``lambda_max``: the largest Hessian eigenvalue at each minimum;
        ``figures``: the picture paths.
    """
    args = parse_args(argv)
    out = output_dir(args.out)
    budgets = {"bowl": args.max_iter_bowl, "rosenbrock": args.max_iter_rosenbrock}
    summary = {"iterations": {}, "status": {}, "distance": {}, "lambda_max": {}, "figures": []}
    print(f"Convergence criterion: |w - w*| < {args.tol:g}; diverged: |w - w*| > "
          f"{DIVERGED_DISTANCE:g} or overflow.")
    for key in args.surfaces:
        surface = SURFACES[key]
        lam_max = float(np.linalg.eigvalsh(hessian(surface.f)(*surface.minimum))[-1])
        racers = racers_for(key)
        max_iter = budgets[key]
        results = {racer.name: race(surface, racer, max_iter, args.tol, not args.no_progress)
                   for racer in racers}
        print(f"\n{surface.name}: f(x, y) = {surface.formula}, from {surface.start} to "
              f"{surface.minimum}; budget {max_iter} steps")
        print(f"Hessian at the minimum (engine): largest eigenvalue λmax = {lam_max:.6g}, so "
              f"gradient descent is stable there only for lr < 2/λmax = {2 / lam_max:.4g}")
        width = max(len(r.name) for r in racers)
        print(f"  {'optimizer':<{width}}  iterations to converge")
        for racer in racers:
            result = results[racer.name]
            print(f"  {racer.name:<{width}}  {describe(result, max_iter)}")
            note = stability_note(racer, lam_max, result["path"]) or racer.note
            if note and result["status"] != "converged":
                for line in textwrap.wrap(note, 100 - width):
                    print(f"  {'':<{width}}    {line}")
        summary["iterations"][key] = {n: r["iterations"] for n, r in results.items()}
        summary["status"][key] = {n: r["status"] for n, r in results.items()}
        summary["distance"][key] = {n: r["distance"] for n, r in results.items()}
        summary["lambda_max"][key] = lam_max
        path = plot_race(surface, racers, results, max_iter, args.tol, out)
        summary["figures"].append(str(path))
        print(f"  wrote {path}")
    return summary


if __name__ == "__main__":
    run(main, "optimizers")
