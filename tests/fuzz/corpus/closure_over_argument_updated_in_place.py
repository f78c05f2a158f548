# s2s fuzz: seed 121, program 934, mode grad: wrong
# derivative: gradient = [1.0, 1.0, 1.0], expected [1.0, 2.0, 0.0]
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([-0.8209763924918655, 0.11189878651896534, -0.01551227715080361]), -0.78169656427748]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np
K = 0.75

def f(x0, x1):

    def g0(p0):
        return np.max(x0)
    c0 = g0(K)
    x0[1:] = c0
    return sum((e3 for e3 in x0))
