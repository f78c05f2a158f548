# s2s fuzz: seed 4, program 432, mode vjp: wrong
# pullback: a second call gives another result
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([-0.8302259768813112, 0.8516744753497552]), -0.7590306088014808]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    x0[1] = x0.sum()
    x0 *= x0
    return x0
