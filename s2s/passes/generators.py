"""Generator functions: run to completion, their values collected in a list.

    def unpack_layers(params):          def unpack_layers(params):
        for W, b in params:                 _yielded = []
            yield W, b            ->        for W, b in params:
                                                _yielded = list_append(_yielded, (W, b))
                                            return _yielded

A generator that differentiated code calls is iterated by that code (`for W, b in
unpack_layers(params)`), and a list of the same values is what the backward sweep can
read again. The values are the ones Python's generator yields; what differs is when
the generator's own statements run: all before the loop that consumes them, not
interleaved with it (a difference only for side effects such as print, or a generator
that never ends). `x = yield v` (values sent in) is refused.
"""
import gast

from .. import anno, runtime
from ..syntax import walk
from .blocks import walk_within


def collect_yields(fn_source):
    node = fn_source.node
    if not any(isinstance(n, (gast.Yield, gast.YieldFrom)) for n in walk_within(node.body, (gast.FunctionDef, gast.Lambda))):
        return fn_source
    taken = {n.id for n in walk(node) if isinstance(n, gast.Name)}
    out = next(f"_yielded{i or ''}" for i in range(len(taken) + 1) if f"_yielded{i or ''}" not in taken)
    node.body = [_assign(out, gast.List([], gast.Load()))] + _block(fn_source, node.body, out) + [_return(out)]
    return fn_source


def _block(src, stmts, out):
    result = []
    for stmt in stmts:
        result += _statement(src, stmt, out)
    return result


def _statement(src, stmt, out):
    value = stmt.value if isinstance(stmt, gast.Expr) else None
    if isinstance(value, gast.Yield):
        item = value.value if value.value is not None else gast.Constant(None, None)
        return [gast.copy_location(_append(out, item), stmt)]
    if isinstance(value, gast.YieldFrom):
        item = gast.Name(f"{out}_item", gast.Store(), None, None)
        body = [gast.copy_location(_append(out, gast.Name(item.id, gast.Load(), None, None)), stmt)]
        return [gast.copy_location(gast.For(item, value.value, body, [], None), stmt)]
    if isinstance(stmt, gast.Return):
        return [gast.copy_location(_return(out), stmt)]  # a generator's return value is not iterated
    if isinstance(stmt, gast.FunctionDef):
        return [stmt]
    for field in ("body", "orelse"):
        block = getattr(stmt, field, None)
        if block:
            setattr(stmt, field, _block(src, block, out))
    for n in walk(stmt):  # the yields left are parts of expressions
        if isinstance(n, (gast.Yield, gast.YieldFrom)):
            raise src.error("a yield whose value is used (values sent into a generator) is not supported", stmt, "yield expression")
    return [stmt]


def _append(out, item):
    append = gast.Name("list_append", gast.Load(), None, None)
    anno.set(append, "object", runtime.list_append)
    call = gast.Call(append, [gast.Name(out, gast.Load(), None, None), item], [])
    return _assign(out, call)


def _assign(name, value):
    return gast.Assign([gast.Name(name, gast.Store(), None, None)], value)


def _return(out):
    return gast.Return(gast.Name(out, gast.Load(), None, None))
