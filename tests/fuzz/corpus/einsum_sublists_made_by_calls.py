# s2s fuzz: seed 9891, program 89, mode grad: crash
# AttributeError: 'numpy.ndarray' object has no attribute 'replace' (the sublist form left as written reached the rule, an array in its subscripts' place)
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([-0.16458576461556662, 1.1801439419835278, 0.20172104120529055]), 1.3510768889114741]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np

def f(x0, x1):
    return np.sum(np.einsum(np.ones((2, 3)), list((30, 2)), x0, tuple([2])))
