# s2s fuzz: seed 5, program 12, mode grad: crash
# TypeError: s2s: a differentiated for-loop can iterate over lists, tuples, arrays and ranges, not dict; use .items(), .values() or list(...) explicitly
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([-0.32878064248884487, -0.11346358104244048, -1.2984997804070804]), np.array([[-1.0709100374973697, -1.2750118370653993, 0.950262605095606], [-0.39479460585833315, -1.2102219673231045, 0.19121174711494016]]), np.array([-0.10738657992072875, 0.34337470435019735, 0.44970849673905233])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np
SCALER = 1.0

def f(x0, x1, x2):
    fns0 = {'a': SCALER, 'b': lambda p0, b0=x0: p0}
    c0 = 1.0
    for k0 in fns0:
        pass
    v1 = c0
    return v1
