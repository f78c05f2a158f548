# s2s fuzz: seed 71, program 340, mode hessian: wrong
# derivative: hessian = [23.32711], expected [38.370028]
# call: s2s.hessian(f, wrt=0)(*args)
# args = [0.9097612812635276, np.array([[1.343249078055396, 1.228406025264197, -0.16548127579248417], [-0.3385798478469999, 1.3684847918106953, -1.10659582953906]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    x1[:, 1:] -= x0
    w0 = x1
    w0 *= x0
    lam0 = lambda p0: p0 ** 2
    c0 = lam0(w0)
    return np.sum(c0)
