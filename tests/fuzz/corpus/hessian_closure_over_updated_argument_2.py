# s2s fuzz: seed 51, program 81, mode hessian: wrong
# derivative: hessian = [-0.800686, -0.592891, 0.534993, -0.558959, -1.037315, 0.432392, 0.568925, 0.466324, -0.821362], expected [-0.701831, -0.592891, 0.436138, -0.592891, -1.037315, 0.466324, 0.436138, 0.466324, -0.688575]
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([-1.0317158448520543, -0.502967091387721, 0.20854983890811152])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, a1):
    y0 = 1.0
    t0 = (1.0, 1.0 > np.ones((2, 3)))
    v1 = t0[1]
    return v1

def f(x0):
    x0[-3] -= min(np.max(x0), np.sum(x0 * x0))
    v2 = np.where((np.linspace(-1.0, 1.0, 2) + np.mean(x0)) / (math.tanh(0.3) + 1.5) > abs(np.mean(x0)), (np.linspace(-1.0, 1.0, 2) + np.mean(x0)) / (math.tanh(0.3) + 1.5), abs(np.mean(x0)))
    t1 = (x0 * 2.0, max(np.mean(v2), -0.7))
    v3, v4 = t1
    u1 = h0(a0=v4, a1=np.linspace(-1.0, 1.0, 2) + v4)

    def g0(p0):
        return np.logaddexp(np.cos(x0), u1[1, 2])
    c0 = g0(v3) + g0(np.logaddexp(v3, v3))
    u3 = h0(a0=np.sum(x0 * x0), a1=v2)
    return sum((e0 * v4 for e0 in c0)) + np.sum(x0) + np.sum(u3)
