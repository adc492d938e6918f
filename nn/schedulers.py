"""Learning-rate schedules with PyTorch's ``step()`` semantics.

A scheduler sets ``optimizer.lr``. Creating it applies the schedule's value
for step 0; each ``step()``, called once per epoch (or iteration) *after*
``optimizer.step()``, moves to the next value. The values are computed as
PyTorch computes them: from the optimizer's current lr (the "recursive"
form: ``lr * gamma``, or the cosine ratio), so a change made to ``opt.lr``
by hand carries forward as in PyTorch, and the floats match torch's. The
closed forms are used where PyTorch uses them (``SequentialLR`` jumping to a
milestone). One difference: where torch's rounding gives a learning rate
below 0 (``LinearLR`` decaying to ``end_factor=0`` ends at -1.85e-18), the
exact value, 0.0, is set, since an optimizer refuses a negative lr. A step
whose lr the optimizer refuses (inf, after a ``gamma > 1`` grew it past the
largest float) is a ValueError that leaves the scheduler and the optimizer
as they were.

* :class:`StepLR` - multiply by ``gamma`` every ``step_size`` steps.
* :class:`ExponentialLR` - multiply by ``gamma`` every step.
* :class:`CosineAnnealingLR` - base_lr down to ``eta_min`` along half a cosine
  over ``T_max`` steps (then back up, as PyTorch).
* :class:`LinearLR` / :class:`LinearWarmup` - linear warm-up: scale the lr by
  a factor going linearly from ``start_factor`` to ``end_factor``.
* :class:`SequentialLR` - one schedule after another (e.g. warm-up, then cosine).

``state_dict()`` returns the scheduler's attributes (all but the optimizer),
as torch's schedulers do; ``load_state_dict()`` checks them and restores the
schedule where it was. The optimizer's lr is the optimizer's state.

>>> from autograd_lite import Value
>>> from nn.optim import SGD
>>> opt = SGD([Value(0.0)], lr=1.0)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(6):
...     lrs.append(opt.lr)     # train with this lr: ... opt.step()
...     sched.step()
>>> lrs
[1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ._checks import (check_keys, finite_number, loaded_bool, loaded_number, non_negative,
                      positive_int, some_keys)
from .optim import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
           "LinearWarmup", "SequentialLR"]


# Why a multiplier of the lr must be >= 0: no optimizer takes a negative lr.
_FACTOR = "a negative factor would make the learning rate negative"


def _optimizer(where: str, optimizer: Any) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: expected an optimizer (e.g. nn.SGD), got "
                        f"{type(optimizer).__name__}")
    return optimizer


class LRScheduler:
    """Base class: owns the step count and writes ``optimizer.lr``.

    Subclasses define ``_next_lr()`` (PyTorch's ``get_lr``: the lr for
    ``last_epoch``, from the current lr) and ``_closed_form_lr()`` (the same
    from ``base_lr`` alone). Step 0 is the one the constructor takes.
    PyTorch's constructors take a ``last_epoch`` to resume from, and mark
    step 0 with a flag; these take no ``last_epoch``: they always start from
    ``last_epoch = -1``, so step 0 is ``last_epoch == 0``, and resume through
    :meth:`load_state_dict`.

    Attributes:
        optimizer: the optimizer whose ``lr`` is set.
        base_lr: the lr the schedule starts from (the optimizer's lr when the
            first scheduler was attached to it, PyTorch's ``initial_lr``).
        last_epoch: the index of the current step (0 after construction).

    Example:
        >>> from autograd_lite import Value
        >>> from nn.optim import SGD
        >>> class Halving(LRScheduler):          # lr / 2 every step
        ...     def _next_lr(self):
        ...         return self.optimizer.lr / (1 if self.last_epoch == 0 else 2)
        >>> opt = SGD([Value(0.0)], lr=1.0); sched = Halving(opt)
        >>> sched.step(); sched.step(); sched.get_last_lr(), sched.last_epoch
        ([0.25], 2)
    """

    def __init__(self, optimizer: Optimizer):
        self.optimizer = _optimizer(type(self).__name__, optimizer)
        if optimizer.initial_lr is None:
            optimizer.initial_lr = optimizer.lr
        self.base_lr: float = optimizer.initial_lr
        self.last_epoch = -1
        self.step()                      # step 0: the schedule's first value

    def step(self) -> None:
        """Advance one step and set ``optimizer.lr`` to the schedule's value."""
        self._update_lr()

    def _update_lr(self, epoch: Optional[int] = None) -> None:
        # All or nothing: if the optimizer refuses the new lr (inf after a
        # gamma > 1 has grown it past the largest float), the step count
        # stays where it was, so the scheduler is not left half a step on.
        previous = self.last_epoch
        try:
            if epoch is None:
                self.last_epoch += 1
                lr = self._next_lr()
            else:
                self.last_epoch = epoch
                lr = self._closed_form_lr()
            self.optimizer.lr = lr
        except (TypeError, ValueError) as error:
            step = self.last_epoch
            self.last_epoch = previous
            raise ValueError(f"{type(self).__name__}: step {step} cannot set the "
                             f"learning rate ({error}); the scheduler stays at step "
                             f"{previous}") from error
        self._last_lr = self.optimizer.lr

    def get_last_lr(self) -> List[float]:
        """The lr set by the last step, in a list (one entry per parameter
        group, as PyTorch; there is one group here)."""
        return [self._last_lr]

    def _next_lr(self) -> float:
        raise NotImplementedError

    def _closed_form_lr(self) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self._last_lr!r})"

    # ---- state_dict -----------------------------------------------------------
    def state_dict(self) -> Dict[str, Any]:
        """The scheduler's attributes but the optimizer, as plain data (torch's
        rule), e.g. ``{"step_size": 2, "gamma": 0.5, "base_lr": 1.0,
        "last_epoch": 3, "_last_lr": 0.5}``.

        Example:
            >>> from autograd_lite import Value
            >>> from nn.optim import SGD
            >>> sched = ExponentialLR(SGD([Value(0.0)], lr=1.0), gamma=0.5); sched.step()
            >>> sched.state_dict()
            {'gamma': 0.5, 'base_lr': 1.0, 'last_epoch': 1, '_last_lr': 0.5}
        """
        return self._attributes()

    def _attributes(self) -> Dict[str, Any]:
        return {key: list(value) if isinstance(value, list) else value
                for key, value in vars(self).items() if key not in _NOT_STATE}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state from :meth:`state_dict`, checked first: other keys
        (another scheduler class), values of another type or out of range are
        a ValueError naming the key, and the scheduler is left as it was.

        Example:
            >>> from autograd_lite import Value
            >>> from nn.optim import SGD
            >>> a = StepLR(SGD([Value(0.0)], lr=1.0), step_size=2); a.step(); a.step()
            >>> b = StepLR(SGD([Value(0.0)], lr=1.0), step_size=2)
            >>> b.load_state_dict(a.state_dict()); b.last_epoch
            2
            >>> b.load_state_dict({"gamma": 0.5})                # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            ValueError: StepLR.load_state_dict: the state was not saved from StepLR: ...
        """
        self._apply_state(self._checked_state(state_dict))

    def _checked_state(self, state_dict: Any) -> Dict[str, Any]:
        """Check ``state_dict``; the attribute values to set (nothing is set)."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}: expected a mapping from state_dict(), got "
                            f"{type(state_dict).__name__}")
        mine = self._attributes()
        name = type(self).__name__

        def other_class(missing: List[Any], unexpected: List[Any]) -> str:
            parts = ([f"lacks {missing}"] if missing else []) + (
                [f"has {some_keys(unexpected)}, which {name} has not"]
                if unexpected else [])
            return f"{where}: the state was not saved from {name}: it {'; it '.join(parts)}"
        check_keys(state_dict, mine, other_class)
        values = {key: _state_entry(where, key, mine[key], state_dict[key])
                  for key in mine}
        self._check_settings(where, values)
        return values

    def _check_settings(self, where: str, values: Mapping[str, Any]) -> None:
        """Range checks of a loaded state that its types do not make."""
        # -1: a schedule of a SequentialLR that has not started yet
        if values["last_epoch"] < -1:
            raise ValueError(f"{where}: last_epoch must be >= -1, got {values['last_epoch']}")
        non_negative(where, "base_lr", values["base_lr"])
        if "gamma" in values:                   # the constructor's check of the factor
            non_negative(where, "gamma", values["gamma"], _FACTOR)
        if "milestones" in values and any(     # as SequentialLR's constructor checks them
                a >= b for a, b in zip(values["milestones"], values["milestones"][1:])):
            raise ValueError(f"{where}: milestones must increase, got {values['milestones']}")

    def _apply_state(self, values: Mapping[str, Any]) -> None:
        """Set what :meth:`_checked_state` returned; cannot fail."""
        for key, value in values.items():
            setattr(self, key, value)


# Attributes that are not the schedule's state: the objects it drives.
_NOT_STATE = ("optimizer", "schedulers")

# Integer settings that must be >= 1 (0 would divide by zero).
_POSITIVE = ("step_size", "T_max", "total_iters")


def _state_entry(where: str, key: str, mine: Any, value: Any) -> Any:
    """``value`` checked to be what ``mine`` is (an int, a finite float, a
    bool, a str or None, a list of them of the same length), as a copy."""
    if isinstance(mine, list):
        if not isinstance(value, (list, tuple)) or len(value) != len(mine):
            raise ValueError(f"{where}: {key} must be a list of {len(mine)} entries like "
                             f"{mine!r}, got {value!r:.80}")
        return [_state_entry(where, f"{key}[{i}]", m, v)
                for i, (m, v) in enumerate(zip(mine, value))]
    # a subclass's own settings: a flag, a name, None
    if isinstance(mine, bool):
        return loaded_bool(where, key, value)
    if mine is None or isinstance(mine, str):
        if type(value) is not type(mine):
            raise ValueError(f"{where}: {key} must be {type(mine).__name__} like {mine!r}, "
                             f"got {type(value).__name__} {value!r:.80}")
        return value
    if type(mine) is int:
        value = loaded_number(where, key, value, integer=True)
        if key.split("[")[0] in _POSITIVE + ("milestones",) and value < 1:
            raise ValueError(f"{where}: {key} must be >= 1, got {value!r}")
        return value
    return loaded_number(where, key, value)


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` steps.

    lr(t) = base_lr * gamma ** (t // step_size).

    Args:
        optimizer: the optimizer to schedule.
        step_size: steps between decays (positive int).
        gamma: the factor (default 0.1).

    Example:
        >>> from autograd_lite import Value
        >>> from nn.optim import SGD
        >>> opt = SGD([Value(0.0)], lr=0.05); sched = StepLR(opt, step_size=30)
        >>> for _ in range(30): sched.step()
        >>> round(opt.lr, 12)
        0.005
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = positive_int("StepLR", "step_size", step_size)
        self.gamma = non_negative("StepLR", "gamma", gamma, _FACTOR)
        super().__init__(optimizer)

    def _next_lr(self) -> float:
        lr = self.optimizer.lr
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lr
        return lr * self.gamma

    def _closed_form_lr(self) -> float:
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every step: lr(t) = base_lr * gamma ** t.

    Args:
        optimizer: the optimizer to schedule.
        gamma: the factor per step.

    Example:
        >>> from autograd_lite import Value
        >>> from nn.optim import SGD
        >>> opt = SGD([Value(0.0)], lr=1.0); sched = ExponentialLR(opt, gamma=0.5)
        >>> sched.step(); sched.step(); opt.lr
        0.25
    """

    def __init__(self, optimizer: Optimizer, gamma: float):
        self.gamma = non_negative("ExponentialLR", "gamma", gamma, _FACTOR)
        super().__init__(optimizer)

    def _next_lr(self) -> float:
        lr = self.optimizer.lr
        return lr if self.last_epoch == 0 else lr * self.gamma

    def _closed_form_lr(self) -> float:
        return self.base_lr * self.gamma ** self.last_epoch


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing (SGDR without restarts), PyTorch's recursive form.

    Closed form: lr(t) = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2,
    which reaches eta_min at t = T_max. PyTorch computes it recursively,
    lr(t) = eta_min + (lr(t-1) - eta_min) (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T)),
    with a special case where that ratio is 0/0 (t = T_max + 1, 3 T_max + 1, ...),
    so past T_max the lr rises again along the cosine; we do the same.

    Args:
        optimizer: the optimizer to schedule.
        T_max: steps from base_lr down to eta_min (positive int).
        eta_min: the lowest lr (default 0).

    Example:
        >>> from autograd_lite import Value
        >>> from nn.optim import Adam
        >>> opt = Adam([Value(0.0)], lr=1.0); sched = CosineAnnealingLR(opt, T_max=4)
        >>> lrs = [opt.lr]
        >>> for _ in range(4):
        ...     sched.step(); lrs.append(round(opt.lr, 12))
        >>> lrs                     # (1 + cos(pi t / 4)) / 2
        [1.0, 0.853553390593, 0.5, 0.146446609407, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        self.T_max = positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = non_negative("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer)

    def _check_settings(self, where: str, values: Mapping[str, Any]) -> None:
        super()._check_settings(where, values)
        non_negative(where, "eta_min", values["eta_min"])

    def _next_lr(self) -> float:
        lr, t, T, eta_min = self.optimizer.lr, self.last_epoch, self.T_max, self.eta_min
        if t == 0:
            return lr
        if (t - 1 - T) % (2 * T) == 0:
            # just past a minimum: the ratio below would be 0 / 0
            return lr + (self.base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
        return ((1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - eta_min) + eta_min)

    def _closed_form_lr(self) -> float:
        return (self.eta_min + (self.base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2)


class LinearLR(LRScheduler):
    """Scale the lr by a factor moving linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` steps, then keep it (PyTorch's LinearLR).

    With the defaults of :class:`LinearWarmup` this is a linear warm-up:
    lr(t) = base_lr * (start + (end - start) * min(t, total_iters) / total_iters).

    Args:
        optimizer: the optimizer to schedule.
        start_factor: factor at step 0, in (0, 1] (default 1/3).
        end_factor: factor from step ``total_iters`` on, in [0, 1] (default 1).
        total_iters: length of the ramp (positive int, default 5).

    Example:
        >>> from autograd_lite import Value
        >>> from nn.optim import SGD
        >>> opt = SGD([Value(0.0)], lr=1.0)
        >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> lrs = [opt.lr]
        >>> for _ in range(4):
        ...     sched.step(); lrs.append(round(opt.lr, 12))
        >>> lrs
        [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5):
        where = type(self).__name__
        self.start_factor = finite_number(where, "start_factor", start_factor)
        self.end_factor = finite_number(where, "end_factor", end_factor)
        if not 0 < self.start_factor <= 1:
            raise ValueError(f"{where}: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= self.end_factor <= 1:
            raise ValueError(f"{where}: end_factor must be in [0, 1], got {end_factor!r}")
        self.total_iters = positive_int(where, "total_iters", total_iters)
        super().__init__(optimizer)

    def _check_settings(self, where: str, values: Mapping[str, Any]) -> None:
        super()._check_settings(where, values)
        if not 0 < values["start_factor"] <= 1 or not 0 <= values["end_factor"] <= 1:
            raise ValueError(f"{where}: start_factor must be in (0, 1] and end_factor in "
                             f"[0, 1], got {values['start_factor']!r} and "
                             f"{values['end_factor']!r}")

    def _next_lr(self) -> float:
        lr, t = self.optimizer.lr, self.last_epoch
        start, end = self.start_factor, self.end_factor
        if t == 0:
            return lr * start
        if t > self.total_iters:
            return lr
        # ratio of consecutive factors: f(t) / f(t-1). The factors are >= 0, so
        # a negative result is rounding: decaying to end_factor=0, torch ends
        # at -1.85e-18 (which an optimizer refuses); the exact value is 0.
        return max(0.0, lr * (1.0 + (end - start)
                              / (self.total_iters * start + (t - 1) * (end - start))))

    def _closed_form_lr(self) -> float:
        return max(0.0, self.base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                                        * min(self.total_iters, self.last_epoch)
                                        / self.total_iters))


class LinearWarmup(LinearLR):
    """Linear warm-up: the lr rises from ``start_factor * lr`` to ``lr`` over
    ``warmup_steps`` steps, then stays (``LinearLR(opt, start_factor, 1.0,
    warmup_steps)``). Chain it with another schedule using
    :class:`SequentialLR`.

    Args:
        optimizer: the optimizer to schedule.
        warmup_steps: steps to reach the full lr (positive int).
        start_factor: fraction of the lr at step 0, in (0, 1] (default 0.1).

    Example:
        >>> from autograd_lite import Value
        >>> from nn.optim import Adam
        >>> opt = Adam([Value(0.0)], lr=1e-3)
        >>> warm = LinearWarmup(opt, warmup_steps=100)
        >>> cos = CosineAnnealingLR(opt, T_max=900)
        >>> sched = SequentialLR(opt, [warm, cos], milestones=[100])
        >>> for _ in range(100): sched.step()
        >>> opt.lr
        0.001
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, start_factor: float = 0.1):
        super().__init__(optimizer, start_factor=start_factor, end_factor=1.0,
                         total_iters=warmup_steps)


class SequentialLR(LRScheduler):
    """Run schedules one after another, switching at the ``milestones``
    (PyTorch's SequentialLR, including its reset of the optimizer's lr).

    Args:
        optimizer: the optimizer all the schedulers belong to.
        schedulers: the schedules, in order.
        milestones: the steps at which to switch (one fewer than schedulers,
            increasing). At a milestone the next schedule starts from its
            step 0, from ``base_lr``.

    Example:
        >>> from autograd_lite import Value
        >>> from nn.optim import SGD
        >>> opt = SGD([Value(0.0)], lr=1.0)
        >>> warm = LinearWarmup(opt, warmup_steps=2, start_factor=0.5)
        >>> decay = ExponentialLR(opt, gamma=0.5)
        >>> sched = SequentialLR(opt, [warm, decay], milestones=[2])
        >>> lrs = [opt.lr]
        >>> for _ in range(4):
        ...     sched.step(); lrs.append(opt.lr)
        >>> lrs
        [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler],
                 milestones: Sequence[int]):
        _optimizer("SequentialLR", optimizer)
        schedulers = list(schedulers)
        milestones = [positive_int("SequentialLR", "each milestone", m) for m in milestones]
        if not schedulers:
            raise ValueError("SequentialLR: expected at least one scheduler, got none")
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler) or isinstance(s, SequentialLR):
                raise TypeError(f"SequentialLR: schedulers[{i}] must be a scheduler such as "
                                f"StepLR, got {type(s).__name__}")
            if s.optimizer is not optimizer:
                raise ValueError(f"SequentialLR: schedulers[{i}] ({type(s).__name__}) belongs "
                                 f"to a different optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: {len(schedulers)} schedulers need "
                             f"{len(schedulers) - 1} milestones, got {len(milestones)}")
        if any(a >= b for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"SequentialLR: milestones must increase, got {milestones}")
        self.optimizer = optimizer
        self.schedulers = schedulers
        self.milestones = milestones
        self.base_lr = schedulers[0].base_lr         # the optimizer's initial_lr
        self.last_epoch = 0
        # As PyTorch: undo the construction step of every schedule, restart
        # from the base lr, and redo the first schedule's step 0.
        optimizer.lr = self.base_lr
        for s in schedulers:
            s.last_epoch -= 1
        schedulers[0].step()
        self._last_lr = schedulers[0].get_last_lr()[0]

    def step(self) -> None:
        """Advance one step: the active schedule steps, or the next one starts.
        If the optimizer refuses the new lr, nothing has moved (see LRScheduler)."""
        epoch = self.last_epoch + 1
        idx = bisect.bisect_right(self.milestones, epoch)
        scheduler = self.schedulers[idx]
        if idx > 0 and self.milestones[idx - 1] == epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self.last_epoch = epoch
        self._last_lr = scheduler.get_last_lr()[0]

    def state_dict(self) -> Dict[str, Any]:
        """Its own attributes and, under ``"_schedulers"``, each schedule's
        state (torch's layout)."""
        return {**super().state_dict(), "_schedulers": [s.state_dict() for s in self.schedulers]}

    def _checked_state(self, state_dict: Any) -> Dict[str, Any]:
        where = "SequentialLR.load_state_dict"
        if isinstance(state_dict, Mapping) and "_schedulers" not in state_dict:
            raise ValueError(f"{where}: the state was not saved from SequentialLR: it "
                             f"lacks ['_schedulers']")
        values = super()._checked_state(
            {k: v for k, v in state_dict.items() if k != "_schedulers"}
            if isinstance(state_dict, Mapping) else state_dict)
        states = state_dict["_schedulers"]
        if not isinstance(states, (list, tuple)) or len(states) != len(self.schedulers):
            raise ValueError(f"{where}: _schedulers must be a list of {len(self.schedulers)} "
                             f"states, one per schedule, got {states!r:.80}")
        checked = []
        for i, (s, state) in enumerate(zip(self.schedulers, states)):
            try:
                checked.append(s._checked_state(state))
            except (TypeError, ValueError) as error:
                raise ValueError(f"{where}: _schedulers[{i}]: {error}") from None
        values["_schedulers"] = checked
        return values

    def _apply_state(self, values: Mapping[str, Any]) -> None:
        for s, state in zip(self.schedulers, values["_schedulers"]):
            s._apply_state(state)
        super()._apply_state({k: v for k, v in values.items() if k != "_schedulers"})
