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
