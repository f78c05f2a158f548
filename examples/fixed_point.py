"""Differentiating a fixed point: implicit differentiation (s2s.fixed_point) next to
backpropagation through the unrolled iteration, each against the exact gradient.

The equilibrium z = tanh(W z + b) of a contraction is found by iteration. Unrolled,
the gradient of a loss of z with respect to b is backpropagation through every
iteration, and is only as good as the iteration is long. s2s.fixed_point
differentiates the equilibrium itself by the implicit function theorem (the seeds'
"differentiating fixed points"): the backward sweep solves one more fixed point, and
keeps no tape of the iterations. Both errors fall with the forward iterations, at
similar rates; the unrolled gradient's memory grows with them, the implicit one's not.

    python examples/fixed_point.py [--quick] [--out fixed_point.png]
"""
import time
import tracemalloc

import numpy as np
from _gallery import parse_args, pyplot, save

import s2s

TARGET_SEED = 1


def layer(b, z, W):
    return np.tanh(W @ z + b)


def contraction(size, rate, rs):
    """A random symmetric W of spectral norm `rate`: z -> tanh(W z + b) contracts at about that rate."""
    W = rs.randn(size, size)
    W = W + W.T
    return rate * W / np.linalg.norm(W, 2)


def loss_unrolled(b, W, target, iterations):
    z = np.zeros_like(b)
    for _ in range(iterations):
        z = layer(b, z, W)
    return np.sum((z - target) ** 2)


def loss_implicit(b, W, target, tol):
    def step(b, z):  # reads W: the equilibrium is differentiated with respect to W too
        return layer(b, z, W)

    z = s2s.fixed_point(step, b, np.zeros_like(b), tol=tol, max_iter=10000)
    return np.sum((z - target) ** 2)


def exact_gradient(b, W, target):
    """By hand: at z* = tanh(W z* + b), with D = diag(1 - z*^2), dL/db = D (I - W^T D)^-1 2 (z* - t)."""
    z = np.zeros_like(b)
    for _ in range(100000):
        z_next = layer(b, z, W)
        if np.max(np.abs(z_next - z)) < 1e-16:
            break
        z = z_next
    d = 1.0 - z_next ** 2
    u = np.linalg.solve(np.eye(len(b)) - W.T * d, 2.0 * (z_next - target))
    return d * u


def iterations_to(tol, b, W):
    """How many iterations fixed_point's forward sweep takes to reach `tol`."""
    z, count = np.zeros_like(b), 0
    while True:
        z_next, count = layer(b, z, W), count + 1
        if np.max(np.abs(z_next - z)) <= tol:
            return count
        z = z_next


def with_peak_memory(fn, *args):
    """fn(*args) and the peak of the memory Python allocated while it ran, in MB."""
    tracemalloc.start()
    try:
        value = fn(*args)
        return value, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def draw(unrolled, implicit, rate, path):
    plt = pyplot(path)
    if plt is None:
        return
    fig, (ax, mem) = plt.subplots(1, 2, figsize=(10, 3.6))
    labels = ["backpropagation through the unrolled iteration", "s2s.fixed_point (implicit), tol 1e-2 ... 1e-12"]
    for rows, marker, label in zip([unrolled, implicit], ["o-", "s-"], labels):
        iterations, errors, megabytes = zip(*rows)
        ax.semilogy(iterations, errors, marker, label=label)
        mem.plot(iterations, megabytes, marker, label=label)
    ax.set_ylabel("relative error of the gradient")
    mem.set_ylabel("peak memory of the gradient call (MB)")
    for a in (ax, mem):
        a.set_xlabel("forward iterations")
    ax.legend(fontsize=8)
    fig.suptitle(f"dL/db at the equilibrium z = tanh(W z + b), contraction rate {rate}", fontsize=10)
    save(fig, path)


def main(size=50, rate=0.95, iterations=(10, 25, 50, 100, 200, 400, 800), tolerances=(1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12),
         out="fixed_point.png", seed=0):
    rs = np.random.RandomState(seed)
    W = contraction(size, rate, rs)
    b, target = 0.1 * rs.randn(size), 0.1 * rs.randn(size)
    exact = exact_gradient(b, W, target)

    def error(g):
        return np.linalg.norm(g - exact) / np.linalg.norm(exact)

    def row(iterations, loss, *args):
        """(forward iterations, relative error of the gradient, peak MB of the gradient call)."""
        gradient, megabytes = with_peak_memory(s2s.grad(loss), b, W, target, *args)
        return iterations, error(gradient), megabytes

    start = time.perf_counter()
    s2s.grad(loss_unrolled)(b, W, target, 1), s2s.grad(loss_implicit)(b, W, target, 1.0)  # generate the code first
    unrolled = [row(n, loss_unrolled, n) for n in iterations]
    implicit = [row(iterations_to(tol, b, W), loss_implicit, tol) for tol in tolerances]
    print(f"dL/db for a {size}-unit equilibrium, contraction rate {rate} ({time.perf_counter() - start:.1f} s):")
    print("  unrolled:  " + "; ".join(f"{n} iterations: error {e:.1e}, {m:.2f} MB" for n, e, m in unrolled))
    print("  implicit:  " + "; ".join(f"tol {t:.0e} ({n} iterations): error {e:.1e}, {m:.2f} MB"
                                      for t, (n, e, m) in zip(tolerances, implicit)))
    draw(unrolled, implicit, rate, out)
    return unrolled, implicit


if __name__ == "__main__":
    args = parse_args(__doc__)
    small = dict(size=10, iterations=(5, 20), tolerances=(1e-3, 1e-8)) if args.quick else {}
    main(**small, out=args.out or "fixed_point.png")
