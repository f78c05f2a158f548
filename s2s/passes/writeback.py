"""Calls of user functions that update their arguments in place, made to return them.

Python passes objects: after `push(stack, v)` with `def push(s, v): s.append(v)`, the
caller's `stack` holds v too. s2s follows values by name, so such a call is rewritten
to return what it updates, and the caller binds its names again:

    _push = call_updating(push, ('s',), stack, v)    # (push's result, s as push left it)
    stack = _push[1]                                 # Python: the same list, updated

The call's callee is `dispatch.UpdatesReturned(push, ('s',))`, a variant of push whose two
leading parameters are those of `runtime.call_updating` and which returns the tuple:
differentiated, it is generated like any user function (program.prepare adds the
parameters and the return); run without derivatives, it is `call_updating`, which calls
push on private copies. The binding back is marked `writes_back`: passes/aliasing.py
reads it as an update in place of the caller's object and refuses it if another live
name shares that object. Where none does, binding the name again is what Python's
update does.

A parameter is written back only if the callee binds its name for no other purpose than
updating it (item assignment, append, pop, `p op= v`, the entry copy desugar makes), so
that its final value is the object Python's caller sees. `p op= v` updates in place only
an array (a number or tuple is bound anew), and a call that passes p on updates it as
its callee does, so either needs the caller's argument to be an array.
"""
import inspect

import gast

from .. import anno, dispatch, runtime
from ..dispatch import UPDATES_RETURNED_LEADING, UpdatesReturned
from ..frontend import param_names
from ..syntax import assign, call, const, name, ref, walk
from . import varargs
from .activity import ndim_of
from .anf import updated_name
from .blocks import rewrite_statements
from .desugar import collect_locals

# written-back parameters' kinds: updated only by item assignment, append or pop (any
# object those apply to), or also in ways that update only an array
ANY_KIND, ARRAY_ONLY = "any", "array"


def writable_parameters(src, writable_of, updated_by_name):
    """{parameter: ANY_KIND or ARRAY_ONLY} for the parameters whose name the function
    (prepared: desugared, in A-normal form) binds only to update it in place, and whose
    object it updates only through that name (`updated_by_name`, from the alias
    analysis: `w = a; w *= 2.0` updates a's object, but s2s rebinds only w).
    writable_of(function): the same for a function it calls (its own, while recursing:
    the condition a call passes on is the one being found)."""
    params = param_names(src.node)
    found = {p: ANY_KIND for p in params if p in updated_by_name}
    entry_copies = {
        s.targets[0].id for s in walk(src.node)
        if isinstance(s, gast.Assign) and isinstance(s.value, gast.Call) and anno.get(s.value.func, "copies_argument")
    }
    for node in walk(src.node):
        callee = dispatch.user_function(anno.get(node, "callee")) if isinstance(node, gast.Call) else None
        if inspect.isfunction(callee) and not anno.get(node, "packed"):
            # passed on: updated as the callee updates it (a call it cannot write back is refused)
            for q, a in varargs.bind(src, node, node, callee).items():
                if isinstance(a, gast.Name) and a.id in found and writable_of(callee).get(q) == ARRAY_ONLY:
                    found[a.id] = ARRAY_ONLY
        if isinstance(node, (gast.For, gast.comprehension)):
            bound = [node.target]
        elif isinstance(node, gast.Assign):
            bound = node.targets
        else:
            continue
        for target in bound:
            for n in walk(target):
                if not (isinstance(n, gast.Name) and n.id in found):
                    continue
                if isinstance(node, gast.Assign) and target is n and anno.get(n, "augmented"):
                    found[n.id] = ARRAY_ONLY
                elif not (isinstance(node, gast.Assign) and target is n and _updates_or_copies(node, n.id, entry_copies)):
                    del found[n.id]
    return found


def _updates_or_copies(stmt, param, entry_copies):
    value = stmt.value
    entry_copy = isinstance(value, gast.Name) and value.id in entry_copies  # p = private_copy(p), in ANF
    return entry_copy or updated_name(stmt) == param


def write_back_updates(src, activity, namer, updated_parameters, writable_of):
    """Rewrite calls of user functions that update arguments the caller passes by name;
    True if anything changed. updated_parameters(function) -> the parameters it may
    update in place; writable_of(function) -> writable_parameters of its prepared code."""
    changed = False
    own_names = collect_locals(src.node)

    def rewrite(stmt):
        nonlocal changed
        value = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        if not isinstance(value, gast.Call) or anno.get(value, "packed"):
            return [stmt]
        function = dispatch.user_function(anno.get(value, "callee"))
        if not inspect.isfunction(function):
            return [stmt]
        updated = updated_parameters(function)
        if not updated:
            return [stmt]
        arguments = varargs.bind(src, stmt, value, function)
        writable = writable_of(function)
        # a number or string cannot be updated in place: nothing to bind back
        updated = {p for p in updated if not _immutable(arguments[p], activity)}
        if not updated:
            return [stmt]
        passed = [arguments[p] for p in sorted(updated)]
        if not all(_can_write_back(p, a, writable, activity, own_names) for p, a in zip(sorted(updated), passed)):
            # left as it is: passes/aliasing.py refuses it where another statement reads
            # what it updates (the backward sweep would read the updated values)
            return [stmt]
        if len({a.id for a in passed}) < len(passed):
            return [stmt]  # one object passed as two updated parameters: refused as aliasing
        order = [p for p in arguments if p in updated]
        holder = namer.fresh(f"_{function.__name__}")
        rewritten = call(ref(runtime.call_updating, "call_updating"), ref(function, function.__name__), const(tuple(order)))
        rewritten.args += value.args
        rewritten.keywords = value.keywords
        anno.set(rewritten, "callee", UpdatesReturned(function, tuple(order)))
        out = [gast.copy_location(assign(holder, rewritten), stmt)]
        for i, p in enumerate(order, start=1):
            back = gast.copy_location(assign(arguments[p].id, _item(holder, i)), stmt)
            anno.set(back, "writes_back", holder)  # Python updated this object in place, during the call
            out.append(back)
        if isinstance(stmt, gast.Assign):  # bound after the call's updates, as in Python
            out.append(gast.copy_location(gast.Assign(stmt.targets, _item(holder, 0)), stmt))
        changed = True
        return out

    src.node.body = rewrite_statements(src.node.body, rewrite)
    _check_no_nested_updating_calls(src, updated_parameters)
    return changed


def _check_no_nested_updating_calls(src, updated_parameters):
    """A call kept inside an expression (a `while` test, an index) cannot bind back
    what it updates: refused where it may update an argument."""
    statement_calls = {
        id(s.value) for s in walk(src.node) if isinstance(s, (gast.Assign, gast.Expr)) and isinstance(s.value, gast.Call)
    }
    for node in walk(src.node):
        if not isinstance(node, gast.Call) or id(node) in statement_calls:
            continue
        function = dispatch.user_function(anno.get(node, "callee"))
        if inspect.isfunction(function) and updated_parameters(function):
            raise src.error(
                f"{function.__name__} updates an argument in place, and is called inside an expression that s2s "
                f"keeps whole (a while condition, an index): call it in a statement of its own first",
                node,
                "update in place inside an expression",
            )


def _can_write_back(param, argument, writable, activity, own_names):
    if param not in writable or not isinstance(argument, gast.Name) or argument.id not in own_names:
        return False
    kind = activity.kind(argument.id)
    return writable[param] == ANY_KIND or (ndim_of(kind) or 0) > 0


def _immutable(argument, activity):
    if isinstance(argument, gast.Constant):
        return isinstance(argument.value, (bool, int, float, complex, str, bytes, type(None)))
    return isinstance(argument, gast.Name) and activity.kind(argument.id) == "scalar"


def _item(holder, i):
    return gast.Subscript(name(holder), const(i), gast.Load())


def return_updates(src, namer, variant):
    """Make the prepared code of variant.function that of the variant: the leading
    parameters, and `return (result, *updated)` in place of `return result`."""
    fn = src.node
    fn.args.posonlyargs = [gast.Name(p, gast.Param(), None, None) for p in UPDATES_RETURNED_LEADING] + fn.args.posonlyargs
    namer.taken |= set(UPDATES_RETURNED_LEADING)
    returned = fn.body[-1]
    holder = namer.fresh("_returned")
    items = [returned.value or const(None)] + [name(p) for p in variant.updated]
    fn.body[-1:] = [gast.copy_location(assign(holder, gast.Tuple(items, gast.Load())), returned), gast.copy_location(gast.Return(name(holder)), returned)]
