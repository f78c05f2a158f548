# s2s fuzz: seed 4, program 50, mode hessian: crash
# TypeError: 'NoneType' object does not support item assignment
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([-0.8180404627798196, -0.06411953513770241, 0.018943309870690594]), np.array([-0.5241859353400349, 1.480436096307439])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    x0[:-1] += 1.0
    return np.sum(x0)
