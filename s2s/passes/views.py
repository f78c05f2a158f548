"""Values read from an array that is written in place later are read as copies.

`t = y[1:]` is a view: a later `y[i] = v` changes what `t` holds. Python's program
may not read `t` after that write (passes/aliasing.py refuses it if it does), but the
backward sweep does: it reads `t` from the tape, and undoes the writes to `y` on a copy
of its own, so a view would show `y`'s last values instead of those `t` had. Reading
such a value as a copy (`t = private_copy(y[1:])`) changes nothing the program sees,
and gives the backward sweep the values of the matching forward point.
"""
import gast

from .. import anno, runtime
from ..syntax import call, name, ref
from .aliasing import UPDATES, VIEWS
from .blocks import rewrite_statements


def copy_views_of_written(fn_source, activity, namer):
    """Rewrite reads of views of arrays written in place; returns True if any changed."""
    written = {
        s.targets[0].id
        for s in gast.walk(fn_source.node)
        if isinstance(s, gast.Assign) and isinstance(s.value, gast.Call) and anno.get(s.value, "callee") in UPDATES
        and anno.get(s.value, "callee") not in (runtime.list_append, runtime.list_pop)
    }
    changed = False

    def rewrite(stmt):
        nonlocal changed
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
            return [stmt]
        target, value = stmt.targets[0].id, stmt.value
        if activity.kind(target) == "scalar" or _base(value) not in written:
            return [stmt]
        changed = True
        view = namer.fresh("_view")
        copied = call(ref(runtime.private_copy, "private_copy"), name(view))
        anno.set(copied, "callee", runtime.private_copy)
        first = gast.copy_location(gast.Assign([name(view, gast.Store())], value), stmt)
        return [first, gast.copy_location(gast.Assign(stmt.targets, copied), stmt)]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    return changed


def _base(value):
    """The array a value may view: `y` of `y[i]`, `np.reshape(y, ...)`; else None."""
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        return value.value.id
    if isinstance(value, gast.Call) and anno.get(value, "callee") in VIEWS and value.args and isinstance(value.args[0], gast.Name):
        return value.args[0].id
    return None
