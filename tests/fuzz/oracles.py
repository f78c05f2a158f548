"""Derivative references independent of s2s: central differences and autograd.

Everything works on a flat view of the differentiated argument: `Flat` turns
`f(*args)` into a function from a vector x (the argument's elements) to a vector (the
elements of every output leaf), so one Jacobian or Hessian routine serves scalars,
arrays and tuple-valued functions alike.
"""
import copy
import importlib.util
import itertools
import math
import os
import re
import sys
import types
import warnings

import numpy as np

STEPS = (1e-6, 1e-4)  # first derivatives: two steps that must agree
SECOND_STEPS = (1e-3, 2e-4)  # second derivatives


class Unstable(Exception):
    """The two step sizes disagree: a branch flips or a tie breaks near the point."""


def load_module(source, directory, name, numpy=np):
    """Import `source` as module `name` from a real file (s2s reads source with inspect).

    With `numpy` set to autograd.numpy the same source runs under autograd.
    """
    path = os.path.join(directory, f"{name}.py")
    with open(path, "w") as file:
        file.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    if numpy is not np:  # not registered: s2s must never see the autograd twin
        exec(compile(source, path, "exec"), module.__dict__)
        module.np = numpy
        module.math = math_for(numpy)
        return module
    sys.modules[name] = module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # a shrinking candidate like 1.0[::-1]
        spec.loader.exec_module(module)
    return module


def math_for(numpy):
    """The `math` functions programs use, as autograd-traceable NumPy functions."""
    names = {"sin": "sin", "cos": "cos", "tanh": "tanh", "exp": "exp", "log": "log", "sqrt": "sqrt", "atan": "arctan"}
    return types.SimpleNamespace(pi=math.pi, **{m: getattr(numpy, n) for m, n in names.items()})


def leaves(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    if isinstance(value, dict):
        return [leaf for key in value for leaf in leaves(value[key])]
    return [value]


def unflatten_like(flat, like):
    """Values of `flat` (a vector) arranged like the leaves of `like`."""
    position = 0

    def build(template):
        nonlocal position
        if isinstance(template, (list, tuple)):
            return type(template)(build(item) for item in template)
        if isinstance(template, dict):
            return {key: build(template[key]) for key in template}
        size = int(np.size(template))
        chunk = flat[position:position + size]
        position += size
        return float(chunk[0]) if np.ndim(template) == 0 else np.reshape(chunk, np.shape(template))

    return build(like)


def flatten(value, numpy=np):
    parts = [numpy.reshape(leaf, (-1,)) for leaf in leaves(value)]
    return numpy.concatenate(parts) if len(parts) > 1 else parts[0]


class Flat:
    """f(*args) as a map from the differentiated argument's elements to the output's."""

    def __init__(self, function, args, wrt, numpy=np):
        self.function, self.args, self.wrt, self.numpy = function, args, wrt, numpy
        self.shape = np.shape(args[wrt])

    def point(self):
        return np.reshape(np.asarray(self.args[self.wrt], dtype=float), (-1,)).copy()

    def __call__(self, x):
        args = copy.deepcopy(self.args)
        args[self.wrt] = x[0] if self.shape == () else self.numpy.reshape(x, self.shape)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = self.function(*args)
        return flatten(out, self.numpy)


def _jacobian_fd(flat, x, h):
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h
        columns.append((flat(x + step) - flat(x - step)) / (2 * h))
    return np.stack(columns, axis=-1)


def _hessian_fd(flat, x, h):
    n = x.size
    hessian = np.zeros((n, n))
    unit = np.eye(n) * h
    for i, j in itertools.combinations_with_replacement(range(n), 2):
        value = (flat(x + unit[i] + unit[j]) - flat(x + unit[i] - unit[j])
                 - flat(x - unit[i] + unit[j]) + flat(x - unit[i] - unit[j]))[0] / (4 * h * h)
        hessian[i, j] = hessian[j, i] = value
    return hessian


def close(a, b, rtol, scale=None):
    """|a - b| small relative to b's magnitude (and to `scale`, the problem's size)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    if not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
        return bool(np.array_equal(a, b, equal_nan=True))
    size = max(float(np.max(np.abs(b), initial=0.0)), scale or 0.0, 1.0)
    return bool(np.all(np.abs(a - b) <= rtol * np.abs(b) + rtol * size))


def fd_jacobian(flat):
    """(d out / d x by central differences at the fine step, whether the coarse step agrees)."""
    x = flat.point()
    coarse, fine = (_jacobian_fd(flat, x, h) for h in reversed(STEPS))
    return fine, close(fine, coarse, 1e-4)


def fd_hessian(flat):
    """(the Hessian of a scalar function by second differences at the fine step, whether
    the coarse step agrees)."""
    x = flat.point()
    coarse, fine = (_hessian_fd(flat, x, h) for h in SECOND_STEPS)
    return fine, close(fine, coarse, 2e-3)


class Autograd:
    """The same program run under autograd.numpy, where it runs (no in-place writes...)."""

    def __init__(self, source, directory, name, wrt_args, wrt):
        import autograd
        import autograd.numpy as anp

        # s2s would be asked to differentiate the autograd twin: its s2s.grad is autograd's
        # (the programs' nested gradients use the default wrt=0 that autograd.grad shares);
        # a program using another s2s API gets no autograd reference
        if re.search(r"\bs2s\.(?!grad\()", re.sub(r"#.*", "", source)):
            raise ValueError("autograd cannot judge a program that uses s2s beyond s2s.grad")

        self.autograd = autograd
        module = load_module(source, directory, name + "_ag", numpy=anp)
        module.s2s = types.SimpleNamespace(grad=autograd.grad)
        self.flat = Flat(module.f, wrt_args, wrt, numpy=anp)

    def jacobian(self):
        return self._finite(self.autograd.jacobian(self.flat))

    def hessian(self):
        return self._finite(self.autograd.hessian(lambda x: self.flat(x)[0]))

    def _finite(self, derivative):
        """autograd's derivative at the point; a NaN or infinity in it is no reference: some
        of its rules are singular where the function is smooth (`norm(x, inf)` by a power)."""
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = np.asarray(derivative(self.flat.point()), dtype=float)
        if not np.all(np.isfinite(value)):
            raise Unstable
        return value


class References:
    """The Jacobian and Hessian of `f` at `args`, from every oracle that gives one."""

    def __init__(self, function, args, wrt, source, directory, name):
        self.flat = Flat(function, args, wrt)
        self.source, self.directory, self.name = source, directory, name
        self.args, self.wrt = args, wrt
        self._cache = {}
        self._autograd = None

    def _autograd_oracle(self):
        if self._autograd is None:
            try:
                self._autograd = Autograd(self.source, self.directory, self.name, self.args, self.wrt)
            except Exception:
                self._autograd = False
        return self._autograd

    def _get(self, key, compute):
        if key not in self._cache:
            try:
                self._cache[key] = compute()
            except Unstable:
                self._cache[key] = None
            except Exception:  # autograd cannot run this program (in-place writes, ...)
                self._cache[key] = None
        return self._cache[key]

    def jacobians(self):
        """Every available reference Jacobian (output elements x argument elements)."""
        return self._references("jacobian", lambda: fd_jacobian(self.flat), lambda oracle: oracle.jacobian())

    def hessians(self):
        return self._references("hessian", lambda: fd_hessian(self.flat), lambda oracle: oracle.hessian())

    def _references(self, what, differences, by_autograd):
        """Central differences where their two steps agree, and autograd's derivative; where
        the steps disagree (a fast-varying function), autograd's only if it is near the
        fine step's (autograd has wrong rules too: `np.where` broadcasting a scalar)."""
        fine, stable = self._get(f"fd_{what}", differences) or (None, False)
        found = [fine] if stable else []
        oracle = self._autograd_oracle()
        if oracle:
            derivative = self._get(f"ag_{what}", lambda: by_autograd(oracle))
            if derivative is not None and (stable or fine is None or close(derivative, fine, 0.05)):
                found.append(derivative)
        return found
