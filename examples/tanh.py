"""The first seed example: tanh written with exp, differentiated by s2s.

    python examples/tanh.py
"""
import numpy as np

import s2s


def tanh(x):
    y = np.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


if __name__ == "__main__":
    dtanh = s2s.grad(tanh)
    print("d tanh(x)/dx at 1.0:", dtanh(1.0))
    print("1 - tanh(1.0)**2:   ", 1 - np.tanh(1.0) ** 2)
    print()
    print(s2s.source(dtanh))
