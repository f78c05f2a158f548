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


def bind_called_fields(fn_source, activity, namer):
    """Rewrite calls of object-valued fields; returns True if anything changed."""
    changed = False

    def block(stmts):
        nonlocal changed
        out = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, block(getattr(stmt, field)))
            call = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
            func = call.func if isinstance(call, gast.Call) else None
            if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
                if object_type(field_kind(activity.kind(func.value.id), func.attr)) is not None:
                    bound = namer.fresh(f"_{func.attr}")
                    read = gast.Attribute(gast.Name(func.value.id, gast.Load(), None, None), func.attr, gast.Load())
                    out.append(gast.copy_location(gast.Assign([gast.Name(bound, gast.Store(), None, None)], read), stmt))
                    call.func = gast.Name(bound, gast.Load(), None, None)
                    anno.set(call, "callee", None)
                    changed = True
            out.append(stmt)
        return out

    fn_source.node.body = block(fn_source.node.body)
    return changed
