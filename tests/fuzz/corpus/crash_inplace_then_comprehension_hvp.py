# s2s fuzz: seed 2, program 132, mode hvp: crash
# TypeError: 'float' object is not subscriptable
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [0.3393365875056711]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    v3 = np.linspace(1.0, 1.0, 2) + x0
    v3[1:] *= 1.0
    v4 = v3
    v5 = [v4.sum() for e2 in v4]
    return np.sum(v5)
