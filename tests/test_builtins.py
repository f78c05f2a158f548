"""Python's builtins over iterables (templates/builtins.py): through the compiler against
central differences and hand-derived values, and each rule run on its own against
central differences of its primitive, as in test_rule_bodies.py."""
import builtins
import inspect
import os
import re

import numpy as np
import pytest
from conftest import numeric_grad
from test_rule_bodies import call_rule
from test_rule_bodies import test_rule_calls_only_numpy_math_and_runtime as check_calls
from test_rule_bodies import test_rule_is_straight_line_code_of_the_allowed_form as check_form

import s2s
from s2s import rules
from s2s import runtime as rt

XS = [0.3, -1.2, 0.7, 1.9]


def check(f, args, wrt=0):
    got = s2s.grad(f, wrt=wrt)(*args)
    np.testing.assert_allclose(got, numeric_grad(f, args, wrt), rtol=1e-6, atol=1e-8)
    return got


# --------------------------------------------------------------------------- sum


def sums(x, w):
    scalars = sum([w * v for v in XS], 0.5 * w)
    arrays = sum([np.sin(w * x), x[0] * x[0], w])  # broadcast: (2, 3), (3,), ()
    return scalars * np.sum(arrays ** 2) + np.sum(sum(x) ** 2) + sum((w, w * w))


def test_sum_of_scalars_arrays_rows_and_tuples(rng):
    x = rng.randn(2, 3)
    check(sums, [x, 0.7], wrt=0)
    check(sums, [x, 0.7], wrt=1)


# --------------------------------------------------------------------------- max and min


def extremes(x, y):
    keyed = max([x, -2.0 * y], key=abs) - min(XS, key=abs) * y
    return max(x, y * y, 0.5) * min([x * y, x + y]) + max(v * x for v in XS) + keyed


def with_default(xs, y):
    return max([v * y for v in xs], default=y * y)


@pytest.mark.parametrize("x, y", [(0.3, 0.8), (1.7, -0.4), (-0.2, 0.1)])
def test_max_and_min_of_arguments_lists_and_generators(x, y):
    check(extremes, [x, y], wrt=0)
    check(extremes, [x, y], wrt=1)


def test_max_with_default():
    assert check(with_default, [XS, 0.5], wrt=1) == pytest.approx(1.9)
    assert check(with_default, [[], 0.5], wrt=1) == pytest.approx(1.0)


def pair(x, y):
    return max(x, y) + 0.0 * min(x, y)


def test_ties_split_the_gradient_evenly():
    assert s2s.grad(pair, wrt=(0, 1))(1.5, 1.5) == pytest.approx((0.5, 0.5))
    assert s2s.grad(lambda xs: max(xs))([2.0, 1.0, 2.0]) == pytest.approx([0.5, 0.0, 0.5])
    assert s2s.grad(lambda v: min(v))(np.array([1.0, 3.0, 1.0])) == pytest.approx([0.5, 0.0, 0.5])


# --------------------------------------------------------------------------- sorted and reversed


def sorting(w):
    ys = sorted([np.sin(w * v) for v in XS], key=abs, reverse=True)
    return ys[0] * 1.0 + ys[1] * 2.0 + ys[2] * 3.0 + ys[3] * 4.0


def test_sorted_with_key_and_reverse():
    check(sorting, [0.7])


def test_sorted_gradient_is_permuted_back():
    g = s2s.grad(lambda xs: sorted(xs)[0] + 10.0 * sorted(xs)[-1])(XS)
    assert g == pytest.approx([0.0, 1.0, 0.0, 10.0])
    g = s2s.grad(lambda v: np.sum(np.array(sorted(v)) * np.arange(3.0)))(np.array([0.5, -1.0, 2.0]))
    np.testing.assert_allclose(g, [1.0, 0.0, 2.0])


def reversing(x, w):
    total = 0.0
    for k, v in enumerate(reversed([w * u for u in XS])):
        total = total + k * v
    for j, u in enumerate(reversed(x)):
        total = total + j * np.sin(u)
    for i in reversed(range(3)):
        total = total + i * w
    return total + list(reversed((w, 2.0 * w)))[0]


def test_reversed_lists_arrays_tuples_and_ranges(rng):
    x = rng.randn(3)
    check(reversing, [x, 0.7], wrt=0)
    check(reversing, [x, 0.7], wrt=1)
    assert re.search(r"reversed\(_?range", s2s.source(s2s.grad(reversing, wrt=1)))  # kept: nothing to differentiate


# --------------------------------------------------------------------------- the rest


def conversions(x):
    t = tuple([x, x * x])
    lst = list((x, 3.0 * x))
    ok = any(v > 10.0 for v in lst) or not all([v < 10.0 for v in t])
    return t[0] * t[1] + lst[1] + abs(-x) * pow(x, 3) + len(t) * x + (x if ok else 0.0)


def test_tuple_list_abs_pow_and_nondifferentiable_predicates():
    check(conversions, [0.7])
    check(conversions, [-0.7])


def test_second_derivatives_and_forward_mode():
    def f(w):
        return sum(np.sin(w * v) for v in XS) * max(w * v for v in XS) + sorted([w * v * v for v in XS])[1] ** 2

    df = s2s.grad(f)
    assert s2s.grad(df)(0.7) == pytest.approx(numeric_grad(df, [0.7]), rel=1e-6)
    value, tangent = s2s.jvp(f)(0.7, 1.0)
    assert value == pytest.approx(f(0.7)) and tangent == pytest.approx(df(0.7), rel=1e-9)


# --------------------------------------------------------------------------- each rule on its own


def _tree(fn, x, *rest):
    if isinstance(x, dict):
        return {k: _tree(fn, x[k], *(r[k] for r in rest)) for k in x}
    if isinstance(x, (list, tuple)):
        return type(x)(_tree(fn, *items) for items in zip(x, *rest))
    return fn(x, *rest)


def _inner(a, b):
    """Euclidean inner product of two derivatives; None is zero."""
    if a is None or b is None:
        return 0.0
    if isinstance(a, dict):
        return sum(_inner(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return sum(_inner(p, q) for p, q in zip(a, b))
    return float(np.sum(np.asarray(a) * np.asarray(b)))


def _random(rng, x):
    return _tree(lambda v: rng.randn(*np.shape(v)) if np.ndim(v) else float(rng.randn()), x)


def _along(prim, bound, directions, eps=1e-6):
    """Central difference of `prim` along `directions` (argument name -> direction)."""

    def moved(sign):
        arguments = dict(bound.arguments)
        for name, v in directions.items():
            arguments[name] = _tree(lambda p, q: p + sign * eps * q, arguments[name], v)
        args = [arguments[n] for n in bound.signature.parameters if n in arguments]
        return prim(*args)

    return _tree(lambda p, m: None if p is None else (np.asarray(p) - m) / (2 * eps), moved(1), moved(-1))


def A(*shape):
    return np.random.RandomState(sum(shape) + len(shape)).randn(*shape)


CASES = [
    (builtins.sum, ([0.3, 1.2, -0.5],), ["iterable"]),
    (builtins.sum, ([A(3), A(2, 3), 0.4], A(3)), ["iterable", "start"]),
    (builtins.sum, (A(4, 3),), ["iterable"]),
    (builtins.max, ([0.3, 1.2, -0.5],), ["iterable"]),
    (builtins.min, (A(4),), ["iterable"]),
    (builtins.sorted, ([0.3, 1.2, -0.5, 0.1],), ["iterable"]),
    (builtins.sorted, (A(4),), ["iterable"]),
    (builtins.tuple, ([A(2), 0.5],), ["iterable"]),
    (rt.dict_from, ([2, 0, 2, 1], [A(2), 0.3, A(2), -0.4]), ["values"]),
    (rt.dict_values_grad, ({2: A(2), 0: 0.3, 1: -0.4}, [2, 0, 2, 1], [A(2), 0.3, A(2), -0.4]), ["d_dict"]),
    (rt.sum_grad, (A(2, 3), [A(3), A(2, 3), 0.5]), ["g"]),
    (rt.sum_like, ([A(3), A(2, 3), 0.5], A(2, 3)), ["gs"]),
    (rt.scale_each, (0.7, [0.5, 0.0, 0.5]), ["g"]),
    (rt.weighted_sum, ([0.3, 1.2, -0.5], [0.5, 0.0, 0.5]), ["gs"]),
    (rt.permute, ([A(2), 0.3, -0.4], [2, 0, 1]), ["gs"]),
    (rt.unpermute, ([A(2), 0.3, -0.4], [2, 0, 1], [0.0, 0.0, 0.0]), ["g"]),
]


def _case_id(case):
    return f"{case[0].__name__}-{len(case[1])}"


@pytest.mark.parametrize("prim, args, active", CASES, ids=map(_case_id, CASES))
def test_adjoint_rule(prim, args, active):
    rng = np.random.RandomState(0)
    rule = rules.adjoint_rule(prim)
    bound = rule.signature.bind(*args)
    result = prim(*args)
    g = _random(rng, result)
    d = call_rule(rule, set(active), result, bound.args, bound.kwargs, {rule.result_param: g})
    for name in active:
        v = _random(rng, bound.arguments[name])
        assert _inner(d[name], v) == pytest.approx(_inner(g, _along(prim, bound, {name: v})), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("prim, args, active", CASES, ids=map(_case_id, CASES))
def test_tangent_rule(prim, args, active):
    rng = np.random.RandomState(0)
    rule = rules.tangent_rule(prim)
    bound = rule.signature.bind(*args)
    result = prim(*args)
    tangents = {name: _random(rng, bound.arguments[name]) for name in active}
    d = call_rule(rule, set(active), result, bound.args, bound.kwargs, tangents)
    g = _random(rng, result)
    expected = _inner(g, _along(prim, bound, tangents))
    assert _inner(g, d[rule.result_param]) == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_list_derivatives_may_be_short_and_none_is_zero():
    # a list's derivative is aligned at the top of the list (see runtime.last_grad)
    assert rt.permute([5.0], [2, 0, 1]) == [5.0, None, None]
    assert rt.unpermute([5.0], [2, 0, 1], [0.0, 0.0, 0.0]) == [None, 5.0, None]
    assert rt.weighted_sum([5.0], [0.0, 0.5, 0.5]) == 2.5
    assert rt.dict_from(["a", "b"], [5.0]) == {"a": None, "b": 5.0}
    assert rt.sum_like([None, 2.0], 0.0) == 2.0 and rt.sum_like(None, np.ones(2)).tolist() == [0.0, 0.0]
    assert rt.dict_values_grad(None, ["a", "a"], [1.0, 2.0]) == [None, 0.0]


def builtin_rules():
    rules.is_non_differentiable(None)  # loads the rule library
    here = os.path.join("templates", "builtins.py")
    return [
        pytest.param(rule, id=f"{rule.mode}-{primitive.__name__}")
        for table in (rules._ADJOINTS, rules._TANGENTS)
        for primitive, rule in table.values()
        if inspect.getsourcefile(rule.template).endswith(here)
    ]


@pytest.mark.parametrize("rule", builtin_rules())
def test_rules_are_straight_line_code_calling_numpy_and_runtime_helpers(rule):
    check_form(rule)
    check_calls(rule)


def test_every_primitive_has_both_rules_and_predicates_have_none():
    modes = {}
    for param in builtin_rules():
        rule = param.values[0]
        modes.setdefault(rule.primitive, set()).add(rule.mode)
    assert {sum, max, min, sorted, tuple, rt.dict_from} <= set(modes)
    assert all(m == {"adjoint", "tangent"} for m in modes.values())
    for f in (any, all, rt.extremum_weights, rt.sort_order):
        assert rules.is_non_differentiable(f)
