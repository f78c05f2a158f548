# s2s fuzz: seed 9804, program 303, mode hessian: wrong
# derivative: the Hessian's row for the argmax entry was wrong (reverse over reverse: the outer loop set the inner loop's first-iteration guard to its own counter)
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([[-0.3175331318103858, -1.2714437221748804, -0.5593284316888453], [0.9015222301876404, -0.16300313658506038, -1.4336422846988177]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np

class Scaler:

    def __init__(self, k):
        self.k = k

    def __call__(self, t):
        return t
SCALER = Scaler(0.7)

def act0(t):
    return np.arctan(t)

def f(x0):
    n0 = 0
    while n0 < 3:
        n0 += 1
        c0 = 1.0
        for e0 in map(act0, [np.max(x0), x0]):
            c0 = c0 * 0.5 + e0
        x0 = np.sin(x0) + x0 * -c0
    v0 = np.ones((2,)) * np.mean(x0)
    c1 = sum(map(SCALER, v0))
    v1 = np.exp(np.sin(np.exp(np.sin(v0))))
    return np.sum(np.logaddexp(np.minimum(x0, np.ones((2, 3)) * c1), np.sum(x0, axis=0, keepdims=True)))
