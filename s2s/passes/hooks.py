"""Gradient hooks: `with s2s.insert_grad_of(h) as dh: dh = np.clip(dh, -1, 1)`.

The block is code for the backward sweep: there it runs with `dh` bound to the
derivative of `h` at that point of the program, and what it leaves in `dh` replaces
it. This pass swaps the `with` statement for a marker carrying the block, which the
reverse generator places in the backward sweep (forward mode ignores it). Any other
`with` statement is left for `checks` to reject.
"""
import gast

from .. import anno, runtime
from ..syntax import walk
from .blocks import rewrite_statements
from .desugar import collect_locals
from .resolve import static_object


def lower_gradient_hooks(fn_source):
    local_names = collect_locals(fn_source.node)

    def rewrite(stmt):
        if not (isinstance(stmt, gast.With) and len(stmt.items) == 1 and isinstance(stmt.items[0].context_expr, gast.Call)):
            return [stmt]
        item = stmt.items[0]
        if static_object(item.context_expr.func, fn_source, local_names) is not runtime.insert_grad_of:
            return [stmt]
        args = item.context_expr.args
        if len(args) != 1 or not isinstance(args[0], gast.Name) or not isinstance(item.optional_vars, gast.Name):
            raise fn_source.error("write a gradient hook as `with s2s.insert_grad_of(x) as dx: ...`", stmt, "insert_grad_of")
        jumps = [n for s in stmt.body for n in walk(s) if isinstance(n, (gast.Return, gast.Break, gast.Continue, gast.Yield))]
        if jumps:
            raise fn_source.error("a gradient hook's block cannot return, break or continue", jumps[0], "insert_grad_of")
        hook = gast.copy_location(gast.Expr(gast.Constant(None, None)), stmt)
        anno.set(hook, "grad_hook", (args[0].id, item.optional_vars.id, stmt.body))
        return [hook]

    fn_source.node.body = rewrite_statements(fn_source.node.body, rewrite)
    return fn_source


def hook_names(fn_node):
    """Names used inside the gradient hooks of a function (hidden in their markers)."""
    names = set()
    for node in walk(fn_node):
        hook = anno.get(node, "grad_hook")
        if hook:
            names.update(hook[:2])
            names.update(n.id for s in hook[2] for n in walk(s) if isinstance(n, gast.Name))
    return names
