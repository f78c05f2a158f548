"""Regression tests for silently wrong derivatives (the soundness issue and what the
fuzzer found), each against a closed form or central differences."""
import dataclasses
import functools
import itertools
import math
import sys
import textwrap

import numpy as np
import pytest
from conftest import numeric_grad
from scipy.integrate import odeint

import s2s

X = np.array([0.3, -0.5, 0.8])


def squared_then_sine(x):
    x = x * x
    return np.sin(x)


def alias_of_old_value(x):
    y = x
    x = x * x
    return x * y


def times_itself_in_place(x):
    x *= x
    return np.sum(x)


def clipped(x):
    x = np.minimum(x, 0.5)
    return np.sum(x)


def second_row(x):
    v, x = x
    return np.sum(x)


def self_assignment(x):
    x = x
    return 2.5 * x


def negative_base(x):
    return x * (-3.0) ** 2


def loop_rebinds_iterable(x):
    for e in x:
        x = e * np.ones(3)
    return np.sum(x)


def return_in_loop_in_branch(x):
    if x > 0.0:
        for _ in range(3):
            return 2.0 * x
    return -x


def value_in_nested_branch(x):
    if x[0] < 1.0:
        if x[1] > 2.0:
            pass
        else:
            return 2.0
    return np.sum(x)


@pytest.mark.parametrize(
    "f,x,want",
    [
        (squared_then_sine, 0.7, 2 * 0.7 * math.cos(0.49)),
        (alias_of_old_value, 0.7, 3 * 0.49),
        (times_itself_in_place, X, 2 * X),
        (clipped, X, (X < 0.5).astype(float)),
        (second_row, np.ones((2, 3)), np.array([[0.0] * 3, [1.0] * 3])),
        (self_assignment, 0.7, 2.5),
        (negative_base, 0.7, 9.0),
        (loop_rebinds_iterable, X, np.array([0.0, 0.0, 3.0])),
        (return_in_loop_in_branch, 0.4, 2.0),
        (return_in_loop_in_branch, -0.4, -1.0),
    ],
)
def test_gradient_closed_form(f, x, want):
    arg = x.copy() if isinstance(x, np.ndarray) else x
    np.testing.assert_allclose(s2s.grad(f)(arg), want, rtol=1e-12)
    if isinstance(x, np.ndarray):
        np.testing.assert_array_equal(arg, x)  # the caller's array is left as it was


def test_value_and_grad_returns_the_value_of_the_taken_branch():
    value, g = s2s.value_and_grad(value_in_nested_branch)(X.copy())
    assert value == 2.0
    np.testing.assert_array_equal(g, np.zeros(3))


def test_negative_base_in_forward_mode_value():
    value, tangent = s2s.jvp(negative_base)(0.7, 1.0)
    assert value == pytest.approx(0.7 * 9.0) and tangent == pytest.approx(9.0)


def scalar_plus_vector(x, y):
    return np.sum(y + x)


def updated_outside_wrt(x, y):
    y += x
    return np.sum(y * y)


def test_forward_mode_broadcasts_a_scalar_tangent():
    value, tangent = s2s.jvp(scalar_plus_vector, wrt=1)(X.copy(), 0.5, 1.0)
    assert value == pytest.approx(np.sum(X + 0.5)) and tangent == pytest.approx(3.0)


def test_forward_mode_parameter_outside_wrt_updated():
    w = np.array([0.2, 0.4, -0.6])
    value, tangent = s2s.jvp(updated_outside_wrt)(X.copy(), w.copy(), np.ones(3))
    assert value == pytest.approx(updated_outside_wrt(X.copy(), w.copy()))
    assert tangent == pytest.approx(np.sum(2 * (X + w)))


def overlapping_write(x):
    y = np.ones(3) * x.sum()
    y[1:] = np.sin(y[::2])
    return np.sum(y)


def slice_times_stride(x):
    y = np.array(x)
    y[1:] *= y[::2]
    return y


def test_hvp_through_a_write_reading_the_same_array():
    v = np.array([1.0, -2.0, 0.5])
    got = s2s.hvp(overlapping_write)(X.copy(), v)
    gradient = s2s.grad(overlapping_write)
    eps = 1e-5
    want = (gradient(X + eps * v) - gradient(X - eps * v)) / (2 * eps)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_views_of_a_written_array_keep_their_values_for_the_backward_sweep():
    u = np.array([1.0, 2.0, 3.0])
    _, pullback = s2s.vjp(slice_times_stride)(X.copy())
    want = numeric_grad(lambda x: np.dot(u, slice_times_stride(x)), [X.copy()])
    np.testing.assert_allclose(pullback(u), want, rtol=1e-7)


def two(a, b):
    return a + 2.0 * b * b


def test_wrt_order_is_the_callers():
    ga, gb = s2s.grad(two, wrt=(1, 0))(1.0, 1.5)
    assert (ga, gb) == (pytest.approx(6.0), pytest.approx(1.0))
    value, tangent = s2s.jvp(two, wrt=(1, 0))(1.0, 1.5, (1.0, 0.0))
    assert tangent == pytest.approx(6.0)


def test_a_tuple_wrt_of_one_stays_a_tuple_when_differentiated_again():
    first = s2s.grad(two, wrt=(1,))
    assert isinstance(first(1.0, 1.5), tuple)
    _, tangent = s2s.jvp(first, wrt=1)(1.0, 1.5, 1.0)
    assert isinstance(tangent, tuple) and tangent[0] == pytest.approx(4.0)


@pytest.mark.parametrize("wrt", [("a", "a"), (0, 0), ()])
def test_repeated_or_empty_wrt_is_an_error(wrt):
    with pytest.raises(TypeError):
        s2s.grad(two, wrt=wrt)


def test_globals_are_read_when_the_derivative_runs(tmp_path, monkeypatch):
    module = _module(
        tmp_path,
        monkeypatch,
        """
        import numpy as np
        DATA = np.array([1.0, 2.0])
        def helper(w):
            return w * w
        def loss(w):
            return np.sum(helper(w) * DATA)
        """,
    )
    g = s2s.value_and_grad(module.loss)
    assert g(0.5) == (pytest.approx(0.75), pytest.approx(3.0))
    module.DATA = np.array([4.0])
    assert g(0.5) == (pytest.approx(1.0), pytest.approx(4.0))

    def cubed(w):
        return w * w * w

    module.helper = cubed  # a rebound callee: generated anew
    assert g(0.5) == (pytest.approx(0.5), pytest.approx(3.0))


_MODULES = itertools.count()


def _module(tmp_path, monkeypatch, text):
    """A fresh module of its own (a name no other test uses) holding `text`."""
    name = f"soundness_module_{next(_MODULES)}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = __import__(name)
    monkeypatch.delitem(sys.modules, name)  # forgotten when the test ends
    return module


# -- updates in place that Python makes visible through another name


def alias_then_update(x):
    x = x * 1.0
    v = x
    x += 2.0
    return np.sum(v * v)


def _twice(a):
    a *= 2.0


def helper_updates_argument(x):
    x = x + 0.0
    _twice(x)
    return np.sum(x * x)


def helper_updates_callers_argument(x):
    _twice(x)
    return 1.0


def row_updated(A):
    B = A * 1.0
    row = B[0]
    row[0] = 5.0
    return np.sum(B)


def _record(x, history):  # updates history only
    history.append(x)
    return np.sin(x) * 0.9


def helper_updates_a_list_read_afterwards(x):
    history = []
    for _ in range(2):
        x = _record(x, history)
    return np.sum(x ** 2) + np.sum(history[0])


def helper_updates_a_callers_list(x, history):
    return np.sum(_record(x, history) ** 2)


@pytest.mark.parametrize("f, named", [(alias_then_update, "x"), (row_updated, "row")])
def test_updates_seen_through_another_name_are_refused_where_written(f, named):
    x = np.ones((2, 3)) if f is row_updated else X.copy()
    with pytest.raises(s2s.TransformError, match="test_soundness.py:[0-9]+") as info:
        s2s.grad(f)(x)
    assert "in place" in str(info.value) and f" {named} " in str(info.value)
    np.testing.assert_array_equal(x, np.ones((2, 3)) if f is row_updated else X)


@pytest.mark.parametrize("f", [helper_updates_argument, helper_updates_callers_argument, helper_updates_a_list_read_afterwards])
def test_a_helpers_update_of_an_argument_reaches_the_caller(f):
    """The caller binds the update back (passes/writeback.py, more in test_writeback.py)."""
    x = X.copy()
    np.testing.assert_allclose(s2s.grad(f)(x), numeric_grad(f, (X.copy(),)), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(x, X)


def test_a_helper_updating_the_callers_list_leaves_it_as_it_was():
    history = []
    g = s2s.grad(helper_updates_a_callers_list)(X.copy(), history)
    np.testing.assert_allclose(g, numeric_grad(lambda x: helper_updates_a_callers_list(x, []), (X.copy(),)), rtol=1e-6, atol=1e-8)
    assert history == []  # s2s never changes the caller's lists


def _simulate(x, steps, frames=None):  # records its frames only when given a list
    for _ in range(steps):
        x = np.sin(x) * 0.9
        if frames is not None:
            frames.append(x)
    return x


def without_frames(x):
    return np.sum(_simulate(x, 3) ** 2)


def frames_not_read_afterwards(x):
    frames = []
    y = _simulate(x, 2, frames)
    return np.sum(y * x)


@pytest.mark.parametrize("f", [without_frames, frames_not_read_afterwards])
def test_a_helper_that_may_update_one_argument_leaves_the_others_free(f):
    """The call is checked for the arguments the helper updates, not for all of them."""
    np.testing.assert_allclose(s2s.grad(f)(X.copy()), numeric_grad(f, [X.copy()]), rtol=1e-7, atol=1e-9)
    tangent = np.ones_like(X)
    np.testing.assert_allclose(s2s.jvp(f)(X.copy(), tangent)[1], np.sum(numeric_grad(f, [X.copy()])), rtol=1e-7)


def rebound_after_update(x):
    y = np.zeros(3)
    y[1] = x[0] * x[1]
    y = y[::-1]
    return np.sum(y * np.arange(3.0))


def scalar_aliases(x):
    a = x[0]
    b = a
    a += 1.0
    return a * b


def floats_in_a_tuple_then_write(x, w):
    t = (w, 1.0)
    c = t[1]
    w[1:] = 1.0
    return c * np.sum(x)


@pytest.mark.parametrize("f", [rebound_after_update, scalar_aliases])
def test_updates_no_other_name_sees_are_differentiated(f):
    np.testing.assert_allclose(s2s.grad(f)(X.copy()), numeric_grad(f, [X.copy()]), rtol=1e-7, atol=1e-9)


def test_an_item_of_a_tuple_is_not_the_array_beside_it():
    w = np.ones(3)
    np.testing.assert_allclose(s2s.grad(floats_in_a_tuple_then_write)(X.copy(), w), np.ones(3))
    np.testing.assert_array_equal(w, np.ones(3))


def over_dict_items(a, b):
    d = {"u": a * a, "v": 2.0}
    total = 0.0
    for _, value in d.items():
        total = total + value * b
    return total


def test_second_order_through_a_loop_over_dict_items():
    hessian = s2s.hessian(over_dict_items)(0.3, 0.4)
    assert hessian == pytest.approx(2 * 0.4)


def test_hvp_through_a_loop_of_slice_writes():
    """A linear function: its Hessian is zero (the slice on the tape carries none)."""
    got = s2s.hvp(_slice_writes)(np.array([0.3, 0.7]), np.ones(2))
    np.testing.assert_allclose(got, np.zeros(2), atol=1e-12)


def _slice_writes(x):
    for _ in range(2):
        y = np.zeros((2,))
        y[1:] -= np.sum(x)
        return np.sum(y)


def test_wrt_as_an_index_and_as_a_one_tuple_are_different_derivatives():
    packed = s2s.grad(two, wrt=(1,))(1.0, 1.5)
    bare = s2s.grad(two, wrt=1)(1.0, 1.5)
    assert packed == (pytest.approx(6.0),) and bare == pytest.approx(6.0)


def break_beside_a_loop(x, y):
    for e in x:
        if e > 1.0:
            y = y / (e + 1.5)
        elif e >= 0.0:
            if e >= 0.0:
                break
        else:
            for inner in x:
                y = y + 0.0 * inner
    return y + np.sum(x * x)


def test_a_break_in_a_branch_beside_a_nested_loop_records_its_decision():
    x = np.array([-0.2, 0.1, 1.3])
    np.testing.assert_allclose(s2s.grad(break_beside_a_loop)(x, 1.0), numeric_grad(break_beside_a_loop, [x, 1.0]), rtol=1e-7)


def dict_rebuilt(x):
    d = {"a": 1.0, "b": x}
    return {k: v for k, v in d.items()}


def test_forward_mode_through_a_dict_comprehension_over_items():
    value, tangent = s2s.jvp(dict_rebuilt)(X.copy(), np.ones(3))
    assert value["a"] == 1.0 and tangent["a"] == 0.0
    np.testing.assert_array_equal(tangent["b"], np.ones(3))


SCALE = 0.75


def global_number_updated(x):
    v = SCALE
    v += np.sum(x)
    return v


def rows_squared(x):
    total = 0.0
    for e in x:
        e *= e
        total = total + e
    return total


def iterate_while_writing(x):
    y = x * 1.0
    for e in y:
        y[0] = y[0] + e
    return np.sum(y)


@pytest.mark.parametrize("f", [global_number_updated, rows_squared, iterate_while_writing])
def test_updates_of_numbers_and_of_the_iterated_array_are_differentiated(f):
    np.testing.assert_allclose(s2s.grad(f)(X.copy()), numeric_grad(f, [X.copy()]), rtol=1e-7, atol=1e-9)


def test_a_global_that_changes_type_regenerates_the_derivative(tmp_path, monkeypatch):
    module = _module(
        tmp_path,
        monkeypatch,
        """
        import numpy as np
        SCALE = 2.0
        def loss(w):
            v = w * SCALE
            return np.sum(v * v)
        """,
    )
    g = s2s.grad(module.loss)
    assert g(0.5) == pytest.approx(2 * 0.5 * 4.0)
    module.SCALE = np.array([1.0, 3.0])  # the product is now an array: its gradient sums over it
    assert g(0.5) == pytest.approx(2 * 0.5 * 10.0)


def test_a_global_number_that_becomes_an_array_is_checked_again(tmp_path, monkeypatch):
    module = _module(
        tmp_path,
        monkeypatch,
        """
        import numpy as np
        OFFSET = 1.0
        def loss(x):
            v = OFFSET
            v += x
            return np.sum(v * v)
        """,
    )
    g = s2s.grad(module.loss)
    np.testing.assert_allclose(g(X.copy()), 2 * (X + 1.0))
    module.OFFSET = np.ones(3)  # now `v += x` would update the global array in place
    with pytest.raises(s2s.TransformError, match="global OFFSET"):
        g(X.copy())


def _sine_of(a):
    return np.sin(a)


def helper_then_item_write(x):
    u = _sine_of(x)  # the helper's tape holds x's array, which is written below
    s = np.sum(u)
    x[0] = 5.0
    return s * np.sum(x)


def test_a_helper_sees_its_argument_as_passed_though_the_caller_writes_it_later():
    x = np.array([0.3, 0.5])
    written = np.array([5.0, 0.5])
    expected = np.cos(x) * np.sum(written) + np.sum(np.sin(x)) * np.array([0.0, 1.0])
    np.testing.assert_allclose(s2s.grad(helper_then_item_write)(x.copy()), expected)
    np.testing.assert_allclose(x, [0.3, 0.5])


def helper_of_a_list_holding_a_written_array(x):
    y = x * 1.0
    pair = [y, x]
    s = np.sum(_first_squared(pair))
    y[0] = 2.0
    return s + np.sum(y)


def helper_of_an_appended_list_holding_a_written_array(x):
    y = x * 1.0
    pair = []
    pair.append(y)
    s = np.sum(_first_squared(pair))
    y[0] = 2.0
    return s + np.sum(y)


def _first_squared(items):
    return items[0] * items[0]


def test_a_display_holding_an_array_written_after_the_call_holds_a_copy():
    # The list display holds a copy of y, which the helper's tape may keep: Python
    # cannot tell, as nothing reads pair after the write (refused before 2026-12-08).
    x = X.copy()
    np.testing.assert_allclose(s2s.grad(helper_of_a_list_holding_a_written_array)(x), 2 * X + [0.0, 1.0, 1.0])
    np.testing.assert_allclose(x, [0.3, -0.5, 0.8])


def test_an_item_of_an_argument_written_after_the_call_is_refused():
    # a list filled by append holds y itself: a copy of the list would not separate it
    with pytest.raises(s2s.TransformError, match="item of _*pair.*updated in place after this call"):
        s2s.grad(helper_of_an_appended_list_holding_a_written_array)(X.copy())


def containers_holding_an_appended_list_in_a_loop(x):
    t = 0.0
    for _ in range(3):
        p = [4.0]
        p.append(math.sin(x))
        p.append(x * x)
        a = (p,)
        d = {"k": p}
        t = t + a[0][1] * d["k"][2] + sum(p)
    return t


def test_second_derivatives_through_displays_of_a_list_the_gradient_pops():
    # The gradient's backward sweep pops the list it appended to, while a display still
    # holds it (the packed arguments of dict(p) did: the fuzz corpus has that case).
    # Differentiated again, that sweep is undone on a private copy of the list, so the
    # displays on the second tape saw the list popped: an IndexError. A display now
    # holds a copy of a list written later. Of 3 (x^2 sin x + 4 + sin x + x^2):
    x = -1.229015427506083
    second = 3 * (2 * math.sin(x) + 4 * x * math.cos(x) - x * x * math.sin(x) - math.sin(x) + 2)
    f = containers_holding_an_appended_list_in_a_loop
    assert s2s.hessian(f)(x) == pytest.approx(second, rel=1e-10)
    assert s2s.grad(s2s.grad(f))(x) == pytest.approx(second, rel=1e-10)
    assert s2s.hvp(f)(x, 0.5) == pytest.approx(0.5 * second, rel=1e-10)


def _sum_of_sine_times(a):
    return np.sum(np.sin(a) * a)


def helper_after_an_item_update(x):
    y = x * 1.0
    y[1] += 2.0  # the gradient's code restores y[1] after the helper's backward sweep
    return _sum_of_sine_times(y)


def test_second_derivatives_through_a_helper_called_after_an_item_update():
    # Differentiating the gradient again: its tape of the helper holds y, which its
    # backward sweep writes later (the restore); the helper's forward call gets a copy
    # of y, so the tape holds that copy and is not refused (it was, from 226fcf1 on).
    x = np.array([0.3, -0.5, 0.7, 0.2])
    y = x + np.array([0.0, 2.0, 0.0, 0.0])
    hessian = np.diag(2.0 * np.cos(y) - y * np.sin(y))  # of sum(sin(y) * y), y = x + const
    v = np.array([1.0, 2.0, -1.0, 0.5])
    np.testing.assert_allclose(s2s.hessian(helper_after_an_item_update)(x.copy()), hessian, atol=1e-12)
    np.testing.assert_allclose(s2s.hvp(helper_after_an_item_update)(x.copy(), v), hessian @ v, atol=1e-12)
    _, pullback = s2s.vjp(s2s.grad(helper_after_an_item_update))(x.copy())
    for cotangent in (v, np.eye(4)[1], v):  # a pullback is repeatable
        np.testing.assert_allclose(pullback(cotangent), hessian @ cotangent, atol=1e-12)
    np.testing.assert_allclose(x, [0.3, -0.5, 0.7, 0.2])


def _columns_while_updated(x):
    y = x * 1.0
    for (item,) in zip(*[y]):  # Python's zip reads y's items as the loop reaches them
        y *= item
    return np.min(y)


def _columns_of_a_copy(x):
    y = x * 1.0
    total = 0.0
    for (item,) in zip(*[y]):
        total = total + item * item
    return total


def _held_by_a_dict_comprehension(x):
    y = x * 1.0
    d = {i: y for i in range(2)}
    y[0] = 5.0  # d[0] is y: it sees the write
    return np.sum(d[0] * x)


def _held_by_a_partial(x):
    y = x * 1.0
    p = functools.partial(_sum_of_products, y)
    y[0] = 5.0
    return p(x)


def _sum_of_products(a, b):
    return np.sum(a * b)


def _returned_by_a_partial(x):
    y = x * 1.0
    w = functools.partial(lambda a: a, y)()  # y itself
    w[0] = 5.0
    return np.sum(y * x)


def _item_got_from_a_dict(x):
    y = x * 1.0
    d = {"a": y}
    v = d.get("a")
    v[0] = 5.0
    return np.sum(d["a"] * x)


def _item_got_from_a_dict_display(x):
    y = x * 1.0
    w = {"a": y}.get("a")  # a bound method called as a value
    y += 1.0
    return np.sum(w * x)


@pytest.mark.parametrize("f", [
    _columns_while_updated, _held_by_a_dict_comprehension, _held_by_a_partial, _returned_by_a_partial,
    _item_got_from_a_dict, _item_got_from_a_dict_display,
])
def test_an_update_that_what_holds_the_array_sees_is_refused(f):
    # regression (fuzz seed 10931, program 364, and what reading the alias analysis then
    # found: each gave a wrong value or gradient): zip(*rows), a dict comprehension, a
    # partial, a call of one, d.get and a bound method hold or return the array updated
    # in place, which the alias analysis took for new values
    with pytest.raises(s2s.TransformError, match="shares its contents and is read afterwards"):
        s2s.grad(f)(X.copy())
    with pytest.raises(s2s.TransformError, match="shares its contents and is read afterwards"):
        s2s.jvp(f)(X.copy(), np.ones_like(X))


def test_columns_of_an_array_not_updated_are_differentiated():
    np.testing.assert_allclose(s2s.grad(_columns_of_a_copy)(X.copy()), 2 * X)
    np.testing.assert_allclose(s2s.jvp(_columns_of_a_copy)(X.copy(), np.ones_like(X))[1], np.sum(2 * X))


def _got_from_a_dict_display(x):
    w = {"a": x}.get("a")
    return np.sum(w * w)


def _a_dicts_get_as_a_value(x):
    d = {"a": x}
    get = d.get
    return np.sum(get("a") * x)


@dataclasses.dataclass
class _Scaled:
    values: object
    scale: float

    def total(self):
        return np.sum(self.values) * self.scale


def _a_dataclass_method_as_a_value(x):
    total = _Scaled(x, 2.0).total
    return total()


def test_get_of_a_dict_display_is_differentiated():
    # regression (fuzz seed 11031, program 365, and the same program in grad: a zero
    # gradient): `{...}.get(k)` was a bound method called as a value, whose derivative
    # lost the dict's
    np.testing.assert_allclose(s2s.grad(_got_from_a_dict_display)(X.copy()), 2 * X)
    np.testing.assert_allclose(s2s.jvp(_got_from_a_dict_display)(X.copy(), np.ones_like(X))[1], np.sum(2 * X))
    np.testing.assert_allclose(s2s.hessian(_got_from_a_dict_display)(X.copy()), 2 * np.eye(3))


@pytest.mark.parametrize("f", [_a_dicts_get_as_a_value, _a_dataclass_method_as_a_value])
def test_a_method_of_an_object_with_a_derivative_called_as_a_value_is_refused(f):
    # the derivative with respect to the method's object would be lost (a zero gradient)
    assert np.any(numeric_grad(f, (X.copy(),)))
    with pytest.raises(s2s.TransformError, match="called as a value"):
        s2s.grad(f)(X.copy())
    with pytest.raises(s2s.TransformError, match="called as a value"):
        s2s.jvp(f)(X.copy(), np.ones_like(X))


def _adds_one_through_a_get_called_as_a_value(a):
    w = [{"a": a}.get][0]("a")  # a itself
    w += 1.0


def _calls_a_helper_that_updates_its_argument_through_a_value(x, y):
    _adds_one_through_a_get_called_as_a_value(y)
    return x * 2.0


def test_an_update_through_what_a_local_function_value_returned_is_refused():
    # regression (fuzz seed 11331, program 27: the caller's array changed): the alias
    # analysis did not count a local function value (`[d.get][0]`, called by name) as
    # an operand of its call, so the helper did not update its parameter for the caller
    y = np.array([1.0, 2.0])
    with pytest.raises(s2s.TransformError, match="updates the argument y in place"):
        s2s.value_and_grad(_calls_a_helper_that_updates_its_argument_through_a_value)(0.5, y)
    np.testing.assert_array_equal(y, [1.0, 2.0])


def new_key_of_a_dict(s):
    d = {"a": s}
    d["c"] = d["a"] * s  # "c" was not there: the saved item is the runtime's absent marker
    return d["c"]


def new_key_of_a_dict_beside_an_array(x, s):
    d = {"a": x * s, "b": s * s}
    d["c"] = d["a"] * d["b"]
    return np.sum(d["c"])


def test_second_derivatives_through_a_new_key_of_a_dict():
    assert s2s.grad(s2s.grad(new_key_of_a_dict))(0.7) == pytest.approx(2.0)
    assert s2s.hessian(new_key_of_a_dict)(0.7) == pytest.approx(2.0)
    assert s2s.hessian(new_key_of_a_dict_beside_an_array, wrt=1)(X, 0.7) == pytest.approx(np.sum(X) * 6 * 0.7)


def reduction_that_keeps_the_shape(x, w):
    t = x[0, 1]
    y = np.sum(x, axis=0, keepdims=True)  # x has one row: the adjoint passes through unchanged
    z = y + w  # ... and is w's adjoint too
    return np.sum(z * z) + t * 3.0


def test_an_adjoint_shared_through_a_reduction_is_not_updated_in_place():
    x, w = np.array([[0.3, 0.5, 0.7]]), np.array([[1.0, 2.0, 3.0]])
    dx, dw = s2s.grad(reduction_that_keeps_the_shape, wrt=(0, 1))(x, w)
    np.testing.assert_allclose(dw, 2 * (x + w))
    np.testing.assert_allclose(dx, 2 * (x + w) + np.array([[0.0, 3.0, 0.0]]))


def weighted_by_position_from_one(x):
    return sum(i * t**2 for i, t in enumerate(x, start=1))


def test_enumerate_counts_from_its_start_keyword():
    x = np.array([0.3, -0.7, 1.1, 0.5])
    value, gradient = s2s.value_and_grad(weighted_by_position_from_one)(x)
    positions = np.arange(1, 5)
    assert value == pytest.approx(np.sum(positions * x**2))
    np.testing.assert_allclose(gradient, 2 * positions * x)


def sorted_in_place(x):
    y = x * 1.0
    y.sort()
    return y[0] * 2.0


def reversed_in_place(x):
    items = [x[0], x[1] * 3.0]
    items.reverse()
    return items[0]


def filled_in_place(x):
    y = x * 1.0
    y.fill(2.0)
    return np.sum(y)


def sorted_by_binding(x):
    y = x * 1.0
    y = np.sort(y)
    return y[0] * 2.0


def inserted_in_place(x):
    items = [1.0, 2.0]
    items.insert(0, x[0] * 3.0)  # the list carries no derivative until the call puts one in
    return items[0] * items[2]


@pytest.mark.parametrize("f", [sorted_in_place, reversed_in_place, filled_in_place, inserted_in_place])
def test_a_method_called_for_its_effect_on_a_differentiated_value_is_refused(f):
    with pytest.raises(s2s.TransformError, match=r"called for its effect"):
        s2s.grad(f)(np.array([0.5, 0.1]))


def test_the_same_update_bound_to_a_name_is_differentiated():
    np.testing.assert_allclose(s2s.grad(sorted_by_binding)(np.array([0.5, 0.1])), [0.0, 2.0])


def concatenated(s):
    items = [s] + [s * 2.0]
    return items[0] * items[1]


def repeated(x):
    items = [x[0]] * 3
    return items[0] * items[1]


def extended_by_augmented_add(s):
    items = [s]
    items += [s * 2.0]
    return items[0] * items[1]


def list_argument_concatenated(items, s):
    items = items + [s]
    return sum(t * t for t in items)


def dict_united(x, s):
    d = {"a": x[0]}
    d |= {"b": x[1] * s}
    return d["a"] * d["b"]


def slice_of_a_list_assigned(x, s):
    items = [x[0], x[1], x[2]]
    items[0:2] = [s, s * s]
    return items[0] * items[1] * items[2]


@pytest.mark.parametrize(
    "f, args",
    [
        (concatenated, (0.6,)),
        (repeated, (X,)),
        (extended_by_augmented_add, (0.6,)),
        (list_argument_concatenated, ([0.5, 0.2], 0.6)),
        (slice_of_a_list_assigned, (X, 0.6)),
        (dict_united, (X, 0.6)),
    ],
)
def test_sequence_arithmetic_and_slice_assignment_on_lists_are_refused(f, args):
    with pytest.raises(s2s.TransformError, match="lists, tuples or dicts|list or tuple"):
        s2s.grad(f, wrt=len(args) - 1)(*args)


def slice_of_an_array_assigned(x):
    y = x * 1.0
    y[0:2] = x[1:] * 2.0
    return np.sum(y * y)


def test_slice_assignment_on_an_array_is_differentiated():
    np.testing.assert_allclose(s2s.grad(slice_of_an_array_assigned)(X), [0.0, 8 * X[1], 10 * X[2]])


def item_squared_after_identity_copy(x):
    y = x * 1.0  # a new array; its tangent must not be the caller's
    y[2] = y[2] ** 2
    return y


def test_jvp_and_hvp_leave_the_callers_direction_unchanged():
    direction = np.ones(3)
    _, tangent = s2s.jvp(item_squared_after_identity_copy)(X, direction)
    np.testing.assert_array_equal(direction, np.ones(3))
    np.testing.assert_allclose(tangent, [1.0, 1.0, 2 * X[2]])
    s2s.hvp(lambda z: np.sum(item_squared_after_identity_copy(z) ** 2))(X, direction)
    np.testing.assert_array_equal(direction, np.ones(3))


def _sum_of_squares(*items):
    return sum(np.sum(t * t) for t in items)


def unused_variadic_call(x, s):
    _total = _sum_of_squares(x, s)  # not differentiated: the function itself runs
    return np.sum(x) * s


def test_a_variadic_function_called_without_derivative_gets_its_arguments_as_written():
    gx, gs = s2s.grad(unused_variadic_call, wrt=(0, 1))(X, 0.6)
    np.testing.assert_allclose(gx, 0.6 * np.ones(3))
    assert gs == pytest.approx(np.sum(X))
    _, tangent = s2s.jvp(unused_variadic_call, wrt=1)(X, 0.6, 1.0)
    assert tangent == pytest.approx(np.sum(X))


def third_from_a_python_list(x):
    return x.tolist()[2] * x[3]


def first_as_a_python_number(x):
    return x[0].item() * x[1]


@pytest.mark.parametrize("f", [third_from_a_python_list, first_as_a_python_number])
def test_a_method_of_a_differentiated_array_called_as_a_value_is_refused(f):
    with pytest.raises(s2s.TransformError, match="method"):
        s2s.grad(f)(np.array([0.31, -0.72, 1.13, 0.47]))


def added_at_repeated_positions(x):
    y = x * 1.0
    np.add.at(y, [0, 0, 1], x[2])
    return np.sum(y**2)


def copied_into(x):
    y = x * 1.0
    np.copyto(y, x * 2.0)
    return np.sum(y**2)


@pytest.mark.parametrize("f, construct", [(added_at_repeated_positions, "np.add.at"), (copied_into, "np.copyto")])
def test_numpy_updates_in_place_of_differentiated_values_are_refused(f, construct):
    with pytest.raises(s2s.TransformError, match=construct.replace(".", r"\.")):
        s2s.grad(f)(np.array([0.31, -0.72, 1.13, 0.47]))


def added_through_repeated_positions(x, s):
    y = x.copy()
    y[np.array([0, 0, 1])] += s  # buffered: position 0 gets s once
    return np.sum(y * y)


def test_a_write_through_repeated_positions_counts_the_last_write_only():
    x, s = np.array([0.3, -0.7, 1.1, 0.5]), 0.6
    y = x + np.array([s, s, 0.0, 0.0])
    gx, gs = s2s.grad(added_through_repeated_positions, wrt=(0, 1))(x, s)
    np.testing.assert_allclose(gx, 2 * y)
    assert gs == pytest.approx(2 * (y[0] + y[1]))
    assert s2s.jvp(added_through_repeated_positions, wrt=1)(x, s, 1.0)[1] == pytest.approx(2 * (y[0] + y[1]))
    assert s2s.grad(s2s.grad(added_through_repeated_positions, wrt=1), wrt=1)(x, s) == pytest.approx(4.0)
    np.testing.assert_allclose(s2s.hessian(added_through_repeated_positions)(x, s), 2 * np.eye(4), atol=1e-12)


def zipped_with_a_string(x):
    total = 0.0
    for _, v in zip("ab", x):
        total = total + v * v
    return total


def test_a_loop_over_zip_with_a_constant_sequence():
    x = np.array([0.3, -0.7, 1.1, 0.5])
    np.testing.assert_allclose(s2s.grad(zipped_with_a_string)(x), [2 * x[0], 2 * x[1], 0.0, 0.0])


def row_of_largest_sum(a):
    row = max(a, key=np.sum)
    return row[1]


def test_max_with_a_key_over_the_rows_of_an_array():
    a = np.array([[0.21, -0.43, 0.94, 0.12], [0.53, 0.35, -0.66, 0.87], [-0.38, 0.79, 0.41, -0.25]])
    expected = np.zeros((3, 4))
    expected[1, 1] = 1.0  # row 1 has the largest sum
    np.testing.assert_allclose(s2s.grad(row_of_largest_sum)(a), expected)
    assert s2s.jvp(row_of_largest_sum)(a, np.ones_like(a))[1] == pytest.approx(1.0)


def missing_key_with_a_constant_default(x, s):
    d = {"a": x[1]}
    return d.get("z", s) * x[0]


def test_forward_mode_through_a_missing_key_whose_default_has_no_tangent():
    t = np.array([1.0, 1.0, 0.0])
    assert s2s.jvp(missing_key_with_a_constant_default)(X, 0.6, t)[1] == pytest.approx(0.6)


def _squared_image(m, v):
    return np.sum((m @ v) ** 2)


def test_a_partial_binding_a_matrix_is_differentiated():
    a = np.arange(12.0).reshape(3, 4) / 10  # its repr spans lines: the generated header must not
    x = np.array([0.3, -0.7, 1.1, 0.5])
    np.testing.assert_allclose(s2s.grad(functools.partial(_squared_image, a))(x), 2 * a.T @ (a @ x))


def rows_read_then_array_written(x, a):
    b = a * 1.0
    total = 0.0
    for r in b:  # each r is a view of a row of b, which is written below
        total = total + np.sum(r * x)
    b[2] = b[0] * 5.0
    return total


def listed_rows_then_array_written(x, a):
    b = a * 1.0
    rows = list(b)
    total = np.sum(rows[2] * x)
    b[2] = b[0] * 5.0
    return total


def test_rows_of_an_array_written_later_keep_their_values_for_the_derivative():
    x = np.array([0.31, -0.72, 1.13, 0.47])
    a = np.array([[0.21, -0.43, 0.94, 0.12], [0.53, 0.35, -0.66, 0.87], [-0.38, 0.79, 0.41, -0.25]])
    np.testing.assert_allclose(s2s.grad(rows_read_then_array_written)(x, a.copy()), a.sum(axis=0))
    np.testing.assert_allclose(s2s.grad(listed_rows_then_array_written)(x, a.copy()), a[2])


def parameter_bound_to_another_argument(x, A, s):
    s = x  # the float parameter s now names the array x
    s, x = x, s
    s[-3] -= np.sum(A)  # Python: changes the caller's x
    return np.sum(x) * A[0, 0]


def test_a_parameter_bound_to_an_array_has_the_arrays_kind():
    """A parameter's kind is its argument's joined with every value it is bound to: the
    float s bound to x is an array, so its update in place is seen (and refused)."""
    x, A = np.array([0.31, -0.72, 1.13, 0.47]), np.ones((3, 4)) * 0.5
    before = x.copy()
    for derivative in (lambda: s2s.grad(parameter_bound_to_another_argument, wrt=1)(x, A, 0.6),
                       lambda: s2s.jvp(parameter_bound_to_another_argument, wrt=1)(x, A, 0.6, np.ones((3, 4)))):
        with pytest.raises(s2s.TransformError, match="test_soundness.py:[0-9]+"):
            derivative()
        np.testing.assert_array_equal(x, before)


def _solve_with_a_constant(a):
    a = np.array([1.0, 2.0, 4.0])  # the parameter bound to a constant: no tangent flows
    return np.sum(np.linalg.solve(np.eye(3) * 2.0, a))


def times_constant_solve(s):
    return _solve_with_a_constant(s) * s  # = 3.5 s


def test_a_parameter_bound_to_a_constant_array_has_a_zero_tangent_of_its_shape():
    assert s2s.jvp(times_constant_solve)(0.6, 1.0)[1] == pytest.approx(3.5)
    assert s2s.grad(times_constant_solve)(0.6) == pytest.approx(3.5)


def unpacked_rows_then_array_written(x, a):
    b = a * x
    r0, r1, r2 = b  # views of b's rows
    total = np.sum(r2 * x)
    b[2] = b[0] * 5.0
    return total


def split_rows_then_array_written(x, a):
    b = a * x
    parts = np.split(b, 3)  # views of b's blocks
    total = np.sum(parts[2] * x)
    b[2] = b[0] * 5.0
    return total


def array_split_row_then_array_written(x, a):
    b = a * x
    row = np.array_split(b, 3)[2][0]
    total = np.sum(row * x)
    b[2] = b[0] * 5.0
    return total


def unpacked_split_then_array_written(x, a):
    b = a * x
    top, bottom = np.vsplit(b, [2])
    total = np.sum(bottom * x)
    b[2] = b[0] * 5.0
    return total


def viewed_row_then_array_written(x, a):
    b = a * x
    row = b.view()[2]
    total = np.sum(row * x)
    b[2] = b[0] * 5.0
    return total


@pytest.mark.parametrize("f", [unpacked_rows_then_array_written, split_rows_then_array_written, array_split_row_then_array_written,
                               unpacked_split_then_array_written, viewed_row_then_array_written])
def test_views_of_an_array_written_later_keep_their_values_for_the_derivative(f):
    x = np.array([0.31, -0.72, 1.13, 0.47])
    a = np.array([[0.21, -0.43, 0.94, 0.12], [0.53, 0.35, -0.66, 0.87], [-0.38, 0.79, 0.41, -0.25]])
    v = np.array([0.5, -1.0, 0.25, 2.0])
    # f = sum(a[2] * x**2): gradient 2 a[2] x, Hessian 2 diag(a[2])
    np.testing.assert_allclose(s2s.grad(f)(x.copy(), a.copy()), 2 * a[2] * x)
    np.testing.assert_allclose(s2s.grad(f)(x.copy(), a.copy()), numeric_grad(f, (x.copy(), a.copy())), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jvp(f)(x.copy(), a.copy(), v)[1], np.dot(2 * a[2] * x, v))
    np.testing.assert_allclose(s2s.hvp(f)(x.copy(), a.copy(), v), 2 * a[2] * v)


def _pair(x):
    return {"b": x[0] * x[0], "a": x[1] * 2.0}


def max_of_dict_values(x):
    return max(_pair(x).values()) * 3.0  # 3 max(x0^2, 2 x1)


def min_of_bound_dict_values(x):
    d = _pair(x)
    values = d.values()
    return min(values) ** 2  # min(x0^2, 2 x1)^2


def sorted_dict_items(x):
    d = {"b": x[0] * x[0], "a": x[1] * 2.0}
    return sorted(d.items())[1][1] * x[2]  # x0^2 x2: sorted by key, "b" is second


def tuple_of_dict_items(x):
    return tuple(_pair(x).items())[0][1] * 3.0  # 3 x0^2


def listed_dict_values(x):
    return np.sum(np.array(list(_pair(x).values())) ** 2)  # x0^4 + 4 x1^2


@pytest.mark.parametrize("f", [max_of_dict_values, min_of_bound_dict_values, sorted_dict_items, tuple_of_dict_items, listed_dict_values])
def test_dict_views_consumed_by_builtins_carry_the_derivative(f):
    x = np.array([0.31, -0.72, 1.13, 0.47])
    v = np.array([0.5, -1.0, 0.25, 2.0])
    want = numeric_grad(f, (x.copy(),))
    assert np.any(want != 0)
    np.testing.assert_allclose(s2s.grad(f)(x.copy()), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jvp(f)(x.copy(), v)[1], np.dot(want, v), rtol=1e-6, atol=1e-8)
    hessian_v = (numeric_grad(f, (x + 1e-4 * v,)) - numeric_grad(f, (x - 1e-4 * v,))) / 2e-4
    np.testing.assert_allclose(s2s.hvp(f)(x.copy(), v), hessian_v, rtol=1e-4, atol=1e-5)


def values_bound_then_dict_updated(x):
    d = _pair(x)
    values = d.values()  # a view: it would see the update below
    d["b"] = x[2]
    return max(values)


def test_a_dict_view_bound_to_a_name_of_a_dict_updated_later_is_refused():
    with pytest.raises(s2s.TransformError, match=r"test_soundness.py:\d+: a name bound to d.values\(\)"):
        s2s.grad(values_bound_then_dict_updated)(np.array([0.31, -0.72, 1.13]))


@dataclasses.dataclass
class _Holder:
    W: object
    b: object


def held_then_updated(x, y):
    held = _Holder(y, np.mean(y))  # held.W is y's object
    y += 2.0  # Python: held.W sees this
    return np.sum(held.W * x)


def test_a_container_built_here_holds_its_arguments():
    """A dataclass built inside holds the arrays it is given: an update of one is seen
    through it (the fuzzer, seed 3001, found the value silently different)."""
    with pytest.raises(s2s.TransformError, match="test_soundness.py:[0-9]+: y is updated in place here, but held shares"):
        s2s.grad(held_then_updated)(np.ones(2), np.ones(2))


def _continue_two_branches_deep(x):
    for i in range(4):
        if i >= 1:
            if i >= 2:
                if i == 2:
                    continue  # skips both multiplications below and the addition
            else:
                x = x * 3.0
            x = x * np.cos(x)
        x = x + 1.0
    return x


def _continue_after_a_return_in_a_loop(a):
    for i in range(3):
        if a >= 0.0:
            a = a * a
        elif i == 0:
            return np.ones(3)
        v = np.ones(3) * a
        if i == 1:
            continue  # the tape of the branch it ends must still be recorded
    return np.sum(v)


@pytest.mark.parametrize("f", [_continue_two_branches_deep, _continue_after_a_return_in_a_loop])
def test_a_continue_below_a_lowered_jump_skips_the_rest_of_the_body(f):
    # regressions (fuzz seed 9201, program 742): the value was not Python's, and the
    # backward sweep read a branch flag that the continue had skipped
    x = 0.47
    value, gradient = s2s.value_and_grad(f)(x)
    assert value == f(x)
    assert gradient == pytest.approx(numeric_grad(f, [x]), rel=1e-6)
    assert s2s.jvp(f)(x, 1.0)[1] == pytest.approx(numeric_grad(f, [x]), rel=1e-6)
    second = numeric_grad(lambda y: numeric_grad(f, [y], eps=1e-4), [x], eps=1e-4)
    assert s2s.hvp(f)(x, 1.0) == pytest.approx(second, rel=1e-4, abs=1e-6)


def _saved_then_rebound_in_a_loop(x0, x1):
    saved = []
    for _e in x1:
        saved.append(x0)  # in the backward sweep its adjoint adds to x0's after x0's first-iteration guard
        x0 = x0 / np.exp(np.sin(np.max(x1)))
    return np.sum(saved[0] * saved[1]) + np.sum(x0)


def test_a_first_iteration_guard_zeroes_an_adjoint_read_later_in_the_iteration():
    # a regression (fuzz seed 9103, program 314): the guard left x0's adjoint None, and
    # the list's adjoint was then added to it (a TypeError in the Hessian)
    x0, x1 = np.array([0.3, -0.5]), np.array([-0.75, 0.6])
    f = functools.partial(_saved_then_rebound_in_a_loop, x0)
    np.testing.assert_allclose(s2s.grad(_saved_then_rebound_in_a_loop, wrt=1)(x0, x1), numeric_grad(f, [x1]), rtol=1e-6, atol=1e-9)
    hessian = np.array([numeric_grad(lambda y: numeric_grad(f, [y], eps=1e-4)[i], [x1], eps=1e-4) for i in range(2)])
    np.testing.assert_allclose(s2s.hessian(_saved_then_rebound_in_a_loop, wrt=1)(x0, x1), hessian, rtol=1e-4, atol=1e-6)


def _get_or_default(d, x):
    return d.get("a", x) ** 2 * 0.7


def _packed_get_or_default(xs):
    return _get_or_default(xs[0], xs[1])


@pytest.mark.parametrize("d", [{}, {"b": 4.0}])
def test_a_gradient_differentiated_again_computes_the_value_the_gradient_returns(d):
    # a regression (autograd's test_get through the adapter): the gradient's zero for a
    # dict that nothing reads was a lazy None in the generated code, which s2s.grad's
    # caller never sees but the derivative of the gradient returned as its value
    gradient = s2s.grad(_packed_get_or_default)
    xs = (d, 2.0)
    expected = gradient(xs)
    assert expected == ({k: 0.0 for k in d}, 2.8)
    value, tangent = s2s.jvp(gradient)(xs, ({k: 1.0 for k in d}, 1.0))
    assert value == expected
    assert tangent == ({k: 0.0 for k in d}, pytest.approx(1.4))
    value, pullback = s2s.vjp(gradient)(xs)
    assert value == expected
    d_dict, d_x = pullback(({k: 1.0 for k in d}, 1.0))
    assert d_dict == {k: 0.0 for k in d} and d_x == pytest.approx(numeric_grad(lambda x: gradient((d, x))[1], [2.0]))


def _squares_scaled(x, scale=1.0):
    return np.sum(x**2) * scale


def _call_with_scale(fn, x, s):
    return fn(x, scale=s)


def _partial_whose_keyword_the_call_overrides(x, c):
    scaled = functools.partial(_squares_scaled, scale=c * c)  # not used: the call passes scale again
    return _call_with_scale(scaled, x, c)


def test_a_partial_keyword_the_call_passes_again_gets_no_derivative():
    # a regression: the derivative of the call's keyword also went to the partial's
    # bound keyword of the same name (grad 10.0 where Python's function has 5.0)
    x, c = np.array([1.0, 2.0]), 0.5
    f = _partial_whose_keyword_the_call_overrides
    assert s2s.grad(f, wrt=1)(x, c) == pytest.approx(numeric_grad(f, [x, c], wrt=1), rel=1e-7)
    assert s2s.jvp(f, wrt=1)(x, c, 1.0)[1] == pytest.approx(numeric_grad(f, [x, c], wrt=1), rel=1e-7)
    assert s2s.grad(s2s.grad(f, wrt=1), wrt=1)(x, c) == pytest.approx(0.0, abs=1e-12)


def _helper_whose_lambda_default_is_undefined(a0):
    g = lambda u, c=name_defined_nowhere: u * np.tanh(u + c)  # noqa: E731, F821 - Python fails only if it runs
    return g(a0)


def _calls_it_only_on_a_branch_not_taken(x, s):
    if s > 0.63:
        return np.sum(_helper_whose_lambda_default_is_undefined(x))
    return np.sum(x * x)


def test_a_nested_default_that_cannot_be_evaluated_is_a_located_error():
    # a regression (the independent tester, seed 12000161): lifting the lambda evaluated
    # its default when s2s transformed the helper, and the NameError escaped the compiler
    x = np.ones(2)
    assert _calls_it_only_on_a_branch_not_taken(x, 0.1) == 2.0  # Python never runs the lambda
    with pytest.raises(s2s.TransformError, match="a default of g failed .NameError") as info:
        s2s.grad(_calls_it_only_on_a_branch_not_taken)(x, 0.1)
    assert "test_soundness.py" in str(info.value) and "name_defined_nowhere" in str(info.value)


def _set_entry(d, key, value):
    d[key] = value


def _items_after_a_helper_overwrites_an_entry(x0):
    d0 = {"a": x0 * x0, "b": x0}
    _set_entry(d0, "b", 1.0)
    items = sorted(d0.items())
    return np.sum(items[0][1] * items[-1][1])


def test_adjoints_of_a_dict_with_different_keys_add_up():
    # a regression (fuzz seed 9606, program 205): at second order, two adjoints of the
    # dict (before and after the helper's write) had different keys, and adding them
    # raised a KeyError
    x = np.array([0.5, -1.2])
    np.testing.assert_allclose(s2s.hessian(_items_after_a_helper_overwrites_an_entry)(x), 2 * np.eye(2))  # sum(x**2)
    np.testing.assert_allclose(s2s.grad(_items_after_a_helper_overwrites_an_entry)(x), 2 * x)


def _squares_its_first_argument_in_place(a0, a1):
    w0 = a0
    w0 *= a0


def _passes_it_in_a_starred_call(a0, a1):
    _squares_its_first_argument_in_place(*(a1,), a0)


def _reads_the_array_the_starred_call_updated(x0):
    v0 = np.cos(x0)
    _passes_it_in_a_starred_call(1.0, v0)
    return np.sum(v0 * v0)


def test_an_update_through_a_starred_call_is_seen():
    # a regression (fuzz seed 9704, program 51): the arguments of f(*(a,), b) were packed
    # into a tuple the alias analysis did not know holds them, so the helper's update of
    # the caller's array went unseen and the gradient was half the right one
    with pytest.raises(s2s.TransformError, match="updates? v0 in place"):
        s2s.grad(_reads_the_array_the_starred_call_updated)(np.array([0.58, -0.65]))


def _divides_a_parameter_after_a_branch(x0, x1):
    if x1[0] < 0.0:
        x1[1:] -= 1.0
    x0 /= math.tanh(np.sum(x1))
    return np.sum(x0)


def test_a_restore_the_sweep_does_not_read_still_pops_the_tape():
    # a regression (fuzz seed 9801, program 458): removing the forward code only the seed
    # read also removed the backward restore `x0 = _stack.pop()` (x0 is read no more), so
    # the branch's pop took x0's saved array for its flag
    x0, x1 = np.array([-1.13, 0.43, 1.02]), np.array([-0.24, -1.08])
    for x1_value in (x1, -x1):  # both branches
        s = np.sum(x1_value - (x1_value[0] < 0) * np.array([0.0, 1.0]))
        want = -np.sum(x0) * (1.0 - np.tanh(s) ** 2) / np.tanh(s) ** 2 * np.ones(2)
        value, grad = s2s.value_and_grad(_divides_a_parameter_after_a_branch, wrt=1)(x0.copy(), x1_value.copy())
        np.testing.assert_allclose(grad, want, rtol=1e-12)
        np.testing.assert_allclose(value, np.sum(x0) / np.tanh(s), rtol=1e-12)


def _largest(values):
    return np.max(values)


def _updates_a_list_passed_by_keyword(x0):
    v2 = [e for e in x0]
    top = _largest(values=v2)
    v2[-1] = v2[0]  # after the call: its backward sweep must read the list as passed
    return top


def test_an_argument_passed_by_keyword_and_updated_later_is_copied_for_the_call():
    # a regression (fuzz seed 9825, program 276): an argument passed by keyword got no
    # copy at the call, so the callee's tape held the list the caller then changed, and
    # max's adjoint split the gradient between two entries made equal
    x = np.array([0.58, -0.83])
    np.testing.assert_allclose(s2s.grad(_updates_a_list_passed_by_keyword)(x), [1.0, 0.0])
    np.testing.assert_allclose(s2s.vjp(_updates_a_list_passed_by_keyword)(x)[1](2.0), [2.0, 0.0])
    assert list(x) == [0.58, -0.83]


# Arguments a rule gives no derivative. Each of these was a silent zero: the rule had
# no `d[ord]` (`d[ddof]`, ...) line, so the argument's contribution was dropped.
C23 = np.array([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7]])


def _norm_of_differentiated_order(p):
    return np.linalg.norm(X, p)


def _std_of_differentiated_ddof(d):
    return np.std(X, ddof=d)


def _nan_to_num_of_differentiated_fill(v):
    return np.sum(np.nan_to_num(X * np.array([1.0, np.nan, 1.0]), nan=v))


def _einsum_of_sublists_passed_in(a, sublist, output):
    return np.sum(np.einsum(2.0 * a, sublist, output) ** 2)  # a first operand not read by name


def _einsum_of_sublists_made_by_calls(a, sublist, output):
    return np.sum(np.einsum(a, list(sublist), output) ** 2)  # rewritten, list() would run before the operands


def _einsum_left_as_written_of_a_constant_first_operand(x):
    return np.sum(np.einsum(C23, list([0, 1]), x, [1]))  # sublists by calls: not rewritten


def test_an_einsum_sublist_form_left_as_written_is_refused_where_an_operand_is_differentiated():
    # regression (fuzz seed 9891, program 89): the rule took the constant first operand
    # for subscripts, an AttributeError inside the derivative code
    f, x = _einsum_left_as_written_of_a_constant_first_operand, np.ones(3)
    assert np.any(numeric_grad(f, (x,)))
    refusal = "sublist form is differentiated with literal sublists"
    with pytest.raises(TypeError, match=refusal):
        s2s.grad(f)(x)
    with pytest.raises(TypeError, match=refusal):
        s2s.jvp(f)(x, x)
    with pytest.raises(TypeError, match=refusal):
        s2s.hvp(f)(x, x)


def _odeint_of_a_closure(w):
    return odeint(lambda y, t: -w * y, np.array([1.0]), np.array([0.0, 1.0]))[-1, 0]


def _gradient_of_a_differentiated_spacing(h):
    return np.sum(np.gradient(X, h) ** 2)


@pytest.mark.parametrize("f, args, argument", [
    (_norm_of_differentiated_order, (3.0,), "norm .* argument ord"),
    (_gradient_of_a_differentiated_spacing, (0.5,), "gradient .* argument varargs"),  # an *args parameter
    (_std_of_differentiated_ddof, (0.5,), "std .* argument ddof"),
    (_nan_to_num_of_differentiated_fill, (2.0,), "nan_to_num .* argument nan"),
    # the sublist form with sublists that are not literals: the array is in the subscripts' place
    (_einsum_of_sublists_passed_in, (C23, [0, 1], [1, 0]), "einsum .* argument subscripts"),
    (_einsum_of_sublists_made_by_calls, (C23, [0, 1], [1, 0]), "einsum .* argument subscripts"),
    (_odeint_of_a_closure, (0.7,), "odeint .* argument func"),
], ids=["norm_ord", "gradient_spacing", "std_ddof", "nan_to_num_nan", "einsum_sublists", "einsum_sublists_by_calls",
        "odeint_closure"])
def test_an_argument_a_rule_has_no_derivative_for_raises_when_differentiated(f, args, argument):
    assert np.any(numeric_grad(f, args, wrt=0))  # the derivative the rule would drop is not zero
    with pytest.raises(TypeError, match=argument):
        s2s.grad(f)(*args)
    with pytest.raises(TypeError, match=argument):
        s2s.jvp(f)(*args, np.ones_like(args[0]))


def _ddof_counted(x):
    extra = [1.0, 2.0]
    return np.std(x * x, ddof=len(extra) - 1)


def _index_from_a_tape(x):
    y = np.zeros(3)
    for i in range(2):
        y[i] = x[i] * x[2]  # at second order i is unpacked from the tape with the arrays
    return np.sum(y * y)


def _constant_in_shapes_and_lengths(x):
    filled = np.full_like(x, 2.0 * x[0])  # x read for its shape only
    steps = np.arange(x[1], x[1] + 2.5)  # the stop decides the length only
    key = max([x[0], 2.0 * x[2], 0.5], key=lambda v: v * x[1])  # a choice: piecewise constant
    return np.sum(filled * x) + np.sum(steps ** 2) + key


@pytest.mark.parametrize("f", [_ddof_counted, _index_from_a_tape, _constant_in_shapes_and_lengths])
def test_arguments_without_a_derivative_that_cannot_carry_one_are_exact(f):
    x = np.array([0.4, 1.3, -0.6])
    np.testing.assert_allclose(s2s.grad(f)(x), numeric_grad(f, (x,)), rtol=1e-6, atol=1e-8)
    t = np.array([0.5, -1.0, 0.25])
    np.testing.assert_allclose(s2s.jvp(f)(x, t)[1], numeric_grad(f, (x,)) @ t, rtol=1e-6, atol=1e-8)
    hvp = s2s.hvp(f)(x, t)
    np.testing.assert_allclose(hvp, (s2s.grad(f)(x + 1e-5 * t) - s2s.grad(f)(x - 1e-5 * t)) / 2e-5, rtol=1e-5, atol=1e-7)


@s2s.primitive
def _doubled_in_shape_of(x, like):
    return 2.0 * x * np.ones_like(like)


@s2s.adjoint(_doubled_in_shape_of)
def _doubled_in_shape_of_adjoint(result, x, like):
    d[x] = np.sum(2.0 * d[result])  # noqa: F821 - template syntax


@s2s.primitive
def _doubled_and_shifted_by(x, shift):
    return 2.0 * x + shift


@s2s.adjoint(_doubled_and_shifted_by)
def _doubled_and_shifted_by_adjoint(result, x, shift):
    d[x] = 2.0 * d[result]  # noqa: F821 - the rule forgets shift


s2s.constant_in(_doubled_in_shape_of, "like")


def test_a_users_rule_declares_what_it_is_constant_in():
    x = np.array([0.3, 1.2])

    def shaped(x):
        return np.sum(_doubled_in_shape_of(x[0], x))

    def shifted(x):
        return _doubled_and_shifted_by(x[0], x[1])

    np.testing.assert_allclose(s2s.grad(shaped)(x), numeric_grad(shaped, (x,)), rtol=1e-7)
    with pytest.raises(TypeError, match="_doubled_and_shifted_by .* argument shift"):
        s2s.grad(shifted)(x)


def _loop_over_a_sequence_swapped_inside(x0):
    v0, v1 = np.linspace(1.0, 2.0, 3), x0
    for i0, e0 in enumerate(v0):  # Python iterates the linspace it started with
        x0 = x0 * e0 + i0
        v1, v0 = v0, v1  # rebinds v0 by unpacking
    return x0


def test_a_loop_keeps_its_sequence_when_unpacking_rebinds_the_name():
    # a regression (fuzz seed 9850, program 132): the loop re-read v0 after the swap, so
    # it iterated over x0's rows; the value and every derivative were wrong
    x = np.array([[1.07, -0.97, -0.92], [-0.05, 1.04, -0.34]])
    want = ((x * 1.0 + 0) * 1.5 + 1) * 2.0 + 2
    t = np.ones_like(x) * 0.5
    value, tangent = s2s.jvp(_loop_over_a_sequence_swapped_inside)(x, t)
    np.testing.assert_allclose(value, want)
    np.testing.assert_allclose(tangent, 3.0 * t)
    value, pullback = s2s.vjp(_loop_over_a_sequence_swapped_inside)(x)
    np.testing.assert_allclose(pullback(t), 3.0 * t)

    def total(x):
        return np.sum(_loop_over_a_sequence_swapped_inside(x) ** 2)

    np.testing.assert_allclose(s2s.grad(total)(x), numeric_grad(total, (x,)), rtol=1e-6)


def _product(x):
    return np.prod(x)


def _products_of_rows(x):
    return np.sum(np.prod(x, axis=-1) * np.array([1.0, -2.0, 0.5]))


@pytest.mark.parametrize("x", [
    np.array([0.5, 0.0, 2.0, -1.5]), np.array([0.0, 0.0, 2.0, -1.5]), np.array([0.0, 0.0, 0.0, -1.5]),
    np.array([0.3, 1.2, 2.0, -1.5]),
], ids=["one_zero", "two_zeros", "three_zeros", "no_zero"])
def test_second_derivatives_of_prod_are_exact_at_zeros(x):
    # regression (independent tester, seed 19000022): the second-order rules of np.prod
    # divided by the elements, NaN where one is zero
    exact = np.array([[0.0 if i == k else np.prod(np.delete(x, [i, k])) for k in range(4)] for i in range(4)])
    v = np.array([0.7, -1.1, 0.4, 2.0])
    np.testing.assert_allclose(s2s.hessian(_product)(x), exact, atol=1e-15)
    np.testing.assert_allclose(s2s.hvp(_product)(x, v), exact @ v, atol=1e-15)

    def gradient_along_v(y):
        return np.sum(s2s.grad(_product)(y) * v)

    np.testing.assert_allclose(s2s.grad(gradient_along_v)(x), exact @ v, atol=1e-15)  # reverse over reverse


ROWS_DIRECTION = np.arange(12.0).reshape(3, 4) / 7.0


def _rows_gradient_along(y):
    return np.sum(s2s.grad(_products_of_rows)(y) * ROWS_DIRECTION)


def _rows_second_derivative_along(y):
    return np.sum(s2s.grad(_rows_gradient_along)(y) * ROWS_DIRECTION)


def test_second_derivatives_of_prod_along_an_axis_are_exact_at_zeros():
    x = np.array([[0.5, 0.0, 2.0, -1.5], [0.0, 0.0, 2.0, -1.5], [0.3, 1.2, 2.0, -1.5]])
    want = numeric_grad(_rows_gradient_along, (x,))  # central differences of the exact first derivative
    np.testing.assert_allclose(s2s.hvp(_products_of_rows)(x, ROWS_DIRECTION), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(_rows_gradient_along)(x), want, rtol=1e-6, atol=1e-8)
    with pytest.raises(TypeError, match="prod_others_tangent .* argument x"):  # a third derivative: refused, not zero
        s2s.grad(_rows_second_derivative_along)(x)


def _carried_through_nested_loops(x):
    c = 0.0
    d = 0.0
    for _round in range(2):
        d = d * 2.0 + c  # reads c before the body rebinds it: the outer loop's first-iteration guard
        c = 1.0
        for e in x:
            c = c + e * e  # the inner loop's guard: c is the constant 1.0 on its first iteration
    return d + c


def _rebound_through_a_loop_over_a_list(x0):
    for _round in range(2):
        c0 = 1.0
        for e0 in [x0, x0]:
            c0 = c0 + e0
        x0 = x0 * c0
    return np.sum(x0)


H_DIRECTION = np.array([0.5, -1.0, 2.0])


def _gradient_of_rebound_along(x0):
    return np.sum(s2s.grad(_rebound_through_a_loop_over_a_list)(x0) * H_DIRECTION)


def test_a_nested_loops_first_iteration_guard_is_its_own():
    # regression (fuzz seed 9804, program 303: a wrong Hessian): the outer loop set every
    # first-iteration guard in its body to its own counter, the inner loop's too, so the
    # inner loop's carried adjoint was dropped (first order: a crash on None; reverse
    # over reverse, where the dropped adjoint is a zero: a silently wrong Hessian)
    x = np.array([0.7, -1.3, 0.4])
    np.testing.assert_allclose(s2s.grad(_carried_through_nested_loops)(x), numeric_grad(_carried_through_nested_loops, (x,)),
                               rtol=1e-7)
    y = np.array([0.3, -1.2, 0.9])
    want = numeric_grad(_gradient_of_rebound_along, (y,))  # central differences of the exact gradient
    np.testing.assert_allclose(s2s.grad(_gradient_of_rebound_along)(y), want, rtol=1e-6)  # reverse over reverse
    np.testing.assert_allclose(s2s.hvp(_rebound_through_a_loop_over_a_list)(y, H_DIRECTION), want, rtol=1e-6)


def _item_updated_then_packed(x):
    x = x * 1.0
    x[0] = x[0] * np.sum(x)
    pair = (0.5, x)
    _, y = pair
    return np.sum(np.sin(y * y))


ITEM_DIRECTION = np.array([0.5, -1.0, 2.0, 0.3])


def _gradient_of_item_updated_along(x):
    return np.sum(s2s.grad(_item_updated_then_packed)(x) * ITEM_DIRECTION)


def test_reverse_over_reverse_through_an_item_update_whose_array_is_shared():
    # regression (independent tester, seed 21000057): the gradient's backward sweep undoes
    # `x[0] = ...` with restore_item, in place, on the array `y` shares through `pair`; at
    # the next order the backward sweep redid that on a private copy of x, and `y` kept
    # the undone contents, which it then read. Now `_, y = pair` binds a copy, as Python's
    # value there (passes/views.py, from aliasing's points-to).
    x = np.array([-0.13827815, -0.61295111, -0.07625896, -1.1416252])
    want = numeric_grad(_gradient_of_item_updated_along, (x,))
    np.testing.assert_allclose(s2s.hvp(_item_updated_then_packed)(x, ITEM_DIRECTION), want, rtol=1e-6)
    np.testing.assert_allclose(s2s.grad(_gradient_of_item_updated_along)(x), want, rtol=1e-6)
    np.testing.assert_allclose(s2s.hessian(_item_updated_then_packed)(x) @ ITEM_DIRECTION, want, rtol=1e-6)
    pullback = s2s.vjp(s2s.grad(_item_updated_then_packed))(x)[1]
    for _ in range(2):  # the tape stays as recorded: a pullback runs again to the same result
        np.testing.assert_allclose(pullback(ITEM_DIRECTION), want, rtol=1e-6)


def _cosine_of_a_largest_item(a):
    largest = tuple(max(e for e in a) for _ in a)  # lists the generated code pops in place
    return math.cos(largest[-1])


def _cosine_of_a_largest_sine(x):
    return _cosine_of_a_largest_item(np.sin(x))


def test_reverse_over_reverse_through_lists_popped_in_place_that_a_tuple_holds():
    # found by the fuzzer (seed 10201, program 283) in a first attempt at the fix above,
    # which copied the tape preserving all sharing: the gradient's backward sweep pops the
    # list `max` reads, which the tuple it was saved in holds too, and the next order took
    # the tuple's (emptied) structure for the adjoint of its unpacking
    x = np.array([1.3092429287182936, 0.864331239605002, 0.5236290278227851])
    gradient = s2s.grad(_cosine_of_a_largest_sine)
    want = np.array([numeric_grad(lambda z: gradient(z)[i], (x,)) for i in range(3)])
    np.testing.assert_allclose(s2s.hessian(_cosine_of_a_largest_sine)(x), want, rtol=1e-6, atol=1e-9)


def _rebound_in_a_loop_over_rows_of_its_item(x, a):
    v = 0.0
    for r in x[0] * a:
        x = r * 2.0  # rebound, not read: the loop-carried adjoint of x ends each iteration at zero
        v = v + np.dot(r, x)
    return v + np.sum(x)  # read after the loop: the adjoint is defined on entry to the backward loop


def test_a_zero_adjoint_leaving_a_loop_is_an_array_where_the_primal_is_one():
    # regression (independent tester, seed 21000080): the scalar 0.0 standing for the zero
    # adjoint inside the loop left it, and the adjoint of reading x[0] (add_at) crashed on it
    x, a = np.array([0.3, -1.2, 0.7]), np.array([[0.5, 1.5, -0.4], [1.1, -0.3, 0.8]])
    f = _rebound_in_a_loop_over_rows_of_its_item
    np.testing.assert_allclose(s2s.grad(f)(x, a), numeric_grad(f, (x, a)), rtol=1e-6)
    np.testing.assert_allclose(s2s.vjp(f)(x, a)[1](1.0), numeric_grad(f, (x, a)), rtol=1e-6)


def _scaled_in_place(a, factor):
    a *= factor


def _forwarding(*args, **kwargs):
    return _scaled_in_place(*args, **kwargs)


def _norm_then_scaled_by_a_call(x):
    v = np.logaddexp(np.min(x), np.linspace(1.0, 1.0, 2))
    n = np.linalg.norm(v, 1)  # its adjoint reads v, as it was here
    _scaled_in_place(v, -1.2)
    return n


def _norm_then_scaled_through_forwarding(x):
    v = np.logaddexp(np.min(x), np.linspace(1.0, 1.0, 2))
    n = np.linalg.norm(v, 1)
    _forwarding(v, -1.2)
    return n


CALLED_ON = np.array([[-1.289, 0.2016, 1.0666], [0.9913, -0.5728, 1.402]])


def test_a_call_that_may_update_in_place_a_value_read_before_is_refused():
    # regression (fuzz seed 9912, program 38: a wrong gradient): the callee's `a *= factor`
    # updates v in place (v's kind is not known to be an array, so the update is not bound
    # back), and the backward sweep read v after the call, not v as the norm saw it
    assert np.any(numeric_grad(_norm_then_scaled_by_a_call, (CALLED_ON,)))
    with pytest.raises(s2s.TransformError, match="may update v in place, which another statement reads"):
        s2s.grad(_norm_then_scaled_by_a_call)(CALLED_ON)


def test_a_forwarded_call_that_may_update_in_place_a_value_read_before_is_refused():
    # the same through a helper forwarding *args, **kwargs (a packed call, not bound back)
    assert np.any(numeric_grad(_norm_then_scaled_through_forwarding, (CALLED_ON,)))
    with pytest.raises(s2s.TransformError, match="may update v in place, which another statement reads"):
        s2s.grad(_norm_then_scaled_through_forwarding)(CALLED_ON)


def _identity(z):
    return z


def _updated_through_what_a_function_value_returned(x):
    h = x * 1.0
    g = _IDENTITIES[0]
    y = g(h)  # the same array as h
    y *= 2.0
    return np.sum(h * x)


def _updated_through_what_a_starred_call_returned(x):
    h = x * 1.0
    y = _identity(*[h])
    y *= 2.0
    return np.sum(h * x)


def _updated_through_what_a_double_starred_call_returned(x):
    h = x * 1.0
    y = _identity(**{"z": h})
    y /= 2.0
    return np.sum(h * x)


def _updated_where_the_argument_is_not_read_again(x):
    h = x * 1.0
    y = _IDENTITIES[0](h)
    y *= 2.0
    return np.sum(y * x)


_IDENTITIES = [_identity]


@pytest.mark.parametrize("f", [
    _updated_through_what_a_function_value_returned,
    _updated_through_what_a_starred_call_returned,
    _updated_through_what_a_double_starred_call_returned,
])
def test_an_update_of_what_a_call_with_packed_arguments_may_return_is_refused(f):
    # regression (fuzz seed 9932, program 344: a wrong jvp): a call s2s resolves when it
    # runs (a function value, *args, **kwargs) may return its argument, which Python's
    # update in place then changes too
    with pytest.raises(s2s.TransformError, match="but h shares its contents"):
        s2s.grad(f)(X.copy())
    with pytest.raises(s2s.TransformError, match="but h shares its contents"):
        s2s.jvp(f)(X.copy(), np.ones_like(X))


def test_an_update_of_what_a_function_value_returned_is_differentiated_where_nothing_else_sees_it():
    f = _updated_where_the_argument_is_not_read_again
    np.testing.assert_allclose(s2s.grad(f)(X.copy()), numeric_grad(f, (X.copy(),)), rtol=1e-7, atol=1e-9)


def _power_sum(p):
    return lambda x: np.sum(x ** p)


@pytest.mark.parametrize("derivative", ["hvp", "hessian", "jvp_of_grad"])
def test_a_second_derivative_of_a_closure_made_again_with_another_number_reads_that_number(derivative):
    # regression: the module of a derivative of a derivative was kept as an entry with the
    # number the closure read bound as a constant, although its key leaves numbers out
    # (they are data): the closure made again with p = 3 got the Hessian of p = 2
    x, v = np.array([0.7, 1.3, 2.1]), np.array([0.4, -1.1, 0.6])
    for p in (2.0, 3.0, 2.5):
        f = _power_sum(p)
        exact = p * (p - 1) * x ** (p - 2)  # the Hessian's diagonal
        if derivative == "hvp":
            got, want = s2s.hvp(f)(x, v), exact * v
        elif derivative == "hessian":
            got, want = s2s.hessian(f)(x), np.diag(exact)
        else:
            got, want = s2s.jvp(s2s.grad(f))(x, v)[1], exact * v
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"p = {p}")


def _differentiates_a_call_of_a_vjp(x):
    value, pullback = s2s.vjp(np.sin)(x)
    return np.sum(value * pullback(np.ones_like(x)))


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_a_call_of_what_vjp_returns_inside_a_differentiated_function_is_refused(mode):
    # regression: the generated code took the call's result for (value, pullback) where
    # the function it ran returns (value, tape, backward sweep): a ValueError deep inside
    x = np.array([0.3, 0.7])
    derivative = s2s.grad(_differentiates_a_call_of_a_vjp) if mode == "grad" else s2s.jvp(_differentiates_a_call_of_a_vjp)
    with pytest.raises(s2s.TransformError, match=r"test_soundness.py:\d+: a call of s2s.vjp\(f\)'s result"):
        derivative(x) if mode == "grad" else derivative(x, x)


POWER = 2.0


def _power_of_the_global(x):
    return np.sum(x ** POWER)


def test_second_derivatives_read_a_global_number_as_it_is_when_they_run():
    # regression: a derivative of a derivative bound the number its inner gradient read
    # when it was generated, and never refreshed it: after POWER = 3 the same hvp object,
    # a new one and a hessian gave the Hessian of POWER = 2 (first derivatives were right)
    global POWER
    x, v = np.array([0.7, 1.3, 2.1]), np.array([0.4, -1.1, 0.6])
    hvp, hessian = s2s.hvp(_power_of_the_global), s2s.hessian(_power_of_the_global)
    grad_of_grad = s2s.grad(lambda y: np.sum(s2s.grad(_power_of_the_global)(y) * v))
    try:
        for POWER in (2.0, 3.0, 2.5):
            exact = POWER * (POWER - 1) * x ** (POWER - 2)
            np.testing.assert_allclose(hvp(x, v), exact * v, rtol=1e-12, err_msg=f"POWER = {POWER}")
            np.testing.assert_allclose(s2s.hvp(_power_of_the_global)(x, v), exact * v, rtol=1e-12)
            np.testing.assert_allclose(hessian(x), np.diag(exact), rtol=1e-12)
            np.testing.assert_allclose(grad_of_grad(x), exact * v, rtol=1e-12)
    finally:
        POWER = 2.0


def _power_with_an_exponent_computed_in_a_loop(x):
    total = 0.0
    for _ in range(2):
        e = 3 ** 2
        total = total + x[0] ** e
    return total + x[1]


def test_hvp_through_a_power_whose_exponent_is_computed_in_a_loop_at_a_negative_base():
    # regression (the independent tester, seed 37, program 50): the gradient saved and
    # restored the exponent, bound only to 3 ** 2, so in the hvp's code it had a zero
    # tangent, which multiplied log(x) = nan at x < 0 (s2s.hessian was right)
    x, v = np.array([-0.5, 1.0]), np.array([1.0, 0.0])
    np.testing.assert_allclose(s2s.hessian(_power_with_an_exponent_computed_in_a_loop)(x), [[2 * 72 * x[0] ** 7, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(s2s.hvp(_power_with_an_exponent_computed_in_a_loop)(x, v), [2 * 72 * x[0] ** 7, 0.0])


WEIGHTS = np.array([1.0, 2.0])


def _weighted_cubes(x):
    return np.sum(WEIGHTS * x ** 3)


def test_second_derivatives_read_a_global_array_as_it_is_when_they_run():
    # the same bug for an array: rebound, or updated in place, after the hvp was made
    global WEIGHTS
    x, v = np.array([0.5, 1.5]), np.array([1.0, 2.0])
    hvp = s2s.hvp(_weighted_cubes)
    try:
        for WEIGHTS in (np.array([1.0, 2.0]), np.array([3.0, -1.0])):
            np.testing.assert_allclose(hvp(x, v), 6.0 * WEIGHTS * x * v, rtol=1e-12)
            np.testing.assert_allclose(s2s.hessian(_weighted_cubes)(x), np.diag(6.0 * WEIGHTS * x), rtol=1e-12)
        WEIGHTS[0] = 10.0
        np.testing.assert_allclose(hvp(x, v), 6.0 * WEIGHTS * x * v, rtol=1e-12)
    finally:
        WEIGHTS = np.array([1.0, 2.0])


def _inner_loop_in_an_outer_loop(x0, x1, x2):
    n0 = 0
    while n0 < 3:
        n0 += 1
        for _i4, e5 in enumerate(x2):
            x1 = x1 - e5
    c4 = _identity_with_an_option(x1, option=min(e9 for e9 in x0))
    x2 = x1 ** 2
    return c4 + np.sum(x0 ** 3)


def _identity_with_an_option(a0, option=None):
    return a0


def test_a_zeroed_adjoint_is_read_again_by_the_next_trip_of_an_enclosing_loop():
    """A first-iteration guard left the entry value's adjoint None where nothing after it
    in its loop read it, but the next trip of the enclosing while loop runs the inner
    loop again and read it: a TypeError (`-None`) in the Hessian (found by the fuzzer)."""
    f = _inner_loop_in_an_outer_loop
    args = (np.array([-0.34, -0.21]), 0.2485, np.array([-0.88, -0.63, 0.58]))
    gradient = s2s.grad(f)

    def column(i):
        e = np.zeros(2)
        e[i] = 1e-5
        return (gradient(args[0] + e, *args[1:]) - gradient(args[0] - e, *args[1:])) / 2e-5

    want = np.stack([column(0), column(1)], axis=1)
    np.testing.assert_allclose(s2s.hessian(f)(*args), want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2s.hvp(f)(*args, np.array([1.0, -2.0])), want @ np.array([1.0, -2.0]), rtol=1e-5, atol=1e-7)


def _einsum_view_updated_after(a):
    t = np.einsum("ij->ji", a)  # a view of a: NumPy permutes without copying
    a *= 2.0
    return np.sum(t * t)


def _einsum_sublist_view_updated_after(a):
    t = np.einsum(a, [1, 0])
    a *= 2.0
    return np.sum(t * t)


def _einsum_product_then_operand_updated(a, b):
    c = np.einsum("ij,jk->ik", a, b)  # a new array: the update of a does not reach it
    a *= 2.0
    return np.sum(c * a)


@pytest.mark.parametrize("f", [_einsum_view_updated_after, _einsum_sublist_view_updated_after])
def test_an_einsum_of_one_operand_may_be_a_view(f):
    """np.einsum of one operand returns a view where it only permutes or takes a
    diagonal: the update of its operand shows through it, as for np.transpose. s2s
    computed with a copy (a wrong value, found by the fuzzer); now it refuses."""
    a = np.array([[0.5, -1.0], [2.0, 0.25]])
    with pytest.raises(s2s.TransformError, match="shares its contents"):
        s2s.grad(f)(a.copy())


def test_an_einsum_of_two_operands_is_a_new_array():
    a, b = np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([[1.5, 0.3], [-0.7, 1.1]])
    f = _einsum_product_then_operand_updated
    want = numeric_grad(lambda x: f(x.copy(), b), (a,))
    np.testing.assert_allclose(s2s.grad(f)(a.copy(), b), want, rtol=1e-6, atol=1e-8)


def assigned_into_itself(x):
    u = np.ones(5) + x[1] * np.arange(5.0)
    u[0:5] = u  # NumPy copies the overlapping memory: u is unchanged
    return x[0] * u[3]


def assigned_into_itself_in_a_loop(x, n):
    u = x * 1.5
    for _ in range(n):
        u = u * x
        u[...] = u
        u[1:] = u[:-1] * u[1:]
    return np.sum(u * u)


def test_an_array_assigned_into_itself_is_differentiated():
    # `u[0:5] = u` lowers to `u = setitem(u, idx, u)`, whose adjoint reads the result's
    # adjoint for the item and for the rest: with both u's own, the first clobbered what
    # the second reads and the gradient through u came out zero (found by the
    # independent checker; refused after that). The value is now an alias of u taken
    # before the write, which passes/views.py copies.
    x = np.array([-1.02, 0.40])
    expected = np.array([1.0 + 3.0 * x[1], 3.0 * x[0]])  # d/dx of x0 * (1 + 3 x1)
    np.testing.assert_allclose(s2s.grad(assigned_into_itself)(x), expected, rtol=1e-12)
    np.testing.assert_allclose(s2s.jvp(assigned_into_itself)(x, np.array([1.0, 0.0]))[1], expected[0], rtol=1e-12)
    np.testing.assert_allclose(s2s.vjp(assigned_into_itself)(x)[1](1.0), expected, rtol=1e-12)
    hessian = np.array([[0.0, 3.0], [3.0, 0.0]])
    np.testing.assert_allclose(s2s.hessian(assigned_into_itself)(x), hessian, atol=1e-12)
    x = np.array([0.9, -0.7, 1.1])
    for n in (0, 1, 3):
        np.testing.assert_allclose(s2s.grad(assigned_into_itself_in_a_loop)(x, n),
                                   numeric_grad(lambda v: assigned_into_itself_in_a_loop(v, n), [x]), rtol=1e-6)


# --------------------------------------------------------------------------- dtypes of arrays updated


def floats_stored_in_integers(x):
    y = np.zeros(3, dtype=int)
    y[1] = x[0] * 3.0  # stored rounded towards zero: the function is flat in x[0]
    return np.sum(y * x)


def floats_filled_into_integers(x):
    y = np.arange(3)
    for i in range(3):
        y[i] = x[i] * 3.0
    return np.sum(y * x)


def a_number_added_to_an_integer_item(x):
    y = np.array([1, 2, 3])
    y[0] += x[1]  # the item is a number: rebound to a float, stored rounded
    return np.sum(y * x)


def booleans_written(x):
    mask = x > 0.0
    mask[0] = x[1]  # nonzero: True
    return np.sum(mask * x)


@pytest.mark.parametrize("f", [floats_stored_in_integers, floats_filled_into_integers, a_number_added_to_an_integer_item,
                               booleans_written])
def test_a_float_stored_rounded_has_no_derivative(f):
    x = np.array([0.45, 1.3, 2.7])  # no rounding boundary within central differences' step
    expected = numeric_grad(f, [x])
    np.testing.assert_allclose(s2s.grad(f)(x), expected, rtol=1e-6, atol=1e-9)
    v = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(s2s.jvp(f)(x, v)[1], expected @ v, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), np.zeros(3), atol=1e-9)  # piecewise linear in x


def float32_updated_in_place(x, v):
    y = x * 1.0
    y += v  # y stays float32: NumPy rounds the sum to it
    return np.sum(y * y)


def grown_in_place(x, v):
    y = x * 1.0
    y += v
    return np.sum(y)


def integers_updated_in_place(x):
    y = np.zeros(3, dtype=int)
    y += x
    return np.sum(y * x)


def integer_row_updated_in_place(x):
    y = np.zeros((2, 3), dtype=int)
    y[0] += x
    return np.sum(y * x)


def test_an_update_in_place_keeps_the_arrays_dtype():
    x, v = np.array([0.1, 0.2, 0.3], dtype=np.float32), np.array([1e-9, 2e-9, 3e-9])
    value, grad = s2s.value_and_grad(float32_updated_in_place, wrt=1)(x, v)
    assert value == float32_updated_in_place(x, v) and np.asarray(value).dtype == np.float32
    y = (x + v).astype(np.float32).astype(float)
    np.testing.assert_allclose(grad, 2.0 * y, rtol=1e-6)


@pytest.mark.parametrize("f, args, error", [
    (grown_in_place, (np.ones(3), np.ones((2, 3))), ValueError),  # no wider shape in place
    (integers_updated_in_place, (np.array([0.5, 1.5, 2.5]),), TypeError),  # no floats into integers
    (integer_row_updated_in_place, (np.array([0.5, 1.5, 2.5]),), TypeError),
])
def test_an_update_in_place_raises_where_numpy_does(f, args, error):
    with pytest.raises(error):
        f(*args)
    for derivative in (s2s.grad(f), s2s.value_and_grad(f)):
        with pytest.raises(error):
            derivative(*args)
    with pytest.raises(error):
        s2s.jvp(f)(*args, np.ones_like(args[0]))
