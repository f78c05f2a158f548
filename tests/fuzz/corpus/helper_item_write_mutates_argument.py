# s2s fuzz: seed 4, program 43, mode vjp: mutated
# mutated: an argument changed
# call: s2s.vjp(f, wrt=1)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [-0.9812055122527671, np.array([[5254.289658988971, 5254.289658988971, 5254.289658988971], [1.4800503331582546, -1.1930858567925409, 0.22585135947810242]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, a1):
    a0[0] = a1

def f(x0, x1):
    if sum((float(e0) * 0.5 for e0 in range(3))) < 0.0:
        L0 = [math.cos(x0), 2.0 ** 2, x0]
        v0 = (x1 + x1.sum()) / (1.0 + 0.3 * 0.3)
        if -L0[-1] >= np.sum(v0):
            v1 = np.where(x1 * np.sum(x1, axis=0, keepdims=True) > (-0.5) ** 2 * v0, x1 * np.sum(x1, axis=0, keepdims=True), (-0.5) ** 2 * v0)
    u0 = h0(x1, x0)
    return x0 + np.sum(x1) + x0
