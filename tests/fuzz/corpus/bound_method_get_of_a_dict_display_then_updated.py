# s2s fuzz: seed 7001, program 131, mode grad: wrong
# value: np.float64(-0.4367935380621687), Python gives np.float64(5.563206461937831)
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [0.4180461278550993, np.array([[-0.9405072551486365, 0.4784366465968437, 1.0005731009235577], [0.254340372862087, -0.07852168037095786, -1.1511147229250627]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np

def f(x0, x1):
    c0 = 1.0
    w1 = {'a': x1}.get('a')
    x1 += c0
    return np.sum(w1)
