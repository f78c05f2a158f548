# s2s fuzz: seed 8101, program 16, mode jvp: wrong
# value: np.float64(0.1411200080598672), Python gives np.float64(0.9092974268256817): sublist labels 26 and up were spelled a-z before A-Z, so the implicit output was not NumPy's
# call: s2s.jvp(f, wrt=0)(*args, tangent)  # tangent: like args[0]
# args = [np.array([-0.39999068740127175, -0.30074948901146703, -1.0654726671058024])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import s2s
import numpy as np

def f(x0):
    v0 = np.einsum(np.full((2, 3), 3.0).T, [27, 0])
    return np.sin(len(v0))
