# s2s fuzz: seed 9801, program 458, mode grad: crash
# ValueError: The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [np.array([-1.1344153324412096, 0.4363496033548411, 1.0222869181189829]), np.array([-0.24177981159702733, -1.080466375327801])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    if x1[0] < 0.0:
        x1[1:] -= 1.0
    x0 /= math.tanh(np.sum(x1))
    return np.sum(x0)
