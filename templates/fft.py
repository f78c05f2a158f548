"""np.fft: linear maps, each with its transpose.

A DFT matrix is symmetric, so (with autograd's convention: no conjugate) the adjoint of
fft is fft of the gradient, and likewise for ifft and the n-dimensional forms with the
same `norm`; `fit_like` undoes the cutting or padding that `n` and `s` ask for, and a
real argument gets the real part (`match_complex`). The real transforms have their
transposes in runtime helpers (`rfft_grad`, ...), whose own transposes are the
transforms again, so both can be differentiated again.
"""
import numpy as np

from s2s.declare import linear, rearrangements
from s2s.rules import constant_in, non_differentiable
from s2s.runtime import fft_axes, fit_like, irfft_grad, irfftn_grad, rfft_grad, rfftn_grad

linear({
    "np.fft.fft(a, n=None, axis=-1, norm=None)":
        "d[a] = match_complex(a, fit_like(np.fft.fft(d[result], None, axis, norm), a))",
    "np.fft.ifft(a, n=None, axis=-1, norm=None)":
        "d[a] = match_complex(a, fit_like(np.fft.ifft(d[result], None, axis, norm), a))",
    "np.fft.fftn(a, s=None, axes=None, norm=None)":
        "d[a] = match_complex(a, fit_like(np.fft.fftn(d[result], None, fft_axes(a, s, axes), norm), a))",
    "np.fft.ifftn(a, s=None, axes=None, norm=None)":
        "d[a] = match_complex(a, fit_like(np.fft.ifftn(d[result], None, fft_axes(a, s, axes), norm), a))",
    "np.fft.fft2(a, s=None, axes=(-2, -1), norm=None)":
        "d[a] = match_complex(a, fit_like(np.fft.fft2(d[result], None, axes, norm), a))",
    "np.fft.ifft2(a, s=None, axes=(-2, -1), norm=None)":
        "d[a] = match_complex(a, fit_like(np.fft.ifft2(d[result], None, axes, norm), a))",
    "np.fft.rfft(a, n=None, axis=-1, norm=None)": "d[a] = rfft_grad(d[result], a, n, axis, norm)",
    "np.fft.irfft(a, n=None, axis=-1, norm=None)": "d[a] = irfft_grad(d[result], a, n, axis, norm)",
    "np.fft.rfftn(a, s=None, axes=None, norm=None)": "d[a] = rfftn_grad(d[result], a, s, axes, norm)",
    "np.fft.irfftn(a, s=None, axes=None, norm=None)": "d[a] = irfftn_grad(d[result], a, s, axes, norm)",
    "np.fft.rfft2(a, s=None, axes=(-2, -1), norm=None)": "d[a] = rfftn_grad(d[result], a, s, axes, norm)",
    "np.fft.irfft2(a, s=None, axes=(-2, -1), norm=None)": "d[a] = irfftn_grad(d[result], a, s, axes, norm)",
    # the helpers' transposes are the transforms
    "rfft_grad(g, a, n=None, axis=-1, norm=None)": "d[g] = np.fft.rfft(d[result], n, axis, norm)",
    "irfft_grad(g, a, n=None, axis=-1, norm=None)": "d[g] = np.fft.irfft(d[result], n, axis, norm)",
    "rfftn_grad(g, a, s=None, axes=None, norm=None)": "d[g] = np.fft.rfftn(d[result], s, axes, norm)",
    "irfftn_grad(g, a, s=None, axes=None, norm=None)": "d[g] = np.fft.irfftn(d[result], s, axes, norm)",
    "fit_like(y, like)": "d[y] = fit_like(d[result], y)",
})
non_differentiable(fft_axes)
rearrangements({"fftshift(x, axes=None)": "x", "ifftshift(x, axes=None)": "x"}, np.fft)


# Read only for a shape.
constant_in(fit_like, "like")
constant_in(irfft_grad, "a")
constant_in(irfftn_grad, "a")
constant_in(rfft_grad, "a")
constant_in(rfftn_grad, "a")
