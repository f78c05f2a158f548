"""Gaussian-process regression with hyperparameters fitted through a Cholesky, and
Bayesian optimisation on top of it.

The log marginal likelihood is written with np.linalg.cholesky and solves; s2s gives
its gradient to SciPy's L-BFGS. Bayesian optimisation then minimises a 1-D function:
at each step it refits the hyperparameters and maximises the expected improvement,
whose gradient with respect to the candidate point s2s also writes.

    python examples/gaussian_process.py [--quick] [--out gaussian_process.png]
"""
import time

import numpy as np
from _gallery import parse_args, pyplot, save
from scipy.optimize import minimize
from scipy.stats import norm

import s2s


def rbf(x1, x2, length, variance):
    return variance * np.exp(-0.5 * (x1[:, None] - x2[None, :]) ** 2 / length ** 2)


def unpack(log_params):
    """Length scale, signal variance and noise variance, kept positive through logs."""
    return np.exp(log_params[0]), np.exp(log_params[1]), np.exp(log_params[2]) + 1e-6


def log_marginal_likelihood(log_params, x, y):
    length, variance, noise = unpack(log_params)
    K = rbf(x, x, length, variance) + noise * np.eye(len(x))
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return -0.5 * np.dot(y, alpha) - np.sum(np.log(np.diag(L))) - 0.5 * len(x) * np.log(2 * np.pi)


def posterior(x_new, log_params, x, y):
    """Mean and variance of the latent function at x_new, given the data."""
    length, variance, noise = unpack(log_params)
    L = np.linalg.cholesky(rbf(x, x, length, variance) + noise * np.eye(len(x)))
    K_cross = rbf(x_new, x, length, variance)
    mean = K_cross @ np.linalg.solve(L.T, np.linalg.solve(L, y))
    v = np.linalg.solve(L, K_cross.T)
    return mean, variance - np.sum(v ** 2, axis=0)


def expected_improvement(x_new, log_params, x, y):
    """E[max(best - f(x_new), 0)] under the posterior: how much x_new may beat the best y."""
    mean, var = posterior(x_new, log_params, x, y)
    sd = np.sqrt(np.maximum(var, 1e-12))
    z = (np.min(y) - mean) / sd
    return np.sum((np.min(y) - mean) * norm.cdf(z) + sd * norm.pdf(z))


def fit(x, y, log_params):
    neg_lml = s2s.value_and_grad(lambda p, x, y: -log_marginal_likelihood(p, x, y))
    result = minimize(neg_lml, log_params, args=(x, y), jac=True, method="L-BFGS-B",
                      bounds=[(-3, 3), (-5, 5), (-10, 1)])
    return result.x, -result.fun


def objective(x):
    """The function Bayesian optimisation minimises (unknown to it): several local minima."""
    return np.sin(3 * x) + 0.3 * x ** 2 - 0.5 * x


def bayesian_optimisation(x, y, iterations, rs, lower=-3.0, upper=3.0, restarts=5):
    d_ei = s2s.grad(lambda c, p, x, y: -expected_improvement(c, p, x, y))
    log_params = np.zeros(3)
    for i in range(iterations):
        log_params, _ = fit(x, y, log_params)
        starts = rs.uniform(lower, upper, (restarts, 1))
        candidates = [minimize(lambda c: -expected_improvement(c, log_params, x, y), s,
                               jac=lambda c: d_ei(c, log_params, x, y), method="L-BFGS-B",
                               bounds=[(lower, upper)]) for s in starts]
        best = min(candidates, key=lambda r: r.fun)
        x, y = np.append(x, best.x), np.append(y, objective(best.x))
        print(f"  step {i}: evaluated f({best.x[0]:+.3f}) = {y[-1]:+.4f}  (best so far {np.min(y):+.4f})")
    return x, y, log_params


def draw(regression, search, path):
    plt = pyplot(path)
    if plt is None:
        return
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    for ax, (x, y, log_params, title), truth in zip(axes, [regression, search], [np.sin, objective]):
        grid = np.linspace(-3, 3, 300)
        mean, var = posterior(grid, log_params, x, y)
        sd = np.sqrt(np.maximum(var, 0))
        ax.fill_between(grid, mean - 2 * sd, mean + 2 * sd, color="C0", alpha=0.3, label="posterior, 2 sd")
        ax.plot(grid, mean, "C0")
        ax.plot(grid, truth(grid), "k--", lw=1, label="true function")
        ax.plot(x, y, "k.", label="observations")
        ax.set_title(title, fontsize=10)
    axes[0].legend(fontsize=8, loc="lower right")
    axes[1].plot(x[np.argmin(y)], np.min(y), "r*", ms=14, label="best found")
    axes[1].legend(fontsize=8, loc="upper center")
    save(fig, path)


def main(n=25, iterations=8, out="gaussian_process.png", seed=0):
    rs = np.random.RandomState(seed)
    x = np.sort(rs.uniform(-3, 3, n))
    y = np.sin(x) + 0.1 * rs.randn(n)
    start = time.perf_counter()
    log_params, lml = fit(x, y, np.zeros(3))
    length, variance, noise = unpack(log_params)
    print(f"GP regression on {n} points: length scale {length:.3f}, signal sd {np.sqrt(variance):.3f}, "
          f"noise sd {np.sqrt(noise):.3f} (true 0.1); log marginal likelihood {lml:.3f} "
          f"({time.perf_counter() - start:.2f} s)")
    regression = (x, y, log_params, "GP regression, hyperparameters fitted through a Cholesky")

    print(f"Bayesian optimisation, {iterations} steps from 3 random points:")
    start = time.perf_counter()
    xs = rs.uniform(-3, 3, 3)
    xs, ys, log_params = bayesian_optimisation(xs, objective(xs), iterations, rs)
    grid = np.linspace(-3, 3, 10001)
    print(f"best f = {np.min(ys):.4f} at x = {xs[np.argmin(ys)]:.4f}; the true minimum on [-3, 3] is "
          f"{np.min(objective(grid)):.4f} at {grid[np.argmin(objective(grid))]:.4f} "
          f"({time.perf_counter() - start:.1f} s)")
    draw(regression, (xs, ys, log_params, f"Bayesian optimisation, {iterations} steps"), out)
    return log_params, xs, ys


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(n=10, iterations=2) if args.quick else {}), out=args.out or "gaussian_process.png")
