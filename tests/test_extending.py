"""Extending s2s: primitives with user rules (inlined into the generated code, in both
modes, and through higher orders) and stopped gradients."""
import numpy as np
import pytest
from conftest import numeric_grad

import s2s


@s2s.primitive
def softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


@s2s.adjoint(softplus)
def softplus_adjoint(result, x):
    d[x] = d[result] / (1.0 + np.exp(-x))  # noqa: F821 - template syntax


@s2s.tangent(softplus)
def softplus_tangent(result, x):
    d[result] = d[x] / (1.0 + np.exp(-x))  # noqa: F821


def uses_softplus(x):
    return np.sum(softplus(2.0 * x) ** 2)


@s2s.primitive
def without_rules(x):
    return x * 2.0


def uses_without_rules(x):
    return without_rules(x) + x


def straight_through(x):
    return np.sum(x + s2s.stop_gradient(np.round(x) - x))


def detached_target(w, x):
    target = s2s.stop_gradient(np.tanh(w * x))
    return np.sum((w * x - target) ** 2)


def test_primitive_with_user_rules_in_both_modes(rng):
    x = rng.randn(5)
    np.testing.assert_allclose(s2s.grad(uses_softplus)(x), numeric_grad(uses_softplus, [x]), rtol=1e-6)
    t = rng.randn(5)
    np.testing.assert_allclose(s2s.jvp(uses_softplus)(x, t)[1], numeric_grad(uses_softplus, [x]) @ t, rtol=1e-6)
    assert "np.exp(-" in s2s.source(s2s.grad(uses_softplus))  # the rule text is inlined


def test_primitive_rules_compose_to_second_order(rng):
    x = rng.randn(3)
    v = rng.randn(3)
    g = s2s.grad(uses_softplus)
    expected = (g(x + 1e-6 * v) - g(x - 1e-6 * v)) / 2e-6
    np.testing.assert_allclose(s2s.hvp(uses_softplus)(x, v), expected, rtol=1e-5, atol=1e-7)


def test_primitive_without_rules_is_an_error():
    with pytest.raises(s2s.TransformError, match="no derivative rule for .*without_rules"):
        s2s.grad(uses_without_rules)(1.0)


def test_stop_gradient(rng):
    x = rng.randn(4)
    np.testing.assert_allclose(s2s.grad(straight_through)(x), np.ones(4))
    w, xs = 0.7, rng.randn(4)
    expected = np.sum(2 * (w * xs - np.tanh(w * xs)) * xs)  # the target held constant
    assert s2s.grad(detached_target)(w, xs) == pytest.approx(expected)


# --------------------------------------------------------------------------- checkpoint


def block(x):
    for _ in range(8):
        x = np.sin(x) * 1.1
    return x


def with_checkpoint(x):
    y = s2s.checkpoint(block)(x)
    return np.sum(block(y) ** 2)


def without_checkpoint(x):
    return np.sum(block(block(x)) ** 2)


def test_checkpoint_recomputes_instead_of_recording(rng):
    x = rng.randn(6)
    np.testing.assert_allclose(s2s.grad(with_checkpoint)(x), numeric_grad(with_checkpoint, [x]), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(with_checkpoint)(x), s2s.grad(without_checkpoint)(x), rtol=1e-12)
    np.testing.assert_allclose(s2s.hvp(with_checkpoint)(x, x), s2s.hvp(without_checkpoint)(x, x), rtol=1e-10)
    source = s2s.source(s2s.grad(with_checkpoint))
    forward_sweep = source.split("def dwith_checkpoint")[1].split("ones_like_output(")[0]
    assert "s2s.checkpoint(block)(x)" in forward_sweep  # no tape kept for the checkpointed call
    assert "_recomputed" in source  # its forward sweep runs again in the backward sweep


# --------------------------------------------------------------------------- fixed points


def newton_sqrt(a, x):
    return 0.5 * (x + a / x)


def sqrt_by_fixed_point(a):
    return s2s.fixed_point(newton_sqrt, a, 1.0, tol=1e-14, max_iter=100)


def contraction(a, x):
    return 0.5 * np.tanh(x) + a


def vector_fixed_point(a):
    return np.sum(s2s.fixed_point(contraction, a, np.zeros(3), tol=1e-13, max_iter=500) ** 2)


def test_fixed_point_by_the_implicit_function_theorem(rng):
    assert sqrt_by_fixed_point(2.0) == pytest.approx(np.sqrt(2.0))
    assert s2s.grad(sqrt_by_fixed_point)(2.0) == pytest.approx(0.5 / np.sqrt(2.0), rel=1e-10)
    assert s2s.jvp(sqrt_by_fixed_point)(2.0, 3.0)[1] == pytest.approx(1.5 / np.sqrt(2.0), rel=1e-10)
    a = rng.randn(3) * 0.3
    np.testing.assert_allclose(s2s.grad(vector_fixed_point)(a), numeric_grad(vector_fixed_point, [a]), rtol=1e-6)


# --------------------------------------------------------------------------- gradient hooks


def clipped(h, W):
    for _ in range(10):
        with s2s.insert_grad_of(h) as dh:
            dh = np.clip(dh, -0.1, 0.1)
        h = np.tanh(np.dot(W, h))
    return np.sum(h)


def doubled(x):
    y = np.sin(x)
    with s2s.insert_grad_of(y) as dy:
        dy = dy * 2.0
    return np.sum(y * y)


def bad_hook(x):
    with s2s.insert_grad_of(x * 2.0) as dx:
        dx = dx * 0.5
    return x


def test_gradient_hooks_change_the_backward_sweep(rng):
    h, W = rng.randn(3), rng.randn(3, 3) * 3
    assert np.all(np.abs(s2s.grad(clipped)(h, W)) <= 0.1 + 1e-12)
    assert clipped(h, W) == pytest.approx(np.sum(_plain_rnn(h, W)))  # a plain run is unchanged
    x = rng.randn(4)
    np.testing.assert_allclose(s2s.grad(doubled)(x), 2.0 * (2.0 * np.sin(x) * np.cos(x)))


def _plain_rnn(h, W):
    for _ in range(10):
        h = np.tanh(np.dot(W, h))
    return h


def draws_in_its_hook(x):
    y = np.sin(x)
    with s2s.insert_grad_of(y) as dy:
        draw = np.random.rand()  # noqa: F841 - read by nothing, but it moves the generator
        dy = dy * 2.0
    return np.sum(y * y)


def test_a_hook_draws_as_often_as_the_backward_sweep_runs():
    # a dead store in the backward sweep goes where pure (passes/deadcode.py): a random
    # draw is not, in the gradient nor in the HVP (which drops the gradient's dead stores)
    x, v = np.linspace(0.1, 0.9, 3), np.array([1.0, -2.0, 0.5])
    np.random.seed(0)
    expected = (np.random.rand(), np.random.rand())[1]
    for derivative in (lambda: s2s.grad(draws_in_its_hook)(x), lambda: s2s.hvp(draws_in_its_hook)(x, v)):
        np.random.seed(0)
        derivative()
        assert np.random.rand() == expected
    np.testing.assert_allclose(s2s.grad(draws_in_its_hook)(x), 4.0 * np.sin(x) * np.cos(x))


def test_malformed_gradient_hook_is_reported():
    with pytest.raises(s2s.TransformError, match="insert_grad_of"):
        s2s.grad(bad_hook)(1.0)
