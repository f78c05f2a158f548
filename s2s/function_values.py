"""Derivatives of calls whose function is known only when they run.

`act(h)` where `act` came from a call, `op(x)` in a loop over a list of functions, a
function-valued parameter, `f(*args)`: the compiler lowers these to
`call_value(function, args, kwargs)` (s2s/runtime.py), whose rules (templates/
function_values.py) call `value_vjp` and `value_jvp` below. They differentiate, when
the call runs, the function they are given, with respect to every argument that holds
floating-point values: a Python function is transformed like any other, anything else
(a NumPy function, a bound method, a callable object) through a one-line Python
function that calls it (`frontend.calling_function`). A `functools.partial` (which is
also what a nested function used as a value becomes) is differentiated with respect to
its bound arguments too; the derivative of a partial is a partial of derivatives.

The derivative runs the function again, at the arguments the program passed: a call
through a value costs one more evaluation than a call s2s resolves when it transforms,
and a function that returns another value when run again (random numbers, state) is
an error, never a wrong derivative. These derivatives need s2s at run time (no
export) and are not differentiated again.
"""
import functools

import numpy

from . import frontend, runtime
from .errors import TransformError


def _differentiable(value):
    """Does a value hold floating-point numbers (the arguments differentiated)?"""
    if isinstance(value, (bool, numpy.bool_, int, numpy.integer)):
        return False
    if isinstance(value, (float, complex, numpy.inexact)):
        return True
    if isinstance(value, numpy.ndarray):
        return value.dtype.kind in "fc"
    functions = runtime.container_functions(value)
    return functions is not None and any(_differentiable(c) for c in functions[0](value)[0])


def _call_parts(function, args, kwargs):
    """(function, bound positional, positional, bound keywords, keywords) with the partials
    around `function` opened (a partial's own arguments come first)."""
    bound_args, bound_kwargs = (), {}
    if isinstance(function, functools.partial):
        bound_args, bound_kwargs = function.args, dict(function.keywords)
        function = function.func
        if isinstance(function, functools.partial):  # partial(partial(f, a), b)
            raise TypeError("s2s: a partial of a partial is not supported; bind the arguments in one partial")
    return function, tuple(bound_args), tuple(args), bound_kwargs, dict(kwargs)


def refuse_updates(function, args, kwargs):
    """A TransformError where `function`, called through a value, would update an argument
    in place: s2s follows such updates only through calls it resolves when it transforms
    (the caller's arrays would change, and its derivative would not see the change)."""
    from .passes.activity import kind_of_value
    from .program import updated_parameters

    shim, values, _ = _flat_call(function, args, kwargs)
    try:
        updated = updated_parameters(shim, tuple(kind_of_value(v) for v in values))
    except TransformError:
        return  # not code s2s reads: differentiating the call reports why
    for parameter, value in zip(frontend.param_names(shim.__s2s_source__.node), values):
        if parameter in updated and not isinstance(value, (int, float, complex, str, numpy.number)):
            raise TransformError(
                f"the function value {getattr(function, '__qualname__', function)!r} updates one of its arguments "
                "in place, which s2s does not follow through a call of a function value: pass it a copy"
            )


runtime.VALUE_CALL_CHECKS.append(refuse_updates)


def _flat_call(function, args, kwargs):
    target, bound_args, args, bound_kwargs, kwargs = _call_parts(function, args, kwargs)
    receiver = getattr(target, "__self__", None)
    if isinstance(receiver, (numpy.ndarray, numpy.generic, float, complex)) and _differentiable(receiver):
        # the shim calls the bound method: the derivative with respect to its array would be lost
        raise TransformError(
            f"s2s cannot differentiate the method {getattr(target, '__name__', target)!r} of an array or number "
            "that carries a derivative (x.tolist(), x.item(), ...): use the NumPy function or float(...) instead"
        )
    keywords = {**bound_kwargs, **kwargs}
    positional = [f"_arg{i}" for i in range(len(bound_args) + len(args))]
    shim = frontend.calling_function(target, positional, tuple(keywords))
    values = [*bound_args, *args, *keywords.values()]
    return shim, values, (len(bound_args), len(args), list(bound_kwargs), list(kwargs))


def _split(grads, layout, function, kwargs):
    """The flat derivatives split into (d function, d args, d kwargs)."""
    n_bound, n_args, bound_keys, keys = layout
    keywords = list(dict.fromkeys(bound_keys + keys))
    by_key = dict(zip(keywords, grads[n_bound + n_args:]))
    d_args = tuple(grads[n_bound:n_bound + n_args])
    d_kwargs = {k: by_key[k] for k in kwargs}
    if isinstance(function, functools.partial):
        d_function = functools.partial(function.func, *grads[:n_bound], **{k: by_key[k] for k in bound_keys})
    else:
        d_function = None
    return d_function, d_args, d_kwargs


_derivatives = {}


def _derivative(make, shim, wrt):
    """The s2s derivative `make(shim, wrt)`, made once (its generated code is cached too)."""
    key = (make.__name__, shim, wrt)
    if key not in _derivatives:
        _derivatives[key] = make(shim, wrt=wrt)
    return _derivatives[key]


def _same(result, again):
    """Did running the function again give the value the program saw (up to rounding)?"""
    a, b = runtime_leaves(result), runtime_leaves(again)
    return len(a) == len(b) and all(
        numpy.shape(x) == numpy.shape(y) and numpy.allclose(x, y, rtol=1e-9, atol=0.0, equal_nan=True) for x, y in zip(a, b)
    )


def runtime_leaves(value):
    functions = runtime.container_functions(value)
    if functions is None:
        return [value] if isinstance(value, (float, complex, int, numpy.number, numpy.ndarray)) else []
    return [leaf for child in functions[0](value)[0] for leaf in runtime_leaves(child)]


def _check_same(result, again, function):
    if not _same(result, again):
        raise TransformError(
            f"s2s differentiates a call of the function value {getattr(function, '__qualname__', function)!r} "
            "by running it again, and it returned another value (random numbers or other state): its "
            "derivative would be wrong; call a function s2s knows when it transforms (a global or "
            "nested def), or draw the random values outside and pass them in"
        )


def value_vjp(result, function, args, kwargs, g, part):
    """The derivative of `function(*args, **kwargs)` (whose value was `result`) pulled
    back from `g`, for `part`: "function" (a partial's bound arguments), "args" (a
    tuple) or "kwargs" (a dict)."""
    from . import api

    shim, values, layout = _flat_call(function, args, kwargs)
    wrt = tuple(i for i, v in enumerate(values) if _differentiable(v))
    grads = [runtime.zeros_like(v) for v in values]
    if wrt:
        again, pullback = _derivative(api.vjp, shim, wrt)(*values)
        _check_same(result, again, function)
        for i, gi in zip(wrt, pullback(g)):
            grads[i] = gi
    return _split(grads, layout, function, kwargs)[("function", "args", "kwargs").index(part)]


def value_jvp(result, function, args, kwargs, d_function, d_args, d_kwargs):
    """The tangent of `function(*args, **kwargs)` for tangents of its parts (None is zero)."""
    from . import api

    shim, values, layout = _flat_call(function, args, kwargs)
    n_bound, n_args, bound_keys, keys = layout
    bound_tangents = (
        list(d_function.args) + [d_function.keywords.get(k) for k in bound_keys]
        if isinstance(d_function, functools.partial)
        else [None] * (n_bound + len(bound_keys))
    )
    arg_tangents = list(d_args) if d_args is not None else [None] * n_args
    keyword_tangents = [None if d_kwargs is None else d_kwargs.get(k) for k in keys]
    tangents = bound_tangents[:n_bound] + arg_tangents + bound_tangents[n_bound:] + keyword_tangents
    wrt = tuple(i for i, (v, t) in enumerate(zip(values, tangents)) if t is not None and _differentiable(v))
    if not wrt:
        return runtime.tangent_zeros(result)
    again, out = _derivative(api.jvp, shim, wrt)(*values, tuple(tangents[i] for i in wrt))
    _check_same(result, again, function)
    return out
