# s2s fuzz: seed 12335, program 161, mode hvp: wrong (the tangent of g / y grouped as g * (result / y) underflowed)
# derivative: H @ v = [-89338.470176, -73310.261159, -118361.359881], expected [-390.685508, -482.404249, 737.098764]
# call: s2s.hvp(f, wrt=0)(*args, v)  # v: like args[0]
# args = [np.array([0.9369653007337622, 1.4091042065929522, 0.5164248969344931])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np

def make_act(kind):
    return lambda t: np.log(1.0 + np.exp(t))

def f(x0):
    k0 = pow(np.linalg.norm(x0, 1.0 + -0.7 ** 2), 3)
    c0 = k0
    for op0 in [make_act('soft'), np.arctan]:
        c0 = c0 + op0(k0)
    return c0
