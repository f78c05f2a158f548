# s2s fuzz: seed 12, program 96, mode grad: crash
# TypeError: 'NoneType' object is not iterable
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [0.28178888165224825, 1.4551952494841158]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    if 1.0 > 0.0:
        n0 = 0
        while n0 < 2:
            n0 += 1
            break
            x1, x0 = (x0, x1)
    return x1
