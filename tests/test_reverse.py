"""Reverse mode on the Python the core compiler supports: every gradient is checked
against central differences, a hand-derived formula, or autograd."""
import inspect
import math
import os
import traceback

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from conftest import numeric_grad

import s2s
from s2s import diskcache


def check(f, args, wrt=0, rtol=1e-6, atol=1e-8):
    got = s2s.grad(f, wrt=wrt)(*args)
    np.testing.assert_allclose(got, numeric_grad(f, args, wrt), rtol=rtol, atol=atol)
    return got


# --------------------------------------------------------------------------- control flow


def branches(x, y):
    if x > 1.0:
        z = x * y
    elif x > 0.0:
        z = x + y * y
    else:
        z = np.sin(x) * y
    return z * x


@pytest.mark.parametrize("x", [2.0, 0.5, -0.5])
def test_if_elif_else(x):
    check(branches, [x, 1.3], 0)
    check(branches, [x, 1.3], 1)


def loop_break_continue(x, n):
    total = 0.0
    for i in range(n):
        if i % 3 == 1:
            continue
        total = total + x ** i / (i + 1)
        if total > 4.0:
            break
    return total


@pytest.mark.parametrize("n", [0, 1, 5, 20])
def test_for_with_break_and_continue(n):
    check(loop_break_continue, [1.7, n])


def while_loop(x):
    y = x
    steps = 0
    while y < 10.0 and steps < 50:
        y = y * 1.5 + np.sin(y)
        steps += 1
    return y


def test_while_loop_with_compound_condition():
    check(while_loop, [0.7])


def return_in_loop(x, limit):
    acc = x
    for _i in range(10):
        acc = acc * x
        if acc > limit:
            return acc * 2.0
    return -acc


@pytest.mark.parametrize("limit", [1.5, 1e9])
def test_return_inside_loop(limit):
    check(return_in_loop, [1.2, limit])


def nested_loops(A):
    total = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if j > i:
                break
            total = total + A[i, j] * A[j, i]
    return total


def test_nested_loops_with_indexing(rng):
    check(nested_loops, [rng.randn(3, 4)])


def early_return(x):
    if x < 0:
        return x * x
    y = np.exp(x)
    return y + x


@pytest.mark.parametrize("x", [-1.5, 0.7])
def test_early_return_at_function_level(x):
    check(early_return, [x])


def boolean_logic(x, flag):
    if (x > 0 and flag) or not flag:
        return x ** 3
    return x


def test_boolean_logic_is_not_differentiated():
    check(boolean_logic, [0.8, True])
    check(boolean_logic, [0.8, False])


def augmented(x):
    y = x
    y += 2.0 * x
    y *= x
    y -= 1.0
    y /= 3.0
    y **= 2
    return y


def test_augmented_assignment():
    check(augmented, [0.9])


# --------------------------------------------------------------------------- containers


def tuples_and_lists(x, y):
    pair = (x * 2.0, y)
    a, b = pair
    items = [a, b, a * b]
    (first,) = [items[0]]
    return items[2] + items[-1] * first


def test_tuple_and_list_building_and_unpacking():
    check(tuples_and_lists, [1.5, -0.4], 0)
    check(tuples_and_lists, [1.5, -0.4], 1)


def dict_values(p, x):
    scaled = {"a": p["w"] * x, "b": p["c"]}
    return scaled["a"] * scaled["b"] + p["w"]


def test_dict_gradient_is_a_dict():
    p = {"w": 1.5, "c": 0.5, "name": "layer"}
    g = s2s.grad(dict_values)(p, 2.0)
    assert set(g) == {"w", "c", "name"} and g["name"] is None
    assert g["w"] == pytest.approx(2.0 * 0.5 + 1.0) and g["c"] == pytest.approx(1.5 * 2.0)


def sum_layers(layers):
    total = 0.0
    for W, b in layers:
        total = total + np.sum(np.tanh(W) * b)
    return total


def test_list_of_tuples_gradient_structure(rng):
    layers = [(rng.randn(2, 3), rng.randn(3)), (rng.randn(3, 3), rng.randn(3))]
    g = s2s.grad(sum_layers)(layers)
    assert isinstance(g, list) and all(isinstance(t, tuple) for t in g)
    reference = autograd.grad(lambda L: sum(anp.sum(anp.tanh(W) * b) for W, b in L))(layers)
    for (gW, gb), (rW, rb) in zip(g, reference):
        np.testing.assert_allclose(gW, rW)
        np.testing.assert_allclose(gb, rb)


def zipped(xs, ws):
    total = 0.0
    for i, (x, w) in enumerate(zip(xs, ws)):
        total = total + (i + 1) * x * w
    return total


def zipped_flat(xs, ws):
    total = 0.0
    for x, w in zip(xs, ws):
        total = total + x * w * w
    for i, x in enumerate(xs):
        total = total + i * x
    return total


def test_zip_and_enumerate(rng):
    xs, ws = list(rng.randn(4)), rng.randn(4)
    g = s2s.grad(zipped_flat, wrt=(0, 1))(xs, ws)
    np.testing.assert_allclose(g[0], ws * ws + np.arange(4))
    np.testing.assert_allclose(g[1], 2 * np.array(xs) * ws)
    assert isinstance(g[0], list)


# --------------------------------------------------------------------------- indexing


def indexing(x):
    a = x[0, 1] * x[-1, ...].sum()
    b = x[:, None, 1:3] ** 2
    c = x[np.array([0, 0, 2])]  # a repeated index accumulates
    d = x[x > 0.2]
    return a + b.sum() + c.sum() * 0.5 + d.sum()


def test_subscripts_for_reading(rng):
    check(indexing, [rng.randn(3, 4)])


def test_float32_gradient_keeps_dtype(rng):
    x = rng.randn(5).astype(np.float32)
    g = s2s.grad(lambda_free_sum)(x)
    assert g.dtype == np.float32 and g.shape == (5,)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-6)


def lambda_free_sum(x):
    return np.sum(x * x)


# --------------------------------------------------------------------------- calls


def helper(a, b):
    return a * np.exp(b)


def calls_helper(x, y):
    return helper(x, y) + helper(y, x) * helper(2.0, x)


def test_user_function_calls():
    check(calls_helper, [0.3, -0.7], 0)
    check(calls_helper, [0.3, -0.7], 1)


def power_tower(x, n):
    if n == 0:
        return x
    return power_tower(np.sin(x) * x, n - 1) + x


def test_recursion():
    check(power_tower, [0.8, 6])


def odd(x, n):
    if n == 0:
        return x
    return even(x * 1.5, n - 1)


def even(x, n):
    if n == 0:
        return x * x
    return odd(np.cos(x), n - 1)


def test_mutual_recursion():
    check(odd, [0.4, 5])


def random_and_integer_parts(x):
    noise = np.random.RandomState(1).randn(*x.shape)
    n = len(x) * 2 + x.shape[0] // 2
    return np.sum(x * n) + np.sum(np.round(x)) + np.sum(np.sign(x) * noise)


def test_non_differentiable_operations_contribute_zero(rng):
    x = rng.randn(4)
    np.testing.assert_allclose(s2s.grad(random_and_integer_parts)(x), np.full(4, 10.0))


def test_wrt_names_and_value_and_grad():
    v, (gx, gy) = s2s.value_and_grad(helper, wrt=("a", "b"))(1.5, 0.5)
    assert v == pytest.approx(1.5 * math.exp(0.5))
    assert gx == pytest.approx(math.exp(0.5)) and gy == pytest.approx(1.5 * math.exp(0.5))
    assert s2s.grad(helper, wrt="b")(1.5, 0.5) == pytest.approx(gy)


def test_integer_argument_is_differentiated_as_a_real():
    assert s2s.grad(helper)(2, 0.0) == pytest.approx(1.0)


def test_caller_arrays_are_not_mutated(rng):
    x = rng.randn(3, 4)
    before = x.copy()
    s2s.grad(indexing)(x)
    np.testing.assert_array_equal(x, before)


# --------------------------------------------------------------------------- generated code


def test_generated_code_is_readable_and_registered():
    df = s2s.grad(helper, wrt=(0, 1))
    df(1.0, 2.0)
    src = s2s.source(df)
    assert "def dhelper(a, b):" in src
    assert "# return a * np.exp(b)" in src  # each adjoint block quotes its primal line
    assert "da" in src and "db" in src
    fn = df.generated((None, None))
    assert inspect.getsource(fn).startswith("def dhelper")  # linecache knows the file


def failing_rule(x):
    y = np.log(x)
    return y * 2.0


def test_tracebacks_show_generated_lines():
    with np.errstate(divide="raise", invalid="raise"):
        try:
            s2s.grad(failing_rule)(0.0)
        except FloatingPointError:
            frames = traceback.extract_tb(__import__("sys").exc_info()[2])
        else:  # pragma: no cover
            pytest.fail("expected a floating point error")
    generated = [f for f in frames if "grad_failing_rule" in f.filename]
    assert generated and generated[-1].line  # the line is shown
    if diskcache.enabled():  # a real file, under the test's S2S_CACHE_DIR
        assert os.path.exists(generated[-1].filename)


def test_transform_happens_once():
    s2s.grad(branches)(0.5, 1.0)
    before = s2s.cache_info()
    s2s.grad(branches)(0.7, 2.0)
    after = s2s.cache_info()
    assert after.misses == before.misses and after.memory_hits == before.memory_hits + 1


# --------------------------------------------------------------------------- errors


def uses_try(x):
    try:
        y = x * 2
    except ValueError:
        y = x
    return y


def uses_unknown(x):
    return np.sum(np.polyval(x, 0.5))


def non_scalar(x):
    return x * 2.0


def test_unsupported_construct_names_file_line_and_construct():
    with pytest.raises(s2s.TransformError) as info:
        s2s.grad(uses_try)(1.0)
    message = str(info.value)
    assert "test_reverse.py" in message and "try/except" in message
    assert str(uses_try.__code__.co_firstlineno + 1) in message


def test_missing_rule_is_an_error_not_a_guess():
    with pytest.raises(s2s.TransformError, match="no derivative rule"):
        s2s.grad(uses_unknown)(np.ones(4))


def test_function_without_source_is_differentiated_by_its_rules():
    assert np.isclose(s2s.grad(np.sin)(1.0), np.cos(1.0))
    assert np.isclose(s2s.grad(s2s.grad(np.sin))(1.0), -np.sin(1.0))
    with pytest.raises(s2s.TransformError, match="no derivative rule"):
        s2s.grad(divmod)(1.0, 2.0)


def test_non_scalar_output_is_rejected():
    with pytest.raises(TypeError, match="scalar"):
        s2s.grad(non_scalar)(np.ones(3))


def test_bad_wrt():
    with pytest.raises(TypeError, match="no parameter named"):
        s2s.grad(helper, wrt="c")


def reused_loop_variable(xs, ys):
    total = 0.0
    for v in ys:
        total = total + 3.0 * v
    for v in xs:  # rebinds v from values that are not differentiated
        total = total + math.sin(v)
    return total


def test_a_reused_loop_variable_carries_no_stray_derivative():
    assert s2s.grad(reused_loop_variable, wrt=1)([0.3, 0.5], [1.0, 2.0]) == [3.0, 3.0]
    assert s2s.jvp(reused_loop_variable, wrt=1)([0.3, 0.5], [1.0, 2.0], [1.0, 1.0])[1] == pytest.approx(6.0)
