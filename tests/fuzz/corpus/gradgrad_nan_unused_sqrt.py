# s2s fuzz: seed 1, program 36, mode gradgrad: wrong
# derivative: grad(grad) = [nan], expected [0.0]
# call: s2s.grad(s2s.grad(f, wrt=0), wrt=0)(*args)
# args = [0.4596670715821396, np.array([0.20413294178040298, 0.22575128502509267]), np.array([0.5296176724804562, -0.39756094836759437, 0.4611657351243117])]

import math
import numpy as np

def f(x0, x1, x2):

    def g0(p0):
        return np.sqrt(1.0 + np.linspace(-1.0, 1.0, 2) + x0 * np.linspace(-1.0, 1.0, 2) + x0)
    c0 = g0(x1)
    t0 = (1.0, c0)
    v0 = t0[0]
    w0 = v0
    return w0
