# s2s fuzz: seed 4, program 477, mode grad: crash
# TypeError: 'NoneType' object is not subscriptable
# call: s2s.value_and_grad(f, wrt=2)(*args)
# args = [np.array([1.143854397806746, -1.074966439407247]), np.array([-0.6823581438713667, -0.9318156929025064]), np.array([[-0.3747071299438205, 0.7975233843945118, -0.6323968775698329], [0.474770560664052, -0.728404066114729, 0.32357882505762214]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1, x2):
    x2 = x0.sum()
    x0[:-1] -= x2.sum()
    return x2
