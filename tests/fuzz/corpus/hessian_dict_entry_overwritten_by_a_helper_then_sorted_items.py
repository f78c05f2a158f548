# s2s fuzz: seed 9606, program 205, mode hessian: crash
# KeyError: 'b'
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([[0.24245512422005477, 1.4553821512426928, 1.2953910265078967], [0.4191358507684342, 0.43361996798267644, 1.389816113083909]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import s2s
import numpy as np
K = 0.75

def set_entry(d, key, value):
    d[key] = value

def f(x0):
    d0 = dict([('a', K), ('b', x0)])
    set_entry(d0, 'b', 1.0)
    return sorted(d0.items())[-1][1]
