# s2s fuzz: seed 121, program 706, mode hvp: crash
# TypeError: 'NoneType' object is not subscriptable
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [np.array([[0.6918355708050128, 1.1829923702180274, -0.7326662209175784], [0.23640271994074302, 1.2100188627083837, 0.3101627525416095]]), -0.9747440995267109]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    for n0 in range(2):
        for e1 in x0:
            x0[-1] += e1
    return np.sum(x0)
