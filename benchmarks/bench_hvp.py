"""Hessian-vector product of the Rosenbrock function at n = 10^4, by forward over
reverse (s2s.hvp), against one gradient, in one process.

    python benchmarks/bench_hvp.py

Each line also gives the page faults per call: where glibc returns the freed top of
the heap to the system after a call, the next call faults it in again, and that can
cost more than the arithmetic (whether it does depends on the process's history of
large allocations, so the same code can time several times apart in two scripts).
"""
import numpy as np
from timing import best_times, page_faults

import s2s

try:
    import autograd
    import autograd.numpy as anp
except ImportError:
    autograd = None


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def faults(fn, *args):
    count = page_faults(fn, *args)
    return "" if count is None else f"  {count:6.1f} page faults a call"


def main():
    n = 10_000
    rs = np.random.RandomState(0)
    x, v = rs.randn(n), rs.randn(n)
    grad, hvp = s2s.grad(rosenbrock), s2s.hvp(rosenbrock)
    eps = 1e-6
    reference = (grad(x + eps * v) - grad(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hvp(x, v), reference, rtol=1e-4, atol=1e-3)
    t_f, t_g, t_h = best_times((rosenbrock, x), (grad, x), (hvp, x, v))
    print(f"Rosenbrock, n = {n}")
    print(f"  primal        {t_f * 1e6:9.1f} us{faults(rosenbrock, x)}")
    print(f"  gradient      {t_g * 1e6:9.1f} us  ({t_g / t_f:4.2f}x primal){faults(grad, x)}")
    print(f"  s2s.hvp       {t_h * 1e6:9.1f} us  ({t_h / t_g:4.2f}x one gradient){faults(hvp, x, v)}")
    if autograd:
        def arosen(x):
            return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

        ahvp = autograd.hessian_vector_product(arosen)
        (t_a,) = best_times((ahvp, x, v))
        print(f"  autograd hvp  {t_a * 1e6:9.1f} us  ({t_a / t_h:4.2f}x s2s.hvp){faults(ahvp, x, v)}")
    try:  # optional: JAX's forward-over-reverse HVP, jitted
        import jax
        import jax.numpy as jnp
    except ImportError:
        return
    jax.config.update("jax_enable_x64", True)

    def jrosen(x):
        return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    jhvp = jax.jit(lambda x, v: jax.jvp(jax.grad(jrosen), (x,), (v,))[1])
    (t_j,) = best_times((lambda x, v: jax.block_until_ready(jhvp(x, v)), x, v))
    print(f"  JAX jit hvp   {t_j * 1e6:9.1f} us  ({t_j / t_h:4.2f}x s2s.hvp)")


if __name__ == "__main__":
    main()
