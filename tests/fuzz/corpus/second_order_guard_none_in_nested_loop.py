# s2s fuzz: seed 12336, program 287, mode hessian: crash (shrunk) — a first-iteration guard's None read again by the next trip of an enclosing loop
# TypeError: bad operand type for unary -: 'NoneType'
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([-0.33964552418314753, -0.21006921097046427]), 0.24854932154128173, np.array([-0.8836934904742711, -0.6300151836495279, 0.5828086056448964])]
# replay: python -m tests.fuzz.replay THIS_FILE
import math
import functools
import s2s
import numpy as np

def logged(fn):

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return 1.0
    return wrapper

def act_or(a0, act=np.tanh):
    return a0

@logged
def h0(a0, w=(0.5, 0.25)):
    pass

def f(x0, x1, x2, s=2.0):
    n0 = 0
    while n0 < 3:
        n0 += 1
        k0 = x2
        for i4, e5 in enumerate(k0):
            x1 -= e5
    k1 = x1
    c4 = act_or(x1, act=min((e9 for e9 in x0)))
    x2 = k1 ** 2
    u2 = c4
    u3 = h0(a0=u2)
    return u3

