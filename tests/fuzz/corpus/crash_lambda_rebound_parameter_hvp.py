# s2s fuzz: seed 1, program 187, mode hvp: crash
# ModuleNotFoundError: No module named 's2s_generated'
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [np.array([-0.02990291773444609, -0.5839455323106738]), np.array([[-0.9471526628418306, 0.5782918235732861, 0.24277358123174642], [0.047577816540511186, 0.5744062626824933, 0.6148716924770681]])]

import math
import numpy as np

def f(x0, x1):
    lam0 = lambda p0: p0
    c0 = lam0(x1)
    v1 = sum((e1 for e1 in x0))
    x1 = v1
    return np.sum(c0)
