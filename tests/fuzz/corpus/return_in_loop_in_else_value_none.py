# s2s fuzz: seed 2, program 78, mode grad: wrong
# structure: value is NoneType (), expected a float
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([1.121741084329554, 0.4723678324535494, 0.08602445659041402])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    c0 = 1.0
    if c0 < 1.0:
        pass
    else:
        for e0 in range(3):
            return c0
    n2 += 1
    v8 = x0
    return v8
