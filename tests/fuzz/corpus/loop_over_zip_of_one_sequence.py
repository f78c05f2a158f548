# s2s fuzz: seed 8101, program 38, mode grad: crash
# TypeError: 'int' object is not iterable (the loop's length was min(seq_len(v2)), a min of one int)
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [-0.4348377871093556, 0.7662257764049598]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def gen0(a0, a1):
    yield from [a0, a0]

def f(x0, x1, s=0.25):
    c0 = sum(gen0(s, x1))
    v1 = c0
    v2 = np.maximum(np.ones((3,)), v1)
    for e4, in zip(v2):
        pass
    return 1.0
