# s2s fuzz: seed 4, program 176, mode grad: crash
# TypeError: 'NoneType' object is not subscriptable
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [np.array([0.007383109468725557, 0.7895497690110389, 0.5766168348732283]), np.array([[1.359378582965057, -0.24772171910291307, -0.87815743816055], [-1.323222893896207, -0.8264771886760971, -0.018337604097566462]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    c0 = np.mean(x1)
    x1[:, 0] -= 1.0
    return c0
