# s2s fuzz: seed 9825, program 276, mode vjp: wrong
# derivative: u @ J = [-0.417297, -0.417297], expected [-0.834594, 0.0]
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([0.5843943130866043, -0.828758953923092])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h2(a0):
    v1 = np.max(a0)
    return v1

def f(x0):
    v2 = [e0 for e0 in x0]
    u1 = h2(a0=v2)
    c1 = u1
    v2[-1], v2 = (v2[0], c1)
    return c1
