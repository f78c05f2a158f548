# s2s fuzz: seed 13933, program 118, mode grad: wrong value — a lambda's default read the global K as it was when s2s transformed, not as it is
# value: 2.5, Python gives 1.5
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [1.3178977637032836]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np
K = 0.75

def f(x0):
    c0 = sum(map(lambda p0, b0=K: b0, [K, 1.0]))
    return c0
