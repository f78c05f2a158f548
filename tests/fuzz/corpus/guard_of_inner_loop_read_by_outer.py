# s2s fuzz: seed 21, program 253, mode grad: crash
# TypeError: unsupported operand type(s) for +: 'float' and 'NoneType'
# call: s2s.value_and_grad(f, wrt=1)(*args)
# args = [np.array([-0.2073787312107933, 0.03944176399115973, -1.0165815984092053]), np.array([-0.748723968848195, -0.248448530727438, 1.070647541089949])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    v1 = 1.0
    for i0, e1 in enumerate(x0):
        x0 = x1
        for e6 in x1:
            e1, v1 = (v1, e1)
    return v1
