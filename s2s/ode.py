"""Derivatives of scipy.integrate.odeint by the adjoint method (rules in
templates/scipy_linalg.py): the solution is differentiated by solving another ODE
backwards in time, with the pullback (or, forward, the tangent) of the user's `func`
at each step, never by differentiating the solver's iterations.

Generated code calls these functions, and they call s2s's own `vjp`/`jvp` on `func`:
a derivative that integrates an ODE imports s2s (an exported module refuses it).
"""
import numpy as np


def _pullback(func, wrt):
    from .api import vjp

    return vjp(func, wrt=wrt)


def odeint_vjp(g, result, func, y0, t, args=()):
    """(gradient of y0, gradients of args) for y = odeint(func, y0, t, args) and the
    gradient `g` of y (one row per time): the adjoint a(t) solves a' = -a df/dy
    backwards from each time to the previous, collecting -a df/dargs on the way."""
    from scipy.integrate import odeint

    args = tuple(args)
    wrt = (0,) + tuple(range(2, 2 + len(args)))
    pullback = _pullback(func, wrt)
    n, shapes = np.size(y0), [np.shape(a) for a in args]
    sizes = [int(np.prod(s)) for s in shapes]

    def augmented(state, time):
        y, a = state[:n], state[n:2 * n]
        value, back = pullback(np.reshape(y, np.shape(y0)), time, *args)
        grads = back(np.reshape(a, np.shape(y0)))
        grads = grads if isinstance(grads, tuple) else (grads,)
        return np.concatenate([np.ravel(value), -np.ravel(grads[0])] + [-np.ravel(q) for q in grads[1:]])

    g = np.reshape(g, (len(t), n))
    adjoint = g[-1].astype(float)
    arg_grads = np.zeros(sum(sizes))
    for i in range(len(t) - 1, 0, -1):
        state = np.concatenate([np.ravel(result[i]), adjoint, arg_grads])
        state = odeint(augmented, state, [t[i], t[i - 1]], rtol=1e-10, atol=1e-10)[-1]
        adjoint, arg_grads = state[n:2 * n] + g[i - 1], state[2 * n:]
    pieces = np.split(arg_grads, np.cumsum(sizes)[:-1]) if args else []
    return np.reshape(adjoint, np.shape(y0)), tuple(np.reshape(p, s) for p, s in zip(pieces, shapes))


def odeint_jvp(dy0, dargs, result, func, y0, t, args=()):
    """The tangent of y = odeint(func, y0, t, args): s' = df/dy s + df/dargs dargs, s(t0) = dy0."""
    from scipy.integrate import odeint

    from .api import jvp

    args = tuple(args)
    dargs = tuple(np.zeros(np.shape(a)) if d is None else d for d, a in zip(dargs or (None,) * len(args), args))
    dy0 = np.zeros(np.shape(y0)) if dy0 is None else dy0
    forward = jvp(func, wrt=(0,) + tuple(range(2, 2 + len(args))))
    n = np.size(y0)

    def augmented(state, time):
        y, s = np.reshape(state[:n], np.shape(y0)), np.reshape(state[n:], np.shape(y0))
        value, ds = forward(y, time, *args, (s,) + dargs)
        return np.concatenate([np.ravel(value), np.ravel(ds)])

    state = odeint(augmented, np.concatenate([np.ravel(y0), np.ravel(dy0)]), t, rtol=1e-10, atol=1e-10)
    return np.reshape(state[:, n:], np.shape(result))
