# s2s fuzz: seed 2, program 191, mode vjp: crash
# IndexError: pop from empty list
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [1.0443959966965184]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0):
    for e0 in range(2):
        v0 = sum((e1 for e1 in a0))
        lam0 = lambda p0: v0
        c0 = lam0(a0)
        a0 *= c0
    return a0

def f(x0):
    u4 = np.ones((3,)) * x0
    u5 = h0(u4)
    return u5
