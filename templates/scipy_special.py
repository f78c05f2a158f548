"""SciPy: scipy.special and the normal distribution of scipy.stats.

SciPy is optional: without it this module registers nothing (but the rule of the
numpy-only helper `one_if_none`). The rules call scipy.special only for functions
that have rules here (digamma -> polygamma -> polygamma, log_ndtr -> log_ndtr), so
they can be differentiated again.

`scipy.stats.norm.logpdf`, `.pdf` and `.cdf` are bound methods of the `norm` object (a
new method object at each attribute access: the rule registry keys them by object and
function).
"""
import numpy as np

from s2s.rules import adjoint, tangent
from s2s.runtime import grad_reduce, one_if_none, unbroadcast

# ruff: noqa: F821 - `d` is template syntax
# ruff: noqa: F811 - the adjoint and the tangent rule of a primitive share a name


@adjoint(one_if_none)
def one_if_none_(result, b):
    d[b] = d[result]


@tangent(one_if_none)
def one_if_none_(result, b):
    d[result] = d[b]


try:
    from scipy import special, stats
except ImportError:  # pragma: no cover - scipy is optional
    special = stats = None

if special is not None:

    # logsumexp(a, axis, b, keepdims) = log(sum(b * exp(a))); w = b * exp(a - result) are
    # the softmax weights. return_sign= is not supported (the result would be a pair).
    @adjoint(special.logsumexp)
    def logsumexp(result, a, axis=None, b=None, keepdims=False):
        r = grad_reduce(result, a * one_if_none(b), axis, keepdims)
        w = one_if_none(b) * np.exp(a - r)
        g = grad_reduce(d[result], w, axis, keepdims)
        d[a] = unbroadcast(g * w, a)
        d[b] = unbroadcast(g * np.exp(a - r), b)

    @tangent(special.logsumexp)
    def logsumexp(result, a, axis=None, b=None, keepdims=False):
        r = grad_reduce(result, a * one_if_none(b), axis, keepdims)
        d[result] = np.sum(d[a] * one_if_none(b) * np.exp(a - r), axis=axis, keepdims=keepdims) + np.sum(
            d[b] * np.exp(a - r), axis=axis, keepdims=keepdims
        )

    # ------------------------------------------------------------ gamma functions

    @adjoint(special.gammaln)
    def gammaln(result, x):
        d[x] = d[result] * special.digamma(x)

    @tangent(special.gammaln)
    def gammaln(result, x):
        d[result] = d[x] * special.digamma(x)

    @adjoint(special.digamma, special.psi)
    def digamma(result, x):
        d[x] = d[result] * special.polygamma(1, x)

    @tangent(special.digamma, special.psi)
    def digamma(result, x):
        d[result] = d[x] * special.polygamma(1, x)

    # the order n is an integer: no derivative
    @adjoint(special.polygamma)
    def polygamma(result, n, x):
        d[x] = unbroadcast(d[result] * special.polygamma(n + 1, x), x)

    @tangent(special.polygamma)
    def polygamma(result, n, x):
        d[result] = d[x] * special.polygamma(n + 1, x)

    # ------------------------------------------------------------ logistic functions

    @adjoint(special.expit)
    def expit(result, x):
        d[x] = d[result] * result * (1.0 - result)

    @tangent(special.expit)
    def expit(result, x):
        d[result] = d[x] * result * (1.0 - result)

    @adjoint(special.logit)
    def logit(result, x):
        d[x] = d[result] / (x * (1.0 - x))

    @tangent(special.logit)
    def logit(result, x):
        d[result] = d[x] / (x * (1.0 - x))

    # ------------------------------------------------------------ error functions and the normal cdf

    @adjoint(special.erf)
    def erf(result, z):
        d[z] = d[result] * 2.0 / np.sqrt(np.pi) * np.exp(-z * z)

    @tangent(special.erf)
    def erf(result, z):
        d[result] = d[z] * 2.0 / np.sqrt(np.pi) * np.exp(-z * z)

    @adjoint(special.erfc)
    def erfc(result, x):
        d[x] = -d[result] * 2.0 / np.sqrt(np.pi) * np.exp(-x * x)

    @tangent(special.erfc)
    def erfc(result, x):
        d[result] = -d[x] * 2.0 / np.sqrt(np.pi) * np.exp(-x * x)

    @adjoint(special.ndtr)
    def ndtr(result, x):
        d[x] = d[result] * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)

    @tangent(special.ndtr)
    def ndtr(result, x):
        d[result] = d[x] * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)

    # pdf / cdf, computed in logs (no underflow far in the left tail)
    @adjoint(special.log_ndtr)
    def log_ndtr(result, x):
        d[x] = d[result] * np.exp(-0.5 * x * x - result) / np.sqrt(2.0 * np.pi)

    @tangent(special.log_ndtr)
    def log_ndtr(result, x):
        d[result] = d[x] * np.exp(-0.5 * x * x - result) / np.sqrt(2.0 * np.pi)

    # ------------------------------------------------------------ x log y

    @adjoint(special.xlogy)
    def xlogy(result, x, y):
        d[x] = unbroadcast(d[result] * np.log(y), x)
        d[y] = unbroadcast(d[result] * x / y, y)

    @tangent(special.xlogy)
    def xlogy(result, x, y):
        d[result] = d[x] * np.log(y) + d[y] * x / y


if stats is not None:

    # ------------------------------------------------------------ the normal distribution
    # Bound methods of the `norm` object; z = (x - loc) / scale. Each rule is written out
    # (no call of scipy.stats in a rule).

    @adjoint(stats.norm.logpdf)
    def norm_logpdf(result, x, loc=0.0, scale=1.0):
        d[x] = unbroadcast(-d[result] * (x - loc) / (scale * scale), x)
        d[loc] = unbroadcast(d[result] * (x - loc) / (scale * scale), loc)
        d[scale] = unbroadcast(d[result] * ((x - loc) * (x - loc) / (scale * scale) - 1.0) / scale, scale)

    @tangent(stats.norm.logpdf)
    def norm_logpdf(result, x, loc=0.0, scale=1.0):
        d[result] = (
            -d[x] * (x - loc) / (scale * scale)
            + d[loc] * (x - loc) / (scale * scale)
            + d[scale] * ((x - loc) * (x - loc) / (scale * scale) - 1.0) / scale
        )

    @adjoint(stats.norm.pdf)
    def norm_pdf(result, x, loc=0.0, scale=1.0):
        d[x] = unbroadcast(-d[result] * result * (x - loc) / (scale * scale), x)
        d[loc] = unbroadcast(d[result] * result * (x - loc) / (scale * scale), loc)
        d[scale] = unbroadcast(d[result] * result * ((x - loc) * (x - loc) / (scale * scale) - 1.0) / scale, scale)

    @tangent(stats.norm.pdf)
    def norm_pdf(result, x, loc=0.0, scale=1.0):
        d[result] = (
            -d[x] * result * (x - loc) / (scale * scale)
            + d[loc] * result * (x - loc) / (scale * scale)
            + d[scale] * result * ((x - loc) * (x - loc) / (scale * scale) - 1.0) / scale
        )

    @adjoint(stats.norm.cdf)
    def norm_cdf(result, x, loc=0.0, scale=1.0):
        d[x] = unbroadcast(d[result] * np.exp(-0.5 * ((x - loc) / scale) ** 2) / (np.sqrt(2.0 * np.pi) * scale), x)
        d[loc] = unbroadcast(-d[result] * np.exp(-0.5 * ((x - loc) / scale) ** 2) / (np.sqrt(2.0 * np.pi) * scale), loc)
        d[scale] = unbroadcast(
            -d[result] * np.exp(-0.5 * ((x - loc) / scale) ** 2) * (x - loc) / (np.sqrt(2.0 * np.pi) * scale * scale),
            scale,
        )

    @tangent(stats.norm.cdf)
    def norm_cdf(result, x, loc=0.0, scale=1.0):
        d[result] = (
            d[x] * np.exp(-0.5 * ((x - loc) / scale) ** 2) / (np.sqrt(2.0 * np.pi) * scale)
            - d[loc] * np.exp(-0.5 * ((x - loc) / scale) ** 2) / (np.sqrt(2.0 * np.pi) * scale)
            - d[scale] * np.exp(-0.5 * ((x - loc) / scale) ** 2) * (x - loc) / (np.sqrt(2.0 * np.pi) * scale * scale)
        )
