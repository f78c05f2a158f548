"""Functions whose outputs carry no derivative.

Rounding, signs, comparisons, predicates, indices, shapes and sizes are piecewise
constant or not real-valued, and constructors and random draws do not depend on
differentiable inputs: their derivative is zero (or absent) wherever it exists.
"""
import builtins
import math
import operator

import numpy as np

from s2s import runtime
from s2s.rules import non_differentiable

# rounding and signs
non_differentiable(
    np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix, np.sign,
    np.floor_divide, operator.floordiv,
)

# indices, searches and predicates on values
non_differentiable(
    np.argmax, np.argmin, np.argsort, np.nonzero, np.flatnonzero, np.searchsorted,
    np.isnan, np.isinf, np.isfinite, np.isclose, np.allclose, np.array_equal,
    np.any, np.all, np.count_nonzero,
)

# comparisons and logic
non_differentiable(
    np.greater, np.less, np.equal, np.not_equal, np.greater_equal, np.less_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    operator.lt, operator.le, operator.eq, operator.ne, operator.gt, operator.ge,
    operator.not_, operator.truth, operator.is_, operator.is_not, operator.contains,
)

# constructors
non_differentiable(
    np.zeros, np.ones, np.empty, np.eye, np.identity, np.zeros_like, np.ones_like, np.empty_like,
)

# shapes, sizes and types
non_differentiable(
    np.shape, np.ndim, np.size, np.result_type, np.issubdtype, np.dtype,
)

# random draws that take no float parameter or give integers. A draw from a continuous
# distribution moves with its parameters (np.random.normal(mu) with mu), and choice and
# permutation move the elements they are given: those have no rule, so s2s refuses to
# differentiate them with respect to an active argument.
non_differentiable(
    np.random.seed, np.random.get_state, np.random.set_state, np.random.default_rng, np.random.RandomState,
    np.random.rand, np.random.randn, np.random.random, np.random.random_sample, np.random.ranf, np.random.sample,
    np.random.standard_normal, np.random.standard_cauchy, np.random.standard_exponential, np.random.bytes,
    np.random.randint, np.random.random_integers, np.random.binomial, np.random.poisson, np.random.geometric,
    np.random.hypergeometric, np.random.negative_binomial, np.random.zipf, np.random.logseries,
    np.random.multinomial, np.random.shuffle,
)

# the math module
non_differentiable(math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite)

# builtins
non_differentiable(
    builtins.len, builtins.range, builtins.slice, builtins.int, builtins.bool, builtins.round,
    builtins.isinstance, builtins.type, builtins.print, builtins.str, builtins.repr,
)

# helpers that rules call for masks and axes
non_differentiable(runtime.tie_weights, runtime.last_writes, runtime.inverse_axes, runtime.size, runtime.dict_keys)
