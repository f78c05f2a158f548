"""Decide what the stack carries between the sweeps, and drop what it need not.

The generator surrounds every assignment with save/restore markers. A value is saved
only if the backward sweep reads that variable (it is *needed*) and the assignment may
overwrite a value that is still needed (the variable is bound more than once, or in a
loop). Recorded branch decisions and trip counts whose backward construct ends up
empty are removed together with the forward code that recorded them.
"""
import gast

from .. import anno
from ..reverse import assign, name, pop, push


def walk_statements(stmts, depth=0, in_loop=False):
    """Yield (stmt, depth, in_loop) for statements, nested bodies included."""
    for stmt in stmts:
        yield stmt, depth, in_loop
        loop = in_loop or isinstance(stmt, (gast.For, gast.While))
        for field in ("body", "orelse"):
            yield from walk_statements(getattr(stmt, field, []) or [], depth + 1, loop)


def free_loads(stmts, bound=frozenset()):
    """Names read by `stmts` that a loop header inside them does not bind first."""
    names = set()
    for stmt in stmts:
        if isinstance(stmt, gast.For):
            names |= _loads(stmt.iter) - bound
            inner = bound | {n.id for n in gast.walk(stmt.target) if isinstance(n, gast.Name)}
            names |= free_loads(stmt.body, inner) | free_loads(stmt.orelse, bound)
        elif isinstance(stmt, (gast.If, gast.While)):
            names |= (_loads(stmt.test) - bound) | free_loads(stmt.body, bound) | free_loads(stmt.orelse, bound)
        else:
            names |= _loads(stmt) - bound
    return names


def stored(stmts):
    """Names bound by `stmts`."""
    return {n.id for s in stmts for n in gast.walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def _loads(node):
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def resolve_records(forward, backward, primal_names, params, stack):
    """Replace save/restore markers; returns (forward, backward, needed, maybe_unbound)."""
    needed = free_loads(backward) & primal_names
    sites = {}
    for stmt, depth, in_loop in walk_statements(forward):
        if anno.get(stmt, "marker") == "save":
            sites.setdefault(anno.get(stmt, "var"), []).append((anno.get(stmt, "site"), depth, in_loop))
    kept_sites, maybe_unbound = set(), set()
    for var, var_sites in sites.items():
        if var not in needed:
            continue
        first_site, first_depth, _ = var_sites[0]
        if var not in params and first_depth > 0:
            maybe_unbound.add(var)  # bound on some paths only: start it as None
        overwrites = len(var_sites) > 1 or any(in_loop for _, _, in_loop in var_sites)
        if not overwrites:
            continue
        for site, depth, in_loop in var_sites:
            if site == first_site and var not in params and first_depth == 0:
                continue  # nothing bound yet at the first binding: nothing to save
            kept_sites.add((var, site))

    def replace(stmts):
        out = []
        for stmt in stmts:
            kind = anno.get(stmt, "marker")
            if kind in ("save", "restore"):
                if (anno.get(stmt, "var"), anno.get(stmt, "site")) in kept_sites:
                    var = anno.get(stmt, "var")
                    out.append(gast.copy_location(push(name(var), stack) if kind == "save" else assign(var, pop(stack)), stmt))
                continue
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, replace(getattr(stmt, field)))
            out.append(stmt)
        return out

    return replace(forward), replace(backward), needed, maybe_unbound


def drop_empty_records(forward, backward):
    """Remove backward constructs left empty, and the forward code recording for them."""
    while True:
        empty = set()

        def prune(stmts):
            out = []
            for stmt in stmts:
                for field in ("body", "orelse"):
                    if getattr(stmt, field, None):
                        setattr(stmt, field, prune(getattr(stmt, field)))
                record = anno.get(stmt, "record")
                if record is not None and isinstance(stmt, (gast.If, gast.For)) and _is_empty(stmt):
                    empty.add(record)
                    continue
                out.append(stmt)
            return out

        backward[:] = prune(backward)
        if not empty:
            return forward, backward

        def strip(stmts):
            out = []
            for stmt in stmts:
                if anno.get(stmt, "record") in empty or anno.get(stmt, "record_companion") in empty:
                    continue
                for field in ("body", "orelse"):
                    if getattr(stmt, field, None):
                        setattr(stmt, field, strip(getattr(stmt, field)) or ([gast.Pass()] if field == "body" else []))
                out.append(stmt)
            return out

        forward[:] = strip(forward)
        backward[:] = strip(backward)


def _is_empty(stmt):
    return all(isinstance(s, gast.Pass) for s in stmt.body + stmt.orelse)


def final_state(needed, stack):
    """Save the needed values at the end of the forward sweep, restore them first."""
    names = sorted(needed)
    if not names:
        return [], []
    values = gast.Tuple([name(n) for n in names], gast.Load())
    targets = gast.Tuple([name(n, gast.Store()) for n in names], gast.Store())
    return [push(values, stack)], [gast.Assign([targets], pop(stack))]

