# s2s fuzz: seed 301, program 211, mode jvp: wrong
# derivative: J @ t = [0.0, 0.0, 0.245392], expected [-0.156262, -0.40245, 0.245392]
# call: s2s.jvp(f, wrt=1)(*args, tangent)  # tangent: like args[1]
# args = [np.array([-0.37297233612704206, 0.6708107531819794, -1.4981494895784966]), np.array([-1.1721260030925473, -1.1362880312117996, 1.1002153219405075])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    v5 = 1.0 + x1
    x1[:-1] = 1.0
    return v5
