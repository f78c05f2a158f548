"""Calls of user functions with *args / **kwargs parameters: arguments packed by name.

`g(a, b, c, k=d)` for `def g(x, *rest, **options)` becomes
`_rest = (b, c); _options = {"k": d}; g(a, _rest, _options)`, so the callee takes
every parameter positionally and the derivatives of the packed arguments flow through
the ordinary tuple and dict rules. Defaults are filled in from the callee's signature.
"""
import inspect
import types

import gast

from .. import anno, rules
from .blocks import rewrite_statements


def pack_variadic_calls(fn_source, namer):
    def rewrite(stmt):
        call = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        callee = anno.get(call, "callee") if isinstance(call, gast.Call) else None
        if isinstance(callee, types.FunctionType) and _variadic(callee):
            return _pack(fn_source, namer, stmt, call, callee) + [stmt]
        return [stmt]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    return fn_source


def _variadic(function):
    kinds = {p.kind for p in inspect.signature(function).parameters.values()}
    return bool(kinds & {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD})


def bind(fn_source, stmt, call, function):
    """Each parameter of `function` -> the expression the call passes (defaults filled in;
    a tuple display for *args, a dict display for **kwargs)."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise fn_source.error(f"*-unpacking in a call of {function.__name__} is not supported", stmt, "starred call")
    signature = inspect.signature(function)
    try:
        bound = signature.bind(*call.args, **{k.arg: k.value for k in call.keywords})
    except TypeError as exc:
        raise fn_source.error(f"bad call of {function.__name__}: {exc}", stmt) from None
    arguments = {}
    for name, param in signature.parameters.items():
        value = bound.arguments.get(name)
        if param.kind is param.VAR_POSITIONAL:
            value = gast.Tuple(list(value or ()), gast.Load())
        elif param.kind is param.VAR_KEYWORD:
            items = (value or {}).items()
            value = gast.Dict([gast.Constant(k, None) for k, _ in items], [v for _, v in items])
        elif name not in bound.arguments:
            value = rules.constant(param.default)
        arguments[name] = value
    return arguments


def _pack(fn_source, namer, stmt, call, callee):
    before, args = [], []
    for name, value in bind(fn_source, stmt, call, callee).items():
        if isinstance(value, (gast.Tuple, gast.Dict)):
            packed = namer.fresh(f"_{name}")
            before.append(gast.copy_location(gast.Assign([gast.Name(packed, gast.Store(), None, None)], value), stmt))
            value = gast.Name(packed, gast.Load(), None, None)
        args.append(value)
    call.args, call.keywords = args, []
    anno.set(call, "packed", True)
    return before
