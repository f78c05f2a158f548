"""Complex numbers, with autograd's convention.

The adjoint of a function of a complex argument multiplies by its derivative, not the
conjugate of it (`d[z] = d[result] * f'(z)` for holomorphic f, as the tables write);
for a real-valued function this makes the gradient the conjugate of the direction of
steepest ascent: the gradient of |z|^2 is 2 conj(z), as in autograd. The gradient of a
real argument stays real (`match_complex`).
"""
import builtins

import numpy as np

from s2s.declare import linear, rule_table
from s2s.rules import adjoint, constant_in, tangent
from s2s.runtime import match_complex

linear({
    "np.real(val)": "d[val] = match_complex(val, d[result])",
    "np.imag(val)": "d[val] = match_complex(val, -1j * d[result])",
    "match_complex(x, g)": "d[g] = match_complex(g, d[result])",
})


@linear(np.conj, np.conjugate)
def conj(result, x):
    d[x] = np.conj(d[result])


rule_table({
    "np.real_if_close(a, tol=100)": ("d[a] = match_complex(a, d[result])", "d[result] = match_complex(result, d[a])"),
    # d angle = Im(dz / z)
    "np.angle(z)": ("d[z] = match_complex(z, d[result] * np.conj(z * 1j) / (z * np.conj(z)))",
                    "d[result] = np.imag(d[z] / z)"),
})


# |z|: conj(z) / |z|, which is sign(z) for real z (0 at the kink)
@adjoint(builtins.abs, np.abs, np.absolute)
def absolute(result, x):
    d[x] = d[result] * np.conj(x) / (result + (result == 0))


@tangent(builtins.abs, np.abs, np.absolute)
def absolute(result, x):
    d[result] = np.real(d[x] * np.conj(x)) / (result + (result == 0))


# Read only for its dtype; real_if_close's tolerance only decides whether to drop the
# imaginary part.
constant_in(match_complex, "x")
constant_in(np.real_if_close, "tol")
