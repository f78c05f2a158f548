# s2s fuzz: seed 1, program 5, mode jvp: wrong
# value: -0.25, Python gives 0.25
# call: s2s.jvp(f, wrt=0)(*args, tangent)  # tangent: like args[0]
# args = [np.array([0.1933645700292752, -0.3598839907258058])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    return (-0.5) ** 2
