"""NumPy's core: elementwise functions, reductions, products and array shuffling.

Elementwise functions keep their argument's shape, so their adjoints need no
`unbroadcast`; binary ones broadcast, so they do. Reductions take `axis` and
`keepdims` and broadcast the result's gradient back with `grad_reduce`. Shape logic
that would not fit on a line (products of any ndim, splitting a concatenation, the
nested lists of `np.array`) lives in small helpers of `s2s.runtime`, each of which
has rules of its own (templates/runtime_helpers.py), so that derivatives can be
differentiated again.
"""
import numpy as np

from s2s.declare import elementwise, linear, multilinear, reductions, rule_table

# --------------------------------------------------------------- kinks and selections
# At a tie, maximum/minimum split the gradient evenly between the tied arguments; the
# gradient passes where clip did not clip, and a bound gets it where it clipped (NumPy
# >= 2.1 also spells the bounds `min=` and `max=`).
elementwise(
    {
        "extremum(x, y)": ("(x == result) / (1.0 + (x == y))", "(y == result) / (1.0 + (x == y))"),
        "where(condition, x=None, y=None)": (None, "condition", "1.0 - condition"),
        "clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None)":
            ("result == a", "a < a_min", "a > a_max", None, "a < min", "a > max"),
    },
    np,
    names={"extremum": ("maximum", "fmax", "minimum", "fmin")},
)


# --------------------------------------------------------------- reductions


linear({
    "np.sum(a, axis=None, dtype=None, out=None, keepdims=False)": "d[a] = grad_reduce(d[result], a, axis, keepdims)",
    "np.mean(a, axis=None, dtype=None, out=None, keepdims=False)":
        "d[a] = grad_reduce(d[result], a, axis, keepdims) * (size(result) / size(a))",
    "np.cumsum(a, axis=None, dtype=None, out=None)": "d[a] = cumsum_grad(d[result], a, axis)",
})


# prod_others(a, axis): the product of the other elements along axis (safe at zeros);
# tie_weights: 1/(number of ties) where `a` attains the extremum, 0 elsewhere. At a
# constant `a` (one element), std's result is 0 and so is a - mean: the derivative is 0.
reductions(
    {
        "var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False)":
            "2.0 * conj(a - mean(a, axis=axis, keepdims=True)) / (size(a) / size(result) - ddof)",
        "std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False)": "conj(a - mean(a, axis=axis, keepdims=True))"
            " / ((size(a) / size(result) - ddof) * grad_reduce(result + (result == 0), a, axis, keepdims))",
        "prod(a, axis=None, dtype=None, out=None, keepdims=False)": "prod_others(a, axis)",
        "extremum(a, axis=None, out=None, keepdims=False)": "tie_weights(a, result, axis, keepdims)",
    },
    np,
    names={"extremum": ("max", "amax", "min", "amin")},
)


# --------------------------------------------------------------- products


multilinear({
    "np.dot(a, b, out=None)": "d[a] = dot_grad_left(d[result], a, b); d[b] = dot_grad_right(d[result], a, b)",
    "np.outer(a, b, out=None)": "d[a] = np.reshape(np.dot(d[result], np.ravel(b)), np.shape(a));"
                                " d[b] = np.reshape(np.dot(np.ravel(a), d[result]), np.shape(b))",
    "np.tensordot(a, b, axes=2)":
        "d[a] = tensordot_grad_left(d[result], a, b, axes); d[b] = tensordot_grad_right(d[result], a, b, axes)",
})


# --------------------------------------------------------------- shapes


# (`newshape` is older NumPy's spelling of shape: the tangent reads the result's shape)
rule_table({"np.reshape(a, shape=None, order='C', *, newshape=None, copy=None)": (
    "d[a] = np.reshape(d[result], np.shape(a), order=order)",
    "d[result] = np.reshape(d[a], np.shape(result), order=order)")})
linear({
    "np.ravel(a, order='C')": "d[a] = np.reshape(d[result], np.shape(a), order=order)",
    "np.transpose(a, axes=None)": "d[a] = np.transpose(d[result], inverse_axes(axes, np.ndim(a)))",
    "np.broadcast_to(array, shape, subok=False)": "d[array] = unbroadcast(d[result], array)",
    "np.flip(m, axis=None)": "d[m] = np.flip(d[result], axis)",
})


@linear(np.expand_dims, np.squeeze)
def expand_dims(result, a, axis=None):
    d[a] = np.reshape(d[result], np.shape(a))


# --------------------------------------------------------------- building arrays from lists
# `d[arrays]` is a list with one adjoint per array; in tangents, None stands for zero.


rule_table({
    "np.concatenate(arrays, axis=0, out=None, *, dtype=None, casting='same_kind')": (
        "d[arrays] = split_like(d[result], arrays, axis)", "d[result] = concat_like(d[arrays], arrays, axis)"),
    "np.stack(arrays, axis=0, out=None, *, dtype=None, casting='same_kind')": (
        "d[arrays] = unstack(d[result], arrays, axis)", "d[result] = stack_like(d[arrays], arrays, axis)"),
    # the tangent is a copy, as the result is
    "np.array(object, dtype=None, *, copy=True, order='K', subok=False, ndmin=0, ndmax=0, like=None)": (
        "d[object] = array_grad(d[result], object)",
        "d[result] = np.reshape(np.array(array_like(d[object], object)), np.shape(result))"),
    "np.asarray(a, dtype=None, order=None, *, device=None, copy=None, like=None)": (
        "d[a] = array_grad(d[result], a)", "d[result] = np.reshape(array_like(d[a], a), np.shape(result))"),
})


# --------------------------------------------------------------- conversions
# A cast to an integer or boolean dtype is piecewise constant: its derivative is zero.


rule_table({"astype(x, dtype)": ("d[x] = d[result] * np.issubdtype(dtype, np.inexact)",
                                   "d[result] = astype(d[x], dtype) * np.issubdtype(dtype, np.inexact)")})
