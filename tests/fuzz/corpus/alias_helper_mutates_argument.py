# s2s fuzz: seed 2, program 200, mode grad: mutated
# mutated: an argument changed
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [np.array([-0.26104837685984617, -3.1403089424725703, -3.1453108723749703]), 1.3237380251417878, 1.2756314994382643]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, a1):
    a0 += a1

def f(x0, x1, x2):
    u1 = h0(x0, x0)
    return x2
