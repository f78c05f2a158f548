# s2s fuzz: seed 12, program 98, mode vjp: crash
# NameError: name '_tuple' is not defined
# call: s2s.vjp(f, wrt=1)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [-1.4405631329314867, np.array([[0.7388808615816376, -0.9631060738002866, 0.89210008381944], [-0.8895500308450878, -0.07218155344230981, 1.4179841764981171]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    x1[:, 1:] += 1.0
    v1 = 1.0
    return v1
