# s2s fuzz: seed 2, program 11, mode jvp: wrong
# value: [array([ 0.17938687, -0.44721802,  1.08357086]), 1.0, array([ 0.17938687, -0.44721802,  1.08357086])], Python gives [array([0.03217965, 0.20000396, 1.1741258 ]), 1.0, array([0.03217965, 0.20000396, 1.1741258 ])]
# call: s2s.jvp(f, wrt=0)(*args, tangent)  # tangent: like args[0]
# args = [np.array([0.17938686658271386, -0.4472180177071432, 1.0835708574755412])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    L0 = [x0, 1.0, x0]
    w0 = x0
    w0 *= x0
    return L0
