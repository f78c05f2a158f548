# s2s fuzz: seed 12, program 114, mode vjp: wrong
# derivative: u @ J = [0.0, -1.042911, 8.651821], expected [0.0, 0.0, 0.0]
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([-0.05012401204622452, -0.5387995707912224, -0.0421567444247557])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    x0 /= x0
    x0[1:] -= 1.0 > -1.0
    return x0
