"""Resolve what every operation calls, at transform time.

Annotates each operation node (BinOp, UnaryOp, Call, Subscript, Attribute) in an
assignment with `callee`: the Python object that performs it (`operator.add`,
`numpy.dot`, a user function) or None when it cannot be known statically (a call
through a local variable).
"""
import functools
import inspect
import operator
import types

import gast

from .. import anno, rules
from ..frontend import _MISSING
from ..naming import identifier
from ..syntax import dotted_name, ref, walk
from .desugar import collect_locals

BINARY = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.Div: operator.truediv,
    gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod, gast.Pow: operator.pow,
    gast.MatMult: operator.matmul, gast.BitAnd: operator.and_, gast.BitOr: operator.or_,
    gast.BitXor: operator.xor, gast.LShift: operator.lshift, gast.RShift: operator.rshift,
}
UNARY = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Not: operator.not_, gast.Invert: operator.invert}


def static_object(node, fn_source, local_names, aliases=None):
    """The object a dotted global name refers to, or _MISSING."""
    if isinstance(node, gast.Call) and anno.has(node, "static_value"):
        return anno.get(node, "static_value")
    if anno.has(node, "object") and not isinstance(node, gast.Call):
        return anno.get(node, "object")
    if isinstance(node, gast.Name):
        if node.id in local_names:
            return (aliases or {}).get(node.id, _MISSING)
        return fn_source.resolve(node.id)
    if isinstance(node, gast.Attribute):
        base = static_object(node.value, fn_source, local_names)
        if base is _MISSING:
            return _MISSING
        obj = getattr(base, node.attr, _MISSING)
        if obj is not _MISSING and not isinstance(base, (types.ModuleType, type)):
            _read_at_transform_time(node, obj, fn_source, local_names)  # `model.act`: data can change
        return obj
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Call):  # s2s.grad(f): made once, at transform time
        func = static_object(node.func, fn_source, local_names)
        if not getattr(func, "_s2s_static_call", False):
            return _MISSING
        args = [static_object(a, fn_source, local_names) for a in node.args]
        kwargs = {k.arg: static_object(k.value, fn_source, local_names) for k in node.keywords}
        if _MISSING in args or _MISSING in kwargs.values():
            return _MISSING
        for a, v in zip(node.args + [k.value for k in node.keywords], args + list(kwargs.values())):
            _read_at_transform_time(a, v, fn_source, local_names)  # `wrt=K`: its value is built in
        value = func(*args, **kwargs)
        anno.set(node, "static_value", value)
        return value
    return _MISSING


def _read_at_transform_time(node, obj, fn_source, local_names):
    """Note that the code is generated for what the dotted name `node` (of the user's
    scope) refers to now: the derivative is generated anew if it changes (scopes.py)."""
    path = dotted_name(node)
    if path is not None and path.split(".")[0] not in local_names and hasattr(fn_source, "called_globals"):
        fn_source.called_globals[path] = obj


def static_aliases(fn_source, local_names):
    """Locals bound once, to a function known at transform time: `dU = s2s.grad(U)`."""
    bindings = {}
    for node in walk(fn_source.node):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            bindings[node.id] = bindings.get(node.id, 0) + 1
    aliases = {}
    for node in walk(fn_source.node):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) and bindings[node.targets[0].id] == 1:
            if isinstance(node.value, (gast.Name, gast.Attribute, gast.Call)):
                obj = static_object(node.value, fn_source, local_names)
                if obj is not _MISSING and callable(obj):
                    aliases[node.targets[0].id] = obj
    return aliases


def resolve_calls(fn_source):
    local_names = collect_locals(fn_source.node)
    aliases = static_aliases(fn_source, local_names)
    for node in walk(fn_source.node):
        if isinstance(node, gast.Assign) and _is_keyword_dict(node.value, fn_source, local_names):
            # dict(a=x, b=y) is the display {"a": x, "b": y}, whose derivative rules exist
            node.value = gast.Dict([gast.Constant(k.arg, None) for k in node.value.keywords], [k.value for k in node.value.keywords])
        if isinstance(node, gast.BinOp):
            anno.set(node, "callee", BINARY[type(node.op)])
        elif isinstance(node, gast.UnaryOp):
            anno.set(node, "callee", UNARY[type(node.op)])
        elif isinstance(node, gast.Compare):
            anno.set(node, "callee", None)
        elif isinstance(node, gast.Subscript):
            anno.set(node, "callee", operator.getitem)
        elif isinstance(node, gast.Call):
            obj = static_object(node.func, fn_source, local_names, aliases)
            obj = _opened(node, obj)
            anno.set(node, "callee", None if obj is _MISSING else obj)
    return fn_source


def _opened(call, obj):
    """A call of a bound method, a callable object or a partial, known at transform
    time, as a call of the Python function it runs: `model.loss(w)` ->
    `Model.loss(model, w)`, `layer(x)` -> `Layer.__call__(layer, x)`, `g(x)` for
    `g = partial(f, 2.0)` -> `f(2.0, x)`; the bound values are passed as constants.
    Callables with rules of their own (`scipy.stats.norm.logpdf`) stay as they are."""
    while obj is not _MISSING and rules.adjoint_rule(obj) is None and rules.tangent_rule(obj) is None:
        if isinstance(obj, types.MethodType) and _is_python(obj.__func__):
            function, leading, keywords = obj.__func__, [obj.__self__], {}
        elif isinstance(obj, functools.partial):
            if obj.keywords and any(k.arg is None for k in call.keywords):
                break  # `g(**kw)`: which of its keywords kw overrides shows only when it runs
            function, leading, keywords = obj.func, list(obj.args), dict(obj.keywords)
        elif _is_callable_object(obj):
            function, leading, keywords = inspect.getattr_static(type(obj), "__call__"), [obj], {}
        else:
            break
        call.args = [ref(v, "_bound") for v in leading] + call.args
        given = {k.arg for k in call.keywords}
        call.keywords = [gast.keyword(k, ref(v, f"_{k}")) for k, v in keywords.items() if k not in given] + call.keywords
        call.func = ref(function, identifier(getattr(function, "__name__", "f")))
        obj = function
    return obj


def _is_python(function):
    return isinstance(function, types.FunctionType)


def _is_callable_object(obj):
    """An instance of a user class with a `__call__` written in Python (not one of s2s's
    own: derivatives and checkpoints are differentiated as what they stand for)."""
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.ModuleType)):
        return False
    if type(obj).__module__.split(".")[0] == "s2s":
        return False
    return _is_python(inspect.getattr_static(type(obj), "__call__", None))


def _is_keyword_dict(value, fn_source, local_names):
    return (
        isinstance(value, gast.Call)
        and not value.args
        and all(k.arg is not None for k in value.keywords)
        and static_object(value.func, fn_source, local_names) is dict
    )
