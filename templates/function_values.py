"""Calls through function values, partials, containers built, starred arguments and zip(*rows).

`call_value(function, args, kwargs)` is a call whose function is known only when it
runs; its derivatives are taken then (s2s/function_values.py). The derivative of a
partial is a partial of its bound arguments' derivatives; a nested function used as a
value is a partial of its lifted code and the values it captures.
"""
from s2s.declare import linear, rule_table
from s2s.function_values import (
    value_jvp,
    value_jvp_grad,
    value_jvp_tangent,
    value_vjp,
    value_vjp_grad,
    value_vjp_tangent,
)
from s2s.rules import adjoint, constant_in, none_aware, tangent
from s2s.runtime import (
    call_value,
    container_cotangent,
    container_grad,
    container_tangent,
    filled_tangent,
    partial_cotangent,
    partial_grad,
    partial_tangent,
    transposed_grad,
    unpack_args_grad,
)


@adjoint(call_value)
def call_value_(result, function, args, kwargs):
    d[function] = value_vjp(result, function, args, kwargs, d[result], "function")
    d[args] = value_vjp(result, function, args, kwargs, d[result], "args")
    d[kwargs] = value_vjp(result, function, args, kwargs, d[result], "kwargs")


@tangent(call_value)
def call_value_(result, function, args, kwargs):
    d[result] = value_jvp(result, function, args, kwargs, d[function], d[args], d[kwargs])


# (adjoint, tangent)
rule_table({
    "make_partial(function, args, kwargs)": (
        'd[args] = partial_grad(d[result], args, kwargs, "args");'
        ' d[kwargs] = partial_grad(d[result], args, kwargs, "kwargs")',
        "d[result] = partial_tangent(function, args, kwargs, d[args], d[kwargs])"),
    "make_container(cls, args, kwargs)": (
        'd[args] = container_grad(d[result], result, args, kwargs, "args");'
        ' d[kwargs] = container_grad(d[result], result, args, kwargs, "kwargs")',
        "d[result] = container_tangent(result, args, kwargs, d[args], d[kwargs])"),
    "unpack_args(items, starred)": ("d[items] = unpack_args_grad(d[result], items, starred)",
                                    "d[result] = unpack_args(filled_tangent(d[items], items), starred)"),
    "transposed(rows)": ("d[rows] = transposed_grad(d[result], rows)",
                         "d[result] = transposed(filled_tangent(d[rows], rows))"),
})


# Derivatives of derivatives. value_vjp and value_jvp differentiate, when they run, the
# generated pullback or pushforward of the function called (s2s/function_values.py);
# the helpers of the other rules are linear in their derivative arguments.


@adjoint(value_vjp)
def value_vjp_(pulled, result, function, args, kwargs, g, part):
    d[function] = value_vjp_grad(d[pulled], result, function, args, kwargs, g, part, "function")
    d[args] = value_vjp_grad(d[pulled], result, function, args, kwargs, g, part, "args")
    d[kwargs] = value_vjp_grad(d[pulled], result, function, args, kwargs, g, part, "kwargs")
    d[g] = value_vjp_grad(d[pulled], result, function, args, kwargs, g, part, "g")


@tangent(value_vjp)
def value_vjp_(pulled, result, function, args, kwargs, g, part):
    d[pulled] = value_vjp_tangent(result, function, args, kwargs, g, part, d[function], d[args], d[kwargs], d[g])


@adjoint(value_jvp)
def value_jvp_(pushed, result, function, args, kwargs, d_function, d_args, d_kwargs):
    d[function] = value_jvp_grad(d[pushed], result, function, args, kwargs, d_function, d_args, d_kwargs, "function")
    d[args] = value_jvp_grad(d[pushed], result, function, args, kwargs, d_function, d_args, d_kwargs, "args")
    d[kwargs] = value_jvp_grad(d[pushed], result, function, args, kwargs, d_function, d_args, d_kwargs, "kwargs")
    d[d_function] = value_jvp_grad(d[pushed], result, function, args, kwargs, d_function, d_args, d_kwargs, "d_function")
    d[d_args] = value_jvp_grad(d[pushed], result, function, args, kwargs, d_function, d_args, d_kwargs, "d_args")
    d[d_kwargs] = value_jvp_grad(d[pushed], result, function, args, kwargs, d_function, d_args, d_kwargs, "d_kwargs")


@tangent(value_jvp)
def value_jvp_(pushed, result, function, args, kwargs, d_function, d_args, d_kwargs):
    d[pushed] = value_jvp_tangent(result, function, args, kwargs, d_function, d_args, d_kwargs, d[function], d[args],
                                  d[kwargs], d[d_function], d[d_args], d[d_kwargs])


linear({
    "partial_grad(d_partial, args, kwargs, part)": "d[d_partial] = partial_cotangent(d[result], args, kwargs, part)",
    "partial_cotangent(d_part, args, kwargs, part)": "d[d_part] = partial_grad(d[result], args, kwargs, part)",
})
rule_table({
    "partial_tangent(function, args, kwargs, d_args, d_kwargs)": (
        'd[d_args] = partial_grad(d[result], args, kwargs, "args");'
        ' d[d_kwargs] = partial_grad(d[result], args, kwargs, "kwargs")',
        "d[result] = partial_tangent(function, args, kwargs, d[d_args], d[d_kwargs])"),
    "container_grad(d_container, container, args, kwargs, part)": (
        "d[d_container] = container_cotangent(d[result], container, args, kwargs, part)",
        "d[result] = container_grad(d[d_container], container, args, kwargs, part)"),
    "container_cotangent(d_part, container, args, kwargs, part)": (
        "d[d_part] = container_grad(d[result], container, args, kwargs, part)",
        "d[result] = container_cotangent(d[d_part], container, args, kwargs, part)"),
    "container_tangent(container, args, kwargs, d_args, d_kwargs)": (
        'd[d_args] = container_grad(d[result], container, args, kwargs, "args");'
        ' d[d_kwargs] = container_grad(d[result], container, args, kwargs, "kwargs")',
        "d[result] = container_tangent(container, args, kwargs, d[d_args], d[d_kwargs])"),
    "unpack_args_grad(d_args, items, starred)": ("d[d_args] = unpack_args(filled_tangent(d[result], items), starred)",
                                                 "d[result] = unpack_args_grad(d[d_args], items, starred)"),
    "transposed_grad(d_columns, rows)": ("d[d_columns] = transposed(filled_tangent(d[result], rows))",
                                         "d[result] = transposed_grad(d[d_columns], rows)"),
    "filled_tangent(t, like)": ("d[t] = d[result]", "d[result] = filled_tangent(d[t], like)"),
})


none_aware(value_jvp, value_vjp, value_vjp_grad, value_vjp_tangent, value_jvp_grad, value_jvp_tangent, partial_grad,
           partial_tangent, partial_cotangent, container_grad, container_tangent, container_cotangent, filled_tangent,
           unpack_args_grad, transposed_grad)


# Read only for the structure of the arguments (their positions and types); a call's
# value only to check that the call computes it again.
constant_in(container_cotangent, "container", "args", "kwargs")
constant_in(container_grad, "container", "args", "kwargs")
constant_in(container_tangent, "container", "args", "kwargs")
constant_in(filled_tangent, "like")
constant_in(partial_cotangent, "args", "kwargs")
constant_in(partial_grad, "args", "kwargs")
constant_in(partial_tangent, "args", "kwargs")
constant_in(transposed_grad, "rows")
constant_in(unpack_args_grad, "items")
constant_in(value_jvp, "result")
constant_in(value_vjp, "result")
