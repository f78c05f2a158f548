# s2s fuzz: seed 4, program 97, mode vjp: crash
# IndexError: pop from empty list
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([-0.6973379874824971, 0.37681518148162185])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    t0 = (1.0, 1.0)
    v0, v1 = t0
    v2 = sum((sum((e1 for e1 in x0)) for e0 in x0))
    v0 *= v2
    return v0
