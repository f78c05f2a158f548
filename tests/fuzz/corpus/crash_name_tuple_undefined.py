# s2s fuzz: seed 1, program 49, mode vjp: crash
# NameError: name '_tuple' is not defined
# call: s2s.vjp(f, wrt=0)(*args)[1](cotangent)  # cotangent: like f(*args)
# args = [np.array([[0.998579495840104, 1.141756490116899, 0.7526724868048906], [-1.3586826620535677, 0.7454599750540996, 0.8874208226429392]]), np.array([-1.1120984492145187, -0.5122817331875132])]

import math
import numpy as np

def f(x0, x1):
    x0[-2, -3] -= 1.0
    return 1.0
