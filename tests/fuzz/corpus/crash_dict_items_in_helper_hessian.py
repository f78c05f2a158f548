# s2s fuzz: seed 1, program 297, mode hessian: crash
# TypeError: list indices must be integers or slices, not str
# call: s2s.hessian(f, wrt=0)(*args)
# args = [-1.1771780555538167, 1.4501658366026282]

import math
import numpy as np

def h0(a0, a1):
    d0 = {'a': abs(0.25), 'b': a0 ** 2}
    for i0, e0 in enumerate(a1):
        for k1, e1 in d0.items():
            v1 = np.clip(np.sin(np.ones((2, 3)) * 0.5), -1.0, 1.0)
    return a0 / (np.tanh(-0.7) + 1.5) + np.sum(a1)

def f(x0, x1):
    for e2 in range(2):
        v2 = np.linspace(-1.0, 1.0, 2) + x0
    u0 = h0(x0, np.ones((2,)) * x1)
    u1 = h0(x1, np.linspace(-1.0, 1.0, 2) + u0)
    v3 = (-0.5) ** 2 * np.ones((2,)) * u0 + -u1
    u2 = h0(v3[0], v3)
    u3 = h0(x1, v3)
    return np.max(v3) + x0 + u0
