# s2s fuzz: seed 0, program 9003, mode vjp: refused
# refused: fixed_point needs a function defined with def (a nested step reading x1)
# call: s2s.vjp(f, wrt=1)(*args)
# args = [np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.2, -0.3])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np
import s2s

def f(x0, x1):

    def g0(p0, z):
        return np.tanh(0.5 * z * x1 + p0)

    z = s2s.fixed_point(g0, x0, np.zeros(3), tol=1e-14, max_iter=1000)
    return np.sum(z ** 2) + np.sum(s2s.fixed_point(lambda p1, w: 0.3 * np.cos(w) * p1, x1, x0, tol=1e-14) * x0)
