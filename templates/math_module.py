"""The `math` module: functions of Python floats.

The derivatives use `math` functions too, so scalar code stays on Python floats
(fast, and no NumPy scalars leak into the user's results).
"""
import math

from s2s.rules import adjoint, tangent

# ruff: noqa: F821 - `d` is template syntax
# ruff: noqa: F811 - the adjoint and the tangent rule of a primitive share a name


# --------------------------------------------------------------- exponentials and logs


@adjoint(math.exp)
def exp(result, x):
    d[x] = d[result] * result


@tangent(math.exp)
def exp(result, x):
    d[result] = d[x] * result


@adjoint(math.expm1)
def expm1(result, x):
    d[x] = d[result] * (result + 1.0)


@tangent(math.expm1)
def expm1(result, x):
    d[result] = d[x] * (result + 1.0)


# math.log(x[, base]) = ln(x) / ln(base)
@adjoint(math.log)
def log(result, x, base=math.e):
    d[x] = d[result] / (x * math.log(base))
    d[base] = -d[result] * result / (base * math.log(base))


@tangent(math.log)
def log(result, x, base=math.e):
    d[result] = d[x] / (x * math.log(base)) - d[base] * result / (base * math.log(base))


@adjoint(math.log1p)
def log1p(result, x):
    d[x] = d[result] / (1.0 + x)


@tangent(math.log1p)
def log1p(result, x):
    d[result] = d[x] / (1.0 + x)


# --------------------------------------------------------------- powers
# As for `**` (templates/operators.py): `y - (y != 0)` avoids 0 * 0 ** -1 at y == 0, and
# `x + (x == 0)` avoids log(0) where the factor `result` is 0 anyway.


@adjoint(math.pow)
def pow_(result, x, y):
    d[x] = d[result] * y * math.pow(x, y - (y != 0))
    d[y] = d[result] * result * math.log(x + (x == 0))


@tangent(math.pow)
def pow_(result, x, y):
    d[result] = d[x] * y * math.pow(x, y - (y != 0)) + d[y] * result * math.log(x + (x == 0))


@adjoint(math.sqrt)
def sqrt(result, x):
    d[x] = d[result] / (2.0 * result)


@tangent(math.sqrt)
def sqrt(result, x):
    d[result] = d[x] / (2.0 * result)


@adjoint(math.hypot)
def hypot(result, x, y):
    d[x] = d[result] * x / result
    d[y] = d[result] * y / result


@tangent(math.hypot)
def hypot(result, x, y):
    d[result] = d[x] * x / result + d[y] * y / result


# sign(x), 0 at the kink like np.sign (as floats: NumPy booleans do not subtract)
@adjoint(math.fabs)
def fabs(result, x):
    d[x] = d[result] * (float(x > 0) - float(x < 0))


@tangent(math.fabs)
def fabs(result, x):
    d[result] = d[x] * (float(x > 0) - float(x < 0))


# --------------------------------------------------------------- trigonometry


@adjoint(math.sin)
def sin(result, x):
    d[x] = d[result] * math.cos(x)


@tangent(math.sin)
def sin(result, x):
    d[result] = d[x] * math.cos(x)


@adjoint(math.cos)
def cos(result, x):
    d[x] = -d[result] * math.sin(x)


@tangent(math.cos)
def cos(result, x):
    d[result] = -d[x] * math.sin(x)


@adjoint(math.tan)
def tan(result, x):
    d[x] = d[result] * (1.0 + result * result)


@tangent(math.tan)
def tan(result, x):
    d[result] = d[x] * (1.0 + result * result)


@adjoint(math.asin)
def asin(result, x):
    d[x] = d[result] / math.sqrt(1.0 - x * x)


@tangent(math.asin)
def asin(result, x):
    d[result] = d[x] / math.sqrt(1.0 - x * x)


@adjoint(math.acos)
def acos(result, x):
    d[x] = -d[result] / math.sqrt(1.0 - x * x)


@tangent(math.acos)
def acos(result, x):
    d[result] = -d[x] / math.sqrt(1.0 - x * x)


@adjoint(math.atan)
def atan(result, x):
    d[x] = d[result] / (1.0 + x * x)


@tangent(math.atan)
def atan(result, x):
    d[result] = d[x] / (1.0 + x * x)


@adjoint(math.atan2)
def atan2(result, y, x):
    d[y] = d[result] * x / (x * x + y * y)
    d[x] = -d[result] * y / (x * x + y * y)


@tangent(math.atan2)
def atan2(result, y, x):
    d[result] = d[y] * x / (x * x + y * y) - d[x] * y / (x * x + y * y)


# --------------------------------------------------------------- hyperbolic functions


@adjoint(math.sinh)
def sinh(result, x):
    d[x] = d[result] * math.cosh(x)


@tangent(math.sinh)
def sinh(result, x):
    d[result] = d[x] * math.cosh(x)


@adjoint(math.cosh)
def cosh(result, x):
    d[x] = d[result] * math.sinh(x)


@tangent(math.cosh)
def cosh(result, x):
    d[result] = d[x] * math.sinh(x)


@adjoint(math.tanh)
def tanh(result, x):
    d[x] = d[result] * (1.0 - result * result)


@tangent(math.tanh)
def tanh(result, x):
    d[result] = d[x] * (1.0 - result * result)


@adjoint(math.asinh)
def asinh(result, x):
    d[x] = d[result] / math.sqrt(x * x + 1.0)


@tangent(math.asinh)
def asinh(result, x):
    d[result] = d[x] / math.sqrt(x * x + 1.0)


@adjoint(math.acosh)
def acosh(result, x):
    d[x] = d[result] / math.sqrt(x * x - 1.0)


@tangent(math.acosh)
def acosh(result, x):
    d[result] = d[x] / math.sqrt(x * x - 1.0)


@adjoint(math.atanh)
def atanh(result, x):
    d[x] = d[result] / (1.0 - x * x)


@tangent(math.atanh)
def atanh(result, x):
    d[result] = d[x] / (1.0 - x * x)
