# s2s fuzz: seed 1, program 32, mode vjp: crash
# TypeError: 'NoneType' object is not subscriptable
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([[-0.42247605446815495, -1.2854526466480514, -1.2928009702381504], [-0.275128191210986, -1.3032624288786847, 0.22434345675505107]])]

import math
import numpy as np

def f(x0):
    L0 = [x0]
    c0 = 1.0
    x0[:, 1:] *= 1.0
    return (L0, c0)
