# s2s fuzz: seed 7, program 866, mode hessian: wrong
# derivative: hessian = [nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan], expected [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
# call: s2s.hessian(f, wrt=1)(*args)
# args = [0.2827990307496786, np.array([[-0.9216665586942525, 1.0845605960021825, -0.2950660565539107], [-1.264657341066484, -1.3367634506785, 0.8694722360011196]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, a1):
    v0 = np.min(a1)
    return v0

def f(x0, x1):
    x1[0, 2] += x1[0, 0] * 2.0
    c1 = 1.0
    t0 = (c1, h0(x0, x1))
    v5 = t0
    return np.sum(v5)
