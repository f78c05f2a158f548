"""SciPy: scipy.special and the distributions of scipy.stats.

SciPy is optional: without it this module registers nothing. The elementwise functions are tables of derivatives
(see templates/elementwise.py), whose formulas call only functions with rules of their
own (digamma -> polygamma -> polygamma), so they can be differentiated again. None
marks an argument without a derivative here (an order, a count, the shape parameter of
a cdf): differentiating with respect to it raises.

`scipy.stats.norm.logpdf` and the like are bound methods of distribution objects (a new
method object at each attribute access: the rule registry keys them by object and
function); in a formula, `pdf` is the same distribution's pdf.
"""
import numpy as np

from s2s.declare import elementwise
from s2s.rules import adjoint, constant_in, non_differentiable, tangent
from s2s.runtime import fold_to_lower, grad_reduce, no_derivative, one_if_none, symmetrize_lower, unbroadcast

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


    elementwise(
        {
            # gamma and beta functions
            "gammaln(x)": "digamma(x)",
            "digamma(x)": "polygamma(1, x)",
            "polygamma(n, x)": (None, "polygamma(n + 1, x)"),
            "gamma(x)": "result * digamma(x)",
            "rgamma(x)": "-result * digamma(x)",
            "gammainc(a, x)": (None, "exp(-x) * x ** (a - 1.0) / gamma(a)"),
            "gammaincc(a, x)": (None, "-exp(-x) * x ** (a - 1.0) / gamma(a)"),
            "beta(a, b)": ("result * (digamma(a) - digamma(a + b))", "result * (digamma(b) - digamma(a + b))"),
            "betaln(a, b)": ("digamma(a) - digamma(a + b)", "digamma(b) - digamma(a + b)"),
            "betainc(a, b, x)": (None, None, "x ** (a - 1.0) * (1.0 - x) ** (b - 1.0) / beta(a, b)"),
            "multigammaln(a, p)": ("sum(digamma(expand_dims(a, -1) - 0.5 * arange(p)), axis=-1)", None),
            # logistic and error functions
            "expit(x)": "result * (1.0 - result)",
            "logit(x)": "1.0 / (x * (1.0 - x))",
            "erf(z)": "2.0 / sqrt(pi) * exp(-z * z)",
            "erfc(x)": "-2.0 / sqrt(pi) * exp(-x * x)",
            "erfinv(x)": "sqrt(pi) / 2.0 * exp(result * result)",
            "erfcinv(x)": "-sqrt(pi) / 2.0 * exp(result * result)",
            "ndtr(x)": "exp(-0.5 * x * x) / sqrt(2.0 * pi)",
            # pdf / cdf, computed in logs (no underflow far in the left tail)
            "log_ndtr(x)": "exp(-0.5 * x * x - result) / sqrt(2.0 * pi)",
            "xlogy(x, y)": ("log(y)", "x / y"),
            "xlog1py(x, y)": ("np.log1p(y)", "x / (1.0 + y)"),
            # Bessel functions
            "j0(x)": "-j1(x)",
            "j1(x)": "(j0(x) - jv(2, x)) / 2.0",
            "jv(v, z)": (None, "(jv(v - 1, z) - jv(v + 1, z)) / 2.0"),
            "y0(x)": "-y1(x)",
            "y1(x)": "(y0(x) - yn(2, x)) / 2.0",
            "yn(n, x)": (None, "(yn(n - 1, x) - yn(n + 1, x)) / 2.0"),
            "i0(x)": "i1(x)",
            "i1(x)": "(i0(x) + iv(2, x)) / 2.0",
            "iv(v, z)": (None, "(iv(v - 1, z) + iv(v + 1, z)) / 2.0"),
            "ive(v, z)": (None, "(ive(v - 1, z) + ive(v + 1, z)) / 2.0 - sign(z) * result"),
        },
        special,
        within=(special, np),
    )
    non_differentiable(special.gammasgn, no_derivative)


if stats is not None:
    # ------------------------------------------------------------ distributions
    # z = (x - loc) / scale; a cdf's derivative in x is the pdf, in loc minus that, in
    # scale minus z times that.
    elementwise(
        {
            "logpdf(x, loc=0.0, scale=1.0)": ("-(x - loc) / scale ** 2", "(x - loc) / scale ** 2",
                                              "((x - loc) ** 2 / scale ** 2 - 1.0) / scale"),
            "pdf(x, loc=0.0, scale=1.0)": ("-result * (x - loc) / scale ** 2", "result * (x - loc) / scale ** 2",
                                           "result * ((x - loc) ** 2 / scale ** 2 - 1.0) / scale"),
            "cdf(x, loc=0.0, scale=1.0)": ("pdf(x, loc, scale)", "-pdf(x, loc, scale)",
                                           "-(x - loc) / scale * pdf(x, loc, scale)"),
            "logcdf(x, loc=0.0, scale=1.0)": ("exp(logpdf(x, loc, scale) - result)", "-exp(logpdf(x, loc, scale) - result)",
                                              "-(x - loc) / scale * exp(logpdf(x, loc, scale) - result)"),
            "sf(x, loc=0.0, scale=1.0)": ("-pdf(x, loc, scale)", "pdf(x, loc, scale)", "(x - loc) / scale * pdf(x, loc, scale)"),
            "logsf(x, loc=0.0, scale=1.0)": ("-exp(logpdf(x, loc, scale) - result)", "exp(logpdf(x, loc, scale) - result)",
                                             "(x - loc) / scale * exp(logpdf(x, loc, scale) - result)"),
        },
        stats.norm,
        within=(np, stats.norm),
    )
    # Student's t: with u = (x - loc)^2 / (df scale^2)
    T_LOGPDF = (
        "-(df + 1.0) * (x - loc) / (df * scale ** 2 + (x - loc) ** 2)",
        "0.5 * (digamma((df + 1.0) / 2.0) - digamma(df / 2.0) - 1.0 / df - log1p((x - loc) ** 2 / (df * scale ** 2)))"
        " + (df + 1.0) * (x - loc) ** 2 / (2.0 * df * (df * scale ** 2 + (x - loc) ** 2))",
        "(df + 1.0) * (x - loc) / (df * scale ** 2 + (x - loc) ** 2)",
        "-1.0 / scale + (df + 1.0) * (x - loc) ** 2 / (scale * (df * scale ** 2 + (x - loc) ** 2))",
    )
    elementwise(
        {
            "logpdf(x, df, loc=0.0, scale=1.0)": T_LOGPDF,
            "pdf(x, df, loc=0.0, scale=1.0)": tuple(f"result * ({f})" for f in T_LOGPDF),
            "cdf(x, df, loc=0.0, scale=1.0)": ("pdf(x, df, loc, scale)", None, "-pdf(x, df, loc, scale)",
                                               "-(x - loc) / scale * pdf(x, df, loc, scale)"),
            "logcdf(x, df, loc=0.0, scale=1.0)": ("exp(logpdf(x, df, loc, scale) - result)", None,
                                                  "-exp(logpdf(x, df, loc, scale) - result)",
                                                  "-(x - loc) / scale * exp(logpdf(x, df, loc, scale) - result)"),
        },
        stats.t,
        within=(np, special, stats.t),
    )
    # shape parameters: the log density's derivatives, times the density for pdf
    for distribution, partials in (
        (stats.beta, {"logpdf(x, a, b)": ("(a - 1.0) / x - (b - 1.0) / (1.0 - x)",
                                          "log(x) - digamma(a) + digamma(a + b)", "log1p(-x) - digamma(b) + digamma(a + b)")}),
        (stats.chi2, {"logpdf(x, df)": ("(df / 2.0 - 1.0) / x - 0.5", "0.5 * (log(x) - log(2.0) - digamma(df / 2.0))")}),
        (stats.gamma, {"logpdf(x, a)": ("(a - 1.0) / x - 1.0", "log(x) - digamma(a)")}),
        (stats.poisson, {"logpmf(k, mu)": (None, "k / mu - 1.0")}),
    ):
        (head, logpdf), = partials.items()
        density = head.replace("log", "", 1)
        density_partials = tuple(f and f"result * ({f})" for f in logpdf)
        elementwise({head: logpdf, density: density_partials}, distribution, within=(np, special, distribution))
    elementwise({"cdf(x, a, b)": ("pdf(x, a, b)", None, None)}, stats.beta, within=(np, stats.beta))
    elementwise({"cdf(x, df)": ("pdf(x, df)", None)}, stats.chi2, within=(np, stats.chi2))
    elementwise({"cdf(x, a)": ("pdf(x, a)", None)}, stats.gamma, within=(np, stats.gamma))
    elementwise({"cdf(k, mu)": (None, "-pmf(floor(k), mu)")}, stats.poisson, within=(np, stats.poisson))

    # ------------------------------------------------------------ multivariate
    # r = x - mean, S = cov; logpdf = -r^T S^-1 r / 2 - log det(2 pi S) / 2. cov is read
    # from its lower triangle (by scipy's eigh), so its gradient folds onto it. pdf is
    # exp(logpdf) (passes/spellings.py), for dirichlet too. With allow_singular=True and
    # a singular S, the density lives on S's range and uses its pseudo-inverse S^+ and
    # pseudo-determinant, so the rules use S^+ (S^-1 where S is regular): w = S^+ r, and
    # the derivative in S is the one along the S of the same range.
    @adjoint(stats.multivariate_normal.logpdf)
    def mvn_logpdf(result, x, mean=0.0, cov=1.0, allow_singular=False):
        w = np.matmul(np.linalg.pinv(symmetrize_lower(cov)), np.swapaxes(np.atleast_2d(x - mean), -1, -2))
        g = np.atleast_1d(d[result])
        d[x] = np.reshape(-np.swapaxes(w, -1, -2) * np.expand_dims(g, -1), np.shape(x))
        d[mean] = np.reshape(np.sum(np.swapaxes(w, -1, -2) * np.expand_dims(g, -1), axis=0), np.shape(mean))
        d[cov] = fold_to_lower(0.5 * (np.matmul(w * g, np.swapaxes(w, -1, -2)) - np.sum(g) * np.linalg.pinv(symmetrize_lower(cov))))

    @tangent(stats.multivariate_normal.logpdf)
    def mvn_logpdf(result, x, mean=0.0, cov=1.0, allow_singular=False):
        w = np.matmul(np.linalg.pinv(symmetrize_lower(cov)), np.swapaxes(np.atleast_2d(x - mean), -1, -2))
        d[result] = (
            np.reshape(-np.sum(np.swapaxes(np.atleast_2d(d[x]), -1, -2) * w, axis=0), np.shape(result))
            + np.reshape(np.sum(np.swapaxes(np.atleast_2d(d[mean]), -1, -2) * w, axis=0), np.shape(result))
            + np.reshape(0.5 * (np.sum(w * np.matmul(symmetrize_lower(d[cov]), w), axis=0)
                                - np.trace(np.matmul(np.linalg.pinv(symmetrize_lower(cov)), symmetrize_lower(d[cov])))), np.shape(result))
        )

    @adjoint(stats.multivariate_normal.entropy)
    def mvn_entropy(result, mean=0.0, cov=1.0):
        d[cov] = fold_to_lower(0.5 * d[result] * np.linalg.inv(symmetrize_lower(cov)))

    @tangent(stats.multivariate_normal.entropy)
    def mvn_entropy(result, mean=0.0, cov=1.0):
        d[result] = 0.5 * np.trace(np.linalg.solve(symmetrize_lower(cov), symmetrize_lower(d[cov])))

    constant_in(stats.multivariate_normal.entropy, "mean")  # a Gaussian's entropy is the same at any mean

    # logpdf = sum((alpha - 1) log x) - sum(gammaln(alpha)) + gammaln(sum(alpha))
    @adjoint(stats.dirichlet.logpdf)
    def dirichlet_logpdf(result, x, alpha):
        d[x] = d[result] * (alpha - 1.0) / x
        d[alpha] = d[result] * (np.log(x) - special.digamma(alpha) + special.digamma(np.sum(alpha)))

    @tangent(stats.dirichlet.logpdf)
    def dirichlet_logpdf(result, x, alpha):
        d[result] = np.sum(d[x] * (alpha - 1.0) / x) + np.sum(
            d[alpha] * (np.log(x) - special.digamma(alpha) + special.digamma(np.sum(alpha)))
        )
