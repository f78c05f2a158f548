"""SciPy beyond scipy.special: convolution and matrix functions (loaded with SciPy).

convolve(in1, in2) is bilinear: <g, in1 * in2> = <in1, g corr in2>, where the
correlation is the valid convolution with in2 flipped; `convolve_embed` puts the
gradient of a 'same' or 'valid' output back in the full convolution first. A banded
system is solved through the full matrix it stands for (`from_band`, which only moves
elements).
"""
import numpy as np
import scipy.integrate  # noqa: E402 - after the rule machinery, as in the other rule modules
import scipy.linalg  # noqa: E402
import scipy.signal  # noqa: E402

from s2s import ode
from s2s.declare import linear, rule_table
from s2s.ode import odeint_jvp, odeint_vjp
from s2s.rules import adjoint, constant_in, non_differentiable, none_aware, tangent
from s2s.runtime import convolve_crop, convolve_embed, from_band, gather_grad, move_like


@adjoint(scipy.signal.convolve)
def convolve(result, in1, in2, mode="full", method="auto"):
    full = convolve_embed(d[result], in1, in2, mode)
    d[in1] = scipy.signal.convolve(full, np.flip(in2), "valid", method)
    d[in2] = scipy.signal.convolve(full, np.flip(in1), "valid", method)


@tangent(scipy.signal.convolve)
def convolve(result, in1, in2, mode="full", method="auto"):
    d[result] = scipy.signal.convolve(d[in1], in2, mode, method) + scipy.signal.convolve(in1, d[in2], mode, method)


linear({
    "convolve_embed(g, in1, in2, mode='full')": "d[g] = convolve_crop(d[result], in1, in2, mode)",
    "convolve_crop(x, in1, in2, mode='full')": "d[x] = convolve_embed(d[result], in1, in2, mode)",
})


# A X + X B = Q: A dX + dX B = dQ - dA X - X dB; Q's adjoint solves the transposed equation.
@adjoint(scipy.linalg.solve_sylvester)
def solve_sylvester(result, a, b, q):
    gq = scipy.linalg.solve_sylvester(np.transpose(a), np.transpose(b), d[result])
    d[a] = -np.matmul(gq, np.transpose(result))
    d[b] = -np.matmul(np.transpose(result), gq)
    d[q] = gq


@tangent(scipy.linalg.solve_sylvester)
def solve_sylvester(result, a, b, q):
    d[result] = (
        scipy.linalg.solve_sylvester(a, b, d[q])
        - scipy.linalg.solve_sylvester(a, b, np.matmul(d[a], result))
        - scipy.linalg.solve_sylvester(a, b, np.matmul(result, d[b]))
    )


# X X = A: X dX + dX X = dA
rule_table({"scipy.linalg.sqrtm(A)": (
    "d[A] = scipy.linalg.solve_sylvester(np.transpose(result), np.transpose(result), d[result])",
    "d[result] = scipy.linalg.solve_sylvester(result, result, d[A])")})


# ab is the band of A; A x = b as for np.linalg.solve, with A = from_band(l_and_u, ab).
@adjoint(scipy.linalg.solve_banded)
def solve_banded(result, l_and_u, ab, b):
    gb = np.linalg.solve(np.transpose(from_band(l_and_u, ab)), d[result])
    d[ab] = gather_grad(-np.outer(gb, result), from_band, 1, (l_and_u, ab), {})
    d[b] = gb


@tangent(scipy.linalg.solve_banded)
def solve_banded(result, l_and_u, ab, b):
    d[result] = scipy.linalg.solve_banded(l_and_u, ab, d[b]) - np.linalg.solve(
        from_band(l_and_u, ab), np.matmul(move_like(from_band, 1, d[ab], (l_and_u, ab), {}), result)
    )


rule_table({"from_band(l_and_u, ab)": ("d[ab] = gather_grad(d[result], from_band, 1, (l_and_u, ab), {})",
                                         "d[result] = move_like(from_band, 1, d[ab], (l_and_u, ab), {})")})


# y = odeint(func, y0, t, args) by the adjoint method (s2s/ode.py).
# The tolerances set the accuracy of y; its derivative is the exact flow's, integrated
# by s2s/ode.py at tolerances of its own.
@adjoint(scipy.integrate.odeint)
def odeint(result, func, y0, t, args=(), rtol=None, atol=None):
    grads = odeint_vjp(d[result], result, func, y0, t, args)
    d[y0] = grads[0]
    d[args] = grads[1]
    d[t] = grads[2]


@tangent(scipy.integrate.odeint)
def odeint(result, func, y0, t, args=(), rtol=None, atol=None):
    d[result] = odeint_jvp(d[y0], d[args], d[t], result, func, y0, t, args)


none_aware(odeint_jvp)  # a None tangent of y0, args or t is zero
non_differentiable(ode.shapes_of, ode.flat_field)  # shapes, and the field a function and shapes make


# Read only for their shapes.
constant_in(convolve_crop, "in1", "in2")
constant_in(convolve_embed, "in1", "in2")
