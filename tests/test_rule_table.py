"""The rules added for breadth, one table row each, through the compiler.

Each row is a scalar function of float arrays that exercises one primitive. Every row
is checked against central differences in reverse mode (grad), forward mode (jvp), and
at second order: forward over reverse (hvp) and reverse over reverse (grad of a
function that calls grad).
"""
import sys

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import scipy.linalg as sl
import scipy.signal as sg
import scipy.special as sp
import scipy.stats as st
from conftest import numeric_grad
from scipy.integrate import odeint

import s2s

R = np.random.RandomState(7)


def A(*shape):
    return R.randn(*shape)


def P(*shape):
    """Positive values."""
    return np.abs(R.randn(*shape)) + 0.5


def U(*shape):
    """Values in (-0.9, 0.9)."""
    return R.uniform(-0.9, 0.9, shape)


B33 = A(3, 3)
SPD = B33 @ B33.T + 3.0 * np.eye(3)
X3, M3 = A(3), A(3)
SIMPLEX = np.array([0.2, 0.3, 0.5])
SINGULAR_COV = np.array([[1.0, 0.3, 0.0, 0.0], [0.3, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])


def L(y):
    """A smooth scalar loss with a non-trivial gradient and Hessian."""
    return np.sum(np.sin(y) * y)


ROWS = [
    # building and splitting arrays
    ("hstack", lambda x, y: L(np.hstack([x, y])), (A(3), A(2))),
    ("vstack", lambda x, y: L(np.vstack([x, y])), (A(3), A(2, 3))),
    ("dstack", lambda x, y: L(np.dstack([x, y])), (A(2, 3), A(2, 3))),
    ("column_stack", lambda x, y: L(np.column_stack([x, y])), (A(3), A(3, 2))),
    *([("row_stack", lambda x, y: L(np.row_stack([x, y])), (A(3), A(2, 3)))] if hasattr(np, "row_stack") else []),
    ("append", lambda x, y: L(np.append(x, y)), (A(2, 2), A(3))),
    ("append_axis", lambda x, y: L(np.append(x, y, axis=0)), (A(2, 3), A(1, 3))),
    ("insert", lambda x, y: L(np.insert(x, 1, y)), (A(4), A(1))),
    ("atleast_2d", lambda x: L(np.atleast_2d(x) @ np.ones((3, 2))), (A(3),)),
    ("atleast_3d", lambda x: L(np.atleast_3d(x)), (A(2, 3),)),
    ("atleast_1d", lambda x, y: L(np.atleast_1d(x * y)), (0.7, A(3))),
    ("split", lambda x: L(np.split(x, 2)[1] * np.split(x, 2)[0]), (A(4, 3),)),
    ("array_split", lambda x: L(np.array_split(x, 3, axis=1)[2]), (A(2, 5),)),
    ("hsplit", lambda x: L(np.hsplit(x, [1])[1]), (A(2, 3),)),
    ("vsplit", lambda x: L(np.vsplit(x, 2)[0]), (A(4, 3),)),
    ("dsplit", lambda x: L(np.dsplit(x, 2)[1]), (A(2, 3, 4),)),
    ("take", lambda x: L(np.take(x, [0, 2, 2], axis=1)), (A(2, 3),)),
    ("take_along_axis", lambda x: L(np.take_along_axis(x, np.array([[1, 0], [2, 2]]), 1)), (A(2, 3),)),
    ("compress", lambda x: L(np.compress([True, False, True], x, axis=0)), (A(3, 2),)),
    ("extract", lambda x: L(np.extract(x > 0.0, x)), (A(3, 2),)),
    ("delete", lambda x: L(np.delete(x, 1, axis=0)), (A(3, 2),)),
    ("select", lambda x, y: L(np.select([x > 0.0, y > 0.0], [x, y * x], 0.5)), (A(4), A(4))),
    ("select_default", lambda x, y: L(np.select([x > 0.0], [y], x)), (A(4), A(4))),
    ("choose", lambda x, y: L(np.choose([0, 1, 1], [x, y])), (A(3), A(3))),
    ("copy", lambda x: L(np.copy(x) * x), (A(3),)),
    ("repeat", lambda x: L(np.repeat(x, [1, 2, 0], axis=0)), (A(3, 2),)),
    ("repeat_flat", lambda x: L(np.repeat(x, 2)), (A(2, 2),)),
    ("tile", lambda x: L(np.tile(x, (2, 3))), (A(3),)),
    ("resize", lambda x: L(np.resize(x, (3, 3))), (A(2, 2),)),
    ("full", lambda x: L(np.full((2, 3), x)), (0.7,)),
    ("full_like", lambda x, y: L(np.full_like(y, x) * y), (0.7, A(3))),
    ("pad", lambda x: L(np.pad(x, ((1, 0), (2, 1)))), (A(2, 3),)),
    ("pad_constant_values", lambda x, c: L(np.pad(x, ((1, 0), (2, 1)), constant_values=c)), (A(2, 3), 0.7)),
    ("pad_constant_pairs", lambda x, c: L(np.pad(x, 1, "constant", constant_values=((c, 0.5), (2.0 * c, c)))), (A(2, 3), 0.3)),
    ("pad_reflect", lambda x: L(np.pad(x, 2, mode="reflect")), (A(4),)),
    ("diagflat", lambda x: L(np.diagflat(x, 1)), (A(3),)),
    ("roll", lambda x: L(np.roll(x, 2) * np.arange(6.0).reshape(2, 3)), (A(2, 3),)),
    ("roll_axis", lambda x: L(np.roll(x, -1, axis=1) * np.arange(6.0).reshape(2, 3)), (A(2, 3),)),
    ("rollaxis", lambda x: L(np.rollaxis(x, 2) @ np.ones((3, 2))), (A(2, 3, 4),)),
    ("rot90", lambda x: L(np.rot90(x) * np.arange(6.0).reshape(3, 2)), (A(2, 3),)),
    ("fliplr", lambda x: L(np.fliplr(x) * np.arange(6.0).reshape(2, 3)), (A(2, 3),)),
    ("flipud", lambda x: L(np.flipud(x) * np.arange(6.0).reshape(2, 3)), (A(2, 3),)),
    ("linspace", lambda x, y: L(np.linspace(x, y, 5)), (0.3, A(2))),
    ("linspace_open", lambda x, y: L(np.linspace(x, y, 4, endpoint=False)), (A(2), 0.9)),
    ("arange", lambda x: L(np.arange(x, x + 3.0)), (0.4,)),
    ("arange_step", lambda x: L(np.arange(0.5, 3.0, x)), (0.8,)),
    ("r_", lambda x, y: L(np.r_[x, 0.5, y, 0:2]), (A(3), A(2))),
    ("c_", lambda x, y: L(np.c_[x, y]), (A(3), A(3, 2))),
    ("einsum_sublist", lambda x: L(np.einsum(x, [0, 1], [1, 0]) * np.arange(6.0).reshape(3, 2)), (A(2, 3),)),
    ("einsum_sublist_two", lambda x, y: L(np.einsum(x, [0, 1], y, [1, 2], [0, 2])), (A(2, 3), A(3, 2))),
    # labels 26 and up are NumPy's a-z, after A-Z: the implicit output [0, 27] transposes
    ("einsum_sublist_labels_past_25", lambda x: L(np.einsum(x, [27, 0]) * B33[:2, :2]), (A(2, 2),)),
    ("einsum_three", lambda x, y: L(np.einsum("ij,jk,kl->il", x, y, x.T)), (A(2, 3), A(3, 3))),
    ("einsum_six", lambda x, y: np.einsum("ij,jk,kl,lm,mn,ni->", x, y, x, y, x, np.sin(y)), (A(2, 3), A(3, 2))),
    ("einsum_eight_implicit", lambda x: L(np.einsum("ab,bc,cd,de,ea,af,fg,gh", x, x, x, x, x, x, x, x)), (0.5 * A(2, 2),)),
    ("std_one_element", lambda x: np.std(x) + np.var(x) + L(x), (A(1),)),
    ("partition", lambda x: L(np.partition(x, 2) * np.arange(5.0)), (A(5),)),
    ("partition_axis", lambda x: L(np.partition(x, 1, axis=0) * np.arange(6.0).reshape(3, 2)), (A(3, 2),)),
    ("diff", lambda x: L(np.diff(x)), (A(5),)),
    ("diff_n_axis", lambda x: L(np.diff(x, n=2, axis=0)), (A(4, 3),)),
    ("gradient", lambda x: L(np.gradient(x)), (A(5),)),
    ("gradient_spacing", lambda x: L(np.gradient(x, 0.5, edge_order=2)), (A(6),)),
    ("gradient_2d", lambda x: L(np.gradient(x)[0]) + L(np.gradient(x, 2.0, 0.5)[1] * 2.0), (A(4, 3),)),
    ("gradient_axis", lambda x: L(np.gradient(x, axis=1)), (A(3, 4),)),
    ("kron", lambda x, y: L(np.kron(x, y)), (A(2, 3), A(2, 2))),
    ("kron_ndim", lambda x, y: L(np.kron(x, y)), (A(3), A(2, 2))),
    ("inner", lambda x, y: L(np.inner(x, y)), (A(2, 3), A(4, 3))),
    ("cross", lambda x, y: L(np.cross(x, y)), (A(2, 3), A(3))),
    ("cross_axes", lambda x, y: L(np.cross(x, y, axisa=0, axisc=0)), (A(3, 4), A(4, 3))),
    ("cross_axis", lambda x, y: L(np.cross(x, y, 0, 0, 0, axis=1)), (A(2, 3), A(1, 3))),
    # 2-vectors (deprecated by NumPy 2, skipped where refused): both give the z component alone, one gives 3-vectors
    ("cross_2_vectors", lambda x, y: L(np.cross(x, y)), (A(2, 2), A(2))),
    ("cross_2_and_3_vectors", lambda x, y: L(np.cross(x, y, axisa=0)), (A(2, 4), A(3))),
    ("inner_scalar", lambda x, y: L(np.inner(x, y)) + L(np.inner(y, x)), (A(2, 3), 0.7)),
    ("float64", lambda x: L(np.float64(x) * np.float32(2.0)), (A(3),)),
    ("nan_to_num", lambda x: L(np.nan_to_num(np.log(x))), (A(4),)),
    # np.fft
    ("fft", lambda x: L(np.real(np.fft.fft(x))) + L(np.imag(np.fft.fft(x, 6, norm="ortho"))), (A(4),)),
    ("fft_n_short", lambda x: L(np.abs(np.fft.fft(x, 3, axis=0, norm="forward"))), (A(4, 2),)),
    ("ifft", lambda x: L(np.real(np.fft.ifft(x * (1.0 + 0.5j), 5))), (A(4),)),
    ("fft2", lambda x: L(np.real(np.fft.fft2(x, s=(3, 4)))), (A(2, 3),)),
    ("ifft2", lambda x: L(np.imag(np.fft.ifft2(x, norm="ortho"))), (A(3, 3),)),
    ("fftn", lambda x: L(np.real(np.fft.fftn(x, axes=(0, 2)))), (A(2, 3, 2),)),
    ("ifftn", lambda x: L(np.real(np.fft.ifftn(x, s=(2, 4), axes=(1, 2)))), (A(2, 3, 3),)),
    ("rfft", lambda x: L(np.real(np.fft.rfft(x)) + np.imag(np.fft.rfft(x, 7))), (A(6),)),
    ("rfft_axis", lambda x: L(np.abs(np.fft.rfft(x, axis=0, norm="ortho"))), (A(5, 2),)),
    ("irfft", lambda x: L(np.fft.irfft(x * (1.0 - 0.5j))), (A(4),)),
    ("irfft_n_odd", lambda x: L(np.fft.irfft(np.fft.rfft(x) * 1.5, 5, norm="forward")), (A(5),)),
    ("rfft2", lambda x: L(np.real(np.fft.rfft2(x))), (A(3, 4),)),
    ("irfft2", lambda x: L(np.fft.irfft2(np.fft.rfft2(x) * (1.0 + 1.0j))), (A(4, 4),)),
    ("rfftn", lambda x: L(np.imag(np.fft.rfftn(x, s=(3, 4), axes=(1, 2)))), (A(2, 3, 3),)),
    ("irfftn", lambda x: L(np.fft.irfftn(np.fft.rfftn(x) + 0.5j, s=(3, 4), axes=(0, 1))), (A(3, 4),)),
    ("fftshift", lambda x: L(np.fft.fftshift(x) * np.arange(5.0) + np.fft.ifftshift(x)), (A(5),)),
    # np.linalg
    ("svdvals", lambda x: L(np.linalg.svdvals(x)), (A(3, 2),)),
    ("svd_values_only", lambda x: L(np.linalg.svd(x, compute_uv=False)), (A(2, 3, 4),)),
    ("svd", lambda x: L(np.linalg.svd(x, full_matrices=False)[0] * np.arange(6.0).reshape(3, 2)), (A(3, 2),)),
    ("svd_vh", lambda x: L(np.linalg.svd(x, full_matrices=False)[2] * np.arange(6.0).reshape(2, 3)), (A(2, 3),)),
    ("svd_s_square", lambda x: L(np.linalg.svd(x)[1]), (A(3, 3),)),
    ("svd_all", lambda x: L(np.linalg.svd(x, full_matrices=False)[0] @ np.diag(np.linalg.svd(x, full_matrices=False)[1]) * np.arange(6.0).reshape(3, 2)), (A(3, 2),)),
    ("norm_p", lambda x: np.linalg.norm(x[0], 3) + np.linalg.norm(x[:, 1], 1.5) + L(np.linalg.norm(x, 4, axis=0)), (A(3, 2),)),
    ("norm_nuclear", lambda x: np.linalg.norm(x, "nuc") + np.linalg.norm(x, ord="nuc"), (A(3, 2),)),
    ("norm_matrix_kinks", lambda x: np.linalg.norm(x, 1) + np.linalg.norm(x, -1) + np.linalg.norm(x, np.inf)
     + np.linalg.norm(x, -np.inf), (A(3, 4),)),
    ("norm_matrix_axes", lambda x: L(np.linalg.norm(x, 1, axis=(0, 2)) + np.linalg.norm(x, -np.inf, axis=(2, 1), keepdims=True)), (A(3, 2, 4),)),
    ("norm_nuclear_axis", lambda x: L(np.linalg.norm(x, "nuc", axis=(2, 0))), (A(3, 2, 4),)),
    ("norm_2_fro", lambda x: np.linalg.norm(x) + np.linalg.norm(x, "fro") + np.linalg.norm(x[0], 2), (A(3, 2),)),
    # scipy.special
    ("gamma", lambda x: L(sp.gamma(x) + sp.rgamma(x) + sp.gammaln(x)), (P(3),)),
    ("gammainc", lambda x: L(sp.gammainc(1.5, x) + sp.gammaincc(2.5, x)), (P(3),)),
    ("beta", lambda x, y: L(sp.beta(x, y) + sp.betaln(x, y)), (P(3), P(3))),
    ("betainc", lambda x: L(sp.betainc(1.5, 2.5, x)), (R.uniform(0.2, 0.8, 3),)),
    ("multigammaln", lambda x: L(sp.multigammaln(x, 3)), (P(3) + 2.0,)),
    ("erfinv", lambda x: L(sp.erfinv(x) + sp.erfcinv(x + 1.0)), (U(3),)),
    ("bessel_j", lambda x: L(sp.j0(x) + sp.j1(x) + sp.jv(1.5, x)), (P(3),)),
    ("bessel_y", lambda x: L(sp.y0(x) + sp.y1(x) + sp.yn(2, x)), (P(3) + 1.0,)),
    ("bessel_i", lambda x: L(sp.i0(x) + sp.i1(x) + sp.iv(0.5, x) + sp.ive(1.5, x)), (P(3),)),
    ("polygamma", lambda x: L(sp.polygamma(2, x) + sp.digamma(x)), (P(3),)),
    ("xlog1py", lambda x, y: L(sp.xlog1py(x, y)), (A(3), P(3))),
    # scipy.stats
    ("norm", lambda x, m, s: L(st.norm.logcdf(x, m, s) + st.norm.sf(x, m, s) + st.norm.logsf(x, m, s)), (A(3), A(3), P(3))),
    ("norm_pdf_cdf", lambda x, m, s: L(st.norm.logpdf(x, m, s) + st.norm.pdf(x, m, s) + st.norm.cdf(x, loc=m, scale=s)), (A(3), A(3), P(3))),
    ("t", lambda x, df, s: L(st.t.logpdf(x, df, 0.3, s) + st.t.pdf(x, df, scale=s)), (A(3), P(3) + 1.0, P(3))),
    ("t_cdf", lambda x, s: L(st.t.cdf(x, 3.5, 0.2, s) + st.t.logcdf(x, 2.5, scale=s)), (A(3), P(3))),
    ("poisson", lambda m: L(st.poisson.logpmf(np.array([0, 2, 5]), m) + st.poisson.pmf(3, m) + st.poisson.cdf(2, m)), (P(3),)),
    ("beta_dist", lambda x, a, b: L(st.beta.logpdf(x, a, b) + st.beta.pdf(x, a, b) + st.beta.cdf(x, 2.0, 3.0)), (R.uniform(0.2, 0.8, 3), P(3), P(3))),
    ("chi2", lambda x, k: L(st.chi2.logpdf(x, k) + st.chi2.pdf(x, k) + st.chi2.cdf(x, 3.0)), (P(3), P(3) + 1.0)),
    ("gamma_dist", lambda x, a: L(st.gamma.logpdf(x, a) + st.gamma.pdf(x, a) + st.gamma.cdf(x, 2.0)), (P(3), P(3) + 1.0)),
    ("mvn_logpdf", lambda x, m: L(st.multivariate_normal.logpdf(x, m, SPD, allow_singular=False)), (A(4, 3), A(3))),
    ("mvn_pdf", lambda x, m: st.multivariate_normal.pdf(x, m, SPD), (A(3), A(3))),
    ("mvn_cov", lambda c: st.multivariate_normal.logpdf(X3, M3, c) + st.multivariate_normal.entropy(cov=c), (SPD,)),
    # a singular covariance, x kept on its support (the plane of the first two axes)
    ("mvn_singular", lambda x, m: st.multivariate_normal.pdf(np.concatenate([x[:2], m[2:]]), m, SINGULAR_COV,
                                                             allow_singular=True), (A(4), A(4))),
    # ... and differentiated in a covariance of the same range (its upper-left block)
    ("mvn_singular_cov", lambda c: st.multivariate_normal.logpdf(np.array([0.3, -0.4, 0.0, 0.0]), np.zeros(4),
                                                                 np.pad(c @ c.T, ((0, 2), (0, 2))), allow_singular=True),
     (SPD[:2, :2],)),
    ("dirichlet", lambda a: st.dirichlet.logpdf(SIMPLEX, a) + st.dirichlet.pdf(SIMPLEX, a), (P(3),)),
    ("eigh_upper", lambda x: L(np.linalg.eigh(x, "U")[0]) + L(np.linalg.eigh(x, UPLO="U")[1] ** 2), (SPD,)),
    ("eigvalsh", lambda x: L(np.linalg.eigvalsh(x) + np.linalg.eigvalsh(x, "U")), (SPD,)),
    ("eig_values", lambda x: L(np.real(np.linalg.eig(x)[0]) + np.imag(np.linalg.eig(x)[0]) ** 2), (A(3, 3),)),
    ("eig_vectors", lambda x: L(np.abs(np.linalg.eig(x)[1]) * np.arange(9.0).reshape(3, 3)), (A(3, 3),)),
    ("eig_real", lambda x: L(np.real(np.linalg.eig(x)[1]) * np.arange(9.0).reshape(3, 3)), (SPD + np.triu(B33),)),
    ("pinv", lambda x: L(np.linalg.pinv(x)), (A(3, 2),)),
    ("pinv_wide", lambda x: L(np.linalg.pinv(x) * np.arange(6.0).reshape(3, 2)), (A(2, 3),)),
    # scipy.signal and scipy.linalg
    ("convolve", lambda x, y: L(sg.convolve(x, y)), (A(5), A(3))),
    ("convolve_same", lambda x, y: L(sg.convolve(x, y, mode="same")), (A(4, 5), A(2, 3))),
    ("convolve_valid", lambda x, y: L(sg.convolve(x, y, "valid", "direct")), (A(3), A(6))),
    ("sqrtm", lambda x: L(sl.sqrtm(x)), (SPD,)),
    ("solve_sylvester", lambda a, q: L(sl.solve_sylvester(a, SPD, q)), (SPD + B33, A(3, 3))),
    ("solve_banded", lambda ab, b: L(sl.solve_banded((1, 1), ab, b)), (np.array([[0.0, 1.0, 0.5], [4.0, 5.0, 6.0], [0.3, 0.7, 0.0]]) + 0.1 * A(3, 3), A(3))),
    ("dict", lambda x, y: L(dict(a=x, b=y * x)["b"]) + L(dict(first=x)["first"]), (A(3), A(3))),
    # elementwise
    ("fabs", lambda x: L(np.fabs(x)), (A(3),)),
    ("sinc", lambda x: L(np.sinc(x)), (A(3),)),
    ("logaddexp2", lambda x, y: L(np.logaddexp2(x, y)), (A(3), A(2, 1))),
    ("deg2rad", lambda x: L(np.deg2rad(x) + np.radians(x)), (A(3),)),
    ("rad2deg", lambda x: L(np.rad2deg(x) * np.degrees(x) * 1e-3), (A(3),)),
    # complex intermediates of real arguments
    ("real_imag", lambda x: L(np.real(x * (1.0 + 2.0j)) + np.imag(np.exp(1j * x))), (A(3),)),
    ("conj_abs", lambda x: L(np.abs(np.conj(x * (1.0 + 2.0j)) + 0.5)), (A(3),)),
    ("conjugate", lambda x: L(np.real(np.conjugate(x * (1.0 + 2.0j)) * (2.0 - 1.0j))), (A(3),)),
    ("int64_cast", lambda x: L(x * np.int64(3.7) + np.int64(x[0] * 2.0)), (A(3),)),
    ("angle", lambda x: L(np.angle(x + 2.0j) + np.angle(x * x + 1j * x)), (A(3),)),
    ("real_if_close", lambda x: L(np.real_if_close(x + 0j)), (A(3),)),
    ("real_imag_attributes", lambda x: L((x * (1.0 + 1.0j)).real * (x * 2.0j).imag), (A(3),)),
]


def _float_args(args):
    return tuple(i for i, a in enumerate(args) if isinstance(a, float) or np.asarray(a).dtype.kind == "f")


def _numpy_accepts_2_vector_cross():
    try:
        np.cross(np.ones(2), np.ones(2))
    except ValueError:  # deprecated by NumPy 2.0, an error since 2.5
        return False
    return True


NEED_2_VECTOR_CROSS = pytest.mark.skipif(
    not _numpy_accepts_2_vector_cross(), reason="this NumPy refuses 2-vectors in np.cross"
)


def _rows():
    return [
        pytest.param(f, args, id=name, marks=[NEED_2_VECTOR_CROSS] if name.startswith("cross_2_") else [])
        for name, f, args in ROWS
    ]


@pytest.mark.parametrize("f, args", _rows())
def test_grad(f, args):
    wrt = _float_args(args)
    got = s2s.grad(f, wrt=wrt)(*args) if len(wrt) > 1 else (s2s.grad(f, wrt=wrt[0])(*args),)
    for i, g in zip(wrt, got):
        np.testing.assert_allclose(g, numeric_grad(f, args, wrt=i), rtol=1e-5, atol=1e-7, err_msg=f"argument {i}")


@pytest.mark.parametrize("f, args", _rows())
def test_jvp(f, args):
    rng = np.random.RandomState(1)
    for i in _float_args(args):
        t = float(rng.randn()) if isinstance(args[i], float) else rng.randn(*np.shape(args[i]))
        value, jv = s2s.jvp(f, wrt=i)(*args, t)
        np.testing.assert_allclose(value, f(*args), rtol=1e-12)
        eps = 1e-6
        plus, minus = list(args), list(args)
        plus[i], minus[i] = args[i] + eps * t, args[i] - eps * t
        np.testing.assert_allclose(jv, (f(*plus) - f(*minus)) / (2 * eps), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, args", _rows())
def test_second_order(f, args):
    """hvp (forward over reverse) and grad of grad (reverse over reverse) against central
    differences of the first derivative."""
    i = _float_args(args)[0]
    rng = np.random.RandomState(2)
    v = float(rng.randn()) if isinstance(args[i], float) else rng.randn(*np.shape(args[i]))
    df = s2s.grad(f, wrt=i)

    if len(args) == 1:
        def grad_dot_v(x):
            return np.sum(df(x) * v)
    elif len(args) == 2:
        def grad_dot_v(x, y):
            return np.sum(df(x, y) * v)
    else:
        def grad_dot_v(x, y, z):
            return np.sum(df(x, y, z) * v)

    want = numeric_grad(grad_dot_v, args, wrt=i, eps=1e-5)
    np.testing.assert_allclose(s2s.hvp(f, wrt=i)(*args, v), want, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(s2s.grad(grad_dot_v, wrt=i)(*args), want, rtol=1e-4, atol=1e-6)


def _einsum_of_sublists(x, s, y, t, o):
    return L(np.einsum(x, s, y, t, o))


def _einsum_of_three_with_sublists(x, s, y, t, z, u, o):
    return L(np.einsum(x, s, y, t, z, u, o))


def _einsum_of_a_spec(spec, x, y):
    return L(np.einsum(spec, x, y))


@pytest.mark.parametrize("f, args", [
    (_einsum_of_sublists, (A(2, 3), [0, 1], A(3, 2), [1, 2], [0, 2])),
    (_einsum_of_sublists, (A(2, 2, 3), (Ellipsis, 0, 1), A(3, 4), (1, 30), (Ellipsis, 30, 0))),
    (_einsum_of_three_with_sublists, (A(3, 4, 4), [0, 1, 2], A(4, 4, 3), [3, 1, 0], A(4, 4, 3), [3, 3, 0], [3, 2, 0])),
    (_einsum_of_a_spec, ("ij,jk->ik", A(2, 3), A(3, 2))),  # the subscripts form, with a name for its subscripts
], ids=["two", "ellipsis", "three", "subscripts_form"])
def test_einsum_with_sublists_passed_as_values(f, args):
    """Whether np.einsum's first argument is an operand or the subscripts shows at run
    time; both forms, in both modes and at second order, against central differences."""
    wrt = tuple(i for i, a in enumerate(args) if isinstance(a, np.ndarray))
    for i, g in zip(wrt, s2s.grad(f, wrt=wrt)(*args)):
        np.testing.assert_allclose(g, numeric_grad(f, args, wrt=i), rtol=1e-5, atol=1e-7)
    i = wrt[0]
    v = A(*args[i].shape)
    eps = 1e-6
    plus, minus = list(args), list(args)
    plus[i], minus[i] = args[i] + eps * v, args[i] - eps * v
    np.testing.assert_allclose(s2s.jvp(f, wrt=i)(*args, v)[1], (f(*plus) - f(*minus)) / (2 * eps), rtol=1e-5, atol=1e-7)
    df = s2s.grad(f, wrt=i)
    want = (df(*plus) - df(*minus)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(f, wrt=i)(*args, v), want, rtol=1e-4, atol=1e-6)


MATRIX_NORMS_BY_SINGULAR_VALUES = [
    ("two", lambda x: np.linalg.norm(x, 2)),
    ("minus_two", lambda x: np.linalg.norm(x, -2, axis=(2, 0))[1]),
    ("nuc_computed", lambda x, o="nuc": np.linalg.norm(x, o, axis=(0, 1), keepdims=True)[0, 0, 1]),
]


@pytest.mark.parametrize("f", [pytest.param(f, id=name) for name, f in MATRIX_NORMS_BY_SINGULAR_VALUES])
@pytest.mark.parametrize("shape", [(3, 2, 4), (4, 2, 3)], ids=["wide", "tall"])
def test_matrix_norms_by_singular_values(f, shape):
    """ord 2, -2 and 'nuc' over matrices, wide and tall: both modes and both second
    orders against central differences."""
    x = A(*shape)
    x = x[:, :, 0] if f is MATRIX_NORMS_BY_SINGULAR_VALUES[0][1] else x
    np.testing.assert_allclose(s2s.grad(f)(x), numeric_grad(f, (x,)), rtol=1e-5, atol=1e-7)
    t = A(*x.shape)
    eps = 1e-6
    np.testing.assert_allclose(s2s.jvp(f)(x, t)[1], (f(x + eps * t) - f(x - eps * t)) / (2 * eps), rtol=1e-5, atol=1e-7)
    df = s2s.grad(f)
    want = (df(x + eps * t) - df(x - eps * t)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(f)(x, t), want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2s.grad(lambda y: np.sum(df(y) * t))(x), want, rtol=1e-5, atol=1e-7)


def test_a_third_derivative_of_a_matrix_norm_by_singular_values_is_refused():
    # (a literal ord="nuc" is the sum of svdvals, differentiable to any order: this one
    # is known only when the call runs)
    def f(x, o="nuc"):
        return np.linalg.norm(x, o)

    x, t = A(3, 3), A(3, 3)
    df = s2s.grad(f)
    d2f = s2s.grad(lambda y: np.sum(df(y) * t))
    with pytest.raises(TypeError, match="no derivative rule with respect to its argument x"):
        s2s.grad(lambda y: np.sum(d2f(y) * t))(x)


def complex_valued(x):
    return x * 1j


def test_grad_of_a_complex_or_boolean_output_is_a_type_error():
    with pytest.raises(TypeError, match="real-valued"):
        s2s.grad(complex_valued)(0.5)
    with pytest.raises(TypeError, match="real-valued"):
        s2s.grad(lambda x: x > 0.0)(0.5)


def test_grad_of_an_output_of_size_one():
    x = A(3)
    got = s2s.grad(lambda x: np.sum(np.sin(x), keepdims=True)[None])(x)
    np.testing.assert_allclose(got, np.cos(x))


def test_masked_arrays_are_refused():
    x = np.ma.masked_array([0.1, 0.2, 0.3], mask=[0, 1, 0])
    with pytest.raises(TypeError, match="masked"):
        s2s.grad(lambda v: np.sum(np.sin(v)))(x)


# Complex arguments: autograd's convention, with autograd as the oracle.
COMPLEX = [
    ("abs_squared", lambda z: np.abs(z) ** 2, lambda z: anp.abs(z) ** 2),
    ("real_of_square", lambda z: np.real(z * z), lambda z: anp.real(z * z)),
    ("imag_of_exp", lambda z: np.imag(np.exp(z)), lambda z: anp.imag(anp.exp(z))),
    ("angle", lambda z: np.angle(z), lambda z: anp.angle(z)),
    ("conj_product", lambda z: np.real(np.conj(z) * np.sin(z)), lambda z: anp.real(anp.conj(z) * anp.sin(z))),
    ("var_std", lambda z: np.var(np.array([z, 2.0 * z * z, 1.0])) + np.std(np.array([z, 1.0])),
     lambda z: anp.var(anp.array([z, 2.0 * z * z, 1.0])) + anp.std(anp.array([z, 1.0]))),
    ("norms", lambda z: np.linalg.norm(np.array([z, 1.0 + z * z])) + np.linalg.norm(np.array([z, 2.0]), 3),
     lambda z: anp.linalg.norm(anp.array([z, 1.0 + z * z])) + anp.linalg.norm(anp.array([z, 2.0]), 3)),
    ("svd_complex", lambda z: np.sum(np.linalg.svd(np.array([[z, 1.0, 0.5], [2.0, z * z, 1j]]), full_matrices=False)[1] ** 3)
     + np.sum(np.abs(np.linalg.svd(np.array([[z, 1.0], [2.0, z * z], [1j, 0.5]]), full_matrices=False)[0]) * np.arange(6.0).reshape(3, 2)),
     lambda z: anp.sum(anp.linalg.svd(anp.array([[z, 1.0, 0.5], [2.0, z * z, 1j]]), full_matrices=False)[1] ** 3)
     + anp.sum(anp.abs(anp.linalg.svd(anp.array([[z, 1.0], [2.0, z * z], [1j, 0.5]]), full_matrices=False)[0]) * anp.arange(6.0).reshape(3, 2))),
    ("eigvalsh_hermitian", lambda z: np.sum(np.linalg.eigvalsh(np.array([[2.0, 0.0], [z, 3.0 * z]])) ** 3),
     lambda z: anp.sum(anp.linalg.eigh(anp.array([[2.0, 0.0], [z, 3.0 * z]]))[0] ** 3)),
    ("eigh_vectors_upper", lambda z: np.sum(np.abs(np.linalg.eigh(np.array([[1.0, z], [0.0, 3.0]]), "U")[1]) * np.arange(4.0).reshape(2, 2)),
     lambda z: anp.sum(anp.abs(anp.linalg.eigh(anp.array([[1.0, z], [0.0, 3.0]]), "U")[1]) * anp.arange(4.0).reshape(2, 2))),
]


@pytest.mark.parametrize("f, f_autograd", [pytest.param(f, g, id=name) for name, f, g in COMPLEX])
def test_complex_arguments_follow_autograd(f, f_autograd):
    z = 0.7 - 1.3j
    np.testing.assert_allclose(s2s.grad(f)(z), autograd.grad(f_autograd)(z), rtol=1e-10)


def scale_complex(s, z):
    return np.dot(s, z) * (2.0 - 1.0j)


def scale_complex_autograd(s, z):
    return anp.dot(s, z) * (2.0 - 1.0j)


@pytest.mark.parametrize("s", [1.5, np.float64(1.5), np.array([1.5, -0.5, 2.0])], ids=["float", "float64", "array"])
def test_a_real_argument_of_a_complex_output_gets_a_real_gradient(s):
    # the pullback of a complex cotangent: a real argument's part of it is the real part
    # (the adjoint of the inclusion of the reals into the complex numbers), as autograd's
    z = np.array([0.3 + 1.0j, -2.0 + 0.5j, 0.7 - 0.2j])
    u = 1.0 - 2.0j if np.ndim(s) else np.array([1.0 - 2.0j, 0.5 + 0.5j, -1.0 + 0.3j])
    _, pullback = s2s.vjp(scale_complex, wrt=(0, 1))(s, z)
    got = pullback(u)
    want = autograd.make_vjp(scale_complex_autograd, argnum=0)(s, z)[0](u)
    assert type(got[0]) is type(s) and np.isrealobj(got[0])
    np.testing.assert_allclose(got[0], want, rtol=1e-12)
    np.testing.assert_allclose(got[1], autograd.make_vjp(scale_complex_autograd, argnum=1)(s, z)[0](u), rtol=1e-12)


# ------------------------------------------------------------ the declarative forms, for users


@s2s.primitive
def softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


@s2s.primitive
def scaled_reverse(x, scale):
    return x[::-1] * scale


s2s.elementwise({"softplus(x)": "1.0 / (1.0 + exp(-x))"}, sys.modules[__name__], within=(np,))


@s2s.linear(scaled_reverse)
def scaled_reverse_transpose(result, x, scale):
    d[x] = d[result][::-1] * scale  # noqa: F821 - `d` is template syntax


@s2s.primitive
def shifted(x, k):
    return np.roll(x, k)


@s2s.primitive
def cube(x):
    return x * x * x


# The one-line forms: a table of transposes, and a table of (adjoint, tangent).
s2s.linear({"shifted(x, k)": "d[x] = np.roll(d[result], -k)"})
s2s.rule_table({"cube(x)": ("d[x] = d[result] * 3.0 * x * x", "d[result] = d[x] * 3.0 * x * x")})

USER_ROWS = [
    ("softplus", lambda x: L(softplus(x)), (A(4),)),
    ("linear", lambda x: L(scaled_reverse(x, 3.0)), (A(4),)),
    ("linear-table", lambda x: L(shifted(x, 1) * x), (A(4),)),
    ("rule-table", lambda x: L(cube(x)), (A(4),)),
]


@pytest.mark.parametrize("f, args", [pytest.param(f, a, id=n) for n, f, a in USER_ROWS])
def test_user_declared_rules(f, args):
    test_grad(f, args)
    test_jvp(f, args)
    test_second_order(f, args)


def test_a_rule_table_naming_what_its_module_does_not_bind_is_refused():
    with pytest.raises(NameError, match="cube_adjoint_helper"):
        s2s.rule_table({"cube(x)": ("d[x] = cube_adjoint_helper(d[result], x)", "d[result] = d[x]")})
    assert s2s.rules.adjoint_rule(cube).source.strip().endswith("d[x] = d[result] * 3.0 * x * x")
    with pytest.raises(TypeError, match="gives adjoint and tangent rule text"):
        s2s.rule_table({"cube(x)": "d[x] = d[result] * 3.0 * x * x"})


# ------------------------------------------------------------ scipy.integrate.odeint (adjoint method)


def decay(y, t, k):
    return -k * y + np.sin(t)


def solution_energy(y0, k):
    ys = odeint(decay, y0, np.linspace(0.0, 1.0, 5), args=(k,))
    return np.sum(ys ** 2)


def test_odeint_by_the_adjoint_method():
    y0, k = np.array([1.0, 0.5]), 0.7
    dy0, dk = s2s.grad(solution_energy, wrt=(0, 1))(y0, k)
    np.testing.assert_allclose(dy0, numeric_grad(solution_energy, (y0, k), 0), rtol=1e-5)
    np.testing.assert_allclose(dk, numeric_grad(solution_energy, (y0, k), 1), rtol=1e-5)
    t = np.array([1.0, -1.0])
    _, jv = s2s.jvp(solution_energy)(y0, k, t)
    np.testing.assert_allclose(jv, np.sum(numeric_grad(solution_energy, (y0, k), 0) * t), rtol=1e-5)
    _, jk = s2s.jvp(solution_energy, wrt=1)(y0, k, 1.0)
    np.testing.assert_allclose(jk, dk, rtol=1e-5)


def stiff_energy(y0, k):
    ys = odeint(decay, y0, np.linspace(0.0, 2.0, 4), args=(30.0 * k,), rtol=1e-11, atol=1e-12)
    return np.sum(ys ** 2)


def test_odeint_with_tolerances():
    """rtol/atol set the solution's accuracy; the derivative is the exact flow's."""
    y0, k = np.array([1.0, 0.5]), 0.7
    dy0, dk = s2s.grad(stiff_energy, wrt=(0, 1))(y0, k)
    np.testing.assert_allclose(dy0, numeric_grad(stiff_energy, (y0, k), 0), rtol=1e-6)
    np.testing.assert_allclose(dk, numeric_grad(stiff_energy, (y0, k), 1), rtol=1e-6)
    _, jk = s2s.jvp(stiff_energy, wrt=1)(y0, k, 1.0)
    np.testing.assert_allclose(jk, dk, rtol=1e-6)


def logistic_and_decay(y, t, r, k):
    return np.array([r * y[0] * (1.0 - y[0]), -k * y[1]])


TIMES = np.linspace(0.0, 1.5, 4)
WEIGHTS = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 1.1], [1.3, 0.4]])


def logistic_and_decay_energy(y0, rk):
    ys = odeint(logistic_and_decay, y0, TIMES, args=(rk[0], rk[1]), rtol=1e-12, atol=1e-12)
    return np.sum(WEIGHTS * ys ** 2) + ys[-1, 0] * ys[-1, 1]


def logistic_and_decay_energy_closed_form(y0, rk):
    """The same energy from the ODE's solution in closed form, for autograd."""
    u = 1.0 / (1.0 + (1.0 / y0[0] - 1.0) * anp.exp(-rk[0] * TIMES))
    v = y0[1] * anp.exp(-rk[1] * TIMES)
    ys = anp.stack([u, v], axis=1)
    return anp.sum(WEIGHTS * ys ** 2) + u[-1] * v[-1]


def test_odeint_to_second_order():
    """hvp (forward over reverse), hessian, grad of grad, jvp of jvp and grad of jvp of a
    function of odeint's solution, against autograd on the solution in closed form."""
    f, closed = logistic_and_decay_energy, logistic_and_decay_energy_closed_form
    y0, rk = np.array([0.3, 1.2]), np.array([1.7, 0.6])
    u, w = np.array([0.4, -1.1]), np.array([-0.8, 0.5])
    for i, v in ((0, u), (1, w)):
        hessian = autograd.hessian(closed, i)(y0, rk)
        np.testing.assert_allclose(s2s.hvp(f, wrt=i)(y0, rk, v), hessian @ v, rtol=1e-6)
        np.testing.assert_allclose(s2s.hessian(f, wrt=i)(y0, rk), hessian, rtol=1e-6, atol=1e-9)
    # across the two arguments, by both compositions of the first-order derivatives
    mixed = autograd.jacobian(autograd.grad(closed, 0), 1)(y0, rk)
    np.testing.assert_allclose(s2s.jvp(s2s.grad(f, wrt=0), wrt=1)(y0, rk, w)[1], mixed @ w, rtol=1e-6)

    def directional(y0, rk):
        return s2s.jvp(f, wrt=0)(y0, rk, u)[1]

    np.testing.assert_allclose(s2s.grad(directional, wrt=1)(y0, rk), u @ mixed, rtol=1e-6)
    np.testing.assert_allclose(s2s.jvp(directional, wrt=1)(y0, rk, w)[1], u @ mixed @ w, rtol=1e-6)

    def directional_grad(y0, rk):
        return np.sum(s2s.grad(f, wrt=1)(y0, rk) * w)

    np.testing.assert_allclose(s2s.grad(directional_grad, wrt=0)(y0, rk), mixed @ w, rtol=1e-6)


def logistic_and_decay_at(times, y0, rk):
    ys = odeint(logistic_and_decay, y0, times, args=(rk[0], rk[1]), rtol=1e-12, atol=1e-12)
    return np.sum(WEIGHTS * ys ** 2) + ys[-1, 0] * ys[-1, 1]


def logistic_and_decay_at_closed_form(times, y0, rk):
    """The solution from times[0], in closed form."""
    elapsed = times - times[0]
    u = 1.0 / (1.0 + (1.0 / y0[0] - 1.0) * anp.exp(-rk[0] * elapsed))
    v = y0[1] * anp.exp(-rk[1] * elapsed)
    return anp.sum(WEIGHTS * anp.stack([u, v], axis=1) ** 2) + u[-1] * v[-1]


def test_odeint_with_respect_to_its_times():
    """Each row moves with its own time, and every later row with the first time; both
    modes and second order, against autograd on the closed form."""
    f, closed = logistic_and_decay_at, logistic_and_decay_at_closed_form
    times, y0, rk = np.array([0.2, 0.5, 1.1, 1.6]), np.array([0.3, 1.2]), np.array([1.7, 0.6])
    dt, u = np.array([0.3, -0.5, 0.8, 0.4]), np.array([0.4, -1.1])
    gradient = autograd.grad(closed)(times, y0, rk)
    np.testing.assert_allclose(s2s.grad(f)(times, y0, rk), gradient, rtol=1e-7)
    np.testing.assert_allclose(s2s.jvp(f)(times, y0, rk, dt)[1], gradient @ dt, rtol=1e-7)
    hessian = autograd.hessian(closed)(times, y0, rk)
    np.testing.assert_allclose(s2s.hvp(f)(times, y0, rk, dt), hessian @ dt, rtol=1e-6)
    mixed = autograd.jacobian(autograd.grad(closed, 0), 1)(times, y0, rk)
    np.testing.assert_allclose(s2s.jvp(s2s.grad(f), wrt=1)(times, y0, rk, u)[1], mixed @ u, rtol=1e-6)


def test_a_third_derivative_through_odeint_raises():
    y0, rk, u = np.array([0.3, 1.2]), np.array([1.7, 0.6]), np.array([0.4, -1.1])

    def curvature(y0):
        return np.sum(s2s.grad(logistic_and_decay_energy)(y0, rk) * u)

    def third(y0):
        return np.sum(s2s.grad(curvature)(y0) * u)

    with pytest.raises(s2s.TransformError, match="no derivative rule"):
        s2s.grad(third)(y0)


def softplus_by_logs(k):
    return np.log(1.0 + np.exp(k))


@pytest.mark.parametrize("k", [-30.0, 3.0, 30.0, 500.0])
def test_a_quotient_rule_divides_the_derivative_first(k):
    """The second derivative of log(1 + exp(k)) is s(1 - s), s the logistic function,
    about exp(-500) at k = 500. Its code takes the tangent of `g / y` with y = 1 + exp(k):
    grouped `d[y] * (g / y)`, g / y underflowed to zero and the result was 1.0. (The
    formula's own cancellation, two terms near 1, leaves an absolute error near 1e-16.)"""
    want = np.exp(-abs(k)) / (1.0 + np.exp(-abs(k))) ** 2
    np.testing.assert_allclose(s2s.hvp(softplus_by_logs)(k, 1.0), want, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(s2s.grad(s2s.grad(softplus_by_logs))(k), want, rtol=1e-9, atol=1e-15)
