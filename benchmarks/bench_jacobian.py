"""A 50 -> 50 Jacobian and an n = 100 Hessian: s2s against a hand-written NumPy
Jacobian / Hessian, autograd and (where installed, an optional benchmark dependency)
JAX's jit, in one process.

    python benchmarks/bench_jacobian.py

s2s builds both row by row (one pullback per output, or one pushforward per input),
so its cost grows with the number of rows; the hand-written ones are one matrix
expression each.
"""
import os
import sys

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # before numpy loads its BLAS
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")  # JAX too
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from timing import best_times  # noqa: E402

import s2s  # noqa: E402

try:
    import autograd
    import autograd.numpy as anp
except ImportError:
    autograd = None
try:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
except ImportError:
    jax = None

RS = np.random.RandomState(0)
W = RS.randn(50, 50) / 7.0


def layer(x):
    return np.tanh(W @ x) + 0.1 * x


def layer_jacobian(x):
    """By hand: diag(1 - tanh(Wx)^2) W + 0.1 I."""
    t = np.tanh(W @ x)
    return (1.0 - t * t)[:, None] * W + 0.1 * np.eye(len(x))


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    """By hand: tridiagonal."""
    n = len(x)
    H = np.zeros((n, n))
    diagonal = np.zeros(n)
    diagonal[:-1] = 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    diagonal[1:] += 200.0
    H[np.arange(n), np.arange(n)] = diagonal
    off = -400.0 * x[:-1]
    H[np.arange(n - 1), np.arange(1, n)] = off
    H[np.arange(1, n), np.arange(n - 1)] = off
    return H


def report(title, s2s_fn, hand_fn, x, autograd_fn=None, jax_fn=None):
    np.testing.assert_allclose(s2s_fn(x), hand_fn(x), rtol=1e-9, atol=1e-9)
    calls = [(s2s_fn, x), (hand_fn, x)]
    names = ["s2s", "hand-written NumPy"]
    if autograd_fn is not None:
        np.testing.assert_allclose(autograd_fn(x), hand_fn(x), rtol=1e-9, atol=1e-9)
        calls.append((autograd_fn, x))
        names.append("autograd")
    if jax_fn is not None:
        xj = jnp.asarray(x)
        jax_fn(xj).block_until_ready()
        calls.append((lambda v: jax_fn(v).block_until_ready(), xj))
        names.append("JAX jit")
    times = best_times(*calls)
    print(title)
    for name, t in zip(names, times):
        print(f"  {name:20s} {t * 1e6:10.1f} us   s2s / this: {times[0] / t:6.2f}x")


def main():
    x = RS.randn(50)
    a_layer = a_rosen = j_layer = j_rosen = None
    if autograd:
        def a_layer_f(v):
            return anp.tanh(anp.dot(W, v)) + 0.1 * v

        def a_rosen_f(v):
            return anp.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1.0 - v[:-1]) ** 2)

        a_layer, a_rosen = autograd.jacobian(a_layer_f), autograd.hessian(a_rosen_f)
    if jax:
        Wj = jnp.asarray(W)
        j_layer = jax.jit(jax.jacrev(lambda v: jnp.tanh(Wj @ v) + 0.1 * v))
        j_rosen = jax.jit(jax.hessian(lambda v: jnp.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1.0 - v[:-1]) ** 2)))
    report("Jacobian, 50 -> 50 (tanh layer)", s2s.jacobian(layer), layer_jacobian, x, a_layer, j_layer)
    y = RS.randn(100)
    report("Hessian, Rosenbrock n = 100", s2s.hessian(rosenbrock), rosenbrock_hessian, y, a_rosen, j_rosen)
    if not jax:
        print("(JAX is not installed: pip install jax to compare with jit)")


if __name__ == "__main__":
    main()
