# s2s fuzz: seed 13, program 122, mode jvp: crash
# TypeError: 'NoneType' object is not subscriptable
# call: s2s.jvp(f, wrt=0)(*args, tangent)  # tangent: like args[0]
# args = [np.array([0.9416634595167706, -0.5213511020617994])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    d0 = {'a': 1.0, 'b': x0}
    v2 = {k0: q0 for k0, q0 in d0.items()}
    t0 = (1.0, v2)
    v3 = t0
    return v3
