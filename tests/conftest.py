"""Shared test helpers: finite-difference references and structure-aware arithmetic."""
import atexit
import os
import shutil
import tempfile

import numpy as np
import pytest

# The test run's disk cache lives in a temporary directory, never in the user's cache.
_CACHE_DIR = tempfile.mkdtemp(prefix="s2s-test-cache-")
os.environ["S2S_CACHE_DIR"] = _CACHE_DIR
atexit.register(shutil.rmtree, _CACHE_DIR, True)


def numeric_grad(f, args, wrt=0, eps=1e-6):
    """Central differences of a scalar function `f(*args)` with respect to `args[wrt]`.

    The argument may be a Python float (the result is a float) or an array (the
    result has its shape); every other argument is passed through unchanged.
    """
    args = list(args)
    x0 = args[wrt]
    x = np.array(x0, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += eps
        minus[idx] -= eps
        args[wrt] = plus if x.shape else float(plus)
        fp = f(*args)
        args[wrt] = minus if x.shape else float(minus)
        fm = f(*args)
        g[idx] = (fp - fm) / (2 * eps)
    return g if x.shape else float(g)


def leaves(x):
    """The array/scalar leaves of a nested list/tuple, in order."""
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in leaves(item)]
    return [x]


def tree_map(fn, x, *rest):
    """Apply `fn` leafwise over nested lists/tuples, keeping the container types."""
    if isinstance(x, (list, tuple)):
        return type(x)(tree_map(fn, *items) for items in zip(x, *rest))
    return fn(x, *rest)


def vdot(a, b):
    """Euclidean inner product of two values with the same nested structure."""
    return float(sum(np.sum(np.asarray(p) * np.asarray(q)) for p, q in zip(leaves(a), leaves(b))))


def random_like(rng, x):
    """Random values with the structure, shapes and Python types of `x`."""
    def one(v):
        if isinstance(v, float):
            return float(rng.randn())
        return rng.randn(*np.shape(v))
    return tree_map(one, x)


def directional(f, args, directions, eps=1e-6):
    """Central difference of `f(*args)` along `directions` (None: argument held fixed)."""
    def moved(sign):
        out = []
        for a, v in zip(args, directions):
            out.append(a if v is None else tree_map(lambda p, q: p + sign * eps * q, a, v))
        return f(*out)
    return tree_map(lambda p, m: (np.asarray(p, dtype=float) - m) / (2 * eps), moved(1), moved(-1))


@pytest.fixture
def rng():
    return np.random.RandomState(0)
