# s2s fuzz: seed 4, program 321, mode vjp: crash
# TypeError: 'float' object is not subscriptable
# call: s2s.vjp(f, wrt=2)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([1.1080439696082065, -0.0022900301049531002]), np.array([1.203450276755098, 0.32751483269463844, -0.5041526580004605]), np.array([0.7536300739790418, 1.017149420497213, 0.37566917927988386])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1, x2):
    d0 = {'a': 1.0, 'b': x0}
    return (d0, 1.0)
