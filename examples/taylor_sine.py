"""A Taylor series for sin(x) that stops with `break`, and its derivative.

    python examples/taylor_sine.py
"""
import numpy as np

import s2s


def taylor_sin(x):
    currterm = x
    ans = currterm
    for i in range(1000):
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        if np.abs(currterm) < 0.2:
            break
    return ans


if __name__ == "__main__":
    x = np.pi / 4
    print("taylor_sin(pi/4)      =", taylor_sin(x), " sin(pi/4) =", np.sin(x))
    print("d taylor_sin/dx(pi/4) =", s2s.grad(taylor_sin)(x), " (the truncated series' own derivative)")
    print("cos(pi/4)             =", np.cos(x))
