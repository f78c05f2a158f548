"""check_grads on s2s: each derivative s2s generates, in the modes asked and to the
order asked, against central differences, by the test autograd's check_grads makes.

The arguments differentiated are packed in one tuple `xs` (so one s2s derivative covers
several arguments at any order). First order: the forward mode's J v and the reverse
mode's u J are compared with a central difference of f along v. Order n: the same
checks of the derivative functions `xs -> J(xs) t` (s2s.jvp) and `xs -> grad <u, f(xs)>`
(s2s.grad), at order n - 1.
"""
import itertools
import linecache

import numpy as np

import s2s

EPS = 1e-6
TOL = RTOL = 1e-6


def scalar_close(a, b):
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


def _map(fn, tree, *others):
    if isinstance(tree, (list, tuple)):
        return type(tree)(_map(fn, *items) for items in zip(tree, *others))
    if isinstance(tree, dict):
        return {k: _map(fn, tree[k], *(o[k] for o in others)) for k in tree}
    return fn(tree, *others)


def _leaves(tree):
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    if isinstance(tree, dict):
        return [leaf for k in tree for leaf in _leaves(tree[k])]
    return [tree]


def _randn(leaf):
    shape = np.shape(leaf)
    value = np.random.randn(*shape)
    if np.iscomplexobj(leaf):
        value = value + 1j * np.random.randn(*shape)
    return np.asarray(value) if isinstance(leaf, np.ndarray) else value


def _randn_like(tree):
    return _map(_randn, tree)


def _covector(tree):
    return _map(np.conj, tree)


def _inner_product(a, b):
    return sum(float(np.real(np.vdot(np.asarray(p), np.asarray(q)))) for p, q in zip(_leaves(a), _leaves(b)))


def _same_space(a, b):
    def kind(leaf):
        return np.shape(leaf), bool(np.iscomplexobj(leaf))

    return [kind(x) for x in _leaves(a)] == [kind(x) for x in _leaves(b)]


def _zeros_for_none(tree, like):
    """s2s's None in a container of derivatives is a zero: zeros shaped like `like` there."""
    if tree is None:
        return _map(lambda leaf: np.zeros_like(leaf) if isinstance(leaf, np.ndarray) else 0.0 * leaf, like)
    if isinstance(tree, (list, tuple)) and isinstance(like, (list, tuple)):
        return type(tree)(_zeros_for_none(t, u) for t, u in zip(tree, like))
    if isinstance(tree, dict) and isinstance(like, dict):
        return {k: _zeros_for_none(tree[k], like[k]) for k in tree}
    return tree


def check_equivalent(x, y):
    x = _zeros_for_none(x, y)
    assert _same_space(x, y), f"space mismatch:\nx: {x}\ny: {y}"
    v = _randn_like(x)
    assert scalar_close(_inner_product(x, v), _inner_product(y, v)), f"Value mismatch:\nx: {x}\ny: {y}"


def _numerical_jvp(F, xs, v):
    plus = F(_map(lambda x, t: x + t * EPS / 2, xs, v))
    minus = F(_map(lambda x, t: x - t * EPS / 2, xs, v))
    return _map(lambda p, m: (p - m) / EPS, plus, minus)


def _check_jvp(F, xs):
    v = _randn_like(xs)
    check_equivalent(s2s.jvp(F)(xs, v)[1], _numerical_jvp(F, xs, v))


def _check_vjp(F, xs, name):
    y, pullback = s2s.vjp(F)(xs)
    x_v, y_v = _randn_like(xs), _randn_like(y)
    vjp_y = _covector(_zeros_for_none(pullback(_covector(y_v)), xs))
    assert _same_space(vjp_y, xs), f"gradient {vjp_y} has not the space of {xs}"
    exact = _inner_product(x_v, vjp_y)
    numeric = _inner_product(y_v, _numerical_jvp(F, xs, x_v))
    assert scalar_close(numeric, exact), (
        f"Derivative (VJP) check of {name} failed with arg {xs}:\nanalytic: {exact}\nnumeric:  {numeric}")


_sources = itertools.count()


def _define(source, **names):
    """The function `source` defines, `names` its globals: a function s2s reads (its
    text registered with linecache) whose callees s2s knows when it transforms it."""
    filename = f"<autograd adapter {next(_sources)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = dict(names, np=np)
    exec(compile(source, filename, "exec"), namespace)
    return namespace[source.split("(")[0].split()[-1]]


def _paths(tree, path=""):
    """Subscript texts of the leaves of `tree`: ["[0]", "[1]['a']"]."""
    if isinstance(tree, (list, tuple)):
        return [p for i, item in enumerate(tree) for p in _paths(item, f"{path}[{i}]")]
    if isinstance(tree, dict):
        return [p for k, item in tree.items() for p in _paths(item, f"{path}[{k!r}]")]
    return [path]


def _projection(F, u):
    """xs -> <u, F(xs)>, real: the scalar whose gradient is the vjp of u."""
    paths = _paths(u)
    leaves = {f"u{i}": leaf for i, leaf in enumerate(_leaves(u))}
    terms = " + ".join(f"np.real(np.sum(u{i} * y{p}))" for i, p in enumerate(paths))
    return _define(f"def projection(xs):\n    y = F(xs)\n    return {terms}\n", F=F, **leaves)


def _check(F, xs, modes, order, name):
    """`name`, for messages, is the function's as autograd's check_grads names it."""
    if "fwd" in modes:
        _check_jvp(F, xs)
        if order > 1:
            tangent = _define("def tangent(xs):\n    return JF(xs, t)[1]\n", JF=s2s.jvp(F), t=_randn_like(xs))
            _check(tangent, xs, modes, order - 1, f"jvp_{name}")
    if "rev" in modes:
        _check_vjp(F, xs, name)
        if order > 1:
            _check(s2s.grad(_projection(F, _randn_like(F(xs)))), xs, modes, order - 1, f"vjp_{name}")


def _packed(f, argnums, args, kwargs):
    """F(xs) = f(*args, **kwargs) with the arguments `argnums` taken from the tuple xs."""
    names = {"f": f}
    call = []
    for i, arg in enumerate(args):
        if i in argnums:
            call.append(f"xs[{argnums.index(i)}]")
        else:
            names[f"c{i}"] = arg
            call.append(f"c{i}")
    for key, value in kwargs.items():
        names[f"k_{key}"] = value
        call.append(f"{key}=k_{key}")
    return _define(f"def F(xs):\n    return f({', '.join(call)})\n", **names)


def check_grads(f, argnum=0, modes=("fwd", "rev"), order=2):
    assert all(m in ("fwd", "rev") for m in modes)

    def check(*args, **kwargs):
        argnums = (argnum,) if isinstance(argnum, int) else tuple(argnum)
        _check(_packed(f, argnums, args, kwargs), tuple(args[i] for i in argnums), modes, order,
               getattr(f, "__name__", "[unknown name]"))

    return check


def combo_check(fun, *args, **kwargs):
    def _combo_check(*call_args, **call_kwargs):
        options = [[(k, x) for x in xs] for k, xs in call_kwargs.items()]
        for values in itertools.product(*call_args):
            for chosen in itertools.product(*options):
                check_grads(fun, *args, **kwargs)(*values, **dict(chosen))

    return _combo_check
