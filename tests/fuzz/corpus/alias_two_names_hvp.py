# s2s fuzz: seed 2, program 75, mode hvp: wrong
# derivative: H @ v = [0.036332], expected [0.072663]
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [-1.1624058739205925]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    v0 = np.sin(np.where(1.0 > x0, np.linspace(1.0, 1.0, 2) + x0, x0))
    w0 = v0
    w1 = v0
    v0 += w1
    return np.sum(w0)
