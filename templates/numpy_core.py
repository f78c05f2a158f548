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

from s2s.declare import linear
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


@linear(np.sum)
def sum_(result, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = grad_reduce(d[result], a, axis, keepdims)


@linear(np.mean)
def mean(result, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = grad_reduce(d[result], a, axis, keepdims) * (size(result) / size(a))


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


# At a constant `a` (one element), result == 0 and so is a - mean: the derivative is 0.
@adjoint(np.std)
def std(result, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] = grad_reduce(d[result] / (result + (result == 0)), a, axis, keepdims) * (
        (a - np.mean(a, axis=axis, keepdims=True)) / (size(a) / size(result) - ddof)
    )


@tangent(np.std)
def std(result, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[result] = np.sum(d[a] * (a - np.mean(a, axis=axis, keepdims=True)), axis=axis, keepdims=keepdims) / (
        (result + (result == 0)) * (size(a) / size(result) - ddof)
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


@linear(np.cumsum)
def cumsum(result, a, axis=None, dtype=None, out=None):
    d[a] = cumsum_grad(d[result], a, axis)


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


@linear(np.ravel)
def ravel(result, a, order="C"):
    d[a] = np.reshape(d[result], np.shape(a), order=order)


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


@linear(np.transpose)
def transpose(result, a, axes=None):
    d[a] = np.transpose(d[result], inverse_axes(axes, np.ndim(a)))


@adjoint(np.broadcast_to)
def broadcast_to(result, array, shape, subok=False):
    d[array] = unbroadcast(d[result], array)


@tangent(np.broadcast_to)
def broadcast_to(result, array, shape, subok=False):
    d[result] = np.broadcast_to(d[array], np.shape(result))


@linear(np.flip)
def flip(result, m, axis=None):
    d[m] = np.flip(d[result], axis)


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
    d[result] = np.reshape(np.array(array_like(d[object], object)), np.shape(result))  # a copy, as the result is


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
