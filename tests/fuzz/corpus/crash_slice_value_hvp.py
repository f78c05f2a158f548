# s2s fuzz: seed 1, program 270, mode hvp: crash
# TypeError: s2s: cannot differentiate with respect to a value of type slice
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [np.array([0.9051496003752328, 1.1865692612237018, -0.11755914843335158])]

import math
import numpy as np

def f(x0):
    for e3 in range(2):
        y0 = np.zeros((2,))
        y0[1:] -= np.sum(x0)
        return np.sum(y0)
