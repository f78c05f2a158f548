"""A Gaussian mixture fitted by gradient ascent on its log-likelihood.

Full covariances, parameterised as A A^T + eps I so that any A is valid, the mixture
weights through a softmax; the log density goes through a Cholesky per component, the
mixture through logsumexp. Adam climbs the s2s gradient.

    python examples/gmm.py [--quick] [--out gmm.png]
"""
import time

import numpy as np
from _gallery import adam, parse_args, plane_grid, pyplot, save
from scipy.special import logsumexp

import s2s


def component_log_densities(params, data):
    """(K, n): the log density of each data point under each Gaussian."""
    rows = []
    for mean, A in zip(params["means"], params["scales"]):
        L = np.linalg.cholesky(A @ A.T + 1e-3 * np.eye(len(mean)))
        z = np.linalg.solve(L, (data - mean).T)
        rows.append(-0.5 * np.sum(z ** 2, axis=0) - np.sum(np.log(np.diag(L))) - 0.5 * len(mean) * np.log(2 * np.pi))
    return np.stack(rows)


def log_likelihood(params, data):
    """Mean log-likelihood of the data under the mixture."""
    log_weights = params["log_weights"] - logsumexp(params["log_weights"])
    return np.mean(logsumexp(log_weights[:, None] + component_log_densities(params, data), axis=0))


def make_data(n, rs):
    centres = np.array([[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]])
    shapes = [np.array([[1.0, 0.6], [0.0, 0.4]]), np.array([[0.3, 0.0], [0.5, 0.9]]), np.array([[0.7, -0.5], [0.0, 0.3]])]
    labels = rs.choice(3, n, p=[0.5, 0.3, 0.2])
    return np.array([centres[k] + shapes[k] @ rs.randn(2) for k in labels])


def init_params(K, data, rs):
    return {
        "log_weights": np.zeros(K),
        "means": data[rs.choice(len(data), K, replace=False)],
        "scales": np.array([np.eye(2) for _ in range(K)]),
    }


def draw(params, data, path):
    plt = pyplot(path)
    if plt is None:
        return
    gx, gy, grid = plane_grid((-5, 4.5), (-4, 4), 150)
    log_weights = params["log_weights"] - logsumexp(params["log_weights"])
    density = np.exp(logsumexp(log_weights[:, None] + component_log_densities(params, grid), axis=0))
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.plot(*data.T, "k.", ms=2, alpha=0.5)
    ax.contour(gx, gy, density.reshape(gx.shape), levels=10, cmap="viridis")
    ax.plot(*params["means"].T, "r+", ms=12, mew=2)
    ax.set_title("Gaussian mixture by gradient ascent (s2s.grad)")
    save(fig, path)


def main(n=600, K=3, steps=200, out="gmm.png", seed=0):
    rs = np.random.RandomState(seed)
    data = make_data(n, rs)
    params = init_params(K, data, rs)
    gradient = s2s.grad(log_likelihood)

    def report(p, i):
        if i % max(1, steps // 5) == 0:
            print(f"step {i:4d}  mean log-likelihood {log_likelihood(p, data):.4f}")

    start = time.perf_counter()
    params = adam(lambda p, i: {k: -g for k, g in gradient(p, data).items()}, params, steps,
                  step_size=0.05, callback=report)
    weights = np.exp(params["log_weights"] - logsumexp(params["log_weights"]))
    print(f"{steps} Adam steps in {time.perf_counter() - start:.1f} s: mean log-likelihood "
          f"{log_likelihood(params, data):.4f}; weights {np.round(np.sort(weights)[::-1], 3)} (true 0.5, 0.3, 0.2)")
    draw(params, data, out)
    return params, data


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(n=60, steps=20) if args.quick else {}), out=args.out or "gmm.png")
