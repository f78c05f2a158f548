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
export); they are differentiated once more (below), to second order.
"""
import functools
import types

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
        # a bound keyword the call passes again is not used: its derivative is zero
        bound = {k: runtime.zeros_like(function.keywords[k]) if k in kwargs else by_key[k] for k in bound_keys}
        d_function = functools.partial(function.func, *grads[:n_bound], **bound)
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


def _pulled(shim, values, g):
    """(the function's value again, or None when nothing is differentiated; the derivative
    with respect to each of `values`, pulled back from `g`)."""
    from . import api

    wrt = _differentiated(values)
    grads = [runtime.zeros_like(v) for v in values]
    if not wrt:
        return None, grads
    again, pullback = _derivative(api.vjp, shim, wrt)(*values)
    for i, gi in zip(wrt, pullback(g)):
        grads[i] = gi
    return again, grads


def _pushed(shim, values, tangents):
    """(the function's value again, or None when no tangent is given; its tangent) for
    a tangent (None is zero) per one of `values`."""
    from . import api

    wrt = tuple(i for i in _differentiated(values) if tangents[i] is not None)
    if not wrt:
        return None, None
    return _derivative(api.jvp, shim, wrt)(*values, tuple(tangents[i] for i in wrt))


_PARTS = ("function", "args", "kwargs")


def _refuse_receiver_derivative(function, result):
    """A TransformError where the derivative with respect to a function value is asked
    for and the value is a bound method whose result holds floats (not `d.keys`): the
    shim calls the method, so the derivative with respect to its object (a dict, list
    or dataclass that carries one) would be lost."""
    target = _call_parts(function, (), {})[0]
    receiver = getattr(target, "__self__", None)
    if receiver is None or isinstance(receiver, types.ModuleType):
        return
    if _differentiable(receiver) and _differentiable(result):
        raise TransformError(
            f"s2s cannot differentiate the method {getattr(target, '__name__', target)!r} of a "
            f"{type(receiver).__name__} that carries a derivative when it is called as a value: "
            "call it on the object where it is used (d.get(k), p.total())"
        )


def value_vjp(result, function, args, kwargs, g, part):
    """The derivative of `function(*args, **kwargs)` (whose value was `result`) pulled
    back from `g`, for `part`: "function" (a partial's bound arguments), "args" (a
    tuple) or "kwargs" (a dict)."""
    if part == "function":
        _refuse_receiver_derivative(function, result)
    shim, values, layout = _flat_call(function, args, kwargs)
    again, grads = _pulled(shim, values, g)
    if again is not None:
        _check_same(result, again, function)
    return _split(grads, layout, function, kwargs)[_PARTS.index(part)]


def _flat_tangents(layout, d_function, d_args, d_kwargs):
    """The tangents of a call's parts (as value_jvp takes them) per flat value, None for zero."""
    n_bound, n_args, bound_keys, keys = layout
    bound = d_function if isinstance(d_function, functools.partial) else None
    by_key = {k: None if bound is None else bound.keywords.get(k) for k in bound_keys}
    by_key.update((k, None if d_kwargs is None else d_kwargs.get(k)) for k in keys)  # the call's keywords win
    bound_tangents = list(bound.args) if bound is not None else [None] * n_bound
    arg_tangents = list(d_args) if d_args is not None else [None] * n_args
    return bound_tangents + arg_tangents + [by_key[k] for k in dict.fromkeys(bound_keys + keys)]


def value_jvp(result, function, args, kwargs, d_function, d_args, d_kwargs):
    """The tangent of `function(*args, **kwargs)` for tangents of its parts (None is zero)."""
    if d_function is not None:
        _refuse_receiver_derivative(function, result)
    shim, values, layout = _flat_call(function, args, kwargs)
    again, out = _pushed(shim, values, _flat_tangents(layout, d_function, d_args, d_kwargs))
    if again is None:
        return runtime.tangent_zeros(result)
    _check_same(result, again, function)
    return out


# Second derivatives. value_vjp and value_jvp are themselves calls of a function that
# only the call shows, made by s2s: the pullback (both sweeps in one plain function) or
# the pushforward of the function called. Their derivatives differentiate that
# generated function, when the call runs, the way value_vjp and value_jvp differentiate
# the user's; a third derivative has no rule (a located TransformError).


def _pullback(shim, wrt):
    from . import api

    return api.Pullback(shim, "pullback", wrt).transformable_function()


def _pushforward(shim, wrt):
    from . import api

    return api.jvp(shim, wrt=wrt).pushforward_function()


def _full(d_part, part, layout, function, kwargs, values):
    """A derivative of one part of a call (as _split gives it) spread over the flat
    values, zeros elsewhere: the inverse of _split."""
    n_bound, n_args, bound_keys, keys = layout
    keywords = list(dict.fromkeys(bound_keys + keys))
    flat = [None] * len(values)
    if part == "args" and d_part is not None:
        flat[n_bound:n_bound + n_args] = list(d_part)
    elif part == "kwargs" and d_part is not None:
        for k in kwargs:
            flat[n_bound + n_args + keywords.index(k)] = d_part.get(k)
    elif part == "function" and isinstance(d_part, functools.partial):
        flat[:n_bound] = list(d_part.args)
        for k in bound_keys:
            if k not in kwargs:  # (one the call passes again is not used)
                flat[n_bound + n_args + keywords.index(k)] = d_part.keywords.get(k)
    return [runtime.tangent_zeros(v) if d is None else d for d, v in zip(flat, values)]


def _differentiated(values):
    return tuple(i for i, v in enumerate(values) if _differentiable(v))


def _packed(items):
    return items[0] if len(items) == 1 else tuple(items)


def _pulled_again(function, generated, inputs, cotangent, result):
    """The derivatives of the generated function's `inputs` pulled back from `cotangent`,
    after checking that it computes the program's `result` again."""
    shim, values, _ = _flat_call(generated, inputs, {})
    again, grads = _pulled(shim, values, cotangent)
    if again is not None:
        _check_same(result, again[0], function)
    return grads


def _pushed_again(function, generated, inputs, tangents, result):
    shim, values, _ = _flat_call(generated, inputs, {})
    again, out = _pushed(shim, values, tangents)
    if again is None:
        return None
    _check_same(result, again[0], function)
    return out[1]


def value_vjp_grad(d_pulled, result, function, args, kwargs, g, part, which):
    """The adjoint of `value_vjp(result, function, args, kwargs, g, part)` for `which`:
    a part of the call ("function", "args", "kwargs") or "g"."""
    shim, values, layout = _flat_call(function, args, kwargs)
    wrt = _differentiated(values)
    g = runtime.tangent_zeros(result) if g is None else g
    if wrt:
        d_grads = _full(d_pulled, part, layout, function, kwargs, values)
        cotangent = (runtime.tangent_zeros(result), _packed([d_grads[i] for i in wrt]))
        grads = _pulled_again(function, _derivative(_pullback, shim, wrt), (*values, g), cotangent, result)
    else:  # the pulled derivative is zero whatever the inputs
        grads = [runtime.zeros_like(v) for v in (*values, g)]
    if which == "g":
        return grads[-1]
    return _split(grads[:-1], layout, function, kwargs)[_PARTS.index(which)]


def value_vjp_tangent(result, function, args, kwargs, g, part, d_function, d_args, d_kwargs, d_g):
    """The tangent of `value_vjp(result, function, args, kwargs, g, part)`."""
    shim, values, layout = _flat_call(function, args, kwargs)
    wrt = _differentiated(values)
    tangents = _flat_tangents(layout, d_function, d_args, d_kwargs)
    g = runtime.tangent_zeros(result) if g is None else g
    out = None
    if wrt:
        out = _pushed_again(function, _derivative(_pullback, shim, wrt), (*values, g), [*tangents, d_g], result)
    flat = [runtime.tangent_zeros(v) for v in values]
    if out is not None:
        for i, t in zip(wrt, (out,) if len(wrt) == 1 else out):
            flat[i] = t
    return _split(flat, layout, function, kwargs)[_PARTS.index(part)]


def _tangent_inputs(values, layout, d_function, d_args, d_kwargs):
    """(the pushforward's wrt, its inputs: the values, then a tangent per wrt value)."""
    tangents = _flat_tangents(layout, d_function, d_args, d_kwargs)
    wrt = _differentiated(values)
    filled = [runtime.tangent_zeros(values[i]) if tangents[i] is None else tangents[i] for i in wrt]
    return wrt, (*values, *filled)


def value_jvp_grad(d_out, result, function, args, kwargs, d_function, d_args, d_kwargs, which):
    """The adjoint of `value_jvp(result, function, args, kwargs, d_function, d_args,
    d_kwargs)` for `which`: a part of the call or of its tangent ("d_function", ...)."""
    shim, values, layout = _flat_call(function, args, kwargs)
    wrt, inputs = _tangent_inputs(values, layout, d_function, d_args, d_kwargs)
    if wrt:
        d_out = runtime.tangent_zeros(result) if d_out is None else d_out
        cotangent = (runtime.tangent_zeros(result), d_out)
        grads = _pulled_again(function, _derivative(_pushforward, shim, wrt), inputs, cotangent, result)
    else:
        grads = [runtime.zeros_like(v) for v in inputs]
    n = len(values)
    if which.startswith("d_"):
        flat = [runtime.zeros_like(v) for v in values]
        for i, d in zip(wrt, grads[n:]):
            flat[i] = d
        return _split(flat, layout, function, kwargs)[_PARTS.index(which[2:])]
    return _split(grads[:n], layout, function, kwargs)[_PARTS.index(which)]


def value_jvp_tangent(result, function, args, kwargs, d_function, d_args, d_kwargs,
                      t_function, t_args, t_kwargs, t_d_function, t_d_args, t_d_kwargs):
    """The tangent of `value_jvp(result, function, args, kwargs, d_function, d_args,
    d_kwargs)` along tangents `t_*` of each of its inputs."""
    shim, values, layout = _flat_call(function, args, kwargs)
    wrt, inputs = _tangent_inputs(values, layout, d_function, d_args, d_kwargs)
    if not wrt:
        return runtime.tangent_zeros(result)
    value_tangents = _flat_tangents(layout, t_function, t_args, t_kwargs)
    tangent_tangents = _flat_tangents(layout, t_d_function, t_d_args, t_d_kwargs)
    tangents = [*value_tangents, *(tangent_tangents[i] for i in wrt)]
    out = _pushed_again(function, _derivative(_pushforward, shim, wrt), inputs, tangents, result)
    return runtime.tangent_zeros(result) if out is None else out
