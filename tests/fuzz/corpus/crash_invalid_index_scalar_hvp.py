# s2s fuzz: seed 4, program 537, mode hvp: crash
# IndexError: invalid index to scalar variable.
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [np.array([[-0.18262590746371354, -1.1021680207067552, 0.5678565844714276], [1.0769560672124623, -0.08391840273802575, -1.3066181162091728]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    v0 = x0[0, 2] - np.full((3,), 1.0)
    v0[-3] -= 1.0
    return v0.sum()
