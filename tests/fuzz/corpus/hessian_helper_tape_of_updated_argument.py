# s2s fuzz: seed 101, program 564, mode hessian: wrong
# derivative: hessian = [0.0, 0.0, 0.0, 0.0, -0.822113, 0.0, 0.0, 0.0, 0.0], expected [0.0, 0.0, 0.0, 0.0, 2.023471, 0.0, 0.0, 0.0, 0.0]
# call: s2s.hessian(f, wrt=2)(*args)
# args = [np.array([-0.6367592274206877, -1.392361143632685]), np.array([[-0.891493992519132, -0.7257808001920908, 1.2261324843527346], [0.7394923763389176, 0.7182908905046963, -0.11370042266198199]]), np.array([0.15631348995715966, -1.038611174566998, -0.4339646043919776])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h1(a0):
    a0 = np.sin(a0)
    return a0

def f(x0, x1, x2):
    x1[:, 1:] += min((e1 for e1 in x2))
    u0 = h1(x1)
    u1 = u0
    return np.sum(u1)
