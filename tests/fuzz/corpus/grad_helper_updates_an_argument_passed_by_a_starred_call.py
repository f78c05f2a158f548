# s2s fuzz: seed 9704, program 51, mode grad: wrong
# derivative: gradient = [-0.232336, -0.359176], expected [-0.461437, -0.705814]
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([0.5861941385212841, -0.6576995718076096])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np

def logged(fn):

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper

def h0(a0, a1):
    w0 = a0
    w1 = w0
    w0 *= w1

@logged
def h1(a0, a1):
    c0 = h0(*(a1,), a0)

def f(x0):
    v0 = np.cos(x0)
    v2 = h1(1.0, v0)
    return np.sum(v0 * v0)
