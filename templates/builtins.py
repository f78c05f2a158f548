"""Python's builtins over iterables (sum, max, min, sorted, tuple), `dict(...)` and the
dicts that comprehensions build.

`max(a, b)` arrives here as `max([a, b])` and `reversed(xs)` as `xs[::-1]` (see
passes/comprehensions.py), so each builtin has one rule, over one iterable. The
derivative of an iterable is a list (an array for an array), None being a zero.
`abs` and `pow` are in operators.py; `len` and `range` carry no derivative
(nondiff.py); `zip` and `enumerate` are loop forms (passes/loops.py).
"""
import builtins

import numpy as np

from s2s.declare import linear, rule_table
from s2s.rules import adjoint, constant_in, non_differentiable, tangent
from s2s.runtime import (
    build_dict_grad,
    build_dict_part,
    dict_from,
    dict_values_grad,
    extremum_weights,
    scale_each,
    sort_order,
    sum_grad,
    sum_like,
    unpermute,
    weighted_sum,
)

# (adjoint, tangent)
rule_table({
    "builtins.sum(iterable, start=0)": (
        "d[iterable] = sum_grad(d[result], iterable); d[start] = unbroadcast(d[result], start)",
        "d[result] = sum_like(d[iterable], result) + d[start]"),
    "builtins.sorted(iterable, *, key=None, reverse=False)": (
        "d[iterable] = unpermute(d[result], sort_order(iterable, key, reverse), iterable)",
        "d[result] = permute(d[iterable], sort_order(iterable, key, reverse))"),
    "builtins.tuple(iterable=())": ("d[iterable] = pack_like(iterable, d[result])",
                                    "d[result] = unpack_grad(d[iterable], iterable)"),
})


# The gradient goes to the selected item; ties split it evenly, like np.max's. The key
# only decides which item is selected, and `default` is the result of an empty iterable.
@adjoint(builtins.max, builtins.min)
def extremum(result, iterable, *, key=None, default=None):
    d[iterable] = scale_each(d[result], extremum_weights(iterable, result))
    d[default] = d[result] * (np.size(iterable) == 0)


@tangent(builtins.max, builtins.min)
def extremum(result, iterable, *, key=None, default=None):
    d[result] = weighted_sum(d[iterable], extremum_weights(iterable, result)) + d[default] * (np.size(iterable) == 0)


# ---- the runtime helpers these rules and dict comprehensions call: each is linear in its
# derivative argument, and pairs with its transpose (dict_from / dict_values_grad,
# sum_grad / sum_like, scale_each / weighted_sum, permute / unpermute).
rule_table({
    "build_dict(args, kwargs)": (
        'd[args] = build_dict_grad(d[result], args, kwargs, "args");'
        ' d[kwargs] = build_dict_grad(d[result], args, kwargs, "kwargs")',
        'd[result] = add_grad(build_dict_part(args, kwargs, d[args], "args"),'
        ' build_dict_part(args, kwargs, d[kwargs], "kwargs"))'),
})
linear({
    "build_dict_grad(d_dict, args, kwargs, part)": "d[d_dict] = build_dict_part(args, kwargs, d[result], part)",
    "build_dict_part(args, kwargs, d_part, part)": "d[d_part] = build_dict_grad(d[result], args, kwargs, part)",
    "dict_from(keys, values)": "d[values] = dict_values_grad(d[result], keys, values)",
    "dict_values_grad(d_dict, keys, values)": "d[d_dict] = dict_from(keys, d[result])",
    "sum_grad(g, items)": "d[g] = sum_like(d[result], g)",
    "sum_like(gs, like)": "d[gs] = sum_grad(d[result], gs)",
    "scale_each(g, weights)": "d[g] = weighted_sum(d[result], weights)",
    "weighted_sum(gs, weights)": "d[gs] = scale_each(d[result], weights)",
    "permute(gs, order)": "d[gs] = unpermute(d[result], order, gs)",
    "unpermute(g, order, like)": "d[g] = permute(d[result], order)",
})
non_differentiable(builtins.any, builtins.all, extremum_weights, sort_order)


# Read only for shapes and types; the weights of max/min among items (extremum_weights)
# are piecewise constant, as is the choice a key function makes.
constant_in(build_dict_grad, "args", "kwargs")
constant_in(build_dict_part, "args", "kwargs")
constant_in(dict_from, "keys")
constant_in(dict_values_grad, "keys", "values")
constant_in(sum_grad, "items")
constant_in(sum_like, "like")
constant_in(unpermute, "like")
constant_in(scale_each, "weights")
constant_in(weighted_sum, "weights")
constant_in(builtins.max, "key")
constant_in(builtins.min, "key")
constant_in(builtins.sorted, "key")
