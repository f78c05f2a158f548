"""The helpers of `s2s.runtime` that rules call, as primitives with rules of their own.

Derivative code calls these helpers, and derivative code is differentiated again
(`grad(grad(f))`, Hessians, forward-over-reverse). Most helpers are vector-Jacobian
products, linear in their first argument `g`, so their rules pair them up: the
adjoint of `unbroadcast` is `broadcast_like`, of `split_like` is `concat_like`, and
so on. Arguments used only for their shape (`like`, `x`, `arrays`, `obj`) get no
derivative.
"""

from s2s.declare import linear, multilinear, rule_table
from s2s.rules import constant_in, none_aware, shape_only
from s2s.runtime import (
    array_grad,
    array_like,
    broadcast_like,
    concat_like,
    cross_grad_a,
    cross_grad_b,
    cumsum_grad,
    dot_grad_left,
    dot_grad_right,
    grad_reduce,
    match_like,
    match_like_grad,
    matmul_grad_left,
    matmul_grad_right,
    soft_zero_as,
    split_like,
    stack_like,
    tensordot_grad_left,
    tensordot_grad_right,
    unbroadcast,
    unstack,
)

# --------------------------------------------------------------- broadcasting, reductions, lists <-> arrays
# Each helper's adjoint (its transpose), from which its tangent is written: the helper
# applied to the tangents. soft_zero_as(d, like) is d, or zeros where d is the scalar
# zero standing for them (what a gradient driver returns for a parameter of no known
# kind, s2s/program.py).
linear({
    "unbroadcast(g, like)": "d[g] = broadcast_like(d[result], g)",
    "broadcast_like(g, like)": "d[g] = unbroadcast(d[result], g)",
    "soft_zero_as(d_in, like)": "d[d_in] = unbroadcast(d[result], d_in)",
    "match_like(g, x)": "d[g] = match_like_grad(d[result], g)",
    "match_like_grad(dy, g)": "d[dy] = match_like(d[result], dy)",
    "grad_reduce(g, x, axis=None, keepdims=False)": "d[g] = np.sum(d[result], axis=axis, keepdims=keepdims)",
    "cumsum_grad(g, x, axis=None)": "d[g] = np.cumsum(d[result], axis=axis)",
    "prod_others_tangent(v, x, axis=None)": "d[v] = prod_others_tangent(d[result], x, axis)",  # see below
    "split_like(g, arrays, axis=0)": "d[g] = concat_like(d[result], arrays, axis)",
    "concat_like(gs, arrays, axis=0)": "d[gs] = split_like(d[result], arrays, axis)",
    "unstack(g, arrays, axis=0)": "d[g] = stack_like(d[result], arrays, axis)",
    "stack_like(gs, arrays, axis=0)": "d[gs] = unstack(d[result], arrays, axis)",
    "array_grad(g, obj)": "d[g] = np.reshape(array_like(d[result], obj), np.shape(g))",
    "array_like(gs, obj)": "d[gs] = array_grad(d[result], obj)",
})
none_aware(match_like, match_like_grad)
# result[i] is the product of the elements other than i; its derivative matrix (the
# products of the elements other than i and k) is symmetric, so one helper is both its
# tangent and its adjoint, exact at zeros. That helper is linear in its first argument;
# a derivative through its second (a third derivative of np.prod) raises.
rule_table({"prod_others(x, axis=None)": ("d[x] = prod_others_tangent(d[result], x, axis)",
                                         "d[result] = prod_others_tangent(d[x], x, axis)")})

# --------------------------------------------------------------- products
# P_grad_left(g, a, b) is the adjoint of h -> P(h, b), so <H, P_grad_left(g, a, b)> =
# <g, P(H, b)>: linear in g and in b, with a used only for its shape. cross, cross_grad_a
# and cross_grad_b are each other's transposes: <cross(a, b), g> = <a, cross_grad_a(g,
# a, b)> = <b, cross_grad_b(g, a, b)>.
multilinear({
    "dot_grad_left(g, a, b)": "d[g] = np.dot(d[result], b); d[b] = dot_grad_right(g, d[result], b)",
    "dot_grad_right(g, a, b)": "d[g] = np.dot(a, d[result]); d[a] = dot_grad_left(g, a, d[result])",
    "matmul_grad_left(g, a, b)": "d[g] = np.matmul(d[result], b); d[b] = matmul_grad_right(g, d[result], b)",
    "matmul_grad_right(g, a, b)": "d[g] = np.matmul(a, d[result]); d[a] = matmul_grad_left(g, a, d[result])",
    "tensordot_grad_left(g, a, b, axes=2)":
        "d[g] = np.tensordot(d[result], b, axes=axes); d[b] = tensordot_grad_right(g, d[result], b, axes)",
    "tensordot_grad_right(g, a, b, axes=2)":
        "d[g] = np.tensordot(a, d[result], axes=axes); d[a] = tensordot_grad_left(g, a, d[result], axes)",
    "cross_grad_a(g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None)":
        "d[g] = unbroadcast(np.cross(d[result], b, axisa, axisb, axisc, axis), g);"
        " d[b] = cross_grad_b(g, d[result], b, axisa, axisb, axisc, axis)",
    "cross_grad_b(g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None)":
        "d[g] = unbroadcast(np.cross(a, d[result], axisa, axisb, axisc, axis), g);"
        " d[a] = cross_grad_a(g, a, d[result], axisa, axisb, axisc, axis)",
})


# Read only for a shape, a dtype or a container type: a derivative there is zero.
constant_in(array_grad, "obj")
constant_in(array_like, "obj")
constant_in(concat_like, "arrays")
constant_in(cross_grad_a, "a")
constant_in(cross_grad_b, "b")
constant_in(cumsum_grad, "x")
constant_in(dot_grad_left, "a")
constant_in(dot_grad_right, "b")
constant_in(match_like_grad, "g")
constant_in(matmul_grad_left, "a")
constant_in(matmul_grad_right, "b")
constant_in(split_like, "arrays")
constant_in(stack_like, "arrays")
constant_in(tensordot_grad_left, "a")
constant_in(tensordot_grad_right, "b")
constant_in(unstack, "arrays")

# Read only for the shape, dtype and type: a loop's tape keeps a stand-in (runtime.shape_stand_in).
shape_only(broadcast_like, "like")
shape_only(grad_reduce, "x")
shape_only(match_like, "x")
shape_only(soft_zero_as, "like")
shape_only(unbroadcast, "like")
