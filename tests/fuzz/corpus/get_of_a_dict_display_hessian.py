# s2s fuzz: seed 11031, program 365, mode hessian: crash
# TypeError: 'NoneType' object is not iterable
# call: s2s.hessian(f, wrt=0)(*args)
# args = [np.array([0.6453983516999542, 1.4428285678261785, -0.6192437002408491]), np.array([-0.03469370191891086, -0.39097593577880607, -0.42620167342991166])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import functools
import s2s
import numpy as np

def f(x0, x1):
    v2 = x0
    w0 = {'a': v2}.get('a')
    v3 = np.sum(w0)
    return v3
