# s2s fuzz: seed 2, program 258, mode vjp: crash
# KeyError: 'b'
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([-0.12069788964013117, -0.37426567065854255])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np
K = 0.75

def f(x0):
    d0 = {'a': K, 'b': x0}
    v3 = x0
    n1 = 0
    n1 += 1
    for i2, e2 in enumerate(v3):
        d0['b'] = e2
    return (x0, d0['a'])
