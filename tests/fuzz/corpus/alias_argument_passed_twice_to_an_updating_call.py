# s2s fuzz: seed 13331, program 481, mode grad: wrong value — h0 updates a0 in place, which the caller passes as a1 too (the same array)
# value: array([-1.70193628]), Python gives array([1.29806372])
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([0.6229776614694345, -0.8715488894596822, -1.4533650528401212]), 0.23673920000253101]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, a1):
    a0 += 1.0
    t0 = (1.0, a1)
    v0, v1 = t0
    return np.sum(v1)

def f(x0, x1):
    u0 = x0
    u1 = h0(x0, u0)
    return np.array([u1])
