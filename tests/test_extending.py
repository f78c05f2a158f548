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
