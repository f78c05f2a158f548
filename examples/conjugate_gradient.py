"""Solve H x = r by conjugate gradients, touching the Hessian only through
Hessian-vector products (forward over reverse): H is never formed.

    python examples/conjugate_gradient.py
"""
import numpy as np

import s2s


def energy(x, A, c):
    """A convex function whose Hessian at any x is A + diag(12 c x^2)."""
    return 0.5 * np.dot(x, np.dot(A, x)) + np.sum(c * x ** 4)


def conjugate_gradient(hvp, r, tol=1e-12, max_iter=200):
    z, residual = np.zeros_like(r), r.copy()
    p = residual.copy()
    for it in range(max_iter):
        Hp = hvp(p)
        alpha = (residual @ residual) / (p @ Hp)
        z = z + alpha * p
        new = residual - alpha * Hp
        if np.linalg.norm(new) < tol:
            return z, it + 1
        p = new + (new @ new) / (residual @ residual) * p
        residual = new
    return z, max_iter


if __name__ == "__main__":
    rs = np.random.RandomState(0)
    n = 50
    M = rs.randn(n, n)
    A, c, x0, r = M @ M.T + n * np.eye(n), np.abs(rs.randn(n)), rs.randn(n), rs.randn(n)
    hvp = s2s.hvp(energy)  # hvp(x, A, c, v) = H(x) @ v
    z, iterations = conjugate_gradient(lambda v: hvp(x0, A, c, v), r)
    H = A + np.diag(12 * c * x0 ** 2)  # the Hessian, formed here only to check the answer
    print(f"CG converged in {iterations} iterations using only s2s.hvp")
    print("residual |H z - r| =", np.linalg.norm(H @ z - r))
    print("error    |z - H^-1 r| =", np.linalg.norm(z - np.linalg.solve(H, r)))
