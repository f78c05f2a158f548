"""Building, splitting and rearranging arrays.

An operation that only moves, copies or drops elements is one line: its signature and
the arguments whose elements it moves. Its adjoint sums the gradient back to where
each element came from, its tangent moves the tangents the same way (see
s2s.declare.rearrangements). Linear operations that combine elements (diff, kron,
linspace) are written out.
"""
import builtins

import numpy as np

from s2s.declare import linear, multilinear, rearrangements, rule_table
from s2s.rules import adjoint, constant_in, non_differentiable, none_aware, tangent
from s2s.runtime import (
    gather_grad,
    gradient_grad,
    inner_axes,
    kron_shapes,
    kron_subscripts,
    move_like,
    unbroadcast,
)

rearrangements(
    {
        # joining
        "hstack(tup)": "tup",
        "vstack(tup)": "tup",
        "dstack(tup)": "tup",
        "column_stack(tup)": "tup",
        "row_stack(tup)": "tup",
        "append(arr, values, axis=None)": ("arr", "values"),
        "insert(arr, obj, values, axis=None)": ("arr", "values"),
        "atleast_1d(x)": "x",
        "atleast_2d(x)": "x",
        "atleast_3d(x)": "x",
        # splitting and selecting
        "split(ary, indices_or_sections, axis=0)": "ary",
        "array_split(ary, indices_or_sections, axis=0)": "ary",
        "hsplit(ary, indices_or_sections)": "ary",
        "vsplit(ary, indices_or_sections)": "ary",
        "dsplit(ary, indices_or_sections)": "ary",
        "take(a, indices, axis=None)": "a",
        "take_along_axis(arr, indices, axis)": "arr",
        "compress(condition, a, axis=None)": "a",
        "extract(condition, arr)": "arr",
        "delete(arr, obj, axis=None)": "arr",
        "select(condlist, choicelist, default=0)": ("choicelist", "default"),
        "choose(a, choices)": "choices",
        # copying
        "copy(a)": "a",
        "repeat(a, repeats, axis=None)": "a",
        "tile(A, reps)": "A",
        "resize(a, new_shape)": "a",
        "full(shape, fill_value, dtype=None)": "fill_value",
        "full_like(a, fill_value, dtype=None)": "fill_value",
        "pad(array, pad_width, mode='constant', *, constant_values=None)": ("array", "constant_values"),
        "diagflat(v, k=0)": "v",
        # turning
        "roll(a, shift, axis=None)": "a",
        "rollaxis(a, axis, start=0)": "a",
        "rot90(m, k=1, axes=(0, 1))": "m",
        "fliplr(m)": "m",
        "flipud(m)": "m",
    },
    np,
)


# gather_grad and move_like are each other's transpose; None is a zero for both.
@linear(gather_grad)
def gather_grad_(result, g, op, which, args, kwargs):
    d[g] = move_like(op, which, d[result], args, kwargs)


@linear(move_like)
def move_like_(result, op, which, tangents, args, kwargs):
    d[tangents] = gather_grad(d[result], op, which, args, kwargs)


none_aware(gather_grad, move_like)


# np.r_[a, b] and np.c_[a, b] (see s2s/passes/spellings.py)
rule_table({
    f"np.{index_trick}.__getitem__(key)": (
        f"d[key] = gather_grad(d[result], np.{index_trick}.__getitem__, 0, (key,), {{}})",
        f"d[result] = move_like(np.{index_trick}.__getitem__, 0, d[key], (key,), {{}})")
    for index_trick in ("r_", "c_")
})


# --------------------------------------------------------------- ranges
# linspace(start, stop, num) = start + (stop - start) * t, t = 0 ... 1 along axis 0.


@adjoint(np.linspace)
def linspace(result, start, stop, num=50, endpoint=True):
    t = np.reshape(np.linspace(0.0, 1.0, num, endpoint=endpoint), (-1,) + (1,) * (np.ndim(result) - 1))
    d[start] = unbroadcast(np.sum(d[result] * (1.0 - t), axis=0), start)
    d[stop] = unbroadcast(np.sum(d[result] * t, axis=0), stop)


@tangent(np.linspace)
def linspace(result, start, stop, num=50, endpoint=True):
    t = np.reshape(np.linspace(0.0, 1.0, num, endpoint=endpoint), (-1,) + (1,) * (np.ndim(result) - 1))
    d[result] = d[start] * (1.0 - t) + d[stop] * t


# arange(start, stop, step) = start + step * i; stop only decides the length. With one
# argument, that argument is the stop.
@adjoint(np.arange)
def arange(result, start, stop=None, step=None, dtype=None):
    d[start] = np.sum(d[result]) * (stop is not None)
    d[step] = np.sum(d[result] * np.arange(np.size(result)))


@tangent(np.arange)
def arange(result, start, stop=None, step=None, dtype=None):
    d[result] = d[start] * (stop is not None) + d[step] * np.arange(np.size(result))


# --------------------------------------------------------------- partition, differences, products


rule_table({"np.partition(a, kth, axis=-1)": (
    "d[a] = gather_grad(d[result], np.take_along_axis, 0, (a, np.argpartition(a, kth, axis=axis), axis), {})",
    "d[result] = move_like(np.take_along_axis, 0, d[a], (a, np.argpartition(a, kth, axis=axis), axis), {})")})
linear({
    "np.diff(a, n=1, axis=-1)": "d[a] = diff_grad(d[result], n, axis)",
    "diff_grad(g, n=1, axis=-1)": "d[g] = np.diff(d[result], n, axis)",
})


# kron(a, b) reshaped to interleaved axes (i, k, j, l) is a[i, j] b[k, l]
@multilinear(np.kron)
def kron(result, a, b):
    g = np.reshape(d[result], kron_shapes(a, b)[2])
    d[a] = np.reshape(np.einsum(kron_subscripts(a, b, 0), g, np.reshape(b, kron_shapes(a, b)[1])), np.shape(a))
    d[b] = np.reshape(np.einsum(kron_subscripts(a, b, 1), g, np.reshape(a, kron_shapes(a, b)[0])), np.shape(b))


multilinear({
    "np.inner(a, b)": "d[a] = tensordot_grad_left(d[result], a, b, inner_axes(a, b));"
                      " d[b] = tensordot_grad_right(d[result], a, b, inner_axes(a, b))",
    "np.cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None)":
        "d[a] = cross_grad_a(d[result], a, b, axisa, axisb, axisc, axis);"
        " d[b] = cross_grad_b(d[result], a, b, axisa, axisb, axisc, axis)",
})


non_differentiable(kron_shapes, kron_subscripts, inner_axes, np.argpartition)


# --------------------------------------------------------------- casts
# To an integer or boolean type: piecewise constant. To a float type: the identity.
non_differentiable(np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.bool_)


@linear(np.float64, np.float32, np.float16, builtins.float)
def to_float(result, x):
    d[x] = d[result]


# np.gradient is linear in f; spacings (varargs) have no derivative here.
linear({
    "np.gradient(f, *varargs, axis=None, edge_order=1)":
        "d[f] = gradient_grad(d[result], f, varargs, axis, edge_order)",
    "gradient_grad(g, f, varargs=(), axis=None, edge_order=1)":
        "d[g] = np.gradient(d[result], *varargs, axis=axis, edge_order=edge_order)",
})


# Read only for a shape, the structure of the arguments or (like=) the array type to
# make; arange's stop only decides the length.
constant_in(gather_grad, "args", "kwargs")
constant_in(move_like, "args", "kwargs")
constant_in(gradient_grad, "f")
constant_in(np.full_like, "a")
constant_in(np.array, "like")
constant_in(np.asarray, "like")
constant_in(np.arange, "stop")
