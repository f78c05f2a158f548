# s2s fuzz: seed 10234, program 448, mode vjp: crash
# NameError: name 'np' is not defined (the lambda's default np.sin(K), an np.float64, went into the generated code as a literal)
# call: s2s.vjp(f, wrt=1)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([-0.0582208155562105, -0.7619204627070398, 0.39873436871381873]), np.array([-1.4984654386436098, -0.7954936499890413]), np.array([[1.3589523795153164, 0.22087113092400323, -0.23309913807280624], [0.6852792464256665, 1.4171796480311385, 1.0834962961944195]])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import numpy as np
K = 0.75

def scaled_by(v, gain=1.0):
    pass

def f(x0, x1, x2):
    c0 = x1
    fns0 = {'a': functools.partial(scaled_by, gain=c0), 'b': lambda p1, b0=np.sin(K): p1}
    c1 = fns0['b'](x0)
    return (x2, c1)
