# s2s fuzz: seed 2, program 25, mode vjp: crash
# NameError: name '_slice' is not defined
# call: s2s.vjp(f, wrt=1)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([0.33833608373941226, -0.7052775118528245]), np.array([-0.19555142352009902, 0.3189235816776148]), 1.3331857742702282]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1, x2):
    x1[1:] *= 1.0
    v0 = 1.0
    return v0
