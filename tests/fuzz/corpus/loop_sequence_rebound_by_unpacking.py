# s2s fuzz: seed 9850, program 132, mode jvp: wrong
# value: [[-0.0566, -1.0211, 0.3244], ...], Python gives x0 unchanged (the loop multiplies by ones)
# call: s2s.jvp(f, wrt=0)(*args, tangent)  # tangent: like args[0]
# args = [np.array([[1.0780135647232054, -0.9793763598558148, -0.9285546234133658], [-0.052488458616538614, 1.042644198126661, -0.34931016153524386]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    t0 = (np.linspace(1.0, 1.0, 3), x0)
    v0, v1 = t0
    for i0, e0 in enumerate(v0):
        x0 = x0 * e0
        v1, v0 = (v0, v1)
    return x0
