# s2s fuzz: seed 2, program 122, mode hessian: wrong
# derivative: hessian = [-0.967459, 0.0, 0.0, 0.0, -0.99256, 0.0, 0.0, 0.0, -0.603524], expected [-0.967459, -0.0, -0.0, -0.0, -0.99256, 0.0, -0.0, 0.0, -0.997028]
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([1.314989206678871, 1.4487363426642235, 0.647913155538351])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    x0[-1] += 1.0
    lam0 = lambda p1: np.sin(x0)
    c1 = lam0(x0)
    return np.sum(c1)
