"""Linear algebra: np.linalg, traces and diagonals, einsum, sorting.

Matrix functions accept stacks of matrices where NumPy does: transposes are
`np.swapaxes(_, -1, -2)` and per-matrix scalars get two trailing axes. Inverses are
taken with `np.linalg.inv` and `np.linalg.solve`, whose own rules are here, so every
rule can be differentiated again.

`np.linalg.cholesky` and `np.linalg.eigh` read only the lower triangle of their
argument; their rules are the derivatives of exactly that, so the gradient of the
input is lower triangular (`fold_to_lower`). For a symmetric perturbation `dA` this
agrees with the symmetric gradient other libraries report (UPLO='U' reads the upper
triangle: `uplo_transpose`). Calls that pass an option a rule does not handle
(`upper=True`, `return_sign=`) have no matching
parameter, which the compiler reports when it reads the call.
"""
import numpy as np

from s2s.declare import linear, multilinear, reductions, rule_table
from s2s.rules import adjoint, constant_in, non_differentiable, tangent
from s2s.runtime import (
    as_columns,
    diag_grad,
    diagonal_grad,
    eig_vectors_tangent,
    einsum_has_subscripts,
    einsum_partial0,
    einsum_partial1,
    einsum_partial2,
    einsum_partial3,
    einsum_partial4,
    einsum_sublist_subscripts,
    fold_to_lower,
    from_columns,
    grad_item,
    inverse_gaps,
    match_complex,
    norm_kink_weights,
    norm_power,
    norm_two_scale,
    pack_like,
    reduced_svd_only,
    sort_take,
    sort_untake,
    symmetrize_lower,
    trace_grad,
    tril_half_diagonal,
    unbroadcast,
    uplo_transpose,
)

# --------------------------------------------------------------- inverses and solves


@adjoint(np.linalg.inv)
def inv(result, a):
    d[a] = -np.matmul(np.swapaxes(result, -1, -2), np.matmul(d[result], np.swapaxes(result, -1, -2)))


@tangent(np.linalg.inv)
def inv(result, a):
    d[result] = -np.matmul(result, np.matmul(d[a], result))


# x = solve(a, b): b's adjoint solves with a's transpose, a's is -(b's adjoint) x^T. A 1-D b
# is one vector (also for a stack of a's): as_columns makes it a column, from_columns
# undoes that, and unbroadcast sums over the stack where only one operand has it.
@adjoint(np.linalg.solve)
def solve(result, a, b):
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), as_columns(d[result], b))
    d[a] = unbroadcast(-np.matmul(gb, np.swapaxes(as_columns(result, b), -1, -2)), a)
    d[b] = unbroadcast(from_columns(gb, b), b)


@tangent(np.linalg.solve)
def solve(result, a, b):
    d[result] = from_columns(np.linalg.solve(a, as_columns(d[b], b)), b) - from_columns(
        np.linalg.solve(a, np.matmul(d[a], as_columns(result, b))), b
    )


# --------------------------------------------------------------- determinants


@adjoint(np.linalg.det)
def det(result, a):
    d[a] = np.expand_dims(d[result] * result, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


@tangent(np.linalg.det)
def det(result, a):
    d[result] = result * np.sum(np.swapaxes(np.linalg.inv(a), -1, -2) * d[a], axis=(-2, -1))


# The result is (sign, logabsdet); the sign is piecewise constant, so only logabsdet
# carries a derivative. `grad_item` reads a missing (None) adjoint as zero.
@adjoint(np.linalg.slogdet)
def slogdet(result, a):
    d[a] = np.expand_dims(grad_item(d[result], 1, result[1]), (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


@tangent(np.linalg.slogdet)
def slogdet(result, a):
    d[result] = pack_like(result, (None, np.sum(np.swapaxes(np.linalg.inv(a), -1, -2) * d[a], axis=(-2, -1))))


# --------------------------------------------------------------- factorizations
# a = L L^T (L = result) with a read from its lower triangle. With Phi the lower
# triangle with a halved diagonal (tril_half_diagonal): dL = L Phi(L^-1 dA L^-T), and
# for S = L^-T Phi(L^T dL) L^-1 the adjoint is fold_to_lower(S).


@adjoint(np.linalg.cholesky)
def cholesky(result, a):
    linv = np.linalg.inv(result)
    s = np.matmul(np.swapaxes(linv, -1, -2), np.matmul(tril_half_diagonal(np.matmul(np.swapaxes(result, -1, -2), d[result])), linv))
    d[a] = fold_to_lower(s)


@tangent(np.linalg.cholesky)
def cholesky(result, a):
    linv = np.linalg.inv(result)
    d[result] = np.matmul(result, tril_half_diagonal(np.matmul(linv, np.matmul(symmetrize_lower(d[a]), np.swapaxes(linv, -1, -2)))))


# a = V diag(w) V^H, read from its lower triangle; (w, V) = result. With Q = V^H dA V and
# F = inverse_gaps(w) (1 / (w[j] - w[i]), 0 for equal eigenvalues): dw = diag(Q), dV = V (F * Q)
# (for complex a, the eigenvectors' phases fixed by dV's zero diagonal in V^H dV).
# Eigenvectors of repeated eigenvalues have no derivative (F's 0 there); eigenvalues do.
@adjoint(np.linalg.eigh)
def eigh(result, a, UPLO="L"):
    w = result[0]
    v = result[1]
    eye = np.eye(np.shape(w)[-1])
    f = inverse_gaps(w)
    inner = np.expand_dims(grad_item(d[result], 0, w), -1) * eye + f * np.matmul(np.swapaxes(v, -1, -2), grad_item(d[result], 1, v))
    d[a] = uplo_transpose(fold_to_lower(np.matmul(np.conj(v), np.matmul(inner, np.swapaxes(v, -1, -2)))), UPLO)


@tangent(np.linalg.eigh)
def eigh(result, a, UPLO="L"):
    w = result[0]
    v = result[1]
    f = inverse_gaps(w)
    d[result] = pack_like(
        result,
        (
            np.real(np.sum(np.conj(v) * np.matmul(symmetrize_lower(uplo_transpose(d[a], UPLO)), v), axis=-2)),
            np.matmul(v, f * np.matmul(np.conj(np.swapaxes(v, -1, -2)), np.matmul(symmetrize_lower(uplo_transpose(d[a], UPLO)), v))),
        ),
    )


@adjoint(np.linalg.eigvalsh)
def eigvalsh(result, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    d[a] = uplo_transpose(fold_to_lower(np.matmul(np.conj(v) * np.expand_dims(d[result], -2), np.swapaxes(v, -1, -2))), UPLO)


@tangent(np.linalg.eigvalsh)
def eigvalsh(result, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    d[result] = np.real(np.sum(np.conj(v) * np.matmul(symmetrize_lower(uplo_transpose(d[a], UPLO)), v), axis=-2))


# dF = F^2 (dw_i - dw_j) elementwise
@adjoint(inverse_gaps)
def inverse_gaps_(result, w):
    d[w] = np.sum(result * result * d[result], axis=-1) - np.sum(result * result * d[result], axis=-2)


@tangent(inverse_gaps)
def inverse_gaps_(result, w):
    d[result] = result * result * (np.expand_dims(d[w], -1) - np.expand_dims(d[w], -2))


linear({
    "eig_vectors_tangent(dv, v)": "d[dv] = eig_vectors_tangent(d[result], v)",
    "uplo_transpose(x, UPLO='L')": "d[x] = uplo_transpose(d[result], UPLO)",
})


# a general matrix: a V = V diag(w), each eigenvector of unit length. With P = V^-1 dA V
# and F[i, j] = 1 / (w_j - w_i): dw = diag(P), dV = V (F * P), less what would change the
# eigenvectors' lengths. The adjoint is autograd's.
@adjoint(np.linalg.eig)
def eig(result, a):
    w = result[0]
    v = result[1]
    f = inverse_gaps(w)
    vt = np.swapaxes(v, -1, -2)
    vtgv = np.matmul(vt, grad_item(d[result], 1, v))
    inner = (
        np.expand_dims(grad_item(d[result], 0, w), -1) * np.eye(np.shape(w)[-1])
        + f * vtgv
        - f * np.matmul(np.matmul(vt, np.conj(v)), np.real(vtgv) * np.eye(np.shape(w)[-1]))
    )
    d[a] = match_complex(a, np.matmul(np.linalg.solve(vt, inner), vt))


@tangent(np.linalg.eig)
def eig(result, a):
    w = result[0]
    v = result[1]
    f = inverse_gaps(w)
    d[result] = pack_like(
        result,
        (
            np.diagonal(np.linalg.solve(v, np.matmul(d[a], v)), 0, -2, -1),
            eig_vectors_tangent(np.matmul(v, f * np.linalg.solve(v, np.matmul(d[a], v))), v),
        ),
    )


# The Moore-Penrose inverse X = pinv(A), differentiable where A's rank is constant:
# dX = -X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X (Golub and Pereyra).
@adjoint(np.linalg.pinv)
def pinv(result, a, rcond=None, hermitian=False):
    xt = np.swapaxes(result, -1, -2)
    g = d[result]
    gt = np.swapaxes(g, -1, -2)
    d[a] = (
        -np.matmul(xt, np.matmul(g, xt))
        + np.matmul(np.eye(np.shape(a)[-2]) - np.matmul(a, result), np.matmul(gt, np.matmul(result, xt)))
        + np.matmul(np.matmul(xt, result), np.matmul(gt, np.eye(np.shape(a)[-1]) - np.matmul(result, a)))
    )


@tangent(np.linalg.pinv)
def pinv(result, a, rcond=None, hermitian=False):
    xt = np.swapaxes(result, -1, -2)
    d[result] = (
        -np.matmul(result, np.matmul(d[a], result))
        + np.matmul(np.matmul(result, xt), np.matmul(np.swapaxes(d[a], -1, -2), np.eye(np.shape(a)[-2]) - np.matmul(a, result)))
        + np.matmul(np.eye(np.shape(a)[-1]) - np.matmul(result, a), np.matmul(np.swapaxes(d[a], -1, -2), np.matmul(xt, result)))
    )


# --------------------------------------------------------------- norms
# The 2-norm, the Frobenius norm and vector p-norms: d|x|_p = <x |x|^(p-2), dx> / |x|_p^(p-1)
# (0 at x = 0, a subgradient), scaled by norm_two_scale (0 for the other norms). The
# vector norms with ord 0, 1, inf, -inf and the matrix norms with ord 1, -1, inf, -inf
# are piecewise linear (norm_kink_weights); the matrix norms with ord 2, -2, 'nuc' are
# singular values (norm_singular_weights: u v^T), whose derivative, the norm's Hessian, is
# symmetric: norm_singular_hvp is both its tangent and its adjoint.
reductions(
    {
        "norm(x, ord=None, axis=None, keepdims=False)":
            "conj(x) * (abs(x) + (x == 0.0)) ** (norm_power(x, ord, axis) - 2.0)"
            " / grad_reduce(result + (result == 0.0), x, axis, keepdims) ** (norm_power(x, ord, axis) - 1.0)"
            " * norm_two_scale(x, ord, axis)"
            " + norm_kink_weights(x, result, ord, axis, keepdims) + norm_singular_weights(x, ord, axis)",
    },
    np.linalg,
)
non_differentiable(norm_two_scale, norm_kink_weights, norm_power)


rule_table({"norm_singular_weights(x, ord=None, axis=None)": ("d[x] = norm_singular_hvp(d[result], x, ord, axis)",
                                                               "d[result] = norm_singular_hvp(d[x], x, ord, axis)")})
linear({"norm_singular_hvp(v, x, ord=None, axis=None)": "d[v] = norm_singular_hvp(d[result], x, ord, axis)"})


# --------------------------------------------------------------- traces, diagonals, triangles


# np.diag builds a matrix from a vector and takes the diagonal of a matrix: each is the
# other's adjoint (diag_grad handles a matrix that is not square).
linear({
    "np.trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None)": "d[a] = trace_grad(d[result], a, offset, axis1, axis2)",
    "np.diagonal(a, offset=0, axis1=0, axis2=1)": "d[a] = diagonal_grad(d[result], a, offset, axis1, axis2)",
    "np.diag(v, k=0)": "d[v] = diag_grad(d[result], v, k)",
    "np.tril(m, k=0)": "d[m] = np.tril(d[result], k)",
    "np.triu(m, k=0)": "d[m] = np.triu(d[result], k)",
    "np.swapaxes(a, axis1, axis2)": "d[a] = np.swapaxes(d[result], axis1, axis2)",
    "np.moveaxis(a, source, destination)": "d[a] = np.moveaxis(d[result], destination, source)",
})


# --------------------------------------------------------------- sorting
# The gradient goes back to where each sorted entry came from (ties: in stable order).


rule_table({"np.sort(a, axis=-1, kind=None, order=None, *, stable=None)": ("d[a] = sort_untake(d[result], a, axis)",
                                                                           "d[result] = sort_take(d[a], a, axis)")})
linear({
    "sort_take(x, a, axis=-1)": "d[x] = sort_untake(d[result], a, axis)",
    "sort_untake(g, a, axis=-1)": "d[g] = sort_take(d[result], a, axis)",
})


# --------------------------------------------------------------- einsum
# Subscripts with up to four operands (the sublist form is rewritten to subscripts:
# s2s/passes/spellings.py). einsum_partial{k}(s, g, x1, ...) is the adjoint of operand
# k for the output gradient g, and einsum_partial0 is einsum itself (s2s/runtime.py).

non_differentiable(einsum_has_subscripts, einsum_sublist_subscripts)


@adjoint(np.einsum)
def einsum(result, subscripts, a, b=None, c=None, e=None, *, out=None, optimize=False, dtype=None, order="K",
           casting="safe"):
    d[a] = einsum_partial1(subscripts, d[result], a, b, c, e)
    d[b] = einsum_partial2(subscripts, d[result], a, b, c, e)
    d[c] = einsum_partial3(subscripts, d[result], a, b, c, e)
    d[e] = einsum_partial4(subscripts, d[result], a, b, c, e)


@tangent(np.einsum)
def einsum(result, subscripts, a, b=None, c=None, e=None, *, out=None, optimize=False, dtype=None, order="K",
           casting="safe"):
    d[result] = (
        einsum_partial0(subscripts, result, d[a], b, c, e)
        + einsum_partial0(subscripts, result, a, d[b], c, e)
        + einsum_partial0(subscripts, result, a, b, d[c], e)
        + einsum_partial0(subscripts, result, a, b, c, d[e])
    )


# Each partial is linear in every slot but its own: its adjoint for slot i puts the
# incoming gradient in its own slot k and takes partial i.
multilinear({
    f"einsum_partial{k}(subscripts, x0, x1, x2=None, x3=None, x4=None)": "; ".join(
        f"d[x{i}] = einsum_partial{i}(subscripts, {', '.join('d[result]' if j == k else f'x{j}' for j in range(5))})"
        for i in range(5) if i != k)
    for k in range(5)
})


# --------------------------------------------------------------- the helpers above, as primitives


linear({
    "as_columns(x, b)": "d[x] = from_columns(d[result], b)",
    "from_columns(x, b)": "d[x] = as_columns(d[result], b)",
    "tril_half_diagonal(x)": "d[x] = tril_half_diagonal(d[result])",
    "symmetrize_lower(x)": "d[x] = fold_to_lower(d[result])",
    "fold_to_lower(g)": "d[g] = symmetrize_lower(d[result])",
    "diagonal_grad(g, a, offset=0, axis1=0, axis2=1)": "d[g] = np.diagonal(d[result], offset, axis1, axis2)",
    "trace_grad(g, a, offset=0, axis1=0, axis2=1)": "d[g] = np.trace(d[result], offset, axis1, axis2)",
    "diag_grad(g, v, k=0)": "d[g] = np.diag(d[result], k)",
})


# --------------------------------------------------------------- singular values and vectors
# a = U diag(s) V^T (V = vh^T), reduced. With P = U^T dA V and F[i, j] = 1 / (s_j^2 - s_i^2):
# ds = diag(P); dU = U (F * (P S + S P^T)) + (I - U U^T) dA V S^-1, and dV likewise with
# A^T; the adjoint is the transpose of that, as in autograd. For complex matrices (V^H for
# V^T, and so on) the phases of each pair of singular vectors are fixed by a zero
# diagonal of V^H dV, as autograd does.


@adjoint(np.linalg.svdvals)
def svdvals(result, x):
    usv = np.linalg.svd(x, full_matrices=False)
    d[x] = match_complex(x, np.matmul(np.conj(usv[0]) * np.expand_dims(d[result], -2), np.conj(usv[2])))


@tangent(np.linalg.svdvals)
def svdvals(result, x):
    usv = np.linalg.svd(x, full_matrices=False)
    d[result] = np.real(np.sum(np.conj(usv[0]) * np.matmul(d[x], np.conj(np.swapaxes(usv[2], -1, -2))), axis=-2))


@adjoint(np.linalg.svd)
def svd(result, a, full_matrices=True, compute_uv=True, hermitian=False):
    u = result[0]
    s = result[1] * reduced_svd_only(a, full_matrices)
    v = np.conj(np.swapaxes(result[2], -1, -2))
    f = inverse_gaps(s * s)
    gu = grad_item(d[result], 0, u)
    gvh = grad_item(d[result], 2, result[2])
    utgu = np.matmul(np.swapaxes(u, -1, -2), gu)
    vtgv = np.matmul(np.swapaxes(v, -1, -2), np.conj(np.swapaxes(gvh, -1, -2)))
    inner = (
        f * (utgu - np.conj(np.swapaxes(utgu, -1, -2))) * np.expand_dims(s, -2)
        + (np.expand_dims(grad_item(d[result], 1, s), -1) + 1j * np.imag(utgu) / np.expand_dims(s, -2)) * np.eye(np.shape(s)[-1])
        + np.expand_dims(s, -1) * (f * (vtgv - np.conj(np.swapaxes(vtgv, -1, -2))))
    )
    d[a] = match_complex(a, (
        np.matmul(np.conj(u), np.matmul(inner, np.swapaxes(v, -1, -2)))
        + np.matmul(gu - np.matmul(np.conj(u), utgu), np.swapaxes(v, -1, -2) / np.expand_dims(s, -1))
        + np.matmul(np.conj(u) / np.expand_dims(s, -2), gvh - np.matmul(np.matmul(gvh, np.conj(v)), np.swapaxes(v, -1, -2)))
    ))


@tangent(np.linalg.svd)
def svd(result, a, full_matrices=True, compute_uv=True, hermitian=False):
    u = result[0]
    s = result[1] * reduced_svd_only(a, full_matrices)
    v = np.conj(np.swapaxes(result[2], -1, -2))
    p = np.matmul(np.conj(np.swapaxes(u, -1, -2)), np.matmul(d[a], v))
    ph = np.conj(np.swapaxes(p, -1, -2))
    dah = np.conj(np.swapaxes(d[a], -1, -2))
    f = inverse_gaps(s * s)
    du = (
        np.matmul(u, f * (p * np.expand_dims(s, -2) + np.expand_dims(s, -1) * ph))
        + np.matmul(d[a] - np.matmul(u, np.matmul(np.conj(np.swapaxes(u, -1, -2)), d[a])), v / np.expand_dims(s, -2))
        + u * np.expand_dims(1j * np.imag(np.diagonal(p, 0, -2, -1)) / s, -2)
    )
    dv = np.matmul(v, f * (np.expand_dims(s, -1) * p + ph * np.expand_dims(s, -2))) + np.matmul(
        dah - np.matmul(v, np.matmul(np.conj(np.swapaxes(v, -1, -2)), dah)), u / np.expand_dims(s, -2)
    )
    d[result] = pack_like(result, (match_complex(u, du), np.real(np.diagonal(p, 0, -2, -1)),
                                   match_complex(u, np.conj(np.swapaxes(dv, -1, -2)))))


non_differentiable(reduced_svd_only)


# Read only for a shape (the sorts: for the order, piecewise constant); pinv's cutoff
# rcond only decides which singular values count.
constant_in(as_columns, "b")
constant_in(from_columns, "b")
constant_in(diag_grad, "v")
constant_in(diagonal_grad, "a")
constant_in(trace_grad, "a")
constant_in(einsum_partial0, "x0")
constant_in(einsum_partial1, "x1")
constant_in(einsum_partial2, "x2")
constant_in(einsum_partial3, "x3")
constant_in(einsum_partial4, "x4")
constant_in(sort_take, "a")
constant_in(sort_untake, "a")
constant_in(np.linalg.pinv, "rcond")
