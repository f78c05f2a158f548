"""The Python people write: closures, nested functions, in-place updates, calls with
keywords and varargs, objects as parameters, and the boundary of what s2s accepts.
Every gradient is compared with central differences or a hand-derived formula."""
import dataclasses
import functools
import operator
import typing

import numpy as np
import pytest
from conftest import numeric_grad

import s2s

# --------------------------------------------------------------------------- closures


def make_loss(weights, activation):
    offset = 0.5

    def loss(x):
        return np.sum(activation(x * weights) + offset * x)

    return loss


def test_closure_over_an_array_a_constant_and_a_function(rng):
    f = make_loss(rng.randn(4), np.tanh)
    x = rng.randn(4)
    np.testing.assert_allclose(s2s.grad(f)(x), numeric_grad(f, [x]), rtol=1e-6, atol=1e-8)


def nested_with_captures(x, k):
    scale = 2.0

    def inner(y):
        return y * k + scale * np.sin(y)

    def power(y, n):  # recursive nested function
        if n == 0:
            return y
        return power(y * y, n - 1)

    cube = lambda z: z * z * z  # noqa: E731 - a named lambda
    scale = 3.0  # late binding: inner sees 3.0, as Python does
    return np.sum(inner(x) + cube(x) + power(x, 2))


def test_nested_functions_capture_late_and_recurse(rng):
    x = rng.randn(3) * 0.5
    for wrt in (0, 1):
        np.testing.assert_allclose(
            s2s.grad(nested_with_captures, wrt=wrt)(x, 0.7),
            numeric_grad(nested_with_captures, [x, 0.7], wrt=wrt),
            rtol=1e-6,
            atol=1e-8,
        )


def nested_as_value(x):
    def inner(y):
        return y * 2

    fs = [inner]
    return fs[0](x)


def nested_nonlocal(x):
    total = 0.0

    def add(y):
        nonlocal total
        total = total + y

    add(x)
    return total


def test_nested_function_misuse_is_reported():
    assert s2s.grad(nested_as_value)(1.0) == 2.0  # a value now: see test_function_values.py
    with pytest.raises(s2s.TransformError, match="nonlocal"):
        s2s.grad(nested_nonlocal)(1.0)


# --------------------------------------------------------------------------- in-place updates


def fill(x):
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = y[i - 1] * 0.5 + x[i] ** 2
    y[1:3] += x[:2]
    y[y > 1.0] = 1.0  # a boolean mask
    return np.sum(y * y)


def update_argument(x):
    x[0] = x[1] * 3.0  # the caller's array must not change
    x[1:] *= 2.0
    return np.sum(x ** 2)


def matrix_writes(A):
    B = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            B[i, j] = A[j, i] * A[i, j]
    return np.sum(B * A)


def containers(x):
    values = [x, x * 2.0, 0.0]
    values[2] = values[0] * values[1]
    table = {"a": x}
    table["b"] = table["a"] * 3.0
    return values[2] + table["b"]


def test_in_place_array_updates(rng):
    x = rng.randn(6)
    np.testing.assert_allclose(s2s.grad(fill)(x), numeric_grad(fill, [x]), rtol=1e-6, atol=1e-8)


def test_the_callers_array_is_never_mutated(rng):
    x = rng.randn(4)
    before = x.copy()
    g = s2s.grad(update_argument)(x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, numeric_grad(update_argument, [x.copy()]), rtol=1e-6)
    np.testing.assert_array_equal(x, before)


def test_element_writes_in_nested_loops(rng):
    A = rng.randn(2, 2)
    np.testing.assert_allclose(s2s.grad(matrix_writes)(A), numeric_grad(matrix_writes, [A]), rtol=1e-6)


def test_list_and_dict_item_assignment():
    assert s2s.grad(containers)(1.5) == pytest.approx(4 * 1.5 + 3.0)


def test_in_place_code_differentiates_again(rng):
    x = rng.randn(5) * 0.3
    g = s2s.grad(fill)
    v = rng.randn(5)
    expected = (g(x + 1e-6 * v) - g(x - 1e-6 * v)) / 2e-6
    np.testing.assert_allclose(s2s.hvp(fill)(x, v), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s2s.jvp(fill)(x, v)[1], g(x) @ v, rtol=1e-8)


def test_in_place_gradient_reads_like_hand_written_code(rng):
    df = s2s.grad(fill)
    df(rng.randn(4))
    source = s2s.source(df)
    assert "dx[i] += " in source and "dy[i - 1] += " in source and "dy[i] = 0.0" in source


# --------------------------------------------------------------------------- calls


def keyword_heavy(x, *scales, power=2, shift=0.0, **options):
    total = 0.0
    for s in scales:
        total = total + s * np.sum((x - shift) ** power)
    if options.get("normalize", False):
        total = total / x.size
    return total + options.get("bias", 0.0) * np.sum(x)


def calls_keyword_heavy(x, a):
    return keyword_heavy(x, a, 2.0 * a, power=3, bias=a)


def test_keywords_defaults_varargs_and_kwargs(rng):
    x = rng.randn(3)
    g = s2s.grad(keyword_heavy)(x, 1.0, 2.0, power=3, shift=0.5, normalize=True)
    np.testing.assert_allclose(g, 3.0 * 3 * (x - 0.5) ** 2 / 3)
    assert s2s.grad(keyword_heavy, wrt="shift")(x, 1.0, shift=0.2) == pytest.approx(-2 * np.sum(x - 0.2))
    assert s2s.grad(keyword_heavy, wrt="scales")(x, 1.0, 2.0) == pytest.approx((np.sum(x**2),) * 2)
    for wrt in (0, 1):
        np.testing.assert_allclose(
            s2s.grad(calls_keyword_heavy, wrt=wrt)(x, 1.5), numeric_grad(calls_keyword_heavy, [x, 1.5], wrt=wrt), rtol=1e-6
        )


def weighted_norm(x, axes=((0,), (1,)), weights=(2.0, 0.5)):
    return np.sum(np.sum(x ** 2, axis=axes[0]) * weights[0]) + weights[1] * np.sum(x, axis=axes[1][0])[0]


def calls_with_tuple_defaults(x):
    return weighted_norm(x) * np.sin(x[0, 0])


def test_a_helper_with_tuple_defaults_is_called(rng):
    # a tuple default was taken for the packing of *args, and the call refused
    x = rng.randn(3, 3)

    def closed_form(x):  # d/dx of (2 |x|^2 + 0.5 sum(x[0, :])) sin(x00)
        g = (4.0 * x + 0.5 * (np.arange(3)[:, None] == 0)) * np.sin(x[0, 0])
        g[0, 0] += (2.0 * np.sum(x ** 2) + 0.5 * np.sum(x[0])) * np.cos(x[0, 0])
        return g

    np.testing.assert_allclose(s2s.grad(calls_with_tuple_defaults)(x), closed_form(x), rtol=1e-12)
    v = rng.randn(3, 3)
    np.testing.assert_allclose(s2s.jvp(calls_with_tuple_defaults)(x, v)[1], np.sum(closed_form(x) * v), rtol=1e-12)
    np.testing.assert_allclose(s2s.hvp(calls_with_tuple_defaults)(x, v),
                               numeric_grad(lambda y: np.sum(closed_form(y) * v), [x], wrt=0), rtol=1e-6)


# --------------------------------------------------------------------------- objects


@dataclasses.dataclass
class Dense:
    W: np.ndarray
    b: np.ndarray

    def __call__(self, x):
        return np.tanh(x @ self.W + self.b)

    def penalty(self, scale):
        return scale * np.sum(self.W**2)


class Network(typing.NamedTuple):
    hidden: Dense
    output: Dense
    decay: float


class Plain:
    def __init__(self, w):
        self.w = w

    def energy(self, x):
        return np.sum(self.w * x**2)


def network_loss(net, x):
    h = net.hidden(x)
    return np.sum(net.output(h) ** 2) + net.hidden.penalty(net.decay)


def plain_loss(p, x):
    return p.energy(x) * 2.0


def test_dataclass_and_namedtuple_parameters_with_methods(rng):
    net = Network(Dense(rng.randn(3, 4), rng.randn(4)), Dense(rng.randn(4, 2), rng.randn(2)), 0.1)
    x = rng.randn(5, 3)
    g = s2s.grad(network_loss)(net, x)
    assert isinstance(g, Network) and isinstance(g.hidden, Dense) and isinstance(g.decay, float)
    for field in ("W", "b"):
        for layer in ("hidden", "output"):

            def as_function(value, layer=layer, field=field):
                changed = dataclasses.replace(getattr(net, layer), **{field: value})
                return network_loss(net._replace(**{layer: changed}), x)

            expected = numeric_grad(as_function, [getattr(getattr(net, layer), field)])
            np.testing.assert_allclose(getattr(getattr(g, layer), field), expected, rtol=1e-5, atol=1e-7)
    assert g.decay == pytest.approx(np.sum(net.hidden.W**2))


def test_methods_of_plain_classes(rng):
    p, x = Plain(rng.randn(3)), rng.randn(3)
    np.testing.assert_allclose(s2s.grad(plain_loss, wrt=1)(p, x), 4 * p.w * x)


# --------------------------------------------------------------------------- the boundary

COUNTER = []


def global_write(x):
    global COUNTER
    COUNTER = x
    return x


def try_except(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return y


def with_block(x):
    with open(__file__):
        y = x * 2.0
    return y


def deletes(x):
    y = x * 2.0
    del y
    return x


def attribute_write(p, x):
    p.w = x
    return x


async def asynchronous(x):
    return x


@pytest.mark.parametrize(
    "f, construct",
    [
        (global_write, "global"),
        (try_except, "try/except"),
        (with_block, "with"),
        (deletes, "del"),
        (attribute_write, "attribute"),
        (asynchronous, "async"),
    ],
)
def test_unsupported_constructs_name_file_line_and_construct(f, construct):
    with pytest.raises(s2s.TransformError) as info:
        s2s.grad(f)(*([1.0] if f is not attribute_write else [Plain(1.0), 1.0]))
    message = str(info.value)
    assert "test_language_features.py:" in message and construct in message


def logs_and_asserts(x):
    COUNTER.append(float(x))  # a side effect: runs once, in the forward sweep
    print("value", x)
    assert x > 0
    return x * x


def test_side_effects_run_once(capsys):
    COUNTER.clear()
    assert s2s.grad(logs_and_asserts)(3.0) == pytest.approx(6.0)
    assert COUNTER == [3.0]
    assert capsys.readouterr().out.count("value") == 1


def read_then_append(x):
    values = [x]
    y = values[-1] * 2.0  # read while the list has one entry...
    values.append(3.0 * x)  # ...then it grows: the backward sweep undoes this first
    return y


def pop_read_append(x):
    values = [x, 2.0 * x]
    z = values.pop()
    y = values[-1] * 5.0 + z
    values.append(x * x)
    return y + values[-1]


def test_lists_read_by_position_between_mutations():
    assert s2s.grad(read_then_append)(1.5) == pytest.approx(2.0)
    assert s2s.grad(pop_read_append)(1.5) == pytest.approx(5.0 + 2.0 + 2 * 1.5)
    assert s2s.grad(s2s.grad(pop_read_append))(1.5) == pytest.approx(2.0)
    assert s2s.grad(s2s.grad(s2s.grad(pop_read_append)))(1.5) == pytest.approx(0.0, abs=1e-12)


def test_pullbacks_of_in_place_code_run_repeatedly(rng):
    """The backward sweep restores containers in place: on private copies, so the tape
    keeps the final state for the next pullback."""
    x = rng.randn(5)
    value, pullback = s2s.vjp(fill)(x)
    g = numeric_grad(fill, [x])
    np.testing.assert_allclose(pullback(1.0), g, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(pullback(-2.0), -2.0 * g, rtol=1e-6, atol=1e-8)
    value, pullback = s2s.vjp(pop_read_append)(1.5)
    assert pullback(1.0) == pytest.approx(10.0) and pullback(3.0) == pytest.approx(30.0)


def aliased_list(x):
    a = [x]
    b = a
    b.append(2.0 * x)
    return a[-1]


def row_of_a_matrix(A):
    B = A * 1.0
    row = B[0]
    row[0] = 5.0
    return np.sum(B)


def appends_to_argument(xs, y):
    xs.append(y * y)
    return sum(xs)


@pytest.mark.parametrize("f, args", [(aliased_list, (1.0,)), (row_of_a_matrix, (np.ones((2, 2)),))])
def test_updating_a_shared_value_in_place_is_an_error(f, args):
    with pytest.raises(s2s.TransformError, match="shares its contents") as info:
        s2s.grad(f)(*args)
    assert "test_language_features.py" in str(info.value)


def test_appending_to_an_argument_leaves_the_callers_list_alone():
    xs = [1.0, 2.0]
    assert s2s.grad(appends_to_argument, wrt=(0, 1))(xs, 3.0) == ([1.0, 1.0], 6.0)
    assert xs == [1.0, 2.0]


def _weighted_by_key_length(x):
    d = {"a": x * 2.0, "bb": np.sin(x)}
    d["ccc"] = x * x
    total = 0.0
    for k in d:  # the keys: no derivative flows through them
        total = total + np.sum(d[k]) * len(k)
    return total


def test_a_loop_over_a_dict_of_differentiated_values_iterates_its_keys():
    x = np.array([0.3, 0.7])
    expected = 2.0 + 2.0 * np.cos(x) + 3.0 * 2.0 * x  # by hand: d/dx of sum(2x) + 2 sum(sin x) + 3 sum(x^2)
    np.testing.assert_allclose(s2s.grad(_weighted_by_key_length)(x), expected, rtol=1e-12)
    np.testing.assert_allclose(s2s.jvp(_weighted_by_key_length)(x, np.ones(2))[1], np.sum(expected), rtol=1e-12)
    np.testing.assert_allclose(s2s.hvp(_weighted_by_key_length)(x, np.ones(2)), -2.0 * np.sin(x) + 6.0, rtol=1e-10)


def _scaled_entries(x):
    return {"b": x[0], "a": x[1] * 2.0}


def _loop_over_a_returned_dict(x):
    d = _scaled_entries(x)  # a dict, known only when the call runs
    total = 0.0
    for k in d:
        total = total + d[k] * d[k] * len(k)
    return total


def _loop_over_a_dict_argument(d):
    return sum(d[k] * 3.0 for k in d)


def _enumerate_a_returned_dict(x):
    total = 0.0
    for i, k in enumerate(_scaled_entries(x)):
        total = total + (i + 1.0) * np.sin(_scaled_entries(x)[k])
    return total


def _loop_over_returned_rows(x):
    rows = list(x * 2.0)  # a list of rows: also a value whose type only the call shows
    total = 0.0
    for r in rows:
        total = total + np.sum(r * r)
    return total


@pytest.mark.parametrize("f", [_loop_over_a_returned_dict, _enumerate_a_returned_dict, _loop_over_returned_rows])
def test_a_loop_over_a_value_whose_type_only_the_call_shows(f):
    # a regression: `for k in d` of a dict returned by a helper raised a TypeError at run time
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(s2s.grad(f)(x), numeric_grad(f, [x]), rtol=1e-6, atol=1e-8)
    v = np.array([0.5, 1.0, -2.0])
    np.testing.assert_allclose(s2s.jvp(f)(x, v)[1], numeric_grad(f, [x]) @ v, rtol=1e-6, atol=1e-8)
    expected = numeric_grad(lambda y: numeric_grad(f, [y], eps=1e-4) @ v, [x], eps=1e-4)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), expected, rtol=1e-4, atol=1e-6)


def test_a_loop_over_a_dict_argument_iterates_its_keys():
    d = {"a": 1.5, "b": -0.5}
    assert s2s.grad(_loop_over_a_dict_argument)(d) == {"a": 3.0, "b": 3.0}


def _swap_items(x):
    y = x * 1.0
    y[0], y[1] = y[1], y[0] * 2.0  # the value first, then each target in order
    return np.sum(y * np.arange(1.0, 4.0))


def _unpack_into_items_and_names(x):
    y = np.zeros(3)
    i = 0
    y[i], i = x[2], 2  # y[0]: the index is read before i is bound again
    y[i], (a, y[1]) = np.sin(x[0]), (x[1], x[1] ** 2)
    return np.sum(y * np.arange(1.0, 4.0)) + a


@pytest.mark.parametrize("f", [_swap_items, _unpack_into_items_and_names])
def test_unpacking_into_items(f):
    x = np.array([0.3, -0.7, 1.1])
    assert s2s.value_and_grad(f)(x)[0] == f(x)
    np.testing.assert_allclose(s2s.grad(f)(x), numeric_grad(f, [x]), rtol=1e-6, atol=1e-8)
    v = np.array([0.5, 1.0, -2.0])
    np.testing.assert_allclose(s2s.jvp(f)(x, v)[1], numeric_grad(f, [x]) @ v, rtol=1e-6, atol=1e-8)
    expected = numeric_grad(lambda y: numeric_grad(f, [y], eps=1e-4) @ v, [x], eps=1e-4)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), expected, rtol=1e-4, atol=1e-6)


def _swap_rows(x):
    y = np.outer(x, x)
    y[0], y[1] = y[1], y[0]  # rows are views: Python leaves y[1] as it was
    return np.sum(y)


def test_unpacking_rows_that_are_views_into_items_is_refused():
    with pytest.raises(s2s.TransformError, match="shares its contents"):
        s2s.grad(_swap_rows)(np.array([0.3, -0.7, 1.1]))


# ------------------------------------- second derivatives through a dict's keys and views


def _sum_over_sorted_keys(d):
    total = 0.0
    for i, k in enumerate(sorted(d)):
        total = total + np.sum(np.sin(d[k])) * (i + 1.0)
    return total


def _sum_over_views(d):
    total = 0.0
    for i, (_k, v) in enumerate(sorted(d.items(), key=operator.itemgetter(0))):
        total = total + np.sum(np.sin(v)) * (i + 1.0)
    for v in d.values():
        total = total + np.sum(np.cos(v) * v)
    for k in sorted(d.keys()):
        total = total + np.sum(np.cos(d[k]))
    return total


@pytest.mark.parametrize("f", [_sum_over_sorted_keys, _sum_over_views])
def test_second_derivatives_through_sorted_keys_and_dict_views(f):
    # regressions (autograd's test_dict through the adapter): the derivative of the
    # sorted keys went to the dict (a TypeError adding a list to it), and the zero
    # tangent of d.keys() was not made
    rs = np.random.RandomState(0)
    d = {"b": rs.randn(2, 3), "a": rs.randn(3), "c": rs.randn(2)}
    v = {k: rs.randn(*np.shape(x)) for k, x in d.items()}
    h = 1e-4
    expected = (f({k: d[k] + h * v[k] for k in d}) - 2 * f(d) + f({k: d[k] - h * v[k] for k in d})) / h**2

    def along(result):
        return sum(np.sum(result[k] * v[k]) for k in d)

    def tangent(x):
        return s2s.jvp(f)(x, v)[1]

    assert along(s2s.hvp(f)(d, v)) == pytest.approx(expected, rel=1e-5)
    assert along(s2s.grad(lambda x: along(s2s.grad(f)(x)))(d)) == pytest.approx(expected, rel=1e-5)
    assert along(s2s.grad(tangent)(d)) == pytest.approx(expected, rel=1e-5)
    assert s2s.jvp(tangent)(d, v)[1] == pytest.approx(expected, rel=1e-5)


# ------------------------------------------------------------------ the builtin dict(...)


def _dict_of_pairs_and_keywords(x):
    d = dict([("a", x), ("b", x * 2.0)], b=np.sin(x))  # the keyword wins over the pair
    return d["a"] * d["b"]


def _dict_of_a_mapping(x):
    d = dict({"a": x * x, "c": 3.0})
    return d["a"] + d["c"] * x


def _dict_of_keywords(x):
    d = dict(a=x, b=x**3)
    return d["a"] * d["b"]


def _dict_where_a_later_pair_wins(x):
    d = dict((("a", x), ("a", x * x)))
    return d["a"] * 2.0


@pytest.mark.parametrize("f", [_dict_of_pairs_and_keywords, _dict_of_a_mapping, _dict_of_keywords, _dict_where_a_later_pair_wins])
def test_the_builtin_dict_in_every_mode(f):
    x, h = 0.7, 1e-3
    first = numeric_grad(f, [x])
    second = (f(x + h) - 2 * f(x) + f(x - h)) / h**2
    assert s2s.grad(f)(x) == pytest.approx(first, rel=1e-7)
    assert s2s.jvp(f)(x, 1.0)[1] == pytest.approx(first, rel=1e-7)
    assert s2s.grad(s2s.grad(f))(x) == pytest.approx(second, rel=1e-5)
    assert s2s.hvp(f)(x, 1.0) == pytest.approx(second, rel=1e-5)
    assert s2s.grad(lambda y: s2s.jvp(f)(y, 1.0)[1])(x) == pytest.approx(second, rel=1e-5)


def _dict_of_a_parameter(p):
    q = dict(p, c=p["a"] * 2.0)
    return q["a"] * q["c"] + np.sum(q["b"] ** 2)


def test_the_builtin_dict_of_a_differentiated_dict():
    p = {"a": 0.5, "b": np.array([1.0, 2.0])}
    g = s2s.grad(_dict_of_a_parameter)(p)
    assert g["a"] == pytest.approx(4 * p["a"]) and np.allclose(g["b"], 2 * p["b"])  # d/da 2a^2, d/db |b|^2
    assert s2s.hvp(_dict_of_a_parameter)(p, {"a": 1.0, "b": np.zeros(2)})["a"] == pytest.approx(4.0)


def _dict_of_keyword_unpacking(m):
    return dict(**m)["a"]


def _dict_of_a_kept_iterator(x, y):
    pairs = zip(["a", "b"], [x, y])  # consumed at once (dict(zip(...))), it would be a list
    return dict(pairs)["a"]


def test_the_builtin_dict_of_what_it_cannot_follow_is_a_located_error():
    with pytest.raises(s2s.TransformError, match="dict.* with \\* or \\*\\* arguments is not supported") as info:
        s2s.grad(_dict_of_keyword_unpacking)({"a": 1.0})
    assert "test_language_features.py" in str(info.value)
    with pytest.raises(s2s.TransformError, match="no derivative rule for zip"):
        s2s.grad(_dict_of_a_kept_iterator)(0.3, 0.4)


def _list_copied_then_grown(x):
    items = [x, 2.0 * x]
    grown = items.copy()
    grown.append(3.0 * x)
    grown[0] = grown[0] * x
    return sum(grown) * len(grown) + len(items) * items[0]


def _dict_copied_then_set(x):
    d = {"a": x, "b": 2.0 * x}
    e = d.copy()
    e["c"] = 3.0 * x
    e["a"] = e["a"] * e["b"]
    return e["a"] * e["c"] + len(d) * d["a"]


def _array_copied_then_updated(x):
    y = x.copy()
    y[0] = y[0] * x[1]
    return np.sum(y * x)


@pytest.mark.parametrize("f, df", [
    (_list_copied_then_grown, lambda x: 3.0 * (2.0 * x + 5.0) + 2.0),  # 3 (x^2 + 5x) + 2x
    (_dict_copied_then_set, lambda x: 18.0 * x ** 2 + 2.0),  # 2x^2 * 3x + 2x
], ids=["list", "dict"])
def test_copy_of_a_list_or_dict_is_one_of_its_own_type(f, df):
    # regression: .copy() was taken for np.copy whatever the receiver: a list became an
    # array (no append) and a dict a 0-d object array (an IndexError in the derivative)
    x = 0.7
    assert s2s.value_and_grad(f)(x) == pytest.approx((f(x), df(x)), rel=1e-12)
    assert s2s.jvp(f)(x, 1.0)[1] == pytest.approx(df(x), rel=1e-12)
    assert s2s.hvp(f)(x, 1.0) == pytest.approx((df(x + 1e-6) - df(x - 1e-6)) / 2e-6, rel=1e-6)


def test_copy_of_an_array_leaves_the_original_alone(rng):
    x = rng.randn(3)
    np.testing.assert_allclose(s2s.grad(_array_copied_then_updated)(x),
                               numeric_grad(_array_copied_then_updated, [x], wrt=0), rtol=1e-7)


def returns_nothing(values, flag):
    pass


def bare_return(x):
    y = x * 2.0  # noqa: F841 - computed, not returned
    return


def test_a_function_that_returns_nothing_returns_none():
    # Python returns None from a bare `return` and at the end of a body, as from `return None`
    for f in (bare_return, lambda x: returns_nothing([x], x > 0.0)):
        value, pullback = s2s.vjp(f)(0.7)
        assert value is None and pullback(None) == 0.0
        assert s2s.jvp(f)(0.7, 1.0) == (None, None)


def logs_through_a_partial(x):
    logged = functools.partial(returns_nothing, [x, x])(x > 1.0)
    if x > 5.0:
        return logged
    return x * x


def test_second_derivatives_through_a_call_that_returns_nothing():
    x = 0.7  # d/dx x^2 = 2x, d2/dx2 = 2
    assert s2s.grad(logs_through_a_partial)(x) == pytest.approx(2 * x)
    assert s2s.hessian(logs_through_a_partial)(x) == pytest.approx(2.0)
    assert s2s.grad(s2s.grad(logs_through_a_partial))(x) == pytest.approx(2.0)
    assert s2s.hvp(logs_through_a_partial)(x, 0.5) == pytest.approx(1.0)
