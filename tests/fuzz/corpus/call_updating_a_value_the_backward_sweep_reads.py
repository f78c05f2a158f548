# s2s fuzz: seed 9912, program 38, mode grad: wrong
# derivative: gradient = [-2.053935, ...], expected [0.184038, ...] (h2 scaled v0 in place after the norm read it; the backward sweep read the scaled v0)
# call: s2s.value_and_grad(f, wrt=2)(*args)
# args = [np.array([-1.0168448854269947, 1.1545796536687574, -1.2529552450976733]), np.array([[-0.5178726765402911, -1.1530785673326585, -0.8156605692697775], [-0.6594351044879951, 0.04069378580555849, -1.2723528478073873]]), np.array([[-1.2892277995400714, 0.201576155356191, 1.0666341395644867], [0.9912929668072108, -0.5728370982336416, 1.4020360513037504]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np

def h0(a0, a1):
    a0 *= a1

def fwd_h0(*args, **kwargs):
    return h0(*args, **kwargs)

def h2(a0):
    u0 = fwd_h0(a0, -1.2)

class Model:

    @classmethod
    def loss(cls, x0, x1, x2):
        d0 = dict(zip(('a', 'b'), [np.min(x2), x0]))
        v0 = np.logaddexp(d0['a'], np.linspace(1.0, 1.0, 2))
        v1 = np.linalg.norm(v0, 1)
        u1 = h2(v0)
        return v1
f = Model.loss
