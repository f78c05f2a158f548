# s2s fuzz: seed 1, program 214, mode grad: wrong
# derivative: gradient = [1.0, 0.0, 2.0], expected [3.0, 0.0, 0.0]
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([0.307649495047855, 1.2451018256317514, -0.9387710747788586])]

import math
import numpy as np

def f(x0):
    for e0 in x0:
        n0 = 0
        n0 += 1
        x0[1:] = e0
    t0 = (x0, 1.0)
    v1, v2 = t0
    v3 = v1
    v4 = 1.0
    return np.sum(v3)
