"""The helpers of s2s.runtime that derivative rules call, checked directly.

A helper that computes the vector-Jacobian product of a primitive P must satisfy the
adjoint identity <g, J v> == <J^T g, v>, with J v taken from central differences of P.
"""
import collections
import copy
import dataclasses

import numpy as np
import pytest
from conftest import directional, random_like, tree_map, vdot

from s2s import runtime as rt


def check_vjp(rng, primitive, args, vjps):
    """`vjps[i](g, *args)` must be the VJP of `primitive` with respect to `args[i]`."""
    saved = copy.deepcopy(args)
    out = primitive(*args)
    g = random_like(rng, out)
    for i, vjp in vjps.items():
        v = random_like(rng, args[i])
        directions = [v if j == i else None for j in range(len(args))]
        jv = directional(primitive, args, directions)
        gv = vjp(g, *args)
        assert [np.shape(p) for p in _leaves(gv)] == [np.shape(p) for p in _leaves(args[i])]
        assert vdot(g, jv) == pytest.approx(vdot(gv, v), rel=1e-6, abs=1e-8)
    for a, b in zip(_leaves(args), _leaves(saved)):  # helpers never mutate their inputs
        np.testing.assert_array_equal(a, b)


def _leaves(x):
    return [leaf for item in x for leaf in _leaves(item)] if isinstance(x, (list, tuple)) else [x]


# ----------------------------------------------------------------- broadcasting


@pytest.mark.parametrize(
    "shape, like",
    [((3, 4), (4,)), ((3, 4), (3, 1)), ((3, 4), ()), ((3, 4), (1, 4)), ((2, 3, 4), (3, 1)), ((3,), (3,))],
)
def test_unbroadcast_is_the_adjoint_of_broadcasting(rng, shape, like):
    x = rng.randn(*like)
    check_vjp(rng, lambda x: np.broadcast_to(x, shape) * 1.0, [x], {0: lambda g, x: rt.unbroadcast(g, x)})


def test_unbroadcast_to_a_python_float(rng):
    assert rt.unbroadcast(np.ones((2, 3)), 1.5) == pytest.approx(6.0)


@pytest.mark.parametrize("shape, like", [((4,), (3, 4)), ((3, 1), (3, 4)), ((), (2, 3)), ((2, 3), (2, 3))])
def test_broadcast_like_is_the_adjoint_of_unbroadcast(rng, shape, like):
    x = rng.randn(*shape)
    target = np.zeros(like)
    check_vjp(rng, lambda x: rt.broadcast_like(x, target), [x], {0: lambda g, x: rt.unbroadcast(g, x)})
    out = rt.broadcast_like(x, target)
    assert out.shape == like
    if shape != like:
        out[...] = 0.0  # a fresh, writable array


# ----------------------------------------------------------------- reductions

REDUCTIONS = [
    ((5,), None, False), ((5,), 0, True), ((3, 4), None, False), ((3, 4), None, True), ((3, 4), 0, False),
    ((3, 4), -1, True), ((2, 3, 4), (0, 2), False), ((2, 3, 4), (0, -1), True), ((2, 3, 4), 1, False),
    ((1, 3), 0, True), ((), None, False),
]


@pytest.mark.parametrize("shape, axis, keepdims", REDUCTIONS)
def test_grad_reduce_is_the_vjp_of_sum(rng, shape, axis, keepdims):
    x = rng.randn(*shape)
    check_vjp(
        rng,
        lambda x: np.sum(x, axis=axis, keepdims=keepdims),
        [x],
        {0: lambda g, x: rt.grad_reduce(g, x, axis, keepdims)},
    )


def test_grad_reduce_of_a_python_float():
    assert rt.grad_reduce(2.0, 3.0) == 2.0


@pytest.mark.parametrize("shape, axis, keepdims", REDUCTIONS)
def test_prod_others_gives_the_vjp_of_prod(rng, shape, axis, keepdims):
    x = rng.randn(*shape)
    check_vjp(
        rng,
        lambda x: np.prod(x, axis=axis, keepdims=keepdims),
        [x],
        {0: lambda g, x: rt.grad_reduce(g, x, axis, keepdims) * rt.prod_others(x, axis)},
    )


def test_prod_others_is_exact_at_zeros():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0]])
    np.testing.assert_allclose(rt.prod_others(x, 1), [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(rt.prod_others(x[0]), [0.0, 6.0, 0.0])
    brute = [np.prod(np.delete(x.ravel(), i)) for i in range(x.size)]
    np.testing.assert_allclose(rt.prod_others(x), np.reshape(brute, x.shape))
    assert rt.prod_others(4.0) == 1.0


def test_tie_weights_split_evenly():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    np.testing.assert_allclose(rt.tie_weights(x, np.max(x)), [[0, 0.5, 0.5], [0, 0, 0]])
    np.testing.assert_allclose(rt.tie_weights(x, np.max(x, axis=1), 1), [[0, 0.5, 0.5], [1, 0, 0]])
    m = np.min(x, axis=0, keepdims=True)
    np.testing.assert_allclose(rt.tie_weights(x, m, 0, True), [[1, 0, 0], [0, 1, 1]])
    assert rt.tie_weights(2.0, 2.0) == 1.0


@pytest.mark.parametrize(
    "shape, axis", [((5,), None), ((5,), 0), ((3, 4), None), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1)]
)
def test_cumsum_grad_is_the_vjp_of_cumsum(rng, shape, axis):
    x = rng.randn(*shape)
    check_vjp(rng, lambda x: np.cumsum(x, axis=axis), [x], {0: lambda g, x: rt.cumsum_grad(g, x, axis)})


# ----------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    "shape, axes", [((2, 3), None), ((2, 3, 4), None), ((2, 3, 4), (1, 2, 0)), ((2, 3, 4), (-1, 0, 1)), ((5,), (0,))]
)
def test_inverse_axes_undoes_transpose(rng, shape, axes):
    x = rng.randn(*shape)
    y = np.transpose(x, axes)
    np.testing.assert_array_equal(np.transpose(y, rt.inverse_axes(axes, x.ndim)), x)


# ----------------------------------------------------------------- products

DOT_SHAPES = [
    ((), (3,)), ((3,), ()), ((), ()), ((), (2, 3)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((2, 5, 3), (4, 3, 6)), ((3,), (2, 3, 4)), ((2, 3), (5, 3, 4)), ((2, 2, 3), (3,)),
]


@pytest.mark.parametrize("sa, sb", DOT_SHAPES)
def test_dot_grads_are_the_vjps_of_dot(rng, sa, sb):
    a, b = rng.randn(*sa), rng.randn(*sb)
    check_vjp(rng, np.dot, [a, b], {0: rt.dot_grad_left, 1: rt.dot_grad_right})


def test_dot_grads_with_python_floats(rng):
    b = rng.randn(3)
    check_vjp(rng, np.dot, [1.5, b], {0: rt.dot_grad_left, 1: rt.dot_grad_right})


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
    ((5, 1, 2, 3), (4, 3, 2)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)), ((1, 2, 3), (4, 3, 2)),
]


@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES)
def test_matmul_grads_are_the_vjps_of_matmul(rng, sa, sb):
    a, b = rng.randn(*sa), rng.randn(*sb)
    check_vjp(rng, np.matmul, [a, b], {0: rt.matmul_grad_left, 1: rt.matmul_grad_right})


TENSORDOT_CASES = [
    ((3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2), ((2, 3), (4, 5), 0), ((3,), (3,), 1), ((), (2, 3), 0),
    ((2, 3, 4), (4, 2, 5), ([0, 2], [1, 0])), ((3, 4, 2), (2, 4), ([-1, 1], [0, -1])), ((3, 4), (5, 3), (0, 1)),
    ((2, 3, 4), (4, 3, 2), ((2, 1, 0), (0, 1, 2))),
]


@pytest.mark.parametrize("sa, sb, axes", TENSORDOT_CASES)
def test_tensordot_grads_are_the_vjps_of_tensordot(rng, sa, sb, axes):
    a, b = rng.randn(*sa), rng.randn(*sb)
    check_vjp(
        rng,
        lambda a, b: np.tensordot(a, b, axes),
        [a, b],
        {
            0: lambda g, a, b: rt.tensordot_grad_left(g, a, b, axes),
            1: lambda g, a, b: rt.tensordot_grad_right(g, a, b, axes),
        },
    )


# ----------------------------------------------------------------- lists and arrays

CONCAT_CASES = [
    ([(2,), (3,), (1,)], 0), ([(2, 3), (4, 3)], 0), ([(3, 2), (3, 4), (3, 1)], 1), ([(3, 2), (3, 4)], -1),
    ([(2, 3), (5,), (1, 1)], None), ([(4,)], 0),
]


@pytest.mark.parametrize("shapes, axis", CONCAT_CASES)
def test_split_like_is_the_vjp_of_concatenate(rng, shapes, axis):
    arrays = [rng.randn(*s) for s in shapes]
    check_vjp(
        rng,
        lambda arrays: np.concatenate(arrays, axis=axis),
        [arrays],
        {0: lambda g, arrays: rt.split_like(g, arrays, axis)},
    )
    assert isinstance(rt.split_like(np.concatenate(arrays, axis=axis), arrays, axis), list)


@pytest.mark.parametrize("shapes, axis", CONCAT_CASES)
def test_concat_like_is_the_jvp_of_concatenate_and_none_is_zero(rng, shapes, axis):
    arrays = [rng.randn(*s) for s in shapes]
    tangents = [rng.randn(*s) for s in shapes]
    expected = directional(lambda arrays: np.concatenate(arrays, axis=axis), [arrays], [tangents])
    np.testing.assert_allclose(rt.concat_like(tangents, arrays, axis), expected, rtol=1e-6, atol=1e-8)
    some = [None] + tangents[1:]
    zeroed = [np.zeros(shapes[0])] + tangents[1:]
    np.testing.assert_array_equal(rt.concat_like(some, arrays, axis), np.concatenate(zeroed, axis=axis))
    assert not np.any(rt.concat_like(None, arrays, axis)) and rt.concat_like(None, arrays, axis).shape == expected.shape


@pytest.mark.parametrize("shape, n, axis", [((), 3, 0), ((4,), 2, 0), ((4,), 3, 1), ((2, 3), 4, -1), ((2, 3), 2, 1)])
def test_unstack_is_the_vjp_of_stack(rng, shape, n, axis):
    arrays = [rng.randn(*shape) for _ in range(n)]
    check_vjp(
        rng, lambda arrays: np.stack(arrays, axis=axis), [arrays], {0: lambda g, arrays: rt.unstack(g, arrays, axis)}
    )
    tangents = [None] + [rng.randn(*shape) for _ in range(n - 1)]
    np.testing.assert_array_equal(
        rt.stack_like(tangents, arrays, axis), np.stack([np.zeros(shape)] + tangents[1:], axis=axis)
    )
    np.testing.assert_array_equal(rt.stack_like(None, arrays, axis), np.zeros(np.stack(arrays, axis=axis).shape))


def nested(rng):
    return [[1.5, rng.randn(3)[0]], [rng.randn(), -0.5]]


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: [float(v) for v in rng.randn(4)],
        lambda rng: [[float(v) for v in row] for row in rng.randn(2, 3)],
        lambda rng: [rng.randn(3), rng.randn(3)],
        lambda rng: (rng.randn(2, 2), [rng.randn(2), rng.randn(2)]),
        lambda rng: rng.randn(2, 3),
    ],
)
def test_array_grad_is_the_vjp_of_array_and_keeps_the_structure(rng, make):
    obj = make(rng)
    check_vjp(rng, lambda obj: np.array(obj), [obj], {0: lambda g, obj: rt.array_grad(g, obj)})
    g = rt.array_grad(np.array(obj), obj)
    assert type(g) is type(obj)
    tangent = random_like(rng, obj)
    np.testing.assert_allclose(rt.array_like(tangent, obj), np.array(tangent))


def test_array_grad_with_ndmin_and_tuples(rng):
    obj = (1.0, 2.0, 3.0)
    g = rt.array_grad(np.array([[4.0, 5.0, 6.0]]), obj)  # np.array(obj, ndmin=2)
    assert g == (4.0, 5.0, 6.0)
    obj = [rng.randn(2)]
    g = rt.array_grad(np.ones((1, 1, 2)), obj)  # np.array(obj, ndmin=3)
    assert len(g) == 1 and g[0].shape == (2,)
    np.testing.assert_array_equal(rt.array_like([None, 2.0], [1.0, 3.0]), [0.0, 2.0])
    np.testing.assert_array_equal(rt.array_like([None, np.ones(2)], [np.ones(2), np.ones(2)]), [[0, 0], [1, 1]])


# ----------------------------------------------------------------- add_at, zeros_like, match_like


def test_add_at_accumulates_repeated_integer_indices():
    x = np.zeros(4)
    d = rt.add_at(None, x, np.array([0, 2, 0, 0]), np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(d, [8.0, 0.0, 2.0, 0.0])
    d2 = rt.add_at(d, x, [1, 1], np.array([1.0, 1.0]))
    np.testing.assert_array_equal(d2, [8.0, 2.0, 2.0, 0.0])
    np.testing.assert_array_equal(d, [8.0, 0.0, 2.0, 0.0])  # never mutates


def test_add_at_boolean_masks_slices_and_tuples():
    x = np.arange(6.0).reshape(2, 3)
    d = rt.add_at(None, x, x > 2, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(d, [[0, 0, 0], [1, 2, 3]])
    d = rt.add_at(d, x, (slice(None), 1), np.array([10.0, 20.0]))
    np.testing.assert_array_equal(d, [[0, 10, 0], [1, 22, 3]])
    d = rt.add_at(d, x, (0, 0), 5.0)
    assert d[0, 0] == 5.0
    d = rt.add_at(d, x, (np.array([1, 1]), np.array([2, 2])), np.array([1.0, 1.0]))
    assert d[1, 2] == 5.0


def _is_zero(g):
    """A zero adjoint: None (a lazy zero) or real zeros."""
    return g is None or not np.any(g)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("index", [slice(1, None), slice(None, -1), slice(None, None, 2)])
def test_add_at_of_a_slice_into_no_adjoint_yet(dtype, index):
    x = np.arange(6).astype(dtype)
    d_item = np.linspace(-1.0, 1.0, len(x[index]))  # float64
    expected = np.zeros(6, dtype=np.result_type(dtype, np.float64))
    np.add.at(expected, np.arange(6)[index], d_item)
    d = rt.add_at(None, x, index, d_item)
    assert d.dtype == expected.dtype
    np.testing.assert_array_equal(d, expected)
    np.testing.assert_array_equal(x, np.arange(6).astype(dtype))  # the primal is untouched
    d_item[0] = 7.0
    assert d[index][0] != 7.0  # the adjoint holds its own copy of the item


def test_add_at_on_lists_and_dicts():
    xs = [1.0, np.ones(2), 3.0]
    d = rt.add_at(None, xs, 1, np.array([1.0, 2.0]))
    assert isinstance(d, list) and _is_zero(d[0]) and _is_zero(d[2])
    np.testing.assert_array_equal(d[1], [1.0, 2.0])
    d2 = rt.add_at(d, xs, slice(0, 3, 2), [1.0, 2.0])
    assert d2[0] == 1.0 and d2[2] == 2.0 and _is_zero(d[0])  # never mutates
    d3 = rt.add_at(d2, xs, 0, 1.5)
    assert d3[0] == 2.5
    t = rt.add_at(None, (1.0, 2.0), 0, 1.0)
    assert isinstance(t, tuple) and t[0] == 1.0 and _is_zero(t[1])
    d = rt.add_at(None, {"a": 1.0, "b": 2.0}, "b", 3.0)
    assert d["b"] == 3.0 and _is_zero(d["a"])


Point = collections.namedtuple("Point", "x y")


@dataclasses.dataclass
class Params:
    w: np.ndarray
    scale: float
    name: str = "p"


def test_zeros_like_keeps_the_structure():
    x = {"a": [1.0, np.ones(2)], "b": (3, "s"), "p": Point(1.0, np.ones(3)), "q": Params(np.ones(2), 1.0)}
    z = rt.zeros_like(x)
    assert set(z) == set(x) and all(_is_zero(v) or type(v) is type(x[k]) for k, v in z.items())
    real = rt.match_like(z, x)  # lazy zeros made real, in the structure of x
    assert real["a"][0] == 0.0 and real["a"][1].tolist() == [0.0, 0.0]
    assert real["b"][0] == 0.0 and real["b"][1] is None
    assert isinstance(real["p"], Point) and real["p"].y.tolist() == [0.0] * 3
    assert isinstance(real["q"], Params) and real["q"].scale == 0.0 and real["q"].w.shape == (2,)
    assert rt.zeros_like(2.0) == 0.0 and rt.zeros_like(None) is None
    assert rt.zeros_like(np.arange(3)).dtype == float and rt.zeros_like(np.ones(2, np.float32)).dtype == np.float32


def test_match_like_gives_the_argument_type_shape_and_dtype():
    assert type(rt.match_like(np.float64(2.0), 1.0)) is float
    assert type(rt.match_like(np.array(2.0), 1)) is float
    out = rt.match_like(1.0, np.ones((2, 2), dtype=np.float32))
    assert out.shape == (2, 2) and out.dtype == np.float32
    assert rt.match_like(None, np.ones(2)).tolist() == [0.0, 0.0]
    g = rt.match_like([np.float64(1.0), None], [2.0, np.ones(2)])
    assert type(g[0]) is float and g[1].tolist() == [0.0, 0.0]
    p = rt.match_like(Point(np.float64(1.0), 2.0), Point(1.0, 2.0))
    assert isinstance(p, Point) and type(p.x) is float
    tree_map(lambda a: a, [1.0])  # conftest helpers import cleanly
