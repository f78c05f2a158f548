# s2s fuzz: seed 4, program 599, mode grad: crash
# KeyError: 'a'
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [-0.3747263101372389, np.array([1.309522578935129, -1.0440043867406361]), np.array([-1.4089758139420985, 0.7866742189964935])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def h0(a0):
    v0 = np.ones((2,)) * 3.0

def f(x0, x1, x2):
    lam0 = lambda p0: np.ones((3,)) * np.sum(p0) + p0
    c0 = lam0(np.where(np.full((3,), -1.2) > x2[-1], np.full((3,), -1.2), x2[-1])) + lam0(np.concatenate([x2, np.ones(1) * x0]))
    d1 = {'a': x0 - x0, 'b': np.sin(x0)}
    n2 = 0
    while n2 < 3:
        n2 += 1
        for e1 in c0:
            pass
        for e2 in c0:
            if n2 % 2 == 1:
                pass
            elif np.tanh(np.sum(c0 * c0)) >= np.max(c0):
                x0 = d1['b']
            else:
                y0 = c0.copy()
                y0[1:] += np.where(np.linspace(-1.0, 1.0, 2) + e2 > float(n2), np.linspace(-1.0, 1.0, 2) + e2, float(n2))
                d1['a'] = abs(x0)
    v8 = np.log(2.0 + np.cos(c0))
    return min(np.sum(x2 * x2), x0) + np.sum(v8) + x0
