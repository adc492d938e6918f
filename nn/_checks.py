"""Argument checks that several nn modules make, written once."""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Collection, List, Sequence, Tuple, Type, Union

from autograd_lite import Value
from autograd_lite import is_real_number

from ._activations import ACTIVATIONS

__all__ = ["positive_int", "finite_number", "non_negative", "value_list", "check_keys",
           "some_keys",
           "loaded_number", "loaded_bool", "activation_name"]


def _prefix(where: str) -> str:
    # No prefix for a check whose caller names the context itself (a file's
    # architecture record: "... records an invalid architecture: nin must be").
    return f"{where}: " if where else ""


def positive_int(where: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1, or a ValueError naming the function and the argument.

    Args:
        where: the function or class checking, e.g. "Layer" ("" for none: the
            caller's message names the context).
        name: the argument, e.g. "nout".
        value: what was passed.

    Returns:
        ``int(value)``.

    Example:
        >>> positive_int("Layer", "nout", 3)
        3
        >>> positive_int("Layer", "nout", 0)
        Traceback (most recent call last):
        ...
        ValueError: Layer: nout must be a positive int, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{_prefix(where)}{name} must be a positive int, got {value!r:.80}")
    return int(value)


def finite_number(where: str, name: str, value: Any) -> float:
    """``value`` as a finite float: a TypeError if it is not a real number (a
    bool is not), a ValueError if it is nan or infinite.

    Args:
        where: the function or class checking, e.g. "SGD".
        name: the argument, e.g. "dampening".
        value: what was passed.

    Returns:
        ``float(value)``.

    Example:
        >>> finite_number("SGD", "dampening", 1)
        1.0
        >>> finite_number("StepLR", "gamma", "0.5")
        Traceback (most recent call last):
        ...
        TypeError: StepLR: gamma must be a number, got str '0.5'
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_prefix(where)}{name} must be a number, got "
                        f"{type(value).__name__} {value!r:.80}")
    return _finite_float(where, name, value)


def _finite_float(where: str, name: str, value: Any) -> float:
    """``float(value)`` of a real number, or a ValueError if it is nan,
    infinite, or an int too large for a float (float() would raise a bare
    OverflowError)."""
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{_prefix(where)}{name} must be finite, got {type(value).__name__} "
                         f"too large for a float (beyond 1.8e308)") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{_prefix(where)}{name} must be finite, got {number!r}")
    return number


def non_negative(where: str, name: str, value: Any, hint: str = "") -> float:
    """``value`` as a finite float >= 0 (see :func:`finite_number`), or an
    error naming the function and the argument, ending with ``hint``.

    Example:
        >>> non_negative("SGD", "momentum", 0.9)
        0.9
        >>> non_negative("StepLR", "gamma", -0.5, hint="the lr would be negative")
        Traceback (most recent call last):
        ...
        ValueError: StepLR: gamma must be >= 0, got -0.5; the lr would be negative
    """
    value = finite_number(where, name, value)
    if value < 0:
        raise ValueError(f"{_prefix(where)}{name} must be >= 0, got {value!r}"
                         + (f"; {hint}" if hint else ""))
    return value


def value_list(where: str, name: str, values: Any) -> List[Value]:
    """``values`` as a new list of Values, or a TypeError naming the first that is not one.

    Args:
        where: the function or class checking, e.g. "SGD".
        name: the argument, e.g. "params".
        values: an iterable of Values, such as ``model.parameters()``.

    Returns:
        The Values, in order (possibly none).

    Example:
        >>> len(value_list("SGD", "params", (Value(1.0), Value(2.0))))
        2
        >>> value_list("SGD", "params", [Value(1.0), 2.0])
        Traceback (most recent call last):
        ...
        TypeError: SGD: params[1] must be a Value, got float; pass model.parameters()
    """
    try:
        values = list(values)
    except TypeError:
        raise TypeError(f"{where}: {name} must be an iterable of Values (e.g. "
                        f"model.parameters()), got {type(values).__name__}") from None
    if not set(map(type, values)) <= {Value}:     # in C: cheap on every step
        for i, v in enumerate(values):
            if type(v) is not Value:
                raise TypeError(f"{where}: {name}[{i}] must be a Value, got "
                                f"{type(v).__name__}; pass model.parameters()")
    return values


def check_keys(given: Collection[Any], expected: Collection[Any],
               message: Callable[[List[Any], List[Any]], str], *,
               optional: Collection[Any] = (), error: Type[Exception] = ValueError,
               strict: bool = True) -> Tuple[List[Any], List[Any]]:
    """Compare the keys of a loaded state with those expected; raise
    ``error(message(missing, unexpected))`` if they differ (and ``strict``).

    Each place that loads a state words its own message (a module's names, an
    optimizer's settings, a scheduler's attributes); the comparison is this one.

    Args:
        given: the keys found, e.g. the state dict (tested with ``in``: for
            many keys pass a mapping or a set).
        expected: the keys wanted, in the order to report them.
        message: builds the error's text from the missing and unexpected keys.
        optional: keys that may be absent, and are not unexpected when present.
        error: the exception class to raise.
        strict: False returns the differences without raising.

    Returns:
        ``(missing, unexpected)``: the expected keys not given, in the order of
        ``expected``, and the given keys not expected, in the order of ``given``.

    Example:
        >>> check_keys({"a": 1, "c": 3}, ["a", "b"], lambda m, u: f"missing {m}, extra {u}")
        Traceback (most recent call last):
        ...
        ValueError: missing ['b'], extra ['c']
        >>> check_keys({"a": 1}, ["a", "b"], str, optional={"b"})
        ([], [])
    """
    missing = [key for key in expected if key not in given and key not in optional]
    unexpected = [key for key in given if key not in expected and key not in optional]
    if strict and (missing or unexpected):
        raise error(message(missing, unexpected))
    return missing, unexpected


def some_keys(keys: Sequence[Any], limit: int = 6) -> str:
    """The first ``limit`` of ``keys`` as a list's text, each cut to 60
    characters, with ", ..." if there are more: the keys of a loaded state
    that differ, for a message (they may be many, or long).

    Example:
        >>> some_keys(["momentum", "nesterov", 3], limit=2)
        "['momentum', 'nesterov', ...]"
        >>> some_keys(["x" * 100]) == "[" + repr("x" * 100)[:57] + "...]"
        True
    """
    shown = [text if len(text) <= 60 else text[:57] + "..."
             for text in map(repr, keys[:limit])]
    return f"[{', '.join(shown)}{', ...' if len(keys) > limit else ''}]"


def _is_bool(value: Any) -> bool:
    # Python's bool and numpy's (np.True_, an array of dtype bool).
    return isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b"


def loaded_number(where: str, key: str, value: Any, *,
                  integer: bool = False) -> Union[int, float]:
    """An entry of a loaded state (a state dict, or what a JSON or safetensors
    file gave) as a finite float, or an int with ``integer``; a ValueError
    naming the call and the key if it is not one (a state that does not fit,
    as every other mismatch of a loaded state).

    What a loaded number may be, for the modules', optimizers' and
    schedulers' states alike:

    * an int or a float, as JSON gives them, or a numpy scalar of those kinds
      (np.float32, np.int64, ...) or a 0-d array, as safetensors and numpy
      give them (any real number: :func:`autograd_lite.is_real_number`);
    * not a bool, Python's or numpy's: True is 1 to Python, but no weight,
      buffer or epoch is saved as a bool, so one is a state from elsewhere;
    * finite: checkpoints hold finite numbers only, and a nan or inf weight or
      buffer is a diverged run that would only spread nan (an int too large
      for a float is refused too);
    * with ``integer`` (a step count, an epoch), an int or a numpy integer: a
      float such as 2.0 is refused, as the constructor refuses it.

    Args:
        where: the call loading, e.g. "Adam.load_state_dict".
        key: the entry as the message names it, e.g. "state[0]['exp_avg']".
        value: what was loaded.
        integer: ask for an int instead of a float.

    Returns:
        ``float(value)``, or ``int(value)`` with ``integer``.

    Example:
        >>> loaded_number("StepLR.load_state_dict", "gamma", 1)
        1.0
        >>> loaded_number("load_state_dict", "'b'", True)
        Traceback (most recent call last):
        ...
        ValueError: load_state_dict: 'b' must be a number, got bool True
        >>> loaded_number("StepLR.load_state_dict", "last_epoch", 2.0, integer=True)
        Traceback (most recent call last):
        ...
        ValueError: StepLR.load_state_dict: last_epoch must be an int, got float 2.0
    """
    if not is_real_number(value) or _is_bool(value):
        hint = "; use .data for a Value's number" if type(value) is Value else ""
        raise ValueError(f"{_prefix(where)}{key} must be {'an int' if integer else 'a number'}, "
                         f"got {type(value).__name__} {value!r:.80}{hint}")
    if not integer:
        return _finite_float(where, key, value)
    if not (isinstance(value, numbers.Integral)
            or getattr(getattr(value, "dtype", None), "kind", "") in ("i", "u")):
        raise ValueError(f"{_prefix(where)}{key} must be an int, got "
                         f"{type(value).__name__} {value!r:.80}")
    return int(value)


def loaded_bool(where: str, key: str, value: Any) -> bool:
    """A True/False setting of a loaded state (``nesterov``, ``amsgrad``, a
    scheduler subclass's flag), or a ValueError naming the call and the key.

    Only Python's True and False, what JSON gives and what the constructors
    store: 1, "yes" or None is a state from elsewhere.

    Example:
        >>> loaded_bool("Adam.load_state_dict", "amsgrad", False)
        False
        >>> loaded_bool("Adam.load_state_dict", "amsgrad", "yes")
        Traceback (most recent call last):
        ...
        ValueError: Adam.load_state_dict: amsgrad must be True or False, got str 'yes'
    """
    if not isinstance(value, bool):
        raise ValueError(f"{_prefix(where)}{key} must be True or False, got "
                         f"{type(value).__name__} {value!r:.80}")
    return value


def activation_name(where: str, name: str, value: Any) -> str:
    """``value`` if it names an activation (a key of ``ACTIVATIONS``, the
    table the neurons apply), or a ValueError listing them.

    Args:
        where: the function or class checking, e.g. "MLP" ("" for none: the
            caller's message names the context).
        name: the argument, e.g. "output_activation".
        value: what was passed or read.

    Example:
        >>> activation_name("MLP", "activation", "tanh")
        'tanh'
        >>> activation_name("MLP", "activation", "swish")     # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: MLP: activation must be one of ['relu', 'tanh', ..., 'linear'], got 'swish'
    """
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise ValueError(f"{_prefix(where)}{name} must be one of {list(ACTIVATIONS)}, "
                         f"got {value!r:.80}")
    return value
