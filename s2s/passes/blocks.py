"""The statement walks the passes share."""
import gast

LOOPS = (gast.For, gast.While)


def walk_within(nodes, barriers):
    """`nodes` and their descendants, not descending into nodes of the `barriers` types
    (which are yielded themselves): a loop's own breaks, a function's own statements."""
    todo = list(nodes)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, barriers):
            todo.extend(gast.iter_child_nodes(node))


def rewrite_statements(stmts, rewrite):
    """Replace each statement by `rewrite(stmt)` (a list), nested blocks first."""
    out = []
    for stmt in stmts:
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if block:
                setattr(stmt, field, rewrite_statements(block, rewrite) or ([gast.Pass()] if field == "body" else []))
        out += rewrite(stmt)
    return out
