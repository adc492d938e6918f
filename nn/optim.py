"""Optimizers: SGD (momentum, Nesterov, weight decay), Adam, AdamW, RMSprop.

The update rules, defaults and argument checks are PyTorch's (``torch.optim``,
2.x), statement for statement, so a trajectory here follows torch's to
rounding. Each optimizer keeps one list of parameters; its state (momentum
buffers, moment estimates) is a float64 array per buffer aligned with
``params``, shown by public attributes as lists of floats so it can be
inspected while learning (a copy, taken when read: the optimizer replaces
its arrays at each step); SGD's ``momentum_buffer`` shows None for each
parameter before the first step (and always without momentum).

A step does its arithmetic in numpy over every parameter at once: it reads
the parameters and their gradients into arrays (:mod:`autograd_lite.bulk`,
one pass each), computes the new parameters and buffers into new arrays with
the same IEEE operations, in the same order, that the rule does on one float,
so each element is bit for bit what a loop over floats (and torch) gives;
then it checks them and only then writes them back. A step that cannot be
taken (a gradient that is not a number, nan or inf in a parameter, a
gradient or a result) raises and changes nothing: no parameter, buffer or
step count.

The parameters stay separate Values, each holding its float; they are not
views into one array. A Value's ``data`` is a plain slot read by every node
the engine makes, and storage in a shared array would make every such read
(and ``p.data -= lr * p.grad``, micrograd's loops, checkpoints) go through
an indexing call, slowing the eager engine many-fold to speed up the one
read per step done here.

``state_dict()`` and ``load_state_dict()`` save and restore that state with
``torch.optim``'s layout (``{"state": {index: {...}}, "param_groups": [...]}``,
the per-parameter entries under torch's names), as plain JSON-serializable
data, so a training run can stop and resume to the last bit.

A training step, as in PyTorch::

    opt.zero_grad()          # grads accumulate: reset them
    loss.backward()          # fill p.grad
    opt.step()               # update p.data from p.grad

>>> from autograd_lite import Value
>>> w = [Value(4.0), Value(2.0)]
>>> opt = SGD(w, lr=0.1)
>>> loss = w[0] ** 2 + 3 * w[1] ** 2; loss.backward(); opt.step()
>>> [round(p.data, 12) for p in w]          # w - 0.1 * [2 w0, 6 w1]
[3.2, 0.8]
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import numpy as np

from autograd_lite import DomainError, FloatOverflowError, Value
from autograd_lite.bulk import read_data, read_grads, write_data, zero_grads

from ._checks import (check_keys, finite_number, loaded_bool, loaded_number, non_negative,
                      some_keys, value_list)

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop"]


def _unit_interval(where: str, name: str, value: Any) -> float:
    """A decay rate in [0, 1): 1 would never forget the first estimate."""
    value = finite_number(where, name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{where}: {name} must be in [0, 1), got {value!r} "
                         f"(typical: 0.9 or 0.999)")
    return value


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _index(key: Any) -> Optional[int]:
    """A state index: an int, or its decimal text (what JSON makes of it)."""
    if type(key) is int:
        return key
    if isinstance(key, str) and key.isdigit() and key.isascii() and len(key) <= 18:
        return int(key)
    return None


def _exact_keys(where: str, what: str, mapping: Mapping[str, Any], keys: List[str]) -> None:
    """A ValueError naming the missing and unexpected keys, if any."""
    def message(missing: List[Any], unexpected: List[Any]) -> str:
        parts = ([f"missing {some_keys(missing)}"] if missing else []) + (
            [f"unexpected {some_keys(unexpected)}"] if unexpected else [])
        return f"{where}: {what} must have the keys {keys}: {', '.join(parts)}"
    check_keys(mapping, keys, message)


def _first_not_finite(array: np.ndarray) -> Optional[int]:
    """The index of the first nan or inf in ``array``, or None."""
    finite = np.isfinite(array)
    return None if finite.all() else int(np.argmin(finite))


class _Buffer:
    """A per-parameter state buffer, shown as a list: a copy of the array the
    optimizer keeps (None per parameter while the buffer is unset)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, opt: Any, owner: Optional[type] = None) -> Any:
        if opt is None:
            return self
        array = opt._arrays[self.name]
        return [None] * len(opt.params) if array is None else array.tolist()

    def __set__(self, opt: Any, value: Any) -> None:
        raise AttributeError(f"{type(opt).__name__}.{self.name} is read-only (a copy of the "
                             f"state); restore a state with load_state_dict()")


class Optimizer:
    """Base class: holds the parameters and the learning rate.

    Args:
        params: the Values to optimize (e.g. ``model.parameters()``).
        lr: learning rate, > 0. Settable afterwards (schedulers do);
            ``opt.lr = 0.0`` is allowed then (a schedule may reach 0).

    Subclasses implement :meth:`step`.

    Example:
        >>> from autograd_lite import Value
        >>> class SignSGD(Optimizer):             # step by lr * sign(grad)
        ...     def step(self):
        ...         for p in self.params:
        ...             p.data -= self.lr * ((p.grad > 0) - (p.grad < 0))
        >>> w = Value(1.0); opt = SignSGD([w], lr=0.25)
        >>> w.grad = 7.0; opt.step(); w.data
        0.75
    """

    def __init__(self, params: Iterable[Value], lr: float):
        where = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(f"{where}: params must be a list of Values, got a single "
                            f"Value; wrap it: [p]")
        params = value_list(where, "params", params)
        if not params:
            raise ValueError(f"{where}: got an empty parameter list; pass "
                             f"model.parameters() of a model that has parameters")
        if len(set(map(id, params))) != len(params):
            raise ValueError(f"{where}: params lists the same Value more than once, so "
                             f"it would be updated twice per step; remove the duplicates")
        lr = finite_number(where, "lr", lr)
        if not lr > 0:
            raise ValueError(f"{where}: lr must be > 0, got {lr!r} (typical: 0.01 for "
                             f"SGD, 1e-3 for Adam)")
        self.params: List[Value] = params
        self._lr = lr
        self.initial_lr: Optional[float] = None   # set by the first scheduler
        self.steps = 0
        # the state buffers (see _buffers), shown by the _Buffer attributes
        self._arrays: Dict[str, Any] = {      # an array, or None: SGD's unset buffer
            key: None if default is None else np.full(len(params), default)
            for key, default in self._buffers.items()}

    @property
    def lr(self) -> float:
        """The learning rate used by the next :meth:`step`."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = non_negative(type(self).__name__, "lr", value)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (one pass, see
        :func:`autograd_lite.bulk.zero_grads`)."""
        zero_grads(self.params)

    def step(self) -> None:
        """Update every parameter from its ``.grad``."""
        raise NotImplementedError

    def hyperparameters(self) -> Dict[str, Any]:
        """The settings: lr, then the constructor's other arguments (the class's
        ``_settings``), for printing and logging; a parameter group of
        :meth:`state_dict` holds the same.

        Example:
            >>> from autograd_lite import Value
            >>> RMSprop([Value(1.0)], lr=0.1).hyperparameters()    # doctest: +NORMALIZE_WHITESPACE
            {'lr': 0.1, 'alpha': 0.99, 'eps': 1e-08, 'weight_decay': 0.0, 'momentum': 0.0,
             'centered': False, 'maximize': False}
        """
        return {"lr": self._lr, **{name: getattr(self, name) for name in self._settings}}

    # ---- the step over arrays --------------------------------------------------
    def _update(self, data: np.ndarray, grads: np.ndarray, t: int
                ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        """Step ``t``: the new parameters and the new buffers, computed from
        the parameters ``data`` and the gradients ``grads`` (negated to
        maximize) into new arrays; changes nothing."""
        raise NotImplementedError

    def _step_arrays(self) -> None:
        """Read, update (:meth:`_update`), check, then write: a step that
        fails anywhere changes nothing."""
        where = f"{type(self).__name__}.step"
        params = self.params
        data = read_data(params)
        grads = read_grads(params, where=where)
        for name, array in (("value", data), ("gradient", grads)):
            bad = _first_not_finite(array)
            if bad is not None:
                raise DomainError(f"{where}: the {name} of parameter {bad} is "
                                  f"{float(array[bad])}; nothing was changed (find where the "
                                  f"loss or its gradient stopped being finite)")
        if self.maximize:
            grads = -grads
        with np.errstate(all="ignore"):          # overflow is checked just below
            new_data, new_arrays = self._update(data, grads, self.steps + 1)
        for name, array in (("value", new_data), *new_arrays.items()):
            bad = _first_not_finite(array)
            if bad is not None:
                raise FloatOverflowError(
                    f"{where}: the step would make parameter {bad}'s {name} {array[bad]} "
                    f"(its value is {float(data[bad])!r}, its gradient "
                    f"{float(grads[bad])!r}); nothing was changed; lower the learning rate")
        try:
            write_data(params, new_data, where=where)
        except BaseException:                       # interrupted midway: undo
            write_data(params, data, where=where)
            raise
        self._arrays.update(new_arrays)
        self.steps += 1

    # ---- state_dict -----------------------------------------------------------
    # Per-parameter state: attribute name (also torch's key) -> value of a
    # parameter that has not been stepped yet. Which keys a state holds
    # depends on the settings: see _state_keys.
    _buffers: Dict[str, Any] = {}
    maximize = False        # the subclasses' setting; a step ascends with it
    # The buffers that are running means of squares: never negative (the
    # step takes their square root).
    _squares: Tuple[str, ...] = ()
    # The constructor's arguments besides params and lr, in its order, each
    # kept in the attribute of its name: what hyperparameters() shows and a
    # parameter group saves (a test checks them against the signature).
    _settings: Tuple[str, ...] = ()

    def _state_keys(self, settings: Mapping[str, Any]) -> List[str]:
        """The per-parameter entries a state with these settings holds."""
        return list(self._buffers)

    def _group(self) -> Dict[str, Any]:
        group = Optimizer.hyperparameters(self)     # not a subclass's display
        if self.initial_lr is not None:
            group["initial_lr"] = self.initial_lr
        return group

    def state_dict(self) -> Dict[str, Any]:
        """The optimizer's state as plain data, in ``torch.optim``'s layout.

        ``{"state": {i: {"step": t, <buffer>: float, ...}}, "param_groups":
        [{"lr": ..., <settings>, "params": [0, 1, ...]}]}``: parameter ``i``
        is ``params[i]``; the buffers carry torch's names (``momentum_buffer``,
        ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``, ``square_avg``,
        ``grad_avg``). ``state`` is empty before the first step, as in torch.
        The result shares nothing with the optimizer and survives
        ``json.dumps``/``json.loads`` (which turns the indices into strings;
        :meth:`load_state_dict` reads both).

        Example:
            >>> from autograd_lite import Value
            >>> opt = SGD([Value(1.0)], lr=0.1, momentum=0.9)
            >>> opt.params[0].grad = 2.0; opt.step()
            >>> opt.state_dict()["state"]
            {0: {'step': 1, 'momentum_buffer': 2.0}}
        """
        state: Dict[int, Dict[str, Any]] = {}
        group = self._group()
        if self.steps:
            keys = self._state_keys(group)
            columns = [getattr(self, key) for key in keys]
            for i in range(len(self.params)):
                state[i] = {"step": self.steps}
                state[i].update(zip(keys, (column[i] for column in columns)))
        group["params"] = list(range(len(self.params)))
        return {"state": state, "param_groups": [group]}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (possibly through JSON).

        Everything is checked before anything changes: a state for another
        number of parameters, from another optimizer class, with missing or
        unexpected entries, or with settings the constructor would refuse is a
        ValueError naming what differs, and the optimizer is left as it was.
        The settings (lr, momentum, betas, ...) are the state's, as in torch.

        Args:
            state_dict: e.g. ``other.state_dict()``.

        Raises:
            ValueError: the state does not fit this optimizer, an entry of the
                wrong type included (``{"lr": "x"}`` in a parameter group): the
                mapping is the argument and its entries are its value, so
                ``except ValueError`` catches every state that does not fit, as
                for torch's ``load_state_dict`` and ``Module.load_state_dict``.
            TypeError: ``state_dict`` is not a mapping.

        Example:
            >>> from autograd_lite import Value
            >>> a = Adam([Value(1.0)], lr=0.1); a.params[0].grad = 3.0; a.step()
            >>> b = Adam([Value(0.9)], lr=0.5); b.load_state_dict(a.state_dict())
            >>> b.lr, b.steps, b.exp_avg == a.exp_avg
            (0.1, 1, True)
            >>> SGD([Value(1.0)]).load_state_dict(a.state_dict())   # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            ValueError: SGD.load_state_dict: the state was not saved from SGD: ...
        """
        self._apply_state(self._checked_state(state_dict))

    def _checked_state(self, state_dict: Any) -> Dict[str, Any]:
        """Check ``state_dict`` against this optimizer; the attribute values
        to set (nothing is set here)."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}: expected a mapping from state_dict(), got "
                            f"{type(state_dict).__name__}")
        _exact_keys(where, "the state", state_dict, ["state", "param_groups"])
        groups = state_dict["param_groups"]
        if not isinstance(groups, (list, tuple)) or len(groups) != 1:
            raise ValueError(f"{where}: param_groups must be a list of one group (this "
                             f"optimizer has one), got {_describe(groups)}")
        group = groups[0]
        if not isinstance(group, Mapping):
            raise ValueError(f"{where}: param_groups[0] must be a mapping, got "
                             f"{_describe(group)}")
        mine = self._group()
        name = type(self).__name__

        def other_class(missing: List[Any], unexpected: List[Any]) -> str:
            return (f"{where}: the state was not saved from {name}: its settings "
                    + "; ".join(part for part in (
                        f"lack {missing}" if missing else "",
                        f"have {some_keys(unexpected)}, which {name} has not" if unexpected
                        else "")
                        if part))
        check_keys(group, list(mine) + ["params"], other_class, optional={"initial_lr"})
        n = len(self.params)
        indices = group["params"]
        if not isinstance(indices, (list, tuple)) or list(indices) != list(range(n)):
            count = len(indices) if isinstance(indices, (list, tuple)) else _describe(indices)
            raise ValueError(f"{where}: the state is for {count} parameters, this "
                             f"optimizer has {n} (params must be [0, ..., {n - 1}]); "
                             f"build the optimizer on the same parameters")
        settings = self._checked_settings(where, group)
        lr = non_negative(where, "lr", loaded_number(where, "lr", group["lr"]))
        initial_lr = group.get("initial_lr")
        if initial_lr is not None:
            initial_lr = non_negative(where, "initial_lr",
                                      loaded_number(where, "initial_lr", initial_lr))
        values: Dict[str, Any] = {"_lr": lr, "initial_lr": initial_lr, **settings}
        values.update(self._checked_buffers(where, state_dict["state"], {**mine, **settings}))
        return values

    def _checked_settings(self, where: str, group: Mapping[str, Any]) -> Dict[str, Any]:
        """The group's settings, checked by the constructor's own checks."""
        for name in self._settings:
            if isinstance(getattr(self, name), bool):
                loaded_bool(where, f"the state's {name}", group[name])
        if not self._settings:
            return {}
        try:
            probe = type(self)([Value(0.0)], lr=1.0,
                               **{name: group[name] for name in self._settings})
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where}: the state's settings are invalid: {error}") from None
        return {name: getattr(probe, name) for name in self._settings}

    def _checked_buffers(self, where: str, state: Any,
                         settings: Mapping[str, Any]) -> Dict[str, Any]:
        n = len(self.params)
        if not isinstance(state, Mapping):
            raise ValueError(f"{where}: state must be a mapping of parameter index -> "
                             f"entries, got {_describe(state)}")
        columns = {key: [default] * n for key, default in self._buffers.items()}
        if not state:                           # never stepped
            return {"steps": 0, **columns}
        entries: List[Any] = [None] * n
        for key, entry in state.items():
            index = _index(key)
            if index is None or not 0 <= index < n:
                raise ValueError(f"{where}: the state has an entry for parameter {key!r}; "
                                 f"this optimizer has {n} parameters (0 to {n - 1})")
            entries[index] = entry
        absent = [i for i, entry in enumerate(entries) if entry is None]
        if absent:
            raise ValueError(f"{where}: the state has entries for {n - len(absent)} of the "
                             f"{n} parameters (none for parameter {absent[0]}); it was "
                             f"saved for other parameters")
        keys = self._state_keys(settings)
        steps = None
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise ValueError(f"{where}: state[{i}] must be a mapping, got "
                                 f"{_describe(entry)}")
            _exact_keys(where, f"state[{i}]", entry, ["step"] + keys)
            step = loaded_number(where, f"state[{i}]['step']", entry["step"], integer=True)
            if step < 1:
                raise ValueError(f"{where}: state[{i}]['step'] must be an int >= 1, got "
                                 f"{_describe(step)}")
            if steps is None:
                steps = step
            elif step != steps:
                raise ValueError(f"{where}: state[{i}]['step'] is {step} but state[0]['step'] "
                                 f"is {steps}; every parameter steps together here")
            for key in keys:
                number = loaded_number(where, f"state[{i}][{key!r}]", entry[key])
                if number < 0 and key in self._squares:
                    raise ValueError(f"{where}: state[{i}][{key!r}] must be >= 0 (a running "
                                     f"mean of squared gradients), got {number!r}; the "
                                     f"state is corrupt")
                columns[key][i] = number
        return {"steps": steps, **columns}

    def _apply_state(self, values: Mapping[str, Any]) -> None:
        """Set what :meth:`_checked_state` returned; cannot fail."""
        for name, value in values.items():
            if name in self._buffers:
                self._arrays[name] = None if value[0] is None else np.array(value, np.float64)
            else:
                setattr(self, name, value)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        n = len(self.params)
        return f"{type(self).__name__}({n} parameter{'' if n == 1 else 's'}, {settings})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's rule).

    With g = grad + weight_decay * p:

    * momentum: buf = g on the first step, then buf = momentum * buf +
      (1 - dampening) * g; the step direction is buf, or g + momentum * buf
      with ``nesterov``.
    * p = p - lr * direction.

    (Some texts write v = beta v + (1 - beta) g, or fold lr into v; PyTorch's
    rule, used here, is v = beta v + g.)

    Args:
        params: the Values to optimize.
        lr: learning rate > 0 (default 1e-3, PyTorch's).
        momentum: >= 0 (0: plain gradient descent).
        dampening: in [0, 1]; scales the gradient added to the buffer.
        weight_decay: >= 0, L2 penalty added to the gradient.
        nesterov: Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: ascend instead of descend.

    Attributes:
        momentum_buffer: per parameter, the velocity (None before the first
            step), as a list (a copy of the state).

    Example:
        >>> from autograd_lite import Value
        >>> w = [Value(0.0), Value(0.0)]
        >>> opt = SGD(w, lr=0.1, momentum=0.9)
        >>> for g in ([1.0, -0.5], [0.2, 2.0]):
        ...     w[0].grad, w[1].grad = g
        ...     opt.step()
        >>> [round(v, 12) for v in opt.momentum_buffer]     # 0.9 v + g
        [1.1, 1.55]
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False):
        super().__init__(params, lr)
        self.momentum = non_negative("SGD", "momentum", momentum)
        self.dampening = finite_number("SGD", "dampening", dampening)
        if not 0.0 <= self.dampening <= 1.0:
            raise ValueError(f"SGD: dampening must be in [0, 1], got {dampening!r}")
        self.weight_decay = non_negative("SGD", "weight_decay", weight_decay)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening 0, "
                             f"got momentum={momentum!r}, dampening={dampening!r}")
        self.nesterov = bool(nesterov)
        self.maximize = bool(maximize)

    _buffers = {"momentum_buffer": None}
    _settings = ("momentum", "dampening", "weight_decay", "nesterov", "maximize")
    momentum_buffer = _Buffer()

    def _state_keys(self, settings: Mapping[str, Any]) -> List[str]:
        return ["momentum_buffer"] if settings["momentum"] else []

    def step(self) -> None:
        """One update of every parameter (torch.optim.SGD's single-tensor rule)."""
        self._step_arrays()

    def _update(self, data: np.ndarray, grads: np.ndarray, t: int
                ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        lr, wd, mu = self.lr, self.weight_decay, self.momentum
        g = grads
        if not mu:
            if not wd:
                return data - lr * g, {}
            return data - lr * (g + wd * data), {}
        if wd:
            g = g + wd * data
        buf = self._arrays["momentum_buffer"]
        buf = g if buf is None else buf * mu + (1.0 - self.dampening) * g
        direction = g + mu * buf if self.nesterov else buf
        return data - lr * direction, {"momentum_buffer": buf}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), PyTorch's rule and defaults.

    With g = grad (+ weight_decay * p, L2 as in PyTorch's Adam), t the step:

    * m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2
    * p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    (the bias corrections m-hat = m / (1 - beta1^t), v-hat = v / (1 - beta2^t)
    folded in where PyTorch folds them, so rounding matches torch.)

    Args:
        params: the Values to optimize.
        lr: learning rate > 0 (default 1e-3).
        betas: decay rates (beta1, beta2), each in [0, 1) (default (0.9, 0.999)).
        eps: >= 0, added to the denominator (default 1e-8).
        weight_decay: >= 0, L2 penalty added to the gradient (for the
            decoupled form use :class:`AdamW`).
        amsgrad: use the running maximum of v (Reddi et al., 2018).
        maximize: ascend instead of descend.

    Attributes:
        exp_avg, exp_avg_sq: per parameter, m and v, as lists (copies of the
            state); max_exp_avg_sq, v's running maximum (amsgrad).

    Example:
        >>> from autograd_lite import Value
        >>> w = Value(1.0); opt = Adam([w], lr=0.1)
        >>> w.grad = 5.0; opt.step(); round(w.data, 9)    # first step: lr * sign(g)
        0.9
    """

    _decoupled = False

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr)
        where = type(self).__name__
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got "
                             f"{betas!r}") from None
        self.betas = (_unit_interval(where, "betas[0]", beta1),
                      _unit_interval(where, "betas[1]", beta2))
        self.eps = non_negative(where, "eps", eps)
        self.weight_decay = non_negative(where, "weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)
        self.maximize = bool(maximize)

    _buffers = {"exp_avg": 0.0, "exp_avg_sq": 0.0, "max_exp_avg_sq": 0.0}
    _settings = ("betas", "eps", "weight_decay", "amsgrad", "maximize")
    _squares = ("exp_avg_sq", "max_exp_avg_sq")
    exp_avg = _Buffer()
    exp_avg_sq = _Buffer()
    max_exp_avg_sq = _Buffer()

    def _state_keys(self, settings: Mapping[str, Any]) -> List[str]:
        return ["exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if settings["amsgrad"] else [])

    def _group(self) -> Dict[str, Any]:
        # torch's name for what tells AdamW from Adam
        return {**super()._group(), "decoupled_weight_decay": self._decoupled}

    def _checked_settings(self, where: str, group: Mapping[str, Any]) -> Dict[str, Any]:
        if group["decoupled_weight_decay"] is not self._decoupled:
            saved = "AdamW" if group["decoupled_weight_decay"] is True else "Adam"
            raise ValueError(f"{where}: the state was saved from {saved} "
                             f"(decoupled_weight_decay={group['decoupled_weight_decay']!r}), "
                             f"this is {type(self).__name__}; build an {saved}")
        return super()._checked_settings(where, group)

    def step(self) -> None:
        """One update of every parameter (torch.optim.Adam's single-tensor rule)."""
        self._step_arrays()

    def _update(self, data: np.ndarray, grads: np.ndarray, t: int
                ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        beta1, beta2 = self.betas
        step_size = lr / (1 - beta1 ** t)
        bias_correction2_sqrt = (1 - beta2 ** t) ** 0.5
        p, g = data, grads
        if wd and self._decoupled:
            p = p * (1 - lr * wd)                  # AdamW: shrink p first
        elif wd:
            g = g + wd * p                         # Adam: L2 term in the gradient
        m = _lerp(self._arrays["exp_avg"], g, 1 - beta1)
        v = self._arrays["exp_avg_sq"] * beta2 + (1 - beta2) * g * g
        buffers = {"exp_avg": m, "exp_avg_sq": v}
        if self.amsgrad:
            v = buffers["max_exp_avg_sq"] = np.maximum(self._arrays["max_exp_avg_sq"], v)
        p = p + (-step_size) * (m / (np.sqrt(v) / bias_correction2_sqrt + eps))
        return p, buffers


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """start + weight (end - start), evaluated as torch.lerp does: from the
    nearer end, so a weight near 1 loses no precision."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Before the Adam update, p = p * (1 - lr * weight_decay): the decay is not
    part of the gradient, so it is not rescaled by the adaptive denominator.
    PyTorch's defaults, including weight_decay=1e-2.

    Args:
        params, lr, betas, eps, amsgrad, maximize: as :class:`Adam`.
        weight_decay: >= 0 (default 1e-2).

    Example:
        >>> from autograd_lite import Value
        >>> w = Value(1.0); opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = 0.0; opt.step(); w.data                # 1 * (1 - 0.05)
        0.95
    """

    _decoupled = True

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), PyTorch's rule and defaults.

    With g = grad (+ weight_decay * p):

    * s = alpha s + (1 - alpha) g^2   (running mean of squared gradients)
    * centered: also a = lerp(a, g, 1 - alpha), and s - a^2 replaces s
    * d = sqrt(s) + eps
    * momentum > 0: buf = momentum buf + g / d, p = p - lr buf;
      otherwise p = p - lr g / d

    Args:
        params: the Values to optimize.
        lr: learning rate > 0 (default 1e-2).
        alpha: smoothing constant in [0, 1) (default 0.99).
        eps: >= 0 (default 1e-8).
        weight_decay: >= 0.
        momentum: >= 0.
        centered: normalize by an estimate of the gradient's variance.
        maximize: ascend instead of descend.

    Example:
        >>> from autograd_lite import Value
        >>> w = Value(1.0); opt = RMSprop([w], lr=0.01, alpha=0.75, eps=0.0)
        >>> w.grad = 2.0; opt.step(); round(w.data, 12)     # 1 - 0.01 * 2 / sqrt(0.25 * 4)
        0.98
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False):
        super().__init__(params, lr)
        self.alpha = _unit_interval("RMSprop", "alpha", alpha)
        self.eps = non_negative("RMSprop", "eps", eps)
        self.weight_decay = non_negative("RMSprop", "weight_decay", weight_decay)
        self.momentum = non_negative("RMSprop", "momentum", momentum)
        self.centered = bool(centered)
        self.maximize = bool(maximize)

    _buffers = {"square_avg": 0.0, "grad_avg": 0.0, "momentum_buffer": 0.0}
    _settings = ("alpha", "eps", "weight_decay", "momentum", "centered", "maximize")
    _squares = ("square_avg",)
    square_avg = _Buffer()
    grad_avg = _Buffer()
    momentum_buffer = _Buffer()

    def _state_keys(self, settings: Mapping[str, Any]) -> List[str]:
        return (["square_avg"] + (["momentum_buffer"] if settings["momentum"] else [])
                + (["grad_avg"] if settings["centered"] else []))

    def step(self) -> None:
        """One update of every parameter (torch.optim.RMSprop's single-tensor rule)."""
        self._step_arrays()

    def _update(self, data: np.ndarray, grads: np.ndarray, t: int
                ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        lr, alpha, eps, wd, mu = self.lr, self.alpha, self.eps, self.weight_decay, self.momentum
        w = 1 - alpha
        g = grads
        if wd:
            g = g + wd * data
        sq = self._arrays["square_avg"] * alpha + w * g * g
        buffers = {"square_avg": sq}
        if self.centered:
            ga = buffers["grad_avg"] = _lerp(self._arrays["grad_avg"], g, w)
            # s - a^2 >= 0 in exact arithmetic; rounding can dip below 0
            avg = np.sqrt(np.maximum(sq + (-ga) * ga, 0.0)) + eps
        else:
            avg = np.sqrt(sq) + eps
        if mu:
            buf = buffers["momentum_buffer"] = self._arrays["momentum_buffer"] * mu + g / avg
            return data + (-lr) * buf, buffers
        return data + (-lr) * (g / avg), buffers
