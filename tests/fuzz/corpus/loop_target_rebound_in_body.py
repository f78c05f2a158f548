# s2s fuzz: seed 51, program 845, mode grad: wrong
# derivative: gradient = [-0.627953, -0.627953], expected [2.0, 2.0]
# call: s2s.value_and_grad(f, wrt=2)(*args)
# args = [np.array([[-0.013383852078428626, 0.8377250575279795, -1.3275428547038606], [-0.16332914406265253, 0.9443535177091382, 1.062838023338108]]), np.array([1.0777562972550667, -0.2913241065281791]), np.array([-0.09339270482662387, -0.9886318388587888])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1, x2):
    w0 = x1
    for e0 in w0:
        n0 = 0
        n0 += 1
        e0 = 1.0
        x2 *= e0
    v2 = sum((x2.sum() for e1 in w0))
    return v2
