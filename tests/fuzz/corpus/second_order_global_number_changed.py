# s2s fuzz: seed 99511, program 16, mode hvp: wrong
# derivative: H @ v = [0.085358, -0.220959, 0.135602], expected [0.051215, -0.132576, 0.081361]
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [np.array([-0.4688015575565021, 0.7532577312290205, -0.21228458297652741]), np.array([[-0.4999026029489919, -1.0261477586810432, -1.0790046842752075], [-0.6425588276010044, 0.840715829436903, 0.7398976405507902]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np
K = 0.75

def f(x0, x1):
    c0 = x0
    return K * np.var(c0, ddof=1)
