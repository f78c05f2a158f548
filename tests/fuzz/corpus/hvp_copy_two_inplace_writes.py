# s2s fuzz: seed 4, program 18, mode hvp: wrong
# derivative: H @ v = [-0.306988, -0.306988], expected [-0.079739, -0.079739]
# call: s2s.hvp(f, wrt=1)(*args, v)  # v: like args[1]
# args = [0.9390844204692552, np.array([1.2337734188561846, 0.7597239360198507])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    y0 = np.array(x1)
    y0[1:] *= -2.0
    y0[-2] -= math.sin(np.mean(x1))
    return np.sum(y0)
