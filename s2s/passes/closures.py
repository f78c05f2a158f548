"""Nested functions and lambdas: lifted out of the function that defines them.

`def inner(y): return y * k` inside `f` becomes a function of its own,
`inner(k, y)`, whose extra leading parameters are the names it reads from `f`'s
scope; every call `inner(x)` becomes `inner(k, x)`. Passing the captured names at each
call keeps Python's late binding of closures, and makes the lifted function an
ordinary user function: transformed once per specialization, recursion included.
A lambda bound to a name is lifted the same way. The lifted function keeps the
original file and line numbers, so errors inside it point at the user's source.
"""
import ast
import copy

import gast

from .. import anno, frontend
from . import checks
from .desugar import collect_locals


def lift_nested_functions(fn_source):
    """Lift every nested def (and named lambda) of `fn_source`, rewriting its calls."""
    node = fn_source.node
    definitions = {}
    for stmt in _definitions(node.body):
        definitions.setdefault(_defined_name(stmt), []).append(stmt)
    if not definitions:
        return fn_source
    for name, nodes in definitions.items():
        if len(nodes) > 1:
            raise fn_source.error(f"the nested function {name} is defined more than once", nodes[1], "nested function")
    outer_names = collect_locals(node) | set(fn_source.closure)
    lifted = {}
    for name, (definition,) in definitions.items():
        function_def = _as_function_def(definition)
        captured = sorted((_free_names(function_def) & outer_names) - set(definitions) - {name})
        lifted[name] = (function_def, captured)
    functions = _compile(fn_source, lifted)
    _rewrite_calls(fn_source, node, lifted, functions, definitions)
    return fn_source


def _definitions(stmts):
    """Nested defs and named lambdas in a body, not looking inside nested functions."""
    for stmt in stmts:
        if _nested_definition(stmt):
            yield stmt
            continue
        for field in ("body", "orelse"):
            yield from _definitions(getattr(stmt, field, None) or [])


def _without(stmts, removed):
    out = []
    for stmt in stmts:
        if id(stmt) in removed:
            continue
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if block:
                setattr(stmt, field, _without(block, removed) or ([gast.Pass()] if field == "body" else []))
        out.append(stmt)
    return out


def _nested_definition(stmt):
    if isinstance(stmt, gast.FunctionDef):
        return True
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Lambda)
    )


def _defined_name(stmt):
    return stmt.name if isinstance(stmt, gast.FunctionDef) else stmt.targets[0].id


def _as_function_def(stmt):
    """A nested def as is; `square = lambda z: z * z` as `def square(z): return z * z`."""
    if isinstance(stmt, gast.FunctionDef):
        return copy.deepcopy(stmt)
    body = [gast.copy_location(gast.Return(copy.deepcopy(stmt.value.body)), stmt)]
    return gast.copy_location(
        gast.FunctionDef(stmt.targets[0].id, copy.deepcopy(stmt.value.args), body, [], None, None, []), stmt
    )


def _free_names(function_def):
    """Names a function reads but does not bind (its parameters and assignments)."""
    bound = collect_locals(function_def)
    return {
        n.id
        for stmt in function_def.body
        for n in gast.walk(stmt)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id not in bound
    }


def _compile(fn_source, lifted):
    """Real function objects for the lifted defs (they run the primal), ASTs attached.

    They are made together inside one factory function, so that they reach each other
    (and themselves, recursively) through closure cells, never through the module's
    globals.
    """
    lifted_defs = []
    for name, (function_def, captured) in lifted.items():
        if function_def.decorator_list:
            raise fn_source.error("decorators on nested functions are not supported", function_def, "decorator")
        if any(isinstance(n, gast.Nonlocal) for n in gast.walk(function_def)):
            raise fn_source.error(f"the nested function {name} assigns to the enclosing function's names (nonlocal)", function_def, "nonlocal")
        lifted_def = copy.deepcopy(function_def)
        lifted_def.args.args = [gast.Name(c, gast.Param(), None, None) for c in captured] + lifted_def.args.args
        _rewrite_body_calls(lifted_def, lifted)
        lifted_defs.append(lifted_def)
    names = gast.Tuple([gast.Name(d.name, gast.Load(), None, None) for d in lifted_defs], gast.Load())
    factory = gast.FunctionDef("_s2s_lifted", _no_arguments(), lifted_defs + [gast.Return(names)], [], None, None, [])
    module = gast.gast_to_ast(gast.Module([gast.copy_location(factory, fn_source.node)], []))
    ast.fix_missing_locations(module)
    namespace = {}
    exec(compile(module, fn_source.filename, "exec"), fn_source.globals, namespace)
    functions = dict(zip(lifted, namespace["_s2s_lifted"]()))
    for lifted_def, function in zip(lifted_defs, functions.values()):
        function.__qualname__ = f"{fn_source.func.__qualname__}.<locals>.{lifted_def.name}"
        scope = {**fn_source.closure, **functions}
        function.__s2s_source__ = frontend.FunctionSource(function, lifted_def, fn_source.filename, scope)
        checks.check_supported(function.__s2s_source__)
    return functions


def _no_arguments():
    return gast.arguments(args=[], posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _rewrite_body_calls(function_def, lifted):
    """Inside a lifted function, calls of (itself and) its siblings pass their captures."""
    for node in gast.walk(function_def):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id in lifted:
            captured = lifted[node.func.id][1]
            node.args = [gast.Name(c, gast.Load(), None, None) for c in captured] + node.args


def _rewrite_calls(fn_source, node, lifted, functions, definitions):
    """Calls pass the captured names; the definitions themselves disappear."""
    node.body = _without(node.body, {id(d) for ds in definitions.values() for d in ds}) or [gast.Pass()]
    for n in gast.walk(node):
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id in functions:
            n.args = [gast.Name(c, gast.Load(), None, None) for c in lifted[n.func.id][1]] + n.args
            anno.set(n.func, "object", functions[n.func.id])
        elif isinstance(n, gast.Name) and n.id in functions and isinstance(n.ctx, gast.Load) and not anno.has(n, "object"):
            raise fn_source.error(
                f"the nested function {n.id} is used as a value; s2s differentiates calls of nested functions only",
                n,
                "nested function as a value",
            )
