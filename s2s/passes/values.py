"""Calls through function values: `y = act(h)` -> `y = call_value(act, (h,), {})`.

A call whose function s2s cannot name when it transforms — a local bound to what a call
returned, a loop variable over a list of functions, a function-valued parameter, an
item of a dict of functions — and which is not a method of an object argument (see
dispatch.call_target) is differentiated when it runs (s2s/function_values.py). This
runs per specialization, after activity analysis: object kinds decide what dispatch
resolves. Calls whose result is differentiated are rewritten, and the others whose
function is a local value, so that `call_value` refuses a function value that updates
an argument in place (s2s/function_values.py).
"""
import gast

from .. import anno, dispatch, runtime
from ..syntax import assign, call, const, name, ref
from .blocks import rewrite_statements


def lower_value_calls(fn_source, activity, namer):
    """Rewrite the calls of function values; True if anything changed."""
    changed = False

    def rewrite(stmt):
        nonlocal changed
        value = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        if not (isinstance(value, gast.Call) and anno.get(value, "callee") is None):
            return [stmt]
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        differentiated = isinstance(target, gast.Name) and activity.active(target.id)
        # a call not differentiated runs through call_value too when its function is a
        # value (`g(x)`, `fns[k](x)`): call_value refuses one that updates an argument
        if not (differentiated or isinstance(value.func, (gast.Name, gast.Subscript))):
            return [stmt]
        if dispatch.call_target(value, activity)[0] is not None:
            return [stmt]
        before = []
        function = value.func
        if not isinstance(function, gast.Name):
            bound = namer.fresh("_function")
            before.append(gast.copy_location(assign(bound, function), stmt))
            function = name(bound)
        args, kwargs = namer.fresh("_args"), namer.fresh("_kwargs")
        before.append(gast.copy_location(assign(args, gast.Tuple(list(value.args), gast.Load())), stmt))
        keywords = gast.Dict([const(k.arg) for k in value.keywords], [k.value for k in value.keywords])
        before.append(gast.copy_location(assign(kwargs, keywords), stmt))
        stmt.value = call(ref(runtime.call_value, "call_value"), function, name(args), name(kwargs))
        anno.set(stmt.value, "callee", runtime.call_value)
        changed = True
        return before + [stmt]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    return changed
