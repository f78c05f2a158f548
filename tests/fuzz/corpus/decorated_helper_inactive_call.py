# s2s fuzz: seed 1, program 50, mode grad: crash
# TypeError: can't multiply sequence by non-int of type 'tuple'
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [np.array([0.5903481548947909, -0.8461601976483548]), -0.5112257014015913, 0.25186552386731265]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import dataclasses
import functools
import s2s
import numpy as np

def logged(fn):

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper

@logged
def h0(a0, a1):
    c0 = np.linspace(1.0, 1.0, 3)
    c0[2] += np.sum(a0 * a0)
    return 1.0

def f(x0, x1, x2):
    u1 = h0(x0, 1.0)
    return u1
