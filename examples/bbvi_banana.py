"""Black-box variational inference: a diagonal Gaussian fitted to a 2-D banana density.

The seeds' "inference in a tweet" (Ryan Adams, 2015): the evidence lower bound is the
Gaussian's entropy plus the mean log density at reparameterised samples, and
s2s.grad differentiates it through the sampling, whatever density it is given.

    python examples/bbvi_banana.py [--quick] [--out bbvi_banana.png]
"""
import time

import numpy as np
from _gallery import adam, parse_args, plane_grid, pyplot, save

import s2s


def log_banana(z):
    """Unnormalised log density of a banana: x ~ N(0, 2^2), y | x ~ N(x^2 / 4 - 1, 0.5^2)."""
    x, y = z[:, 0], z[:, 1]
    return -0.5 * (x / 2.0) ** 2 - 0.5 * ((y - 0.25 * x ** 2 + 1.0) / 0.5) ** 2


def elbo(params, logprob, num_samples, seed):
    """params = [means, log standard deviations]: the evidence lower bound, by Monte Carlo."""
    D = len(params) // 2
    mean, log_std = params[:D], params[D:]
    samples = np.random.RandomState(seed).randn(num_samples, D) * np.exp(log_std) + mean
    entropy = 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
    return entropy + np.mean(logprob(samples))


def draw(params, path):
    plt = pyplot(path)
    if plt is None:
        return
    gx, gy, grid = plane_grid((-5, 5), (-3, 5), 200)
    mean, std = params[:2], np.exp(params[2:])
    log_q = -0.5 * np.sum(((grid - mean) / std) ** 2, axis=1)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.contour(gx, gy, np.exp(log_banana(grid)).reshape(gx.shape), levels=8, cmap="Blues")
    ax.contour(gx, gy, np.exp(log_q).reshape(gx.shape), levels=[np.exp(-2), np.exp(-0.5)], colors="C3")
    ax.set_title("BBVI: banana density (blue), fitted Gaussian (red, 1 and 2 sd)")
    save(fig, path)


def main(steps=1000, num_samples=200, out="bbvi_banana.png"):
    neg_elbo = lambda params, seed: -elbo(params, log_banana, num_samples, seed)  # noqa: E731
    gradient = s2s.grad(neg_elbo)

    def report(params, i):
        if i % max(1, steps // 5) == 0:
            print(f"step {i:4d}  ELBO {elbo(params, log_banana, 2000, 0):8.4f}")

    start = time.perf_counter()
    params = adam(gradient, np.array([1.0, 1.0, -1.0, -1.0]), steps, step_size=0.05, callback=report)
    print(f"{steps} steps in {time.perf_counter() - start:.1f} s: ELBO {elbo(params, log_banana, 2000, 0):.4f}, "
          f"mean {np.round(params[:2], 3)}, sd {np.round(np.exp(params[2:]), 3)}")
    print(f"(the bound's ceiling is the banana's log normaliser, log(2 pi) = {np.log(2 * np.pi):.4f})")
    draw(params, out)
    return params


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(steps=50, num_samples=20) if args.quick else {}), out=args.out or "bbvi_banana.png")
