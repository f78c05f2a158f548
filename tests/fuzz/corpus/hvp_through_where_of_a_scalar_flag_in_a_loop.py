# s2s fuzz: seed 33, program 49, mode hvp: crash (found by an independent checker, shrunk by hand)
# crash: TypeError: unsupported operand type(s) for *: 'NoneType' and 'float'
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [0.3]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h(a):
    return 0.7 * a * a

def f(x):
    acc = x
    for i in range(2):
        acc = h(np.where(x > 0.0, acc, 0.0))
    return acc * x
