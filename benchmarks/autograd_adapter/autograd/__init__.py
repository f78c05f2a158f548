"""A stand-in for autograd whose differential operators are s2s's.

Only for running autograd's own test suite through s2s (benchmarks/autograd_suite.py):
`autograd.numpy` is NumPy, `autograd.scipy` SciPy, `grad`/`jacobian`/`make_vjp`/... are
s2s's derivatives, and `check_grads` checks s2s's derivatives in both modes and to any
order against central differences (autograd/test_util.py).
"""
import builtins as _builtins
import functools

import numpy as _np

import s2s

from .wrap_util import unary_to_nary

dict, list, tuple, isinstance, type = _builtins.dict, _builtins.list, _builtins.tuple, _builtins.isinstance, _builtins.type


def _wrt(argnum):
    return _builtins.tuple(argnum) if _builtins.isinstance(argnum, _builtins.list) else argnum


def _bound(fun, kwargs):
    return functools.partial(fun, **kwargs) if kwargs else fun


def _maker(s2s_maker):
    """autograd's `maker(fun, argnum)` as s2s's `maker(fun, wrt=argnum)`, marked like
    s2s's own, so that s2s makes a derivative called inside differentiated code when it
    transforms it, as it does for s2s.grad."""
    def make(fun, argnum=0):
        return s2s_maker(fun, wrt=_wrt(argnum))

    make._s2s_static_call = True
    make.__name__ = make.__qualname__ = s2s_maker.__name__
    make.__doc__ = s2s_maker.__doc__
    return make


grad = grad_named = _maker(s2s.grad)
elementwise_grad = _maker(s2s.elementwise_grad)
value_and_grad = _maker(s2s.value_and_grad)
jacobian = _maker(s2s.jacobian)
hessian = _maker(s2s.hessian)


def holomorphic_grad(fun, argnum=0):
    """f'(z) of a holomorphic f: the pullback of the cotangent 1 (s2s's adjoints multiply
    by f'(z), without a conjugate, as autograd's do)."""
    def derivative(*args, **kwargs):
        return s2s.vjp(fun, wrt=_wrt(argnum))(*args, **kwargs)[1](1.0)

    return derivative


def make_vjp(fun, argnum=0):
    def vjp_maker(*args, **kwargs):
        value, pullback = s2s.vjp(fun, wrt=_wrt(argnum))(*args, **kwargs)
        return pullback, value

    return vjp_maker


def make_jvp(fun, argnum=0):
    def jvp_maker(*args, **kwargs):
        derivative = s2s.jvp(_bound(fun, kwargs), wrt=_wrt(argnum))
        return lambda tangent: derivative(*args, tangent)

    return jvp_maker


def deriv(fun, argnum=0):
    def derivative(*args, **kwargs):
        x = args[argnum]
        return make_jvp(fun, argnum)(*args, **kwargs)(_np.ones_like(x) if _np.ndim(x) else _builtins.type(x)(1.0))[1]

    return derivative


def hessian_tensor_product(fun, argnum=0):
    hvp = s2s.hvp(fun, wrt=_wrt(argnum))
    return lambda *args, **kwargs: _bound(hvp, kwargs)(*args)


hessian_vector_product = hessian_tensor_product


def make_hvp(fun, argnum=0):
    def hvp_maker(*args, **kwargs):
        hvp = s2s.hvp(_bound(fun, kwargs), wrt=_wrt(argnum))
        return (lambda v: hvp(*args, v)), s2s.grad(fun, wrt=_wrt(argnum))(*args, **kwargs)

    return hvp_maker


def tensor_jacobian_product(fun, argnum=0):
    """The tensor contracted with the leading axes of fun's Jacobian: a pullback where it
    has the output's shape, else a contraction of the whole Jacobian (autograd's meaning)."""
    def product(*args, **kwargs):
        *args, tensor = args
        value, pullback = s2s.vjp(fun, wrt=_wrt(argnum))(*args, **kwargs)
        if _np.ndim(tensor) == _np.ndim(value):
            return pullback(tensor)
        jacobians = s2s.jacobian(_bound(fun, kwargs), wrt=_wrt(argnum))(*args)
        if _builtins.isinstance(argnum, int):
            return _np.tensordot(tensor, jacobians, axes=_np.ndim(tensor))
        return _builtins.tuple(_np.tensordot(tensor, j, axes=_np.ndim(tensor)) for j in jacobians)

    return product


vector_jacobian_product = tensor_jacobian_product


def grad_and_aux(fun, argnum=0):
    def value(*args, **kwargs):
        return fun(*args, **kwargs)[0]

    def both(*args, **kwargs):
        return s2s.grad(value, wrt=_wrt(argnum))(*args, **kwargs), fun(*args, **kwargs)[1]

    return both


def multigrad_dict(fun):
    import inspect

    names = _builtins.tuple(inspect.signature(fun).parameters)

    def grads(*args, **kwargs):
        return _builtins.dict(zip(names, s2s.grad(fun, wrt=names)(*args, **kwargs)))

    return grads


def make_ggnvp(f, g=None, f_argnum=0):
    g = g or _half_squared_norm

    def ggnvp_maker(*args, **kwargs):
        f_x, f_pullback = s2s.vjp(_bound(f, kwargs), wrt=f_argnum)(*args)
        g_hvp = s2s.hvp(g)
        f_jvp = s2s.jvp(_bound(f, kwargs), wrt=f_argnum)
        at = _builtins.list(args)

        def ggnvp(v):
            return f_pullback(g_hvp(f_x, f_jvp(*at, v)[1]))

        return ggnvp

    return ggnvp_maker


def _half_squared_norm(x):
    return 1.0 / 2 * _np.sum(x**2, axis=-1)


checkpoint = s2s.checkpoint
primitive = s2s.primitive
__all__ = ["unary_to_nary"]
