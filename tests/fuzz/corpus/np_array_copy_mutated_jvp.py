# s2s fuzz: seed 4, program 18, mode jvp: mutated
# mutated: an argument changed
# call: s2s.jvp(f, wrt=1)(*args, tangent)  # tangent: like args[1]
# args = [0.9390844204692552, np.array([1.2337734188561846, 0.7597239360198507])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    y0 = np.array(x1)
    y0[-2] -= np.mean(x1)
    return y0
