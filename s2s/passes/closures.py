"""Nested functions and lambdas: lifted out of the function that defines them.

`def inner(y): return y * k` inside `f` becomes a function of its own,
`inner(k, y)`, whose extra leading parameters are the names it reads from `f`'s
scope; every call `inner(x)` becomes `inner(k, x)`. Passing the captured names at each
call keeps Python's late binding of closures, and makes the lifted function an
ordinary user function: transformed once per specialization, recursion included.
A lambda is lifted the same way (one not bound to a name gets a fresh one). The lifted
function keeps the original file and line numbers, so errors inside it point at the
user's source.

A nested function used as a value (passed to a helper, stored in a list, returned)
becomes `make_partial(inner, (k,), {})`: its lifted code with the values it captures
bound first, called through the machinery for function values (see passes/values.py).
A partial binds those values when it is made, where Python reads them when the
function is called; the two agree when each captured name is bound once, and anything
else is refused. `dU = s2s.grad(inner)` (any s2s transform of a nested function) is
made at transform time from the lifted function, its `wrt` moved past the captured
parameters, and `dU(x)` passes the captures like a call of `inner` does (so does
`s2s.grad(inner)(x)`, written inline). `s2s.fixed_point(inner, a, x0)` iterates a step
over (captures, a), so that the fixed point is differentiated with respect to both.

A default that reads a local or a global's data (`def inner(y, w=w)`, `lambda t,
k=K: ...`) is evaluated where Python evaluates it: the def becomes `_inner_w = w`, and
each call that does not give w passes `w=_inner_w` (a value made of `inner` binds it).
For an unnamed lambda the expression itself is passed where the lambda is written.
"""
import ast
import inspect
import traceback

import gast

from .. import anno, frontend, runtime
from ..syntax import NodeTransformer, call, clone, ref, walk
from .blocks import walk_within
from .desugar import collect_locals
from .resolve import static_aliases, static_object


def lift_nested_functions(fn_source):
    """Lift every nested def (and lambda) of `fn_source`, rewriting its calls and uses."""
    node = fn_source.node
    definitions = {}
    anonymous = _name_lambdas(node)
    for stmt in list(_definitions(node.body)) + anonymous:
        definitions.setdefault(_defined_name(stmt), []).append(stmt)
    if not definitions:
        return fn_source
    for name, nodes in definitions.items():
        if len(nodes) > 1:
            raise fn_source.error(f"the nested function {name} is defined more than once", nodes[1], "nested function")
    outer_names = collect_locals(node)
    # the function's closure, and a local bound once to a function known now (`sample =
    # sample_gaussian`), are constants of the lifted functions (their calls resolve when
    # they transform), not captured values
    aliases = {**fn_source.closure, **static_aliases(fn_source, outer_names)}
    lifted = {}
    bound_defaults = {}  # {name: [(parameter, value)]}: defaults reading locals, passed by its callers
    replacements = {}  # {id(definition): the statements that stand for it}
    names_used = {n.id for n in walk(node) if isinstance(n, gast.Name)}  # globals too: no fresh name shadows one
    updated = _updated_in_place(node)
    for name, (definition,) in definitions.items():
        function_def = _as_function_def(definition)
        captured = sorted((_free_names(function_def) & outer_names) - set(definitions) - set(aliases) - {name})
        if set(captured) & updated:
            shared = sorted(set(captured) & updated)[0]
            raise fn_source.error(
                f"the nested function {name} reads {shared}, which this function updates in place: s2s does not "
                f"follow such updates into a closure; pass {shared} to {name} as an argument",
                function_def,
                "closure over a value updated in place",
            )
        lifted[name] = (function_def, captured)
        taken = _take_defaults_reading(function_def, (outer_names - set(aliases)) | _global_values_read(fn_source, function_def))
        if taken and definition not in anonymous:
            # Python evaluates them where the def runs: there, into names of their own
            fresh = [_unused(f"_{name}_{parameter}", names_used) for parameter, _ in taken]
            names_used |= set(fresh)
            replacements[id(definition)] = [
                gast.copy_location(gast.Assign([gast.Name(f, gast.Store(), None, None)], expression), definition)
                for f, (_, expression) in zip(fresh, taken)
            ]
            taken = [(parameter, gast.Name(f, gast.Load(), None, None)) for f, (parameter, _) in zip(fresh, taken)]
        bound_defaults[name] = taken
    _fixed_point_steps(fn_source, node, lifted, aliases)
    functions = _compile(fn_source, lifted, aliases, bound_defaults)
    _rewrite_calls(fn_source, node, lifted, functions, definitions, bound_defaults, replacements)
    return fn_source


def _fixed_point_steps(fn_source, node, lifted, aliases):
    """`s2s.fixed_point(step, a, x0)` with a nested `step` that reads k: the step becomes
    `step_at_fixed_point((k, a), x) = step(k, a, x)`, a lifted function of its own, and the
    call `fixed_point(step_at_fixed_point, (k, a), x0)`. The captured values are read when
    the call is made (as Python reads them, while the step runs) and are part of what the
    fixed point is differentiated with respect to."""
    local_names = collect_locals(node)
    for call_node in walk_within(node.body, (gast.FunctionDef, gast.Lambda)):
        if not isinstance(call_node, gast.Call) or any(k.arg is None for k in call_node.keywords):
            continue
        if static_object(call_node.func, fn_source, local_names, aliases) is not runtime.fixed_point:
            continue
        try:
            bound = inspect.signature(runtime.fixed_point).bind(*call_node.args, **{k.arg: k.value for k in call_node.keywords})
        except TypeError:
            continue  # a bad call: reported where fixed_point is differentiated
        f = bound.arguments["f"]
        captured = lifted[f.id][1] if isinstance(f, gast.Name) and f.id in lifted else []
        if not captured:
            continue
        step = f.id
        wrapper = f"{step}_at_fixed_point"
        packed, a, x = (_unused(n, captured) for n in ("captured_and_a", "a", "x"))
        unpack = gast.Assign(
            [gast.Tuple([gast.Name(n, gast.Store(), None, None) for n in captured + [a]], gast.Store())],
            gast.Name(packed, gast.Load(), None, None),
        )
        forward = gast.Return(call(step, gast.Name(a, gast.Load(), None, None), gast.Name(x, gast.Load(), None, None)))
        parameters = _no_arguments()
        parameters.args = [gast.Name(packed, gast.Param(), None, None), gast.Name(x, gast.Param(), None, None)]
        definition = gast.FunctionDef(wrapper, parameters, [unpack, forward], [], None, None, [])
        for n in walk(definition):
            gast.copy_location(n, call_node)
        lifted[wrapper] = (definition, [])
        bound.arguments["f"] = gast.Name(wrapper, gast.Load(), None, None)
        bound.arguments["a"] = gast.Tuple([gast.Name(c, gast.Load(), None, None) for c in captured] + [bound.arguments["a"]], gast.Load())
        call_node.args, call_node.keywords = list(bound.args), [gast.keyword(k, v) for k, v in bound.kwargs.items()]


def _unused(name, taken):
    while name in taken:
        name += "_"
    return name


def _updated_in_place(fn_node):
    """Names the function itself updates in place: `y[i] = v`, `y[i] += v`, `y.append(v)`."""
    names = set()
    for n in walk_within(fn_node.body, (gast.FunctionDef, gast.Lambda)):
        targets = n.targets if isinstance(n, gast.Assign) else [n.target] if isinstance(n, gast.AugAssign) else []
        names |= {t.value.id for t in targets if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and isinstance(n.func.value, gast.Name):
            if n.func.attr in ("append", "pop", "extend", "insert", "remove", "clear", "sort", "reverse", "fill"):
                names.add(n.func.value.id)
    return names


def _reads(default, names):
    """Does a parameter's default (None: none) read any of `names`?"""
    return default is not None and any(isinstance(n, gast.Name) and n.id in names for n in walk(default))


def _global_values_read(fn_source, function_def):
    """The globals a nested function's defaults read that hold data (`b=K` for a global
    number K), not a module, function or class: Python reads them each time the def or
    lambda runs, so they are taken out like a local's (a value fixed when s2s transforms
    would go stale when the global is rebound)."""
    args = function_def.args
    names = {n.id for d in args.defaults + args.kw_defaults if d is not None for n in walk(d) if isinstance(n, gast.Name)}
    return {
        n for n in names
        if n in fn_source.func.__globals__ and not callable(value := fn_source.func.__globals__[n]) and not inspect.ismodule(value)
    }


def _take_defaults_reading(function_def, names):
    """The defaults of a nested function that read local names (`lambda t, k=k: ...`),
    taken out of its signature as [(parameter, expression)] (the parameters from the
    first such one on become keyword-only): its callers pass them, and a value made of it
    binds them (see _Values)."""
    args = function_def.args
    first = next((i for i, d in enumerate(args.defaults) if _reads(d, names)), len(args.defaults))
    moved = len(args.defaults) - first
    if moved:
        args.kwonlyargs[:0] = args.args[-moved:]
        args.kw_defaults[:0] = args.defaults[first:]
        del args.args[-moved:], args.defaults[first:]
    taken = [(p.id, d) for p, d in zip(args.kwonlyargs, args.kw_defaults) if _reads(d, names)]
    args.kw_defaults = [None if _reads(d, names) else d for d in args.kw_defaults]
    return taken


def _name_lambdas(fn_node):
    """Each lambda of the function's own body that is not bound to a name, replaced by a
    fresh name; returns the assignments `_lambda = lambda ...` that define them."""
    taken = {n.id for n in walk(fn_node) if isinstance(n, gast.Name)}
    bound = {id(stmt.value) for stmt in _definitions(fn_node.body) if not isinstance(stmt, gast.FunctionDef)}
    naming = _NameLambdas(fn_node, taken, bound)
    naming.visit(fn_node)
    return naming.assignments


class _NameLambdas(NodeTransformer):
    """Each lambda of `fn_node`'s own body not among `bound` (ids) becomes a fresh name
    not in `taken`, defined by one of `assignments`. A class of the module's: one made
    per call is a reference cycle, which kept the function's tree alive until the
    collector ran."""

    def __init__(self, fn_node, taken, bound):
        self.fn_node, self.taken, self.bound = fn_node, taken, bound
        self.assignments = []

    def visit_FunctionDef(self, node):
        return node if node is not self.fn_node else self.generic_visit(node)

    def visit_Lambda(self, node):
        if id(node) in self.bound:
            return node
        fresh = next(f"_lambda{i}" for i in range(1, len(self.taken) + 2) if f"_lambda{i}" not in self.taken)
        self.taken.add(fresh)
        self.assignments.append(gast.copy_location(gast.Assign([gast.Name(fresh, gast.Store(), None, None)], node), node))
        return gast.copy_location(gast.Name(fresh, gast.Load(), None, None), node)


def _definitions(stmts):
    """Nested defs and named lambdas in a body, not looking inside nested functions."""
    for stmt in stmts:
        if _nested_definition(stmt):
            yield stmt
            continue
        for field in ("body", "orelse"):
            yield from _definitions(getattr(stmt, field, None) or [])


def _replaced(stmts, replacements):
    """`stmts` with each statement whose id is a key of `replacements` replaced by its
    statements (none: removed), in nested blocks too."""
    out = []
    for stmt in stmts:
        if id(stmt) in replacements:
            out += replacements[id(stmt)]
            continue
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if block:
                setattr(stmt, field, _replaced(block, replacements) or ([gast.Pass()] if field == "body" else []))
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
        return clone(stmt)
    body = [gast.copy_location(gast.Return(clone(stmt.value.body)), stmt)]
    return gast.copy_location(
        gast.FunctionDef(stmt.targets[0].id, clone(stmt.value.args), body, [], None, None, []), stmt
    )


def _free_names(function_def):
    """Names a function reads but does not bind (its parameters and assignments)."""
    bound = collect_locals(function_def)
    return {
        n.id
        for stmt in function_def.body
        for n in walk(stmt)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id not in bound
    }


def _compile(fn_source, lifted, aliases, bound_defaults):
    """Real function objects for the lifted defs (they run the primal), ASTs attached.

    They are made together inside one factory function, so that they reach each other
    (and themselves, recursively) and the `aliases` (its parameters) through closure
    cells, never through the module's globals.
    """
    lifted_defs = []
    for name, (function_def, captured) in lifted.items():
        if function_def.decorator_list:
            raise fn_source.error("decorators on nested functions are not supported", function_def, "decorator")
        if any(isinstance(n, (gast.Yield, gast.YieldFrom)) for n in walk(function_def)):
            raise fn_source.error(
                f"the nested function {name} is a generator (yield); define generator functions at module level",
                function_def,
                "nested generator (yield)",
            )
        if any(isinstance(n, gast.Nonlocal) for n in walk(function_def)):
            raise fn_source.error(f"the nested function {name} assigns to the enclosing function's names (nonlocal)", function_def, "nonlocal")
        lifted_def = clone(function_def)
        lifted_def.args.args = [gast.Name(c, gast.Param(), None, None) for c in captured] + lifted_def.args.args
        _rewrite_body_calls(fn_source, lifted_def, lifted, bound_defaults)
        lifted_defs.append(lifted_def)
    names = gast.Tuple([gast.Name(d.name, gast.Load(), None, None) for d in lifted_defs], gast.Load())
    parameters = _no_arguments()
    parameters.args = [gast.Name(a, gast.Param(), None, None) for a in aliases]
    factory = gast.FunctionDef("_s2s_lifted", parameters, lifted_defs + [gast.Return(names)], [], None, None, [])
    module = gast.gast_to_ast(gast.Module([gast.copy_location(factory, fn_source.node)], []))
    ast.fix_missing_locations(module)
    namespace = {}
    exec(compile(module, fn_source.filename, "exec"), fn_source.globals, namespace)
    try:
        made = namespace["_s2s_lifted"](*aliases.values())
    except Exception as error:  # noqa: BLE001 - a default the factory evaluated: any exception of the user's code
        raise _default_error(fn_source, lifted_defs, error) from None
    functions = dict(zip(lifted, made))
    for lifted_def, function in zip(lifted_defs, functions.values()):
        function.__qualname__ = f"{fn_source.func.__qualname__}.<locals>.{lifted_def.name}"
        scope = {**fn_source.closure, **aliases, **functions}
        function.__s2s_source__ = frontend.FunctionSource(function, lifted_def, fn_source.filename, scope)
    return functions


def _default_error(fn_source, lifted_defs, error):
    """The located TransformError for a nested function's default that could not be
    evaluated when s2s lifted it (Python evaluates it only when the def runs)."""
    line = traceback.extract_tb(error.__traceback__)[-1].lineno
    with_defaults = [d for d in lifted_defs if d.args.defaults or any(d.args.kw_defaults)]
    where = next((d for d in with_defaults if d.lineno == line), with_defaults[0] if with_defaults else None)
    name = where.name if where is not None else "a nested function"
    return fn_source.error(
        f"s2s evaluates the defaults of nested functions when it transforms, and a default of {name} failed "
        f"({type(error).__name__}: {error}); pass the value as an argument instead",
        where if where is not None else fn_source.node,
        "nested function default",
    )


def _no_arguments():
    return gast.arguments(args=[], posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _rewrite_body_calls(fn_source, function_def, lifted, bound_defaults):
    """Inside a lifted function, calls of (itself and) its siblings pass their captures."""
    for node in walk(function_def):
        if isinstance(node, gast.Name) and bound_defaults.get(node.id):
            raise fn_source.error(
                f"the nested function {node.id}, whose defaults read local names, is used inside a nested "
                f"function ({function_def.name}): pass the values as arguments instead",
                node,
                "default of a nested function",
            )
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id in lifted:
            captured = lifted[node.func.id][1]
            node.args = [gast.Name(c, gast.Load(), None, None) for c in captured] + node.args


def _rewrite_calls(fn_source, node, lifted, functions, definitions, bound_defaults, replacements):
    """Calls pass the captured names (and the defaults that read locals, where the call
    does not give them); uses as values become partials; the definitions themselves
    disappear, or become the evaluation of those defaults."""
    removed = {id(d): [] for ds in definitions.values() for d in ds}
    node.body = _replaced(node.body, {**removed, **replacements}) or [gast.Pass()]
    derived = _transforms_of_nested(fn_source, node, lifted, functions, bound_defaults)
    captures = {**{n: lifted[n][1] for n in functions}, **derived}
    for n in walk(node):
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id in captures:
            if bound_defaults.get(n.func.id):
                original = definitions[n.func.id][0]
                original = original if isinstance(original, gast.FunctionDef) else original.value
                _pass_bound_defaults(fn_source, n, original.args, lifted[n.func.id][0].args, bound_defaults[n.func.id])
            n.args = [gast.Name(c, gast.Load(), None, None) for c in captures[n.func.id]] + n.args
            if n.func.id in functions:
                anno.set(n.func, "object", functions[n.func.id])
    counts = _binding_counts(node)
    _Values(fn_source, lifted, functions, counts, bound_defaults).visit(node)


def _pass_bound_defaults(fn_source, call_node, written, lifted, defaults):
    """A call of a nested function whose `defaults` were taken out of its signature
    (`written`, its arguments as written; `lifted`, as lifted): positional arguments for
    the parameters made keyword-only are passed by keyword, and each default the call
    does not give is passed."""
    name = call_node.func.id
    if any(isinstance(a, gast.Starred) for a in call_node.args) or any(k.arg is None for k in call_node.keywords):
        raise fn_source.error(
            f"a call of the nested function {name}, whose defaults read local names, with *args or **kwargs",
            call_node,
            "default of a nested function",
        )
    positional = len(lifted.args)
    made_keyword_only = [p.id for p in lifted.kwonlyargs[:len(written.args) - positional]]
    extra = call_node.args[positional:positional + len(made_keyword_only)]
    call_node.args[positional:positional + len(extra)] = []
    call_node.keywords[:0] = [gast.keyword(p, a) for p, a in zip(made_keyword_only, extra)]
    given = {k.arg for k in call_node.keywords}
    call_node.keywords += [gast.keyword(p, clone(value)) for p, value in defaults if p not in given]


def _transforms_of_nested(fn_source, node, lifted, functions, bound_defaults):
    """`dU = s2s.grad(inner, ...)` and `s2s.grad(inner, ...)(x)`: made from the lifted
    function, `wrt` moved past the captured parameters. A call of the transform itself
    passes the captured names first; returns {dU: the captured names its calls pass}."""
    derived = {}
    local_names = collect_locals(node)
    for stmt in walk(node):
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
            captured = _transform_of_nested(fn_source, stmt, stmt.value, lifted, functions, local_names, bound_defaults)
            if captured and not isinstance(stmt.targets[0], gast.Name):
                raise fn_source.error(f"bind {source_name(stmt.value)} to a name", stmt, "nested function as a value")
            if captured:
                derived[stmt.targets[0].id] = captured
        elif isinstance(stmt, gast.Call):  # s2s.grad(inner)(x), used where it is made
            captured = _transform_of_nested(fn_source, stmt, stmt.func, lifted, functions, local_names, bound_defaults)
            stmt.args = [gast.Name(c, gast.Load(), None, None) for c in captured or ()] + stmt.args
    return derived


def _transform_of_nested(fn_source, stmt, value, lifted, functions, local_names, bound_defaults):
    """If `value` is an s2s transform of a nested function (`s2s.grad(inner)`): rewritten
    to transform the lifted function; returns the captured names its calls pass first."""
    if not (isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name)):
        return None
    inner = value.args[0].id
    transform = static_object(value.func, fn_source, local_names)
    if inner not in functions or not getattr(transform, "_s2s_static_call", False):
        return None
    if bound_defaults.get(inner):
        raise fn_source.error(
            f"{source_name(value)} of the nested function {inner}, whose defaults read local names: pass the "
            "values as arguments instead",
            stmt,
            "default of a nested function",
        )
    captured = lifted[inner][1]
    value.args[0] = ref(functions[inner], inner)
    if captured:
        _shift_wrt(fn_source, stmt, value, transform, len(captured))
    return captured


def source_name(value):
    return ast.unparse(gast.gast_to_ast(clone(value.func)))


def _shift_wrt(fn_source, stmt, value, transform, shift):
    """The transform's `wrt` (its second parameter, as in `s2s.grad(f, wrt=0)`; default 0)
    counted past `shift` leading captured parameters. A transform of one parameter
    (`s2s.checkpoint`) passes every argument on as it is."""
    parameters = list(inspect.signature(transform).parameters)
    if len(parameters) < 2:
        return
    wrt_name = parameters[1]
    keyword = next((k for k in value.keywords if k.arg == wrt_name), None)
    given = keyword.value if keyword else (value.args[1] if len(value.args) > 1 else gast.Constant(0, None))
    try:
        wrt = ast.literal_eval(gast.gast_to_ast(clone(given)))
    except ValueError:
        raise fn_source.error("wrt of a transform of a nested function must be a literal", stmt, "wrt") from None
    shifted = tuple(w + shift if isinstance(w, int) else w for w in wrt) if isinstance(wrt, tuple) else (wrt + shift if isinstance(wrt, int) else wrt)
    new = gast.Constant(shifted, None) if not isinstance(shifted, tuple) else gast.Tuple([gast.Constant(w, None) for w in shifted], gast.Load())
    value.args = value.args[:1]
    value.keywords = [k for k in value.keywords if k.arg != wrt_name] + [gast.keyword(wrt_name, new)]


def _binding_counts(fn_node):
    """How often each name of the function's own body is bound (a loop target: often)."""
    counts = {}
    for stmt in fn_node.body:
        for n in walk(stmt):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                counts[n.id] = counts.get(n.id, 0) + 1
            elif isinstance(n, (gast.For, gast.comprehension)):
                for t in walk(n.target):
                    if isinstance(t, gast.Name):
                        counts[t.id] = counts.get(t.id, 0) + 2
    for a in fn_node.args.args + fn_node.args.posonlyargs + fn_node.args.kwonlyargs:
        counts[a.id] = counts.get(a.id, 0) + 1
    return counts


class _Values(NodeTransformer):
    """A nested function used as a value -> its lifted function, bound to its captures."""

    def __init__(self, fn_source, lifted, functions, counts, bound_defaults):
        self.src, self.lifted, self.functions, self.counts = fn_source, lifted, functions, counts
        self.bound_defaults = bound_defaults

    def visit_Call(self, node):
        if isinstance(node.func, gast.Name) and anno.has(node.func, "object"):
            node.args = [self.visit(a) for a in node.args]
            node.keywords = [self.visit(k) for k in node.keywords]
            return node
        return self.generic_visit(node)

    def visit_Name(self, node):
        if not (isinstance(node.ctx, gast.Load) and node.id in self.functions) or anno.has(node, "object"):
            return node
        captured = self.lifted[node.id][1]
        rebound = [c for c in captured if self.counts.get(c, 0) > 1]
        if rebound:
            raise self.src.error(
                f"the nested function {node.id} is used as a value and reads {', '.join(rebound)}, which "
                "is bound more than once: Python reads it when the function is called, s2s when the "
                "function value is made; pass it as an argument instead",
                node,
                "nested function as a value",
            )
        function = ref(self.functions[node.id], node.id)
        defaults = self.bound_defaults.get(node.id, [])
        if not captured and not defaults:
            return gast.copy_location(function, node)
        values = gast.Tuple([gast.Name(c, gast.Load(), None, None) for c in captured], gast.Load())
        keywords = gast.Dict([gast.Constant(p, None) for p, _ in defaults], [clone(d) for _, d in defaults])
        made = call(ref(runtime.make_partial, "make_partial"), function, values, keywords)
        return gast.copy_location(made, node)
