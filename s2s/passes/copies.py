"""Copy temporaries out of generated functions, as a person would not write them.

Two rewrites within each block (a function body, a branch, a loop body), to a fixed
point, on the final code of each generated function:
- a copy `a = b` is forwarded: later reads of `a` read `b`, up to the first statement
  that binds `a` or `b` (whose value is still rewritten: it is evaluated first) or
  holds a function or lambda (which reads names when it runs). Until then `a` and `b`
  name the same object, so every read sees the same value. A copy nobody reads any
  more goes, and so does `a = a`.
- a temporary bound once and read once, by `v = t` after only stack pushes and
  copies to names it does not read, is computed there: `t = x + y; _stack.append(x);
  x = t` becomes `_stack.append(x); x = x + y`. A push binds nothing and changes no
  object, a copy binds a name the value does not read, so the operands hold the same
  values at both places. So is an arithmetic temporary of the generator's (`_mul`, or
  its derivative `d_mul`: the user's names stay) read as an operand of the next
  arithmetic, where nothing but names and constants is evaluated before it, past
  pushes, such copies and comment markers of its own line: `_mul = a * x;
  _add = _mul + y` becomes `_add = a * x + y`, the formula as written, with the same
  operations in the same order (nothing that can fail or change an object runs in
  between), and the array it made freed as soon as it is used.
"""

import gast

from .. import anno
from ..syntax import NodeTransformer, clone, walk
from . import deadcode


def remove_copies(fn, stack=None):
    """`fn` (a generated FunctionDef) without copy temporaries; `stack` names its tape."""
    for _ in range(8):  # each round removes at least one statement; a few suffice
        changed = _sink_temporaries(fn, fn.body, stack)
        changed |= _forward_copies(fn.body)
        returned = set()
        # a round that rewrote code is followed by another whatever dead-store removal
        # takes away: the statements are counted only where that decides
        before = None if changed else _count(fn.body)
        fn.body = deadcode.remove_dead_stores(fn.body, returned, _is_copy)
        if before is not None and _count(fn.body) == before:
            return fn
    return fn


def _count(stmts):
    """Statements, nested ones included: what dead-store removal can take away."""
    count = len(stmts)
    for stmt in stmts:
        body, orelse = getattr(stmt, "body", None), getattr(stmt, "orelse", None)
        if body or orelse:
            count += _count(body or []) + _count(orelse or [])
    return count


def _is_copy(stmt):
    return isinstance(stmt.value, gast.Name) and not _special(stmt.value)


def _special(node):
    return anno.has(node, "object") or anno.has(node, "generated")


def _blocks(stmts):
    yield stmts
    for stmt in stmts:
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(stmt, (gast.If, gast.For, gast.While)) and inner:
                yield from _blocks(inner)


def _stored(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}


def _replace_loads(node, old, new):
    return _ReplaceLoads(old, new).visit(node)


class _ReplaceLoads(NodeTransformer):
    """Reads of the name `old` become copies of the node `new`."""

    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, n):
        if n.id == self.old and isinstance(n.ctx, gast.Load):
            return gast.copy_location(clone(self.new), n)
        return n


def _forward_copies(body):
    changed = False
    names = {}  # id of a statement -> _names_of it, kept up to date as loads are replaced
    for block in list(_blocks(body)):
        i = 0
        while i < len(block):
            stmt = block[i]
            if _is_simple_copy(stmt):
                a, b = stmt.targets[0].id, stmt.value
                if a == b.id:
                    del block[i]
                    changed = True
                    continue
                changed |= _forward_copy(block, i + 1, a, b, names)
            i += 1
    return changed


def _is_simple_copy(stmt):
    return (
        isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Name) and not _special(stmt.value)
    )


def _forward_copy(block, start, a, b, names):
    changed = False
    for j in range(start, len(block)):  # not a slice: a copy of the rest of the block per copy
        later = block[j]
        if id(later) not in names:
            names[id(later)] = _names_of(later)
        holds_function, stored, loaded = names[id(later)]
        if holds_function:
            break
        if stored & {a, b.id}:
            if isinstance(later, gast.Assign) and not _stored(later.value):
                changed |= _reads(later.value, a)
                later.value = _replace_loads(later.value, a, b)
                names[id(later)] = _names_of(later)
            break
        if a in loaded:
            _replace_loads(later, a, b)  # every read of a: it reads b instead, binds the same
            names[id(later)] = (holds_function, stored, (loaded - {a}) | {b.id})
            changed = True
    return changed


def _names_of(stmt):
    """(whether `stmt` holds a function or lambda, the names it binds, the names it reads)."""
    holds_function, stored, loaded = False, set(), set()
    for n in walk(stmt):
        if n.__class__ is gast.Name:
            (loaded if n.ctx.__class__ is gast.Load else stored).add(n.id)
        elif n.__class__ in _FUNCTIONS:
            holds_function = True
    return holds_function, stored, loaded


_FUNCTIONS = (gast.Lambda, gast.FunctionDef)


def _reads(node, name_id):
    return any(isinstance(n, gast.Name) and n.id == name_id and isinstance(n.ctx, gast.Load) for n in walk(node))


def _sink_temporaries(fn, body, stack):
    loads, stores = {}, {}
    for n in walk(fn):
        if n.__class__ is gast.Name:
            table = loads if n.ctx.__class__ is gast.Load else stores
            table[n.id] = table.get(n.id, 0) + 1
    changed = False
    for block in list(_blocks(body)):
        i = 0
        line = None  # the source line of the comment marker the statement is under
        while i < len(block):
            stmt = block[i]
            if anno.get(stmt, "marker") == "comment":
                line = anno.get(stmt, "line")
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                t = stmt.targets[0].id
                # a function that never reads its tape (or has none) has no value reading
                # it: no walk per candidate (moving values adds no read)
                if loads.get(t) == 1 and stores.get(t) == 1 and not (loads.get(stack) and _reads(stmt.value, stack)):
                    j = i + 1
                    while j < len(block) and _passes_over(block[j], stmt.value, t, stack, line):
                        j += 1
                    use = block[j] if j < len(block) else None
                    if use is not None and _sink_into(stmt.value, t, use):
                        del block[i]
                        changed = True
                        continue
            i += 1
    return changed


def _sink_into(value, t, use):
    """Whether `value`, bound to the temporary `t`, was put in place of the one read of
    `t` in `use` (the statement after it but for pushes)."""
    if not (isinstance(use, gast.Assign) and len(use.targets) == 1 and isinstance(use.targets[0], gast.Name)):
        return False
    if use.targets[0].id == t:
        return False
    if isinstance(use.value, gast.Name):
        if use.value.id != t or _special(use.value):
            return False
        use.value = value
        return True
    if not (_generated_temporary(t) and isinstance(value, _ARITHMETIC)):
        return False
    slot = _first_evaluated_operand(use.value, t)
    if slot is None:
        return False
    parent, field = slot
    setattr(parent, field, value)
    return True


_ARITHMETIC = (gast.BinOp, gast.UnaryOp)


def _generated_temporary(name):
    """A temporary of the generator's (`_mul`) or its derivative (`d_mul`, `dd_mul`):
    the user's own names stay, for reading and for pdb. (A user's name of that form
    may go too, which changes nothing but what the code shows.)"""
    return name.lstrip("d").startswith("_")


def _first_evaluated_operand(node, t):
    """(the operator node, its field) holding the read of `t` in the arithmetic `node`,
    if every operand Python evaluates before it is a name or a constant; else None."""
    while isinstance(node, _ARITHMETIC):
        fields = ("left", "right") if isinstance(node, gast.BinOp) else ("operand",)
        for field in fields:
            operand = getattr(node, field)
            if isinstance(operand, gast.Name) and operand.id == t and isinstance(operand.ctx, gast.Load):
                return node, field
            if _reads(operand, t):
                node = operand
                break
            if not isinstance(operand, (gast.Name, gast.Constant)):
                return None
        else:
            return None
    return None


def _passes_over(stmt, value, t, stack, line):
    """Whether `value`, bound to `t`, may be computed after `stmt` instead of before: a
    push, or a copy `a = b` to a name it does not read (a save: `_z_saved = z`), which
    binds nothing else, changes no object and cannot fail; or a comment marker of the
    source line the value is computed for (it runs nothing; the line's code stays under
    its comment)."""
    if anno.get(stmt, "marker") == "comment":
        return anno.get(stmt, "line") == line
    if _reads(stmt, t):
        return False
    if _is_simple_copy(stmt):
        return not _reads(value, stmt.targets[0].id)
    return _is_push(stmt, stack)


def _is_push(stmt, stack):
    """`_stack.append(x)` on the function's own tape: binds nothing, changes no object
    but the tape, which the moved value does not read."""
    return (
        stack is not None and isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)
        and isinstance(stmt.value.func, gast.Attribute) and stmt.value.func.attr == "append"
        and isinstance(stmt.value.func.value, gast.Name) and stmt.value.func.value.id == stack
        and all(isinstance(a, (gast.Name, gast.Constant, gast.Tuple)) for a in stmt.value.args)
    )
