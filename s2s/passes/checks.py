"""Reject, with a located TransformError, the constructs s2s does not differentiate.

Running this first means no later pass ever meets them and fails obscurely.
"""
import gast

_UNSUPPORTED = {
    gast.Yield: "yield (generators)",
    gast.YieldFrom: "yield from (generators)",
    gast.Await: "await (async code)",
    gast.AsyncFor: "async for",
    gast.AsyncWith: "async with",
    gast.AsyncFunctionDef: "async def",
    gast.Global: "global statement",
    gast.Nonlocal: "nonlocal statement",
    gast.Try: "try/except",
    gast.With: "with block",
    gast.ClassDef: "class definition inside a differentiated function",
    gast.Delete: "del statement",
    gast.NamedExpr: "assignment expression (:=)",
    gast.Lambda: "lambda inside a differentiated function",
    gast.FunctionDef: "nested function definition",
    gast.Import: "import statement inside a differentiated function",
    gast.ImportFrom: "import statement inside a differentiated function",
    gast.Raise: None,  # allowed: raising stays in the forward sweep
}
if hasattr(gast, "TryStar"):
    _UNSUPPORTED[gast.TryStar] = "try/except*"
if hasattr(gast, "Match"):
    _UNSUPPORTED[gast.Match] = "match statement"


def check_supported(fn_source):
    """Raise TransformError for the first unsupported construct in the function body."""
    for stmt in fn_source.node.body:
        for node in gast.walk(stmt):
            construct = _UNSUPPORTED.get(type(node))
            if construct:
                raise fn_source.error(f"{construct} is not supported by s2s", node, construct)
            if isinstance(node, (gast.For, gast.While)) and node.orelse:
                raise fn_source.error("else-clauses on loops are not supported by s2s", node, "loop else")
            if isinstance(node, gast.Assign) and any(_has_starred(t) for t in node.targets):
                raise fn_source.error("starred assignment targets are not supported by s2s", node, "starred assignment")


def _has_starred(target):
    return any(isinstance(n, gast.Starred) for n in gast.walk(target))


def check_effect_calls(fn_source, activity, is_user_call):
    """Raise TransformError for a method called for its effect on a value that carries a
    derivative (`y.sort()`, `L.reverse()`, `d.update(...)`): such a call may update the
    value in place, which s2s would not see. append, pop and item assignment are
    desugared to updates it follows; a user function's method is analysed as a call."""
    for node in gast.walk(fn_source.node):
        if not (isinstance(node, gast.Expr) and isinstance(node.value, gast.Call)):
            continue
        func = node.value.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in activity.varied:
            if not is_user_call(node.value):
                construct = f"{func.value.id}.{func.attr}(...)"
                raise fn_source.error(
                    f"{construct} is called for its effect on {func.value.id}, which carries a derivative: s2s follows "
                    f"updates in place only through item assignment, append and pop; bind the result instead "
                    f"(for example y = np.sort(y), L = L[::-1])",
                    node,
                    construct,
                )
