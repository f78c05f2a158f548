# s2s fuzz: seed 4, program 176, mode hessian: crash
# TypeError: first operand must be array
# call: s2s.hessian(f, wrt=1)(*args)
# args = [np.array([0.007383109468725557, 0.7895497690110389, 0.5766168348732283]), np.array([[1.359378582965057, -0.24772171910291307, -0.87815743816055], [-1.323222893896207, -0.8264771886760971, -0.018337604097566462]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    lam0 = lambda p0: abs(np.max(x0))
    c0 = lam0(x0.sum() + np.mean(x1)) + lam0(0.3)
    v0 = np.outer(np.full((2,), -0.7) + c0, (-0.5) ** 2 * x0)
    if c0 > 0.0:
        if math.tanh(c0) > x0.sum():
            v1 = np.ones((2,)) * c0
        elif 0.3 + (-1.5) ** 3 < c0:
            x1[:, 0] -= x1 @ np.ones(3)

            def g0(p1):
                return c0 + math.sin(c0)
        else:
            return c0 + c0 + np.sum(x0)
    v6 = np.linspace(-1.0, 1.0, 3) + np.min(v0)
    return math.sqrt(math.tanh(np.mean(v6)) + 1.5) + c0 + np.sum(v6)
