"""Forward mode and derivatives of derivatives. Every value is checked against central
differences or a hand-derived formula."""
import math

import numpy as np
import pytest
from conftest import numeric_grad
from test_templates import CASES

import s2s


def directional(f, args, i, t, eps=1e-6):
    """Central difference of f along tangent t of argument i."""
    plus, minus = list(args), list(args)
    plus[i] = args[i] + eps * t
    minus[i] = args[i] - eps * t
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps)


def _cases():
    for f, args, wrt in CASES:
        for i in (wrt if isinstance(wrt, tuple) else (wrt,)):
            yield pytest.param(f, args, i, id=f"{f.__name__}-{i}")


@pytest.mark.parametrize("f, args, i", list(_cases()))
def test_tangent_rule_against_central_differences(f, args, i):
    rng = np.random.RandomState(1)
    t = rng.randn(*np.shape(args[i])) if np.ndim(args[i]) else float(rng.randn())
    value, jv = s2s.jvp(f, wrt=i)(*args, t)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    np.testing.assert_allclose(jv, directional(f, args, i, t), rtol=1e-5, atol=1e-7)


# --------------------------------------------------------------------------- programs


def loop_branch(x, n):
    y = x
    for _i in range(n):
        if np.sum(y) > 0:
            y = np.sin(y) * x + 0.3 * y
        else:
            y = y * y - x
        if np.max(np.abs(y)) > 50.0:
            break
    return np.sum(y * y)


def recursive(x, n):
    if n == 0:
        return np.sum(np.cos(x))
    return recursive(x * 0.9 + np.tanh(x), n - 1) + np.sum(x) * 0.1


def while_scalar(x):
    y, k = x, 0
    while k < 6:
        y = y * math.cos(y) + x
        k += 1
    return y


PROGRAMS = [
    pytest.param(loop_branch, (np.array([0.3, -0.2, 0.5]), 6), id="loop-branch-break"),
    pytest.param(loop_branch, (np.array([-1.3, -0.2, 0.1]), 4), id="loop-other-branch"),
    pytest.param(recursive, (np.array([0.4, -0.7]), 4), id="recursion"),
]


@pytest.mark.parametrize("f, args", PROGRAMS)
def test_jvp_of_programs(f, args):
    t = np.random.RandomState(2).randn(*args[0].shape)
    value, jv = s2s.jvp(f)(*args, t)
    assert value == pytest.approx(f(*args))
    assert jv == pytest.approx(float(directional(f, args, 0, t)), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("f, args", PROGRAMS)
def test_vjp_pullback_reused(f, args):
    value, pullback = s2s.vjp(f)(*args)
    g = numeric_grad(f, args)
    np.testing.assert_allclose(pullback(1.0), g, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(pullback(-2.5), -2.5 * g, rtol=1e-6, atol=1e-8)  # same sweep again


@pytest.mark.parametrize("f, args", PROGRAMS)
def test_compositions_of_modes(f, args):
    """grad(grad), jvp(grad), grad(jvp) and jacobian(jacobian) agree with differences of gradients."""
    x = args[0]
    rest = args[1:]
    g = s2s.grad(f)

    def fd_hessian():
        return np.array([directional(g, args, 0, e) for e in np.eye(x.size)])

    H = fd_hessian()
    v = np.random.RandomState(3).randn(x.size)
    np.testing.assert_allclose(s2s.jvp(g)(*args, v)[1], H @ v, rtol=1e-5, atol=1e-6)  # forward over reverse
    np.testing.assert_allclose(s2s.hvp(f)(*args, v), H @ v, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s2s.hessian(f)(*args), H, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s2s.jacobian(s2s.jacobian(f))(*args), H, rtol=1e-5, atol=1e-6)

    n = rest[0]
    gradient = s2s.grad(f)
    along = s2s.jvp(f)

    def grad_along(y):
        return np.dot(gradient(y, n), v)  # reverse over reverse through a call

    np.testing.assert_allclose(s2s.grad(grad_along)(x), H @ v, rtol=1e-5, atol=1e-6)

    def tangent_along(y):
        return along(y, n, v)[1]  # reverse over forward

    np.testing.assert_allclose(s2s.grad(tangent_along)(x), H @ v, rtol=1e-5, atol=1e-6)


def test_second_derivative_of_while_loop():
    d2 = s2s.grad(s2s.grad(while_scalar))
    d1 = s2s.grad(while_scalar)
    assert d2(0.7) == pytest.approx(numeric_grad(d1, [0.7]), rel=1e-6)


def test_third_derivative_through_a_loop():
    d3 = s2s.grad(s2s.grad(s2s.grad(while_scalar)))
    d2 = s2s.grad(s2s.grad(while_scalar))
    assert d3(0.4) == pytest.approx(numeric_grad(d2, [0.4]), rel=1e-5)


def test_six_nested_elementwise_derivatives_of_tanh():
    x = np.linspace(-2, 2, 7)
    d = np.tanh
    derivs = []

    def tanh(y):
        return np.tanh(y)

    d = tanh
    for _ in range(6):
        d = s2s.elementwise_grad(d)
        derivs.append(d)
    # closed forms in t = tanh(x)
    t = np.tanh(x)
    first = 1 - t ** 2
    second = -2 * t * first
    third = (-2 + 6 * t ** 2) * first
    np.testing.assert_allclose(derivs[0](x), first, rtol=1e-12)
    np.testing.assert_allclose(derivs[1](x), second, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(derivs[2](x), third, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(derivs[5](x), numeric_grad(lambda y: np.sum(derivs[4](y)), [x]), rtol=1e-4, atol=1e-6)


def vector_valued(x):
    return np.array([x[0] * x[1], np.sin(x[2]), x[0] ** 3, x[1] + x[2]])


def test_jacobian_picks_forward_or_reverse_and_agrees():
    x = np.array([0.3, -1.2, 0.8])
    J = np.array([directional(vector_valued, (x,), 0, e) for e in np.eye(3)]).T
    np.testing.assert_allclose(s2s.jacobian(vector_valued)(x), J, rtol=1e-6)  # 3 inputs < 4 outputs: forward
    wide = np.array([0.3, -1.2, 0.8, 0.5, 0.1])

    def few_outputs(y):
        return np.array([np.sum(y ** 2), np.prod(y[:2])])

    Jw = np.array([directional(few_outputs, (wide,), 0, e) for e in np.eye(5)]).T
    np.testing.assert_allclose(s2s.jacobian(few_outputs)(wide), Jw, rtol=1e-6)  # reverse
    assert "_jvp" in s2s.source(s2s.jacobian(vector_valued)) and "_backward" in s2s.source(s2s.jacobian(vector_valued))


def potential(q):
    return 0.5 * np.sum(q * q) + 0.1 * np.sum(q ** 4)


def leapfrog(q, p, step, n):
    """The HMC integrator: it calls s2s.grad of the potential inside itself."""
    dU = s2s.grad(potential)
    p = p - 0.5 * step * dU(q)
    for _ in range(n):
        q = q + step * p
        p = p - step * dU(q)
    return np.sum(q * q) + np.sum(p)


def test_gradient_through_a_function_that_calls_grad():
    q, p = np.array([0.5, -0.3]), np.array([0.2, 0.4])
    np.testing.assert_allclose(s2s.grad(leapfrog)(q, p, 0.1, 5), numeric_grad(leapfrog, [q, p, 0.1, 5]), rtol=1e-6)
    np.testing.assert_allclose(
        s2s.grad(leapfrog, wrt=1)(q, p, 0.1, 5), numeric_grad(leapfrog, [q, p, 0.1, 5], wrt=1), rtol=1e-6
    )


def test_forward_code_is_readable():
    def poly(x, a):
        return a * x ** 3 + np.sin(x)

    src = s2s.source(s2s.jvp(poly, wrt="x"))
    assert "def poly_jvp(x, a, dx):" in src
    assert "np.cos(x)" in src  # the rule text, inlined
    assert "da" not in src.split("def poly_jvp")[1].split(":")[0]  # a is not differentiated


def test_jvp_with_several_arguments():
    def f(x, y):
        return np.sum(np.sin(x) * y)

    x, y, tx, ty = np.ones(3) * 0.3, np.arange(3.0), np.ones(3), np.arange(3.0) * -1
    value, jv = s2s.jvp(f, wrt=(0, 1))(x, y, (tx, ty))
    assert jv == pytest.approx(np.sum(np.cos(x) * tx * y + np.sin(x) * ty))


def cubes(x):
    return np.sum(np.sin(x) ** 3)


def cubes_hvp_by_hand(x, v):
    # d2/dx2 sin^3 = 6 sin cos^2 - 3 sin^3, a diagonal Hessian
    return (6.0 * np.sin(x) * np.cos(x) ** 2 - 3.0 * np.sin(x) ** 3) * v


HVP_DIRECTION = np.array([0.3, -0.2, 0.5])


def squared_hvp(x):
    return np.sum(s2s.hvp(cubes)(x, HVP_DIRECTION) ** 2)


def test_hvp_is_a_derivative_to_read_and_differentiate():
    # s2s.hvp's generated code is shown (it was refused as not made by s2s), and a call of
    # it inside differentiated code is differentiated (it was a "no derivative rule" error)
    x = np.array([0.1, 0.7, -0.4])
    hvp = s2s.hvp(cubes)
    np.testing.assert_allclose(hvp(x, HVP_DIRECTION), cubes_hvp_by_hand(x, HVP_DIRECTION), rtol=1e-12)
    assert hvp(0.3, 1.0) == pytest.approx(cubes_hvp_by_hand(0.3, 1.0), rel=1e-12)
    assert "def hvp_dcubes(x, v):" in s2s.source(hvp)
    np.testing.assert_allclose(s2s.grad(squared_hvp)(x), numeric_grad(squared_hvp, [x]), rtol=1e-6)


def test_hvp_with_several_arguments():
    def f(a, b):
        return np.sum(a * a * b) + np.sum(np.cos(b))

    a, b, va, vb = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([0.1, 0.2]), np.array([0.3, 0.4])
    ha, hb = s2s.hvp(f, wrt=(0, 1))(a, b, (va, vb))
    np.testing.assert_allclose(ha, 2 * b * va + 2 * a * vb, rtol=1e-12)
    np.testing.assert_allclose(hb, 2 * a * va - np.cos(b) * vb, rtol=1e-12)
    np.testing.assert_allclose(s2s.hvp(f, wrt=1)(a, b, vb), -np.cos(b) * vb, rtol=1e-12)


def appends_or_reads(x):
    c = [x, x]
    if x > -1.0:
        c.append(1.0)
    else:
        return c[0] * x
    return x * x


def appends_or_calls(x):
    c = list((x for _ in range(2)))
    if x > -1.0:
        c.append(1.0)
    else:
        return c[1](x)  # never runs
    return x * x


@pytest.mark.parametrize("f", [appends_or_reads, appends_or_calls])
def test_second_order_through_a_list_whose_adjoint_stays_zero(f):
    # on the branch taken the list's adjoint is a lazy zero (None), which the gradient
    # reads, pops and indexes: differentiated again, that None has no derivative
    x = 0.85  # x^2 on the branch taken: 2x, then 2
    assert s2s.grad(f)(x) == pytest.approx(2 * x)
    assert s2s.hessian(f)(x) == pytest.approx(2.0)
    assert s2s.grad(s2s.grad(f))(x) == pytest.approx(2.0)
    assert s2s.hvp(f)(x, 0.5) == pytest.approx(1.0)


def where_in_a_lambda_over_a_name_bound_in_branches(x):
    if x[0] > 5.0:
        w = x[0]
    else:
        w = 0.8
    g = lambda t: np.where(w > 0.3, t * t, w)  # noqa: E731
    return np.sum(g(x) * x)  # sum(x^3) where x[0] <= 5


def test_hvp_through_where_of_a_flag_on_the_tape():
    # np.where's adjoint multiplies by its condition, `d * _cmp`, a Python bool on the
    # gradient's tape. Its tangent was None, so the HVP (forward over reverse) raised
    # a TypeError where the Hessian did not; a flag's tangent is now 0.0, as an int's.
    # (The fuzz corpus has the loop through a helper that found it.)
    x, v = np.array([0.3, -0.5, 1.0]), np.array([1.0, 2.0, -0.5])
    np.testing.assert_allclose(s2s.hvp(where_in_a_lambda_over_a_name_bound_in_branches)(x, v), 6 * x * v, rtol=1e-12)
    np.testing.assert_allclose(s2s.hessian(where_in_a_lambda_over_a_name_bound_in_branches)(x), np.diag(6 * x), rtol=1e-12)


def test_a_flag_has_a_zero_tangent():
    def flagged(x):
        return x * 2.0, x > 0.0, np.array([x, 1.0]) > 0.0

    value, tangent = s2s.jvp(flagged)(0.5, 1.0)
    assert value[:2] == (1.0, True) and tangent[:2] == (2.0, 0.0)
    np.testing.assert_array_equal(tangent[2], [0.0, 0.0])
