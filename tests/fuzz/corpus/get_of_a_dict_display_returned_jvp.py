# s2s fuzz: seed 11132, program 71, mode jvp: wrong
# derivative: J @ t = [0.0, 0.0, 0.0, 0.0], expected [0.981712, -0.764257, -0.832746, 0.0]
# call: s2s.jvp(f, wrt=0)(*args, tangent)  # tangent: like args[0]
# args = [np.array([-1.0355514909223578, 1.224062385741127, 1.4081883849242551])]
# replay: python -m tests.fuzz.replay THIS_FILE

import math
import numpy as np

def f(x0):
    w0 = {'a': x0}.get('a')
    return (w0, 1.0)
