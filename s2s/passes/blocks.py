"""The statement walk the rewriting passes share."""
import gast


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
