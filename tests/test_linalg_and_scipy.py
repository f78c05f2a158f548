"""Rules of templates/linalg.py and templates/scipy_special.py beyond the CASES tables.

The tables (test_templates.py, test_rule_bodies.py) check each rule once, against
central differences. Here: the primitives whose result is a NamedTuple (slogdet,
eigh), the normal distribution of scipy.stats (bound methods), derivatives of
derivatives, the errors of unsupported options, and s2s without scipy.
"""
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import numeric_grad, vdot
from test_rule_bodies import call_rule
from test_templates import (
    SPD,
    A,
    M,
    P,
    cholesky_of_gram,
    diag_take,
    eigh_vectors,
    einsum_chain,
    einsum_diagonal,
    linalg_det,
    linalg_inv,
    linalg_slogdet,
    linalg_solve,
    loss,
    norm_default,
    norm_ords,
    sort_axis,
    trace_axes,
)

import s2s
from s2s import rules

try:
    import scipy.special
    import scipy.stats
except ImportError:
    scipy = None

needs_scipy = pytest.mark.skipif(scipy is None, reason="scipy is not installed")


def central(f, x, v, eps=1e-6):
    return (f(x + eps * v) - f(x - eps * v)) / (2 * eps)


# ----------------------------------------------------------------- NamedTuple results


def test_slogdet_rule_bodies():
    rng = np.random.RandomState(0)
    a, v, g = rng.randn(2, 3, 3) + 3 * np.eye(3), rng.randn(2, 3, 3), rng.randn(2)
    result = np.linalg.slogdet(a)
    d = call_rule(rules.adjoint_rule(np.linalg.slogdet), {"a"}, result, (a,), {}, {"result": (None, g)})
    slope = central(lambda x: np.linalg.slogdet(x)[1], a, v)
    assert vdot(d["a"], v) == pytest.approx(vdot(g, slope), rel=1e-6)
    d = call_rule(rules.tangent_rule(np.linalg.slogdet), {"a"}, result, (a,), {}, {"a": v})
    assert type(d["result"]) is type(result)
    np.testing.assert_allclose(d["result"].logabsdet, slope, rtol=1e-6)
    np.testing.assert_array_equal(d["result"].sign, 0.0)


def _eigh_aligned(reference):
    """np.linalg.eigh with each eigenvector's sign chosen to agree with `reference`'s."""
    def eigh(x):
        w, v = np.linalg.eigh(x)
        return w, v * np.sign(np.sum(v * reference, axis=-2, keepdims=True))
    return eigh


def test_eigh_rule_bodies():
    rng = np.random.RandomState(0)
    a, v = SPD(3, 2), rng.randn(2, 3, 3)
    result = np.linalg.eigh(a)
    eigh = _eigh_aligned(result.eigenvectors)
    dw = central(lambda x: eigh(x)[0], a, v)
    dv = central(lambda x: eigh(x)[1], a, v)
    gw, gv = rng.randn(2, 3), rng.randn(2, 3, 3)
    d = call_rule(rules.adjoint_rule(np.linalg.eigh), {"a"}, result, (a,), {}, {"result": (gw, gv)})
    assert vdot(d["a"], v) == pytest.approx(vdot(gw, dw) + vdot(gv, dv), rel=1e-6)
    d = call_rule(rules.adjoint_rule(np.linalg.eigh), {"a"}, result, (a,), {}, {"result": (gw, None)})
    assert vdot(d["a"], v) == pytest.approx(vdot(gw, dw), rel=1e-6)  # eigenvalues only
    d = call_rule(rules.tangent_rule(np.linalg.eigh), {"a"}, result, (a,), {}, {"a": v})
    assert type(d["result"]) is type(result)
    np.testing.assert_allclose(d["result"].eigenvalues, dw, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d["result"].eigenvectors, dv, rtol=1e-5, atol=1e-7)


def eigenvalue_sum(x):
    return np.sum(np.linalg.eigh(x)[0] * 2.0)


def test_eigenvalues_repeated():
    """The trace (sum of eigenvalues) is smooth where eigenvalues repeat: no nan there."""
    np.testing.assert_allclose(s2s.grad(eigenvalue_sum)(np.eye(3)), 2.0 * np.eye(3), atol=1e-12)


def norms(x):
    return np.linalg.norm(x) + np.sum(np.linalg.norm(x, axis=0)) + np.linalg.norm(x[0], np.inf)


def test_norms_at_zero_have_a_zero_subgradient():
    x = np.zeros((2, 3))
    np.testing.assert_array_equal(s2s.grad(norms)(x), 0.0)
    assert s2s.jvp(norms)(x, np.ones((2, 3)))[1] == 0.0


def test_cholesky_and_eigh_read_the_lower_triangle():
    """Their gradients are lower triangular, and agree with the symmetric gradient of
    other libraries for symmetric perturbations."""
    a = SPD(3)
    g = s2s.grad(lambda x: loss(np.linalg.cholesky(x)) + loss(np.linalg.eigh(x)[0]))(a)
    np.testing.assert_array_equal(np.triu(g, 1), 0.0)
    sym = A(3, 3) + A(3, 3).T
    slope = central(lambda x: loss(np.linalg.cholesky(x)) + loss(np.linalg.eigh(x)[0]), a, sym)
    assert vdot(g, sym) == pytest.approx(slope, rel=1e-6)


# ----------------------------------------------------------------- scipy.stats.norm


@needs_scipy
@pytest.mark.parametrize("method", ["logpdf", "pdf", "cdf"])
def test_normal_distribution_rule_bodies(method):
    primitive = getattr(scipy.stats.norm, method)  # a new bound method object: found by (object, function)
    rng = np.random.RandomState(0)
    args = (rng.randn(3, 4), rng.randn(4), np.abs(rng.randn(3, 1)) + 0.5)
    result = primitive(*args)
    g = rng.randn(3, 4)
    d = call_rule(rules.adjoint_rule(primitive), {"x", "loc", "scale"}, result, args, {}, {"result": g})
    tangents = {name: rng.randn(*np.shape(arg)) for name, arg in zip(("x", "loc", "scale"), args)}
    jv = (primitive(*(a + 1e-6 * t for a, t in zip(args, tangents.values())))
          - primitive(*(a - 1e-6 * t for a, t in zip(args, tangents.values())))) / 2e-6
    assert sum(vdot(d[n], tangents[n]) for n in tangents) == pytest.approx(vdot(g, jv), rel=1e-6)
    d = call_rule(rules.tangent_rule(primitive), set(tangents), result, args, {}, dict(tangents))
    np.testing.assert_allclose(d["result"], jv, rtol=1e-6, atol=1e-8)


def normal_model(x, mu, sigma):
    return (
        np.sum(scipy.stats.norm.logpdf(x, mu, sigma))
        + np.sum(scipy.stats.norm.pdf(x, loc=mu) * 2.0)
        + np.sum(scipy.stats.norm.cdf(x, mu, scale=sigma))
        + np.sum(scipy.stats.norm.logpdf(x))
    )


@needs_scipy
def test_normal_distribution_through_the_compiler():
    rng = np.random.RandomState(0)
    args = (rng.randn(5), 0.3, 1.7)
    for wrt in (0, 1, 2):
        np.testing.assert_allclose(
            s2s.grad(normal_model, wrt=wrt)(*args), numeric_grad(normal_model, args, wrt=wrt), rtol=1e-6, atol=1e-8
        )
        t = rng.randn(5) if wrt == 0 else 0.7
        _, jv = s2s.jvp(normal_model, wrt=wrt)(*args, t)
        assert jv == pytest.approx(np.sum(numeric_grad(normal_model, args, wrt=wrt) * t), rel=1e-6)


# ----------------------------------------------------------------- derivatives of derivatives
# <grad f(x), v>, differentiated again in reverse mode and in forward mode: runs the
# rules of the rules' own primitives and helpers (inv, solve, einsum_partial*, ...).


def grad_dot(f):
    df = s2s.grad(f)

    def g(x, v):
        return np.sum(df(x) * v)

    return g


SECOND_ORDER = [
    pytest.param(linalg_inv, M(3), id="inv"),
    pytest.param(lambda a: linalg_solve(a, a[:, :2] * 2.0), M(3), id="solve"),
    pytest.param(lambda a: linalg_solve(a, a[0] * 2.0), M(3), id="solve_vector"),
    pytest.param(linalg_det, M(3), id="det"),
    pytest.param(linalg_slogdet, M(3), id="slogdet"),
    pytest.param(cholesky_of_gram, A(3, 3), id="cholesky"),
    pytest.param(eigh_vectors, SPD(3), id="eigh"),
    pytest.param(norm_default, A(3, 4), id="norm"),
    pytest.param(norm_ords, A(5), id="norm_ords"),
    pytest.param(trace_axes, A(2, 3, 3), id="trace"),
    pytest.param(diag_take, A(3, 4), id="diag"),
    pytest.param(lambda x: einsum_chain(x, x * x, x), A(3, 3), id="einsum"),
    pytest.param(einsum_diagonal, A(3, 3), id="einsum_diagonal"),
    pytest.param(lambda x: sort_axis(x * x), A(3, 4), id="sort"),
]


@pytest.mark.parametrize("f, x", SECOND_ORDER)
def test_reverse_over_reverse(f, x):
    g = grad_dot(f)
    v = np.random.RandomState(1).randn(*x.shape)
    np.testing.assert_allclose(s2s.grad(g)(x, v), numeric_grad(g, [x, v]), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("f, x", [p for p in SECOND_ORDER if p.id != "eigh"] + [pytest.param(eigh_vectors, SPD(3))])
def test_forward_over_reverse(f, x):
    v = np.random.RandomState(1).randn(*x.shape)
    _, hv = s2s.jvp(s2s.grad(f))(x, v)
    np.testing.assert_allclose(hv, numeric_grad(grad_dot(f), [x, v]), rtol=1e-4, atol=1e-6)


def special_mix(x):
    return (
        scipy.special.logsumexp(x * 2.0)
        + np.sum(scipy.special.gammaln(x * x + 1.0) + scipy.special.digamma(x * x + 1.0) + scipy.special.expit(x))
        + np.sum(scipy.special.erf(x) + scipy.special.log_ndtr(x) + scipy.special.xlogy(x * x, x * x + 1.0))
        + np.sum(scipy.special.logit(scipy.special.expit(x) * 0.5 + 0.2))
    )


@needs_scipy
def test_second_derivatives_of_scipy_special():
    x, v = A(5), A(5)
    g = grad_dot(special_mix)
    np.testing.assert_allclose(s2s.grad(g)(x, v), numeric_grad(g, [x, v]), rtol=1e-4, atol=1e-6)
    _, hv = s2s.jvp(s2s.grad(special_mix))(x, v)
    np.testing.assert_allclose(hv, numeric_grad(g, [x, v]), rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------------- what is not supported


def matrix_2_norm(x):
    return np.linalg.norm(x, 2)


def upper_cholesky(x):
    return np.sum(np.linalg.cholesky(x, upper=True))


def five_operands(x, subscripts="i,i,i,i,i->"):
    return np.einsum(subscripts, x, x, x, x, x)  # subscripts not literal: not split into einsums of four


def test_unsupported_options_are_errors():
    with pytest.raises(NotImplementedError, match="second derivative of np.linalg.norm with ord=2 over complex"):
        s2s.hvp(matrix_2_norm)(A(3, 3) + 1j * A(3, 3), A(3, 3))
    with pytest.raises(s2s.TransformError, match="upper"):
        s2s.grad(upper_cholesky)(SPD(3))
    # five operands may be the sublist form with sublists passed in (three operands):
    # which one shows at run time
    with pytest.raises(TypeError, match="more than four operands: write them as a literal string"):
        s2s.grad(five_operands)(A(3))


def test_s2s_works_without_scipy(tmp_path):
    script = tmp_path / "no_scipy.py"
    script.write_text(
        "import sys\n"
        "sys.modules['scipy'] = None  # import scipy fails\n"
        "import numpy as np\n"
        "import s2s\n"
        "def f(x):\n"
        "    return np.linalg.slogdet(x)[1]\n"
        "g = s2s.grad(f)(np.eye(2) * 2.0)\n"
        "assert np.allclose(g, np.eye(2) * 0.5), g\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root)  # the s2s under test, installed or not
    subprocess.run([sys.executable, str(script)], check=True, timeout=60, env=env)


def logsumexp_weighted(x, b):
    return np.sum(scipy.special.logsumexp(x, axis=0, b=b))


@needs_scipy
def test_logsumexp_weights_broadcast():
    x, b = A(3, 4), P(3, 1)
    np.testing.assert_allclose(s2s.grad(logsumexp_weighted, wrt=1)(x, b), numeric_grad(logsumexp_weighted, [x, b], wrt=1), rtol=1e-6)
