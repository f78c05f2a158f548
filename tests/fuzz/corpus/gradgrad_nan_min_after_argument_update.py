# s2s fuzz: seed 51, program 588, mode gradgrad: wrong
# derivative: grad(grad) = [nan], expected [0.0]
# call: s2s.grad(s2s.grad(f, wrt=2), wrt=2)(*args)
# args = [np.array([[-1.1827094460688208, -1.0929499541141645, 0.11846929023317543], [-1.4985183784204337, -0.597977987508759, 0.7825804271009131]]), np.array([1.4613652703541868, 1.452754006972362, -0.23154114546496962]), 0.37523808164577876]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h1(a0):
    v1 = np.min(a0)
    return v1

def f(x0, x1, x2):
    t0 = (x2, 1.0)
    v2 = t0
    v3 = v2
    x0[:, 1] -= v3
    u3 = h1(x0)
    return u3
