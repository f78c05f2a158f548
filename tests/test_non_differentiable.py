"""Every function declared non-differentiable really is: its output does not move when
its float inputs are perturbed (this is how np.full and np.linspace, once declared so
by mistake, would have been caught). Functions without float inputs, and the few whose
zero derivative is their purpose, are listed with the reason."""
import builtins
import math
import operator

import numpy as np
import pytest
import scipy.special  # noqa: F401 - registers the SciPy rules, and their declarations

from s2s import ode, rules
from s2s import runtime as rt

X = np.array([0.3, -1.7, 2.4, 0.9])
M = np.array([[1.3, -0.4], [0.2, 2.6]])

# primitive -> arguments (float values are perturbed); None in place of a value: see the
# argument builder
FLOAT_INPUTS = {
    np.floor: (X,), np.ceil: (X,), np.round: (X,), np.around: (X,), np.rint: (X,), np.trunc: (X,),
    np.fix: (X,), np.sign: (X,), np.floor_divide: (X, 0.7), operator.floordiv: (2.3, 0.7),
    np.argmax: (X,), np.argmin: (X,), np.argsort: (X,), np.nonzero: (X,), np.flatnonzero: (X,),
    np.searchsorted: (np.sort(X), X + 0.05), np.argpartition: (X, 2),
    np.isnan: (X,), np.isinf: (X,), np.isfinite: (X,), np.isclose: (X, X + 0.5), np.allclose: (X, X + 0.5),
    np.array_equal: (X, X + 0.5), np.any: (X,), np.all: (X,), np.count_nonzero: (X,),
    np.greater: (X, 0.5), np.less: (X, 0.5), np.equal: (X, 0.5), np.not_equal: (X, 0.5),
    np.greater_equal: (X, 0.5), np.less_equal: (X, 0.5), np.logical_and: (X, 0.5), np.logical_or: (X, 0.0),
    np.logical_not: (X,), np.logical_xor: (X, 0.5),
    operator.lt: (0.3, 0.5), operator.le: (0.3, 0.5), operator.eq: (0.3, 0.5), operator.ne: (0.3, 0.5),
    operator.gt: (0.3, 0.5), operator.ge: (0.3, 0.5), operator.not_: (0.3,), operator.truth: (0.3,),
    operator.is_: (0.3, 0.5), operator.is_not: (0.3, 0.5), operator.contains: ([0.3, 0.5], 0.4),
    np.zeros_like: (X,), np.ones_like: (X,), np.shape: (X,), np.ndim: (X,), np.size: (X,),
    np.result_type: (X, 0.5), math.floor: (2.3,), math.ceil: (2.3,), math.trunc: (2.3,), math.isnan: (2.3,),
    math.isinf: (2.3,), math.isfinite: (2.3,), builtins.len: ([0.3, 0.5],), builtins.int: (2.3,),
    builtins.bool: (2.3,), builtins.round: (2.3,), builtins.isinstance: (2.3, float), builtins.type: (2.3,),
    builtins.any: ([0.3, 1.2],), builtins.all: ([0.3, 1.2],),
    np.int8: (2.3,), np.int16: (2.3,), np.int32: (2.3,), np.int64: (X,), np.uint8: (2.3,), np.uint16: (2.3,),
    np.uint32: (2.3,), np.uint64: (2.3,), np.bool_: (X,),
    np.random.binomial: (10, 0.3), np.random.poisson: (2.5,), np.random.geometric: (0.3,),
    np.random.negative_binomial: (3, 0.4), np.random.zipf: (2.5,), np.random.logseries: (0.6,),
    np.random.multinomial: (5, [0.2, 0.8]), np.random.hypergeometric: (5, 4, 3),
    rt.ones_like_output: (2.3,), rt.real_output_seed: ((X, 2.3),), rt.shape_stand_in: (X,), rt.ones_like: (X,), rt.zeros_like: (X,), rt.tangent_zeros: (X,),
    rt.unit_like: (X, 1), rt.seq_len: ([0.3, 0.5],), rt.size: (X,), rt.cleared: (X,), rt.dict_keys: ({"a": 0.3, "b": X},),
    rt.last_writes: (X, np.array([0, 0, 1])), rt.rounds: (np.zeros(3, dtype=int), X),
    rt.tie_weights: (X, None), rt.extremum_weights: ([0.3, 2.4, 1.0], None), rt.sort_order: ([0.3, 2.4, 1.0],),
    rt.norm_two_scale: (X, 1), rt.norm_power: (X, 3), rt.norm_kink_weights: (X, None, 1),
    rt.kron_shapes: (M, X), rt.inner_axes: (M, X), rt.fft_axes: (M, None, (0,)), rt.reduced_svd_only: (M, True),
    scipy.special.gammasgn: (X,), rt.kron_subscripts: (M, X, 0), rt.inverse_axes: ((1, 0), 2),
    rt.einsum_has_subscripts: (M,), rt.einsum_sublist_subscripts: (M, ([0, 27],), [27]),
    operator.and_: (3, 5), operator.or_: (3, 5), operator.xor: (3, 5), operator.invert: (3,),
    operator.lshift: (3, 1), operator.rshift: (3, 1), ode.shapes_of: ((X, 2.3),),
}
RESULT_OF = {  # helpers whose second argument is the first's extremum or norm
    rt.tie_weights: np.max, rt.extremum_weights: max, rt.norm_kink_weights: lambda x: np.linalg.norm(x, 1),
}

NO_FLOAT_INPUTS = {  # declarations whose arguments are shapes, sizes, indices, seeds or dtypes
    np.zeros, np.ones, np.empty, np.eye, np.identity, np.issubdtype, np.dtype, builtins.range, builtins.slice,
    builtins.print,
    np.random.seed, np.random.get_state, np.random.set_state, np.random.default_rng, np.random.RandomState,
    np.random.rand, np.random.randn, np.random.random, np.random.random_sample, np.random.ranf,
    np.random.sample, np.random.standard_normal, np.random.standard_cauchy, np.random.standard_exponential,
    np.random.bytes, np.random.randint, np.random.random_integers, np.random.shuffle,
    ode.flat_field,  # a function and shapes
}
ZERO_BY_DESIGN = {
    rt.no_derivative: "raises: a rule's refusal for an argument it has no derivative for",
    np.empty_like: "its values are whatever memory held; only its shape is defined",
    builtins.str: "text, not a number", builtins.repr: "text, not a number",
    rt.stop_gradient: "the user's request for no derivative",
}


def _perturbed(args, t, rng):
    def move(a):
        if isinstance(a, float):
            return a + t * rng.randn()
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            return a + t * rng.randn(*a.shape)
        if isinstance(a, list):
            return [move(x) for x in a]
        return a
    return [move(a) for a in args]


def _call(prim, args):
    if prim in RESULT_OF:
        args = list(args)
        args[1] = RESULT_OF[prim](args[0])
    if getattr(prim, "__module__", "").startswith("numpy.random") or prim in vars(np.random).values():
        np.random.seed(0)
    return prim(*args)


def _same(a, b):
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b))
    return np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("prim", list(FLOAT_INPUTS), ids=lambda p: getattr(p, "__name__", repr(p)))
def test_output_does_not_move_with_float_inputs(prim):
    assert rules.is_non_differentiable(prim)
    args = FLOAT_INPUTS[prim]
    before = _call(prim, args)
    for seed in range(3):
        after = _call(prim, _perturbed(args, 1e-6, np.random.RandomState(seed)))
        assert _same(before, after), f"{prim} moved: {before} -> {after}"


def test_every_declaration_is_checked_or_explained():
    rules._load_templates()
    declared = list(rules._NON_DIFFERENTIABLE.values())
    listed = set(FLOAT_INPUTS) | NO_FLOAT_INPUTS | set(ZERO_BY_DESIGN)
    missing = [p for p in declared if p not in listed]
    assert not missing, [getattr(p, "__name__", p) for p in missing]


@pytest.mark.parametrize("draw", [np.random.normal, np.random.uniform, np.random.choice, np.random.permutation])
def test_draws_that_move_with_their_arguments_are_not_declared(draw):
    assert not rules.is_non_differentiable(draw)
