# s2s fuzz: seed 2, program 56, mode vjp: crash
# TypeError: s2s: a differentiated for-loop can iterate over lists, tuples, arrays and ranges, not generator; use .items(), .values() or list(...) explicitly
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([[-0.07204825675650595, -1.3944428624997927, -0.747878137992025], [-1.0860204324579186, -0.025458391662716018, 0.7246344194501178]]), 0.3767701251339368]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def gen0(a0, a1):
    yield from [a0, a0]

def f(x0, x1):
    L0 = [x0, x0]
    for e0 in gen0(1.0, x0):
        pass
    return L0
