"""The README's array programs and their derivatives, for the tests that run them on
other array types (Dask in test_dask.py, CuPy in test_cupy.py) and compare with NumPy."""
import importlib.util
import pathlib
import sys

import numpy as np
import pytest
from conftest import leaves, tree_map

import s2s


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _example(name):
    """A script of examples/ as a module (examples/ is not a package)."""
    path = pathlib.Path(__file__).resolve().parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"s2s_example_{name}", path)
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the programs of the examples the README shows, exactly as they are there
logistic_nll = _example("dask_logistic_regression").nll
logprob = _example("mlp").logprob


def problem(name):
    """(function, NumPy arguments, a tangent for the first argument) of a program."""
    rng = np.random.RandomState(0)
    if name == "rosenbrock":
        x = rng.randn(30)
        return rosenbrock, (x,), rng.randn(30)
    if name == "logistic_nll":
        X = rng.randn(60, 4)
        y = (X @ rng.randn(4) + 0.3 * rng.randn(60) > 0).astype(float)
        return logistic_nll, (rng.randn(5), X, y), rng.randn(5)
    params = [(rng.randn(4, 8), rng.randn(8)), (rng.randn(8, 3), rng.randn(3))]
    tangent = [(rng.randn(4, 8), rng.randn(8)), (rng.randn(8, 3), rng.randn(3))]
    return logprob, (params, rng.randn(16, 4), rng.randn(16, 3)), tangent


PROGRAMS = ["rosenbrock", "logistic_nll", "mlp"]

# derivative name -> (f, args, tangent) -> its value
DERIVATIVES = {
    "grad": lambda f, args, t: s2s.grad(f)(*args),
    "value_and_grad": lambda f, args, t: s2s.value_and_grad(f)(*args),
    "jvp": lambda f, args, t: s2s.jvp(f)(*args, t),
    "vjp": lambda f, args, t: s2s.vjp(f)(*args)[1](2.5),
    "hvp": lambda f, args, t: s2s.hvp(f)(*args, t),
}

# which arguments become arrays of the other type: all of them, or only the data
# (every argument but the first, which stays NumPy, as does its tangent)
PLACEMENTS = {"all": lambda i: True, "data": lambda i: i > 0}


def programs(placements=tuple(PLACEMENTS)):
    """(program, placement) pairs."""
    for name in PROGRAMS:
        for placement in placements:
            if name == "rosenbrock" and placement == "data":
                continue  # rosenbrock has no data
            yield pytest.param(name, placement, id=f"{name}-{placement}")


def cases(placements=tuple(PLACEMENTS)):
    """(program, placement, derivative) triples."""
    for pair in programs(placements):
        for derivative in DERIVATIVES:
            yield pytest.param(*pair.values, derivative, id=f"{pair.id}-{derivative}")


def run_case(name, placement, derivative, convert):
    """(the derivative on arguments converted by `convert`, the same on NumPy's)."""
    f, args, tangent = problem(name)
    moved = PLACEMENTS[placement]
    other_args = [tree_map(convert, a) if moved(i) else a for i, a in enumerate(args)]
    other_tangent = tree_map(convert, tangent) if moved(0) else tangent
    compute = DERIVATIVES[derivative]
    return compute(f, other_args, other_tangent), compute(f, args, tangent)


def assert_close(got, want, label=""):
    """Leaf by leaf, to 1e-10 (relative, and absolute for values near zero)."""
    got, want = leaves(got), leaves(want)
    assert len(got) == len(want), label
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-10, err_msg=label)


# --------------------------------------------------------------------------- references
# The NumPy derivatives that the other array types must reproduce, against central
# differences along random directions (t2' H t by a mixed second difference for hvp).


def _along(f, args, directions, eps):
    """f at args moved by eps * directions[k] (a list of (coefficient, tangent) pairs)."""
    x = args[0]
    for coefficient, t in directions:
        x = tree_map(lambda p, q, c=coefficient: p + c * eps * q, x, t)
    return f(x, *args[1:])


def _dot(a, b):
    return sum(float(np.sum(p * q)) for p, q in zip(leaves(a), leaves(b)))


@pytest.mark.parametrize("name", PROGRAMS)
def test_numpy_derivatives_against_central_differences(name):
    f, args, t = problem(name)
    _, _, t2 = problem(name)
    t2 = tree_map(lambda q: np.roll(q, 1), t2)
    eps = 1e-6
    slope = (_along(f, args, [(1, t)], eps) - _along(f, args, [(-1, t)], eps)) / (2 * eps)
    np.testing.assert_allclose(_dot(DERIVATIVES["grad"](f, args, t), t), slope, rtol=1e-6)
    value, grad = DERIVATIVES["value_and_grad"](f, args, t)
    np.testing.assert_allclose(value, f(*args), rtol=1e-14)
    np.testing.assert_allclose(_dot(grad, t), slope, rtol=1e-6)
    np.testing.assert_allclose(DERIVATIVES["jvp"](f, args, t)[1], slope, rtol=1e-6)
    np.testing.assert_allclose(_dot(DERIVATIVES["vjp"](f, args, t), t), 2.5 * slope, rtol=1e-6)
    eps = 1e-4
    corners = [_along(f, args, [(s, t), (r, t2)], eps) for s in (1, -1) for r in (1, -1)]
    curvature = (corners[0] - corners[1] - corners[2] + corners[3]) / (4 * eps * eps)
    np.testing.assert_allclose(_dot(DERIVATIVES["hvp"](f, args, t), t2), curvature, rtol=1e-5)
