"""Rules for the structural helpers that generated derivative code calls.

Derivative code is differentiated again (`grad(grad(f))`, Hessians, forward over
reverse), so each helper it calls has rules too. All of them are linear in their
derivative arguments: accumulation, scattering into a container, packing, and the
append/pop of list adjoints. `None` is a zero throughout.
"""
from s2s.declare import linear, rule_table
from s2s.rules import always_run, constant_in, non_differentiable, none_aware
from s2s.runtime import (
    add_at,
    add_at_inplace,
    add_grad,
    add_to_last,
    append_tangent,
    cleared,
    copied,
    copy_grad,
    default_grad,
    drop_last,
    field_grad,
    get_grad,
    getattr_adjoint,
    grad_item,
    last_grad,
    loop_item_grad,
    loop_item_tangent,
    pack_like,
    present_grad,
    push_grad,
    restore_contents,
    rounds,
    setitem_tangent,
    take_grad,
    unpack_grad,
    zero_at,
)

linear({
    "add_grad(a, b)": "d[a] = d[result]; d[b] = d[result]",
    "add_at(d_container, container, index, d_item)":
        "d[d_container] = d[result]; d[d_item] = grad_item(d[result], index, d_item)",
    "loop_item_grad(d_x, x, index, g)": "d[d_x] = d[result]; d[g] = loop_item_tangent(d[result], x, index, g)",
    "loop_item_tangent(d_x, x, index, item)": "d[d_x] = loop_item_grad(d[d_x], x, index, d[result])",
    "take_grad(d_x, index, value, x=None)":
        "d[d_x] = add_at(d[d_x], d_x, index, d[result] * last_writes(d_x, index) * (1.0 - rounds(x, value)))",
    "zero_at(d_x, index)": "d[d_x] = zero_at(d[result], index)",
    "grad_item(d_container, key, element)": "d[d_container] = add_at(d[d_container], d_container, key, d[result])",
    "pack_like(like, items)": "d[items] = unpack_grad(d[result], like)",
    "unpack_grad(d_packed, like)": "d[d_packed] = pack_like(like, d[result])",
    "getattr_adjoint(d_obj, obj, name, d_attr)":
        "d[d_obj] = d[result]; d[d_attr] = field_grad(d[result], name, d_attr)",
    "field_grad(d_obj, name, like)": "d[d_obj] = getattr_adjoint(d[d_obj], d_obj, name, d[result])",
    # The adjoint of a list is a list, appended to and popped like the list it mirrors.
    "push_grad(d_lst, lst, g)": "d[g] = last_grad(d[result], g); d[d_lst] = drop_last(d[result])",
    "drop_last(d_lst)": "d[d_lst] = push_grad(d[result], d_lst, None)",
    "last_grad(d_lst, item)": "d[d_lst] = add_to_last(d[d_lst], d_lst, d[result])",
    "add_to_last(d_lst, lst, g)": "d[g] = last_grad(d[result], g); d[d_lst] = d[result]",
    "restore_contents(x, saved)": "d[saved] = d[result]; d[x] = cleared(d[result])",
    "copied(x)": "d[x] = copied(d[result])",  # x.copy()
})
rule_table({
    # every repeat of a position added
    "add_at_inplace(d_container, index, d_item)": ("d[d_item] = grad_item(d[result], index, d_item)",
                                                   "d[result] = add_at_inplace(d[d_container], index, d[d_item])"),
    "list(iterable)": ("d[iterable] = copy_grad(d[result], iterable)", "d[result] = copy_grad(d[iterable], result)"),
})
non_differentiable(cleared)
always_run(push_grad, drop_last, add_to_last, add_at_inplace, restore_contents)
# These treat a None derivative argument as zero, so forward mode passes None through.
none_aware(restore_contents, copied, copy_grad, add_to_last, add_at_inplace, take_grad, zero_at, add_grad, add_at, grad_item,
           pack_like, unpack_grad, getattr_adjoint, field_grad, push_grad, drop_last, last_grad)


# --------------------------------------------------------------- helpers of language.py's rules
# The helpers of the rules for dict.get, item assignment and appends in forward mode,
# and of list(...), each linear in its derivative arguments: (adjoint, tangent).
rule_table({
    "copy_grad(d_lst, like)": ("d[d_lst] = copy_grad(d[result], d_lst)", "d[result] = copy_grad(d[d_lst], like)"),
    "get_grad(d_mapping, mapping, key, g)": (
        "d[d_mapping] = d[result]; d[g] = present_grad(d[result], mapping, key, g)",
        "d[result] = get_grad(d[d_mapping], mapping, key, d[g])"),
    "present_grad(d_mapping, mapping, key, like)": ("d[d_mapping] = get_grad(None, mapping, key, d[result])",
                                                    "d[result] = present_grad(d[d_mapping], mapping, key, like)"),
    "default_grad(mapping, key, g, default)": ("d[g] = default_grad(mapping, key, d[result], g)",
                                               "d[result] = default_grad(mapping, key, d[g], default)"),
    "append_tangent(d_lst, d_item, item)": ("d[d_item] = last_grad(d[result], d_item); d[d_lst] = drop_last(d[result])",
                                            "d[result] = append_tangent(d[d_lst], d[d_item], item)"),
    "setitem_tangent(d_x, index, d_value, value, x=None)": ("d[d_value] = take_grad(d[result], index, d_value) * (1.0 - rounds(x, value));"
                                                            " d[d_x] = zero_at(d[result], index)",
                                                            "d[result] = setitem_tangent(d[d_x], index, d[d_value], value, x)"),
    "one_if_none(b)": ("d[b] = d[result]", "d[result] = d[b]"),
})
# their adjoints keep the derivative lists aligned, as those of list_append and setitem do
always_run(append_tangent, setitem_tangent)
none_aware(present_grad, default_grad, get_grad, loop_item_grad, loop_item_tangent)


# Read only for a shape, a structure or which keys a mapping holds.
constant_in(add_at, "container")
constant_in(add_to_last, "lst")
constant_in(append_tangent, "item")
constant_in(copy_grad, "like")
constant_in(default_grad, "mapping", "default")
constant_in(field_grad, "like")
constant_in(get_grad, "mapping")
constant_in(getattr_adjoint, "obj")
constant_in(grad_item, "element")
constant_in(last_grad, "item")
constant_in(loop_item_grad, "x")
constant_in(loop_item_tangent, "x", "item")
constant_in(pack_like, "like")
constant_in(present_grad, "mapping", "like")
constant_in(push_grad, "lst")
constant_in(setitem_tangent, "value", "x")
constant_in(take_grad, "value", "x")
constant_in(unpack_grad, "like")
non_differentiable(rounds)  # a test of dtypes
