# s2s fuzz: seed 10931, program 364, mode grad: wrong
# value: np.float64(0.3592065648651897), Python gives np.float64(0.9219662468757944)
# call: s2s.value_and_grad(f, wrt=2)(*args)
# args = [np.array([[-1.07066019124289, 0.02979002879099024, -0.7867803919767146], [1.1843728246892686, -0.05636414259046729, 0.7431593238931229]]), np.array([1.3985458484583182, 0.938297656059297, 0.5231948527632868]), -1.1410075119855498]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np

def f(x0, x1, x2):
    c1 = x1
    for e1, e2 in zip(*[c1, x1]):
        x1 *= e2
    t0 = (np.min(x1), x1)
    v1 = t0[0]
    return v1
