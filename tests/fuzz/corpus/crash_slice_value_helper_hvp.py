# s2s fuzz: seed 2, program 122, mode hvp: crash
# TypeError: s2s: cannot differentiate with respect to a value of type slice
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [np.array([[1.314989206678871, 1.4487363426642235, 0.647913155538351], [0.5832235249252693, 0.7639178615877533, 0.408715746769845]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h1(a0, a1):
    y0 = np.zeros((3,))
    y0[:-1] *= a0
    return np.sum(y0)

def f(x0):
    w0 = x0
    u2 = h1(np.sum(x0), w0)
    return u2
