# s2s fuzz: seed 11331, program 27, mode grad: mutated
# mutated: an argument changed
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [-1.428913921661259, np.array([0.8847253353694011, 1.3789048470519596]), np.array([387.8191642455682, 389.74779271620844])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, a1):
    w0 = [{'a': a1}.get][0]('a')
    w0 += 1.0

def f(x0, x1, x2):
    u0 = x0
    u1 = h0(u0, x2)
    return x0
