# s2s fuzz: seed 1, program 14, mode grad: wrong
# structure: value is NoneType (), expected a float
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([-0.8152456004516585, -1.1151303904732166, 0.8299535521970629])]

import math
import numpy as np
K = 0.75

def f(x0):
    if 1.0 >= K:
        if 1.0 >= 1.5:
            pass
        else:
            return 1.0
    return x0
