# s2s fuzz: seed 2, program 4, mode jvp: wrong
# derivative: J @ t = [-0.730761], expected [-2.192284]
# call: s2s.jvp(f, wrt=1)(*args, tangent)  # tangent: like args[1]
# args = [0.7108556739954901, -1.0899943397912375]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h1(a0, a1):
    return 1.0

def f(x0, x1):
    v1 = h1(1.0, x1)
    v1 = x1 - np.ones((3,))
    return np.sum(v1)
