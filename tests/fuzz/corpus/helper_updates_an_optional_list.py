# s2s fuzz: seed 0, program 9004, mode hvp: refused
# refused: the call updates the argument x0 in place (the helper appends to its list argument only)
# call: s2s.hvp(f, wrt=0)(*args)
# args = [np.array([0.3, -0.2, 0.5]), 1.3]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, a1, l0=None):
    for _ in range(2):
        a0 = np.sin(a0) * a1
        if l0 is not None:
            l0.append(a0)
    return a0

def f(x0, x1):
    l1 = []
    u1 = h0(x0, x1, l1)
    return np.sum(h0(x0, x1) * u1) + x1
