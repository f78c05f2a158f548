# s2s fuzz: seed 1, program 43, mode vjp: wrong
# derivative: u @ J = [0.220762, 0.588505, 0.285985], expected [0.747393, 0.588505, 0.566565]
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([0.6040412318584409, 1.3651240973222794, 0.5047699084729298])]

import math
import numpy as np

def f(x0):
    y0 = np.array(x0)
    y0[1:] *= y0[::2]
    return y0
