# s2s fuzz: seed 1, program 277, mode jvp: wrong
# derivative: J @ t = [-0.746972], expected [0.760164]
# call: s2s.jvp(f, wrt=2)(*args, tangent)  # tangent: like args[2]
# args = [np.array([-1.3852022527077907, -1.4478716536108338]), np.array([[-0.8119694477894813, 0.8636399166086228, -0.600864689557772], [-0.3195444994782284, -1.0179389842952151, 0.8690172175134356]]), np.array([0.29588840589166865, -0.02156392934841822])]

import math
import numpy as np
K = 0.75

def h0(a0, a1):
    a0 *= a1

def h1(a0, a1):
    return np.sum(a0)

def f(x0, x1, x2):
    x0[1:] = h1(x2, 1.0)
    c1 = 1.0 * x2
    u1 = h0(c1, np.sum(x1))

    def g0(p2):
        return np.exp(np.sin(np.full((2, 3), -1.2)))
    c2 = g0(np.sqrt(2.0 + np.cos(x1))) + g0(np.where(x1 > np.full((3,), 0.3), x1, np.full((3,), 0.3)))
    return K + np.sum(c1) + np.sum(c2)
