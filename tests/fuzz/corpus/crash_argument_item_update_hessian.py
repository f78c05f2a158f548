# s2s fuzz: seed 4, program 72, mode hessian: crash
# TypeError: 'NoneType' object is not subscriptable
# call: s2s.hessian(f, wrt=1)(*args)
# args = [np.array([[-0.33152179598512, -0.8573062259447463, -1.2647097246037442], [-0.03301740570974587, -0.4491385148957119, 0.3209776563426656]]), np.array([-1.413355799451848, 0.05340878577016861, 0.3194064676140016])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0, x1):
    x1[0] *= 1.0
    return np.sum(x1)
