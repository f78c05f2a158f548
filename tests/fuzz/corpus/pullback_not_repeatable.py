# s2s fuzz: seed 2, program 33, mode vjp: wrong
# pullback: a second call gives another result
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([[1.1637264976123691, -1.2265332763849137, 0.11654008330386323], [0.5969888753594401, -0.8482105754417055, 1.485389066186019]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0):
    y0 = 1.0

def f(x0):
    x0 = x0
    for e0 in range(3):
        x0[e0 % 2] *= np.cos(x0[1])
        v6 = 1.0
        L0 = [x0, 0.5]
        w1 = x0
        x0 += abs(w1)

    def g3(p3):
        return 1.0
    c3 = g3(np.array([np.sum(x0), 0.3, 0.25]))
    return (2.0 + np.cos(0.5)) ** 0.5 + np.sum(x0) + np.sum(c3)
