"""NumPy's core: elementwise functions, reductions, products and array shuffling.

Elementwise functions keep their argument's shape, so their adjoints need no
`unbroadcast`; binary ones broadcast, so they do. Reductions take `axis` and
`keepdims` and broadcast the result's gradient back with `grad_reduce`. Shape logic
that would not fit on a line (products of any ndim, splitting a concatenation, the
nested lists of `np.array`) lives in small helpers of `s2s.runtime`, each of which
has rules of its own (templates/runtime_helpers.py), so that derivatives can be
differentiated again.
"""
import builtins

import numpy as np

from s2s.rules import adjoint, tangent
from s2s.runtime import (
    array_grad,
    array_like,
    astype,
    concat_like,
    cumsum_grad,
    dot_grad_left,
    dot_grad_right,
    grad_reduce,
    inverse_axes,
    prod_others,
    size,
    split_like,
    stack_like,
    tensordot_grad_left,
    tensordot_grad_right,
    tie_weights,
    unbroadcast,
    unstack,
)

# ruff: noqa: F821 - `d` is template syntax
# ruff: noqa: F811 - the adjoint and the tangent rule of a primitive share a name


# --------------------------------------------------------------- exponentials and logs


@adjoint(np.exp)
def exp(result, x):
    d[x] = d[result] * result


@tangent(np.exp)
def exp(result, x):
    d[result] = d[x] * result


@adjoint(np.exp2)
def exp2(result, x):
    d[x] = d[result] * result * np.log(2.0)


@tangent(np.exp2)
def exp2(result, x):
    d[result] = d[x] * result * np.log(2.0)


@adjoint(np.expm1)
def expm1(result, x):
    d[x] = d[result] * (result + 1.0)


@tangent(np.expm1)
def expm1(result, x):
    d[result] = d[x] * (result + 1.0)


@adjoint(np.log)
def log(result, x):
    d[x] = d[result] / x


@tangent(np.log)
def log(result, x):
    d[result] = d[x] / x


@adjoint(np.log2)
def log2(result, x):
    d[x] = d[result] / (x * np.log(2.0))


@tangent(np.log2)
def log2(result, x):
    d[result] = d[x] / (x * np.log(2.0))


@adjoint(np.log10)
def log10(result, x):
    d[x] = d[result] / (x * np.log(10.0))


@tangent(np.log10)
def log10(result, x):
    d[result] = d[x] / (x * np.log(10.0))


@adjoint(np.log1p)
def log1p(result, x):
    d[x] = d[result] / (1.0 + x)


@tangent(np.log1p)
def log1p(result, x):
    d[result] = d[x] / (1.0 + x)


@adjoint(np.logaddexp)
def logaddexp(result, x, y):
    d[x] = unbroadcast(d[result] * np.exp(x - result), x)
    d[y] = unbroadcast(d[result] * np.exp(y - result), y)


@tangent(np.logaddexp)
def logaddexp(result, x, y):
    d[result] = d[x] * np.exp(x - result) + d[y] * np.exp(y - result)


# --------------------------------------------------------------- powers


@adjoint(np.sqrt)
def sqrt(result, x):
    d[x] = d[result] / (2.0 * result)


@tangent(np.sqrt)
def sqrt(result, x):
    d[result] = d[x] / (2.0 * result)


@adjoint(np.cbrt)
def cbrt(result, x):
    d[x] = d[result] / (3.0 * result * result)


@tangent(np.cbrt)
def cbrt(result, x):
    d[result] = d[x] / (3.0 * result * result)


@adjoint(np.square)
def square(result, x):
    d[x] = d[result] * (2.0 * x)


@tangent(np.square)
def square(result, x):
    d[result] = d[x] * (2.0 * x)


@adjoint(np.reciprocal)
def reciprocal(result, x):
    d[x] = -d[result] * result * result


@tangent(np.reciprocal)
def reciprocal(result, x):
    d[result] = -d[x] * result * result


# --------------------------------------------------------------- trigonometry


@adjoint(np.sin)
def sin(result, x):
    d[x] = d[result] * np.cos(x)


@tangent(np.sin)
def sin(result, x):
    d[result] = d[x] * np.cos(x)


@adjoint(np.cos)
def cos(result, x):
    d[x] = -d[result] * np.sin(x)


@tangent(np.cos)
def cos(result, x):
    d[result] = -d[x] * np.sin(x)


@adjoint(np.tan)
def tan(result, x):
    d[x] = d[result] * (1.0 + result * result)


@tangent(np.tan)
def tan(result, x):
    d[result] = d[x] * (1.0 + result * result)


@adjoint(np.arcsin)
def arcsin(result, x):
    d[x] = d[result] / np.sqrt(1.0 - x * x)


@tangent(np.arcsin)
def arcsin(result, x):
    d[result] = d[x] / np.sqrt(1.0 - x * x)


@adjoint(np.arccos)
def arccos(result, x):
    d[x] = -d[result] / np.sqrt(1.0 - x * x)


@tangent(np.arccos)
def arccos(result, x):
    d[result] = -d[x] / np.sqrt(1.0 - x * x)


@adjoint(np.arctan)
def arctan(result, x):
    d[x] = d[result] / (1.0 + x * x)


@tangent(np.arctan)
def arctan(result, x):
    d[result] = d[x] / (1.0 + x * x)


@adjoint(np.arctan2)
def arctan2(result, y, x):
    d[y] = unbroadcast(d[result] * x / (x * x + y * y), y)
    d[x] = unbroadcast(-d[result] * y / (x * x + y * y), x)


@tangent(np.arctan2)
def arctan2(result, y, x):
    d[result] = d[y] * x / (x * x + y * y) - d[x] * y / (x * x + y * y)


@adjoint(np.hypot)
def hypot(result, x, y):
    d[x] = unbroadcast(d[result] * x / result, x)
    d[y] = unbroadcast(d[result] * y / result, y)


@tangent(np.hypot)
def hypot(result, x, y):
    d[result] = d[x] * x / result + d[y] * y / result


# --------------------------------------------------------------- hyperbolic functions


@adjoint(np.sinh)
def sinh(result, x):
    d[x] = d[result] * np.cosh(x)


@tangent(np.sinh)
def sinh(result, x):
    d[result] = d[x] * np.cosh(x)


@adjoint(np.cosh)
def cosh(result, x):
    d[x] = d[result] * np.sinh(x)


@tangent(np.cosh)
def cosh(result, x):
    d[result] = d[x] * np.sinh(x)


@adjoint(np.tanh)
def tanh(result, x):
    d[x] = d[result] * (1.0 - result * result)


@tangent(np.tanh)
def tanh(result, x):
    d[result] = d[x] * (1.0 - result * result)


@adjoint(np.arcsinh)
def arcsinh(result, x):
    d[x] = d[result] / np.sqrt(x * x + 1.0)


@tangent(np.arcsinh)
def arcsinh(result, x):
    d[result] = d[x] / np.sqrt(x * x + 1.0)


@adjoint(np.arccosh)
def arccosh(result, x):
    d[x] = d[result] / np.sqrt(x * x - 1.0)


@tangent(np.arccosh)
def arccosh(result, x):
    d[result] = d[x] / np.sqrt(x * x - 1.0)


@adjoint(np.arctanh)
def arctanh(result, x):
    d[x] = d[result] / (1.0 - x * x)


@tangent(np.arctanh)
def arctanh(result, x):
    d[result] = d[x] / (1.0 - x * x)


# --------------------------------------------------------------- kinks and selections
# At a tie, maximum/minimum split the gradient evenly between the tied arguments.


@adjoint(np.maximum, np.fmax)
def maximum(result, x, y):
    d[x] = unbroadcast(d[result] * (x == result) / (1.0 + (x == y)), x)
    d[y] = unbroadcast(d[result] * (y == result) / (1.0 + (x == y)), y)


@tangent(np.maximum, np.fmax)
def maximum(result, x, y):
    d[result] = d[x] * (x == result) / (1.0 + (x == y)) + d[y] * (y == result) / (1.0 + (x == y))


@adjoint(np.minimum, np.fmin)
def minimum(result, x, y):
    d[x] = unbroadcast(d[result] * (x == result) / (1.0 + (x == y)), x)
    d[y] = unbroadcast(d[result] * (y == result) / (1.0 + (x == y)), y)


@tangent(np.minimum, np.fmin)
def minimum(result, x, y):
    d[result] = d[x] * (x == result) / (1.0 + (x == y)) + d[y] * (y == result) / (1.0 + (x == y))


@adjoint(np.where)
def where(result, condition, x=None, y=None):
    d[x] = unbroadcast(np.where(condition, d[result], 0.0), x)
    d[y] = unbroadcast(np.where(condition, 0.0, d[result]), y)


@tangent(np.where)
def where(result, condition, x=None, y=None):
    d[result] = np.where(condition, d[x], 0.0) + np.where(condition, 0.0, d[y])


# The gradient passes where the value was not clipped; a bound gets it where it clipped.
# NumPy >= 2.1 also spells the bounds `min=` and `max=`.
@adjoint(np.clip)
def clip(result, a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    d[a] = unbroadcast(d[result] * (result == a), a)
    d[a_min] = unbroadcast(d[result] * (a < a_min), a_min)
    d[a_max] = unbroadcast(d[result] * (a > a_max), a_max)
    d[min] = unbroadcast(d[result] * (a < min), min)
    d[max] = unbroadcast(d[result] * (a > max), max)


@tangent(np.clip)
def clip(result, a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    d[result] = (
        d[a] * (result == a)
        + d[a_min] * (a < a_min)
        + d[a_max] * (a > a_max)
        + d[min] * (a < min)
        + d[max] * (a > max)
    )


# --------------------------------------------------------------- reductions


@adjoint(np.sum)
def sum_(result, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = grad_reduce(d[result], a, axis, keepdims)


@tangent(np.sum)
def sum_(result, a, axis=None, dtype=None, out=None, keepdims=False):
    d[result] = np.sum(d[a], axis=axis, keepdims=keepdims)


@adjoint(np.mean)
def mean(result, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = grad_reduce(d[result], a, axis, keepdims) * (size(result) / size(a))


@tangent(np.mean)
def mean(result, a, axis=None, dtype=None, out=None, keepdims=False):
    d[result] = np.mean(d[a], axis=axis, keepdims=keepdims)


@adjoint(np.var)
def var(result, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] = grad_reduce(d[result], a, axis, keepdims) * (
        2.0 * (a - np.mean(a, axis=axis, keepdims=True)) / (size(a) / size(result) - ddof)
    )


@tangent(np.var)
def var(result, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[result] = np.sum(d[a] * (a - np.mean(a, axis=axis, keepdims=True)), axis=axis, keepdims=keepdims) * (
        2.0 / (size(a) / size(result) - ddof)
    )


@adjoint(np.std)
def std(result, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] = grad_reduce(d[result] / result, a, axis, keepdims) * (
        (a - np.mean(a, axis=axis, keepdims=True)) / (size(a) / size(result) - ddof)
    )


@tangent(np.std)
def std(result, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[result] = np.sum(d[a] * (a - np.mean(a, axis=axis, keepdims=True)), axis=axis, keepdims=keepdims) / (
        result * (size(a) / size(result) - ddof)
    )


# prod_others(a, axis): the product of the other elements along axis (safe at zeros).
@adjoint(np.prod)
def prod(result, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = grad_reduce(d[result], a, axis, keepdims) * prod_others(a, axis)


@tangent(np.prod)
def prod(result, a, axis=None, dtype=None, out=None, keepdims=False):
    d[result] = np.sum(d[a] * prod_others(a, axis), axis=axis, keepdims=keepdims)


# tie_weights: 1/(number of ties) where `a` attains the extremum, 0 elsewhere.
@adjoint(np.max, np.amax)
def max_(result, a, axis=None, out=None, keepdims=False):
    d[a] = grad_reduce(d[result], a, axis, keepdims) * tie_weights(a, result, axis, keepdims)


@tangent(np.max, np.amax)
def max_(result, a, axis=None, out=None, keepdims=False):
    d[result] = np.sum(d[a] * tie_weights(a, result, axis, keepdims), axis=axis, keepdims=keepdims)


@adjoint(np.min, np.amin)
def min_(result, a, axis=None, out=None, keepdims=False):
    d[a] = grad_reduce(d[result], a, axis, keepdims) * tie_weights(a, result, axis, keepdims)


@tangent(np.min, np.amin)
def min_(result, a, axis=None, out=None, keepdims=False):
    d[result] = np.sum(d[a] * tie_weights(a, result, axis, keepdims), axis=axis, keepdims=keepdims)


@adjoint(np.cumsum)
def cumsum(result, a, axis=None, dtype=None, out=None):
    d[a] = cumsum_grad(d[result], a, axis)


@tangent(np.cumsum)
def cumsum(result, a, axis=None, dtype=None, out=None):
    d[result] = np.cumsum(d[a], axis=axis)


# --------------------------------------------------------------- products


@adjoint(np.dot)
def dot(result, a, b, out=None):
    d[a] = dot_grad_left(d[result], a, b)
    d[b] = dot_grad_right(d[result], a, b)


@tangent(np.dot)
def dot(result, a, b, out=None):
    d[result] = np.dot(d[a], b) + np.dot(a, d[b])


@adjoint(np.outer)
def outer(result, a, b, out=None):
    d[a] = np.reshape(np.dot(d[result], np.ravel(b)), np.shape(a))
    d[b] = np.reshape(np.dot(np.ravel(a), d[result]), np.shape(b))


@tangent(np.outer)
def outer(result, a, b, out=None):
    d[result] = np.outer(d[a], b) + np.outer(a, d[b])


@adjoint(np.tensordot)
def tensordot(result, a, b, axes=2):
    d[a] = tensordot_grad_left(d[result], a, b, axes)
    d[b] = tensordot_grad_right(d[result], a, b, axes)


@tangent(np.tensordot)
def tensordot(result, a, b, axes=2):
    d[result] = np.tensordot(d[a], b, axes=axes) + np.tensordot(a, d[b], axes=axes)


# --------------------------------------------------------------- shapes


@adjoint(np.reshape)
def reshape(result, a, shape=None, order="C", *, newshape=None, copy=None):
    d[a] = np.reshape(d[result], np.shape(a), order=order)


@tangent(np.reshape)
def reshape(result, a, shape=None, order="C", *, newshape=None, copy=None):
    d[result] = np.reshape(d[a], np.shape(result), order=order)


@adjoint(np.ravel)
def ravel(result, a, order="C"):
    d[a] = np.reshape(d[result], np.shape(a), order=order)


@tangent(np.ravel)
def ravel(result, a, order="C"):
    d[result] = np.ravel(d[a], order=order)


@adjoint(np.expand_dims)
def expand_dims(result, a, axis):
    d[a] = np.reshape(d[result], np.shape(a))


@tangent(np.expand_dims)
def expand_dims(result, a, axis):
    d[result] = np.reshape(d[a], np.shape(result))


@adjoint(np.squeeze)
def squeeze(result, a, axis=None):
    d[a] = np.reshape(d[result], np.shape(a))


@tangent(np.squeeze)
def squeeze(result, a, axis=None):
    d[result] = np.reshape(d[a], np.shape(result))


@adjoint(np.transpose)
def transpose(result, a, axes=None):
    d[a] = np.transpose(d[result], inverse_axes(axes, np.ndim(a)))


@tangent(np.transpose)
def transpose(result, a, axes=None):
    d[result] = np.transpose(d[a], axes)


@adjoint(np.broadcast_to)
def broadcast_to(result, array, shape, subok=False):
    d[array] = unbroadcast(d[result], array)


@tangent(np.broadcast_to)
def broadcast_to(result, array, shape, subok=False):
    d[result] = np.broadcast_to(d[array], np.shape(result))


@adjoint(np.flip)
def flip(result, m, axis=None):
    d[m] = np.flip(d[result], axis)


@tangent(np.flip)
def flip(result, m, axis=None):
    d[result] = np.flip(d[m], axis)


# --------------------------------------------------------------- building arrays from lists
# `d[arrays]` is a list with one adjoint per array; in tangents, None stands for zero.


@adjoint(np.concatenate)
def concatenate(result, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    d[arrays] = split_like(d[result], arrays, axis)


@tangent(np.concatenate)
def concatenate(result, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    d[result] = concat_like(d[arrays], arrays, axis)


@adjoint(np.stack)
def stack(result, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    d[arrays] = unstack(d[result], arrays, axis)


@tangent(np.stack)
def stack(result, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    d[result] = stack_like(d[arrays], arrays, axis)


@adjoint(np.array)
def array(result, object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, ndmax=0, like=None):
    d[object] = array_grad(d[result], object)


@tangent(np.array)
def array(result, object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, ndmax=0, like=None):
    d[result] = np.reshape(array_like(d[object], object), np.shape(result))


@adjoint(np.asarray)
def asarray(result, a, dtype=None, order=None, *, device=None, copy=None, like=None):
    d[a] = array_grad(d[result], a)


@tangent(np.asarray)
def asarray(result, a, dtype=None, order=None, *, device=None, copy=None, like=None):
    d[result] = np.reshape(array_like(d[a], a), np.shape(result))


# --------------------------------------------------------------- conversions
# A cast to an integer or boolean dtype is piecewise constant: its derivative is zero.


@adjoint(astype)
def astype_(result, x, dtype):
    d[x] = d[result] * np.issubdtype(dtype, np.inexact)


@tangent(astype)
def astype_(result, x, dtype):
    d[result] = astype(d[x], dtype) * np.issubdtype(dtype, np.inexact)


@adjoint(builtins.float)
def to_float(result, x):
    d[x] = d[result]


@tangent(builtins.float)
def to_float(result, x):
    d[result] = d[x]
