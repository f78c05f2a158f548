"""Calls of callable fields: `p.first(x)` -> `_first = p.first; _first(x)`.

When `p.first` is an object (a dataclass layer with `__call__`), the call runs that
object's `__call__` with the object as `self`. Binding the field to a name first makes
its derivative flow back into `p` through the ordinary attribute rule. Which attributes
are fields holding objects is known from the argument kinds, so this runs per
specialization, after activity analysis.
"""
import gast

from .. import anno
from .activity import field_kind, object_type
from .blocks import rewrite_statements


def bind_called_fields(fn_source, activity, namer):
    """Rewrite calls of object-valued fields; returns True if anything changed."""
    changed = False

    def rewrite(stmt):
        nonlocal changed
        call = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
        func = call.func if isinstance(call, gast.Call) else None
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
            return [stmt]
        if object_type(field_kind(activity.kind(func.value.id), func.attr)) is None:
            return [stmt]
        bound = namer.fresh(f"_{func.attr}")
        read = gast.Attribute(gast.Name(func.value.id, gast.Load(), None, None), func.attr, gast.Load())
        call.func = gast.Name(bound, gast.Load(), None, None)
        anno.set(call, "callee", None)
        changed = True
        return [gast.copy_location(gast.Assign([gast.Name(bound, gast.Store(), None, None)], read), stmt), stmt]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    return changed
