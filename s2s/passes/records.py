"""Decide what the stack carries between the sweeps, and drop what it need not.

The generator surrounds every assignment with save/restore markers. A value is saved
only if the backward sweep reads that variable (it is *needed*) and the assignment may
overwrite a value that is still needed (the variable is bound more than once, or in a
loop), unless every binding of the variable binds the same expression of literals.
Recorded branch decisions and trip counts whose backward construct ends up empty are
removed together with the forward code that recorded them.
"""
import gast

from .. import anno, rules, runtime
from ..syntax import assign, call, loads, name, pop, push, ref, walk
from .activity import _item_kind, ndim_of
from .desugar import subscript_index


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
            names |= loads(stmt.iter) - bound
            inner = bound | {n.id for n in walk(stmt.target) if isinstance(n, gast.Name)}
            names |= free_loads(stmt.body, inner) | free_loads(stmt.orelse, bound)
        elif isinstance(stmt, (gast.If, gast.While)):
            names |= (loads(stmt.test) - bound) | free_loads(stmt.body, bound) | free_loads(stmt.orelse, bound)
        else:
            names |= loads(stmt) - bound
    return names


def stored(stmts):
    """Names bound by `stmts`."""
    return {n.id for s in stmts for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def resolve_records(forward, backward, primal_names, params, stack, namer, kinds):
    """Replace save/restore markers; returns (forward, backward, needed, maybe_unbound,
    restored_in_place): the last, containers whose updates the backward sweep undoes.

    A save outside every loop runs at most once per call, and its restore only where
    it ran (the backward sweep replays the branches taken): such a value is kept in a
    name of its own (`_z_saved = z` ... `z = _z_saved`), the stack only carries what
    loops save, once per trip."""
    needed = free_loads(backward) & primal_names
    # undoing `lst.pop()` re-appends the popped value, which must then be kept too
    item_needed = needed & _read_after_restore(backward)
    # undoing an item assignment reads its index (and `lst.pop()` re-appends the value)
    restores = [s for s, _, _ in walk_statements(backward) if anno.get(s, "var") in item_needed]
    for restore in restores:
        for fact in ("undo", "index"):
            if anno.get(restore, fact) is not None:
                needed |= loads(anno.get(restore, fact)) & primal_names
    sites = {}
    for stmt, depth, in_loop in walk_statements(forward):
        if anno.get(stmt, "marker") == "save":
            sites.setdefault(anno.get(stmt, "var"), []).append((anno.get(stmt, "site"), depth, in_loop))
    kept_sites, maybe_unbound = {}, set()  # (var, site) -> the name holding the value, or None: the stack
    invariant = _bound_to_one_value(forward, params, kinds) - set(params) - item_needed
    for var, var_sites in sites.items():
        if var not in needed:
            continue
        if var not in params and var_sites[0][1] > 0:
            maybe_unbound.add(var)  # bound on some paths only: start it as None
        if var in invariant:
            continue  # every value it holds is the same: what the backward sweep reads
        for position, (site, depth, in_loop) in enumerate(var_sites):
            # Reaching definitions, over-approximated on structured code: a binding may
            # overwrite a value the backward sweep reads iff some definition of `var`
            # reaches it: the parameter's own value, an earlier binding in program
            # order, or (in a loop) the binding itself from the previous iteration.
            if var in params or position > 0 or in_loop:
                saved = None if in_loop else namer.fresh(f"_{var.lstrip('_')}_saved")
                kept_sites[(var, site)] = saved
                if saved is not None:
                    needed.add(saved)  # the backward sweep reads it (from the tape, when split)
                    if depth > 0:
                        maybe_unbound.add(saved)  # saved on some paths only

    # read only for a shape and dtype: a loop's tape keeps a stand-in (only loops push)
    stand_ins = set()
    if None in kept_sites.values():
        stand_ins = {v for v in needed - _value_loads(backward) - item_needed if kinds.get(v) != "scalar"}

    def replace(stmts):
        out = []
        for stmt in stmts:
            kind = anno.get(stmt, "marker")
            if kind in ("save_item", "restore_item"):
                var = anno.get(stmt, "var")
                if var in item_needed:
                    if anno.get(stmt, "undo"):  # an append or pop, undone
                        record = anno.get(stmt, "undo")
                    elif anno.get(stmt, "snapshot"):
                        record = _snapshot_record(kind, var, stack)
                    else:
                        record = _item_record(kind, var, anno.get(stmt, "index"), stack, kinds)
                    out.append(gast.copy_location(record, stmt))
                continue
            if kind in ("save", "restore"):
                key = (anno.get(stmt, "var"), anno.get(stmt, "site"))
                if key in kept_sites:
                    var, saved = key[0], kept_sites[key]
                    if kind == "save" and saved is not None:
                        record = assign(saved, name(var))
                    elif kind == "save":
                        kept = call(ref(runtime.shape_stand_in, "shape_stand_in"), name(var)) if var in stand_ins else name(var)
                        record = push(kept, stack)
                    else:
                        value = pop(stack) if saved is None else name(saved)
                        if var in item_needed:  # its items are undone in place: on a copy, so the tape stays as recorded
                            value = call(ref(runtime.private_copy, "private_copy"), value)
                        record = assign(var, value)
                    out.append(gast.copy_location(record, stmt))
                continue
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, replace(getattr(stmt, field)))
            out.append(stmt)
        return out

    return replace(forward), replace(backward), needed, maybe_unbound, item_needed


def _value_loads(backward):
    """Names `backward` reads other than as an argument its callee reads only the shape
    and dtype of (`unbroadcast(g, like)`: declared `shape_only`)."""
    shape_only, reads = set(), set()
    for node in walk(gast.Module(backward, [])):  # a call comes before its arguments
        if isinstance(node, gast.Call) and anno.has(node.func, "object"):
            declared = rules.shape_arguments(anno.get(node.func, "object"), node)
            for argument in node.args + [k.value for k in node.keywords]:
                if id(argument) in declared:
                    shape_only.update(id(n) for n in walk(argument))
        elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and id(node) not in shape_only:
            reads.add(node.id)
    return reads


def _bound_to_one_value(forward, params, kinds):
    """Names that every binding in `forward` binds to one and the same expression of
    literals and *invariant scalars* (`e = 3 ** 2`, `_pow = x ** 2` in a loop, x a
    scalar parameter never rebound): each value such a name holds is that one value, so
    a binding overwrites nothing the backward sweep could read otherwise, and no save is
    needed (nor does the derivative of the gradient see it restored from the tape).

    An invariant scalar is a parameter of kind "scalar" that `forward` never binds, or
    a scalar name of this kind itself. Python and NumPy scalars are immutable and their
    arithmetic is a function of its operands, so the expression evaluates to the same
    value at every binding (the first binding precedes every read: a read before it
    fails in the primal too)."""
    texts, operands = _bindings(forward)
    invariant = _unbound_scalars(params, texts, kinds)
    candidates = {v for v, t in texts.items() if len(t) == 1 and None not in t}
    changed = True
    while changed:  # a name is invariant once the names its expression reads are
        changed = False
        for var in candidates - invariant:
            if all(n in invariant and kinds.get(n) == "scalar" for n in operands[var]):
                invariant.add(var)
                changed = True
    return invariant & candidates


def invariant_scalar_params(forward, params, kinds):
    """The parameters of kind "scalar" that `forward` never binds: each holds one
    immutable number, bound, throughout both sweeps."""
    return _unbound_scalars(params, _bindings(forward)[0], kinds)


def _unbound_scalars(params, bound, kinds):
    return {p for p in params if p not in bound and kinds.get(p) == "scalar"}


def _bindings(forward):
    """({name: the texts of what its bindings in `forward` bind, None for a binding that
    is no arithmetic expression}, {name: the names its one arithmetic expression reads})."""
    texts, operands = {}, {}
    for stmt, _, _ in walk_statements(forward):
        if isinstance(stmt, (gast.If, gast.While)):
            continue  # their bodies come next, one statement at a time
        binder = stmt.target if isinstance(stmt, gast.For) else stmt  # a loop: its target
        arithmetic = isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and _is_arithmetic(stmt.value)
        for n in walk(binder):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                one = arithmetic and stmt.targets[0] is n
                texts.setdefault(n.id, set()).add(gast.dump(stmt.value) if one else None)
                if one:
                    operands[n.id] = loads(stmt.value)
    return texts, operands


def _is_arithmetic(node):
    """An expression of literals, names and operators only (no call, no display)."""
    if isinstance(node, (gast.Constant, gast.Name)):
        return True
    if isinstance(node, gast.BinOp):
        return _is_arithmetic(node.left) and _is_arithmetic(node.right)
    if isinstance(node, gast.UnaryOp):
        return _is_arithmetic(node.operand)
    return False


def _item_record(kind, var, index, stack, kinds):
    """Save what `var[index] = ...` overwrites / put it back: plain subscripts on arrays
    (an element read is a copy), helpers for slices of arrays and for dicts."""
    array = (ndim_of(kinds.get(var)) or 0) >= 1
    item = gast.Subscript(name(var), subscript_index(index), gast.Load())
    if kind == "save_item":
        element = array and _item_kind(kinds.get(var), item.slice, kinds) == "scalar"
        return push(item if element else call(ref(runtime.saved_item, "saved_item"), name(var), index), stack)
    if array:
        item.ctx = gast.Store()
        return gast.Assign([item], pop(stack))
    return assign(var, call(ref(runtime.restore_item, "restore_item"), name(var), index, pop(stack)))


def _snapshot_record(kind, var, stack):
    """Save a container's contents / put them back in place (an update in place with
    rules of its own, so the next order differentiates it like any other)."""
    if kind == "save_item":
        return push(call(ref(runtime.private_copy, "private_copy"), name(var)), stack)
    return assign(var, call(ref(runtime.restore_contents, "restore_contents"), name(var), pop(stack)))


def _read_after_restore(backward):
    """The variables the backward sweep reads after one of their items was put back; the
    items of the others need not be saved at all. One walk for every variable."""
    restored, read = set(), set()

    def restore_var(s):
        return anno.get(s, "var") if anno.get(s, "marker") == "restore_item" else None

    def simple_reads(s):
        """Names read by the simple statements in `s`, a restore not counting for its own variable."""
        out = set()
        for n in walk(s):
            if isinstance(n, gast.stmt) and not hasattr(n, "body"):
                out |= loads(n) - {restore_var(n)}
        return out

    def visit(stmts):
        for s in stmts:
            own = restore_var(s)
            if isinstance(s, (gast.For, gast.While)):
                inside = {restore_var(n) for n in walk(s)} - {None}
                header = loads(s.iter if isinstance(s, gast.For) else s.test)
                read.update(inside & (simple_reads(s) | header))
                restored.update(inside)
                read.update((restored - inside) & loads(s))
            elif isinstance(s, gast.If):
                if restored:  # (no walk for what cannot be read after a restore)
                    read.update(restored & loads(s.test))
                visit(s.body)
                visit(s.orelse)
            else:
                if restored - {own}:
                    read.update((restored - {own}) & loads(s))
                if own is not None:
                    restored.add(own)

    visit(backward)
    return read


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

