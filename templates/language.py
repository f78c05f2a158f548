"""Python's own operations on values: indexing, attributes, lists built in place."""
import operator

from s2s import runtime
from s2s.declare import linear
from s2s.rules import adjoint, always_run, non_differentiable, none_aware, shape_only, tangent
from s2s.runtime import (
    add_at,
    append_tangent,
    as_in_place,
    default_grad,
    dict_get,
    drop_last,
    filled_tangent,
    get_grad,
    last_grad,
    list_append,
    list_pop,
    loop_item,
    loop_item_grad,
    loop_item_tangent,
    restore_item,
    saved_item,
    setitem,
    setitem_tangent,
    take_grad,
    zero_at,
)


@adjoint(operator.getitem, saved_item)
def getitem(result, x, index):
    d[x] = add_at(d[x], x, index, d[result])


@tangent(operator.getitem)
def getitem(result, x, index):
    d[result] = d[x][index]


@tangent(saved_item)
def saved_item_(result, x, index):
    d[result] = saved_item(d[x], index)  # a copy, as the value is: later writes to d[x] leave it


# `for e in x` over a value whose type only the call shows: a dict's keys carry no derivative
@adjoint(loop_item)
def loop_item_(result, x, index):
    d[x] = loop_item_grad(d[x], x, index, d[result])


@tangent(loop_item)
def loop_item_(result, x, index):
    d[result] = loop_item_tangent(d[x], x, index, result)


linear({"getattr(x, name)": "d[x] = getattr_adjoint(d[x], x, name, d[result])"})


# Lists built inside a function: append and pop, mirrored on the list of adjoints.
@adjoint(list_append)
def append(result, lst, item):
    d[item] = last_grad(d[result], item)
    d[lst] = drop_last(d[result])


@tangent(list_append)
def append(result, lst, item):
    d[result] = append_tangent(d[lst], d[item], item)


linear({"list_pop(lst)": "d[lst] = push_grad(d[lst], lst, d[result])"})


# Item assignment on an array, list or dict made in the function (an update in place).
# An array of integers stores a float rounded: no derivative (runtime.rounds).
@adjoint(setitem, restore_item)
def setitem_(result, x, index, value):
    d[value] = take_grad(d[result], index, value, x)
    d[x] = zero_at(d[result], index)


@tangent(setitem, restore_item)
def setitem_(result, x, index, value):
    d[result] = setitem_tangent(d[x], index, d[value], value, x)


linear({"private_copy(x)": "d[x] = d[result]"})
# x op= v, as `x = as_in_place(x op v, x)`: the value itself, in x's shape and dtype
linear({"as_in_place(new, old)": "d[new] = d[result]"})
shape_only(as_in_place, "old")


@adjoint(dict_get)
def dict_get_(result, mapping, key, default=None):
    d[mapping] = get_grad(d[mapping], mapping, key, d[result])
    d[default] = default_grad(mapping, key, d[result], default)


@tangent(dict_get)
def dict_get_(result, mapping, key, default=None):
    # an inactive default (a None tangent) that came back is a real zero
    d[result] = filled_tangent(dict_get(d[mapping], key, d[default]), result)


# Adjoints of appends and pops must run even for zero or inactive values, so that the
# adjoints of the values below them stay aligned.
always_run(list_append, list_pop, setitem, restore_item)
none_aware(append_tangent, setitem_tangent, dict_get)

non_differentiable(
    runtime.stop_gradient,
    runtime.seq_len,
    runtime.ones_like_output,
    runtime.real_output_seed,
    runtime.shape_stand_in,
    runtime.ones_like,
    runtime.zeros_like,
    runtime.tangent_zeros,
    runtime.unit_like,
    operator.not_,
    operator.floordiv,
    operator.and_,
    operator.or_,
    operator.xor,
    operator.invert,
    operator.lshift,
    operator.rshift,
)
