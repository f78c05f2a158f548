# s2s fuzz: seed 9932, program 344, mode jvp: wrong
# value: (3.0, ...), Python gives (1.5, ...) (h0 returned u0 itself; u1 /= 2 changed u0 too, unseen)
# call: s2s.jvp(f, wrt=1)(*args, tangent)  # tangent: like args[1]
# args = [-1.433828883405786, np.array([-1.4448149416474036, 1.2062340984638689])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import s2s
import numpy as np

def h0(a0, a1):
    return a0

def f(x0, x1):
    u0 = h0(a0=np.full((2, 3), 0.5), a1=x1)
    u1 = h0(**{'a0': u0, 'a1': x1})
    u1 /= 1.0 + 1.0
    v0 = u0.sum()
    return (v0, x1)
