# s2s fuzz: seed 1, program 205, mode grad: crash
# TypeError: unsupported operand type(s) for +: 'NoneType' and 'float'
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [np.array([[-0.9675308181283226, 1.1703775648522132, -0.06682548716882097], [0.23572626664091256, -0.6613430146311637, -1.4087523885995221]]), np.array([0.7680811233397304, 0.12533596866566254, -1.2296333157855956])]

import math
import numpy as np

def f(x0, x1):
    t0 = (x1, 1.0)
    v2 = t0[1]
    x1[1:] = 1.0
    return v2
