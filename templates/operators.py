"""Python's arithmetic operators (and their NumPy ufunc spellings).

Binary operators broadcast, so each argument's adjoint is summed back to that
argument's shape with `unbroadcast`.
"""
import builtins
import operator

import numpy as np

from s2s.rules import adjoint, tangent
from s2s.runtime import matmul_grad_left, matmul_grad_right, unbroadcast

# ruff: noqa: F821 - `d` is template syntax


@adjoint(operator.add, np.add)
def add(result, x, y):
    d[x] = unbroadcast(d[result], x)
    d[y] = unbroadcast(d[result], y)


@tangent(operator.add, np.add)
def add(result, x, y):
    d[result] = d[x] + d[y]


@adjoint(operator.sub, np.subtract)
def sub(result, x, y):
    d[x] = unbroadcast(d[result], x)
    d[y] = unbroadcast(-d[result], y)


@tangent(operator.sub, np.subtract)
def sub(result, x, y):
    d[result] = d[x] - d[y]


@adjoint(operator.mul, np.multiply)
def mul(result, x, y):
    d[x] = unbroadcast(d[result] * y, x)
    d[y] = unbroadcast(x * d[result], y)


@tangent(operator.mul, np.multiply)
def mul(result, x, y):
    d[result] = d[x] * y + x * d[y]


@adjoint(operator.truediv, np.divide, np.true_divide)
def truediv(result, x, y):
    d[x] = unbroadcast(d[result] / y, x)
    d[y] = unbroadcast(-d[result] * result / y, y)


@tangent(operator.truediv, np.divide, np.true_divide)
def truediv(result, x, y):
    d[result] = d[x] / y - d[y] * result / y


@adjoint(operator.neg, np.negative)
def neg(result, x):
    d[x] = -d[result]


@tangent(operator.neg, np.negative)
def neg(result, x):
    d[result] = -d[x]


@adjoint(operator.pos, np.positive)
def pos(result, x):
    d[x] = d[result]


@tangent(operator.pos, np.positive)
def pos(result, x):
    d[result] = d[x]


# x ** y. `y - (y != 0)` is `y - 1` except at y == 0, where the derivative 0 * x ** -1
# would be nan at x == 0; `x + (x == 0)` replaces zeros by 1 inside the log, since
# there the factor `result` is 0 (for y > 0), as autograd does.
@adjoint(operator.pow)
def power(result, x, y):
    d[x] = unbroadcast(d[result] * y * x ** (y - (y != 0)), x)
    d[y] = unbroadcast(d[result] * result * np.log(x + (x == 0)), y)


@tangent(operator.pow)
def power(result, x, y):
    d[result] = d[x] * y * x ** (y - (y != 0)) + d[y] * result * np.log(x + (x == 0))


@adjoint(builtins.pow)
def builtin_pow(result, base, exp, mod=None):
    d[base] = unbroadcast(d[result] * exp * base ** (exp - (exp != 0)), base)
    d[exp] = unbroadcast(d[result] * result * np.log(base + (base == 0)), exp)


@tangent(builtins.pow)
def builtin_pow(result, base, exp, mod=None):
    d[result] = d[base] * exp * base ** (exp - (exp != 0)) + d[exp] * result * np.log(base + (base == 0))


@adjoint(operator.matmul, np.matmul)
def matmul(result, x, y):
    d[x] = matmul_grad_left(d[result], x, y)
    d[y] = matmul_grad_right(d[result], x, y)


@tangent(operator.matmul, np.matmul)
def matmul(result, x, y):
    d[result] = np.matmul(d[x], y) + np.matmul(x, d[y])


@adjoint(operator.mod, np.mod, np.remainder)
def mod(result, x, y):
    d[x] = unbroadcast(d[result], x)
    d[y] = unbroadcast(-d[result] * np.floor_divide(x, y), y)


@tangent(operator.mod, np.mod, np.remainder)
def mod(result, x, y):
    d[result] = d[x] - d[y] * np.floor_divide(x, y)
