# s2s fuzz: seed 78, program 23, mode hvp: crash (fixed: a boolean argument has a zero derivative)
# TypeError: s2s: where has no derivative rule with respect to its argument condition
# call: s2s.hvp(f, wrt=1)(*args, v)  # v: like args[1]
# args = [np.array([[-1.1942412522479986, -0.9212611684151322, 1.4385283427352515], [0.20859043301429137, 0.5446525239802149, -0.08079463711600887]]), np.array([-0.10781516593069185, 1.216047652629936, -0.2890407587747883])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import dataclasses
import functools
import numpy as np

def f(x0, x1):
    c0 = 1.0
    c1 = np.full((2,), 1.5)
    for i1, e0 in enumerate(c1):
        x0[i1 % 2] -= np.where(x1 > c0, x1, c0)
    return np.sum(x0)
