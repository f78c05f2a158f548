"""Building, splitting and rearranging arrays.

An operation that only moves, copies or drops elements is one line: its signature and
the arguments whose elements it moves. Its adjoint sums the gradient back to where
each element came from, its tangent moves the tangents the same way (see
s2s.declare.rearrangements). Linear operations that combine elements (diff, kron,
linspace) are written out.
"""
import numpy as np

from s2s.declare import linear, rearrangements
from s2s.rules import adjoint, none_aware, tangent
from s2s.runtime import gather_grad, move_like, unbroadcast

# ruff: noqa: F821 - `d` is template syntax
# ruff: noqa: F811 - the adjoint and the tangent rule of a primitive share a name

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
        "pad(array, pad_width, mode='constant')": "array",
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


# np.r_[a, b] and np.c_[a, b] (see s2s/passes/numpy_forms.py)
@adjoint(np.r_.__getitem__)
def r_(result, key):
    d[key] = gather_grad(d[result], np.r_.__getitem__, 0, (key,), {})


@tangent(np.r_.__getitem__)
def r_(result, key):
    d[result] = move_like(np.r_.__getitem__, 0, d[key], (key,), {})


@adjoint(np.c_.__getitem__)
def c_(result, key):
    d[key] = gather_grad(d[result], np.c_.__getitem__, 0, (key,), {})


@tangent(np.c_.__getitem__)
def c_(result, key):
    d[result] = move_like(np.c_.__getitem__, 0, d[key], (key,), {})


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
