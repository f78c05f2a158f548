"""Packed arguments: calls of functions with *args / **kwargs parameters, calls with
*-unpacked arguments, and functools.partial.

`g(a, b, c, k=d)` for `def g(x, *rest, **options)` becomes
`_rest = (b, c); _options = {"k": d}; g(a, *_rest, **_options)`, and a differentiated
call passes `a, _rest, _options` to the derivative, which takes every parameter
positionally and the derivatives of the packed arguments flow through
the ordinary tuple and dict rules. Defaults are filled in from the callee's signature.

`f(a, *b, **kw)`, whose number of arguments is known only when it runs, becomes
`_items = (a, b); _args = unpack_args(_items, (False, True)); call_value(f, _args, kw)`,
differentiated when it runs (s2s/function_values.py). `functools.partial(f, a, k=b)` becomes
`make_partial(f, (a,), {"k": b})`, whose derivative is that of its bound arguments;
`Layer(W, b=b)` of a container type (dataclass, NamedTuple, registered) becomes
`make_container(Layer, (W,), {"b": b})`, whose derivative is that of what it holds, and
`dict(pairs, k=v)` becomes `build_dict((pairs,), {"k": v})`.
"""
import functools
import inspect
import types

import gast

from .. import anno, rules, runtime, syntax
from ..syntax import assign, const, ref
from .blocks import rewrite_statements


def pack_variadic_calls(fn_source, namer):
    def rewrite(stmt):
        value = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        callee = anno.get(value, "callee") if isinstance(value, gast.Call) else None
        if not isinstance(value, gast.Call):
            return [stmt]
        if callee is functools.partial:
            return _partial(fn_source, namer, stmt, value) + [stmt]
        if runtime.is_container_type(callee):
            return _container(fn_source, namer, stmt, value) + [stmt]
        if callee is dict and (value.args or value.keywords):
            return _dict(fn_source, namer, stmt, value) + [stmt]
        if any(isinstance(a, gast.Starred) for a in value.args) or any(k.arg is None for k in value.keywords):
            return _unpacked(fn_source, namer, stmt, value) + [stmt]
        # a primitive with rules (scipy.linalg.sqrtm, whose wrapper takes *args), or a
        # runtime helper (call_updating, in code s2s generated), is called as written
        is_helper = getattr(callee, "__module__", None) == runtime.__name__
        if isinstance(callee, types.FunctionType) and _variadic(callee) and rules.adjoint_rule(callee) is None and not is_helper:
            return _pack(fn_source, namer, stmt, value, callee) + [stmt]
        return [stmt]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    return fn_source


def _variadic(function):
    kinds = {p.kind for p in inspect.signature(function, follow_wrapped=False).parameters.values()}
    return bool(kinds & {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD})


def bind(fn_source, stmt, call, function):
    """Each parameter of `function` -> the expression the call passes (defaults filled in;
    a tuple display for *args, a dict display for **kwargs)."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise fn_source.error(f"*-unpacking in a call of {function.__name__} is not supported", stmt, "starred call")
    signature = inspect.signature(function, follow_wrapped=False)
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
    """Pack the call's variadic arguments into names; the call itself stays one Python can
    run (`g(a, *_rest, **_options)`: a call nothing differentiates runs as written), with
    one argument per parameter, in the parameters' order (see `packed_arguments`)."""
    before, args, keywords = [], [], []
    parameters = inspect.signature(callee, follow_wrapped=False).parameters
    for (name, value), parameter in zip(bind(fn_source, stmt, call, callee).items(), parameters.values()):
        if isinstance(value, (gast.Tuple, gast.Dict)):
            bound = namer.fresh(f"_{name}")
            before.append(gast.copy_location(assign(bound, value), stmt))
            value = syntax.name(bound)
        if parameter.kind is parameter.VAR_POSITIONAL:
            args.append(gast.Starred(value, gast.Load()))
        elif parameter.kind is parameter.VAR_KEYWORD:
            keywords.append(gast.keyword(None, value))
        elif parameter.kind is parameter.KEYWORD_ONLY:
            keywords.append(gast.keyword(name, value))
        else:
            args.append(value)
    call.args, call.keywords = args, keywords
    anno.set(call, "packed", True)
    return before


def packed_arguments(call):
    """What a packed call passes to each parameter of its callee, in order."""
    return [a.value if isinstance(a, gast.Starred) else a for a in call.args] + [k.value for k in call.keywords]


def _bind(stmt, namer, prefix, value):
    """`_prefix = value` before `stmt`; returns the name."""
    bound = namer.fresh(prefix)
    return bound, gast.copy_location(assign(bound, value), stmt)


def _keywords(keywords):
    return gast.Dict([const(k.arg) for k in keywords], [k.value for k in keywords])


def _partial(fn_source, namer, stmt, value):
    if not value.args or any(isinstance(a, gast.Starred) for a in value.args) or any(k.arg is None for k in value.keywords):
        raise fn_source.error("functools.partial needs the function and its arguments written out (no * or **)", stmt, "partial")
    args, bind_args = _bind(stmt, namer, "_args", gast.Tuple(list(value.args[1:]), gast.Load()))
    kwargs, bind_kwargs = _bind(stmt, namer, "_kwargs", _keywords(value.keywords))
    _become(value, runtime.make_partial, value.args[0], syntax.name(args), syntax.name(kwargs))
    return [bind_args, bind_kwargs]


def _container(fn_source, namer, stmt, value):
    """`Layer(W, b=b)` for a container type: `make_container(Layer, (W,), {"b": b})`."""
    if any(isinstance(a, gast.Starred) for a in value.args) or any(k.arg is None for k in value.keywords):
        raise fn_source.error("a container built from * or ** arguments is not supported", stmt, "container")
    args, bind_args = _bind(stmt, namer, "_args", gast.Tuple(list(value.args), gast.Load()))
    kwargs, bind_kwargs = _bind(stmt, namer, "_kwargs", _keywords(value.keywords))
    _become(value, runtime.make_container, value.func, syntax.name(args), syntax.name(kwargs))
    return [bind_args, bind_kwargs]


def _dict(fn_source, namer, stmt, value):
    """`dict(pairs, k=v)`: `build_dict((pairs,), {"k": v})`, whose rules send each value's
    derivative back to where it came from."""
    if len(value.args) > 1 or any(isinstance(a, gast.Starred) for a in value.args) or any(k.arg is None for k in value.keywords):
        raise fn_source.error("dict(...) with * or ** arguments is not supported; pass a mapping or a list of pairs", stmt, "dict")
    args, bind_args = _bind(stmt, namer, "_args", gast.Tuple(list(value.args), gast.Load()))
    kwargs, bind_kwargs = _bind(stmt, namer, "_kwargs", _keywords(value.keywords))
    _become(value, runtime.build_dict, syntax.name(args), syntax.name(kwargs))
    return [bind_args, bind_kwargs]


def _unpacked(fn_source, namer, stmt, value):
    """`f(a, *b, **kw)` as a call of a function value with its arguments packed."""
    double = [k for k in value.keywords if k.arg is None]
    if len(double) > 1 or (double and len(value.keywords) > 1):
        raise fn_source.error("a call may pass either **kwargs or keyword arguments, not both", stmt, "starred call")
    before = []
    items = [a.value if isinstance(a, gast.Starred) else a for a in value.args]
    starred = tuple(isinstance(a, gast.Starred) for a in value.args)
    packed, bind_items = _bind(stmt, namer, "_items", gast.Tuple(items, gast.Load()))
    args, bind_args = _bind(stmt, namer, "_args", syntax.call(ref(runtime.unpack_args, "unpack_args"), syntax.name(packed), const(starred)))
    anno.set(bind_args.value, "callee", runtime.unpack_args)
    before += [bind_items, bind_args]
    if double:
        kwargs = double[0].value
    else:
        bound, bind_kwargs = _bind(stmt, namer, "_kwargs", _keywords(value.keywords))
        before.append(bind_kwargs)
        kwargs = syntax.name(bound)
    known = anno.get(value, "callee")
    _become(value, runtime.call_value, value.func, syntax.name(args), kwargs)
    anno.set(value, "unpacked_callee", known)
    return before


def _become(value, helper, *args):
    """Turn the call `value` into a call of the runtime `helper` (in place)."""
    value.func = ref(helper, helper.__name__)
    value.args = list(args)
    value.keywords = []
    anno.set(value, "callee", helper)
