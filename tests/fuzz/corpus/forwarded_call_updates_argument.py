# s2s fuzz: seed 3, program 130, mode grad: mutated
# mutated: an argument changed
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [np.array([2.420595242067625e-05, -3.930982770781227e-05]), 0.1785692078465102]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np

def h0(a0, a1):
    a0 *= a1

def fwd_h0(*args, **kwargs):
    return h0(*args, **kwargs)

def f(x0, x1):
    u0 = fwd_h0(a0=x0, a1=x1)
    return x1
