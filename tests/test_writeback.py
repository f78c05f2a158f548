"""Helpers that update their arguments in place, as Python runs them (passes/writeback.py).

Every derivative is checked against central differences of the function as Python runs
it; where Python would make the update visible through another name, the call is a
located TransformError.
"""
import numpy as np
import pytest
from conftest import numeric_grad

import s2s


def scale_in_place(a):
    a *= 2.0


def fill_row(a, i, v):
    a[i] = v


def push(stack, value):
    stack.append(value)


def pop(stack):
    return stack.pop()


def set_entry(d, value):
    d["k"] = value


def doubled_returned(a):
    a *= 2.0
    return a


def bump(a):
    a += 1.0
    return a * 2.0


def scale_twice(a):
    scale_in_place(a)  # passed on: updated by its callee
    scale_in_place(a)


def push_powers(stack, v, n):
    if n == 0:
        return
    stack.append(v)
    push_powers(stack, v * v, n - 1)


def local_scaled(x):
    y = x * 1.0
    scale_in_place(y)
    return np.sum(y * y)


def argument_scaled(x):
    scale_in_place(x)
    return np.sum(np.sin(x))


def stack_round_trip(a):
    s = []
    push(s, a * a)
    b = pop(s)
    return b * a


def row_filled(x):
    y = np.zeros((2, 3))
    fill_row(y, 1, np.sin(x))
    fill_row(y, 0, x * x)
    return np.sum(y * np.arange(6.0).reshape(2, 3))


def dict_entry(x):
    d = {}
    set_entry(d, x * x)
    return d["k"] * x


def keyword_passed(x):
    y = x + 1.0
    fill_row(v=x[1] * 3.0, i=0, a=y)
    return np.sum(y ** 2)


def nested_updates(x):
    y = x * 1.0
    scale_twice(y)
    return np.sum(y ** 3)


def recursive_pushes(a):
    s = []
    push_powers(s, a, 3)
    return s[0] + s[1] * s[2]


def pushes_in_loop(x):
    s = []
    for i in range(3):
        push(s, x * float(i + 1))
    first = pop(s)  # an item of s: pop does not return s itself
    second = pop(s)
    return first * second + s[0]


def data_updated(x):
    c = np.ones_like(x)
    scale_in_place(c)  # no derivative flows through it: run on a copy, as Python would
    return np.sum(c * x)


def scalar_not_updated(x):
    t = bump(x)  # x += 1.0 inside binds a new number: the caller's x is unchanged
    return t * x


def result_then_update(x):
    y = x * 1.0
    z = doubled_returned(y)
    return np.sum(z * y)


def fresh(x):
    """A copy for Python to update (a float stays a float: a 0-d array would be updated)."""
    return np.copy(x) if np.ndim(x) else x


CASES = [
    (local_scaled, np.array([0.3, -1.2, 2.0])),
    (argument_scaled, np.array([0.3, -1.2, 2.0])),
    (stack_round_trip, 1.5),
    (row_filled, np.array([0.4, 1.1, -0.7])),
    (dict_entry, 0.8),
    (keyword_passed, np.array([0.4, 1.1, -0.7])),
    (nested_updates, np.array([0.5, -0.3])),
    (recursive_pushes, 0.9),
    (pushes_in_loop, 0.7),
    (data_updated, np.array([0.4, 1.1, -0.7])),
    (scalar_not_updated, 0.6),
    (result_then_update, np.array([0.5, -0.3, 1.4])),
]


@pytest.mark.parametrize("f, x", CASES, ids=[f.__name__ for f, _ in CASES])
def test_gradient_follows_pythons_updates(f, x):
    before = np.copy(x)
    g = s2s.grad(f)(x)
    np.testing.assert_allclose(g, numeric_grad(f, (fresh(x),)), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(x, before)  # the caller's argument is not mutated


# A gradient differentiated again is generated for the kinds of its arguments where s2s
# knows them, so these updates are followed at second order too. For arguments of any
# kind (README, Limitations) a helper's `a op= v` updates in place only an array, and a
# number a helper pushes onto a list might be an array it updates: there the calls are
# refused.
REFUSED_FOR_ANY_KIND = {
    local_scaled, argument_scaled, nested_updates, data_updated, scalar_not_updated, result_then_update, recursive_pushes,
}


@pytest.mark.parametrize("f, x", CASES, ids=[f.__name__ for f, _ in CASES])
def test_forward_mode_and_second_order(f, x):
    v = np.linspace(0.5, 1.5, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 0.7
    value, tangent = s2s.jvp(f)(x, v)
    assert np.allclose(value, f(fresh(x)))
    np.testing.assert_allclose(tangent, np.sum(numeric_grad(f, (fresh(x),)) * v), rtol=1e-6, atol=1e-8)
    hv = s2s.hvp(f)(x, v)
    expected = numeric_grad(lambda z: np.sum(s2s.grad(f)(z) * v), (fresh(x),), eps=1e-5)
    np.testing.assert_allclose(hv, expected, rtol=1e-5, atol=1e-6)
    hessian = s2s.hessian(f)(x)
    np.testing.assert_allclose(np.tensordot(hessian, v, np.ndim(x)), expected, rtol=1e-5, atol=1e-6)
    if f in REFUSED_FOR_ANY_KIND:
        with pytest.raises(s2s.TransformError, match="test_writeback.py:[0-9]+"):
            s2s.hvp(f).module()  # the variant for arguments of any kind


def aliased_before_call(x):
    y = x * 1.0
    v = y
    scale_in_place(y)  # Python: v sees the update
    return np.sum(v * y)


def aliased_through_result(x):
    y = x * 1.0
    z = doubled_returned(y)  # z is y's object
    y[0] = 5.0  # Python: z sees it
    return np.sum(z)


def view_passed(x):
    y = x * 1.0
    scale_in_place(y[1:])  # Python: updates y through the view
    return np.sum(y)


def scale_through_alias(a):
    w = a
    w *= 2.0  # updates a's object, which s2s would not bind back through a


def updated_through_alias(x):
    y = x * 1.0
    scale_through_alias(y)
    return np.sum(y)


def scale_both(a, b):
    a *= 2.0
    b += 1.0


def two_names_one_array(x):
    y = x * 1.0
    v = y
    scale_both(y, v)  # Python: y (and v) scaled, then shifted
    return np.sum(y)


def shift_then_sum(a, b):
    a += 1.0  # Python: b is the same array when the caller passes it twice
    return np.sum(b)


def one_array_as_two_arguments(x):
    y = x * 1.0
    v = y
    return shift_then_sum(y, v)  # Python: sum(y + 1); by names, s2s would compute sum(y)


def one_name_as_two_arguments(x):
    y = x * 1.0
    return shift_then_sum(y, y)


@pytest.mark.parametrize("f", [
    aliased_before_call, aliased_through_result, view_passed, updated_through_alias, two_names_one_array,
    one_array_as_two_arguments, one_name_as_two_arguments,
])
def test_updates_another_name_would_see_are_refused(f):
    with pytest.raises(s2s.TransformError, match="test_writeback.py:[0-9]+"):
        s2s.grad(f)(np.array([0.3, -1.2, 2.0]))


def test_generated_code_binds_the_updated_list_back():
    text = s2s.source(s2s.grad(stack_round_trip))
    assert "push_forward(push, ('stack',), s, " in text
    assert "s = _push" in text


def halve_first(a):
    a[0] = a[0] * 0.5 + 0.1
    return np.sum(a)


def updated_in_a_condition(x):
    if halve_first(x) > 100.0:  # Python: x is updated before the branch
        return np.sum(x)
    return np.sum(x ** 2)


def updated_in_a_loop_condition(x):
    y = x * 1.0
    while halve_first(y) > 1.0:
        y = y * 0.5
    return np.sum(y)


def test_an_update_in_an_if_condition_reaches_the_caller():
    x = np.array([0.31, -0.72, 1.13, 0.47])
    before = x.copy()
    updated = x.copy()
    updated[0] = 0.5 * updated[0] + 0.1
    np.testing.assert_allclose(s2s.grad(updated_in_a_condition)(x), 2 * updated * np.array([0.5, 1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(s2s.jvp(updated_in_a_condition)(x, np.ones(4))[1], np.sum(2 * updated * np.array([0.5, 1.0, 1.0, 1.0])))
    np.testing.assert_array_equal(x, before)


def test_an_update_in_a_while_condition_is_refused():
    with pytest.raises(s2s.TransformError, match="test_writeback.py:[0-9]+: halve_first updates an argument"):
        s2s.grad(updated_in_a_loop_condition)(np.array([0.31, -0.72, 1.13, 0.47]))
