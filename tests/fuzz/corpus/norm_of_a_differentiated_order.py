# s2s fuzz: seed 78, program 30, mode grad: refused (the gradient used to leave out d/d ord)
# TypeError: s2s: norm has no derivative rule with respect to its argument ord
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([-0.03453650463049751, -0.032625433822963235, 0.10467541711026174])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    return np.linalg.norm(x0, 1.0 + np.mean(x0))
