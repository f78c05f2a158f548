"""A loop that fills y[i] element by element (n = 1000): the gradient against the
primal, a hand-written gradient and autograd (which cannot differentiate in-place
updates, so its version builds a list), in one process.

    python benchmarks/bench_inplace.py
"""
import numpy as np
from timing import best_times

import s2s

try:
    import autograd
    import autograd.numpy as anp
except ImportError:
    autograd = None


def fill(x):
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = y[i - 1] * 0.5 + x[i] ** 2
    return np.sum(y * y)


def fill_grad_by_hand(x):
    n = len(x)
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, n):
        y[i] = y[i - 1] * 0.5 + x[i] ** 2
    dy = 2.0 * y
    dx = np.zeros_like(x)
    for i in range(n - 1, 0, -1):
        dx[i] += dy[i] * 2.0 * x[i]
        dy[i - 1] += dy[i] * 0.5
    dx[0] += dy[0]
    return dx


def autograd_fill(x):
    ys = [x[0]]
    for i in range(1, len(x)):
        ys.append(ys[-1] * 0.5 + x[i] ** 2)
    y = anp.array(ys)
    return anp.sum(y * y)


def main():
    x = np.random.RandomState(0).randn(1000) * 0.5
    dfill = s2s.grad(fill)
    np.testing.assert_allclose(dfill(x), fill_grad_by_hand(x), rtol=1e-10)
    t_p, t_h, t_s = best_times((fill, x), (fill_grad_by_hand, x), (dfill, x))
    print(f"fill y[i], n = {len(x)}")
    print(f"  primal       {t_p * 1e3:8.3f} ms")
    print(f"  by hand      {t_h * 1e3:8.3f} ms")
    print(f"  s2s.grad     {t_s * 1e3:8.3f} ms  ({t_s / t_p:4.2f}x primal, {t_s / t_h:4.2f}x by hand)")
    if autograd:
        (t_a,) = best_times((autograd.grad(autograd_fill), x))
        print(f"  autograd     {t_a * 1e3:8.3f} ms  (list version; {t_a / t_s:4.2f}x s2s)")


if __name__ == "__main__":
    main()
