# s2s fuzz: seed 0, program 0, mode grad: wrong
# derivative: gradient = [0.0, 0.0, 0.0], expected [3.0, 0.0, 0.0] (the independent checker's dict_views_lose_gradient)
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([0.31, -0.72, 1.13])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    d = {'b': x0[0], 'a': x0[1] * 2.0}
    return max(d.values()) * 3.0
