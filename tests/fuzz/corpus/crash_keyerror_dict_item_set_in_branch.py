# s2s fuzz: seed 5, program 166, mode grad: crash
# KeyError: 'b'
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([-1.325068303618565, -1.2700344461538993]), np.array([[0.9766923845613698, 1.1661234701268883, -0.8770743013781165], [0.6843826936203246, 1.475609018034882, 0.9067796265756787]]), np.array([-0.4941045339269434, -0.8752511089469561])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0, depth):
    return a0

def f(x0, x1, x2):
    d0 = {'a': x2, 'b': h0(np.sum(x1), 1)}
    c0 = np.full((3,), 1.5)
    if np.sin(np.sum(c0)) > 0.0:
        x1[-1, 1] = x2
        x2 = x0
    else:
        d0['b'] = -3
    v0 = np.ones((2, 3)) * d0['b']
    return v0.sum()
