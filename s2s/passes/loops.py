"""Differentiated loops iterate by position.

`for W, b in params` becomes `for _i in range(seq_len(params)): W, b = params[_i]`, so
the backward sweep can replay iterations in reverse and send each item's derivative
back to its position. Only loops over *active* iterables are rewritten: a loop over a
file or a generator that carries no derivative stays as written. Over a name whose
type only the call shows (a dict or list a helper returned), the item is
`loop_item(params, _i)`: a dict's key (no derivative), else `params[_i]`; the alias
analysis and passes/views.py read it as the subscript it stands for.
"""
import builtins
import inspect
import operator

import gast

from .. import anno, runtime
from ..frontend import param_names
from ..syntax import assign, call, loads, name, ref, walk
from .anf import updated_name
from .blocks import rewrite_statements


def _call(obj, id_, *args):
    """A call of a known function, resolved as the resolve pass would."""
    node = call(ref(obj, id_), *args)
    anno.set(node, "callee", obj)
    return node


def _item(seq, index):
    node = gast.Subscript(name(seq), name(index), gast.Load())
    anno.set(node, "callee", operator.getitem)
    return node


def _element(seq, index, kinds):
    """What a loop over `seq` binds at position `index`: `seq[index]`, or, where only the
    call shows the type of `seq` (a dict's loop binds its keys), `loop_item(seq, index)`."""
    if kinds.get(seq) is None:
        return _call(runtime.loop_item, "loop_item", name(seq), name(index))
    return _item(seq, index)


def index_loops(fn_source, activity, namer):
    """Rewrite loops over active iterables; returns True if anything changed."""
    changed = False
    generated = _generator_results(fn_source.node)
    dicts = _dict_names(fn_source.node)

    def rewrite(stmt):
        nonlocal changed
        if (
            isinstance(stmt, gast.For)
            and anno.get(stmt.iter, "callee") is not range
            and loads(stmt.iter) & (activity.varied | _updated_in_place(stmt.body))
        ):
            changed = True
            before = []
            if isinstance(stmt.iter, gast.Name) and stmt.iter.id in generated:
                # a call of a generator function that is not differentiated returns
                # Python's generator, which cannot be read by position: its list can
                items = namer.fresh(f"{stmt.iter.id}_items")
                before = [gast.copy_location(gast.Assign([gast.Name(items, gast.Store(), None, None)],
                                                         _call(list, "list", stmt.iter)), stmt)]
                stmt.iter = name(items)
            if isinstance(stmt.iter, gast.Name) and stmt.iter.id in dicts:
                # `for k in d`: the keys (read by position, they carry no derivative)
                keys = namer.fresh(f"{stmt.iter.id}_keys")
                before.append(gast.copy_location(assign(keys, _call(runtime.dict_keys, "dict_keys", stmt.iter)), stmt))
                stmt.iter = name(keys)
            return before + _by_position(stmt, fn_source, namer, activity.kinds)
        return [stmt]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    return changed


def _dict_names(fn_node):
    """Names bound only to dicts: dict displays and calls of dict."""
    bound = {}
    for s in walk(fn_node):
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
            is_dict = isinstance(s.value, gast.Dict) or isinstance(s.value, gast.Call) and anno.get(s.value, "callee") in (dict, runtime.build_dict)
            is_dict = is_dict or updated_name(s) == s.targets[0].id  # d[k] = v keeps d's object
            bound[s.targets[0].id] = bound.get(s.targets[0].id, True) and is_dict
        elif isinstance(s, (gast.Assign, gast.For)):
            for n in walk(s.targets[0] if isinstance(s, gast.Assign) else s.target):
                if isinstance(n, gast.Name):
                    bound[n.id] = False
    return {n for n, only_dicts in bound.items() if only_dicts} - set(param_names(fn_node))


def _generator_results(fn_node):
    """Names bound to what a call of a generator function returns."""
    return {
        s.targets[0].id for s in walk(fn_node)
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Call)
        and inspect.isgeneratorfunction(inspect.unwrap(anno.get(s.value, "callee")))
    }


def _updated_in_place(stmts):
    """Names the statements update in place: a loop over one of them sees the updates
    (Python's iterators read by position), so it is indexed too, never listed up front."""
    return {updated_name(s) for stmt in stmts for s in walk(stmt) if isinstance(s, gast.Assign)} - {None}


def _by_position(loop, fn_source, namer, kinds):
    """(statements before the loop, the rewritten loop)."""
    iterable, target = loop.iter, loop.target
    before, binds = [], []
    index = namer.fresh("_i")
    if isinstance(iterable, gast.Call) and anno.get(iterable, "callee") is zip:
        if not isinstance(target, gast.Tuple) or len(target.elts) != len(iterable.args):
            raise fn_source.error("unpack zip(...) into one name per sequence", loop, "zip loop")
        seqs = []
        for a in iterable.args:  # a constant (zip("ab", x)) is bound to a name first
            if not isinstance(a, gast.Name):
                seq = namer.fresh("_sequence")
                before.append(gast.Assign([gast.Name(seq, gast.Store(), None, None)], a))
                a = name(seq)
            seqs.append(a.id)
        lengths = [_call(runtime.seq_len, "seq_len", name(s)) for s in seqs]
        length = _call(builtins.min, "min", *lengths) if len(lengths) > 1 else lengths[0]  # min(n) would raise
        for element, seq in zip(target.elts, seqs):
            binds.append((element, _element(seq, index, kinds)))
    elif isinstance(iterable, gast.Call) and anno.get(iterable, "callee") is enumerate:
        if not isinstance(target, gast.Tuple) or len(target.elts) != 2 or not isinstance(target.elts[0], gast.Name):
            raise fn_source.error("unpack enumerate(...) into `i, item`", loop, "enumerate loop")
        seq = iterable.args[0].id
        length = _call(runtime.seq_len, "seq_len", name(seq))
        start = next((k.value for k in iterable.keywords if k.arg == "start"), iterable.args[1] if len(iterable.args) > 1 else None)
        position = target.elts[0].id
        if start is None:
            index = position
        else:
            binds.append((target.elts[0], gast.BinOp(name(index), gast.Add(), start)))
            anno.set(binds[-1][1], "callee", operator.add)
        binds.append((target.elts[1], _element(seq, index, kinds)))
    elif isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Attribute) and iterable.func.attr in ("items", "values"):
        mapping = iterable.func.value.id
        keys = namer.fresh("_keys")
        before.append(gast.Assign([gast.Name(keys, gast.Store(), None, None)], _call(builtins.list, "list", name(mapping))))
        length = _call(builtins.len, "len", name(keys))
        key = namer.fresh("_key")
        binds.append((gast.Name(key, gast.Store(), None, None), _item(keys, index)))
        value = _item(mapping, key)
        if iterable.func.attr == "items":
            if not isinstance(target, gast.Tuple) or len(target.elts) != 2:
                raise fn_source.error("unpack .items() into `key, value`", loop, "items loop")
            binds.append((target.elts[0], name(key)))
            binds.append((target.elts[1], value))
        else:
            binds.append((target, value))
    elif isinstance(iterable, gast.Name):
        length = _call(runtime.seq_len, "seq_len", name(iterable.id))
        binds.append((target, _element(iterable.id, index, kinds)))
    else:
        raise fn_source.error("cannot differentiate a loop over this iterable", loop, "for loop")
    body = []
    for bind_target, value in binds:
        if isinstance(bind_target, gast.Name):
            body.append(gast.Assign([bind_target], value))
        else:  # tuple target: bind the item, then unpack it
            item = namer.fresh("_item")
            body.append(gast.Assign([gast.Name(item, gast.Store(), None, None)], value))
            body.append(gast.Assign([bind_target], name(item)))
    for s in before + body:
        gast.copy_location(s, loop)
    loop.target = gast.Name(index, gast.Store(), None, None)
    loop.iter = _call(builtins.range, "range", length)
    loop.body = body + loop.body
    return before + [loop]
