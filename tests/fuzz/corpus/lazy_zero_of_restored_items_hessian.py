# s2s fuzz: seed 12, program 33, mode hessian: crash
# TypeError: unsupported operand type(s) for +: 'NoneType' and 'float'
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([0.8735301565763489, -0.037239944066621344, 0.5110167251968178])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    x0[1:] = x0[::2]
    x0 = np.sin(x0)
    return np.sum(x0)
