"""Calls through function values, partials, starred arguments and zip(*rows).

`call_value(function, args, kwargs)` is a call whose function is known only when it
runs; its derivatives are taken then (s2s/function_values.py). The derivative of a
partial is a partial of its bound arguments' derivatives; a nested function used as a
value is a partial of its lifted code and the values it captures.
"""
from s2s.function_values import value_jvp, value_vjp
from s2s.rules import adjoint, none_aware, tangent
from s2s.runtime import (
    call_value,
    filled_tangent,
    make_partial,
    partial_grad,
    partial_tangent,
    transposed,
    transposed_grad,
    unpack_args,
    unpack_args_grad,
)

# ruff: noqa: F821 - `d` is template syntax
# ruff: noqa: F811 - the adjoint and the tangent rule share a name


@adjoint(call_value)
def call_value_(result, function, args, kwargs):
    d[function] = value_vjp(function, args, kwargs, d[result], "function")
    d[args] = value_vjp(function, args, kwargs, d[result], "args")
    d[kwargs] = value_vjp(function, args, kwargs, d[result], "kwargs")


@tangent(call_value)
def call_value_(result, function, args, kwargs):
    d[result] = value_jvp(result, function, args, kwargs, d[function], d[args], d[kwargs])


@adjoint(make_partial)
def make_partial_(result, function, args, kwargs):
    d[args] = partial_grad(d[result], args, kwargs, "args")
    d[kwargs] = partial_grad(d[result], args, kwargs, "kwargs")


@tangent(make_partial)
def make_partial_(result, function, args, kwargs):
    d[result] = partial_tangent(function, args, kwargs, d[args], d[kwargs])


@adjoint(unpack_args)
def unpack_args_(result, items, starred):
    d[items] = unpack_args_grad(d[result], items, starred)


@tangent(unpack_args)
def unpack_args_(result, items, starred):
    d[result] = unpack_args(filled_tangent(d[items], items), starred)


@adjoint(transposed)
def transposed_(result, rows):
    d[rows] = transposed_grad(d[result], rows)


@tangent(transposed)
def transposed_(result, rows):
    d[result] = transposed(filled_tangent(d[rows], rows))


none_aware(value_jvp, value_vjp, partial_grad, partial_tangent, filled_tangent, unpack_args_grad, transposed_grad)
