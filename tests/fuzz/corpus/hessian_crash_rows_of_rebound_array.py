# s2s fuzz: seed 3, program 186, mode hessian: crash
# TypeError: 'float' object is not subscriptable
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([[0.2763750299090928, -0.906515343653695, -0.2764036476272289], [1.336456653203335, -0.913577492159844, 1.3067455106012624]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0):
    t0 = (1.0, 1.0)
    v0, v1 = t0

def f(x0):

    def g0(p0):
        return 1.0
    c0 = np.tanh(2.0)
    for e0, e1 in zip(np.sin(x0), (-0.5) ** 2 * x0):
        x0 = np.sin(x0) + x0 * c0
        x0[-1] += np.tanh(e0)
    return max(c0, c0) + np.sum(x0) + c0
