# s2s fuzz: seed 2, program 29, mode grad: wrong
# value: np.float64(0.4007054796805468), Python gives np.float64(2.3504337976908256)
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([1.1670788748700631, -0.9725493224258973, 0.206175927236381])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    w0 = x0
    w1 = w0
    w0 *= w1
    return x0.sum()
