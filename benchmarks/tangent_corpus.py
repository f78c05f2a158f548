"""Run Tangent's test corpus (its tests/functions.py) through s2s.grad, against central
differences, and count what passes.

    python benchmarks/tangent_corpus.py /path/to/tangent/tests

The corpus is not part of s2s: get it from Tangent's repository (github.com/google/tangent,
tests/functions.py). It imports `tangent` and `tensorflow`; stand-ins in
benchmarks/tangent_adapter/ take their place (the stack functions push and pop on a list,
the gradient hook is s2s's). The functions of TensorFlow tensors (`tfe_*`) are left out.
Each function is differentiated with respect to every float argument; one returning a
tuple by a vector-Jacobian product with ones.
"""
import copy
import inspect
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "benchmarks" / "tangent_adapter"), str(ROOT)]

import s2s  # noqa: E402

rs = np.random.RandomState(0)
X = rs.randn(5)
VALUES = dict(a=0.7, b=-1.3, c=1.1, n=3, x=X, i=1, sqm=rs.randn(3, 3) + 3 * np.eye(3), abc_packed_in_tuple=(0.7, -1.3, 1.1),
              val={"a": 0.7, "b": -1.3, "c": 1.1}, p={"i": {"j": 3.0, "k": 4.0}})
ARGUMENTS = {  # functions whose arguments need shapes of their own
    "logistic_regression": (rs.rand(3), np.eye(5)[1], rs.randn(3, 5), rs.randn(5)),
    "rnn": (rs.randn(3, 2), rs.randn(2, 3)),
    "bilinear": (rs.randn(1, 3), rs.randn(1, 3), rs.randn(3, 3), rs.randn(3, 3), rs.randn(1, 3)),
    "extended_slice": (rs.randn(4, 3),),
    "listcomp": (X,),
}
INTEGERS = ("n", "i")
# Tangent's own expectation: the hook scales the gradient with respect to a by 0.9
EXPECTED = {"inlining_contextmanager": lambda a: np.array([2.9 * a ** 2])}


def leaves(v):
    if isinstance(v, dict):
        return [leaf for k in sorted(v) for leaf in leaves(v[k])]
    if isinstance(v, (tuple, list)):
        return [leaf for e in v for leaf in leaves(e)]
    return [np.asarray(v, dtype=float).ravel()]


def rebuild(v, flat, pos):
    if isinstance(v, dict):
        out = {}
        for k in sorted(v):
            out[k], pos = rebuild(v[k], flat, pos)
        return out, pos
    if isinstance(v, (tuple, list)):
        out = []
        for e in v:
            item, pos = rebuild(e, flat, pos)
            out.append(item)
        return type(v)(out), pos
    if np.ndim(v) == 0:
        return float(flat[pos]), pos + 1
    return flat[pos:pos + np.size(v)].reshape(np.shape(v)), pos + np.size(v)


def central_differences(f, args, k, eps=1e-6):
    flat = np.concatenate(leaves(args[k]))
    grad = np.zeros_like(flat)
    for j in range(flat.size):
        values = []
        for step in (eps, -eps):
            moved = flat.copy()
            moved[j] += step
            a = list(copy.deepcopy(args))
            a[k] = rebuild(args[k], moved, 0)[0]
            values.append(sum(float(np.sum(o)) for o in leaves(f(*a))))
        grad[j] = (values[0] - values[1]) / (2 * eps)
    return grad


def check(name, f):
    """None if s2s's gradient is right, else what went wrong."""
    params = list(inspect.signature(f).parameters)
    args = ARGUMENTS.get(name) or tuple(VALUES[p] for p in params)
    wrt = tuple(i for i, p in enumerate(params) if p not in INTEGERS)
    if isinstance(f(*copy.deepcopy(args)), tuple):
        value, pullback = s2s.vjp(f, wrt=wrt)(*copy.deepcopy(args))
        grads = pullback(tuple(np.ones_like(o) for o in value))
    else:
        grads = s2s.grad(f, wrt=wrt)(*copy.deepcopy(args))
    grads = (grads,) if len(wrt) == 1 else grads
    for k, g in zip(wrt, grads):
        want = EXPECTED[name](*args) if name in EXPECTED else central_differences(f, args, k)
        got = np.concatenate(leaves(g)) if g is not None else np.zeros_like(want)
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-4, atol=1e-5):
            return f"wrong gradient with respect to {params[k]}: {got} against {want}"
    return None


def main():
    sys.path.insert(0, sys.argv[1])
    import functions

    names = [n for n, f in vars(functions).items()
             if inspect.isfunction(f) and f.__module__ == "functions" and not n.startswith(("_", "tfe_"))]
    failures = {}
    for name in names:
        try:
            problem = check(name, getattr(functions, name))
        except Exception as exc:  # noqa: BLE001 - a count of what fails, and how
            problem = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        if problem:
            failures[name] = problem
    print(f"tangent corpus: {len(names) - len(failures)} of {len(names)} pass")
    for name, problem in failures.items():
        print(f"  {name}: {problem}")


if __name__ == "__main__":
    main()
