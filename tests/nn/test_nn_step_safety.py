"""A step never half-happens, and a loaded optimizer state holds what the
optimizer needs: refusals name the file and the entry, and change nothing."""

import json

import numpy as np
import pytest

import nn
from autograd_lite import DomainError, FloatOverflowError, Value

OPTIMIZERS = {
    "SGD": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": lambda ps: nn.Adam(ps, lr=0.1, amsgrad=True, weight_decay=0.01),
    "AdamW": lambda ps: nn.AdamW(ps, lr=0.1),
    "RMSprop": lambda ps: nn.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
}


def trained(name, n=4, steps=2):
    """An optimizer after ``steps`` steps, with gradients set for the next."""
    params = [Value(0.5 * (i + 1)) for i in range(n)]
    opt = OPTIMIZERS[name](params)
    for step in range(steps + 1):
        for i, p in enumerate(params):
            p.grad = (-1.0) ** (i + step) * (i + 1.5)
        if step < steps:
            opt.step()
    return opt


def snapshot(opt):
    return ([p.data for p in opt.params], [p.grad for p in opt.params],
            json.dumps(opt.state_dict(), sort_keys=True), opt.steps)


# ---- a step that fails changes nothing -------------------------------------------

@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_gradient_that_is_not_a_number_fails_the_step_before_anything_changes(name):
    opt = trained(name)
    opt.params[-1].grad = None
    before = snapshot(opt)
    with pytest.raises(TypeError, match=rf"{name}\.step: the grad of Value 3 must be a number"):
        opt.step()
    assert snapshot(opt) == before


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("attribute, what, number", [("grad", "gradient", float("nan")),
                                                     ("grad", "gradient", float("inf")),
                                                     ("data", "value", float("-inf"))])
def test_a_gradient_or_parameter_that_is_not_finite_fails_the_step_naming_it(
        name, attribute, what, number):
    opt = trained(name)
    setattr(opt.params[2], attribute, number)
    before = snapshot(opt)
    with pytest.raises(DomainError, match=rf"{name}\.step: the {what} of parameter 2 is "
                                          rf"{number}; nothing was changed"):
        opt.step()
    assert json.dumps(snapshot(opt)) == json.dumps(before)      # nan == nan as text


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_step_that_would_overflow_is_refused_and_changes_nothing(name):
    opt = trained(name)
    opt.params[1].data = 1e308
    opt.params[1].grad = 1e308
    opt.lr = 1e300
    before = snapshot(opt)
    with pytest.raises(FloatOverflowError, match=rf"{name}\.step: the step would make "
                                                 r"parameter 1's \w+ (inf|-inf|nan) "):
        opt.step()
    assert snapshot(opt) == before


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_failure_inside_the_arithmetic_changes_nothing(name, monkeypatch):
    opt = trained(name)
    before = snapshot(opt)

    def broken(*args, **kwargs):
        raise MemoryError("forced")
    monkeypatch.setattr(np, "sqrt" if name != "SGD" else "isfinite", broken)
    with pytest.raises(MemoryError, match="forced"):
        opt.step()
    monkeypatch.undo()
    assert snapshot(opt) == before


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_failure_halfway_through_writing_the_parameters_puts_back_every_one(
        name, monkeypatch):
    opt = trained(name)
    before = snapshot(opt)
    real = nn.optim.write_data
    calls = []

    def half_then_fail(values, array, *, where):
        calls.append(where)
        if len(calls) == 1:                 # the step's write: half of it, then fail
            for v, x in zip(values[:2], array[:2].tolist()):
                v.data = x
            raise KeyboardInterrupt
        real(values, array, where=where)    # the undo
    monkeypatch.setattr(nn.optim, "write_data", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    assert calls == [f"{name}.step"] * 2
    assert snapshot(opt) == before


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_after_a_refused_step_training_goes_on_exactly_as_if_it_had_not_been_tried(name):
    tried, untouched = trained(name), trained(name)
    grads = [p.grad for p in tried.params]
    tried.params[0].grad = float("inf")
    with pytest.raises(DomainError):
        tried.step()
    for p, g in zip(tried.params, grads):
        p.grad = g
    tried.step()
    untouched.step()
    assert snapshot(tried) == snapshot(untouched)


def test_the_buffers_shown_are_copies_that_do_not_change_the_state():
    opt = trained("Adam")
    shown = opt.exp_avg
    shown[0] = 123.0
    assert opt.exp_avg[0] != 123.0 and type(opt.exp_avg) is list
    with pytest.raises(AttributeError, match="read-only .*load_state_dict"):
        opt.exp_avg = [0.0] * 4


def test_sgd_shows_no_momentum_buffer_until_the_first_step():
    opt = nn.SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9)
    assert opt.momentum_buffer == [None, None]
    for p in opt.params:
        p.grad = 1.0
    opt.step()
    assert opt.momentum_buffer == [1.0, 1.0]


# ---- a loaded state holds what the optimizer needs -------------------------------

def saved(tmp_path, name, steps=2):
    model = nn.MLP(2, [2, 1], seed=0)
    opt = OPTIMIZERS[name](model.parameters())
    for _ in range(steps):
        opt.zero_grad()
        model([0.5, -1.0]).backward()
        opt.step()
    path = tmp_path / "run.json"
    nn.save_checkpoint(model, path, optimizer=opt)
    return path


def corrupted(path, index, key, value):
    document = json.loads(path.read_text())
    document["optimizer"]["state_dict"]["state"][str(index)][key] = value
    path.write_text(json.dumps(document))


def fresh(name):
    model = nn.MLP(2, [2, 1], seed=1)
    opt = OPTIMIZERS[name](model.parameters())
    return model, opt


@pytest.mark.parametrize("name, key, value, message", [
    ("Adam", "exp_avg_sq", -0.5, r"\['exp_avg_sq'\] must be >= 0 .*got -0.5"),
    ("Adam", "max_exp_avg_sq", -1e-300, r"\['max_exp_avg_sq'\] must be >= 0"),
    ("AdamW", "exp_avg_sq", -2.0, r"\['exp_avg_sq'\] must be >= 0"),
    ("RMSprop", "square_avg", -0.25, r"\['square_avg'\] must be >= 0"),
    ("Adam", "exp_avg_sq", [0.1, 0.2], r"\['exp_avg_sq'\] must be a number, got list"),
    ("Adam", "exp_avg_sq", {"0": 0.1}, r"\['exp_avg_sq'\] must be a number, got dict"),
    ("Adam", "exp_avg_sq", "0.1", r"\['exp_avg_sq'\] must be a number, got str"),
    ("Adam", "exp_avg_sq", None, r"\['exp_avg_sq'\] must be a number, got NoneType"),
    ("SGD", "momentum_buffer", [1.0], r"\['momentum_buffer'\] must be a number, got list"),
])
def test_a_checkpoint_with_a_buffer_the_optimizer_cannot_use_is_refused_naming_file_and_entry(
        tmp_path, name, key, value, message):
    path = saved(tmp_path, name)
    corrupted(path, 3, key, value)
    model, opt = fresh(name)
    before = model.state_dict(), snapshot(opt)
    with pytest.raises(ValueError, match=r"checkpoint '.*run\.json'.*state\[3\]" + message):
        nn.load_checkpoint(model, path, optimizer=opt)
    assert (model.state_dict(), snapshot(opt)) == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_buffer_in_a_checkpoint_is_refused_naming_the_file_and_the_entry(
        tmp_path, constant):
    path = saved(tmp_path, "Adam")
    corrupted(path, 5, "exp_avg_sq", 12345.5)
    path.write_text(path.read_text().replace("12345.5", constant))
    model, opt = fresh("Adam")
    before = model.state_dict(), snapshot(opt)
    with pytest.raises(ValueError, match=r"checkpoint '.*run\.json': "
                                         r"optimizer\.state_dict\.state\.5\.exp_avg_sq holds "):
        nn.load_checkpoint(model, path, optimizer=opt)
    assert (model.state_dict(), snapshot(opt)) == before


def test_a_loaded_adam_state_steps_as_the_saved_one_does_to_the_last_bit(tmp_path):
    path = saved(tmp_path, "Adam")
    model, opt = fresh("Adam")
    nn.load_checkpoint(model, path, optimizer=opt)
    again, opt_again = fresh("Adam")
    nn.load_checkpoint(again, path, optimizer=opt_again)
    for m, o in ((model, opt), (again, opt_again)):
        o.zero_grad()
        m([0.25, 2.0]).backward()
        o.step()
    assert model.state_dict() == again.state_dict()
    assert opt.state_dict() == opt_again.state_dict()


# ---- zero_grad ------------------------------------------------------------------

def test_module_zero_grad_zeroes_a_shared_parameter_and_every_other_one():
    class Tied(nn.Module):
        def __init__(self):
            self.first = nn.Neuron(3, seed=0)
            self.second = nn.Neuron(3, seed=1)
            self.second.b = self.first.b             # shared: listed once by parameters()

        def __call__(self, x):
            return self.first(x) + self.second(x)
    model = Tied()
    model([1.0, 2.0, 3.0]).backward()
    assert len(model.parameters()) == 7
    assert all(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert [p.grad for p in model.parameters()] == [0.0] * 7


def test_optimizer_zero_grad_zeroes_every_parameter_of_a_large_model():
    model = nn.MLP(784, [8, 10], seed=0)
    opt = nn.Adam(model.parameters())
    for i, p in enumerate(opt.params):
        p.grad = float(i)
    opt.zero_grad()
    assert set(p.grad for p in model.parameters()) == {0.0}
