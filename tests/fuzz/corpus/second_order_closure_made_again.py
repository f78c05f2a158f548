# s2s fuzz: seed 99511, program 0, mode hvp: wrong (written by hand after the closure bug of ce9e93e)
# derivative: H @ v of f = make_f(2.0) was that of f_first = make_f(3.0), differentiated first
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [np.array([0.5, -1.5, 0.75])]
# replay: python -m tests.fuzz.replay THIS_FILE

import numpy as np


def make_f(c):
    def f(x0):
        return c * np.sum(x0 ** 3)
    return f


f_first = make_f(3.0)
f = make_f(2.0)
