# s2s fuzz: seed 2, program 46, mode grad: wrong
# structure: value is NoneType (), expected a float
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([0.19687839443712463, 0.09622390204308173])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    v0 = -1.0
    t0 = (1.0, x0)
    v1 = t0
    if v0 >= 0.0:
        pass
    elif v0 < 0.0:
        return 1.0
    return v1
