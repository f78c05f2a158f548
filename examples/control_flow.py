"""Branches, loops and recursion: the gradient follows the path the program took.

    python examples/control_flow.py
"""
import math

import s2s


def f(a, b, c):
    if b > c:
        return a * math.sin(b)
    else:
        return a + b * c


def square_loop(a, b):
    for _i in range(b):
        a = a * a
    return a


def square_rec(a, b):
    if b == 0:
        return a
    else:
        return square_rec(a * a, b - 1)


if __name__ == "__main__":
    df = s2s.grad(f, wrt=(0, 1, 2))
    print("f(a, b, c) with b > c:  grads", df(3.5, 2.1, 1.1), " expected", (math.sin(2.1), 3.5 * math.cos(2.1), 0.0))
    print("f(a, b, c) with b <= c: grads", df(3.5, 1.1, 2.1), " expected", (1.0, 2.1, 1.1))
    print("loop:      d/da (a^2)^2 at a=3:", s2s.grad(square_loop)(3.0, 2), " expected 108")
    print("recursion: d/da (a^2)^2 at a=3:", s2s.grad(square_rec)(3.0, 2), " expected 108")
