"""Comprehensions and generator expressions, lowered to loops that build lists
(s2s/passes/comprehensions.py). Every gradient is checked against central differences."""
import numpy as np
import pytest
from conftest import numeric_grad

import s2s

XS = [0.3, -1.2, 0.7, 1.9]


def check(f, args, wrt=0):
    got = s2s.grad(f, wrt=wrt)(*args)
    np.testing.assert_allclose(got, numeric_grad(f, args, wrt), rtol=1e-6, atol=1e-8)
    return got


# --------------------------------------------------------------------------- list comprehensions


def filtered(xs, w):
    parts = [np.tanh(w * x) for x in xs if x.size > 0]
    return sum(np.sum(p) * (i + 1) for i, p in enumerate(parts))


def test_filtered_list_of_arrays(rng):
    check(filtered, [[rng.randn(3), np.zeros(0), rng.randn(2)], 0.7], wrt=1)


def two_fors_and_conditions(xs, w):
    return sum([w * a * b for a in xs if a > -1.0 for b in xs if b < a if b != 0.7])


def test_several_fors_and_ifs():
    check(two_fors_and_conditions, [XS, 0.7], wrt=1)


def matrix(xs, w):
    rows = [[np.sin(w * a * b) for b in xs] for a in xs]
    return np.sum(np.array(rows) ** 2)


def test_nested_comprehension():
    check(matrix, [XS, 0.7], wrt=1)


def over_a_parameter(x):
    return np.sum(np.stack([np.sin(row) * k for k, row in enumerate(x)]))


def test_over_the_rows_of_a_differentiated_array(rng):
    check(over_a_parameter, [rng.randn(3, 2)])


def with_list_gradient(xs):
    return sum([x * x * k for k, x in enumerate(xs)])


def test_gradient_with_respect_to_the_list():
    got = s2s.grad(with_list_gradient)(XS)
    assert got == pytest.approx([2 * x * k for k, x in enumerate(XS)])


def everywhere(x, n):
    total = 0.0
    if sum([x * k for k in range(n)]) > 0:  # an if test
        total = total + x
    for v in [x * k for k in range(n)]:  # a loop's iterable
        total = total + v * sum([v * j for j in range(n)])  # inside a loop body
    return total + max(x * k for k in range(n))  # the return value


def test_in_tests_iterables_bodies_and_returns():
    check(everywhere, [0.7, 3])
    check(everywhere, [-0.7, 3])


# --------------------------------------------------------------------------- names


def no_leak(x):
    k = 2.0
    ys = [x * k for k in range(3)]
    return k * sum(ys)


def clash(x, xs):
    ys = [x * v for v in xs]
    zs = [x * 2.0 for x in ys]  # the loop variable is named like the parameter
    return x * sum(zs)


def test_loop_variables_neither_leak_nor_clash():
    assert no_leak(0.7) == pytest.approx(2.0 * 0.7 * 3)  # k is still 2.0 after the comprehension
    assert check(no_leak, [0.7]) == pytest.approx(6.0)
    check(clash, [0.7, XS])


def test_generated_code_has_loops_and_fresh_names():
    text = s2s.source(s2s.grad(no_leak))
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert "    for _k in range(3):" in code
    assert not any(" for k " in line for line in code)  # only in the comments that quote the source


# --------------------------------------------------------------------------- dicts and sets


def dict_comprehension(x):
    d = {k: x ** k for k in range(1, 4)}
    return d[1] + d[2] * d[3]


def duplicate_keys(x):
    d = {k % 2: x * (k + 1) for k in range(4)}  # later values win, as in Python
    return d[0] * d[1]


def test_dict_comprehensions():
    check(dict_comprehension, [0.7])
    assert check(duplicate_keys, [0.7]) == pytest.approx(2 * 3 * 4 * 0.7)


def set_not_differentiated(x):
    return x * len({round(v) for v in [x, 2 * x, 3 * x]})


def set_differentiated(x):
    return sum({x * k for k in range(3)})


def test_sets_are_built_but_not_differentiated():
    assert check(set_not_differentiated, [0.7]) == pytest.approx(2.0)  # {1, 1, 2}
    with pytest.raises(s2s.TransformError, match=r"test_comprehensions\.py:\d+: set of differentiated values: a set keeps neither order"):
        s2s.grad(set_differentiated)(0.7)
    with pytest.raises(s2s.TransformError, match="set of differentiated values"):
        s2s.jvp(set_differentiated)(0.7, 1.0)


# --------------------------------------------------------------------------- generator expressions


def consumers(x):
    items = [np.sin(x * k) for k in range(1, 4)]
    total = sum(v * v for v in items) + max(v for v in items) + min(v for v in items)
    total = total + sum(sorted(v for v in items)[:2]) + np.sum(np.stack(v * x for v in items))
    total = total + np.sum(np.array(v for v in items)) + sum(list(v for v in items)) + tuple(v for v in items)[0]
    if any(v > 5 for v in items) or not all(v < 5 for v in items):
        total = 0.0
    return total


def test_generator_expressions_consumed_by_a_call():
    # np.stack and np.array do not take generators themselves: compare with lists
    def reference(x):
        items = [np.sin(x * k) for k in range(1, 4)]
        total = sum(v * v for v in items) + max(items) + min(items) + sum(sorted(items)[:2])
        return total + np.sum(np.stack([v * x for v in items])) + 2 * np.sum(items) + items[0]

    got = s2s.grad(consumers)(0.7)
    assert got == pytest.approx(numeric_grad(reference, [0.7]), rel=1e-6)


# --------------------------------------------------------------------------- zip and enumerate consumed at once


def named_parameters(x):
    params = dict(zip(["scale", "shift", "power"], x))
    return params["scale"] * np.sin(params["shift"]) ** params["power"]


def pairs_and_positions(x, y):
    pairs = list(zip(x, y * 2.0))
    indexed = tuple(enumerate(x, 1))
    return sum(p * q for p, q in pairs) + sum(i * v ** 2 for i, v in indexed) + sum(a for a, in zip(x))


@pytest.mark.parametrize("f, args", [
    (named_parameters, (np.array([0.7, 0.4, 3.0]),)),
    (pairs_and_positions, (np.array([0.3, -1.2, 0.7]), np.array([1.5, 0.2, -0.4, 2.0]))),
], ids=["dict_of_zip", "list_of_zip_and_enumerate"])
def test_zip_and_enumerate_consumed_at_once(f, args):
    """`dict(zip(keys, values))`, `list(zip(a, b))`, `tuple(enumerate(xs))`: the lists
    the iterators would give, in both modes and at second order."""
    for wrt in range(len(args)):
        check(f, args, wrt)
    v = np.array([0.5, -1.0, 2.0])
    eps = 1e-6
    plus, minus = (args[0] + eps * v,) + args[1:], (args[0] - eps * v,) + args[1:]
    np.testing.assert_allclose(s2s.jvp(f)(*args, v)[1], (f(*plus) - f(*minus)) / (2 * eps), rtol=1e-6, atol=1e-8)
    df = s2s.grad(f)
    np.testing.assert_allclose(s2s.hvp(f)(*args, v), (df(*plus) - df(*minus)) / (2 * eps), rtol=1e-5, atol=1e-7)


def a_kept_iterator(x):
    pairs = zip(x, x)
    return sum(p * q for p, q in pairs)


def a_maximum_of_zipped_pairs(x):
    return max(zip(x, x * 2.0))[1]  # max compares the tuples: no list of them would do


def an_array_of_a_zip(x):
    return float(np.array(zip(x, 2.0 * x)).ndim) + np.sum(x)  # a 0-d object array, as in Python


def test_zip_is_a_list_only_for_calls_that_only_iterate_it():
    x = np.array([0.3, -1.2, 0.7])
    value, gradient = s2s.value_and_grad(an_array_of_a_zip)(x)
    assert value == an_array_of_a_zip(x) and np.array_equal(gradient, np.ones(3))


# --------------------------------------------------------------------------- evaluated only where Python would


def only_sometimes(x, xs):
    top = max(x * v for v in xs) if xs else x  # max of nothing would raise
    both = xs and sum([x * v for v in xs])
    either = [] or [x * v for v in xs]
    return top + (both or 0.0) + sum(either)


def test_comprehensions_in_branches_run_only_when_taken():
    check(only_sometimes, [0.7, XS])
    assert s2s.grad(only_sometimes)(0.7, []) == pytest.approx(1.0)


# --------------------------------------------------------------------------- higher order


def test_second_derivative_and_forward_mode():
    def f(w):
        return sum([np.sin(w * x) for x in XS]) * max(w * x for x in XS)

    df = s2s.grad(f)
    assert s2s.grad(df)(0.7) == pytest.approx(numeric_grad(df, [0.7]), rel=1e-6)
    value, tangent = s2s.jvp(f)(0.7, 1.0)
    assert value == pytest.approx(f(0.7)) and tangent == pytest.approx(df(0.7), rel=1e-9)


# --------------------------------------------------------------------------- errors


def unconsumed_generator(x):
    g = (x * k for k in range(3))
    return sum(g)


def generator_to_a_user_function(x):
    return with_list_gradient(x * k for k in range(3))


def in_a_while_condition(x):
    while sum([x * k for k in range(3)]) < 10.0:
        x = x * 2.0
    return x


def after_a_pop(x):
    lst = [x, 2.0 * x]
    return lst.pop() * sum(v for v in lst)


@pytest.mark.parametrize(
    "f, construct, message, line",
    [
        (unconsumed_generator, "generator expression", "only as a for loop", "g = (x * k"),
        (generator_to_a_user_function, "generator expression", "use a list comprehension", "return with_list"),
        (in_a_while_condition, "comprehension", "in a while condition", "while sum("),
        (after_a_pop, "comprehension", "a comprehension and a pop", "return lst.pop()"),
        (a_kept_iterator, "zip", "no derivative rule for zip", "pairs = zip(x, x)"),
        (a_maximum_of_zipped_pairs, "zip", "no derivative rule for zip", "return max(zip("),
    ],
)
def test_unsupported_uses_give_a_located_error(f, construct, message, line):
    with pytest.raises(s2s.TransformError) as info:
        s2s.grad(f)(0.7)
    error = info.value
    assert error.construct == construct and message in str(error)
    assert error.filename.endswith("test_comprehensions.py") and error.source_line.strip().startswith(line)
