# s2s fuzz: seed 12631, program 237, mode jvp: wrong value — np.einsum of one operand returned a view of x0, updated in place after
# value: array([[ 0.04246406, 0.61533042, 1.36922589], [ 0.63266849, -0.41496671, -0.10859654]]), Python gives array([[1.80319598e-03, 3.78631523e-01, 1.87477953e+00], [4.00269419e-01, 1.72197373e-01, 1.17932079e-02]])
# call: s2s.jvp(f, wrt=0)(*args, tangent)  # tangent: like args[0]
# args = [np.array([[0.0424640551012363, 0.6153304174457102, 1.3692258888325064], [0.6326684903816071, -0.4149667134611297, -0.10859653707956118]]), 0.038623877080802504]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import s2s
import scipy.integrate
import numpy as np

class Model:

    def __init__(self, scale):
        pass

    def loss(self, x0, x1):
        v1 = x0
        k0 = np.einsum(v1.T, [27, 0])
        n0 = 0
        n0 += 1
        w0 = functools.partial(lambda a: a, v1)()
        v1 *= w0
        v3 = k0
        return v3
f = Model(0.5).loss
