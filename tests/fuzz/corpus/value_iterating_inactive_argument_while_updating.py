# s2s fuzz: seed 2, program 324, mode grad: wrong
# value: np.float64(0.6617977723009336), Python gives np.float64(0.598616601083493)
# call: s2s.value_and_grad(f, wrt=2)(*args)
# args = [np.array([0.39586465856048547, 1.3213205988567895, 0.5811675413272446]), np.array([-0.4433391193106859, 0.25326014526406326, 0.598616601083493]), np.array([[1.0383190653366698, 0.31910172010580506, -0.7823840235186725], [-0.594382651128599, -0.5214232740036995, -0.969692250029195]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1, x2):
    for e0 in x1:
        x1[:-1] += e0
    return max((e8 for e8 in x1))
