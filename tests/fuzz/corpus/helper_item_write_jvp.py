# s2s fuzz: seed 4, program 308, mode jvp: wrong
# derivative: J @ t = [0.558048, -0.740264, 0.410447], expected [0.0, -0.740264, 0.410447]
# call: s2s.jvp(f, wrt=0)(*args, tangent)  # tangent: like args[0]
# args = [np.array([-1.042238076379003, -0.16188014447828492, -1.4322009166650054]), -1.2577762485791144]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, a1):
    a0[0] = a1

def f(x0, x1):
    u3 = h0(x0, 1.0)
    w1 = x0
    return w1
