# s2s fuzz: seed 7002, program 160, mode grad: crash
# ValueError: operands could not be broadcast together with shapes (3,2) (2,3): sublist labels 26 and up were spelled a-z before A-Z, so the implicit output was not NumPy's
# call: s2s.value_and_grad(f, wrt=0)(*args)
# args = [np.array([0.3300988659123838, 0.6774579499117839])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import s2s
import numpy as np

class Model:

    @classmethod
    def loss(cls, x0):
        k0 = np.full((2, 3), 0.25)
        return np.sum(np.einsum(k0.T, [27, 0]) * k0)
f = Model.loss
