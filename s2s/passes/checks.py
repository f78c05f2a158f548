"""Reject, with a located TransformError, the constructs s2s does not differentiate.

Running this first means no later pass ever meets them and fails obscurely.
"""
import gast
import numpy

from .. import anno, runtime
from ..syntax import walk

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
        for node in walk(stmt):
            construct = _UNSUPPORTED.get(type(node))
            if construct:
                raise fn_source.error(f"{construct} is not supported by s2s", node, construct)
            if isinstance(node, (gast.For, gast.While)) and node.orelse:
                raise fn_source.error("else-clauses on loops are not supported by s2s", node, "loop else")
            if isinstance(node, gast.Assign) and any(_has_starred(t) for t in node.targets):
                raise fn_source.error("starred assignment targets are not supported by s2s", node, "starred assignment")


def _has_starred(target):
    return any(isinstance(n, gast.Starred) for n in walk(target))


def check_effect_calls(fn_source, activity, is_user_call):
    """Raise TransformError for a method of a local name called for its effect where the
    name, or a value passed, carries a derivative (`y.sort()`, `L.reverse()`,
    `L.insert(0, v)`, `d.update(k=v)`): such a call may update the
    value in place, which s2s would not see. append, pop and item assignment are
    desugared to updates it follows; a user function's method is analysed as a call."""
    local = {n.id for n in walk(fn_source.node) if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Param))}
    for node in walk(fn_source.node):
        if not (isinstance(node, gast.Expr) and isinstance(node.value, gast.Call)):
            continue
        func = node.value.func
        callee = anno.get(node.value, "callee")
        passed = {  # an expression statement is kept whole: its arguments are expressions
            n.id for a in node.value.args + [k.value for k in node.value.keywords] for n in walk(a) if isinstance(n, gast.Name)
        }
        if _updates_an_argument(callee) and passed & activity.varied:
            ufunc = getattr(callee, "__self__", None)
            construct = f"np.{ufunc.__name__}.at" if isinstance(ufunc, numpy.ufunc) else f"np.{callee.__name__}"
            raise fn_source.error(
                f"{construct} updates its first argument in place, and a value that carries a derivative takes part: "
                f"s2s does not differentiate it; write the update as an item assignment (y[i] = y[i] + v) or "
                f"a new value (np.where, np.bincount)",
                node,
                construct,
            )
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in local:
            # the receiver carries a derivative, or a value that does may go into it (L.insert(0, v))
            if ({func.value.id} | passed) & activity.varied and not is_user_call(node.value):
                construct = f"{func.value.id}.{func.attr}(...)"
                raise fn_source.error(
                    f"{construct} is called for its effect on {func.value.id}, which carries a derivative: s2s follows "
                    f"updates in place only through item assignment, append and pop; bind the result instead "
                    f"(for example y = np.sort(y), L = L[::-1])",
                    node,
                    construct,
                )


def check_sequence_arithmetic(fn_source, activity):
    """Raise TransformError for `+`, `*` or `|` on a list, tuple or dict that carries a
    derivative (`[s] + [t]`, `L * 2`, `L += [v]`, `d |= {...}`): the rules of these
    operators are those of numbers and arrays. A name is a sequence if a binding makes it
    one: a display, list(...), tuple(...) or dict(...), another sequence, or one of the
    operators on one, and every binding of it does.
    (A parameter's kind does not tell a list from an array of unknown kind, in
    derivatives called by derivatives.)"""
    binds = [(s.targets[0].id, s.value, s) for s in walk(fn_source.node) if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]
    # names every binding of which makes a sequence (a greatest fixed point)
    whole = {id(s.targets[0]) for _, _, s in binds}
    elsewhere = {  # parameters, loop targets, names unpacked
        n.id for n in walk(fn_source.node) if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Param)) and id(n) not in whole
    }
    sequences = {target for target, _, _ in binds} - elsewhere
    changed = True
    while changed:
        changed = False
        for target, value, _ in binds:
            if target in sequences and not _makes_sequence(value, sequences):
                sequences.discard(target)
                changed = True
    slices = {bound for bound, value, _ in binds if isinstance(value, gast.Call) and anno.get(value, "callee") is slice}
    for _, value, stmt in binds:
        if isinstance(value, gast.Call) and anno.get(value, "callee") is runtime.setitem and _name_in(value.args[0], sequences & activity.varied):
            index = value.args[1]
            if isinstance(index, gast.Name) and index.id in slices or isinstance(index, gast.Call) and anno.get(index, "callee") is slice:
                raise fn_source.error(
                    "assigning to a slice of a list or tuple that carries a derivative is not differentiated by s2s "
                    "(it may change the length): assign item by item or build a new list",
                    stmt,
                    "list slice assignment",
                )
        if isinstance(value, gast.BinOp) and isinstance(value.op, _SEQUENCE_OPERATORS):
            operands = {o.id for o in (value.left, value.right) if isinstance(o, gast.Name)}
            if operands & sequences and operands & activity.varied:
                raise fn_source.error(
                    "`+`, `*` and `|` on lists, tuples or dicts that carry a derivative are not differentiated by "
                    "s2s: build the container with a display, append, item assignment or a comprehension",
                    stmt,
                    "list or tuple concatenation",
                )


_SEQUENCE_OPERATORS = (gast.Add, gast.Mult, gast.BitOr)  # concatenation, repetition, a dict's union


def _makes_sequence(value, sequences):
    if isinstance(value, (gast.List, gast.Tuple, gast.Dict)):
        return True
    if isinstance(value, gast.Name):
        return value.id in sequences
    if isinstance(value, gast.Call) and anno.get(value, "callee") in (runtime.setitem, runtime.list_append):
        return _name_in(value.args[0], sequences)  # the same list, updated in place
    if isinstance(value, gast.Call):
        return anno.get(value, "callee") in (list, tuple, dict)
    if isinstance(value, gast.BinOp) and isinstance(value.op, _SEQUENCE_OPERATORS):
        return any(isinstance(o, gast.Name) and o.id in sequences for o in (value.left, value.right))
    return False


def _name_in(node, names):
    return isinstance(node, gast.Name) and node.id in names


# NumPy functions that update their first argument in place (`out=` is refused elsewhere).
_NUMPY_UPDATES = {numpy.copyto, numpy.put, numpy.place, numpy.putmask, numpy.fill_diagonal, numpy.put_along_axis}


def _updates_an_argument(callee):
    """A NumPy function updating its first argument, or a ufunc's `at` (np.add.at)."""
    if isinstance(getattr(callee, "__self__", None), numpy.ufunc) and getattr(callee, "__name__", "") == "at":
        return True
    try:
        return callee in _NUMPY_UPDATES
    except TypeError:  # unhashable
        return False
