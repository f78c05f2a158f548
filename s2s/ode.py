"""Derivatives of scipy.integrate.odeint by the adjoint method (rules in
templates/scipy_linalg.py): the solution is differentiated by solving another ODE,
with the derivative of the user's `func` at each step, never by differentiating the
solver's iterations.

The state is flattened with the arguments appended, constant in time, so that one
field F(z, time) stands for `func` and a derivative with respect to the arguments is
one with respect to the initial state. Both derivatives are odeint calls again, on a
field built from F and s2s's own `jvp`/`grad` of it, and are written in the Python s2s
differentiates (`differentiated_by_source`): a second derivative transforms them, and
the odeint calls inside are differentiated by the same two rules.

A derivative that integrates an ODE imports s2s (an exported module refuses it).
"""
import functools

import numpy as np
from scipy.integrate import odeint

from .dispatch import differentiated_by_source

# The derivative is the exact flow's, integrated at these tolerances whatever the
# user's rtol/atol (which set only the accuracy of the solution).
TOLERANCE = 1e-10


def shapes_of(values):
    return tuple(np.shape(v) for v in values)


@differentiated_by_source
def _packed(first, rest):
    """One flat vector of `first` and the arrays of the tuple `rest`."""
    pieces = [np.ravel(first)]
    for value in rest:
        pieces.append(np.ravel(value))
    return np.concatenate(pieces)


@differentiated_by_source
def _unpacked(flat, shapes):
    """The arrays of `shapes` read one after another from the vector `flat`."""
    pieces = []
    start = 0
    for shape in shapes:
        size = int(np.prod(shape))
        pieces.append(np.reshape(flat[start:start + size], shape))
        start = start + size
    return tuple(pieces)


@differentiated_by_source
def _zeros_for_none(tangents, values):
    """The tangents of a tuple of values, a None one (or all, if None) the zeros it stands for."""
    filled = []
    for i in range(len(values)):
        if tangents is None or tangents[i] is None:
            filled.append(np.zeros(np.shape(values[i])))
        else:
            filled.append(tangents[i])
    return tuple(filled)


@functools.lru_cache(maxsize=32)
def flat_field(func, shape, arg_shapes):
    """F(z, time) for z = (y, args) flat: y' = func(y, time, *args), args' = 0."""
    n = int(np.prod(shape))

    @differentiated_by_source
    def field(z, time):
        args = _unpacked(z[n:], arg_shapes)
        slope = func(np.reshape(z[:n], shape), time, *args)
        return np.concatenate([np.ravel(slope), np.zeros(np.size(z) - n)])

    return field


@functools.lru_cache(maxsize=32)
def _tangent_field(field):
    """For w = (z, s): z' = F(z), s' = F_z(z) s, the tangent s of the flow."""
    from .api import jvp

    forward = jvp(field, wrt=0)

    @differentiated_by_source
    def tangent_system(w, time):
        k = np.size(w) // 2
        slope, tangent_slope = forward(w[:k], time, w[k:])
        return np.concatenate([slope, tangent_slope])

    return tangent_system


@functools.lru_cache(maxsize=32)
def _adjoint_field(field):
    """For w = (z, a): z' = F(z), a' = -a F_z(z), the adjoint a of the flow, run backwards."""
    from .api import grad

    @differentiated_by_source
    def projected(z, a, time):
        return np.sum(a * field(z, time))

    pullback = grad(projected, wrt=0)

    @differentiated_by_source
    def adjoint_system(w, time):
        k = np.size(w) // 2
        return np.concatenate([field(w[:k], time), -pullback(w[:k], w[k:], time)])

    return adjoint_system


@differentiated_by_source
def _flow_jvp(field, z0, dz0, t):
    """(rows of odeint(field, z0, t), their tangent along dz0)."""
    rows = odeint(_tangent_field(field), np.concatenate([z0, dz0]), t, rtol=TOLERANCE, atol=TOLERANCE)
    k = np.size(z0)
    return rows[:, :k], rows[:, k:]


@differentiated_by_source
def _slopes(field, rows, t):
    """F(z_i, t_i) for each row: how fast the solution moves with its time."""
    slopes = []
    for i in range(len(t)):
        slopes.append(field(rows[i], t[i]))
    return np.stack(slopes)


@differentiated_by_source
def _flow_vjp(field, rows, g, t):
    """The gradient of z0 for the rows of odeint(field, z0, t) and their gradient g: the
    adjoint is carried back one interval at a time from the solution at its end (so
    that the state is never integrated backwards over more than one interval)."""
    system = _adjoint_field(field)
    k = np.size(rows[0])
    adjoint = g[-1]
    for i in range(len(t) - 1, 0, -1):
        start = np.concatenate([rows[i], adjoint])
        end = odeint(system, start, np.array([t[i], t[i - 1]]), rtol=TOLERANCE, atol=TOLERANCE)[-1]
        adjoint = end[k:] + g[i - 1]
    return adjoint


@differentiated_by_source
def odeint_vjp(g, result, func, y0, t, args=()):
    """(gradient of y0, gradients of args, gradient of t) for y = odeint(func, y0, t, args)
    and the gradient `g` of y (one row per time). A row moves with its own time at its
    slope, and the rows after the first move with t[0] as the flow carries the initial
    slope: dy_i/dt_0 = -Phi(t_i, t_0) f(y_0, t_0), Phi the flow's Jacobian."""
    arg_shapes = shapes_of(args)
    field = flat_field(func, np.shape(y0), arg_shapes)
    params = _packed(np.zeros(0), args)
    m, n = len(t), np.size(y0)
    rows = np.concatenate([np.reshape(result, (m, n)), np.tile(params, (m, 1))], axis=1)
    g_rows = np.concatenate([np.reshape(g, (m, n)), np.zeros((m, np.size(params)))], axis=1)
    grad_z0 = _flow_vjp(field, rows, g_rows, t)
    slopes = _slopes(field, rows, t)
    through_own_time = np.sum(g_rows * slopes, axis=1)
    through_start = -np.sum((grad_z0 - g_rows[0]) * slopes[0])
    grad_t = np.where(np.arange(m) == 0, through_start, through_own_time)
    return (np.reshape(grad_z0[:n], np.shape(y0)), _unpacked(grad_z0[n:], arg_shapes),
            np.reshape(grad_t, np.shape(t)))


@differentiated_by_source
def odeint_jvp(dy0, dargs, dt, result, func, y0, t, args=()):
    """The tangent of y = odeint(func, y0, t, args): s' = df/dy s + df/dargs dargs from
    s(t0) = dy0 - f(y0, t0) dt0, and each row's slope times its dt (None for a tangent
    of y0, of args, of one of args or of t is zero)."""
    arg_shapes = shapes_of(args)
    field = flat_field(func, np.shape(y0), arg_shapes)
    z0 = _packed(y0, args)
    (dy0, dt) = _zeros_for_none((dy0, dt), (y0, t))
    dz0 = _packed(dy0, _zeros_for_none(dargs, args))
    dt = np.ravel(dt)
    rows, tangent = _flow_jvp(field, z0, dz0 - field(z0, t[0]) * dt[0], t)
    tangent = tangent + _slopes(field, rows, t) * np.reshape(dt, (len(t), 1))
    return np.reshape(tangent[:, :np.size(y0)], np.shape(result))
