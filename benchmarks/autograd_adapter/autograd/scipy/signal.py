"""autograd.scipy.signal is scipy.signal, but for `convolve`: autograd's convolution of
tensors, written in NumPy for s2s to differentiate."""
import numpy as np

from .._delegate import delegate

delegate(globals(), "scipy.signal")


def convolve(A, B, axes=None, dot_axes=((), ()), mode="full"):
    """Convolve the axis pairs `axes` of A and B, sum over the pairs `dot_axes` (as
    tensordot does) and keep the other axes: A's, then B's, then the convolved ones
    (sized as scipy.signal.convolve's `mode` makes them, 'same' as A's). One einsum of A,
    B and a constant 0/1 tensor that sends each pair of positions to their output."""
    if axes is None:
        axes = (range(np.ndim(A)), range(np.ndim(A)))
    conv_a, conv_b, dot_a, dot_b = list(axes[0]), list(axes[1]), list(dot_axes[0]), list(dot_axes[1])
    a_labels = list(range(np.ndim(A)))
    b_labels = [np.ndim(A) + i for i in range(np.ndim(B))]
    for ax_a, ax_b in zip(dot_a, dot_b):
        b_labels[ax_b] = a_labels[ax_a]
    first_out = np.ndim(A) + np.ndim(B)
    t_labels = []
    for k, (ax_a, ax_b) in enumerate(zip(conv_a, conv_b)):
        t_labels += [a_labels[ax_a], b_labels[ax_b], first_out + k]
    kept_a = [a_labels[i] for i in range(np.ndim(A)) if i not in conv_a + dot_a]
    kept_b = [b_labels[i] for i in range(np.ndim(B)) if i not in conv_b + dot_b]
    out_labels = kept_a + kept_b + [first_out + k for k in range(len(conv_a))]
    placement = _placement([np.shape(A)[i] for i in conv_a], [np.shape(B)[i] for i in conv_b], mode)
    return np.einsum(A, a_labels, B, b_labels, placement, t_labels, out_labels)


def _placement(a_sizes, b_sizes, mode):
    """T[i1, j1, n1, i2, j2, n2, ...] = 1 where A's position i and B's j add to output n."""
    placement = np.ones(())
    for na, nb in zip(a_sizes, b_sizes):
        start = {"full": 0, "valid": min(na, nb) - 1, "same": (nb - 1) // 2}[mode]
        size = {"full": na + nb - 1, "valid": abs(na - nb) + 1, "same": na}[mode]
        i, j, n = np.ogrid[:na, :nb, :size]
        placement = np.multiply.outer(placement, (i + j == n + start).astype(float))
    return placement
