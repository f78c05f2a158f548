# s2s fuzz: seed 1, program 15, mode grad: crash
# IndexError: pop from empty list
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([0.21225422489299572, 0.10549542987726168, 1.352146434714666]), 1.0068899702311374]

import math
import numpy as np

def h0(a0, a1):
    v0 = a1 * np.sum(a1 * a1) + np.sum(a1)
    return pow(np.sum(a1 * a1), 3) + np.sum(a0) + np.sum(v0)

def f(x0, x1):
    for e2 in x0:
        v3 = np.minimum(np.clip(np.ones((2, 3)) * x0[0], -1.0, 1.0), np.ones((2, 3)) * e2 ** 2)
        if -np.max(v3) > 0.0:
            x1 /= math.tanh(e2) + 1.5
        elif math.sqrt(np.exp(np.sin(e2))) >= 0.0:
            if abs(np.mean(v3)) >= 0.0:
                break
        else:
            for i4, e3 in enumerate(x0):
                u0 = h0(np.full((2,), 0.3), np.ones((3,)) * x0[2])
                u1 = h0(np.ones((2,)) * x0[i4 % 3], x0)
                v5 = v3
            dead0 = 1.0
    L0 = [math.exp(math.sin(0.5)) ** 0.5]
    v6 = x0
    u2 = h0(np.full((2,), 0.3), v6)
    u3 = h0(np.ones((2,)) * u2, np.ones((3,)) * L0[-1])

    def g0(p0):
        return np.sum(np.tanh(np.full((2, 3), 2.0)), axis=0)
    c0 = g0(np.sqrt(1.0 + np.full((3,), -1.2) * np.full((3,), -1.2))) + g0(np.cos(v6))
    v7 = c0
    return abs(u3) + x1 + np.sum(v7)
